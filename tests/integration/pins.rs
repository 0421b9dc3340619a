use mynasign::emulator::{EmulatorConfig, Fault, FaultEffect, FaultTrigger};
use mynasign::jpki::{JpkiSession, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::Error;

use crate::common::*;

fn wrong_password() -> Pin {
    // Valid format, never a persona's password (personas use letters and digits).
    Pin::signature_password("ZZZZZZ").unwrap()
}

#[test]
fn status_uses_no_attempt() {
    let card = card();
    let mut s = open(&card);
    for _ in 0..3 {
        assert_eq!(
            s.pin_status(PinKind::SignaturePassword).unwrap().remaining,
            5
        );
        assert_eq!(
            s.pin_status(PinKind::AuthenticationPin).unwrap().remaining,
            3
        );
    }
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
    assert!(matches!(
        s.pin_status(PinKind::CardInfoPin),
        Err(Error::PinNotForApplication { .. })
    ));
}

#[test]
fn wrong_pin_decrements_then_success_resets() {
    let card = card();
    let mut s = open(&card);
    for left in [4u8, 3] {
        match s.verify(&wrong_password(), LastAttempt::Refuse) {
            Err(Error::WrongPin { pin, remaining }) => {
                assert_eq!(pin, PinKind::SignaturePassword);
                assert_eq!(remaining, left);
            }
            other => panic!("expected WrongPin, got {other:?}"),
        }
        assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), left);
    }
    let good = Pin::signature_password(persona().signature_password()).unwrap();
    let st = s.verify(&good, LastAttempt::Refuse).unwrap();
    assert_eq!(st.remaining, 5);
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
}

#[test]
fn lowercase_signature_password_is_uppercased() {
    let card = card();
    let mut s = open(&card);
    let lower = persona().signature_password().to_ascii_lowercase();
    let pin = Pin::signature_password(&lower).unwrap();
    assert_eq!(s.verify(&pin, LastAttempt::Refuse).unwrap().remaining, 5);
}

#[test]
fn malformed_pin_sends_nothing() {
    let card = card();
    let s = open(&card);
    let before = (s.stats(), card.commands_processed());
    for bad in ["ABC", "ABC-123", "パスワード12", "ABCDEFGHIJKLMNOPQ", ""] {
        assert!(Pin::signature_password(bad).is_err(), "{bad}");
    }
    for bad in ["123", "12345", "12a4", "１２３４"] {
        assert!(Pin::authentication(bad).is_err(), "{bad}");
        assert!(Pin::card_info(bad).is_err(), "{bad}");
    }
    assert_eq!(before, (s.stats(), card.commands_processed()));
}

#[test]
fn lock_after_five_then_blocked_sends_nothing() {
    let card = card();
    let mut s = open(&card);
    for expected in [4u8, 3, 2, 1] {
        let r = s.verify(&wrong_password(), LastAttempt::Allow);
        assert!(matches!(r, Err(Error::WrongPin { remaining, .. }) if remaining == expected));
    }
    // The guard: one attempt left, refused without sending anything.
    let sent = card.commands_processed();
    let r = s.verify(&wrong_password(), LastAttempt::Refuse);
    assert!(matches!(
        r,
        Err(Error::LastAttemptGuard {
            pin: PinKind::SignaturePassword
        })
    ));
    assert_eq!(card.commands_processed(), sent, "the guard sent an APDU");
    // Allowed explicitly: the fifth wrong entry locks it (63C0).
    let r = s.verify(&wrong_password(), LastAttempt::Allow);
    assert!(
        matches!(
            r,
            Err(Error::PinNowBlocked {
                pin: PinKind::SignaturePassword
            })
        ),
        "{r:?}"
    );
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 0);
    // Blocked: even the right password is not sent.
    let good = Pin::signature_password(persona().signature_password()).unwrap();
    let sent = card.commands_processed();
    assert!(matches!(
        s.verify(&good, LastAttempt::Allow),
        Err(Error::PinBlocked { .. })
    ));
    assert_eq!(card.commands_processed(), sent);
    // A new session learns it from the retry query, and still sends no VERIFY with data.
    let mut s2 = open(&card);
    assert!(s2
        .pin_status(PinKind::SignaturePassword)
        .unwrap()
        .is_blocked());
    assert!(matches!(
        s2.verify(&good, LastAttempt::Allow),
        Err(Error::PinBlocked { .. })
    ));
}

#[test]
fn blocked_card_answering_6984_to_the_query() {
    let cfg = EmulatorConfig {
        blocked_query_answers_6984: true,
        ..EmulatorConfig::default()
    };
    let card = card_with(Profile::MyNumberCard, cfg);
    let mut s = open(&card);
    let pin = Pin::authentication("0000").unwrap();
    let wrong = if persona().authentication_pin() == "0000" {
        Pin::authentication("0001").unwrap()
    } else {
        pin
    };
    for _ in 0..3 {
        let _ = s.verify(&wrong, LastAttempt::Allow);
    }
    let mut s2 = open(&card);
    let st = s2.pin_status(PinKind::AuthenticationPin).unwrap();
    assert_eq!((st.remaining, st.is_blocked()), (0, true));
}

#[test]
fn guard_reads_the_counter_first_when_unknown() {
    let card = card();
    {
        let mut s = open(&card);
        for _ in 0..4 {
            let _ = s.verify(&wrong_password(), LastAttempt::Allow);
        }
    }
    // A fresh session that never asked for the status: verify reads it, then refuses.
    let mut s = open(&card);
    let r = s.verify(&wrong_password(), LastAttempt::Refuse);
    assert!(matches!(r, Err(Error::LastAttemptGuard { .. })));
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 1);
}

#[test]
fn link_lost_before_verify_is_reported_and_not_retried() {
    let card = card();
    let mut s = open(&card);
    s.pin_status(PinKind::SignaturePassword).unwrap();
    card.inject_fault(Fault {
        when: FaultTrigger::NextVerifyWithData,
        effect: FaultEffect::DropBefore,
    });
    let before = card.commands_processed();
    let good = Pin::signature_password(persona().signature_password()).unwrap();
    let r = s.verify(&good, LastAttempt::Refuse);
    assert!(matches!(
        r,
        Err(Error::LinkLostDuringVerify {
            pin: PinKind::SignaturePassword
        })
    ));
    assert_eq!(card.commands_processed(), before, "VERIFY was retried");
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
}

#[test]
fn link_lost_after_a_counted_wrong_attempt() {
    let card = card();
    let mut s = open(&card);
    s.pin_status(PinKind::SignaturePassword).unwrap();
    card.inject_fault(Fault {
        when: FaultTrigger::NextVerifyWithData,
        effect: FaultEffect::LoseResponse,
    });
    let r = s.verify(&wrong_password(), LastAttempt::Refuse);
    assert!(matches!(r, Err(Error::LinkLostDuringVerify { .. })));
    // The card did count it; the next session sees it through the retry query.
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 4);
    let mut s2 = JpkiSession::open(card.clone()).unwrap();
    assert_eq!(
        s2.pin_status(PinKind::SignaturePassword).unwrap().remaining,
        4
    );
    // The session that lost the link forgot its cached counter: it asks again.
    let sent = card.commands_processed();
    let st = s.pin_status(PinKind::SignaturePassword).unwrap();
    assert_eq!((st.remaining, card.commands_processed() - sent), (4, 1));
}

#[test]
fn authentication_pin_counts_three() {
    let card = card();
    let mut s = open(&card);
    let wrong = if persona().authentication_pin() == "9999" {
        "9998"
    } else {
        "9999"
    };
    let wrong = Pin::authentication(wrong).unwrap();
    let r1 = s.verify(&wrong, LastAttempt::Refuse);
    let r2 = s.verify(&wrong, LastAttempt::Refuse);
    assert!(matches!(r1, Err(Error::WrongPin { remaining: 2, .. })));
    assert!(matches!(r2, Err(Error::WrongPin { remaining: 1, .. })));
    assert!(matches!(
        s.verify(&wrong, LastAttempt::Refuse),
        Err(Error::LastAttemptGuard { .. })
    ));
    let good = Pin::authentication(persona().authentication_pin()).unwrap();
    assert_eq!(s.verify(&good, LastAttempt::Allow).unwrap().remaining, 3);
}

/// PROTOCOL.md 3a: re-selecting the application (a new session) keeps a verified PIN, as on a
/// real card; leaving the application (what the PC/SC links do before they let a card go)
/// clears it.
#[test]
fn security_state_survives_reselection_until_the_application_is_left() {
    let card = card();
    let mut s = open(&card);
    let good = Pin::signature_password(persona().signature_password()).unwrap();
    s.verify(&good, LastAttempt::Refuse).unwrap();
    s.read_certificate_der(mynasign::jpki::CertificateSlot::Signature)
        .unwrap();
    // Opening again re-selects the application: the status is still in effect.
    let mut s2 = open(&card);
    s2.read_certificate_der(mynasign::jpki::CertificateSlot::Signature)
        .unwrap();
    assert!(mynasign::transport::leave_application(&*card));
    let mut s3 = open(&card);
    assert!(matches!(
        s3.read_certificate_der(mynasign::jpki::CertificateSlot::Signature),
        Err(Error::PinNotVerified {
            pin: PinKind::SignaturePassword
        })
    ));
}

#[test]
fn errors_and_debug_never_show_the_pin() {
    let card = card();
    let mut s = open(&card);
    let pw = persona().signature_password().to_string();
    let pin = Pin::signature_password(&pw).unwrap();
    assert!(!format!("{pin:?}").contains(&pw));
    let wrong = wrong_password();
    let e = s.verify(&wrong, LastAttempt::Refuse).unwrap_err();
    assert!(!e.to_string().contains("ZZZZZZ") && !format!("{e:?}").contains("ZZZZZZ"));
}

/// Issue 8: after a successful VERIFY the retry query answers `63Cx` on a real card (the
/// default) and `9000` on some (the option); the client reads the counter right either way and
/// the verified state survives the query.
#[test]
fn retry_query_after_a_successful_verify_both_answers() {
    for answers_9000 in [false, true] {
        let cfg = EmulatorConfig {
            verified_query_answers_9000: answers_9000,
            ..EmulatorConfig::default()
        };
        let card = card_with(Profile::MyNumberCard, cfg);
        let mut s = open(&card);
        let good = Pin::signature_password(persona().signature_password()).unwrap();
        s.verify(&good, LastAttempt::Refuse).unwrap();
        let st = s.pin_status(PinKind::SignaturePassword).unwrap();
        assert_eq!(st.remaining, 5, "9000 option: {answers_9000}");
        assert!(card.is_verified(PinKind::SignaturePassword));
        // The verified state is intact: the signature certificate reads.
        s.read_certificate_der(mynasign::jpki::CertificateSlot::Signature)
            .unwrap();
    }
}
