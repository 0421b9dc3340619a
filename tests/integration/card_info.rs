use std::sync::Arc;

use mynasign::card_info::CardInfoSession;
use mynasign::cert::JpkiCertificate;
use mynasign::emulator::{EmulatedCard, EmulatorConfig, Persona};
use mynasign::jpki::{CertificateSlot, JpkiSession, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::{Error, NotMyNumberCardReason};

use crate::common::*;

fn read_attributes(
    persona: &Persona,
    config: EmulatorConfig,
) -> mynasign::attributes::BasicFourAttributes {
    let card = Arc::new(EmulatedCard::from_image(
        persona.card_image(Profile::MyNumberCard),
        config,
    ));
    let mut s = CardInfoSession::open(card).unwrap();
    assert_eq!(s.pin_status().unwrap().remaining, 3);
    let pin = Pin::card_info(persona.card_info_pin()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
    s.read_attributes().unwrap()
}

#[test]
fn reads_the_basic_four_attributes() {
    let p = persona();
    assert_eq!(
        &read_attributes(&p, EmulatorConfig::default()),
        p.attributes()
    );
    assert_eq!(
        &read_attributes(&p, EmulatorConfig::plain()),
        p.attributes()
    );
}

#[test]
fn long_addresses_and_substitute_characters() {
    let p = Persona::from_seed(Persona::SEED_SUBSTITUTE_CHARACTERS);
    assert!(p.attributes().address.len() > 255);
    assert_eq!(
        &read_attributes(&p, EmulatorConfig::default()),
        p.attributes()
    );
    assert_eq!(
        &read_attributes(&p, EmulatorConfig::plain()),
        p.attributes()
    );
}

#[test]
fn attributes_need_the_pin_and_pin_rules_apply() {
    let card = card();
    let mut s = CardInfoSession::open(card.clone()).unwrap();
    assert!(matches!(
        s.read_attributes(),
        Err(Error::PinNotVerified {
            pin: PinKind::CardInfoPin
        })
    ));
    let wrong = if persona().card_info_pin() == "1111" {
        "2222"
    } else {
        "1111"
    };
    let wrong = Pin::card_info(wrong).unwrap();
    assert!(matches!(
        s.verify(&wrong, LastAttempt::Refuse),
        Err(Error::WrongPin { remaining: 2, .. })
    ));
    assert!(matches!(
        s.verify(&wrong, LastAttempt::Refuse),
        Err(Error::WrongPin { remaining: 1, .. })
    ));
    assert!(matches!(
        s.verify(&wrong, LastAttempt::Refuse),
        Err(Error::LastAttemptGuard { .. })
    ));
    assert_eq!(card.pin_attempts_left(PinKind::CardInfoPin), 1);
    let sig_pin = Pin::signature_password("ABCDEF").unwrap();
    assert!(matches!(
        s.verify(&sig_pin, LastAttempt::Refuse),
        Err(Error::PinNotForApplication { .. })
    ));
}

#[test]
fn smartphone_has_no_card_info_application() {
    let card = card_with(Profile::AndroidSmartphone, EmulatorConfig::default());
    assert!(matches!(
        CardInfoSession::open(card),
        Err(Error::NotMyNumberCard {
            reason: NotMyNumberCardReason::NoCardInfoApplication
        })
    ));
}

#[test]
fn attributes_match_the_signature_certificate() {
    for seed in [SEED, Persona::SEED_SUBSTITUTE_CHARACTERS] {
        let p = Persona::from_seed(seed);
        let from_card = read_attributes(&p, EmulatorConfig::default());
        let card = Arc::new(EmulatedCard::from_image(
            p.card_image(Profile::MyNumberCard),
            EmulatorConfig::default(),
        ));
        let mut s = JpkiSession::open(card).unwrap();
        s.verify(
            &Pin::signature_password(p.signature_password()).unwrap(),
            LastAttempt::Refuse,
        )
        .unwrap();
        let cert =
            JpkiCertificate::from_der(&s.read_certificate_der(CertificateSlot::Signature).unwrap())
                .unwrap();
        let attrs = cert.signature_attributes().unwrap();
        assert!(attrs.differing_fields(&from_card).is_empty());
        // Another persona differs, and only field names are reported.
        let other = Persona::from_seed(seed + 10);
        let diff = attrs.differing_fields(other.attributes());
        assert!(!diff.is_empty());
    }
}

#[cfg(feature = "my-number")]
#[test]
fn my_number_only_behind_its_feature() {
    let p = persona();
    let card = card();
    let mut s = CardInfoSession::open(card).unwrap();
    assert!(matches!(
        s.read_my_number(),
        Err(Error::PinNotVerified { .. })
    ));
    s.verify(
        &Pin::card_info(p.card_info_pin()).unwrap(),
        LastAttempt::Refuse,
    )
    .unwrap();
    let n = s.read_my_number().unwrap();
    assert_eq!(n.expose(), p.my_number());
    assert!(!format!("{n:?}").contains(p.my_number()));
}
