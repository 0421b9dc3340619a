//! Transports: the thin link to a card. A transport sends a command's bytes and returns the
//! response's bytes; nothing else. Chaining, retries, length negotiation and every card rule
//! live above it, once (see [`crate::card`]).
//!
//! Apps implement [`CardTransport`] over Android `IsoDep` or an OMAPI channel, iOS CoreNFC, or
//! a PC/SC reader; the emulator implements it too.

use std::sync::Arc;

#[cfg(feature = "pcsc")]
pub mod pcsc;

/// What a transport can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportCapabilities {
    /// Whether extended-length APDUs may be sent (the card may still refuse them; the client
    /// then falls back and remembers).
    pub extended_length: bool,
    /// The largest command APDU, in bytes, header included.
    pub max_command_len: usize,
    /// The largest response APDU, in bytes, status word included.
    pub max_response_len: usize,
}

impl TransportCapabilities {
    /// Short APDUs only: 261-byte commands, 258-byte responses.
    pub const SHORT: Self = Self {
        extended_length: false,
        max_command_len: 261,
        max_response_len: 258,
    };

    /// Extended APDUs up to the ISO maximum.
    pub const EXTENDED: Self = Self {
        extended_length: true,
        max_command_len: 65_544,
        max_response_len: 65_538,
    };
}

impl Default for TransportCapabilities {
    fn default() -> Self {
        Self::SHORT
    }
}

/// The GlobalPlatform issuer security domain's AID, `A0 00 00 01 51 00 00`: selectable on the
/// card, its selection makes the power-on MF state current (`myna-card` `src/mf.rs`,
/// `MasterFile::select`; `src/ap/mod.rs`, `DEFAULT_DF`).
pub const ISSUER_SECURITY_DOMAIN_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00];

/// Leaves the current application by selecting the issuer security domain (the MF state):
/// every PIN verified in the application is no longer in effect (PROTOCOL.md 3a, JICSAP 5.1.3
/// rule 3, as `myna-card` measured it: `src/lib.rs`, "Security status can outlive your
/// program"). A warm reset or a disconnect does not do this on a real card; a link that lets a
/// card go to other programs sends it first. Returns whether the card answered `9000`.
///
/// Not counted in a flow's exchanges: it belongs to releasing the link, not to the flow.
pub fn leave_application(transport: &dyn CardTransport) -> bool {
    matches!(
        transport.transmit(&leave_command()).as_deref(),
        Ok([.., 0x90, 0x00])
    )
}

/// `00 A4 04 0C 07 A0 00 00 01 51 00 00`: the SELECT [`leave_application`] sends.
pub(crate) fn leave_command() -> Vec<u8> {
    let mut select = vec![
        0x00,
        0xA4,
        0x04,
        0x0C,
        ISSUER_SECURITY_DOMAIN_AID.len() as u8,
    ];
    select.extend_from_slice(&ISSUER_SECURITY_DOMAIN_AID);
    select
}

/// A transport failure, as the app's transport reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The card left the field or the link dropped (Android `TagLostException`, CoreNFC
    /// connection lost, PC/SC card removed).
    #[error("the card link was lost")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// Anything else, with a description that must not contain personal data.
    #[error("transport failure: {0}")]
    Other(String),
}

/// The link to a card: sends one command APDU, returns one response APDU (data and SW).
///
/// Implementations must be thread-safe; they are called from one thread at a time per session.
pub trait CardTransport: Send + Sync {
    /// Sends `command` and returns the card's raw response, status word included.
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// What this transport can carry. The default is short APDUs only.
    fn capabilities(&self) -> TransportCapabilities {
        TransportCapabilities::SHORT
    }
}

impl<T: CardTransport + ?Sized> CardTransport for Arc<T> {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> TransportCapabilities {
        (**self).capabilities()
    }
}

impl<T: CardTransport + ?Sized> CardTransport for Box<T> {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> TransportCapabilities {
        (**self).capabilities()
    }
}
