use std::sync::Mutex;

use rsa::pkcs1v15;
use sha2::{Digest, Sha256};
use spki::{der::AnyRef, AlgorithmIdentifierRef, ObjectIdentifier};

use crate::error::{Error, Result};

use super::{HashAlgorithm, JpkiSession, KeySlot};

/// A card key seen through RustCrypto's [`signature`] traits, so standard builders (X.509,
/// CMS) can sign with the card: `Signer`, `DigestSigner<Sha256, _>`, `Keypair` and the
/// algorithm identifier `sha256WithRSAEncryption`.
///
/// The PIN guarding the key must already be verified in the session. Every signature is one
/// COMPUTE DIGITAL SIGNATURE exchange; the last card error is kept for the caller
/// ([`CardSigner::take_error`]), since the trait's error type is opaque.
pub struct CardSigner<'a> {
    session: Mutex<&'a mut JpkiSession>,
    key: KeySlot,
    verifying_key: pkcs1v15::VerifyingKey<Sha256>,
    last_error: Mutex<Option<Error>>,
}

impl core::fmt::Debug for CardSigner<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardSigner")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl<'a> CardSigner<'a> {
    /// A signer for `key`, whose public half is `public_key` (from the key's certificate).
    pub fn new(session: &'a mut JpkiSession, key: KeySlot, public_key: rsa::RsaPublicKey) -> Self {
        Self {
            session: Mutex::new(session),
            key,
            verifying_key: pkcs1v15::VerifyingKey::new(public_key),
            last_error: Mutex::new(None),
        }
    }

    /// The card error behind the last failed signature, if any.
    pub fn take_error(&self) -> Option<Error> {
        self.last_error.lock().ok().and_then(|mut e| e.take())
    }

    fn sign_sha256_digest(&self, digest: &[u8]) -> Result<pkcs1v15::Signature> {
        let mut session = self
            .session
            .lock()
            .map_err(|_| Error::malformed("signer", "session lock poisoned"))?;
        let raw = session.sign_digest(self.key, HashAlgorithm::Sha256, digest)?;
        pkcs1v15::Signature::try_from(raw.as_slice())
            .map_err(|_| Error::malformed("signature", "not an RSA signature"))
    }

    fn fail(&self, e: Error) -> signature::Error {
        let boxed = signature::Error::from_source(e.to_string());
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = Some(e);
        }
        boxed
    }
}

impl signature::Signer<pkcs1v15::Signature> for CardSigner<'_> {
    fn try_sign(&self, msg: &[u8]) -> core::result::Result<pkcs1v15::Signature, signature::Error> {
        let digest = Sha256::digest(msg);
        self.sign_sha256_digest(&digest).map_err(|e| self.fail(e))
    }
}

impl signature::DigestSigner<Sha256, pkcs1v15::Signature> for CardSigner<'_> {
    fn try_sign_digest(
        &self,
        digest: Sha256,
    ) -> core::result::Result<pkcs1v15::Signature, signature::Error> {
        let d = digest.finalize();
        self.sign_sha256_digest(&d).map_err(|e| self.fail(e))
    }
}

impl signature::Keypair for CardSigner<'_> {
    type VerifyingKey = pkcs1v15::VerifyingKey<Sha256>;

    fn verifying_key(&self) -> Self::VerifyingKey {
        self.verifying_key.clone()
    }
}

/// `sha256WithRSAEncryption`.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

impl spki::SignatureAlgorithmIdentifier for CardSigner<'_> {
    type Params = AnyRef<'static>;

    const SIGNATURE_ALGORITHM_IDENTIFIER: AlgorithmIdentifierRef<'static> =
        AlgorithmIdentifierRef {
            oid: SHA256_WITH_RSA,
            parameters: Some(AnyRef::NULL),
        };
}
