//! Cancellation between exchanges, and progress reports of the card flow.

use std::sync::{Arc, Mutex};

use mynasign::card::{CancelToken, SessionOptions};
use mynasign::consent::{
    AddressChangeConsent, Channel, ConsentItems, Document, HolderStatus, Nonce, Terms, Timestamp,
};
use mynasign::flow::{sign_consent_on_card, CardSignOptions, FlowStep, ProgressListener};
use mynasign::jpki::{JpkiSession, LastAttempt};
use mynasign::pin::{Pin, PinKind};
use mynasign::Error;

use crate::common::*;

fn consent() -> Document {
    Document::AddressChangeConsent(AddressChangeConsent {
        items: ConsentItems::all(),
        holder_status: HolderStatus::MyNumberLicenceOnly,
        terms: Terms::from_text("terms", "1", b"terms text").unwrap(),
        channel: Channel::LicenceCentreKiosk,
        nonce: Nonce::new("nonce-1").unwrap(),
        timestamp: Timestamp::now(),
    })
}

#[derive(Default)]
struct Recorder(Mutex<Vec<(FlowStep, u32, u32)>>);

impl ProgressListener for Recorder {
    fn on_step(&self, step: FlowStep, index: u32, total: u32) {
        self.0.lock().unwrap().push((step, index, total));
    }
}

#[test]
fn progress_reports_every_step_in_order() {
    let card = card();
    let recorder = Arc::new(Recorder::default());
    let options = CardSignOptions {
        progress: Some(recorder.clone()),
        ..CardSignOptions::default()
    };
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    sign_consent_on_card(card, &consent(), &pin, &options).unwrap();
    let steps = recorder.0.lock().unwrap().clone();
    assert_eq!(
        steps,
        vec![
            (FlowStep::Connecting, 1, 5),
            (FlowStep::CheckingPin, 2, 5),
            (FlowStep::VerifyingPin, 3, 5),
            (FlowStep::ReadingCertificate, 4, 5),
            (FlowStep::Signing, 5, 5),
        ]
    );
}

#[test]
fn cancelled_before_start_sends_nothing() {
    let card = card();
    let cancel = CancelToken::new();
    cancel.cancel();
    let options = SessionOptions {
        cancel: Some(cancel),
        ..SessionOptions::default()
    };
    assert!(matches!(
        JpkiSession::open_with(card.clone(), options),
        Err(Error::Cancelled)
    ));
    assert_eq!(card.commands_processed(), 0);
}

#[test]
fn cancel_between_exchanges_stops_before_verify() {
    // Cancelled from the progress callback when the PIN step starts: the VERIFY is never sent.
    struct CancelAt(CancelToken, FlowStep);
    impl ProgressListener for CancelAt {
        fn on_step(&self, step: FlowStep, _: u32, _: u32) {
            if step == self.1 {
                self.0.cancel();
            }
        }
    }
    let card = card();
    let cancel = CancelToken::new();
    let options = CardSignOptions {
        session: SessionOptions {
            cancel: Some(cancel.clone()),
            ..SessionOptions::default()
        },
        progress: Some(Arc::new(CancelAt(cancel, FlowStep::VerifyingPin))),
        ..CardSignOptions::default()
    };
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    let r = sign_consent_on_card(card.clone(), &consent(), &pin, &options);
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert!(!card.is_verified(PinKind::SignaturePassword));
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
    // The card is still usable by a new session.
    let mut s = JpkiSession::open(card).unwrap();
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
}
