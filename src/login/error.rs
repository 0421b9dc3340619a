use crate::verify::VerifyError;

/// Why a login challenge or response was refused. Each reason is distinct; none carries
/// personal data (an authentication certificate holds none, and messages name fields only).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The challenge or response JSON is not one this library writes (the value names the
    /// field).
    #[error("malformed login {0}")]
    Malformed(String),
    /// The JSON is larger than [`super::MAX_LOGIN_JSON_SIZE`]; it was not parsed.
    #[error("the login JSON is {size} bytes, more than the {max} accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// The service identifier is empty, too long or holds control characters.
    #[error("invalid service identifier")]
    InvalidService,
    /// The session identifier is empty or too long.
    #[error("invalid session identifier")]
    InvalidSession,
    /// The challenge was not issued by this verifier's store (or was forgotten since).
    #[error("unknown challenge")]
    UnknownChallenge,
    /// The challenge was already answered once: a replay.
    #[error("the challenge was already used")]
    ChallengeReplayed,
    /// The challenge's lifetime ended before the response was received.
    #[error("the challenge has expired")]
    ChallengeExpired,
    /// The challenge was issued to another session of the service.
    #[error("the challenge was issued to another session")]
    SessionMismatch,
    /// The response is of the other form than the challenge (a raw answer to a bound
    /// challenge is a downgrade).
    #[error("the response's form is not the challenge's")]
    FormMismatch,
    /// A bound response names another service than this one: the signature was made for
    /// another site and relayed here.
    #[error("the response was made for another service (relayed)")]
    RelayedResponse,
    /// The bound client data names another nonce than the challenge's.
    #[error("the client data's nonce is not the challenge's")]
    NonceMismatch,
    /// The client data's time is not within the allowed skew of the receipt time.
    #[error("the client data's time is not within the allowed skew of the receipt time")]
    ClientTimeSkew,
    /// The signature does not verify with the certificate's key over what was to be signed.
    #[error("the login signature does not verify")]
    BadSignature,
    /// A signature certificate (署名用電子証明書) was offered for a login: it is never
    /// accepted as an authentication certificate.
    #[error("a signature certificate cannot be used to log in")]
    SignatureCertificate,
    /// The certificate was not accepted as an authentication certificate (untrusted chain,
    /// wrong root family, policy, key usage, EKU, validity, revoked, revocation not
    /// established, OCSP response unusable...): the verifier's own reason.
    #[error("certificate: {0}")]
    Certificate(VerifyError),
    /// The challenge store failed (a service's own store: a database error, for example).
    #[error("challenge store: {0}")]
    Store(String),
    /// No randomness could be obtained for a nonce.
    #[error("no randomness for the challenge")]
    Randomness,
}

impl LoginError {
    /// A stable snake_case code (the CLI's `--json` `code`); for
    /// [`LoginError::Certificate`], the verifier's own code (`revoked`, `wrong_policy`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::InvalidService => "invalid_service",
            Self::InvalidSession => "invalid_session",
            Self::UnknownChallenge => "unknown_challenge",
            Self::ChallengeReplayed => "challenge_replayed",
            Self::ChallengeExpired => "challenge_expired",
            Self::SessionMismatch => "session_mismatch",
            Self::FormMismatch => "form_mismatch",
            Self::RelayedResponse => "relayed_response",
            Self::NonceMismatch => "nonce_mismatch",
            Self::ClientTimeSkew => "client_time_skew",
            Self::BadSignature => "bad_signature",
            Self::SignatureCertificate => "signature_certificate_for_login",
            Self::Certificate(e) => e.code(),
            Self::Store(_) => "store",
            Self::Randomness => "randomness",
        }
    }
}

impl From<VerifyError> for LoginError {
    fn from(e: VerifyError) -> Self {
        match e {
            VerifyError::SignatureCertificateForLogin => Self::SignatureCertificate,
            other => Self::Certificate(other),
        }
    }
}
