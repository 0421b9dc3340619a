//! PC/SC card readers (feature `pcsc`): the desktop and kiosk transport.
//!
//! [`PcscContext`] lists readers, waits for a card and connects (T=1, shared). A [`PcscCard`]
//! is a [`CardTransport`] by itself; [`PcscCard::transaction`] runs a whole flow inside one
//! exclusive PC/SC transaction, so no other application's commands interleave with it.
//!
//! Failures are typed ([`PcscError`]): no service, no reader, no card, card removed, reader
//! removed, sharing violation. Inside a flow they reach the library as
//! [`TransportError::TagLost`] (card or reader gone), [`TransportError::Timeout`] or
//! [`TransportError::Other`].

use std::ffi::CString;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use zeroize::Zeroize;

use super::{
    leave_application, leave_command, CardTransport, TransportCapabilities, TransportError,
};

/// A PC/SC failure, typed where an application acts differently on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PcscError {
    /// The PC/SC service (`pcscd`) is not running or not reachable.
    #[error("the PC/SC service is not running (start pcscd)")]
    NoService,
    /// No card reader is connected.
    #[error("no card reader is connected")]
    NoReader,
    /// No reader has this name.
    #[error("no reader named {0:?}")]
    UnknownReader(String),
    /// The reader holds no card.
    #[error("no card in the reader")]
    NoCard,
    /// The card was removed (or powered down) during the operation.
    #[error("the card was removed")]
    CardRemoved,
    /// Another application reset the card: its security state is gone.
    #[error("the card was reset by another application")]
    CardReset,
    /// The reader was unplugged or became unavailable.
    #[error("the reader was removed")]
    ReaderRemoved,
    /// Another application holds the card exclusively.
    #[error("another application is using the card (sharing violation)")]
    SharingViolation,
    /// Waiting for a card, or for the card's answer, took too long.
    #[error("timed out")]
    Timeout,
    /// The card does not speak T=1 or is not usable.
    #[error("the card is not usable with T=1")]
    UnsupportedCard,
    /// Anything else, as PC/SC describes it.
    #[error("PC/SC: {0}")]
    Other(String),
}

impl From<pcsc::Error> for PcscError {
    fn from(e: pcsc::Error) -> Self {
        use pcsc::Error as E;
        match e {
            E::NoReadersAvailable => PcscError::NoReader,
            E::NoService | E::ServiceStopped => PcscError::NoService,
            E::NoSmartcard => PcscError::NoCard,
            // pcsc-lite answers "not transacted" to a transmit whose link to the card broke
            // (the reader driver's communication error): the card is gone.
            E::RemovedCard | E::UnpoweredCard | E::NotTransacted => PcscError::CardRemoved,
            E::ResetCard => PcscError::CardReset,
            E::ReaderUnavailable | E::UnknownReader => PcscError::ReaderRemoved,
            E::SharingViolation => PcscError::SharingViolation,
            E::Timeout | E::UnresponsiveCard => PcscError::Timeout,
            E::ProtoMismatch | E::UnsupportedCard | E::CardUnsupported | E::InvalidAtr => {
                PcscError::UnsupportedCard
            }
            other => PcscError::Other(other.to_string()),
        }
    }
}

impl From<PcscError> for TransportError {
    fn from(e: PcscError) -> Self {
        match e {
            PcscError::CardRemoved
            | PcscError::CardReset
            | PcscError::NoCard
            | PcscError::ReaderRemoved => TransportError::TagLost,
            PcscError::Timeout => TransportError::Timeout,
            other => TransportError::Other(other.to_string()),
        }
    }
}

/// A reader as [`PcscContext::readers`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's name, as PC/SC gives it (e.g. `Virtual PCD 00 00`).
    pub name: String,
    /// Whether a card is in the reader.
    pub card_present: bool,
    /// Whether another application holds the card exclusively.
    pub exclusive: bool,
    /// The card's ATR (empty without a card).
    pub atr: Vec<u8>,
}

/// A connection to the PC/SC service.
pub struct PcscContext {
    ctx: pcsc::Context,
}

impl core::fmt::Debug for PcscContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscContext").finish_non_exhaustive()
    }
}

impl PcscContext {
    /// Connects to the PC/SC service.
    pub fn establish() -> Result<Self, PcscError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(|e| match e {
            pcsc::Error::NoService | pcsc::Error::ServiceStopped => PcscError::NoService,
            other => PcscError::from(other),
        })?;
        Ok(Self { ctx })
    }

    /// The connected readers, with whether each holds a card. Empty when there is none.
    pub fn readers(&self) -> Result<Vec<ReaderInfo>, PcscError> {
        let names = match self.ctx.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut states: Vec<pcsc::ReaderState> = names
            .into_iter()
            .map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE))
            .collect();
        match self.ctx.get_status_change(Duration::ZERO, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(states
            .iter()
            .map(|s| {
                let ev = s.event_state();
                let present = ev.contains(pcsc::State::PRESENT) && !ev.contains(pcsc::State::MUTE);
                ReaderInfo {
                    name: s.name().to_string_lossy().into_owned(),
                    card_present: present,
                    exclusive: ev.contains(pcsc::State::EXCLUSIVE),
                    atr: if present {
                        s.atr().to_vec()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect())
    }

    /// Waits up to `timeout` for a card: in `reader` when given, else in any reader. Returns
    /// the name of the reader holding it.
    ///
    /// Fails with [`PcscError::UnknownReader`] when `reader` is not connected,
    /// [`PcscError::NoReader`] when there is no reader at all once the time is up, and
    /// [`PcscError::NoCard`] when readers stayed empty.
    pub fn wait_for_card(
        &self,
        reader: Option<&str>,
        timeout: Duration,
    ) -> Result<String, PcscError> {
        let deadline = Instant::now() + timeout;
        loop {
            let readers = self.readers()?;
            if let Some(name) = reader {
                if !readers.iter().any(|r| r.name == name) {
                    return Err(PcscError::UnknownReader(name.to_owned()));
                }
            }
            let candidates: Vec<&ReaderInfo> = readers
                .iter()
                .filter(|r| reader.is_none_or(|n| r.name == n))
                .collect();
            if let Some(r) = candidates.iter().find(|r| r.card_present) {
                return Ok(r.name.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(if readers.is_empty() {
                    PcscError::NoReader
                } else {
                    PcscError::NoCard
                });
            }
            // Wait for a change in the candidate readers (or a new reader), at most 500 ms
            // at a time so readers plugged in meanwhile are picked up.
            let slice = (deadline - now).min(Duration::from_millis(500));
            let mut states: Vec<pcsc::ReaderState> = candidates
                .iter()
                .filter_map(|r| CString::new(r.name.as_bytes()).ok())
                .map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE))
                .collect();
            if states.is_empty() {
                std::thread::sleep(slice);
                continue;
            }
            // The first call reports the current state; the second waits for a change.
            match self.ctx.get_status_change(Duration::ZERO, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(e.into()),
            }
            for s in &mut states {
                s.sync_current_state();
            }
            match self.ctx.get_status_change(slice, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                // A reader vanished while waiting: look again.
                Err(pcsc::Error::UnknownReader) | Err(pcsc::Error::ReaderUnavailable) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Connects to the card in `reader`: shared access, protocol T=1. A flow then runs in one
    /// exclusive transaction ([`PcscCard::transaction`]).
    pub fn connect(&self, reader: &str) -> Result<PcscCard, PcscError> {
        self.connect_in(reader, pcsc::ShareMode::Shared)
    }

    /// Connects to the card in `reader` for this application alone (protocol T=1), for as
    /// long as the card is connected: no other application can send a command (a VERIFY)
    /// between this one's PIN-status read and its VERIFY. For links that serve commands one
    /// call at a time (the FFI's), where a scoped transaction cannot span a flow. Fails with
    /// a sharing violation while another application holds the card.
    pub fn connect_exclusive(&self, reader: &str) -> Result<PcscCard, PcscError> {
        self.connect_in(reader, pcsc::ShareMode::Exclusive)
    }

    fn connect_in(&self, reader: &str, mode: pcsc::ShareMode) -> Result<PcscCard, PcscError> {
        let cname = CString::new(reader.as_bytes())
            .map_err(|_| PcscError::UnknownReader(reader.to_owned()))?;
        let card = self
            .ctx
            .connect(&cname, mode, pcsc::Protocols::T1)
            .map_err(|e| match e {
                pcsc::Error::UnknownReader => PcscError::UnknownReader(reader.to_owned()),
                other => PcscError::from(other),
            })?;
        let atr = card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(PcscError::from)?;
        let caps = TransportCapabilities::EXTENDED;
        if mode == pcsc::ShareMode::Exclusive {
            // This connection alone talks to the card: start from the MF state, so that a PIN
            // a program that died left verified is not inherited (PROTOCOL.md 3a). Not one of
            // a flow's exchanges.
            let _ = transmit_raw(&card, &leave_command(), caps);
        }
        Ok(PcscCard {
            card: Some(card),
            reader: reader.to_owned(),
            atr,
            caps,
        })
    }

    /// Waits up to `timeout` for a card (see [`PcscContext::wait_for_card`]) and connects to
    /// it.
    pub fn connect_first(
        &self,
        reader: Option<&str>,
        timeout: Duration,
    ) -> Result<PcscCard, PcscError> {
        let name = self.wait_for_card(reader, timeout)?;
        self.connect(&name)
    }

    /// [`PcscContext::connect_first`], for this application alone
    /// ([`PcscContext::connect_exclusive`]).
    pub fn connect_first_exclusive(
        &self,
        reader: Option<&str>,
        timeout: Duration,
    ) -> Result<PcscCard, PcscError> {
        let name = self.wait_for_card(reader, timeout)?;
        self.connect_exclusive(&name)
    }
}

/// A connected card. As a [`CardTransport`] every command is one `SCardTransmit`;
/// [`PcscCard::transaction`] wraps a whole flow in one exclusive transaction.
///
/// The link is assumed to carry extended-length APDUs (most current readers do); when a
/// reader does not, the library falls back to short reads after the first failure and
/// remembers. [`PcscCard::set_capabilities`] overrides it.
pub struct PcscCard {
    /// `None` once released (by [`PcscCard::disconnect`] or the drop).
    card: Option<pcsc::Card>,
    reader: String,
    atr: Vec<u8>,
    caps: TransportCapabilities,
}

impl core::fmt::Debug for PcscCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscCard")
            .field("reader", &self.reader)
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

impl PcscCard {
    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's ATR.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Sets what the link claims to carry (default: extended length).
    pub fn set_capabilities(&mut self, caps: TransportCapabilities) {
        self.caps = caps;
    }

    /// Runs `f` inside one exclusive PC/SC transaction: no other application's command
    /// reaches the card until `f` returns. `f` gets a transport to hand to the library's
    /// flows; once `f` has returned, that transport fails every command.
    ///
    /// Fails before `f` runs when the transaction cannot start (card removed, reset, reader
    /// gone, service stopped).
    pub fn transaction<R>(
        &mut self,
        f: impl FnOnce(Arc<dyn CardTransport>) -> R,
    ) -> Result<R, PcscError> {
        let caps = self.caps;
        // Another application (or pcscd cleaning up after a client that died) may have reset
        // the card since we connected: PC/SC then refuses the transaction once with "reset";
        // reconnect and go on (no PIN of ours was verified before the transaction anyway).
        let card = self.card.as_mut().ok_or(PcscError::CardRemoved)?;
        for _ in 0..3 {
            match card.transaction2() {
                Err((card, pcsc::Error::ResetCard)) => card
                    .reconnect(
                        pcsc::ShareMode::Shared,
                        pcsc::Protocols::T1,
                        pcsc::Disposition::LeaveCard,
                    )
                    .map_err(PcscError::from)?,
                // Started (and ended again at once: the real one starts below), or failed
                // for a reason a reconnect does not cure.
                _ => break,
            }
        }
        let tx = card.transaction().map_err(PcscError::from)?;
        let (send, recv) = mpsc::channel::<Request>();
        let transport = Arc::new(TransactionTransport {
            requests: Mutex::new(send.clone()),
            caps,
        });
        let result = std::thread::scope(|scope| {
            // The transaction borrows the card: it lives on a scoped thread that serves the
            // flow's commands, and ends (SCardEndTransaction) when that thread returns.
            scope.spawn(move || {
                let mut tx = tx;
                let mut first = true;
                // The transaction starts and ends by leaving the current application, inside
                // the lock (PROTOCOL.md 3a): a PIN that a program which died left verified is
                // not inherited by this flow, and one this flow verifies is no longer in
                // effect when the next program's transaction starts. Neither is one of the
                // flow's exchanges (they belong to the link).
                let leave = leave_command();
                let requests =
                    std::iter::once(Request::Leave).chain(std::iter::from_fn(|| recv.recv().ok()));
                for request in requests {
                    let (mut cmd, reply) = match request {
                        Request::Transmit(cmd, reply) => (cmd, Some(reply)),
                        Request::Leave => (leave.clone(), None),
                        Request::End => break,
                    };
                    let mut answer = transmit_raw(&tx, &cmd, caps);
                    // A reset by someone else that lands before our first command (pcscd
                    // resetting the card after a client died) leaves the handle without a
                    // protocol: reconnect and send that first command again. Nothing of this
                    // transaction's security state is lost: it has none yet.
                    // pcscd's reset may still be under way: retry for a bounded time.
                    let mut tries = 0;
                    while first
                        && tries < 20
                        && matches!(
                            answer,
                            Err(pcsc::Error::ResetCard) | Err(pcsc::Error::ProtoMismatch)
                        )
                    {
                        tries += 1;
                        if tries > 1 {
                            std::thread::sleep(std::time::Duration::from_millis(100));
                        }
                        if tx
                            .reconnect(
                                pcsc::ShareMode::Shared,
                                pcsc::Protocols::T1,
                                pcsc::Disposition::LeaveCard,
                            )
                            .is_ok()
                        {
                            answer = transmit_raw(&tx, &cmd, caps);
                        }
                    }
                    // The leave that opens the transaction keeps `first` for the flow's first
                    // command: a reset landing between them takes nothing of the flow's.
                    first = first && reply.is_none();
                    // The worker's copy of the command may carry a PIN (VERIFY): wiped.
                    cmd.zeroize();
                    if let Some(reply) = reply {
                        let answer = answer.map_err(|e| TransportError::from(PcscError::from(e)));
                        let _ = reply.send(answer);
                    }
                }
                let _ = transmit_raw(&tx, &leave, caps);
                drop(tx);
            });
            // Stops the server when `f` returns, panics included, and even if `f` kept a
            // clone of the transport (the scope would wait for the server forever otherwise).
            let _end = EndOnDrop(send);
            f(transport)
        });
        Ok(result)
    }

    /// Lets the card go so that no PIN verified through this connection stays in effect for
    /// the next program (PROTOCOL.md 3a): it leaves the application (selects the issuer
    /// security domain, [`crate::transport::leave_application`]), then disconnects with
    /// `SCARD_UNPOWER_CARD`, which cuts the card's power where the reader allows it (pcsc-lite
    /// `winscard.c`, `SCardDisconnect`: `IFD_POWER_DOWN`, the next connection powers it up).
    /// A reader that refuses to unpower gets `SCARD_RESET_CARD`: a warm reset does not clear a
    /// security status on a real card, which is why the application is left first. Dropping a
    /// `PcscCard` does the same.
    pub fn disconnect(mut self) -> Result<(), PcscError> {
        match self.card.take() {
            Some(card) => release(card, self.caps),
            None => Ok(()),
        }
    }

    fn connected(&self) -> Result<&pcsc::Card, TransportError> {
        self.card.as_ref().ok_or(TransportError::TagLost)
    }
}

impl Drop for PcscCard {
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            let _ = release(card, self.caps);
        }
    }
}

/// See [`PcscCard::disconnect`].
fn release(card: pcsc::Card, caps: TransportCapabilities) -> Result<(), PcscError> {
    struct Raw<'a>(&'a pcsc::Card, TransportCapabilities);
    impl CardTransport for Raw<'_> {
        fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            transmit_on(self.0, command, self.1)
        }
    }
    let _ = leave_application(&Raw(&card, caps));
    match card.disconnect(pcsc::Disposition::UnpowerCard) {
        Ok(()) => Ok(()),
        Err((card, _)) => card
            .disconnect(pcsc::Disposition::ResetCard)
            .map_err(|(_, e)| PcscError::from(e)),
    }
}

impl CardTransport for PcscCard {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        transmit_on(self.connected()?, command, self.caps)
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.caps
    }
}

/// Tells the thread holding the transaction to end it.
struct EndOnDrop(mpsc::Sender<Request>);

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(Request::End);
    }
}

/// A message to the thread holding the transaction.
enum Request {
    Transmit(Vec<u8>, mpsc::Sender<Result<Vec<u8>, TransportError>>),
    /// Leave the current application (sent by the server itself when it starts).
    Leave,
    End,
}

/// The transport handed to a transaction's flow: forwards each command to the thread that
/// holds the transaction.
struct TransactionTransport {
    requests: Mutex<mpsc::Sender<Request>>,
    caps: TransportCapabilities,
}

impl CardTransport for TransactionTransport {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let (reply, answer) = mpsc::channel();
        let ended = || TransportError::Other("the PC/SC transaction has ended".into());
        self.requests
            .lock()
            .map_err(|_| ended())?
            .send(Request::Transmit(command.to_vec(), reply))
            .map_err(|_| ended())?;
        answer.recv().map_err(|_| ended())?
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.caps
    }
}

/// One `SCardTransmit`, with the receive buffer wiped afterwards (it may hold a certificate).
fn transmit_on(
    card: &pcsc::Card,
    command: &[u8],
    caps: TransportCapabilities,
) -> Result<Vec<u8>, TransportError> {
    if command.len() > caps.max_command_len {
        return Err(TransportError::Other(format!(
            "command of {} bytes exceeds the link's {}",
            command.len(),
            caps.max_command_len
        )));
    }
    transmit_raw(card, command, caps).map_err(|e| TransportError::from(PcscError::from(e)))
}

/// [`transmit_on`] with PC/SC's own error.
fn transmit_raw(
    card: &pcsc::Card,
    command: &[u8],
    caps: TransportCapabilities,
) -> Result<Vec<u8>, pcsc::Error> {
    if command.len() > caps.max_command_len {
        return Err(pcsc::Error::InsufficientBuffer);
    }
    let size = if caps.extended_length {
        pcsc::MAX_BUFFER_SIZE_EXTENDED
    } else {
        pcsc::MAX_BUFFER_SIZE
    };
    let mut buf = vec![0u8; size];
    let result = card.transmit(command, &mut buf).map(<[u8]>::to_vec);
    buf.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_typed() {
        assert_eq!(
            PcscError::from(pcsc::Error::NoService),
            PcscError::NoService
        );
        assert_eq!(
            PcscError::from(pcsc::Error::NoReadersAvailable),
            PcscError::NoReader
        );
        assert_eq!(PcscError::from(pcsc::Error::NoSmartcard), PcscError::NoCard);
        assert_eq!(
            PcscError::from(pcsc::Error::NotTransacted),
            PcscError::CardRemoved
        );
        assert_eq!(
            PcscError::from(pcsc::Error::RemovedCard),
            PcscError::CardRemoved
        );
        assert_eq!(
            PcscError::from(pcsc::Error::ResetCard),
            PcscError::CardReset
        );
        assert_eq!(
            PcscError::from(pcsc::Error::ReaderUnavailable),
            PcscError::ReaderRemoved
        );
        assert_eq!(
            PcscError::from(pcsc::Error::SharingViolation),
            PcscError::SharingViolation
        );
        assert!(matches!(
            PcscError::from(pcsc::Error::InvalidHandle),
            PcscError::Other(_)
        ));
    }

    #[test]
    fn lost_cards_are_lost_links() {
        for e in [
            PcscError::CardRemoved,
            PcscError::CardReset,
            PcscError::NoCard,
            PcscError::ReaderRemoved,
        ] {
            assert_eq!(TransportError::from(e), TransportError::TagLost);
        }
        assert_eq!(
            TransportError::from(PcscError::Timeout),
            TransportError::Timeout
        );
        assert!(matches!(
            TransportError::from(PcscError::SharingViolation),
            TransportError::Other(_)
        ));
    }
}
