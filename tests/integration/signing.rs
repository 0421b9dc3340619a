use mynasign::cert::JpkiCertificate;
use mynasign::emulator::EmulatorCa;
use mynasign::jpki::{CardSigner, CertificateSlot, HashAlgorithm, KeySlot, LastAttempt};
use mynasign::pin::Pin;
use mynasign::Error;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use signature::{Signer, Verifier};

use crate::common::*;

fn signed_session() -> (
    std::sync::Arc<mynasign::emulator::EmulatedCard>,
    mynasign::jpki::JpkiSession,
) {
    let card = card();
    let mut s = open(&card);
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
    (card, s)
}

fn public_key(s: &mut mynasign::jpki::JpkiSession, slot: CertificateSlot) -> RsaPublicKey {
    let der = s.read_certificate_der(slot).unwrap();
    JpkiCertificate::from_der(&der)
        .unwrap()
        .rsa_public_key()
        .unwrap()
}

#[test]
fn signatures_verify_with_the_certificate_key_for_each_hash() {
    let (_card, mut s) = signed_session();
    let key = public_key(&mut s, CertificateSlot::Signature);
    let msg = b"consent payload";
    for (hash, scheme, digest) in [
        (
            HashAlgorithm::Sha256,
            Pkcs1v15Sign::new::<Sha256>(),
            HashAlgorithm::Sha256.digest(msg),
        ),
        (
            HashAlgorithm::Sha384,
            Pkcs1v15Sign::new::<Sha384>(),
            HashAlgorithm::Sha384.digest(msg),
        ),
        (
            HashAlgorithm::Sha512,
            Pkcs1v15Sign::new::<Sha512>(),
            HashAlgorithm::Sha512.digest(msg),
        ),
    ] {
        let sig = s.sign(KeySlot::Signature, hash, msg).unwrap();
        key.verify(scheme.clone(), &digest, &sig).unwrap();
        // A different message does not verify.
        let other = hash.digest(b"another payload");
        assert!(key.verify(scheme, &other, &sig).is_err());
    }
}

#[test]
fn signing_needs_the_pin() {
    let card = card();
    let mut s = open(&card);
    assert!(matches!(
        s.sign(KeySlot::Signature, HashAlgorithm::Sha256, b"x"),
        Err(Error::PinNotVerified { .. })
    ));
    assert!(matches!(
        s.sign(KeySlot::Authentication, HashAlgorithm::Sha256, b"x"),
        Err(Error::PinNotVerified { .. })
    ));
}

#[test]
fn authentication_key_signs_after_its_pin() {
    let card = card();
    let mut s = open(&card);
    let key = public_key(&mut s, CertificateSlot::Authentication);
    let pin = Pin::authentication(persona().authentication_pin()).unwrap();
    s.verify(&pin, LastAttempt::Refuse).unwrap();
    let sig = s
        .sign(KeySlot::Authentication, HashAlgorithm::Sha256, b"nonce")
        .unwrap();
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &HashAlgorithm::Sha256.digest(b"nonce"),
        &sig,
    )
    .unwrap();
}

#[test]
fn card_key_through_the_signature_traits() {
    let (_card, mut s) = signed_session();
    let key = public_key(&mut s, CertificateSlot::Signature);
    let signer = CardSigner::new(&mut s, KeySlot::Signature, key.clone());
    let sig: rsa::pkcs1v15::Signature = signer.try_sign(b"through the traits").unwrap();
    let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key);
    vk.verify(b"through the traits", &sig).unwrap();
    assert!(vk.verify(b"tampered", &sig).is_err());
    use signature::Keypair;
    assert_eq!(signer.verifying_key().as_ref(), vk.as_ref());
}

#[test]
fn card_signer_keeps_the_card_error() {
    let card = card();
    let mut s = open(&card);
    let key = public_key(&mut s, CertificateSlot::Authentication);
    let signer = CardSigner::new(&mut s, KeySlot::Authentication, key);
    assert!(signer.try_sign(b"x").is_err());
    assert!(matches!(
        signer.take_error(),
        Some(Error::PinNotVerified { .. })
    ));
}

#[test]
fn certificates_chain_to_the_emulator_ca() {
    let (_card, mut s) = signed_session();
    let ca = EmulatorCa::shared();
    let sig_ca = JpkiCertificate::from_der(ca.signature_ca_der()).unwrap();
    let auth_ca = JpkiCertificate::from_der(ca.authentication_ca_der()).unwrap();
    let sig =
        JpkiCertificate::from_der(&s.read_certificate_der(CertificateSlot::Signature).unwrap())
            .unwrap();
    let auth = JpkiCertificate::from_der(
        &s.read_certificate_der(CertificateSlot::Authentication)
            .unwrap(),
    )
    .unwrap();
    sig.verify_issued_by(&sig_ca).unwrap();
    auth.verify_issued_by(&auth_ca).unwrap();
    assert!(sig.verify_issued_by(&auth_ca).is_err());
    // The CA certificates on the card are the emulator roots.
    assert_eq!(
        s.read_certificate_der(CertificateSlot::SignatureCa)
            .unwrap(),
        ca.signature_ca_der()
    );
    assert_eq!(
        s.read_certificate_der(CertificateSlot::AuthenticationCa)
            .unwrap(),
        ca.authentication_ca_der()
    );
}
