//! The app's link to the card ([`CardLink`]) and its adapter to the core's transport, which
//! lets a cancellation close the link so that a blocked `transceive` returns.

use std::sync::{Arc, Mutex};

use mynasign::card::CancelToken;
use mynasign::transport::{CardTransport, TransportCapabilities, TransportError};

use crate::error::MynaError;

/// Why the app's link to the card failed. Thrown by the app's [`CardLink`] implementation.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum LinkError {
    /// The card left the field (Android `TagLostException`, CoreNFC connection lost), or the
    /// link was closed.
    #[error("the card link was lost")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// Any other failure; `detail` must not contain personal data.
    #[error("link failure: {detail}")]
    Other {
        /// What happened. (Not `message`: Kotlin exceptions already have one.)
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for LinkError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // An exception of another type thrown by the app's link: a typed error, never a panic.
        LinkError::Other {
            detail: format!("the link threw {}", thrown_type(&e.reason)),
        }
    }
}

/// The type of what a foreign callback threw, from uniffi's text of it (Kotlin
/// `java.lang.IllegalStateException: …`, Swift `MyError(…)`, Python `ValueError('…')`): only
/// the type is kept, since the message is the app's and may hold anything, personal data
/// included.
pub(crate) fn thrown_type(reason: &str) -> String {
    let name: String = reason
        .trim()
        .split(|c: char| c == '(' || c == ':' || c == '{' || c.is_whitespace())
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$'))
        .take(80)
        .collect();
    if name.is_empty() {
        "an exception".into()
    } else {
        name
    }
}

/// The link to a card, implemented by the app: send one command APDU, return the response
/// APDU (data and status word). Kotlin: `IsoDep.transceive` (raise the timeout for RSA, e.g.
/// `isoDep.timeout = 20_000`) or an OMAPI `Channel.transmit`; a PC/SC reader; the emulator.
/// The library calls the link on its own worker thread, never on the caller's, so
/// `transceive` may block. A platform whose card API is async (CoreNFC) implements
/// [`AsyncCardLink`](crate::AsyncCardLink) instead and passes
/// [`card_link_from_async`](crate::card_link_from_async)`(link)`.
///
/// Every method may throw; what it throws becomes a typed error of the flow.
#[uniffi::export(rust, foreign)]
pub trait CardLink: Send + Sync {
    /// Sends `command` and returns the raw response. May block; must return (with
    /// `TagLost`) once [`CardLink::close`] was called.
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError>;
    /// Whether extended-length APDUs may be sent (Android:
    /// `isExtendedLengthApduSupported()`; the library falls back if the card refuses).
    fn supports_extended_length(&self) -> Result<bool, LinkError>;
    /// The largest command or response the link carries, in bytes (Android:
    /// `maxTransceiveLength`); 0 for the ISO defaults.
    fn max_transceive_length(&self) -> Result<i32, LinkError>;
    /// The flow was cancelled: close the link (Android `IsoDep.close()`, CoreNFC
    /// `session.invalidate()`), so that a pending `transceive` returns. Called from the
    /// cancelling thread; never while a PIN VERIFY is in flight (that one completes first,
    /// so its attempt is accounted for).
    fn close(&self) -> Result<(), LinkError>;
}

/// Where the link is in its exchange, to decide what a cancellation may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for its turn on a link another flow is using ([`crate::serial`]).
    Queued,
    Idle,
    Sending {
        verify: bool,
    },
    /// Cancelled while a VERIFY was in flight: close as soon as it returns.
    CloseAfterVerify,
    Closed,
}

/// The shared state of one flow's link: the cancel token the core checks before each
/// exchange, and the phase a cancellation looks at.
pub(crate) struct LinkState {
    link: Arc<dyn CardLink>,
    token: CancelToken,
    phase: Mutex<Phase>,
}

impl LinkState {
    pub(crate) fn new(link: Arc<dyn CardLink>, token: CancelToken) -> Arc<Self> {
        Arc::new(Self {
            link,
            token,
            phase: Mutex::new(Phase::Idle),
        })
    }

    /// The state of a flow that waits for its turn on the link before sending
    /// ([`crate::serial::wait_turn`], then [`LinkState::start`]).
    pub(crate) fn queued(link: Arc<dyn CardLink>, token: CancelToken) -> Arc<Self> {
        let state = Self::new(link, token);
        *state.phase() = Phase::Queued;
        state
    }

    /// The flow has its turn: it may send.
    pub(crate) fn start(&self) {
        let mut phase = self.phase();
        if *phase == Phase::Queued {
            *phase = Phase::Idle;
        }
    }

    /// Which link this is, to order the flows sharing it: the address of the shared object.
    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.link) as *const u8 as usize
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Cancels the flow: the core sends nothing more, and the link is closed now (so a
    /// pending `transceive` returns) unless a VERIFY is in flight, in which case it is
    /// closed when that VERIFY returns.
    pub(crate) fn cancel(&self) {
        self.token.cancel();
        let close_now = {
            let mut phase = self.phase();
            match *phase {
                Phase::Sending { verify: true } => {
                    *phase = Phase::CloseAfterVerify;
                    false
                }
                Phase::Closed | Phase::CloseAfterVerify => false,
                // Not started: the link is another flow's now; it is left open.
                Phase::Queued => {
                    *phase = Phase::Closed;
                    crate::serial::wake();
                    false
                }
                Phase::Idle | Phase::Sending { verify: false } => {
                    *phase = Phase::Closed;
                    true
                }
            }
        };
        if close_now {
            // The app's close may throw: the flow ends with Cancelled either way.
            let _ = self.link.close();
        }
    }

    /// Whether the flow was cancelled.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// A command that carries a PIN: VERIFY (INS `20`) with data.
fn is_verify_with_data(command: &[u8]) -> bool {
    command.len() > 5 && command[1] == 0x20
}

/// Adapts the app's [`CardLink`] to the core's transport.
pub(crate) struct ForeignTransport {
    state: Arc<LinkState>,
    caps: TransportCapabilities,
}

impl ForeignTransport {
    /// Reads the link's capabilities once (a throwing link fails the flow here, before
    /// anything is sent).
    pub(crate) fn new(state: Arc<LinkState>) -> Result<Self, MynaError> {
        let callback = |e: LinkError| MynaError::CallbackFailed {
            callback: "link".into(),
            detail: e.to_string(),
        };
        let extended = state.link.supports_extended_length().map_err(callback)?;
        let max = state.link.max_transceive_length().map_err(callback)?;
        let base = if extended {
            TransportCapabilities::EXTENDED
        } else {
            TransportCapabilities::SHORT
        };
        let caps = match usize::try_from(max) {
            Ok(0) | Err(_) => base,
            Ok(n) => TransportCapabilities {
                extended_length: extended && n > 261,
                max_command_len: n.min(base.max_command_len),
                max_response_len: n.min(base.max_response_len),
            },
        };
        Ok(Self { state, caps })
    }
}

impl CardTransport for ForeignTransport {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let verify = is_verify_with_data(command);
        {
            let mut phase = self.state.phase();
            if *phase == Phase::Closed || self.state.token.is_cancelled() {
                return Err(TransportError::TagLost);
            }
            *phase = Phase::Sending { verify };
        }
        // The copy is moved into uniffi's buffer for the app, which frees it after reading
        // (the core wipes its own copies of a PIN command).
        let result = self.state.link.transceive(command.to_vec());
        let close_now = {
            let mut phase = self.state.phase();
            match *phase {
                Phase::CloseAfterVerify => {
                    *phase = Phase::Closed;
                    true
                }
                Phase::Closed => false,
                _ => {
                    *phase = Phase::Idle;
                    false
                }
            }
        };
        if close_now {
            let _ = self.state.link.close();
        }
        result.map_err(|e| match e {
            LinkError::TagLost => TransportError::TagLost,
            LinkError::Timeout => TransportError::Timeout,
            LinkError::Other { detail } => TransportError::Other(detail),
        })
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.caps
    }
}
