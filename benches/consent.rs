//! `make bench`: consents verified per second (RSA-2048 on the emulated card, ECDSA P-256), and
//! the time to build the CMS around a card signature, the card excluded.
//!
//! Plain `std::time::Instant`, no harness: each figure is the median of several runs, each run
//! long enough (about a quarter of a second) for the clock not to matter.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use mynasign::cms::{self, ContentSigner, P256KeySigner, SignOptions, SignatureAlgorithm};
use mynasign::consent::{
    AddressChangeConsent, CertificateSource, Channel, ConsentItem, ConsentItems, Document,
    HolderStatus, Nonce, Terms, Timestamp,
};
use mynasign::emulator::{EmulatedCard, EmulatorConfig, Persona};
use mynasign::flow::{sign_consent_on_card, sign_consent_with, CardSignOptions};
use mynasign::jpki::Profile;
use mynasign::pin::Pin;
use mynasign::verify::{verify_consent, TrustStore, VerifyOptions};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::builder::{Builder, CertificateBuilder, Profile as CertProfile};
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::CertificatePolicies;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

const RUNS: usize = 7;
const RUN_TIME: Duration = Duration::from_millis(250);

/// Median over [`RUNS`] runs of the time one call of `f` takes.
fn median_per_call(mut f: impl FnMut()) -> Duration {
    // Calibrate: how many calls fill one run.
    f();
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < RUN_TIME / 4 {
        f();
        calls += 1;
    }
    let per_run = (calls * 4).max(1);
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_run {
                f();
            }
            start.elapsed() / per_run
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn per_second(d: Duration) -> f64 {
    1.0 / d.as_secs_f64()
}

fn document() -> Document {
    Document::AddressChangeConsent(AddressChangeConsent {
        items: ConsentItems::new(&[
            ConsentItem::Address,
            ConsentItem::Name,
            ConsentItem::DateOfBirth,
        ])
        .expect("items"),
        holder_status: HolderStatus::MyNumberLicenceOnly,
        terms: Terms::from_text("address-change-one-stop", "1", "利用規約の見本".as_bytes())
            .expect("terms"),
        channel: Channel::LicenceCentreKiosk,
        nonce: Nonce::new("bench-0001").expect("nonce"),
        timestamp: Timestamp::now(),
    })
}

/// A consent signed on the emulated card of persona 1.
fn rsa_consent(doc: &Document) -> Vec<u8> {
    let persona = Persona::from_seed(1);
    let card = Arc::new(EmulatedCard::from_image(
        persona.card_image(Profile::MyNumberCard),
        EmulatorConfig::default(),
    ));
    let password = Pin::signature_password(persona.signature_password()).expect("password");
    sign_consent_on_card(card, doc, &password, &CardSignOptions::default())
        .expect("sign on the emulated card")
        .cms
}

/// A throwaway RSA root (its name marks it a signature CA) and a P-256 JPKI-style signature
/// certificate under it: keyUsage digitalSignature + nonRepudiation, the card signature policy.
/// Returns the root (DER), the P-256 key and the certificate (DER).
fn p256_certificate() -> (Vec<u8>, p256::ecdsa::SigningKey, Vec<u8>) {
    use std::str::FromStr;
    let mut rng = rand_core::OsRng;
    let root_key = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("RSA root key");
    let root_public = root_key.to_public_key();
    let root_signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(root_key);
    let root_name =
        Name::from_str("CN=bench root,OU=bench CA for digital signature,O=mynasign bench,C=JP")
            .expect("root name");
    let year = Duration::from_secs(365 * 86_400);
    let root_spki = SubjectPublicKeyInfoOwned::from_der(
        root_public
            .to_public_key_der()
            .expect("root SPKI")
            .as_bytes(),
    )
    .expect("root SPKI");
    let root = CertificateBuilder::new(
        CertProfile::Root,
        SerialNumber::from(1u32),
        Validity::from_now(year).expect("validity"),
        root_name.clone(),
        root_spki,
        &root_signer,
    )
    .expect("root builder")
    .build::<rsa::pkcs1v15::Signature>()
    .expect("root certificate")
    .to_der()
    .expect("root DER");

    let key = p256::ecdsa::SigningKey::random(&mut rng);
    let leaf_spki = SubjectPublicKeyInfoOwned::from_der(
        key.verifying_key()
            .to_public_key_der()
            .expect("leaf SPKI")
            .as_bytes(),
    )
    .expect("leaf SPKI");
    let mut leaf = CertificateBuilder::new(
        CertProfile::Leaf {
            issuer: root_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(2u32),
        Validity::from_now(year).expect("validity"),
        Name::from_str("CN=bench P-256 signer,C=JP").expect("leaf name"),
        leaf_spki,
        &root_signer,
    )
    .expect("leaf builder");
    let policy: ObjectIdentifier = mynasign::cert::oid::CARD_SIGNATURE_POLICY;
    leaf.add_extension(&CertificatePolicies(vec![PolicyInformation {
        policy_identifier: policy,
        policy_qualifiers: None,
    }]))
    .expect("policies");
    let leaf = leaf
        .build::<rsa::pkcs1v15::Signature>()
        .expect("leaf certificate")
        .to_der()
        .expect("leaf DER");
    (root, key, leaf)
}

/// A signer that returns a precomputed signature: `cms::sign` timed without the card.
struct Precomputed {
    certificate: Vec<u8>,
    signature: Vec<u8>,
}

impl ContentSigner for Precomputed {
    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1Sha256
    }
    fn sign(&mut self, _message: &[u8]) -> mynasign::Result<Vec<u8>> {
        Ok(self.signature.clone())
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let doc = document();
    let content = doc.encode();

    // RSA-2048: the card's signature certificate, emulator roots.
    let rsa_cms = rsa_consent(&doc);
    let emulator = VerifyOptions {
        trust: TrustStore::emulator(),
        require_revocation: false,
        ..VerifyOptions::default()
    };
    let verified = verify_consent(&rsa_cms, &emulator).expect("the RSA consent verifies");
    assert_eq!(verified.document, doc);
    let rsa = median_per_call(|| {
        black_box(verify_consent(black_box(&rsa_cms), &emulator).is_ok());
    });
    println!(
        "verify RSA-2048 consent: {:.0}/s ({:.1} µs each, {} bytes of CMS)",
        per_second(rsa),
        rsa.as_secs_f64() * 1e6,
        rsa_cms.len()
    );

    // ECDSA P-256: a test certificate under a throwaway RSA root (the emulator CA issues RSA
    // certificates only).
    let (root, key, cert) = p256_certificate();
    let mut signer = P256KeySigner::new(key, cert);
    let p256_cms = sign_consent_with(
        &mut signer,
        CertificateSource::Card,
        &doc,
        &SignOptions::default(),
    )
    .expect("sign with P-256")
    .cms;
    let custom = VerifyOptions {
        trust: TrustStore::custom(vec![root]).expect("custom trust store"),
        require_revocation: false,
        ..VerifyOptions::default()
    };
    let verified = verify_consent(&p256_cms, &custom).expect("the P-256 consent verifies");
    assert_eq!(verified.document, doc);
    let ec = median_per_call(|| {
        black_box(verify_consent(black_box(&p256_cms), &custom).is_ok());
    });
    println!(
        "verify ECDSA P-256 consent: {:.0}/s ({:.1} µs each, {} bytes of CMS; chain RSA-2048)",
        per_second(ec),
        ec.as_secs_f64() * 1e6,
        p256_cms.len()
    );

    // Building the CMS around a card signature, the card excluded.
    let mut precomputed = Precomputed {
        certificate: Persona::from_seed(1).signature_certificate_der().to_vec(),
        signature: vec![0x5A; 256],
    };
    let options = SignOptions::default();
    let built = cms::sign(&content, &mut precomputed, &options).expect("cms::sign");
    assert_eq!(built.len(), rsa_cms.len());
    let build = median_per_call(|| {
        black_box(cms::sign(black_box(&content), &mut precomputed, &options).is_ok());
    });
    println!(
        "build CMS around a card signature: {:.1} µs ({:.0}/s; card excluded)",
        build.as_secs_f64() * 1e6,
        per_second(build)
    );
}
