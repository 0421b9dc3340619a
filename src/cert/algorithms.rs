//! Signature checks over raw bytes with a public key: RSA PKCS#1 v1.5 with SHA-256/384/512
//! and ECDSA P-256 with SHA-256. Shared by certificates, CMS signatures, CRLs and OCSP
//! responses.
//!
//! RustCrypto (`rsa`, `p256`) by default; with the `fast-verify` feature (servers only),
//! `ring`, whose assembly RSA is several times faster. This module depends on no card type.

use der::{Decode, Encode};
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::oid;
use crate::cms::oid::{ECDSA_WITH_SHA256, SHA256, SHA384, SHA512};

/// The hash of an RSA PKCS#1 v1.5 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    #[cfg_attr(feature = "fast-verify", allow(dead_code))]
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

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

#[cfg_attr(feature = "fast-verify", allow(dead_code))]
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
    #[cfg(feature = "fast-verify")]
    {
        fast::verify(key, sig_alg, digest_alg, message, signature)
    }
    #[cfg(not(feature = "fast-verify"))]
    {
        rust_crypto(key, sig_alg, digest_alg, message, signature)
    }
}

#[cfg(feature = "fast-verify")]
mod fast {
    use super::*;
    use ring::signature::{self as rs, UnparsedPublicKey};

    pub(super) fn verify(
        key: &SubjectPublicKeyInfoOwned,
        sig_alg: &AlgorithmIdentifierOwned,
        digest_alg: Option<&AlgorithmIdentifierOwned>,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let public = key.subject_public_key.raw_bytes();
        let alg: &dyn rs::VerificationAlgorithm = if key.algorithm.oid == oid::RSA_ENCRYPTION {
            match rsa_hash(sig_alg, digest_alg) {
                Some(HashAlgorithm::Sha256) => &rs::RSA_PKCS1_2048_8192_SHA256,
                Some(HashAlgorithm::Sha384) => &rs::RSA_PKCS1_2048_8192_SHA384,
                Some(HashAlgorithm::Sha512) => &rs::RSA_PKCS1_2048_8192_SHA512,
                None => return false,
            }
        } else if key.algorithm.oid == oid::EC_PUBLIC_KEY {
            let p256 = key
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::oid::ObjectIdentifier>().ok())
                == Some(oid::P256);
            if sig_alg.oid != ECDSA_WITH_SHA256 || !p256 {
                return false;
            }
            &rs::ECDSA_P256_SHA256_ASN1
        } else {
            return false;
        };
        UnparsedPublicKey::new(alg, public)
            .verify(message, signature)
            .is_ok()
    }
}

#[cfg_attr(feature = "fast-verify", allow(dead_code))]
fn rust_crypto(
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
