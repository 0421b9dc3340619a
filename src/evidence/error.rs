use super::cvc::Hierarchy;

/// Which of the card-info application's files (or which part of the evidence) a refusal is
/// about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvidenceFile {
    /// EF `0002`, the basic four attributes.
    BasicFour,
    /// EF `0003`, the integrity record.
    IntegrityRecord,
    /// EF `0004`, the application's card-verifiable certificate.
    ApCertificate,
    /// EF `0007`, the application's own public key and the issuer's signature over it.
    SignedApKey,
    /// The presence challenge and the card's answer.
    Presence,
    /// The evidence object's own encoding.
    Evidence,
}

impl EvidenceFile {
    /// `basic_four`, `integrity_record`, `ap_certificate`, `signed_ap_key`, `presence`,
    /// `evidence`.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceFile::BasicFour => "basic_four",
            EvidenceFile::IntegrityRecord => "integrity_record",
            EvidenceFile::ApCertificate => "ap_certificate",
            EvidenceFile::SignedApKey => "signed_ap_key",
            EvidenceFile::Presence => "presence",
            EvidenceFile::Evidence => "evidence",
        }
    }
}

impl core::fmt::Display for EvidenceFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the basic four attributes were not found authentic: one variant per check. Messages
/// name files, key identifiers (public values) and defects, never a personal value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthenticityError {
    /// A file (or the evidence object) does not have the structure the card gives it.
    #[error("malformed {file}: {reason}")]
    Malformed {
        /// Which file.
        file: EvidenceFile,
        /// What is wrong (never a value read from it).
        reason: &'static str,
    },
    /// The evidence object names a format version this library does not read.
    #[error("the evidence's format is not \"{}\"", super::object::EVIDENCE_FORMAT)]
    UnsupportedFormat,
    /// The certificate's issuer key id is none of the trusted CA keys.
    #[error(
        "the card-verifiable certificate names issuer key {key_id}, which is not a trusted CA key"
    )]
    UnknownAuthority {
        /// The issuer key id, printable form (`5000033/001`).
        key_id: String,
    },
    /// The certificate's issuer is a CA key of the other J-LIS hierarchy than the one asked
    /// for (a JPKI-TEST card checked as production, or the reverse). Hierarchies are never
    /// mixed.
    #[error("the card-verifiable certificate was issued by {key_id} of the {found} hierarchy, not the {expected} one")]
    WrongHierarchy {
        /// The issuer key id, printable form.
        key_id: String,
        /// The hierarchy its issuer belongs to.
        found: Hierarchy,
        /// The hierarchy the verifier trusts.
        expected: Hierarchy,
    },
    /// The card-verifiable certificate's signature does not verify under the CA key it names.
    #[error("the card-verifiable certificate's signature does not verify under its CA key")]
    CertificateSignature,
    /// The integrity record's signature (`DF33`) does not verify under the certified key.
    #[error("the integrity record's signature does not verify under the certified key")]
    RecordSignature,
    /// The basic four attributes are not the ones the integrity record's `DF32` vouches for.
    #[error("the basic four attributes do not match the integrity record")]
    AttributesDigest,
    /// The My Number file is not the one the integrity record's `DF31` vouches for (checked
    /// only with the `my-number` feature).
    #[error("the My Number file does not match the integrity record")]
    MyNumberDigest,
    /// The issuer's signature over the application's own key (EF `0007`) does not verify.
    #[error("the signature over the card-info application's key does not verify")]
    ApKeySignature,
    /// Presence was asked for (a challenge given) and the evidence has no answer.
    #[error("the evidence carries no presence answer")]
    PresenceMissing,
    /// The evidence answers another challenge than the one issued (a replayed answer).
    #[error("the presence answer is for another challenge (a replay?)")]
    ChallengeMismatch,
    /// The card's answer to the challenge does not verify under the application's key.
    #[error("the presence answer does not verify under the card-info application's key")]
    PresenceSignature,
    /// A challenge shorter than 16 or longer than 255 bytes.
    #[error("a presence challenge is 16 to 255 bytes")]
    ChallengeLength,
}

impl AuthenticityError {
    /// A stable machine-readable code (`malformed`, `unknown_authority`, `wrong_hierarchy`,
    /// `certificate_signature`, `record_signature`, `attributes_digest`, `my_number_digest`,
    /// `ap_key_signature`,
    /// `presence_missing`, `challenge_mismatch`, `presence_signature`, `challenge_length`,
    /// `unsupported_format`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthenticityError::Malformed { .. } => "malformed",
            AuthenticityError::UnsupportedFormat => "unsupported_format",
            AuthenticityError::UnknownAuthority { .. } => "unknown_authority",
            AuthenticityError::WrongHierarchy { .. } => "wrong_hierarchy",
            AuthenticityError::CertificateSignature => "certificate_signature",
            AuthenticityError::RecordSignature => "record_signature",
            AuthenticityError::AttributesDigest => "attributes_digest",
            AuthenticityError::MyNumberDigest => "my_number_digest",
            AuthenticityError::ApKeySignature => "ap_key_signature",
            AuthenticityError::PresenceMissing => "presence_missing",
            AuthenticityError::ChallengeMismatch => "challenge_mismatch",
            AuthenticityError::PresenceSignature => "presence_signature",
            AuthenticityError::ChallengeLength => "challenge_length",
        }
    }
}

pub(crate) fn malformed(file: EvidenceFile, reason: &'static str) -> AuthenticityError {
    AuthenticityError::Malformed { file, reason }
}
