//! Transcripts of a session's exchanges, with PINs and personal data redacted, and the exchange
//! counts that are the project's performance figures.

use crate::apdu::Redaction;

/// Round trips and bytes each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExchangeStats {
    /// Command/response round trips (GET RESPONSE and re-issued commands included).
    pub exchanges: u32,
    /// Bytes sent to the card.
    pub bytes_sent: u64,
    /// Bytes received from the card, status words included.
    pub bytes_received: u64,
}

/// One exchange, as hex with secret parts replaced by `<n bytes redacted>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// The command.
    pub command: String,
    /// The response, or the transport error.
    pub response: String,
}

/// A redacted record of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    entries: Vec<TranscriptEntry>,
}

impl Transcript {
    /// The exchanges, in order.
    pub fn entries(&self) -> &[TranscriptEntry] {
        &self.entries
    }

    pub(crate) fn record(
        &mut self,
        command: &[u8],
        data_range: Option<(usize, usize)>,
        response: Result<&[u8], &str>,
        redaction: Redaction,
    ) {
        let command = match (redaction, data_range) {
            (Redaction::CommandData, Some((start, len))) => format!(
                "{} <{len} bytes redacted> {}",
                hex(&command[..start]),
                hex(&command[start + len..])
            )
            .trim_end()
            .to_string(),
            _ => hex(command),
        };
        let response = match response {
            Err(e) => format!("<transport error: {e}>"),
            Ok(r) if redaction == Redaction::ResponseData && r.len() > 2 => {
                format!(
                    "<{} bytes redacted> {}",
                    r.len() - 2,
                    hex(&r[r.len() - 2..])
                )
            }
            Ok(r) => hex(r),
        };
        self.entries.push(TranscriptEntry { command, response });
    }
}

impl core::fmt::Display for Transcript {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for e in &self.entries {
            writeln!(f, "> {}", e.command)?;
            writeln!(f, "< {}", e.response)?;
        }
        Ok(())
    }
}

/// Uppercase hex with a space between bytes.
pub(crate) fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{x:02X}"));
    }
    s
}
