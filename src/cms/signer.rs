use spki::AlgorithmIdentifierOwned;

use sha2::{Digest, Sha256};

use super::{oid, CmsError};

/// The signature algorithm of a CMS signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (the card, and RSA smartphone keys).
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256 (a smartphone key in a platform keystore).
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// The `signatureAlgorithm` of the SignerInfo.
    pub(crate) fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            SignatureAlgorithm::RsaPkcs1Sha256 => AlgorithmIdentifierOwned {
                oid: oid::SHA256_WITH_RSA,
                parameters: Some(der::Any::null()),
            },
            SignatureAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned {
                oid: oid::ECDSA_WITH_SHA256,
                parameters: None,
            },
        }
    }
}

/// Whatever makes the signature of a CMS `SignedData`: the card, or a key the app holds.
///
/// `sign` receives the DER of the signed attributes and returns the signature over it with
/// SHA-256: for RSA the raw PKCS#1 v1.5 signature bytes, for ECDSA the DER `Ecdsa-Sig-Value`.
///
/// The card's signer lives with the card flows (`flow::CardContentSigner`, feature `card`),
/// so this layer knows nothing of cards.
pub trait ContentSigner {
    /// What the signer's failures are; [`super::sign`] returns it, its own failures converted.
    type Error: From<CmsError>;
    /// The signer's certificate (DER).
    fn certificate_der(&self) -> Vec<u8>;
    /// The signature algorithm.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// Signs `message` (hashing it with SHA-256 first).
    fn sign(&mut self, message: &[u8]) -> Result<Vec<u8>, Self::Error>;
}

/// A software RSA key (tests, interoperability, or a key the app holds).
pub struct RsaKeySigner {
    key: rsa::RsaPrivateKey,
    certificate: Vec<u8>,
}

impl core::fmt::Debug for RsaKeySigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaKeySigner").finish_non_exhaustive()
    }
}

impl RsaKeySigner {
    /// A signer from a private key and its certificate.
    pub fn new(key: rsa::RsaPrivateKey, certificate: Vec<u8>) -> Self {
        Self { key, certificate }
    }
}

impl ContentSigner for RsaKeySigner {
    type Error = CmsError;
    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1Sha256
    }
    fn sign(&mut self, message: &[u8]) -> Result<Vec<u8>, CmsError> {
        let digest = Sha256::digest(message);
        self.key
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
            .map_err(|_| CmsError::Signing("RSA"))
    }
}

/// A software ECDSA P-256 key.
pub struct P256KeySigner {
    key: p256::ecdsa::SigningKey,
    certificate: Vec<u8>,
}

impl core::fmt::Debug for P256KeySigner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("P256KeySigner").finish_non_exhaustive()
    }
}

impl P256KeySigner {
    /// A signer from a private key and its certificate.
    pub fn new(key: p256::ecdsa::SigningKey, certificate: Vec<u8>) -> Self {
        Self { key, certificate }
    }
}

impl ContentSigner for P256KeySigner {
    type Error = CmsError;
    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }
    fn sign(&mut self, message: &[u8]) -> Result<Vec<u8>, CmsError> {
        use signature::Signer;
        let sig: p256::ecdsa::Signature = self
            .key
            .try_sign(message)
            .map_err(|_| CmsError::Signing("ECDSA P-256"))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}
