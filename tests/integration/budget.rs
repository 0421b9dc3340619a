//! The exchange budget of the core flow: open + PIN status + verify + read the signature
//! certificate + sign.

use mynasign::card::SessionOptions;
use mynasign::emulator::EmulatorConfig;
use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};

use crate::common::*;

fn flow(config: EmulatorConfig, options: SessionOptions) -> mynasign::card::ExchangeStats {
    let card = card_with(Profile::MyNumberCard, config);
    let mut s = JpkiSession::open_with(card, options).unwrap();
    s.pin_status(PinKind::SignaturePassword).unwrap();
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
    let der = s.read_certificate_der(CertificateSlot::Signature).unwrap();
    assert_eq!(der, persona().signature_certificate_der());
    let sig = s
        .sign(KeySlot::Signature, HashAlgorithm::Sha256, b"payload")
        .unwrap();
    assert_eq!(sig.len(), 256);
    s.stats()
}

#[test]
fn at_most_6_exchanges_with_extended_length_and_shortcuts() {
    let stats = flow(EmulatorConfig::default(), SessionOptions::default());
    println!("extended + shortcuts: {stats:?}");
    assert!(stats.exchanges <= 6, "{stats:?}");
}

#[test]
fn at_most_16_exchanges_with_short_apdus_and_no_shortcuts() {
    let len = persona().signature_certificate_der().len();
    assert!((1600..=1792).contains(&len), "certificate of {len} bytes");
    // A client configured for short APDUs and no shortcuts (an old reader).
    let plain = flow(
        EmulatorConfig::short_only(),
        SessionOptions {
            extended_length: false,
            short_ef_shortcuts: false,
            ..SessionOptions::default()
        },
    );
    println!("short, no shortcuts ({len}-byte certificate): {plain:?}");
    assert!(plain.exchanges <= 16, "{plain:?}");
    // A default client meeting a card that refuses both: it pays for one refused shortcut
    // and then behaves as above.
    let learned = flow(EmulatorConfig::plain(), SessionOptions::default());
    println!("short, card refusing shortcuts, default client: {learned:?}");
    assert_eq!(learned.exchanges, plain.exchanges + 1, "{learned:?}");
}

/// Issue 22: a card that answers the first command after it is powered up again `6F00`
/// (`EmulatorConfig::first_command_after_power_up_6f00`, [single]) costs the flow one more
/// exchange (the SELECT sent again), and only then.
#[test]
fn one_more_exchange_after_a_re_power_that_answers_6f00() {
    let config = EmulatorConfig {
        first_command_after_power_up_6f00: true,
        ..EmulatorConfig::default()
    };
    let card = card_with(Profile::MyNumberCard, config);
    let flow_on = |card: &std::sync::Arc<mynasign::emulator::EmulatedCard>| {
        let mut s = JpkiSession::open(card.clone()).unwrap();
        let pin = Pin::signature_password(persona().signature_password()).unwrap();
        s.verify(&pin, LastAttempt::Refuse).unwrap();
        s.read_certificate_der(CertificateSlot::Signature).unwrap();
        s.stats().exchanges
    };
    let fresh = flow_on(&card);
    card.power_off();
    card.power_on();
    assert_eq!(flow_on(&card), fresh + 1);
    assert_eq!(
        flow_on(&card),
        fresh,
        "only the first command after the re-power"
    );
}
