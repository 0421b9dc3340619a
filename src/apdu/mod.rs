//! ISO/IEC 7816-4 APDUs: command encoding (short and extended length), command parsing (for the
//! emulator), response parsing, and the status words of the My Number Card.
//!
//! This is the only place that knows the byte layout of an APDU. Chaining (`61xx`) and Le
//! correction (`6Cxx`) are handled once, in [`crate::card::Channel`], not here and not in callers.

mod command;
mod response;
mod status;

pub use command::{Command, LengthForm, Redaction};
pub use response::Response;
pub use status::{Status, StatusWord};

/// An APDU that could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApduError {
    /// A response shorter than the two status bytes.
    #[error("response of {0} bytes is shorter than a status word")]
    ResponseTooShort(usize),
    /// A command whose bytes do not follow any ISO 7816-4 case.
    #[error("malformed command APDU: {0}")]
    MalformedCommand(&'static str),
    /// Command data or Le too large for the requested length form.
    #[error("command needs extended length but short form was requested")]
    NeedsExtendedLength,
    /// Command data longer than 65535 bytes, or Le above 65536.
    #[error("command data or Le out of range")]
    OutOfRange,
}
