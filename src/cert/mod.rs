//! JPKI certificates: a typed view over `x509-cert`.
//!
//! [`JpkiCertificate`] parses a DER (or PEM) certificate and exposes what the JPKI profile
//! (PROTOCOL.md section 8) puts in it: the issuance number (発行番号, the serial number), the
//! names, the validity, the key, the key usage and policies, what kind of JPKI certificate it
//! is, and, for signature certificates, the basic four attributes carried as subjectAltName
//! `otherName` entries ([`SignatureAttributes`]). [`JpkiCertificate::verify_issued_by`]
//! checks a certificate's signature against its issuer.
//!
//! Nothing here prints personal data: `Debug` of a certificate shows its kind and issuance
//! number only, and [`CertError`] messages name fields, never values.

mod algorithms;
mod attributes;
mod certificate;
pub(crate) mod ocsp;
pub mod oid;

pub(crate) use algorithms::{verify_signature, KeyCache};

pub use attributes::{SignatureAttributeItem, SignatureAttributes};
pub use certificate::{CertificateKind, JpkiCertificate, KeyInfo, KeyUsageFlags};

/// The largest certificate accepted, in bytes (DER), checked before any decoding
/// ([`CertError::TooLarge`]). JPKI certificates are about 2 KiB; this is the card layer's own
/// cap on one EF object, so every certificate a card can hold fits.
pub const MAX_CERTIFICATE_SIZE: usize = 32 * 1024;

/// The largest PEM text accepted by [`JpkiCertificate::from_pem_or_der`], in bytes, checked
/// before any decoding: room for a bundle of a few certificates at
/// [`MAX_CERTIFICATE_SIZE`] each, in base64 with line breaks.
pub const MAX_PEM_SIZE: usize = 4 * MAX_CERTIFICATE_SIZE;

/// A certificate that could not be parsed or does not follow the JPKI profile.
///
/// No message contains personal data: attribute errors name the item, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// Not DER or not an X.509 certificate (the reason comes from the DER decoder: tags,
    /// lengths and positions only).
    #[error("not a valid X.509 certificate: {0}")]
    Malformed(String),

    /// The input is larger than the cap ([`MAX_CERTIFICATE_SIZE`] for DER, [`MAX_PEM_SIZE`]
    /// for PEM); it was not decoded.
    #[error("the certificate is {size} bytes, more than the {max} accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },

    /// The bytes are one well-formed DER value, but not an X.509 certificate.
    #[error("the DER value is not an X.509 certificate")]
    NotCertificate,

    /// Bytes follow the certificate. Callers reading a card EF strip the filler first (take
    /// the length from the DER header).
    #[error("{extra} bytes follow the certificate")]
    TrailingData {
        /// How many bytes follow.
        extra: usize,
    },

    /// The PEM armour could not be decoded, or its label is not `CERTIFICATE`.
    #[error("invalid PEM: {0}")]
    Pem(String),

    /// A known extension could not be decoded.
    #[error("the {extension} extension is malformed")]
    InvalidExtension {
        /// The extension's name (`keyUsage`, `subjectAltName`, ...).
        extension: &'static str,
    },

    /// The subject public key could not be decoded.
    #[error("the subject public key is malformed")]
    InvalidKey,

    /// The public key is of an algorithm this operation does not support.
    #[error("unsupported public key algorithm {algorithm}")]
    UnsupportedKey {
        /// The algorithm (dotted OID, or a short description).
        algorithm: String,
    },

    /// The signature algorithm is not supported (RSA PKCS#1 v1.5 with SHA-256/384/512 are).
    #[error("unsupported signature algorithm {algorithm}")]
    UnsupportedSignatureAlgorithm {
        /// The algorithm's dotted OID.
        algorithm: String,
    },

    /// The outer signature algorithm differs from the one inside the signed part.
    #[error("the signature algorithm differs between the certificate and its signed part")]
    SignatureAlgorithmMismatch,

    /// A signature certificate lacks one of the six subjectAltName attributes.
    #[error("the signature certificate has no {item} attribute")]
    MissingAttribute {
        /// Which one.
        item: SignatureAttributeItem,
    },

    /// A subjectAltName attribute has an invalid value.
    #[error("the {item} attribute is invalid: {reason}")]
    InvalidAttribute {
        /// Which one.
        item: SignatureAttributeItem,
        /// What is wrong (never the value).
        reason: &'static str,
    },

    /// The certificate's issuer name is not the candidate issuer's subject name.
    #[error("the certificate was not issued by this CA (issuer name differs)")]
    IssuerMismatch,

    /// The signature does not verify with the issuer's key.
    #[error("the certificate's signature is invalid")]
    SignatureInvalid,

    /// A certificate offered as a trust anchor is not a CA certificate (basicConstraints cA
    /// is not set).
    #[error("a trusted root must be a CA certificate")]
    NotCaCertificate,

    /// A custom root's name does not say which family of certificates it issues (signature
    /// or authentication): give it explicitly (`TrustStore::custom_with_families`).
    #[error(
        "the root's name does not say whether it issues signature or authentication certificates"
    )]
    UnknownRootFamily,
}

impl From<der::Error> for CertError {
    fn from(e: der::Error) -> Self {
        CertError::Malformed(e.to_string())
    }
}
