//! The login signature over a SHA-256 digest (prehashed): RSA PKCS#1 v1.5 over the
//! DigestInfo, or ECDSA P-256 (DER signature).

use signature::hazmat::PrehashVerifier;

use crate::cert::{JpkiCertificate, KeyInfo};

use super::LoginAlgorithm;

/// Whether `signature` by `certificate`'s key over `digest` (SHA-256) verifies with
/// `algorithm`. The key must be of the algorithm's kind.
pub(crate) fn verifies(
    certificate: &JpkiCertificate,
    algorithm: LoginAlgorithm,
    digest: &[u8; 32],
    signature: &[u8],
) -> bool {
    match (algorithm, certificate.key()) {
        (LoginAlgorithm::RsaPkcs1Sha256, KeyInfo::Rsa { .. }) => {
            let Ok(key) = certificate.rsa_public_key() else {
                return false;
            };
            key.verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest, signature)
                .is_ok()
        }
        (LoginAlgorithm::EcdsaP256Sha256, KeyInfo::EcP256) => {
            let spki = &certificate.x509().tbs_certificate.subject_public_key_info;
            let Some(point) = spki.subject_public_key.as_bytes() else {
                return false;
            };
            let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
                return false;
            };
            let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else {
                return false;
            };
            key.verify_prehash(digest, &sig).is_ok()
        }
        _ => false,
    }
}
