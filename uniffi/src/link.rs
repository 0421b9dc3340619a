use std::sync::Arc;

use mynasign::transport::{CardTransport, TransportCapabilities, TransportError};

/// Why the app's link to the card failed. Thrown by the app's [`CardLink`] implementation.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum LinkError {
    /// The card left the field (Android `TagLostException`, CoreNFC connection lost).
    #[error("the card link was lost")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// Any other failure; the message must not contain personal data.
    #[error("link failure: {detail}")]
    Other {
        /// What happened. (Not `message`: Kotlin exceptions already have one.)
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for LinkError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // An exception of another type thrown by the app's transport: a typed error, never a
        // panic.
        LinkError::Other { detail: e.reason }
    }
}

/// The link to a card, implemented by the app: send one command APDU, return the response
/// APDU (data and status word). Kotlin: `IsoDep.transceive` (raise the timeout for RSA, e.g.
/// `isoDep.timeout = 20_000`) or an OMAPI `Channel.transmit`; Swift: `NFCISO7816Tag.sendCommand`
/// bridged to a blocking call.
#[uniffi::export(with_foreign)]
pub trait CardLink: Send + Sync {
    /// Sends `command` and returns the raw response.
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError>;
    /// Whether extended-length APDUs may be sent (Android:
    /// `isExtendedLengthApduSupported()`; the library falls back if the card refuses).
    fn supports_extended_length(&self) -> bool;
    /// The largest command or response the link carries, in bytes (Android:
    /// `maxTransceiveLength`); 0 for the ISO defaults.
    fn max_transceive_length(&self) -> u32;
}

/// Adapts the app's [`CardLink`] to the core's transport.
pub(crate) struct ForeignTransport(pub(crate) Arc<dyn CardLink>);

impl CardTransport for ForeignTransport {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transceive(command.to_vec()).map_err(|e| match e {
            LinkError::TagLost => TransportError::TagLost,
            LinkError::Timeout => TransportError::Timeout,
            LinkError::Other { detail } => TransportError::Other(detail),
        })
    }

    fn capabilities(&self) -> TransportCapabilities {
        let extended = self.0.supports_extended_length();
        let base = if extended {
            TransportCapabilities::EXTENDED
        } else {
            TransportCapabilities::SHORT
        };
        match self.0.max_transceive_length() as usize {
            0 => base,
            n => TransportCapabilities {
                extended_length: extended && n > 261,
                max_command_len: n.min(base.max_command_len),
                max_response_len: n.min(base.max_response_len),
            },
        }
    }
}

/// The core transport for an app link.
pub(crate) fn transport(link: Arc<dyn CardLink>) -> Arc<dyn CardTransport> {
    Arc::new(ForeignTransport(link))
}
