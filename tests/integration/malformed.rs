//! Bad input from the card or the link: typed errors, never a panic.

use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt};
use mynasign::pin::{Pin, PinKind};
use mynasign::transport::TransportError;
use mynasign::Error;

use crate::common::*;

#[test]
fn responses_shorter_than_a_status_word() {
    for reply in [vec![], vec![0x90]] {
        let t = Scripted::new(vec![Ok(reply)]);
        assert!(matches!(JpkiSession::open(t), Err(Error::Malformed { .. })));
    }
}

#[test]
fn unexpected_status_words_are_typed() {
    // 6F00 to the SELECT is sent once more (a card answered the first command after power-up
    // so); twice is an error.
    let t = Scripted::new(vec![sw(0x6F00), sw(0x6F00)]);
    assert!(matches!(
        JpkiSession::open(t),
        Err(Error::CardStatus {
            operation: "SELECT application",
            ..
        })
    ));
    let t = Scripted::new(vec![sw(0x6F00), sw(0x9000), token()]);
    let s = JpkiSession::open(t).unwrap();
    assert_eq!(s.stats().exchanges, 3);
    let t = Scripted::new(vec![sw(0x9000), token(), sw(0x6F00)]);
    let mut s = JpkiSession::open(t).unwrap();
    assert!(matches!(
        s.pin_status(PinKind::SignaturePassword),
        Err(Error::CardStatus { .. })
    ));
    let t = Scripted::new(vec![sw(0x9000), token(), sw(0x63C5), sw(0x6F00)]);
    let mut s = JpkiSession::open(t).unwrap();
    let pin = Pin::signature_password("ABC123").unwrap();
    assert!(matches!(
        s.verify(&pin, LastAttempt::Refuse),
        Err(Error::CardStatus { .. })
    ));
}

#[test]
fn truncated_certificate_file() {
    // The header promises 0x700 bytes; the file ends after 256.
    let mut first = vec![0x30, 0x82, 0x07, 0x00];
    first.resize(256, 0xAB);
    let t = Scripted::new(vec![
        sw(0x9000),
        token(),
        sw(0x63C5),
        sw(0x9000),
        ok(&first),
        sw(0x9000), // SELECT EF
        sw(0x6B00), // READ at 256: beyond the end
    ]);
    let mut s = JpkiSession::open(t).unwrap();
    s.verify(
        &Pin::signature_password("ABC123").unwrap(),
        LastAttempt::Refuse,
    )
    .unwrap();
    assert!(matches!(
        s.read_certificate_der(CertificateSlot::Signature),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn bad_certificate_headers() {
    for data in [
        vec![0x30, 0x84, 0, 0, 0, 5, 1], // length form the card never uses
        vec![0x30, 0x80, 1, 2],          // indefinite length
        vec![0x30],                      // header cut short
        vec![0x30, 0x82, 0x7F, 0xFF],    // longer than any JPKI object
    ] {
        let t = Scripted::new(vec![sw(0x9000), token(), ok(&data)]);
        let mut s = JpkiSession::open(t).unwrap();
        assert!(
            matches!(
                s.read_certificate_der(CertificateSlot::SignatureCa),
                Err(Error::Malformed { .. })
            ),
            "{data:02X?}"
        );
    }
}

#[test]
fn endless_61xx_is_malformed_not_a_hang() {
    let mut replies = vec![sw(0x9000)];
    replies.extend((0..400).map(|_| Ok(vec![0xAA, 0x61, 0x01])));
    let t = Scripted::new(replies);
    assert!(matches!(JpkiSession::open(t), Err(Error::Malformed { .. })));
}

#[test]
fn link_errors_outside_verify_are_transport_errors() {
    let t = Scripted::new(vec![Err(TransportError::Timeout)]);
    assert!(matches!(
        JpkiSession::open(t),
        Err(Error::Transport(TransportError::Timeout))
    ));
    let t = Scripted::new(vec![sw(0x9000), token(), Err(TransportError::TagLost)]);
    let mut s = JpkiSession::open(t).unwrap();
    assert!(matches!(
        s.sign(KeySlot::Signature, HashAlgorithm::Sha256, b"x"),
        Err(Error::Transport(TransportError::TagLost))
    ));
}

#[test]
fn random_responses_never_panic() {
    // A small deterministic generator: the point is coverage of odd lengths and status words.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let sws = [
        0x9000u16, 0x6282, 0x61FF, 0x6100, 0x6C10, 0x6C00, 0x63C1, 0x6984, 0x6A86, 0x6700, 0x6B00,
        0x6982, 0x6A82,
    ];
    for _ in 0..300 {
        let mut replies = Vec::new();
        for _ in 0..40 {
            let len = (next() % 300) as usize;
            let mut r: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if next() % 3 == 0 && !r.is_empty() {
                r[0] = 0x30;
            }
            let sw = sws[(next() % sws.len() as u64) as usize];
            r.extend_from_slice(&sw.to_be_bytes());
            replies.push(if next() % 17 == 0 {
                Err(TransportError::TagLost)
            } else {
                Ok(r)
            });
        }
        let t = Scripted::new(replies);
        if let Ok(mut s) = JpkiSession::open(t) {
            let _ = s.pin_status(PinKind::SignaturePassword);
            let _ = s.verify(
                &Pin::signature_password("ABC123").unwrap(),
                LastAttempt::Allow,
            );
            let _ = s.read_certificate_der(CertificateSlot::Signature);
            let _ = s.read_certificate_der(CertificateSlot::AuthenticationCa);
            let _ = s.sign(KeySlot::Signature, HashAlgorithm::Sha384, b"x");
        }
    }
}
