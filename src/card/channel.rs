use std::sync::Arc;

use crate::apdu::{Command, LengthForm, Response, Status};
use crate::error::{Error, Result};
use crate::transport::{CardTransport, TransportCapabilities};

use super::transcript::{ExchangeStats, Transcript};

/// The one place that turns [`Command`]s into round trips: it encodes, checks the transport's
/// limits, fetches `61xx` continuations with GET RESPONSE, re-issues a command once on `6Cxx`
/// with the Le the card asked for, counts exchanges and bytes, and records the redacted
/// transcript.
pub struct Channel {
    transport: Arc<dyn CardTransport>,
    caps: TransportCapabilities,
    stats: ExchangeStats,
    transcript: Option<Transcript>,
    cancel: Option<super::CancelToken>,
    /// The status word the last command itself answered (after a `6Cxx` re-issue, before any
    /// GET RESPONSE of its `61xx` chain).
    own_sw: Option<crate::apdu::StatusWord>,
}

impl core::fmt::Debug for Channel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Channel")
            .field("caps", &self.caps)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// The most `61xx` continuations accepted for one command (a card that never stops is
/// malformed, not an infinite loop).
const MAX_GET_RESPONSE: usize = 300;

impl Channel {
    /// A channel over `transport`; `record` keeps a redacted transcript; `cancel` is checked
    /// before every exchange.
    pub fn new(
        transport: Arc<dyn CardTransport>,
        record: bool,
        cancel: Option<super::CancelToken>,
    ) -> Self {
        let caps = transport.capabilities();
        Self {
            transport,
            caps,
            stats: ExchangeStats::default(),
            transcript: record.then(Transcript::default),
            cancel,
            own_sw: None,
        }
    }

    /// What the transport can carry.
    pub fn capabilities(&self) -> TransportCapabilities {
        self.caps
    }

    /// Exchange counts so far.
    pub fn stats(&self) -> ExchangeStats {
        self.stats
    }

    /// The redacted transcript, if recording.
    pub fn transcript(&self) -> Option<&Transcript> {
        self.transcript.as_ref()
    }

    /// Sends `cmd` in `form` and returns the complete response: `61xx` chunks are fetched and
    /// concatenated, a `6Cxx` is answered by repeating the command once with the Le asked for.
    /// Status words are returned, not turned into errors: callers decide what they mean.
    ///
    /// The `6Cxx` re-issue is only for READ BINARY and GET RESPONSE (repeating anything else,
    /// COMPUTE DIGITAL SIGNATURE above all, could run a private-key operation twice), and it
    /// keeps the length form of the original command.
    pub fn transmit(&mut self, cmd: &Command, form: LengthForm) -> Result<Response> {
        self.own_sw = None;
        let mut resp = self.round_trip(cmd, form)?;
        if let Status::WrongLe(le) = resp.status() {
            if cmd.le().is_some() && reissue_allowed(cmd) {
                let again = cmd.clone().with_le(le);
                resp = self.round_trip(&again, form)?;
            }
        }
        self.own_sw = Some(resp.sw());
        let mut continuations = 0;
        while let Status::MoreData(n) = resp.status() {
            continuations += 1;
            if continuations > MAX_GET_RESPONSE {
                return Err(Error::malformed("response", "the card kept answering 61xx"));
            }
            let get = Command::new(0x00, 0xC0, 0x00, 0x00)
                .with_le(n)
                .with_redaction(cmd.redaction());
            let more = self.round_trip(&get, LengthForm::Short)?;
            resp.extend_data(more.data());
            resp.set_sw(more.sw());
        }
        Ok(resp)
    }

    /// The status word the last command answered itself: for a command answered `61xx`, that
    /// `61xx`, not the last status of its GET RESPONSE chain. `None` when the last command got
    /// no answer.
    pub fn own_sw(&self) -> Option<crate::apdu::StatusWord> {
        self.own_sw
    }

    fn round_trip(&mut self, cmd: &Command, form: LengthForm) -> Result<Response> {
        if self.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return Err(Error::Cancelled);
        }
        let bytes = cmd.encode(form)?;
        if bytes.len() > self.caps.max_command_len {
            return Err(Error::CommandTooLong {
                len: bytes.len(),
                max: self.caps.max_command_len,
            });
        }
        self.stats.exchanges += 1;
        self.stats.bytes_sent += bytes.len() as u64;
        let data_range = (!cmd.data().is_empty()).then(|| {
            let start = match form {
                LengthForm::Short => 5,
                LengthForm::Extended => 7,
            };
            (start, cmd.data().len())
        });
        let result = self.transport.transmit(&bytes);
        if let Some(t) = self.transcript.as_mut() {
            let err_text;
            let shown = match &result {
                Ok(r) => Ok(r.as_slice()),
                Err(e) => {
                    err_text = e.to_string();
                    Err(err_text.as_str())
                }
            };
            t.record(&bytes, data_range, shown, cmd.redaction());
        }
        let raw = result?;
        self.stats.bytes_received += raw.len() as u64;
        let resp = Response::parse(&raw).map_err(|e| Error::malformed("response", e.to_string()));
        // The raw response may hold a certificate or attributes: wipe our copy.
        let mut raw = raw;
        zeroize::Zeroize::zeroize(&mut raw);
        resp
    }
}

/// Whether a command may be repeated with the Le a `6Cxx` asked for: only READ BINARY and GET
/// RESPONSE, which have no effect on the card.
fn reissue_allowed(cmd: &Command) -> bool {
    matches!(cmd.ins, 0xB0 | 0xC0)
}
