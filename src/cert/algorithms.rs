//! Signature checks over raw bytes with a public key: RSA PKCS#1 v1.5 with SHA-256/384/512
//! and ECDSA P-256 with SHA-256. Shared by certificates, CMS signatures and CRLs.

use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::oid;
use crate::cms::oid::{ECDSA_WITH_SHA256, SHA256, SHA384, SHA512};
use crate::jpki::HashAlgorithm;

/// Which hash an RSA signature uses, from its signature algorithm and (for `rsaEncryption`
/// in a SignerInfo) the digest algorithm.
fn rsa_hash(
    sig_alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<&AlgorithmIdentifierOwned>,
) -> Option<HashAlgorithm> {
    Some(match sig_alg.oid {
        o if o == oid::SHA256_WITH_RSA => HashAlgorithm::Sha256,
        o if o == oid::SHA384_WITH_RSA => HashAlgorithm::Sha384,
        o if o == oid::SHA512_WITH_RSA => HashAlgorithm::Sha512,
        o if o == oid::RSA_ENCRYPTION => match digest_alg?.oid {
            d if d == SHA256 => HashAlgorithm::Sha256,
            d if d == SHA384 => HashAlgorithm::Sha384,
            d if d == SHA512 => HashAlgorithm::Sha512,
            _ => return None,
        },
        _ => return None,
    })
}

fn pkcs1v15(hash: HashAlgorithm) -> rsa::Pkcs1v15Sign {
    match hash {
        HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
        HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

/// Whether `signature` over `message` verifies with `key` under `sig_alg` (and, for a CMS
/// `rsaEncryption` signature algorithm, `digest_alg`). Unknown algorithms do not verify.
pub(crate) fn verify_signature(
    key: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<&AlgorithmIdentifierOwned>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    if key.algorithm.oid == oid::RSA_ENCRYPTION {
        let Some(hash) = rsa_hash(sig_alg, digest_alg) else {
            return false;
        };
        let Ok(der) = key.to_der() else { return false };
        let Ok(spki) = spki::SubjectPublicKeyInfoRef::from_der(&der) else {
            return false;
        };
        let Ok(public) = rsa::RsaPublicKey::try_from(spki) else {
            return false;
        };
        public
            .verify(pkcs1v15(hash), &hash.digest(message), signature)
            .is_ok()
    } else if key.algorithm.oid == oid::EC_PUBLIC_KEY {
        if sig_alg.oid != ECDSA_WITH_SHA256 {
            return false;
        }
        let Some(point) = key.subject_public_key.as_bytes() else {
            return false;
        };
        let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
            return false;
        };
        let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else {
            return false;
        };
        use signature::Verifier;
        vk.verify(message, &sig).is_ok()
    } else {
        false
    }
}
