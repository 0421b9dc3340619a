//! The authentic read of the basic four (issue 27): the evidence from the emulated card, each
//! refusal, and the exchange counts.

use std::sync::Arc;

use mynasign::card::{ExchangeStats, SessionOptions};
use mynasign::card_info::CardInfoSession;
use mynasign::emulator::{cvc_trust, CardInfoIntegrity, EmulatedCard, EmulatorConfig, Persona};
use mynasign::evidence::{AuthenticityError, CardInfoEvidence, CvcTrust, Hierarchy, PresenceProof};
use mynasign::jpki::{LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::Error;

use crate::common::*;

const CHALLENGE: [u8; 32] = [0x5A; 32];

fn session(
    persona: &Persona,
    integrity: CardInfoIntegrity,
    config: EmulatorConfig,
) -> CardInfoSession {
    let mut image = persona.card_image(Profile::MyNumberCard);
    if let Some(info) = image.card_info.as_mut() {
        info.integrity = integrity;
    }
    let card = Arc::new(EmulatedCard::from_image(image, config));
    let mut s = CardInfoSession::open(card).unwrap();
    let pin = Pin::card_info(persona.card_info_pin()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
    s
}

fn evidence(challenge: Option<&[u8]>) -> CardInfoEvidence {
    session(
        &persona(),
        CardInfoIntegrity::Genuine,
        EmulatorConfig::default(),
    )
    .read_evidence(challenge)
    .unwrap()
}

fn refusal(e: &CardInfoEvidence, trust: &CvcTrust, challenge: Option<&[u8]>) -> AuthenticityError {
    e.verify(trust, challenge).unwrap_err()
}

#[test]
fn authentic_attributes_and_card_presence_from_the_emulated_card() {
    let p = persona();
    let mut s = session(&p, CardInfoIntegrity::Genuine, EmulatorConfig::default());
    let (evidence, verified) = s.read_authentic(&cvc_trust(), Some(&CHALLENGE)).unwrap();
    assert_eq!(verified.attributes(), p.attributes());
    assert!(verified.card_present());
    assert_eq!(verified.hierarchy(), Hierarchy::Custom);
    assert_eq!(verified.issuer_key_id().to_string(), "9000033/001");
    // The linkage check on them: the signature certificate holds the same four.
    assert!(verified
        .linkage_differences(&p.signature_attributes().attributes)
        .is_empty());
    let mut other = p.attributes().clone();
    other.sex = mynasign::attributes::Sex::Unknown;
    assert_eq!(
        verified.linkage_differences(&other),
        vec![mynasign::attributes::AttributeField::Sex]
    );
    // The receiver verifies the object again after it travelled as JSON.
    let json = evidence.to_json();
    let back = CardInfoEvidence::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, evidence);
    let again = back.verify(&cvc_trust(), Some(&CHALLENGE)).unwrap();
    assert_eq!(again.attributes(), p.attributes());
    // Without a challenge: authentic, presence not proven.
    let plain = evidence.verify(&cvc_trust(), None).unwrap();
    assert!(!plain.card_present());
    // Printing shows nothing personal.
    for printed in [format!("{evidence:?}"), format!("{verified:?}")] {
        for value in [&p.attributes().name, &p.attributes().address] {
            assert!(!printed.contains(value.as_str()), "{printed}");
        }
        assert!(
            !printed.contains(&p.attributes().date_of_birth.to_compact()),
            "{printed}"
        );
    }
}

#[test]
fn one_changed_byte_anywhere_is_refused() {
    let e = evidence(Some(&CHALLENGE));
    let trust = cvc_trust();
    let changed = |which: usize, at: usize| {
        let mut files = [
            e.basic_four().to_vec(),
            e.integrity_record().to_vec(),
            e.ap_certificate().to_vec(),
        ];
        files[which][at] ^= 0x01;
        CardInfoEvidence::new(&files[0], &files[1], &files[2], e.presence().cloned())
    };
    // The basic four: the name's first byte, the sex code (the last byte).
    let last = e.basic_four().len() - 1;
    for at in [17, last] {
        assert_eq!(
            refusal(&changed(0, at), &trust, None),
            AuthenticityError::AttributesDigest
        );
    }
    // The record: a digest byte, a signature byte.
    for at in [10, 300] {
        assert_eq!(
            refusal(&changed(1, at), &trust, None),
            AuthenticityError::RecordSignature
        );
    }
    // The certificate: the certified key, the signature.
    for at in [200, 500] {
        assert_eq!(
            refusal(&changed(2, at), &trust, None),
            AuthenticityError::CertificateSignature
        );
    }
    // The signed application key and the answer.
    let presence_changed = |change: fn(&mut PresenceProof)| {
        let mut p = e.presence().cloned().unwrap();
        change(&mut p);
        CardInfoEvidence::new(
            e.basic_four(),
            e.integrity_record(),
            e.ap_certificate(),
            Some(p),
        )
    };
    assert_eq!(
        refusal(
            &presence_changed(|p| p.signed_ap_key[100] ^= 0x01),
            &trust,
            Some(&CHALLENGE)
        ),
        AuthenticityError::ApKeySignature
    );
    assert_eq!(
        refusal(
            &presence_changed(|p| p.answer[7] ^= 0x01),
            &trust,
            Some(&CHALLENGE)
        ),
        AuthenticityError::PresenceSignature
    );
}

#[test]
fn hierarchies_are_never_mixed() {
    let e = evidence(None);
    for trust in [CvcTrust::production(), CvcTrust::test()] {
        assert_eq!(
            refusal(&e, &trust, None),
            AuthenticityError::UnknownAuthority {
                key_id: "9000033/001".into()
            }
        );
    }
}

#[test]
fn a_replayed_presence_answer_is_refused() {
    let old = evidence(Some(&CHALLENGE));
    let fresh = [0xA5u8; 32];
    // Sent again for a new challenge: it answers the old one.
    assert_eq!(
        refusal(&old, &cvc_trust(), Some(&fresh)),
        AuthenticityError::ChallengeMismatch
    );
    // The old answer carried under the new challenge: the signature does not cover it.
    let mut p = old.presence().cloned().unwrap();
    p.challenge = fresh.to_vec();
    let spliced = CardInfoEvidence::new(
        old.basic_four(),
        old.integrity_record(),
        old.ap_certificate(),
        Some(p),
    );
    assert_eq!(
        refusal(&spliced, &cvc_trust(), Some(&fresh)),
        AuthenticityError::PresenceSignature
    );
    // Asked for, and not there.
    assert_eq!(
        refusal(&evidence(None), &cvc_trust(), Some(&fresh)),
        AuthenticityError::PresenceMissing
    );
    // Too short a challenge is refused before anything is sent.
    let mut s = session(
        &persona(),
        CardInfoIntegrity::Genuine,
        EmulatorConfig::default(),
    );
    assert!(matches!(
        s.read_evidence(Some(&[1u8; 8])),
        Err(Error::Authenticity(AuthenticityError::ChallengeLength))
    ));
}

#[test]
fn the_emulators_persona_options_fail_end_to_end() {
    let p = persona();
    let read = |integrity| {
        session(&p, integrity, EmulatorConfig::default())
            .read_authentic(&cvc_trust(), Some(&CHALLENGE))
            .map(|_| ())
    };
    assert!(matches!(
        read(CardInfoIntegrity::TamperedRecord),
        Err(Error::Authenticity(AuthenticityError::RecordSignature))
    ));
    assert!(matches!(
        read(CardInfoIntegrity::CertificateFromWrongCa),
        Err(Error::Authenticity(AuthenticityError::CertificateSignature))
    ));
    assert!(matches!(
        read(CardInfoIntegrity::MissingRecord),
        Err(Error::FileNotFound { ef: 0x0003 })
    ));
}

#[test]
fn the_record_needs_the_card_info_pin() {
    let card = Arc::new(EmulatedCard::from_image(
        persona().card_image(Profile::MyNumberCard),
        EmulatorConfig::default(),
    ));
    let mut s = CardInfoSession::open(card).unwrap();
    assert!(matches!(
        s.read_evidence(None),
        Err(Error::PinNotVerified {
            pin: PinKind::CardInfoPin
        })
    ));
}

fn count(
    config: EmulatorConfig,
    options: SessionOptions,
    challenge: Option<&[u8]>,
) -> ExchangeStats {
    let p = Persona::from_seed(Persona::SEED_SUBSTITUTE_CHARACTERS);
    let mut image = p.card_image(Profile::MyNumberCard);
    image.card_info.as_mut().unwrap().integrity = CardInfoIntegrity::Genuine;
    let card = Arc::new(EmulatedCard::from_image(image, config));
    let mut s = CardInfoSession::open_with(card, options).unwrap();
    s.verify(
        &Pin::card_info(p.card_info_pin()).unwrap(),
        LastAttempt::Refuse,
    )
    .unwrap();
    let (_, verified) = s.read_authentic(&cvc_trust(), challenge).unwrap();
    assert_eq!(verified.attributes(), p.attributes());
    s.stats()
}

/// The authentic read, from SELECT to the presence answer, for the persona with the longest
/// record (over 255 bytes): 8 exchanges with extended length and the short-EF-id reads
/// (SELECT, PIN status, VERIFY, EF 0002, 0003, 0004, 0007, the signature), 6 without a
/// challenge; 19 with short APDUs and no shortcuts (a SELECT EF per file; 2, 2, 3 and 3
/// reads of 256 bytes for EF 0002, 0003, 0004 and 0007).
#[test]
fn exchange_counts_of_the_authentic_read() {
    let fast = count(
        EmulatorConfig::default(),
        SessionOptions::default(),
        Some(&CHALLENGE),
    );
    assert_eq!(fast.exchanges, 8, "{fast:?}");
    let fast = count(EmulatorConfig::default(), SessionOptions::default(), None);
    assert_eq!(fast.exchanges, 6, "{fast:?}");
    let plain = count(
        EmulatorConfig::plain(),
        SessionOptions {
            extended_length: false,
            short_ef_shortcuts: false,
            ..SessionOptions::default()
        },
        Some(&CHALLENGE),
    );
    assert_eq!(plain.exchanges, 19, "{plain:?}");
}

/// With the `my-number` feature: the My Number read with its integrity record, DF31 checked
/// against EF 0001 as stored; a record over another file is refused.
#[cfg(feature = "my-number")]
#[test]
fn the_my_number_with_its_integrity_record() {
    use mynasign::evidence::{CardVerifiableCertificate, IntegrityRecord};
    let p = persona();
    let mut s = session(&p, CardInfoIntegrity::Genuine, EmulatorConfig::default());
    let n = s.read_authentic_my_number(&cvc_trust()).unwrap();
    assert_eq!(n.expose(), p.my_number());
    assert!(matches!(
        session(&p, CardInfoIntegrity::Genuine, EmulatorConfig::default())
            .read_authentic_my_number(&CvcTrust::production()),
        Err(Error::Authenticity(
            AuthenticityError::UnknownAuthority { .. }
        ))
    ));
    let e = evidence(None);
    let cert = CardVerifiableCertificate::parse(e.ap_certificate()).unwrap();
    let record = IntegrityRecord::parse(e.integrity_record()).unwrap();
    record.verify_signature(cert.public_key()).unwrap();
    let mut file = [
        &[0xFF, 0x10, 0x0C][..],
        p.my_number().as_bytes(),
        &[0xFF, 0xFF],
    ]
    .concat();
    assert!(record.covers_my_number_file(&file));
    file[16] = 0x00; // the filler is covered too
    assert!(!record.covers_my_number_file(&file));
}

/// The transcript of the authentic read records EF 0002 and EF 0003 (the basic four, and a
/// digest the My Number can be recovered from) by length only.
#[test]
fn the_transcript_never_holds_the_record() {
    let p = persona();
    let card = Arc::new(EmulatedCard::from_image(
        p.card_image(Profile::MyNumberCard),
        EmulatorConfig::default(),
    ));
    let mut s = CardInfoSession::open_with(
        card,
        SessionOptions {
            record_transcript: true,
            ..SessionOptions::default()
        },
    )
    .unwrap();
    s.verify(
        &Pin::card_info(p.card_info_pin()).unwrap(),
        LastAttempt::Refuse,
    )
    .unwrap();
    let e = s.read_evidence(Some(&CHALLENGE)).unwrap();
    let text = s
        .transcript()
        .unwrap()
        .to_string()
        .to_uppercase()
        .replace(' ', "");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    // DF31's digest, and the name's bytes.
    let digest = &e.integrity_record()[8..40];
    assert!(!text.contains(&hex(digest)), "{text}");
    assert!(!text.contains(&hex(p.attributes().name.as_bytes())));
    // The public certificate is recorded as it is (the transcript is not empty of data).
    assert!(text.contains(&hex(&e.ap_certificate()[..40])));
}
