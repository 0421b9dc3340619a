//! Signature checks over raw bytes with a public key: RSA PKCS#1 v1.5 with SHA-256/384/512
//! and ECDSA P-256 with SHA-256. Shared by certificates, CMS signatures, CRLs and OCSP
//! responses.
//!
//! RustCrypto (`rsa`, `p256`) by default; with the `fast-verify` feature (servers only),
//! `aws-lc-rs`, whose assembly RSA is several times faster, and whose parsed public keys a
//! trust store's roots keep ([`KeyCache`]), so that checking a certificate against a root
//! costs one modular exponentiation and no key set-up. This module depends on no card type.

use der::{Decode, Encode};
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::oid;
use super::oid::{ECDSA_WITH_SHA256, SHA256, SHA384, SHA512};

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

/// Whether `signature` over `message` verifies with `key` under `sig_alg` (and, for
/// `rsaEncryption` in a SignerInfo, `digest_alg`). Only the algorithms above are accepted.
pub(crate) fn verify_signature(
    key: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<&AlgorithmIdentifierOwned>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    verify_signature_cached(
        &KeyCache::default(),
        key,
        sig_alg,
        digest_alg,
        message,
        signature,
    )
}

/// [`verify_signature`] with `key`'s parsed form kept in `cache` (shared by the clones of a
/// certificate): a root verifies many signatures with one key. Without `fast-verify` the
/// cache is empty and unused.
pub(crate) fn verify_signature_cached(
    cache: &KeyCache,
    key: &SubjectPublicKeyInfoOwned,
    sig_alg: &AlgorithmIdentifierOwned,
    digest_alg: Option<&AlgorithmIdentifierOwned>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    #[cfg(feature = "fast-verify")]
    {
        fast::verify(cache, key, sig_alg, digest_alg, message, signature)
    }
    #[cfg(not(feature = "fast-verify"))]
    {
        let _ = cache;
        rust_crypto(key, sig_alg, digest_alg, message, signature)
    }
}

/// A public key's parsed forms, made on first use and shared by the clones of the
/// certificate that holds it.
#[derive(Clone, Default)]
pub(crate) struct KeyCache {
    #[cfg(feature = "fast-verify")]
    parsed: std::sync::Arc<fast::Parsed>,
}

impl core::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeyCache")
    }
}

#[cfg(feature = "fast-verify")]
mod fast {
    use std::sync::OnceLock;

    use super::*;
    use aws_lc_rs::signature::{self as lc, ParsedPublicKey, VerificationAlgorithm};

    /// One parsed key per algorithm a key is used with (a root signs with one).
    #[derive(Default)]
    pub(super) struct Parsed {
        by_algorithm: [OnceLock<Option<ParsedPublicKey>>; 4],
    }

    pub(super) fn verify(
        cache: &KeyCache,
        key: &SubjectPublicKeyInfoOwned,
        sig_alg: &AlgorithmIdentifierOwned,
        digest_alg: Option<&AlgorithmIdentifierOwned>,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        let public = key.subject_public_key.raw_bytes();
        let (slot, alg): (usize, &'static dyn VerificationAlgorithm) =
            if key.algorithm.oid == oid::RSA_ENCRYPTION {
                match rsa_hash(sig_alg, digest_alg) {
                    Some(HashAlgorithm::Sha256) => (0, &lc::RSA_PKCS1_2048_8192_SHA256),
                    Some(HashAlgorithm::Sha384) => (1, &lc::RSA_PKCS1_2048_8192_SHA384),
                    Some(HashAlgorithm::Sha512) => (2, &lc::RSA_PKCS1_2048_8192_SHA512),
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
                (3, &lc::ECDSA_P256_SHA256_ASN1)
            } else {
                return false;
            };
        cache.parsed.by_algorithm[slot]
            .get_or_init(|| ParsedPublicKey::new(alg, public).ok())
            .as_ref()
            .is_some_and(|k| k.verify_sig(message, signature).is_ok())
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
