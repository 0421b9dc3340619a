use std::sync::Arc;

use mynasign::cms::{ContentSigner, SignOptions, SignatureAlgorithm};

use crate::error::MynaError;
use crate::records::{CertificateSource, ConsentDocument, SignedConsentInfo};

/// The algorithm of an app-held key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KeyAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// ECDSA P-256 with SHA-256 (signature DER-encoded).
    EcdsaP256Sha256,
}

/// Why the app's signer failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SignerError {
    /// The holder cancelled (for example a biometric prompt).
    #[error("signing was cancelled")]
    Cancelled,
    /// Anything else; no personal data in `detail`.
    #[error("signing failed: {detail}")]
    Failed {
        /// What happened.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SignerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SignerError::Failed { detail: e.reason }
    }
}

/// A signing key the app holds, for smartphone signature certificates whose key lives in a
/// platform keystore (Android Keystore, the iOS Secure Enclave): the library builds the CMS,
/// the app signs the bytes it is given.
#[uniffi::export(with_foreign)]
pub trait KeystoreSigner: Send + Sync {
    /// The certificate of the key (DER).
    fn certificate_der(&self) -> Vec<u8>;
    /// The key's algorithm.
    fn algorithm(&self) -> KeyAlgorithm;
    /// Signs `message` with SHA-256 (Android: `Signature.getInstance("SHA256withRSA")` or
    /// `"SHA256withECDSA"`; iOS: `SecKeyCreateSignature` with
    /// `.rsaSignatureMessagePKCS1v15SHA256` or `.ecdsaSignatureMessageX962SHA256`).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerError>;
}

struct Adapter(Arc<dyn KeystoreSigner>);

impl ContentSigner for Adapter {
    fn certificate_der(&self) -> Vec<u8> {
        self.0.certificate_der()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.0.algorithm() {
            KeyAlgorithm::RsaPkcs1Sha256 => SignatureAlgorithm::RsaPkcs1Sha256,
            KeyAlgorithm::EcdsaP256Sha256 => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    fn sign(&mut self, message: &[u8]) -> mynasign::Result<Vec<u8>> {
        self.0.sign(message.to_vec()).map_err(|e| match e {
            SignerError::Cancelled => mynasign::Error::Cancelled,
            SignerError::Failed { detail } => mynasign::Error::Malformed {
                what: "app signer",
                reason: detail,
            },
        })
    }
}

/// Signs a consent document with a key the app holds (a smartphone certificate's key in the
/// platform keystore), after the same checks as on a card (channel rule for `source`, a
/// signature certificate, the linkage attributes).
#[uniffi::export]
pub fn sign_consent_with_signer(
    signer: Arc<dyn KeystoreSigner>,
    source: CertificateSource,
    document: ConsentDocument,
) -> Result<SignedConsentInfo, MynaError> {
    let doc = document.to_core()?;
    let source = match source {
        CertificateSource::Card => mynasign::consent::CertificateSource::Card,
        CertificateSource::Smartphone => mynasign::consent::CertificateSource::Smartphone,
    };
    let signed = mynasign::flow::sign_consent_with(
        &mut Adapter(signer),
        source,
        &doc,
        &SignOptions::default(),
    )?;
    Ok(SignedConsentInfo {
        document_json: String::from_utf8_lossy(&doc.encode()).into_owned(),
        cms: signed.cms,
        certificate: (&signed.certificate).into(),
        source: signed.source.into(),
        counts: signed.stats.into(),
    })
}
