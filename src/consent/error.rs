//! The consent module's error type. Messages name fields and kinds, never values.

use crate::attributes::AttributeField;

use super::{CertificateSource, Channel, DocumentKind};

/// Why a document may not be signed with a certificate through a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRuleReason {
    /// This kind of document is not accepted through this channel at all.
    ChannelNotAllowed,
    /// Only the card's signature certificate (個人番号カード用署名用電子証明書) is accepted here;
    /// the smartphone's (移動端末設備用署名用電子証明書) is not.
    CardCertificateRequired,
}

impl core::fmt::Display for ChannelRuleReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ChannelRuleReason::ChannelNotAllowed => "this document is not accepted on this channel",
            ChannelRuleReason::CardCertificateRequired => {
                "only the card's signature certificate is accepted here"
            }
        })
    }
}

/// Everything that can go wrong building, encoding, decoding or checking a consent document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsentError {
    /// No consent item was selected: at least one of address, name, date of birth is needed.
    #[error("no consent item selected: choose at least one of address, name, date of birth")]
    EmptySelection,

    /// The nonce / transaction id is empty, too long, or not printable ASCII.
    #[error("invalid nonce: it must be 1 to {max} printable ASCII characters without spaces", max = super::Nonce::MAX_LEN)]
    InvalidNonce,

    /// A field has a value of the right JSON type but not an acceptable one (or a constructor
    /// argument is unacceptable).
    #[error("invalid value for field `{field}`")]
    InvalidField {
        /// The field's name.
        field: &'static str,
    },

    /// A required field is absent.
    #[error("missing field `{field}`")]
    MissingField {
        /// The field's name.
        field: &'static str,
    },

    /// A field the document type does not define is present (its name is not repeated here).
    #[error("unknown field in document")]
    UnknownField,

    /// The bytes are larger than [`super::MAX_DOCUMENT_SIZE`]; they were not decoded.
    #[error("the document is {size} bytes, more than the {max} accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },

    /// The bytes are not a JSON document of the expected shape.
    #[error("malformed document: {reason}")]
    Malformed {
        /// What is wrong, in fixed words.
        reason: &'static str,
    },

    /// The document decodes, but the bytes are not its canonical (RFC 8785) encoding.
    #[error("the document is not in canonical (RFC 8785) form")]
    NotCanonical,

    /// The document's `version` is not one this library knows.
    #[error("unknown document version {version}")]
    UnknownVersion {
        /// The version found.
        version: u64,
    },

    /// The document's `type` is not one this library knows.
    #[error("unknown document type")]
    UnknownDocumentType,

    /// The document may not be signed with this certificate through this channel.
    #[error("channel rule: {kind} through {channel} with the {certificate} certificate: {reason}")]
    ChannelRule {
        /// The document kind.
        kind: DocumentKind,
        /// The channel the document names.
        channel: Channel,
        /// The certificate offered or found.
        certificate: CertificateSource,
        /// Which rule is broken.
        reason: ChannelRuleReason,
    },

    /// The basic four attributes read from the card-info input support AP differ from those in
    /// the signature certificate (names of the fields only).
    #[error("the basic four attributes differ in: {}", join_fields(.fields))]
    AttributeMismatch {
        /// The fields that differ.
        fields: Vec<AttributeField>,
    },

    /// A date or time is outside the range the library handles (years 1970 to 9999).
    #[error("date out of range")]
    DateOutOfRange,
}

fn join_fields(fields: &[AttributeField]) -> String {
    fields
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
