//! The CMS layer's own error: what can go wrong while assembling a `SignedData`, apart from
//! the signer's own failures (which keep their type: see [`super::ContentSigner::Error`]).

use crate::cert::CertError;

/// Why a `SignedData` could not be built. No variant carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The signer's certificate, or an extra certificate, is not a certificate.
    #[error("certificate: {0}")]
    Certificate(#[from] CertError),
    /// A part of the structure could not be DER-encoded.
    #[error("could not encode the {what}: {reason}")]
    Encoding {
        /// Which part.
        what: &'static str,
        /// The encoder's reason (never content).
        reason: String,
    },
    /// A software key failed to sign.
    #[error("the {0} key failed to sign")]
    Signing(&'static str),
}
