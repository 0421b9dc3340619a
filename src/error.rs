//! The library's error type.
//!
//! Every failure is a typed variant an app can act on. No message ever contains a PIN, a name,
//! an address, a date of birth or a My Number: variants carry only kinds, counts and status
//! words.

use crate::apdu::{ApduError, StatusWord};
use crate::cert::CertError;
use crate::pin::{PinFormatError, PinKind};
use crate::transport::TransportError;

/// Why a card is not taken for a My Number Card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMyNumberCardReason {
    /// The card has no JPKI application (SELECT answered `6A82`).
    NoJpkiApplication,
    /// The JPKI token label is none of the known ones.
    UnknownToken,
    /// The card has no card-info input support application.
    NoCardInfoApplication,
}

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed (outside VERIFY: the operation can be tried again).
    #[error("transport: {0}")]
    Transport(#[from] TransportError),

    /// The link dropped while a VERIFY was in flight: the card may or may not have counted the
    /// attempt. Nothing was retried; read the PIN status in a new session before trying again.
    #[error("the link to the card was lost during verification of the {pin}: the attempt may have been counted; read the PIN status again before retrying")]
    LinkLostDuringVerify {
        /// The PIN being verified.
        pin: PinKind,
    },

    /// This is not a My Number Card.
    #[error("this is not a My Number Card ({reason:?})")]
    NotMyNumberCard {
        /// Why.
        reason: NotMyNumberCardReason,
    },

    /// The PIN was rejected locally, before anything was sent: no attempt was used.
    #[error("the {pin} has an invalid format: {reason}")]
    InvalidPinFormat {
        /// Which PIN.
        pin: PinKind,
        /// What is wrong with it.
        reason: PinFormatError,
    },

    /// The card rejected the PIN.
    #[error("wrong {pin}: {remaining} attempts left")]
    WrongPin {
        /// Which PIN.
        pin: PinKind,
        /// Attempts left (at least 1: the attempt that uses the last try is
        /// [`Error::PinNowBlocked`]).
        remaining: u8,
    },

    /// The card rejected the PIN and that attempt was the last one: the PIN is now blocked.
    /// It can only be reset at a municipal office or a convenience-store kiosk.
    #[error("wrong {pin}: that was the last attempt, the PIN is now blocked; reset it at your municipality or a convenience-store kiosk")]
    PinNowBlocked {
        /// Which PIN.
        pin: PinKind,
    },

    /// The PIN is blocked; it can only be reset at a municipal office or a convenience-store
    /// kiosk. Nothing was sent.
    #[error("the {pin} is blocked: reset it at your municipality or a convenience-store kiosk")]
    PinBlocked {
        /// Which PIN.
        pin: PinKind,
    },

    /// Only one attempt is left, and the caller did not allow using it. Nothing was sent.
    #[error("only one attempt is left for the {pin}; VERIFY was not sent (allow the last attempt explicitly to use it)")]
    LastAttemptGuard {
        /// Which PIN.
        pin: PinKind,
    },

    /// The operation needs a PIN that has not been verified in this session.
    #[error("the {pin} must be verified first")]
    PinNotVerified {
        /// Which PIN.
        pin: PinKind,
    },

    /// This PIN does not belong to the application of this session (for example the card-info
    /// PIN in a JPKI session).
    #[error("the {pin} does not belong to this application")]
    PinNotForApplication {
        /// Which PIN.
        pin: PinKind,
    },

    /// The certificate is not a JPKI signature certificate (a consent needs one).
    #[error("not a signature certificate")]
    NotSignatureCertificate,

    /// A consent document could not be built, encoded or checked.
    #[error("consent: {0}")]
    Consent(#[from] crate::consent::ConsentError),

    /// A signature did not verify.
    #[error("verification: {0}")]
    Verify(#[from] crate::verify::VerifyError),

    /// The card-info files read are not authentic, or the card did not prove its presence.
    #[error("card-info authenticity: {0}")]
    Authenticity(#[from] crate::evidence::AuthenticityError),
    /// A login challenge or response could not be used (see [`crate::login::LoginError`]).
    #[error("login: {0}")]
    Login(#[from] crate::login::LoginError),

    /// The card carries no signature certificate (for example a holder under 15).
    #[error("no signature certificate on this card")]
    NoSignatureCertificate,

    /// A file the operation needs is missing on the card.
    #[error("file {ef:04X} not found on the card")]
    FileNotFound {
        /// The EF id.
        ef: u16,
    },

    /// The card answered a status word the operation cannot continue with.
    #[error("the card answered {sw} to {operation}")]
    CardStatus {
        /// The operation (`SELECT`, `READ BINARY`, ...).
        operation: &'static str,
        /// The status word.
        sw: StatusWord,
    },

    /// A response or record did not have the expected structure.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What is wrong (never personal data).
        reason: String,
    },

    /// An APDU could not be encoded or decoded.
    #[error("APDU: {0}")]
    Apdu(#[from] ApduError),

    /// A command is too long for the transport.
    #[error("a {len}-byte command exceeds the transport's {max}-byte limit")]
    CommandTooLong {
        /// The command's length.
        len: usize,
        /// The transport's limit.
        max: usize,
    },

    /// A CMS `SignedData` could not be built.
    #[error("CMS: {0}")]
    Cms(#[from] crate::cms::CmsError),

    /// A certificate could not be parsed or is not a JPKI certificate.
    #[error("certificate: {0}")]
    Certificate(#[from] CertError),

    /// The operation was cancelled between two exchanges.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Malformed {
            what,
            reason: reason.into(),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
