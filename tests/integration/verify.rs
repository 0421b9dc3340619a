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
use mynasign::cms::{self as mcms, ess, P256KeySigner, RsaKeySigner};
use mynasign::consent::{
    AddressChangeConsent, CertificateSource, Channel, ConsentItem, ConsentItems, ConsentReference,
    ConsentRevocation, Document, DomicileChangeSubmission, FamilyRegisterCertificateId,
    HolderStatus, MynaportalLinkageSubmission, Nonce, Terms, Timestamp,
};
use mynasign::date::Date;
use mynasign::emulator::{CertificateTweaks, EmulatorCa, Persona, SignatureCertificateRequest};
use mynasign::flow::CardContentSigner;
use mynasign::jpki::{CertificateSlot, JpkiSession, LastAttempt, Profile};
use mynasign::pin::Pin;
use mynasign::verify::{
    verify_consent, verify_signed_data, ConsentCheck, RevocationStatus, TrustStore, Verifier,
    VerifyError, VerifyOptions, MAX_CMS_SIZE, MAX_CRL_SIZE, MAX_OCSP_RESPONSE_SIZE,
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

    /// Now: a document's timestamp must agree with the signing time (and that with the
    /// receipt time).
    pub fn timestamp() -> Timestamp {
        Timestamp::now()
    }

    /// `t` as a document timestamp.
    pub fn timestamp_at(t: SystemTime) -> Timestamp {
        Timestamp::from_unix_seconds(
            t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64
        )
        .unwrap()
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

/// The emulator roots, revocation not required (the tests of revocation require it).
fn emulator() -> VerifyOptions {
    VerifyOptions {
        trust: TrustStore::emulator(),
        require_revocation: false,
        ..VerifyOptions::default()
    }
}

/// Received at `at`.
fn at(at: SystemTime) -> VerifyOptions {
    VerifyOptions {
        received_at: Some(at),
        ..emulator()
    }
}

/// Strict (revocation required), with `crl`.
fn with_crl(crl: Vec<u8>) -> VerifyOptions {
    VerifyOptions {
        crls: vec![crl],
        require_revocation: true,
        ..emulator()
    }
}

/// The address-change consent with its timestamp at `t`.
fn consent_at(t: SystemTime) -> Vec<u8> {
    let mut c = docs::consent(Channel::Mynaportal);
    c.timestamp = docs::timestamp_at(t);
    Document::from(c).encode()
}

/// The ordinary persona's consent signed at `t` (signing time and document timestamp).
fn signed_at(t: SystemTime) -> Vec<u8> {
    let p = persona();
    sign_rsa_at(
        p.signature_key(),
        p.signature_certificate_der(),
        &consent_at(t),
        t,
    )
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
    assert_eq!(v.source, Some(CertificateSource::Card));
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
    // The evaluation time defaults to the receipt time, now (not the signing time).
    assert!(v.signature.evaluated_at >= v.signature.signing_time);
    assert_eq!(v.signature.revocation, RevocationStatus::NotChecked);
    assert_eq!(
        v.signature.content_description.as_deref(),
        Some(mynasign::consent::MEDIA_TYPE)
    );
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
        assert_eq!(v.source, Some(source));
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
    let (from, to) = validity(&p.signature_certificate());
    let second = Duration::from_secs(1);
    // Signed and received just outside the validity: refused; at its edges: fine.
    for t in [from - second, to + second] {
        assert_eq!(fails(&signed_at(t), &at(t)), VerifyError::NotValidAtTime);
    }
    for t in [from, to] {
        verify_consent(&signed_at(t), &at(t)).unwrap();
    }

    // A certificate that expired before now: the consent received while it was valid still
    // verifies when re-verified with its recorded receipt time, not when judged now.
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
    let received = from + Duration::from_secs(90 * 86_400);
    let old = sign_rsa_at(p.signature_key(), &cert, &consent_at(received), received);
    let v = verify_consent(&old, &at(received)).unwrap();
    assert_eq!(v.signature.evaluated_at, received);
    // Judged now, its signing time is months from the receipt time.
    assert_eq!(fails(&old, &emulator()), VerifyError::SigningTimeSkew);
    // Signed and received after expiry: refused.
    let late = sign_rsa_at(
        p.signature_key(),
        &cert,
        &consent_at(to + second),
        to + second,
    );
    assert_eq!(fails(&late, &at(to + second)), VerifyError::NotValidAtTime);
}

#[test]
fn revocation() {
    let ca = EmulatorCa::shared();
    let p = persona();
    let cert = p.signature_certificate();
    let serial = cert.serial_bytes();
    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();
    let signed = signed_at(now);

    // Revoked before the receipt time: refused.
    let crl = ca
        .issue_crl(&[(serial, now - day)], now - 60 * second())
        .unwrap();
    assert_eq!(fails(&signed, &with_crl(crl)), VerifyError::Revoked);
    // Another serial revoked, or an empty CRL: fine, and the result says which CRL.
    let others = ca
        .issue_crl(&[(&[0x01, 0x02, 0x03], now - day)], now - 60 * second())
        .unwrap();
    let v = verify_consent(&signed, &with_crl(others)).unwrap();
    match v.signature.revocation {
        RevocationStatus::Crl {
            this_update,
            next_update,
            ..
        } => {
            assert!(this_update <= now && now <= next_update);
        }
        other => panic!("{other:?}"),
    }
    verify_consent(&signed, &with_crl(ca.issue_crl(&[], now).unwrap())).unwrap();

    // An archived consent, received 10 days ago, re-verified with the CRL current then: the
    // consent outlives the later revocation...
    let received = now - 10 * day;
    let archived = signed_at(received);
    let then = ca
        .issue_crl(&[(&[0x01], received - day)], received - 60 * second())
        .unwrap();
    let options = VerifyOptions {
        received_at: Some(received),
        ..with_crl(then)
    };
    verify_consent(&archived, &options).unwrap();
    // ...and a revocation dated after the receipt time does not apply to it.
    let later = ca
        .issue_crl(&[(serial, received + 60 * second())], received)
        .unwrap();
    let options = VerifyOptions {
        received_at: Some(received + 30 * second()),
        ..with_crl(later)
    };
    let archived = signed_at(received + 30 * second());
    verify_consent(&archived, &options).unwrap();
}

fn second() -> Duration {
    Duration::from_secs(1)
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
    // Signed with the authentication key and certificate: the signature and its chain are
    // fine, but it is an authentication certificate under its own root: not a document
    // signature, and the refusal says so.
    let signed = sign_rsa(
        p.authentication_key(),
        p.authentication_certificate_der(),
        &a_consent(),
    );
    assert_eq!(
        private(verify_signed_data(&signed, &emulator()).unwrap_err()),
        VerifyError::AuthenticationCertificateForSignature
    );
    assert_eq!(
        fails(&signed, &emulator()),
        VerifyError::AuthenticationCertificateForSignature
    );

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
        Some(CertificateSource::Smartphone)
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
        Some(CertificateSource::Smartphone)
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

// --- issue 10: the forgery classes and the rules of a receiving service ---------------------

/// `cert_der` with its TBS changed by `f`, signed again by the emulator signature root.
fn reissue(cert_der: &[u8], f: impl FnOnce(&mut x509_cert::TbsCertificate)) -> Vec<u8> {
    let mut c = x509_cert::Certificate::from_der(cert_der).unwrap();
    f(&mut c.tbs_certificate);
    let tbs = c.tbs_certificate.to_der().unwrap();
    let sig = EmulatorCa::shared()
        .signature_root_key()
        .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs))
        .unwrap();
    c.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    c.to_der().unwrap()
}

/// An empty CRL of the emulator signature root (thisUpdate `this_update`), changed by `f`
/// and signed again by the root.
fn crl_with(this_update: SystemTime, f: impl FnOnce(&mut x509_cert::crl::TbsCertList)) -> Vec<u8> {
    let ca = EmulatorCa::shared();
    let der = ca.issue_crl(&[], this_update).unwrap();
    let mut crl = x509_cert::crl::CertificateList::from_der(&der).unwrap();
    f(&mut crl.tbs_cert_list);
    let tbs = crl.tbs_cert_list.to_der().unwrap();
    let sig = ca
        .signature_root_key()
        .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs))
        .unwrap();
    crl.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    crl.to_der().unwrap()
}

fn extension(oid: &str, critical: bool, value: &[u8]) -> x509_cert::ext::Extension {
    x509_cert::ext::Extension {
        extn_id: der::asn1::ObjectIdentifier::new_unwrap(oid),
        critical,
        extn_value: OctetString::new(value.to_vec()).unwrap(),
    }
}

fn strict(crls: Vec<Vec<u8>>) -> VerifyOptions {
    VerifyOptions {
        trust: TrustStore::emulator(),
        crls,
        ..VerifyOptions::default()
    }
}

#[test]
fn control_consent_verifies_strictly() {
    let ca = EmulatorCa::shared();
    let now = SystemTime::now();
    let crl = ca.issue_crl(&[], now).unwrap();
    let verifier = Verifier::new(TrustStore::emulator())
        .with_crl(&crl)
        .unwrap();
    let doc = docs::consent(Channel::Mynaportal);
    let signed = persona_signed(&Document::from(doc.clone()).encode());
    let check = ConsentCheck {
        nonce: Some(doc.nonce.as_str().to_string()),
        channel: Some(Channel::Mynaportal),
        ..ConsentCheck::default()
    };
    let v = verifier.verify_consent(&signed, &check).unwrap();
    assert!(matches!(
        v.signature.revocation,
        RevocationStatus::Crl { .. }
    ));
    // The one-call convenience agrees.
    verify_consent(&signed, &strict(vec![crl])).unwrap();
}

#[test]
fn forgery_backdated_signing_time() {
    // Revoked in "March"; signs in "June" (now) with a signing time (and a document
    // timestamp) of "January": judged at the receipt time, the claim is refused.
    let ca = EmulatorCa::shared();
    let p = persona();
    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();
    let crl = ca
        .issue_crl(
            &[(p.signature_certificate().serial_bytes(), now - 90 * day)],
            now,
        )
        .unwrap();
    let backdated = signed_at(now - 150 * day);
    assert_eq!(
        fails(&backdated, &strict(vec![crl.clone()])),
        VerifyError::SigningTimeSkew
    );
    // Honest about the time, the revocation applies.
    assert_eq!(
        fails(&signed_at(now), &strict(vec![crl])),
        VerifyError::Revoked
    );
    // The skew is configurable: 11 minutes is refused by default, accepted with 15.
    let skewed = signed_at(now - 11 * 60 * second());
    assert_eq!(fails(&skewed, &emulator()), VerifyError::SigningTimeSkew);
    let lenient = VerifyOptions {
        max_skew: Duration::from_secs(15 * 60),
        ..emulator()
    };
    verify_consent(&skewed, &lenient).unwrap();
}

#[test]
fn forgery_stale_crl() {
    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();
    // nextUpdate (a day after thisUpdate) long past.
    let stale = EmulatorCa::shared().issue_crl(&[], now - 30 * day).unwrap();
    assert_eq!(
        fails(&signed_at(now), &strict(vec![stale])),
        VerifyError::CrlNotCurrent
    );
    // Not yet issued at the receipt time.
    let future = EmulatorCa::shared().issue_crl(&[], now + day).unwrap();
    assert_eq!(
        fails(&signed_at(now), &strict(vec![future])),
        VerifyError::CrlNotCurrent
    );
    // No nextUpdate: its freshness cannot be judged.
    let open = crl_with(now, |t| t.next_update = None);
    assert!(matches!(
        fails(&signed_at(now), &strict(vec![open])),
        VerifyError::BadCrl(_)
    ));
}

#[test]
fn forgery_unknown_critical_extension() {
    let p = persona();
    let cert = reissue(p.signature_certificate_der(), |tbs| {
        tbs.extensions.get_or_insert_with(Vec::new).push(extension(
            "1.2.3.4.5.6",
            true,
            &[0x05, 0x00],
        ));
    });
    let signed = sign_rsa(p.signature_key(), &cert, &a_consent());
    assert_eq!(
        fails(&signed, &emulator()),
        VerifyError::UnknownCriticalExtension("1.2.3.4.5.6".into())
    );
    // The same extension, not critical: fine.
    let cert = reissue(p.signature_certificate_der(), |tbs| {
        tbs.extensions.get_or_insert_with(Vec::new).push(extension(
            "1.2.3.4.5.6",
            false,
            &[0x05, 0x00],
        ));
    });
    verify_consent(
        &sign_rsa(p.signature_key(), &cert, &a_consent()),
        &emulator(),
    )
    .unwrap();
}

#[test]
fn forgery_rsa_1024_signer_key() {
    let mut rng = rand_core::OsRng;
    let weak = RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let p = persona();
    let cert = persona_certificate(
        &weak.to_public_key(),
        0x7E57_0010,
        p.issue_date(),
        oid::CARD_SIGNATURE_POLICY,
        &Default::default(),
    );
    let signed = sign_rsa(&weak, &cert, &a_consent());
    assert_eq!(
        fails(&signed, &emulator()),
        VerifyError::WeakKey("RSA key of 1024 bits".into())
    );
}

#[test]
fn forgery_signature_certificate_without_basic_four_attributes() {
    let p = persona();
    let cert = reissue(p.signature_certificate_der(), |tbs| {
        let exts = tbs.extensions.as_mut().unwrap();
        exts.retain(|e| e.extn_id != const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME);
    });
    let parsed = JpkiCertificate::from_der(&cert).unwrap();
    assert_eq!(parsed.kind(), CertificateKind::Signature);
    let signed = sign_rsa(p.signature_key(), &cert, &a_consent());
    assert_eq!(
        fails(&signed, &emulator()),
        VerifyError::MissingSignatureAttributes
    );
}

#[test]
fn revocation_not_checked_is_refused_unless_opted_out() {
    let signed = persona_signed(&a_consent());
    assert_eq!(
        fails(&signed, &strict(Vec::new())),
        VerifyError::RevocationNotChecked
    );
    let v = verify_consent(&signed, &emulator()).unwrap();
    assert_eq!(v.signature.revocation, RevocationStatus::NotChecked);
    let verifier = Verifier::new(TrustStore::emulator());
    assert_eq!(
        verifier
            .verify_consent(&signed, &ConsentCheck::default())
            .unwrap_err(),
        VerifyError::RevocationNotChecked
    );
    verifier
        .allow_unchecked_revocation()
        .verify_consent(&signed, &ConsentCheck::default())
        .unwrap();
}

#[test]
fn unsupported_crls_are_refused() {
    let now = SystemTime::now();
    let signed = signed_at(now);
    // A delta CRL.
    let delta = crl_with(now, |t| {
        t.crl_extensions
            .get_or_insert_with(Vec::new)
            .push(extension("2.5.29.27", true, &[0x02, 0x01, 0x01]))
    });
    // An unknown critical CRL extension.
    let unknown = crl_with(now, |t| {
        t.crl_extensions
            .get_or_insert_with(Vec::new)
            .push(extension("1.2.3.4.5.7", true, &[0x05, 0x00]))
    });
    // An issuing distribution point limited to CA certificates ([2] TRUE).
    let idp = crl_with(now, |t| {
        t.crl_extensions
            .get_or_insert_with(Vec::new)
            .push(extension(
                "2.5.29.28",
                true,
                &[0x30, 0x03, 0x82, 0x01, 0xFF],
            ))
    });
    // An entry with an unknown critical extension.
    let entry = crl_with(now, |t| {
        t.revoked_certificates = Some(vec![x509_cert::crl::RevokedCert {
            serial_number: x509_cert::serial_number::SerialNumber::new(&[0x01]).unwrap(),
            revocation_date: t.this_update,
            crl_entry_extensions: Some(vec![extension("1.2.3.4.5.8", true, &[0x05, 0x00])]),
        }])
    });
    for crl in [delta, unknown, idp, entry] {
        assert!(matches!(
            fails(&signed, &strict(vec![crl])),
            VerifyError::UnsupportedCrl(_)
        ));
    }
    // An issuing distribution point for user certificates only ([1] TRUE) is in scope.
    let users = crl_with(now, |t| {
        t.crl_extensions
            .get_or_insert_with(Vec::new)
            .push(extension(
                "2.5.29.28",
                true,
                &[0x30, 0x03, 0x81, 0x01, 0xFF],
            ))
    });
    verify_consent(&signed, &strict(vec![users])).unwrap();
}

#[test]
fn card_or_smartphone_fails_closed() {
    let p = persona();
    // A JPKI signature policy that is neither a known card's nor the smartphone's.
    let cert = persona_certificate(
        &p.signature_key().to_public_key(),
        0x7E57_0011,
        p.issue_date(),
        der::asn1::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.99"),
        &Default::default(),
    );
    assert_eq!(
        mynasign::verify::certificate_source(&JpkiCertificate::from_der(&cert).unwrap()),
        None
    );
    let kiosk = Document::from(docs::consent(Channel::LicenceCentreKiosk)).encode();
    // Not a signature policy of the allow-list either: refused whatever the rule.
    assert_eq!(
        fails(&sign_rsa(p.signature_key(), &cert, &kiosk), &emulator()),
        VerifyError::WrongPolicy
    );
    assert_eq!(
        fails(
            &sign_rsa(p.signature_key(), &cert, &a_consent()),
            &emulator()
        ),
        VerifyError::WrongPolicy
    );
    // The JPKI-TEST card policy is a card's.
    let test = persona_certificate(
        &p.signature_key().to_public_key(),
        0x7E57_0012,
        p.issue_date(),
        oid::TEST_CARD_SIGNATURE_POLICY,
        &Default::default(),
    );
    let v = verify_consent(&sign_rsa(p.signature_key(), &test, &kiosk), &emulator()).unwrap();
    assert_eq!(v.source, Some(CertificateSource::Card));
}

#[test]
fn bound_to_the_consent_content_type() {
    let p = persona();
    for hint in [None, Some("text/plain".to_string())] {
        let mut signer = RsaKeySigner::new(
            p.signature_key().clone(),
            p.signature_certificate_der().to_vec(),
        );
        let options = mcms::SignOptions {
            content_hint: hint,
            ..mcms::SignOptions::default()
        };
        let signed = mcms::sign(&a_consent(), &mut signer, &options).unwrap();
        // A valid CAdES signature over the same bytes...
        verify_signed_data(&signed, &emulator()).unwrap();
        // ...made for another purpose is not a consent.
        assert_eq!(fails(&signed, &emulator()), VerifyError::WrongContentType);
    }
}

#[test]
fn nonce_and_channel_of_the_procedure() {
    let signed = persona_signed(&a_consent());
    let other_nonce = VerifyOptions {
        nonce: Some("tx-someone-else".into()),
        ..emulator()
    };
    assert_eq!(fails(&signed, &other_nonce), VerifyError::NonceMismatch);
    let kiosk = VerifyOptions {
        channel: Some(Channel::LicenceCentreKiosk),
        ..emulator()
    };
    assert_eq!(fails(&signed, &kiosk), VerifyError::ChannelMismatch);
    let right = VerifyOptions {
        nonce: Some("tx-consent-0001".into()),
        channel: Some(Channel::Mynaportal),
        ..emulator()
    };
    verify_consent(&signed, &right).unwrap();
}

#[test]
fn document_timestamp_agrees_with_signing_time() {
    let p = persona();
    let now = SystemTime::now();
    let an_hour_ago = consent_at(now - Duration::from_secs(3600));
    let signed = sign_rsa_at(
        p.signature_key(),
        p.signature_certificate_der(),
        &an_hour_ago,
        now,
    );
    assert_eq!(fails(&signed, &emulator()), VerifyError::TimestampMismatch);
}

#[test]
fn size_cap_before_decoding() {
    let huge = vec![0x30; MAX_CMS_SIZE + 1];
    assert_eq!(
        fails(&huge, &emulator()),
        VerifyError::TooLarge {
            size: MAX_CMS_SIZE + 1,
            max: MAX_CMS_SIZE
        }
    );
}

#[test]
fn crl_size_cap_before_decoding() {
    // Over the cap: refused by its size, whatever it holds.
    let huge = vec![0x30; MAX_CRL_SIZE + 1];
    assert_eq!(
        Verifier::new(TrustStore::emulator()).add_crl(&huge).err(),
        Some(VerifyError::CrlTooLarge {
            size: MAX_CRL_SIZE + 1,
            max: MAX_CRL_SIZE
        })
    );
    drop(huge);
    // A real CRL is far below it and still accepted.
    let crl = EmulatorCa::shared()
        .issue_crl(&[], SystemTime::now())
        .unwrap();
    assert!(crl.len() < MAX_CRL_SIZE);
    Verifier::new(TrustStore::emulator())
        .add_crl(&crl)
        .expect("the emulator's CRL");
}

#[test]
fn ocsp_response_size_cap_before_decoding() {
    let signed = persona_signed(&a_consent());
    let options = |response: Vec<u8>| VerifyOptions {
        ocsp_response: Some(response),
        ..emulator()
    };
    assert_eq!(
        fails(&signed, &options(vec![0x30; MAX_OCSP_RESPONSE_SIZE + 1])),
        VerifyError::OcspResponseTooLarge {
            size: MAX_OCSP_RESPONSE_SIZE + 1,
            max: MAX_OCSP_RESPONSE_SIZE
        }
    );
    // At the cap it is decoded (and refused for what it is).
    assert!(matches!(
        fails(&signed, &options(vec![0x30; MAX_OCSP_RESPONSE_SIZE])),
        VerifyError::BadOcspResponse(_)
    ));
}

#[test]
fn signature_is_over_the_attributes_as_received() {
    // Sign attributes whose DER is what the signer made; then re-order nothing but change the
    // signature to one over a different encoding of the same attributes (the [0] tag kept
    // instead of the SET OF tag): refused, since only the received bytes re-tagged count.
    let p = persona();
    let good = persona_signed(&a_consent());
    let bad = edit(&good, |sd| {
        let mut infos: Vec<_> = sd.signer_infos.0.iter().cloned().collect();
        let si = &mut infos[0];
        let mut implicit = si.signed_attrs.as_ref().unwrap().to_der().unwrap();
        implicit[0] = 0xA0;
        let sig = p
            .signature_key()
            .sign(
                rsa::Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(&implicit),
            )
            .unwrap();
        si.signature = OctetString::new(sig).unwrap();
        sd.signer_infos = SignerInfos(SetOfVec::try_from(infos).unwrap());
    });
    assert_eq!(fails(&bad, &emulator()), VerifyError::SignatureMismatch);
}

#[test]
fn custom_trust_store_refuses_a_non_ca_root() {
    let leaf = persona().signature_certificate_der().to_vec();
    assert!(TrustStore::custom(vec![leaf]).is_err());
    TrustStore::custom(vec![EmulatorCa::shared().signature_ca_der().to_vec()]).unwrap();
}

#[test]
fn ocsp_request_is_built_for_the_certificate() {
    let verifier = Verifier::new(TrustStore::emulator());
    let cert = persona().signature_certificate();
    let req = verifier
        .ocsp_request(&cert, Some(b"0123456789abcdef"))
        .unwrap();
    // A SEQUENCE holding the serial and the nonce.
    assert_eq!(req[0], 0x30);
    assert!(req
        .windows(cert.serial_bytes().len())
        .any(|w| w == cert.serial_bytes()));
    assert!(req.windows(16).any(|w| w == b"0123456789abcdef"));
    assert!(verifier.ocsp_request(&cert, Some(&[0u8; 33])).is_err());
    assert_eq!(
        Verifier::new(TrustStore::production())
            .ocsp_request(&cert, None)
            .unwrap_err(),
        VerifyError::UntrustedChain
    );
}

/// An older generation of the emulator signature root: same name, its own key and key
/// identifier, self-signed. Returns the certificate and its key.
fn older_generation(serial: u8) -> (Vec<u8>, RsaPrivateKey) {
    use spki::EncodePublicKey;
    let key = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(
        key.to_public_key().to_public_key_der().unwrap().as_bytes(),
    )
    .unwrap();
    let mut cert =
        x509_cert::Certificate::from_der(EmulatorCa::shared().signature_ca_der()).unwrap();
    let tbs = &mut cert.tbs_certificate;
    tbs.serial_number = x509_cert::serial_number::SerialNumber::new(&[serial]).unwrap();
    tbs.subject_public_key_info = spki;
    for ext in tbs.extensions.iter_mut().flatten() {
        if ext.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER {
            let ski = OctetString::new(vec![serial; 20])
                .unwrap()
                .to_der()
                .unwrap();
            ext.extn_value = OctetString::new(ski).unwrap();
        }
    }
    let tbs_der = tbs.to_der().unwrap();
    let sig = key
        .sign(
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(&tbs_der),
        )
        .unwrap();
    cert.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    (cert.to_der().unwrap(), key)
}

#[test]
fn three_generations_key_identifier_index_and_crl_of_another_generation_skipped() {
    let ca = EmulatorCa::shared();
    let (old, old_key) = older_generation(1);
    let (older, _) = older_generation(2);
    let store =
        TrustStore::custom(vec![old.clone(), older, ca.signature_ca_der().to_vec()]).unwrap();
    let signer = persona().signature_certificate();
    // Found by key identifier: the newest root, last in the store.
    assert_eq!(
        store.issuer_of(&signer).unwrap().der(),
        ca.signature_ca_der()
    );
    // Each generation issues itself.
    for r in store.roots() {
        assert_eq!(store.issuer_of(r).unwrap().der(), r.der());
    }

    // A CRL of the old generation (same issuer name, its own key), listing the serial.
    let now = SystemTime::now();
    let mut crl = x509_cert::crl::CertificateList::from_der(
        &ca.issue_crl(&[(signer.serial_bytes(), now - 86_400 * second())], now)
            .unwrap(),
    )
    .unwrap();
    crl.tbs_cert_list.crl_extensions = None;
    let tbs = crl.tbs_cert_list.to_der().unwrap();
    let sig = old_key
        .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(&tbs))
        .unwrap();
    crl.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    let old_crl = crl.to_der().unwrap();

    let signed = signed_at(now);
    // Accepted as a CRL (the old root signed it), but it is not about the newest root's
    // certificates: skipped, so revocation is not established...
    let verifier = Verifier::new(store.clone()).with_crl(&old_crl).unwrap();
    assert_eq!(
        verifier
            .verify_consent(&signed, &ConsentCheck::default())
            .unwrap_err(),
        VerifyError::RevocationNotChecked
    );
    // ...and with the newest root's CRL as well, that one decides.
    let verifier = verifier.with_crl(&ca.issue_crl(&[], now).unwrap()).unwrap();
    let v = verifier
        .verify_consent(&signed, &ConsentCheck::default())
        .unwrap();
    assert!(matches!(
        v.signature.revocation,
        RevocationStatus::Crl { .. }
    ));
    assert_eq!(v.signature.root.der(), ca.signature_ca_der());
}

#[test]
fn elliptic_curves_other_than_p256_are_refused() {
    // The persona's certificate re-issued for a P-256 key point labelled secp384r1.
    use spki::EncodePublicKey;
    let key = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
    let mut spki = spki::SubjectPublicKeyInfoOwned::from_der(
        p256::PublicKey::from(key.verifying_key())
            .to_public_key_der()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    spki.algorithm.parameters =
        Some(Any::encode_from(&der::asn1::ObjectIdentifier::new_unwrap("1.3.132.0.34")).unwrap());
    let cert = reissue(persona().signature_certificate_der(), |tbs| {
        tbs.subject_public_key_info = spki;
    });
    let mut signer = P256KeySigner::new(key, cert);
    let signed = mcms::sign(&a_consent(), &mut signer, &Default::default()).unwrap();
    assert!(matches!(
        fails(&signed, &emulator()),
        VerifyError::WeakKey(m) if m.contains("1.3.132.0.34")
    ));
}

#[path = "verify_forms.rs"]
mod forms;
