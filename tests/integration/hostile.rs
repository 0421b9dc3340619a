//! Regression tests for the hostile-card review (issue 14): what the client must not send.

use mynasign::jpki::{CertificateSlot, JpkiSession, KeySlot, LastAttempt};
use mynasign::pin::Pin;
use mynasign::transport::TransportError;
use mynasign::Error;

use crate::common::*;

/// VERIFY commands that carry a PIN among `sent`.
fn verifies_with_data(sent: &[Vec<u8>]) -> usize {
    sent.iter()
        .filter(|c| c.len() > 5 && c[0] == 0x00 && c[1] == 0x20)
        .count()
}

#[test]
fn verify_answered_61xx_then_6d00_is_not_sent_again() {
    let t = Scripted::new(vec![
        sw(0x9000), // SELECT JPKI AP
        token(),    // READ token (short EF id)
        sw(0x63C5), // retry counter (short EF id)
        sw(0x6101), // VERIFY (short EF id): processed, one byte to fetch
        sw(0x6D00), // GET RESPONSE
    ]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let pin = Pin::signature_password("ABC123").unwrap();
    let r = s.verify(&pin, LastAttempt::Refuse);
    assert!(matches!(r, Err(Error::CardStatus { .. })), "{r:?}");
    let sent = t.sent.lock().unwrap();
    assert_eq!(verifies_with_data(&sent), 1);
    assert_eq!(sent.len(), 5);
}

#[test]
fn wrong_le_on_a_signature_is_not_reissued() {
    let t = Scripted::new(vec![sw(0x9000), token(), sw(0x6C10)]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let r = s.sign_digest_info(KeySlot::Signature, &[0x30, 0x00]);
    assert!(matches!(r, Err(Error::CardStatus { .. })), "{r:?}");
    // One COMPUTE DIGITAL SIGNATURE, never a second private-key operation.
    assert_eq!(t.sent_count(), 3);
}

#[test]
fn wrong_le_on_an_extended_read_is_reissued_extended() {
    let mut cert = vec![0x30, 0x82, 0x01, 0x2C];
    cert.resize(0x130, 0xAB);
    let t = Scripted::extended(vec![
        sw(0x9000),
        token(),
        sw(0x6C00 | 0x30), // READ BINARY, extended Le: "use Le = 0x30" (a hostile answer)
        ok(&cert),
    ]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let der = s
        .read_certificate_der(CertificateSlot::Authentication)
        .unwrap();
    assert_eq!(der.len(), 0x130);
    let sent = t.sent.lock().unwrap();
    assert_eq!(sent.len(), 4);
    // The re-issue keeps the extended form of the original: `00 B0 P1 P2 00 Le1 Le2`.
    assert_eq!(sent[3].len(), 7, "{:02X?}", sent[3]);
    assert_eq!(sent[3][4], 0x00);
}

#[test]
fn nothing_is_sent_after_a_lost_tag_in_an_extended_read() {
    let t = Scripted::extended(vec![sw(0x9000), token(), Err(TransportError::TagLost)]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let r = s.read_certificate_der(CertificateSlot::Authentication);
    assert!(
        matches!(r, Err(Error::Transport(TransportError::TagLost))),
        "{r:?}"
    );
    assert_eq!(t.sent_count(), 3);
}

#[test]
fn a_timeout_in_an_extended_read_still_falls_back_to_short_reads() {
    let mut cert = vec![0x30, 0x81, 0x10];
    cert.resize(0x13, 0xAB);
    let t = Scripted::extended(vec![
        sw(0x9000),
        token(),
        Err(TransportError::Timeout),
        ok(&cert),
    ]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let der = s
        .read_certificate_der(CertificateSlot::Authentication)
        .unwrap();
    assert_eq!(der.len(), 0x13);
    let sent = t.sent.lock().unwrap();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[3].len(), 5, "short form after the timeout");
}

#[test]
fn the_attempt_that_uses_the_last_try_reports_the_pin_now_blocked() {
    let t = Scripted::new(vec![sw(0x9000), token(), sw(0x63C1), sw(0x63C0)]);
    let mut s = JpkiSession::open(t.clone()).unwrap();
    let pin = Pin::signature_password("ABC123").unwrap();
    let e = s.verify(&pin, LastAttempt::Allow).unwrap_err();
    assert!(matches!(e, Error::PinNowBlocked { .. }), "{e:?}");
    assert!(e.to_string().contains("municipality"), "{e}");
    assert!(!e.to_string().contains("ABC123"));
    assert_eq!(t.sent_count(), 4);
}
