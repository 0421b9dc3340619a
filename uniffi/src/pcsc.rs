//! PC/SC card readers for desktops and kiosks (feature `pcsc`): the core's PC/SC transport
//! as a [`CardLink`] implemented in Rust, so that a Python (or JVM) back end passes it to
//! the one-call flows like any link: `sign_consent(pcsc_connect(None, 0), ...)`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use mynasign::transport::pcsc::{PcscCard, PcscContext, PcscError};
use mynasign::transport::{CardTransport, TransportError};

use crate::error::MynaError;
use crate::link::{CardLink, LinkError};

/// A card reader as PC/SC sees it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PcscReader {
    /// The reader's name (e.g. `Virtual PCD 00 00`), to pass to [`pcsc_connect`].
    pub name: String,
    /// Whether a card is in the reader.
    pub card_present: bool,
    /// Whether another application holds the card exclusively.
    pub exclusive: bool,
    /// The card's ATR (empty without a card).
    pub atr: Vec<u8>,
}

fn failed(e: PcscError) -> MynaError {
    MynaError::LinkFailed {
        detail: e.to_string(),
    }
}

/// The readers connected now, with whether each holds a card (empty when there is none).
/// Fails with `LinkFailed` when the PC/SC service (`pcscd`) is not running.
#[uniffi::export]
pub fn pcsc_readers() -> Result<Vec<PcscReader>, MynaError> {
    let context = PcscContext::establish().map_err(failed)?;
    Ok(context
        .readers()
        .map_err(failed)?
        .into_iter()
        .map(|r| PcscReader {
            name: r.name,
            card_present: r.card_present,
            exclusive: r.exclusive,
            atr: r.atr,
        })
        .collect())
}

/// Connects to the card in `reader` (any reader holding a card when `null`), waiting up to
/// `wait_seconds` for one to be inserted, and returns it as a link for the flows (T=1,
/// extended length with the library's fallback). The card is this application's alone while
/// the link is open (exclusive access), so no other application can slip a VERIFY between a
/// flow's PIN-status read and its VERIFY. Blocks while waiting. Closing the link (what a
/// cancellation does) leaves the card application and disconnects, unpowering the card, so no
/// PIN stays verified for the next application (`PcscCard::disconnect`). Fails with
/// `LinkFailed` (no service, no reader, no card, unknown reader, sharing violation).
#[uniffi::export(default(reader = None, wait_seconds = 0))]
pub fn pcsc_connect(
    reader: Option<String>,
    wait_seconds: i32,
) -> Result<Arc<dyn CardLink>, MynaError> {
    let wait_seconds = u64::try_from(wait_seconds).unwrap_or(0);
    let context = PcscContext::establish().map_err(failed)?;
    let card = context
        .connect_first_exclusive(reader.as_deref(), Duration::from_secs(wait_seconds))
        .map_err(failed)?;
    Ok(Arc::new(PcscLink {
        card: RwLock::new(Some(card)),
        closed: AtomicBool::new(false),
    }))
}

/// A connected card as a [`CardLink`].
struct PcscLink {
    card: RwLock<Option<PcscCard>>,
    closed: AtomicBool,
}

impl PcscLink {
    /// Disconnects (leaving the application, unpowering the card) if nobody is transmitting; otherwise the transmit
    /// in flight disconnects when it returns.
    fn disconnect_if_idle(&self) {
        if let Ok(mut guard) = self.card.try_write() {
            if let Some(card) = guard.take() {
                let _ = card.disconnect();
            }
        }
    }
}

impl CardLink for PcscLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        // A VERIFY carries a PIN: this copy is wiped when dropped.
        let command = zeroize::Zeroizing::new(command);
        let result = {
            let guard = self.card.read().map_err(|_| LinkError::TagLost)?;
            match guard.as_ref() {
                Some(card) if !self.closed.load(Ordering::SeqCst) => card.transmit(&command),
                _ => Err(TransportError::TagLost),
            }
        };
        if self.closed.load(Ordering::SeqCst) {
            self.disconnect_if_idle();
            return Err(LinkError::TagLost);
        }
        result.map_err(|e| match e {
            TransportError::TagLost => LinkError::TagLost,
            TransportError::Timeout => LinkError::Timeout,
            other => LinkError::Other {
                detail: other.to_string(),
            },
        })
    }

    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        let guard = self.card.read().map_err(|_| LinkError::TagLost)?;
        Ok(match guard.as_ref() {
            Some(card) => card.capabilities().extended_length,
            None => true,
        })
    }

    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(0)
    }

    fn close(&self) -> Result<(), LinkError> {
        self.closed.store(true, Ordering::SeqCst);
        self.disconnect_if_idle();
        Ok(())
    }
}
