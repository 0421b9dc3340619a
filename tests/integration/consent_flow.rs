//! `flow::sign_consent_on_card` on the emulator, end to end: every document allowed on every
//! profile signs and verifies; the exchange budget; refusals happen before the PIN is touched
//! (channel rule) or before anything is signed (attributes, wrong password).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use ::cms::cert::CertificateChoices;
use ::cms::content_info::ContentInfo;
use ::cms::signed_data::SignedData;
use der::Decode;
use mynasign::attributes::BasicFourAttributes;
use mynasign::card::SessionOptions;
use mynasign::card_info::CardInfoSession;
use mynasign::cms::RsaKeySigner;
use mynasign::consent::{CertificateSource, Channel, ConsentError, Document};
use mynasign::emulator::{EmulatedCard, EmulatorCa, EmulatorConfig, Persona};
use mynasign::flow::{sign_consent_on_card, sign_consent_with, CardSignOptions, SignedConsent};
use mynasign::jpki::{JpkiSession, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::verify::{verify_consent, TrustStore, VerifyOptions};
use mynasign::Error;

use crate::common::*;
use crate::verify::docs;

fn emulator() -> VerifyOptions {
    VerifyOptions {
        trust: TrustStore::emulator(),
        require_revocation: false,
        ..VerifyOptions::default()
    }
}

fn card_for(persona: &Persona, profile: Profile, config: EmulatorConfig) -> Arc<EmulatedCard> {
    Arc::new(EmulatedCard::from_image(
        persona.card_image(profile),
        config,
    ))
}

fn password(persona: &Persona) -> Pin {
    Pin::signature_password(persona.signature_password()).unwrap()
}

fn sign(
    card: &Arc<EmulatedCard>,
    doc: &Document,
    options: &CardSignOptions,
) -> mynasign::Result<SignedConsent> {
    sign_consent_on_card(card.clone(), doc, &password(&persona()), options)
}

/// The documents each profile may sign (the channel rule's table).
fn allowed(profile: Profile) -> Vec<Document> {
    let p = persona();
    let mut all = vec![
        Document::from(docs::consent(Channel::Mynaportal)),
        Document::from(docs::revocation(Channel::Mynaportal)),
        Document::from(docs::domicile(false)),
        Document::from(docs::linkage(p.attributes())),
    ];
    if !profile.is_smartphone() {
        all.push(Document::from(docs::consent(Channel::LicenceCentreKiosk)));
        all.push(Document::from(docs::revocation(
            Channel::LicenceCentreKiosk,
        )));
        all.push(Document::from(docs::domicile(true)));
    }
    all
}

fn short_session() -> CardSignOptions {
    CardSignOptions {
        session: SessionOptions {
            extended_length: false,
            short_ef_shortcuts: false,
            ..SessionOptions::default()
        },
        ..CardSignOptions::default()
    }
}

#[test]
fn every_allowed_document_on_every_profile_signs_and_verifies() {
    let p = persona();
    let mut max_default = 0;
    let mut max_short = 0;
    for profile in Profile::ALL {
        for doc in allowed(profile) {
            for (config, options) in [
                (EmulatorConfig::default(), CardSignOptions::default()),
                (EmulatorConfig::short_only(), short_session()),
            ] {
                let short = !config.transport_extended_length;
                let card = card_for(&p, profile, config);
                let signed = sign(&card, &doc, &options)
                    .unwrap_or_else(|e| panic!("{profile:?} {:?}: {e}", doc.kind()));
                let expected_source = if profile.is_smartphone() {
                    CertificateSource::Smartphone
                } else {
                    CertificateSource::Card
                };
                assert_eq!(signed.source, expected_source);
                assert_eq!(signed.profile, Some(profile));
                assert_eq!(signed.pin_status.map(|s| s.remaining), Some(5));
                let v = verify_consent(&signed.cms, &emulator()).unwrap();
                assert_eq!(v.document, doc);
                assert_eq!(v.source, Some(expected_source));
                assert_eq!(v.signer_attributes(), Some(p.attributes()));
                assert_eq!(v.signature.certificate.der(), signed.certificate.der());
                let n = signed.stats.exchanges;
                if short {
                    assert!(n <= 16, "{profile:?} {:?}: {n} short exchanges", doc.kind());
                    max_short = max_short.max(n);
                } else {
                    assert!(n <= 6, "{profile:?} {:?}: {n} exchanges", doc.kind());
                    max_default = max_default.max(n);
                }
                // The counter is back to full after the successful VERIFY.
                assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
            }
        }
    }
    println!(
        "sign_consent_on_card exchanges: {max_default} (default), {max_short} (short APDUs, no shortcuts)"
    );
}

#[test]
fn exchange_budget() {
    let card = card();
    let doc = Document::from(docs::consent(Channel::Mynaportal));
    let signed = sign(&card, &doc, &CardSignOptions::default()).unwrap();
    let default = signed.stats.exchanges;
    let card = card_with(Profile::MyNumberCard, EmulatorConfig::short_only());
    let signed = sign(&card, &doc, &short_session()).unwrap();
    let short = signed.stats.exchanges;
    println!(
        "exchanges: {default} with EmulatorConfig::default(), {short} short-only without shortcuts"
    );
    assert!(default <= 6, "{default}");
    assert!(short <= 16, "{short}");
    assert!(short > default);
}

#[test]
fn channel_rule_refuses_before_verify() {
    let p = persona();
    // What opening a session costs on this profile, without any VERIFY.
    let baseline = card_for(&p, Profile::AndroidSmartphone, EmulatorConfig::default());
    JpkiSession::open(baseline.clone()).unwrap();
    let opened = baseline.commands_processed();
    assert!(opened > 0);

    for doc in [
        Document::from(docs::consent(Channel::LicenceCentreKiosk)),
        Document::from(docs::revocation(Channel::LicenceCentreKiosk)),
        Document::from(docs::domicile(true)),
    ] {
        let card = card_for(&p, Profile::AndroidSmartphone, EmulatorConfig::default());
        let before = card.pin_attempts_left(PinKind::SignaturePassword);
        let err = sign(&card, &doc, &CardSignOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Consent(ConsentError::ChannelRule {
                    certificate: CertificateSource::Smartphone,
                    ..
                })
            ),
            "{err:?}"
        );
        assert_eq!(
            card.commands_processed(),
            opened,
            "only the session was opened"
        );
        assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), before);
        assert!(!card.is_verified(PinKind::SignaturePassword));
    }
    // Even a wrong password is never tried.
    let card = card_for(&p, Profile::AndroidSmartphone, EmulatorConfig::default());
    let wrong = Pin::signature_password(&wrong_password(&p)).unwrap();
    let doc = Document::from(docs::consent(Channel::LicenceCentreKiosk));
    assert!(matches!(
        sign_consent_on_card(card.clone(), &doc, &wrong, &CardSignOptions::default()),
        Err(Error::Consent(ConsentError::ChannelRule { .. }))
    ));
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
}

fn wrong_password(p: &Persona) -> String {
    ["WRONGPW1", "WRONGPW2"]
        .into_iter()
        .find(|w| *w != p.signature_password())
        .unwrap()
        .to_owned()
}

fn read_attributes(card: &Arc<EmulatedCard>, p: &Persona) -> BasicFourAttributes {
    let mut s = CardInfoSession::open(card.clone()).unwrap();
    s.verify(
        &Pin::card_info(p.card_info_pin()).unwrap(),
        LastAttempt::Refuse,
    )
    .unwrap();
    s.read_attributes().unwrap()
}

#[test]
fn mynaportal_linkage_checks_the_attributes() {
    let p = persona();
    let own_card = card();
    let attrs = read_attributes(&own_card, &p);
    let doc = Document::from(docs::linkage(&attrs));
    let signed = sign(&own_card, &doc, &CardSignOptions::default()).unwrap();
    let v = verify_consent(&signed.cms, &emulator()).unwrap();
    assert_eq!(v.document, doc);

    // Another persona's attributes (read from that persona's card) are refused, naming fields.
    let other = Persona::from_seed(2);
    let other_card = card_for(&other, Profile::MyNumberCard, EmulatorConfig::default());
    let other_attrs = read_attributes(&other_card, &other);
    let doc = Document::from(docs::linkage(&other_attrs));
    let fresh = card();
    let err = sign(&fresh, &doc, &CardSignOptions::default()).unwrap_err();
    match &err {
        Error::Consent(ConsentError::AttributeMismatch { fields }) => {
            assert_eq!(fields, &attrs.differing_fields(&other_attrs));
            assert!(!fields.is_empty());
        }
        other => panic!("{other:?}"),
    }
    for shown in [err.to_string(), format!("{err:?}")] {
        for a in [&attrs, &other_attrs] {
            assert!(
                !shown.contains(&a.name) && !shown.contains(&a.address),
                "{shown}"
            );
            for part in a.name.split('\u{3000}') {
                assert!(!shown.contains(part), "{shown}");
            }
            assert!(!shown.contains(&a.date_of_birth.to_string()), "{shown}");
        }
    }

    // The same check for a signer the app provides.
    let mut signer = RsaKeySigner::new(
        p.signature_key().clone(),
        p.signature_certificate_der().to_vec(),
    );
    assert!(matches!(
        sign_consent_with(
            &mut signer,
            CertificateSource::Card,
            &doc,
            &Default::default()
        ),
        Err(Error::Consent(ConsentError::AttributeMismatch { .. }))
    ));
}

#[test]
fn wrong_password_signs_nothing() {
    let p = persona();
    let card = card();
    let wrong = Pin::signature_password(&wrong_password(&p)).unwrap();
    let doc = Document::from(docs::consent(Channel::Mynaportal));
    let err =
        sign_consent_on_card(card.clone(), &doc, &wrong, &CardSignOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPin {
                pin: PinKind::SignaturePassword,
                remaining: 4
            }
        ),
        "{err:?}"
    );
    assert!(!card.is_verified(PinKind::SignaturePassword));
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 4);
    assert!(!err.to_string().contains(wrong_password(&p).as_str()));
    // The right password afterwards signs, and resets the counter.
    let signed = sign(&card, &doc, &CardSignOptions::default()).unwrap();
    assert_eq!(signed.pin_status.unwrap().remaining, 4);
    assert_eq!(card.pin_attempts_left(PinKind::SignaturePassword), 5);
    // The authentication PIN is not accepted for signing.
    let auth = Pin::authentication(p.authentication_pin()).unwrap();
    let before = card.commands_processed();
    assert!(matches!(
        sign_consent_on_card(card.clone(), &doc, &auth, &CardSignOptions::default()),
        Err(Error::PinNotForApplication { .. })
    ));
    assert_eq!(card.commands_processed(), before);
}

fn certificates_in(cms_der: &[u8]) -> Vec<Vec<u8>> {
    let ci = ContentInfo::from_der(cms_der).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    sd.certificates
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(der::Encode::to_der(c).unwrap()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn include_ca_certificate() {
    let p = persona();
    let doc = Document::from(docs::consent(Channel::Mynaportal));
    let without = sign(&card(), &doc, &CardSignOptions::default()).unwrap();
    assert_eq!(
        certificates_in(&without.cms),
        vec![p.signature_certificate_der().to_vec()]
    );
    let with = sign(
        &card(),
        &doc,
        &CardSignOptions {
            include_ca_certificate: true,
            ..CardSignOptions::default()
        },
    )
    .unwrap();
    let certs = certificates_in(&with.cms);
    assert_eq!(certs.len(), 2);
    assert!(certs.contains(&p.signature_certificate_der().to_vec()));
    assert!(certs.contains(&EmulatorCa::shared().signature_ca_der().to_vec()));
    verify_consent(&with.cms, &emulator()).unwrap();
    println!(
        "include_ca_certificate: {} exchanges (without: {})",
        with.stats.exchanges, without.stats.exchanges
    );
    assert!(with.stats.exchanges > without.stats.exchanges);
}

#[test]
fn same_document_same_content_bytes() {
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
    let mut domicile = docs::domicile(false);
    domicile.timestamp = docs::timestamp_at(when);
    let doc = Document::from(domicile);
    let options = CardSignOptions {
        signing_time: Some(when),
        ..CardSignOptions::default()
    };
    let first = sign(&card(), &doc, &options).unwrap();
    let second = sign(
        &card_with(Profile::MyNumberCard, EmulatorConfig::plain()),
        &doc,
        &short_session(),
    )
    .unwrap();
    // Received when it was signed; the second is signed now over a document stamped `when`,
    // so it is verified with a skew wide enough for both.
    let received = VerifyOptions {
        received_at: Some(when),
        ..emulator()
    };
    let a = verify_consent(&first.cms, &received).unwrap();
    let b = verify_consent(
        &second.cms,
        &VerifyOptions {
            max_skew: Duration::from_secs(u64::MAX / 4),
            ..emulator()
        },
    )
    .unwrap();
    assert_eq!(a.signature.content, doc.encode());
    assert_eq!(a.signature.content, b.signature.content);
    assert_eq!(Document::decode(&a.signature.content).unwrap(), doc);
    // Same document, same signing time, same key: the CMS itself is byte-identical
    // (RSASSA-PKCS1-v1_5 is deterministic and the encoding is DER).
    let again = sign(
        &card_with(Profile::MyNumberCard, EmulatorConfig::plain()),
        &doc,
        &options,
    )
    .unwrap();
    assert_eq!(again.cms, first.cms);
    assert_eq!(a.signature.signing_time, when);
}
