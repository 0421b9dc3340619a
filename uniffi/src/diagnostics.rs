//! Field diagnostics: a redacted report of one card session that an app can attach to a
//! support ticket, the same on every platform.
//!
//! [`SessionDiagnostics::wrap`] puts a recorder around any [`CardLink`] (the app's IsoDep,
//! CoreNFC or PC/SC link, or the emulator's): per exchange it keeps the command header (CLA,
//! INS, P1, P2), the command's length, Lc and Le, the response's length and status word, the
//! link's error kind and the time taken; the link's own answers to `supports_extended_length`
//! and `max_transceive_length`; and the facts the app adds ([`SessionDiagnostics::add_fact`]:
//! Android's reader adds what it knows of the NFC controller). It never keeps a command's or a
//! response's data: no PIN, no certificate, no signature, no attribute. For a VERIFY even Lc
//! (the PIN's length) is left out.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::link::{CardLink, LinkError};

/// One exchange as the report keeps it: header, lengths, outcome, time. Never data.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExchangeRecord {
    /// 0 for the first exchange of the session.
    pub index: u32,
    /// The command's class, instruction and parameters.
    pub cla: u8,
    /// INS (`A4` SELECT, `20` VERIFY, `B0` READ BINARY, `2A` COMPUTE DIGITAL SIGNATURE, ...).
    pub ins: u8,
    /// P1.
    pub p1: u8,
    /// P2.
    pub p2: u8,
    /// The whole command's length in bytes; for a VERIFY only its 4-byte header, since the
    /// rest would give the PIN's length.
    pub command_length: u32,
    /// Whether the command used extended Lc/Le.
    pub extended: bool,
    /// Lc (the data length); null when there is none, and for a VERIFY (a PIN's length).
    pub lc: Option<u32>,
    /// Le as sent (256 or 65,536 for `00`/`0000`); null when there is none.
    pub le: Option<u32>,
    /// The response's data length (without SW1 SW2); null when the link failed.
    pub response_data_length: Option<u32>,
    /// SW1 SW2; null when the link failed or the response was shorter than two bytes.
    pub status_word: Option<u16>,
    /// The link's failure: `tag lost`, `timeout` or `link error`; null on success.
    pub failure: Option<String>,
    /// Milliseconds from the session's start to the command.
    pub started_millis: u64,
    /// How long the exchange took, in microseconds.
    pub elapsed_micros: u64,
}

/// The redacted report of a session: facts about the device and the link, and every exchange.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionReport {
    /// Device and link facts, by name (`link.max_transceive_length`,
    /// `link.supports_extended_length`, and what the app added, e.g. `android.sdk`).
    pub facts: HashMap<String, String>,
    /// Whether an extended-length command was sent.
    pub extended_length_used: bool,
    /// Whether an extended-length command was refused (`6700`) or lost by the link.
    pub extended_length_refused: bool,
    /// Every exchange, in order.
    pub exchanges: Vec<ExchangeRecord>,
}

struct State {
    started: Instant,
    facts: BTreeMap<String, String>,
    exchanges: Vec<ExchangeRecord>,
}

/// Records the session of the links it wraps (see the module's documentation). One per
/// session; the report grows with every exchange until the app reads it.
#[derive(uniffi::Object)]
pub struct SessionDiagnostics {
    state: Arc<Mutex<State>>,
}

impl core::fmt::Debug for SessionDiagnostics {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let n = self.lock().exchanges.len();
        write!(f, "SessionDiagnostics({n} exchanges)")
    }
}

impl SessionDiagnostics {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[uniffi::export]
impl SessionDiagnostics {
    /// An empty report; the session's clock starts now.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Arc::new(Mutex::new(State {
                started: Instant::now(),
                facts: BTreeMap::new(),
                exchanges: Vec::new(),
            })),
        })
    }

    /// Adds a device or link fact (technical values only: model, OS version, controller
    /// limits; never personal data).
    pub fn add_fact(&self, name: String, value: String) {
        self.lock().facts.insert(name, value);
    }

    /// `link`, recorded into this report; pass the result to the flows.
    pub fn wrap(&self, link: Arc<dyn CardLink>) -> Arc<dyn CardLink> {
        Arc::new(RecordingLink {
            inner: link,
            state: self.state.clone(),
        })
    }

    /// The report so far.
    pub fn report(&self) -> SessionReport {
        let s = self.lock();
        let extended_length_used = s.exchanges.iter().any(|e| e.extended);
        let extended_length_refused = s
            .exchanges
            .iter()
            .any(|e| e.extended && (e.status_word == Some(0x6700) || e.failure.is_some()));
        SessionReport {
            facts: s
                .facts
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            extended_length_used,
            extended_length_refused,
            exchanges: s.exchanges.clone(),
        }
    }

    /// The report as plain text, one line per fact and per exchange.
    pub fn report_text(&self) -> String {
        let r = self.report();
        let mut out = String::new();
        let facts: BTreeMap<_, _> = r.facts.iter().collect();
        for (k, v) in facts {
            let _ = writeln!(out, "{k}: {v}");
        }
        let _ = writeln!(
            out,
            "extended length: used {}, refused {}",
            r.extended_length_used, r.extended_length_refused
        );
        for e in &r.exchanges {
            let _ = write!(
                out,
                "#{} +{}ms {:02X} {:02X} {:02X} {:02X} len {}{}",
                e.index,
                e.started_millis,
                e.cla,
                e.ins,
                e.p1,
                e.p2,
                e.command_length,
                if e.extended { " ext" } else { "" }
            );
            if let Some(lc) = e.lc {
                let _ = write!(out, " lc {lc}");
            }
            if let Some(le) = e.le {
                let _ = write!(out, " le {le}");
            }
            match (&e.failure, e.response_data_length, e.status_word) {
                (Some(f), _, _) => {
                    let _ = write!(out, " -> {f}");
                }
                (None, Some(n), Some(sw)) => {
                    let _ = write!(out, " -> {n} bytes, SW {sw:04X}");
                }
                _ => {
                    let _ = write!(out, " -> short response");
                }
            }
            let _ = writeln!(out, " ({} us)", e.elapsed_micros);
        }
        out
    }
}

/// The recorder around the app's link.
struct RecordingLink {
    inner: Arc<dyn CardLink>,
    state: Arc<Mutex<State>>,
}

impl RecordingLink {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the header and lengths of a command APDU say (ISO 7816-4 cases 1 to 4, short and
/// extended). Only lengths are taken from the body, never its bytes.
struct Shape {
    extended: bool,
    lc: Option<u32>,
    le: Option<u32>,
}

fn shape(c: &[u8]) -> Shape {
    let none = Shape {
        extended: false,
        lc: None,
        le: None,
    };
    let body = match c.get(4..) {
        Some(b) if !b.is_empty() => b,
        _ => return none,
    };
    let short_le = |b: u8| if b == 0 { 256 } else { u32::from(b) };
    let ext_le = |hi: u8, lo: u8| {
        let n = u32::from(u16::from_be_bytes([hi, lo]));
        if n == 0 {
            65_536
        } else {
            n
        }
    };
    if body.len() == 1 {
        return Shape {
            extended: false,
            lc: None,
            le: Some(short_le(body[0])),
        };
    }
    if body[0] != 0 {
        // Short case 3 or 4: Lc, data, optional Le.
        let lc = u32::from(body[0]);
        let le = (body.len() == 2 + body[0] as usize).then(|| short_le(body[body.len() - 1]));
        return Shape {
            extended: false,
            lc: Some(lc),
            le,
        };
    }
    if body.len() == 3 {
        // Extended case 2: 00 Le Le.
        return Shape {
            extended: true,
            lc: None,
            le: Some(ext_le(body[1], body[2])),
        };
    }
    if body.len() >= 3 {
        let lc = u32::from(u16::from_be_bytes([body[1], body[2]]));
        let after = body.len().saturating_sub(3 + lc as usize);
        let le = (after == 2).then(|| ext_le(body[body.len() - 2], body[body.len() - 1]));
        return Shape {
            extended: true,
            lc: Some(lc),
            le,
        };
    }
    none
}

impl CardLink for RecordingLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        let start = Instant::now();
        let started_millis = {
            let s = self.lock();
            u64::try_from(start.duration_since(s.started).as_millis()).unwrap_or(u64::MAX)
        };
        let header = |i: usize| command.get(i).copied().unwrap_or(0);
        let (cla, ins, p1, p2) = (header(0), header(1), header(2), header(3));
        let s = shape(&command);
        // A VERIFY's length past its header is the PIN's length: only the header is counted.
        let counted = if ins == 0x20 {
            command.len().min(4)
        } else {
            command.len()
        };
        let command_length = u32::try_from(counted).unwrap_or(u32::MAX);
        let result = self.inner.transceive(command);
        let elapsed_micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
        let (response_data_length, status_word, failure) = match &result {
            Ok(r) if r.len() >= 2 => (
                Some(u32::try_from(r.len() - 2).unwrap_or(u32::MAX)),
                Some(u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]])),
                None,
            ),
            Ok(_) => (None, None, None),
            Err(LinkError::TagLost) => (None, None, Some("tag lost".to_owned())),
            Err(LinkError::Timeout) => (None, None, Some("timeout".to_owned())),
            // The app's detail may be anything: only the kind is kept.
            Err(LinkError::Other { .. }) => (None, None, Some("link error".to_owned())),
        };
        let mut st = self.lock();
        let index = u32::try_from(st.exchanges.len()).unwrap_or(u32::MAX);
        st.exchanges.push(ExchangeRecord {
            index,
            cla,
            ins,
            p1,
            p2,
            command_length,
            extended: s.extended,
            // A VERIFY's Lc is the PIN's length.
            lc: if ins == 0x20 { None } else { s.lc },
            le: s.le,
            response_data_length,
            status_word,
            failure,
            started_millis,
            elapsed_micros,
        });
        drop(st);
        result
    }

    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        let r = self.inner.supports_extended_length();
        if let Ok(v) = &r {
            self.lock()
                .facts
                .insert("link.supports_extended_length".into(), v.to_string());
        }
        r
    }

    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        let r = self.inner.max_transceive_length();
        if let Ok(v) = &r {
            self.lock()
                .facts
                .insert("link.max_transceive_length".into(), v.to_string());
        }
        r
    }

    fn close(&self) -> Result<(), LinkError> {
        self.inner.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_the_four_cases() {
        let s = shape(&[0, 0xA4, 4, 0x0C, 2, 0x3F, 0x00]);
        assert_eq!((s.extended, s.lc, s.le), (false, Some(2), None));
        let s = shape(&[0, 0xB0, 0, 0, 0]);
        assert_eq!((s.extended, s.lc, s.le), (false, None, Some(256)));
        let s = shape(&[0, 0xB0, 0, 0, 0, 0, 0]);
        assert_eq!((s.extended, s.lc, s.le), (true, None, Some(65_536)));
        let s = shape(&[0, 0x2A, 0, 0x80, 0, 0, 2, 9, 9, 0, 0]);
        assert_eq!((s.extended, s.lc, s.le), (true, Some(2), Some(65_536)));
        let s = shape(&[0, 0x2A, 0, 0x80, 2, 9, 9, 0]);
        assert_eq!((s.extended, s.lc, s.le), (false, Some(2), Some(256)));
        let s = shape(&[0, 0x20, 0, 0x81]);
        assert_eq!((s.extended, s.lc, s.le), (false, None, None));
    }
}
