//! Signing with a key the app holds (a smartphone certificate's key in the platform keystore).

use std::sync::{Arc, Mutex};

use mynasign::cms::{ContentSigner, SignOptions as CoreSignOptions, SignatureAlgorithm};
use mynasign::consent::CertificateSource as CoreSource;

use crate::error::MynaError;
use crate::objects::{ConsentDocument, SignedConsent};
use crate::records::{CertificateSource, FlowStep, Progress, SignOptions};
use crate::worker::{run_local, CancelHandle, ProgressListener};

/// The algorithm of an app-held key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum KeyAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// ECDSA P-256 with SHA-256 (signature DER-encoded).
    EcdsaP256Sha256,
}

/// Why the app's signer failed.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum SignerError {
    /// The holder cancelled (for example a biometric prompt).
    #[error("signing was cancelled")]
    Cancelled,
    /// The keystore failed (key invalidated, user not authenticated, hardware error); no
    /// personal data in `detail`.
    #[error("the keystore failed: {detail}")]
    Failed {
        /// What happened.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SignerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SignerError::Failed {
            detail: format!("the signer threw {}", crate::link::thrown_type(&e.reason)),
        }
    }
}

/// A signing key the app holds, for smartphone signature certificates whose key lives in a
/// platform keystore (Android Keystore, the iOS Secure Enclave): the library builds the CMS,
/// the app signs the bytes it is given. Called on the flow's worker thread; every method may
/// throw, and what it throws becomes `KeystoreFailed` (or `Cancelled`).
#[uniffi::export(foreign)]
pub trait KeystoreSigner: Send + Sync {
    /// The certificate of the key (DER).
    fn certificate_der(&self) -> Result<Vec<u8>, SignerError>;
    /// The key's algorithm.
    fn algorithm(&self) -> Result<KeyAlgorithm, SignerError>;
    /// Signs `message` with SHA-256 (Android: `Signature.getInstance("SHA256withRSA")` or
    /// `"SHA256withECDSA"`; iOS: `SecKeyCreateSignature` with
    /// `.rsaSignatureMessagePKCS1v15SHA256` or `.ecdsaSignatureMessageX962SHA256`).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerError>;
}

/// The app's signer as the core's, remembering how it failed (the core only sees that it
/// did).
struct Adapter {
    signer: Arc<dyn KeystoreSigner>,
    certificate: Vec<u8>,
    algorithm: KeyAlgorithm,
    failure: Arc<Mutex<Option<SignerError>>>,
}

impl ContentSigner for Adapter {
    type Error = mynasign::Error;

    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match self.algorithm {
            KeyAlgorithm::RsaPkcs1Sha256 => SignatureAlgorithm::RsaPkcs1Sha256,
            KeyAlgorithm::EcdsaP256Sha256 => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    fn sign(&mut self, message: &[u8]) -> mynasign::Result<Vec<u8>> {
        // The core only needs to stop; how the signer failed is kept for the FFI's error.
        self.signer.sign(message.to_vec()).map_err(|e| {
            *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
            mynasign::Error::Cancelled
        })
    }
}

pub(crate) fn keystore_error(e: SignerError) -> MynaError {
    match e {
        SignerError::Cancelled => MynaError::Cancelled {
            during_verify: false,
        },
        SignerError::Failed { detail } => MynaError::KeystoreFailed { detail },
    }
}

/// Signs a consent document with a key the app holds (a smartphone certificate's key in the
/// platform keystore), after the same checks as on a card (channel rule for `source`, a
/// signature certificate, the linkage attributes). Progress: 1 step. Only `signing_time` of
/// `options` applies.
#[uniffi::export(default(listener = None, cancel = None, options))]
pub async fn sign_consent_with_signer(
    signer: Arc<dyn KeystoreSigner>,
    source: CertificateSource,
    document: Arc<ConsentDocument>,
    options: SignOptions,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Arc<SignedConsent>, MynaError> {
    run_local(cancel, move || {
        let certificate = signer.certificate_der().map_err(keystore_error)?;
        let algorithm = signer.algorithm().map_err(keystore_error)?;
        if let Some(l) = &listener {
            l.on_progress(Progress::new(FlowStep::KeystoreSigning, 1, 1))
                .map_err(|e| MynaError::CallbackFailed {
                    callback: "progress".into(),
                    detail: e.to_string(),
                })?;
        }
        let failure = Arc::new(Mutex::new(None));
        let mut adapter = Adapter {
            signer,
            certificate,
            algorithm,
            failure: failure.clone(),
        };
        let doc = document.inner.clone();
        let source: CoreSource = source.into();
        let mut sign_options = CoreSignOptions::default();
        if let Some(t) = options.signing_time {
            sign_options.signing_time = t;
        }
        let signed = mynasign::flow::sign_consent_with(&mut adapter, source, &doc, &sign_options)
            .map_err(|e| {
            match failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
                Some(f) => keystore_error(f),
                None => MynaError::from(e),
            }
        })?;
        Ok(SignedConsent::from_core(signed, doc))
    })
    .await
}
