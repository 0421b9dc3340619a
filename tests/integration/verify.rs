//! The receiving side: every distinct `VerifyError` reason from a real, minimal corruption,
//! and the accepted signatures (RSA through the card, ECDSA P-256 through a software key).

use std::time::{Duration, SystemTime};

use ::cms::cert::CertificateChoices;
use ::cms::content_info::ContentInfo;
use ::cms::signed_data::{CertificateSet, SignedData, SignerInfos};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use mynasign::attributes::{AttributeField, BasicFourAttributes};
use mynasign::cert::{oid, CertificateKind, JpkiCertificate};
use mynasign::cms::{self as mcms, ess, CardContentSigner, P256KeySigner, RsaKeySigner};
use mynasign::consent::{
    AddressChangeConsent, CertificateSource, Channel, ConsentItem, ConsentItems, ConsentReference,
    ConsentRevocation, Document, DomicileChangeSubmission, FamilyRegisterCertificateId,
    HolderStatus, MynaportalLinkageSubmission, Nonce, Terms, Timestamp,
};
use mynasign::date::Date;
use mynasign::emulator::{CertificateTweaks, EmulatorCa, Persona, SignatureCertificateRequest};
use mynasign::jpki::{CertificateSlot, JpkiSession, LastAttempt, Profile};
use mynasign::pin::Pin;
use mynasign::verify::{
    verify_consent, verify_signed_data, TrustStore, VerifyError, VerifyOptions,
};
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

use crate::common::*;

// --- documents -------------------------------------------------------------------------------

/// Documents for the tests, one builder per type.
pub mod docs {
    use super::*;

    pub fn timestamp() -> Timestamp {
        Timestamp::parse("2026-11-22T01:02:03Z").unwrap()
    }

    pub fn consent(channel: Channel) -> AddressChangeConsent {
        AddressChangeConsent {
            items: ConsentItems::new(&[ConsentItem::Address, ConsentItem::Name]).unwrap(),
            holder_status: HolderStatus::MyNumberLicenceOnly,
            terms: Terms::from_text(
                "npa-address-change-one-stop",
                "2025-03-24",
                "住所変更ワンストップサービス等利用規約".as_bytes(),
            )
            .unwrap(),
            channel,
            nonce: Nonce::new("tx-consent-0001").unwrap(),
            timestamp: timestamp(),
        }
    }

    pub fn revocation(channel: Channel) -> ConsentRevocation {
        ConsentRevocation {
            consent: ConsentReference::of(&consent(Channel::Mynaportal)),
            channel,
            nonce: Nonce::new("tx-revocation-0001").unwrap(),
            timestamp: timestamp(),
        }
    }

    pub fn domicile(first_submission: bool) -> DomicileChangeSubmission {
        DomicileChangeSubmission {
            identifier: FamilyRegisterCertificateId::new("KOSEKI-0123456789ABCDEF").unwrap(),
            first_submission,
            channel: Channel::Mynaportal,
            nonce: Nonce::new("tx-domicile-0001").unwrap(),
            timestamp: timestamp(),
        }
    }

    pub fn linkage(attributes: &BasicFourAttributes) -> MynaportalLinkageSubmission {
        MynaportalLinkageSubmission {
            attributes: attributes.clone(),
            channel: Channel::Mynaportal,
            nonce: Nonce::new("tx-linkage-0001").unwrap(),
            timestamp: timestamp(),
        }
    }
}

// --- helpers ---------------------------------------------------------------------------------

fn emulator() -> VerifyOptions {
    VerifyOptions {
        trust: TrustStore::emulator(),
        ..VerifyOptions::default()
    }
}

fn at(at: SystemTime) -> VerifyOptions {
    VerifyOptions {
        at: Some(at),
        ..emulator()
    }
}

fn with_crl(crl: Vec<u8>) -> VerifyOptions {
    VerifyOptions {
        crls: vec![crl],
        ..emulator()
    }
}

fn options_at(signing_time: SystemTime) -> mcms::SignOptions {
    mcms::SignOptions {
        signing_time,
        ..mcms::SignOptions::default()
    }
}

/// `content` signed with a software RSA key and its certificate.
fn sign_rsa(key: &RsaPrivateKey, cert: &[u8], content: &[u8]) -> Vec<u8> {
    sign_rsa_at(key, cert, content, SystemTime::now())
}

fn sign_rsa_at(key: &RsaPrivateKey, cert: &[u8], content: &[u8], when: SystemTime) -> Vec<u8> {
    let mut signer = RsaKeySigner::new(key.clone(), cert.to_vec());
    mcms::sign(content, &mut signer, &options_at(when)).unwrap()
}

/// `content` signed by the ordinary persona's card key (in software: same key, same cert).
fn persona_signed(content: &[u8]) -> Vec<u8> {
    let p = persona();
    sign_rsa(p.signature_key(), p.signature_certificate_der(), content)
}

fn a_consent() -> Vec<u8> {
    Document::from(docs::consent(Channel::Mynaportal)).encode()
}

/// Decodes the SignedData, lets `f` change it, encodes it again.
fn edit(cms_der: &[u8], f: impl FnOnce(&mut SignedData)) -> Vec<u8> {
    let ci = ContentInfo::from_der(cms_der).unwrap();
    let mut sd: SignedData = ci.content.decode_as().unwrap();
    f(&mut sd);
    ContentInfo {
        content_type: ci.content_type,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// Changes the signed attributes with `f`, then signs them again with `key`: the signature is
/// genuine, only the attribute set differs from what `cms::sign` makes.
fn resign(
    cms_der: &[u8],
    key: &RsaPrivateKey,
    f: impl FnOnce(Vec<Attribute>) -> Vec<Attribute>,
) -> Vec<u8> {
    edit(cms_der, |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        let si = &mut infos[0];
        let attrs: Vec<Attribute> = si.signed_attrs.take().unwrap().into_vec();
        let attrs = SetOfVec::try_from(f(attrs)).unwrap();
        let digest = Sha256::digest(attrs.to_der().unwrap());
        let sig = key
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
            .unwrap();
        si.signed_attrs = Some(attrs);
        si.signature = OctetString::new(sig).unwrap();
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    })
}

fn validity(cert: &JpkiCertificate) -> (SystemTime, SystemTime) {
    let v = &cert.x509().tbs_certificate.validity;
    (v.not_before.to_system_time(), v.not_after.to_system_time())
}

fn serial_u64(cert: &JpkiCertificate) -> u64 {
    cert.serial_bytes()
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// A signature certificate for `key` with the ordinary persona's attributes, issued by the
/// emulator signature root with `serial`, `policy` and `tweaks`.
fn persona_certificate<K: spki::EncodePublicKey + ?Sized>(
    key: &K,
    serial: u64,
    issue_date: Date,
    policy: der::asn1::ObjectIdentifier,
    tweaks: &CertificateTweaks,
) -> Vec<u8> {
    let p = persona();
    let attrs = p.signature_attributes();
    EmulatorCa::shared()
        .issue_signature_certificate_tweaked(
            &SignatureCertificateRequest {
                serial,
                subject_id: "20260101TESTVERIFY0001",
                prefecture: p.prefecture_romanised(),
                municipality: p.municipality_romanised(),
                attributes: &attrs,
                public_key: key,
                issue_date,
                policy,
            },
            tweaks,
        )
        .unwrap()
}

/// The error, after checking that neither its message nor its `Debug` carries the holder's
/// name or address (or a part of them).
fn private(e: VerifyError) -> VerifyError {
    for p in [persona(), Persona::from_seed(2)] {
        let a = p.attributes();
        let mut secrets: Vec<&str> = a.name.split('\u{3000}').collect();
        secrets.push(&a.name);
        secrets.push(&a.address);
        for shown in [e.to_string(), format!("{e:?}")] {
            for s in &secrets {
                assert!(!shown.contains(s), "personal data in {shown:?}");
            }
        }
    }
    e
}

fn fails(cms_der: &[u8], options: &VerifyOptions) -> VerifyError {
    private(verify_consent(cms_der, options).unwrap_err())
}

// --- accepted signatures ---------------------------------------------------------------------

#[test]
fn card_rsa_sha256_consent_verifies_typed() {
    let p = persona();
    let card = card();
    let mut session: JpkiSession = open(&card);
    let pin = Pin::signature_password(p.signature_password()).unwrap();
    session.verify(&pin, LastAttempt::Refuse).unwrap();
    let cert_der = session
        .read_certificate_der(CertificateSlot::Signature)
        .unwrap();
    let doc = Document::from(docs::consent(Channel::LicenceCentreKiosk));
    let signed = {
        let mut signer = CardContentSigner::new(&mut session, cert_der.clone());
        mcms::sign(&doc.encode(), &mut signer, &mcms::SignOptions::default()).unwrap()
    };
    let v = verify_consent(&signed, &emulator()).unwrap();
    assert_eq!(v.document, doc);
    assert_eq!(v.source, CertificateSource::Card);
    assert_eq!(v.certificate_kind(), CertificateKind::Signature);
    assert_eq!(v.signer_attributes(), Some(p.attributes()));
    let cert = JpkiCertificate::from_der(&cert_der).unwrap();
    assert_eq!(v.issuance_number(), cert.issuance_number());
    assert!(!v.issuance_number().is_empty());
    assert_eq!(v.signature.certificate.der(), cert_der.as_slice());
    assert_eq!(
        v.signature.root.der(),
        EmulatorCa::shared().signature_ca_der()
    );
    assert_eq!(v.signature.content, doc.encode());
    // sha256WithRSAEncryption over SHA-256 digests.
    let ci = ContentInfo::from_der(&signed).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    let si = sd.signer_infos.0.iter().next().unwrap();
    assert_eq!(si.signature_algorithm.oid, mcms::oid::SHA256_WITH_RSA);
    assert_eq!(si.digest_alg.oid, mcms::oid::SHA256);
    // The evaluation time defaults to the signing time (whole seconds).
    assert_eq!(v.signature.evaluated_at, v.signature.signing_time);
}

#[test]
fn ecdsa_p256_smartphone_certificate_verifies() {
    let key = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
    let public = p256::PublicKey::from(key.verifying_key());
    let issue = Date::new(2025, 6, 1).unwrap();
    for (policy, source) in [
        (
            oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER,
            CertificateSource::Smartphone,
        ),
        (oid::CARD_SIGNATURE_POLICY, CertificateSource::Card),
    ] {
        let cert = persona_certificate(&public, 0x7E57_0001, issue, policy, &Default::default());
        let doc = Document::from(docs::consent(Channel::Mynaportal));
        let mut signer = P256KeySigner::new(key.clone(), cert.clone());
        let signed = mcms::sign(&doc.encode(), &mut signer, &Default::default()).unwrap();
        let ci = ContentInfo::from_der(&signed).unwrap();
        let sd: SignedData = ci.content.decode_as().unwrap();
        assert_eq!(
            sd.signer_infos
                .0
                .iter()
                .next()
                .unwrap()
                .signature_algorithm
                .oid,
            mcms::oid::ECDSA_WITH_SHA256
        );
        let v = verify_consent(&signed, &emulator()).unwrap();
        assert_eq!(v.document, doc);
        assert_eq!(v.source, source);
        assert_eq!(v.signer_attributes(), Some(persona().attributes()));
        assert_eq!(v.signature.certificate.der(), cert.as_slice());
        // A flipped ECDSA signature byte does not verify.
        let mut bad = signed.clone();
        let n = bad.len();
        bad[n - 5] ^= 0x01;
        assert!(matches!(
            verify_consent(&bad, &emulator()),
            Err(VerifyError::SignatureMismatch | VerifyError::Malformed(_))
        ));
    }
}

// --- each VerifyError ------------------------------------------------------------------------

#[test]
fn malformed() {
    let good = persona_signed(&a_consent());
    verify_consent(&good, &emulator()).unwrap();
    for garbage in [
        &b""[..],
        b"\x00",
        b"not a signature",
        &[0x30, 0x82, 0xFF, 0xFF],
    ] {
        assert!(matches!(
            fails(garbage, &emulator()),
            VerifyError::Malformed(_)
        ));
    }
    // Every truncation.
    for len in 0..good.len() {
        assert!(
            matches!(fails(&good[..len], &emulator()), VerifyError::Malformed(_)),
            "truncated to {len}"
        );
    }
    // Trailing garbage.
    let mut long = good.clone();
    long.push(0);
    assert!(matches!(
        fails(&long, &emulator()),
        VerifyError::Malformed(_)
    ));
    // Two signers (the second a copy with another signature value).
    let two = edit(&good, |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        let mut second = infos[0].clone();
        let mut sig = second.signature.as_bytes().to_vec();
        sig[0] ^= 1;
        second.signature = OctetString::new(sig).unwrap();
        infos.push(second);
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    match fails(&two, &emulator()) {
        VerifyError::Malformed(m) => assert!(m.contains("one signer"), "{m}"),
        other => panic!("{other:?}"),
    }
    // No signer at all; detached content; the signer's certificate left out.
    let none = edit(&good, |sd| sd.signer_infos = SignerInfos(SetOfVec::new()));
    assert!(matches!(
        fails(&none, &emulator()),
        VerifyError::Malformed(_)
    ));
    let detached = edit(&good, |sd| sd.encap_content_info.econtent = None);
    assert!(matches!(
        fails(&detached, &emulator()),
        VerifyError::Malformed(_)
    ));
    let no_cert = edit(&good, |sd| sd.certificates = None);
    assert!(matches!(
        fails(&no_cert, &emulator()),
        VerifyError::Malformed(_)
    ));
}

#[test]
fn digest_mismatch() {
    let content = a_consent();
    let good = persona_signed(&content);
    let at = good
        .windows(content.len())
        .position(|w| w == content.as_slice())
        .unwrap();
    // One byte of the nonce, inside the encapsulated content; nothing else changes.
    let nonce = content
        .windows(b"tx-consent-0001".len())
        .position(|w| w == b"tx-consent-0001")
        .unwrap();
    let mut bad = good.clone();
    bad[at + nonce + 3] = b'X';
    assert_eq!(fails(&bad, &emulator()), VerifyError::DigestMismatch);
}

#[test]
fn signature_mismatch() {
    let good = persona_signed(&a_consent());
    // The SignerInfo is last and has no unsigned attributes: the last byte is the signature's.
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    assert_eq!(fails(&bad, &emulator()), VerifyError::SignatureMismatch);
    // A signature by another persona's key, with this persona's certificate.
    let other = Persona::from_seed(2);
    let forged = sign_rsa(
        other.signature_key(),
        persona().signature_certificate_der(),
        &a_consent(),
    );
    assert_eq!(fails(&forged, &emulator()), VerifyError::SignatureMismatch);
}

#[test]
fn certificate_not_bound() {
    let p = persona();
    let key = p.signature_key();
    let good = persona_signed(&a_consent());

    // 1. The ESS attribute names persona B's certificate; the attributes are genuinely
    //    signed with A's key, and A's certificate is the one that verifies.
    let b = Persona::from_seed(2);
    let b_cert = b.signature_certificate();
    let names_b = resign(&good, key, |attrs| {
        attrs
            .into_iter()
            .map(|mut a| {
                if a.oid == ess::ID_AA_SIGNING_CERTIFICATE_V2 {
                    let v = ess::SigningCertificateV2 {
                        certs: vec![ess::EssCertIdV2 {
                            hash_algorithm: None,
                            cert_hash: OctetString::new(Sha256::digest(b_cert.der()).to_vec())
                                .unwrap(),
                            issuer_serial: Some(ess::IssuerSerial {
                                issuer: vec![GeneralName::DirectoryName(
                                    b_cert.x509().tbs_certificate.issuer.clone(),
                                )],
                                serial_number: b_cert.x509().tbs_certificate.serial_number.clone(),
                            }),
                        }],
                        policies: None,
                    };
                    a.values = SetOfVec::try_from(vec![Any::encode_from(&v).unwrap()]).unwrap();
                }
                a
            })
            .collect()
    });
    assert_eq!(
        fails(&names_b, &emulator()),
        VerifyError::CertificateNotBound
    );

    // 2. No ESS attribute at all (a plain CMS signature, not CAdES-BES).
    let without = resign(&good, key, |attrs| {
        attrs
            .into_iter()
            .filter(|a| a.oid != ess::ID_AA_SIGNING_CERTIFICATE_V2)
            .collect()
    });
    assert_eq!(
        fails(&without, &emulator()),
        VerifyError::CertificateNotBound
    );

    // 3. Certificate substitution: another certificate with the same issuer, serial and key
    //    (so the SignerIdentifier finds it and the signature verifies), other bytes.
    let mine = p.signature_certificate();
    let twin = persona_certificate(
        &p.signature_key().to_public_key(),
        serial_u64(&mine),
        p.issue_date(),
        oid::CARD_SIGNATURE_POLICY,
        &Default::default(),
    );
    assert_ne!(twin, mine.der());
    let twin_cert = x509_cert::Certificate::from_der(&twin).unwrap();
    let swapped = edit(&good, |sd| {
        let set = SetOfVec::try_from(vec![CertificateChoices::Certificate(twin_cert)]).unwrap();
        sd.certificates = Some(CertificateSet(set));
    });
    assert_eq!(
        fails(&swapped, &emulator()),
        VerifyError::CertificateNotBound
    );
}

#[test]
fn untrusted_chain() {
    let good = persona_signed(&a_consent());
    for trust in [TrustStore::production(), TrustStore::jpki_test()] {
        let options = VerifyOptions {
            trust,
            ..VerifyOptions::default()
        };
        assert_eq!(fails(&good, &options), VerifyError::UntrustedChain);
    }
    // The default is production.
    assert_eq!(
        fails(&good, &VerifyOptions::default()),
        VerifyError::UntrustedChain
    );
    // A root of the wrong family (the authentication root only) does not issue it either.
    let auth_only = VerifyOptions {
        trust: TrustStore::custom(vec![EmulatorCa::shared().authentication_ca_der().to_vec()])
            .unwrap(),
        ..VerifyOptions::default()
    };
    assert_eq!(fails(&good, &auth_only), VerifyError::UntrustedChain);
}

#[test]
fn not_valid_at_time() {
    let p = persona();
    let good = persona_signed(&a_consent());
    let (from, to) = validity(&p.signature_certificate());
    let second = Duration::from_secs(1);
    assert_eq!(
        fails(&good, &at(from - second)),
        VerifyError::NotValidAtTime
    );
    assert_eq!(fails(&good, &at(to + second)), VerifyError::NotValidAtTime);
    verify_consent(&good, &at(from)).unwrap();
    verify_consent(&good, &at(to)).unwrap();

    // A certificate that expired before now: the consent signed while it was valid still
    // verifies when judged at its signing time (the default), not when judged now.
    let issue = Date::new(2024, 4, 1).unwrap();
    let cert = persona_certificate(
        &p.signature_key().to_public_key(),
        0x7E57_0002,
        issue,
        oid::CARD_SIGNATURE_POLICY,
        &CertificateTweaks {
            last_day: Some(Date::new(2025, 3, 31).unwrap()),
            ..Default::default()
        },
    );
    let (from, to) = validity(&JpkiCertificate::from_der(&cert).unwrap());
    assert!(to < SystemTime::now());
    let signing_time = from + Duration::from_secs(90 * 86_400);
    let old = sign_rsa_at(p.signature_key(), &cert, &a_consent(), signing_time);
    let v = verify_consent(&old, &emulator()).unwrap();
    assert_eq!(v.signature.evaluated_at, signing_time);
    assert_eq!(
        fails(&old, &at(SystemTime::now())),
        VerifyError::NotValidAtTime
    );
    // Signed after expiry: refused at its own signing time.
    let late = sign_rsa_at(p.signature_key(), &cert, &a_consent(), to + second);
    assert_eq!(fails(&late, &emulator()), VerifyError::NotValidAtTime);
}

#[test]
fn revocation() {
    let ca = EmulatorCa::shared();
    let p = persona();
    let cert = p.signature_certificate();
    let serial = cert.serial_bytes();
    let day = Duration::from_secs(86_400);
    let signing_time = SystemTime::now() - 10 * day;
    let signed = sign_rsa_at(
        p.signature_key(),
        p.signature_certificate_der(),
        &a_consent(),
        signing_time,
    );
    let now = SystemTime::now();

    // Revoked before the signing time: refused.
    let crl = ca.issue_crl(&[(serial, signing_time - day)], now).unwrap();
    assert_eq!(fails(&signed, &with_crl(crl)), VerifyError::Revoked);
    // Revoked after the signing time: the consent outlives the later revocation...
    let later = ca.issue_crl(&[(serial, signing_time + day)], now).unwrap();
    let v = verify_consent(&signed, &with_crl(later.clone())).unwrap();
    assert!(v.signature.evaluated_at <= signing_time);
    // ...but not when judged now.
    let options = VerifyOptions {
        at: Some(now),
        ..with_crl(later)
    };
    assert_eq!(fails(&signed, &options), VerifyError::Revoked);
    // Another serial revoked, or an empty CRL: fine.
    let others = ca
        .issue_crl(&[(&[0x01, 0x02, 0x03], signing_time - day)], now)
        .unwrap();
    verify_consent(&signed, &with_crl(others)).unwrap();
    verify_consent(&signed, &with_crl(ca.issue_crl(&[], now).unwrap())).unwrap();
    // Without a CRL nothing is checked.
    verify_consent(&signed, &emulator()).unwrap();
}

#[test]
fn bad_crl() {
    let ca = EmulatorCa::shared();
    let p = persona();
    let signed = persona_signed(&a_consent());
    let now = SystemTime::now();
    let serial = p.signature_certificate().serial_bytes().to_vec();
    let past = now - Duration::from_secs(86_400 * 400);
    // Signed by another key, in the root's name: refused even though it lists the serial.
    let forged = ca
        .issue_crl_signed_with(
            &[(&serial, past)],
            now,
            Persona::from_seed(2).signature_key(),
        )
        .unwrap();
    assert!(matches!(
        fails(&signed, &with_crl(forged)),
        VerifyError::BadCrl(_)
    ));
    // A flipped signature bit.
    let mut flipped = ca.issue_crl(&[], now).unwrap();
    *flipped.last_mut().unwrap() ^= 0x01;
    assert!(matches!(
        fails(&signed, &with_crl(flipped)),
        VerifyError::BadCrl(_)
    ));
    // Not a CRL.
    assert!(matches!(
        fails(&signed, &with_crl(b"garbage".to_vec())),
        VerifyError::BadCrl(_)
    ));
    // A CRL whose issuer is not the certificate's (it names a root that issued nothing here).
    let mut renamed = ca.issue_crl(&[], now).unwrap();
    let ou = mynasign::emulator::EMULATOR_SIGNATURE_OU.as_bytes();
    let pos = renamed.windows(ou.len()).position(|w| w == ou).unwrap();
    renamed[pos] ^= 0x20;
    match fails(&signed, &with_crl(renamed)) {
        VerifyError::BadCrl(m) => assert!(m.contains("another CA"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_key_usage() {
    let p = persona();
    // Signed with the authentication key and certificate: the signature, chain and policy are
    // fine, but it is not a signature certificate.
    let signed = sign_rsa(
        p.authentication_key(),
        p.authentication_certificate_der(),
        &a_consent(),
    );
    let sd = verify_signed_data(&signed, &emulator()).unwrap();
    assert_eq!(sd.certificate.kind(), CertificateKind::Authentication);
    assert_eq!(fails(&signed, &emulator()), VerifyError::WrongKeyUsage);

    // A signature certificate without nonRepudiation.
    let cert = persona_certificate(
        &p.signature_key().to_public_key(),
        0x7E57_0003,
        p.issue_date(),
        oid::CARD_SIGNATURE_POLICY,
        &CertificateTweaks {
            key_usage: Some(KeyUsage(KeyUsages::DigitalSignature.into())),
            ..Default::default()
        },
    );
    let signed = sign_rsa(p.signature_key(), &cert, &a_consent());
    assert_eq!(
        private(verify_signed_data(&signed, &emulator()).unwrap_err()),
        VerifyError::WrongKeyUsage
    );
    assert_eq!(fails(&signed, &emulator()), VerifyError::WrongKeyUsage);
}

#[test]
fn wrong_policy() {
    let p = persona();
    for policy in [
        "1.2.3.4.5",
        "1.2.392.200149.8.5.2.1",
        "1.2.392.200149.8.5.1",
    ] {
        let cert = persona_certificate(
            &p.signature_key().to_public_key(),
            0x7E57_0004,
            p.issue_date(),
            der::asn1::ObjectIdentifier::new_unwrap(policy),
            &Default::default(),
        );
        let signed = sign_rsa(p.signature_key(), &cert, &a_consent());
        assert_eq!(
            fails(&signed, &emulator()),
            VerifyError::WrongPolicy,
            "{policy}"
        );
    }
}

#[test]
fn channel_rule() {
    let p = persona();
    // sign_consent_on_card refuses to make this; cms::sign with the Android image's key does.
    let image = p.card_image(Profile::AndroidSmartphone);
    let cert = image.signature_certificate.clone().unwrap();
    assert_eq!(
        mynasign::verify::certificate_source(&JpkiCertificate::from_der(&cert).unwrap()),
        CertificateSource::Smartphone
    );
    for doc in [
        Document::from(docs::consent(Channel::LicenceCentreKiosk)),
        Document::from(docs::revocation(Channel::LicenceCentreKiosk)),
        Document::from(docs::domicile(true)),
    ] {
        let signed = sign_rsa(&image.signature_key, &cert, &doc.encode());
        match fails(&signed, &emulator()) {
            VerifyError::ChannelRule(m) => assert!(m.contains("smartphone"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
    // The same smartphone certificate through Mynaportal is fine.
    let ok = sign_rsa(&image.signature_key, &cert, &a_consent());
    assert_eq!(
        verify_consent(&ok, &emulator()).unwrap().source,
        CertificateSource::Smartphone
    );
    // A linkage through the kiosk is not accepted with any certificate.
    let mut kiosk_linkage = docs::linkage(p.attributes());
    kiosk_linkage.channel = Channel::LicenceCentreKiosk;
    let signed = persona_signed(&Document::from(kiosk_linkage).encode());
    assert!(matches!(
        fails(&signed, &emulator()),
        VerifyError::ChannelRule(_)
    ));
}

#[test]
fn unknown_document_version() {
    let canonical = a_consent();
    let text = String::from_utf8(canonical).unwrap();
    assert!(text.contains(r#""version":1"#));
    let v2 = text.replace(r#""version":1"#, r#""version":2"#);
    let signed = persona_signed(v2.as_bytes());
    assert_eq!(
        fails(&signed, &emulator()),
        VerifyError::UnknownDocumentVersion
    );
    // The CMS itself is fine.
    verify_signed_data(&signed, &emulator()).unwrap();
}

#[test]
fn invalid_document() {
    let text = String::from_utf8(a_consent()).unwrap();
    for content in [
        b"not json".to_vec(),
        b"{}".to_vec(),
        // Not canonical: a space after the first colon.
        text.replacen(':', ": ", 1).into_bytes(),
        // An unknown type.
        text.replace("address_change_consent", "something_else")
            .into_bytes(),
    ] {
        let signed = persona_signed(&content);
        assert!(matches!(
            fails(&signed, &emulator()),
            VerifyError::InvalidDocument(_)
        ));
    }
}

#[test]
fn attributes_mismatch() {
    let p = persona();
    let other = Persona::from_seed(2);
    // Own attributes: fine.
    let own = persona_signed(&Document::from(docs::linkage(p.attributes())).encode());
    let v = verify_consent(&own, &emulator()).unwrap();
    assert!(matches!(
        v.document,
        Document::MynaportalLinkageSubmission(_)
    ));
    // Another persona's attributes, signed with this persona's certificate.
    let doc = Document::from(docs::linkage(other.attributes()));
    let signed = persona_signed(&doc.encode());
    match fails(&signed, &emulator()) {
        VerifyError::AttributesMismatch(m) => {
            let differing = p.attributes().differing_fields(other.attributes());
            assert!(!differing.is_empty());
            for f in differing {
                assert!(m.contains(f.as_str()), "{m}");
            }
        }
        other => panic!("{other:?}"),
    }
    // One field differs: only it is named.
    let mut moved = p.attributes().clone();
    moved.address.push('１');
    let signed = persona_signed(&Document::from(docs::linkage(&moved)).encode());
    match fails(&signed, &emulator()) {
        VerifyError::AttributesMismatch(m) => {
            assert!(m.contains(AttributeField::Address.as_str()), "{m}");
            assert!(!m.contains(AttributeField::Name.as_str()), "{m}");
            assert!(!m.contains(&moved.address));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_carry_no_personal_data() {
    // Every failure above goes through `private`; the string-carrying variants once more, with
    // the data most likely to leak: the linkage document holds the other persona's name and
    // address, the certificate this persona's.
    let signed =
        persona_signed(&Document::from(docs::linkage(Persona::from_seed(2).attributes())).encode());
    let e = private(verify_consent(&signed, &emulator()).unwrap_err());
    assert!(matches!(e, VerifyError::AttributesMismatch(_)));
    let mut kiosk = docs::linkage(persona().attributes());
    kiosk.channel = Channel::LicenceCentreKiosk;
    let signed = persona_signed(&Document::from(kiosk).encode());
    private(verify_consent(&signed, &emulator()).unwrap_err());
}
