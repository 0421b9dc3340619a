use std::collections::HashMap;
use std::sync::Arc;

use crate::apdu::{Command, LengthForm, Redaction, Status, StatusWord};
use crate::error::{Error, Result};
use crate::pin::{Pin, PinKind, PinStatus};
use crate::transport::{CardTransport, TransportError};

use super::{Channel, ExchangeStats, Transcript};

/// How a session talks to the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// Use extended-length reads when the transport allows them (the client falls back to
    /// 256-byte reads, and remembers, when the card refuses). Default: true.
    pub extended_length: bool,
    /// Use the short-EF-id forms of READ BINARY, VERIFY and COMPUTE DIGITAL SIGNATURE, which
    /// save a SELECT EF (the client falls back, and remembers, when the card refuses).
    /// Default: true.
    pub short_ef_shortcuts: bool,
    /// Keep a redacted transcript of every exchange. Default: false.
    pub record_transcript: bool,
    /// Checked before every exchange: cancelled, the operation stops with
    /// [`crate::Error::Cancelled`]. Default: none.
    pub cancel: Option<super::CancelToken>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            extended_length: true,
            short_ef_shortcuts: true,
            record_transcript: false,
            cancel: None,
        }
    }
}

/// The commands that have a short-EF-id form.
#[derive(Debug, Clone, Copy)]
enum Shortcut {
    Read = 0,
    Verify = 1,
    Sign = 2,
}

/// Largest BER object the client will read from an EF (certificates are about 2 KB).
const MAX_OBJECT_LEN: usize = 32 * 1024;

/// One selected card application: selection state, what the card was found to accept, the
/// PIN counters seen, and the operations on files, PINs and keys, each with its fallback.
pub(crate) struct AppSession {
    channel: Channel,
    options: SessionOptions,
    /// `None` until the card has answered an extended command; then whether it accepts them.
    extended_ok: Option<bool>,
    /// Likewise for the short-EF-id form of each command: a success vouches for that command
    /// only, a refusal stops the shortcuts for all.
    shortcuts_ok: [Option<bool>; 3],
    /// The EF we know to be current (only set by an explicit SELECT EF).
    current_ef: Option<u16>,
    pin_status: HashMap<PinKind, PinStatus>,
}

impl AppSession {
    pub(crate) fn new(transport: Arc<dyn CardTransport>, options: SessionOptions) -> Self {
        Self {
            channel: Channel::new(transport, options.record_transcript, options.cancel.clone()),
            options,
            extended_ok: None,
            shortcuts_ok: [None; 3],
            current_ef: None,
            pin_status: HashMap::new(),
        }
    }

    /// A session over `transport` with the application `aid` selected; `missing` is the
    /// reason reported when the card does not have it.
    pub(crate) fn open(
        transport: Arc<dyn CardTransport>,
        options: SessionOptions,
        aid: &[u8],
        missing: crate::NotMyNumberCardReason,
    ) -> Result<Self> {
        let mut app = Self::new(transport, options);
        if !app.select_application(aid)? {
            return Err(Error::NotMyNumberCard { reason: missing });
        }
        Ok(app)
    }

    pub(crate) fn stats(&self) -> ExchangeStats {
        self.channel.stats()
    }

    pub(crate) fn transcript(&self) -> Option<&Transcript> {
        self.channel.transcript()
    }

    /// Whether extended length is to be tried.
    fn extended(&self) -> bool {
        self.options.extended_length
            && self.channel.capabilities().extended_length
            && self.extended_ok != Some(false)
    }

    fn shortcuts(&self, form: Shortcut) -> bool {
        self.options.short_ef_shortcuts && self.shortcuts_ok[form as usize] != Some(false)
    }

    /// Whether the last answer to a shortcut form means "not this form": fall back, and
    /// remember for the session.
    ///
    /// `sw` is the final status of the exchange; the decision is taken on the command's own
    /// status word: a short-EF-id VERIFY answered `61xx` was processed, whatever its GET
    /// RESPONSE chain ends with, and must not be sent again in the SELECT form.
    fn shortcut_refused(&mut self, form: Shortcut, used: bool, sw: StatusWord) -> bool {
        let own = self.channel.own_sw().unwrap_or(sw);
        if used && own.status() == Status::Unsupported {
            // A card that refuses short-EF-id addressing for one command almost surely lacks
            // it for the others: stop trying it anywhere, so a refusal costs one exchange per
            // session. (A success only vouches for its own command.)
            self.shortcuts_ok = [Some(false); 3];
            self.current_ef = None;
            return true;
        }
        if used {
            self.shortcuts_ok[form as usize] = Some(true);
            // A short-EF-id command may or may not change the current EF on a given card:
            // assume nothing.
            self.current_ef = None;
        }
        false
    }

    /// Selects an application by AID. `Ok(false)` when the card does not have it.
    pub(crate) fn select_application(&mut self, aid: &[u8]) -> Result<bool> {
        let cmd = Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid);
        let mut resp = self.channel.transmit(&cmd, LengthForm::Short)?;
        if resp.sw() == StatusWord::new(0x6F, 0x00) {
            // A card answered the first command after it was powered up again `6F00`
            // (`myna-card` `src/transport/pcsc.rs`, `PcscTransport::power_cycle`) [single]: a
            // SELECT changes nothing when it fails, so it is sent once more.
            resp = self.channel.transmit(&cmd, LengthForm::Short)?;
        }
        self.current_ef = None;
        match resp.status() {
            Status::Success => Ok(true),
            Status::NotFound => Ok(false),
            _ => Err(Error::CardStatus {
                operation: "SELECT application",
                sw: resp.sw(),
            }),
        }
    }

    /// Makes `ef` the current EF, unless it already is.
    fn select_ef(&mut self, ef: u16) -> Result<()> {
        if self.current_ef == Some(ef) {
            return Ok(());
        }
        let cmd = Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(ef.to_be_bytes());
        let resp = self.channel.transmit(&cmd, LengthForm::Short)?;
        match resp.status() {
            Status::Success => {
                self.current_ef = Some(ef);
                Ok(())
            }
            Status::NotFound => Err(Error::FileNotFound { ef }),
            _ => Err(Error::CardStatus {
                operation: "SELECT EF",
                sw: resp.sw(),
            }),
        }
    }

    /// Reads up to `want` bytes of `ef` at `offset`, with extended length and the short-EF-id
    /// form where they work. `guard` is the PIN that protects the file, for the error when the
    /// card answers `6982`.
    pub(crate) fn read_chunk(
        &mut self,
        ef: u16,
        offset: usize,
        want: usize,
        redaction: Redaction,
        guard: Option<PinKind>,
    ) -> Result<Vec<u8>> {
        if offset > 0x7FFF {
            return Err(Error::malformed("file", "offset beyond the 15-bit range"));
        }
        loop {
            let ext = want > 256 && self.extended();
            let le = if ext {
                want.min(65_536).min(
                    self.channel
                        .capabilities()
                        .max_response_len
                        .saturating_sub(2),
                )
            } else {
                want.min(256)
            };
            let shortcut =
                offset <= 0xFF && self.shortcuts(Shortcut::Read) && self.current_ef != Some(ef);
            let (p1, p2) = if shortcut {
                (0x80 | (ef & 0x1F) as u8, offset as u8)
            } else {
                self.select_ef(ef)?;
                ((offset >> 8) as u8, offset as u8)
            };
            let cmd = Command::new(0x00, 0xB0, p1, p2)
                .with_le(le)
                .with_redaction(redaction);
            let form = if ext {
                LengthForm::Extended
            } else {
                LengthForm::Short
            };
            let resp = match self.channel.transmit(&cmd, form) {
                Ok(r) => r,
                // Some links drop extended frames: READ BINARY is safe to repeat in short form.
                // A lost tag is not a link that dislikes extended frames: send nothing more.
                Err(Error::Transport(ref t))
                    if ext && self.extended_ok.is_none() && *t != TransportError::TagLost =>
                {
                    self.extended_ok = Some(false);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if self.shortcut_refused(Shortcut::Read, shortcut, resp.sw()) {
                continue;
            }
            match resp.status() {
                Status::WrongLength if ext => {
                    self.extended_ok = Some(false);
                    continue;
                }
                // Past the end of the file: `6B00` on the card, `6282` with no data on some.
                Status::OffsetOutOfRange | Status::EndOfFile
                    if offset > 0 && resp.data().is_empty() =>
                {
                    return Err(Error::malformed("file", "the file ended before the object"))
                }
                Status::Success | Status::EndOfFile => {
                    if ext {
                        self.extended_ok = Some(true);
                    }
                    return Ok(resp.into_data());
                }
                Status::SecurityNotSatisfied => {
                    return Err(match guard {
                        Some(pin) => Error::PinNotVerified { pin },
                        None => Error::CardStatus {
                            operation: "READ BINARY",
                            sw: resp.sw(),
                        },
                    })
                }
                Status::NotFound => return Err(Error::FileNotFound { ef }),
                Status::OffsetOutOfRange => {
                    return Err(Error::malformed("file", "the file ended before the object"))
                }
                _ => {
                    return Err(Error::CardStatus {
                        operation: "READ BINARY",
                        sw: resp.sw(),
                    })
                }
            }
        }
    }

    /// Reads one BER-TLV object (a certificate, the attributes record) from `ef`, taking its
    /// length from the header and ignoring any filler after it. `Ok(None)` when the file is
    /// empty or holds only filler.
    pub(crate) fn read_object(
        &mut self,
        ef: u16,
        redaction: Redaction,
        guard: Option<PinKind>,
    ) -> Result<Option<Vec<u8>>> {
        let first_want = if self.extended() { 65_536 } else { 256 };
        let mut buf = self.read_chunk(ef, 0, first_want, redaction, guard)?;
        // An empty file, or one holding only filler (`00`, or `FF FF`: a lone `FF` may start a
        // two-byte tag such as the attributes record's `FF 20`).
        if buf.is_empty() || buf[0] == 0x00 || buf.starts_with(&[0xFF, 0xFF]) || buf == [0xFF] {
            return Ok(None);
        }
        let total = tlv_total_len(&buf)?;
        if total > MAX_OBJECT_LEN {
            return Err(Error::malformed(
                "file",
                "object longer than any JPKI object",
            ));
        }
        while buf.len() < total {
            let chunk = self.read_chunk(ef, buf.len(), total - buf.len(), redaction, guard)?;
            if chunk.is_empty() {
                return Err(Error::malformed(
                    "file",
                    "the card returned no data mid-object",
                ));
            }
            buf.extend_from_slice(&chunk);
        }
        buf.truncate(total);
        Ok(Some(buf))
    }

    /// The retry counter of `kind`, without spending an attempt (the 4-byte VERIFY).
    pub(crate) fn pin_status(&mut self, kind: PinKind) -> Result<PinStatus> {
        loop {
            let shortcut = self.shortcuts(Shortcut::Verify);
            let p2 = self.pin_p2(kind, shortcut)?;
            let cmd = Command::new(0x00, 0x20, 0x00, p2);
            let resp = self.channel.transmit(&cmd, LengthForm::Short)?;
            if self.shortcut_refused(Shortcut::Verify, shortcut, resp.sw()) {
                continue;
            }
            let remaining = match resp.status() {
                Status::PinRetries(x) => x.min(kind.max_attempts()),
                Status::PinBlocked => 0,
                // Already verified in this session: the counter was just reset.
                Status::Success => kind.max_attempts(),
                Status::NotFound => return Err(Error::FileNotFound { ef: kind.ef() }),
                _ => {
                    return Err(Error::CardStatus {
                        operation: "VERIFY (retry counter)",
                        sw: resp.sw(),
                    })
                }
            };
            let status = PinStatus { kind, remaining };
            self.pin_status.insert(kind, status);
            return Ok(status);
        }
    }

    /// The last retry counter this session saw for `kind`, if any.
    pub(crate) fn known_pin_status(&self, kind: PinKind) -> Option<PinStatus> {
        self.pin_status.get(&kind).copied()
    }

    /// P2 of VERIFY: `80 | short EF id` with the shortcut, else `80` after selecting the PIN
    /// EF.
    fn pin_p2(&mut self, kind: PinKind, shortcut: bool) -> Result<u8> {
        if shortcut {
            Ok(0x80 | (kind.ef() & 0x1F) as u8)
        } else {
            self.select_ef(kind.ef())?;
            Ok(0x80)
        }
    }

    /// VERIFY with the safety rules: the retry counter is known first (read if this session
    /// has not seen it), a blocked PIN is never sent, the last attempt is used only when
    /// `allow_last_attempt`, and a VERIFY is never repeated after a lost link.
    pub(crate) fn verify(&mut self, pin: &Pin, allow_last_attempt: bool) -> Result<PinStatus> {
        let kind = pin.kind();
        let status = match self.known_pin_status(kind) {
            Some(s) => s,
            None => self.pin_status(kind)?,
        };
        if status.is_blocked() {
            return Err(Error::PinBlocked { pin: kind });
        }
        if status.is_last_attempt() && !allow_last_attempt {
            return Err(Error::LastAttemptGuard { pin: kind });
        }
        loop {
            let shortcut = self.shortcuts(Shortcut::Verify);
            let p2 = self.pin_p2(kind, shortcut)?;
            let cmd = Command::new(0x00, 0x20, 0x00, p2)
                .with_data(pin.bytes())
                .with_redaction(Redaction::CommandData);
            // From here until the answer, the card may count the attempt.
            self.pin_status.remove(&kind);
            let resp = match self.channel.transmit(&cmd, LengthForm::Short) {
                Ok(r) => r,
                Err(Error::Transport(_)) => return Err(Error::LinkLostDuringVerify { pin: kind }),
                Err(e) => return Err(e),
            };
            // A refused form was not evaluated: sending the plain form is not a retry.
            if self.shortcut_refused(Shortcut::Verify, shortcut, resp.sw()) {
                continue;
            }
            let remaining = match resp.status() {
                Status::Success => kind.max_attempts(),
                Status::PinRetries(x) => x.min(kind.max_attempts()),
                Status::PinBlocked => 0,
                _ => {
                    return Err(Error::CardStatus {
                        operation: "VERIFY",
                        sw: resp.sw(),
                    })
                }
            };
            let after = PinStatus { kind, remaining };
            self.pin_status.insert(kind, after);
            return match resp.status() {
                Status::Success => Ok(after),
                Status::PinBlocked => Err(Error::PinBlocked { pin: kind }),
                // `63C0`: this attempt used the last try.
                _ if remaining == 0 => Err(Error::PinNowBlocked { pin: kind }),
                _ => Err(Error::WrongPin {
                    pin: kind,
                    remaining,
                }),
            };
        }
    }

    /// COMPUTE DIGITAL SIGNATURE over `digest_info` with the key in `key_ef`, guarded by `pin`.
    pub(crate) fn compute_signature(
        &mut self,
        key_ef: u16,
        pin: PinKind,
        digest_info: &[u8],
    ) -> Result<Vec<u8>> {
        loop {
            let shortcut = self.shortcuts(Shortcut::Sign);
            let p2 = if shortcut {
                0x80 | (key_ef & 0x1F) as u8
            } else {
                self.select_ef(key_ef)?;
                0x80
            };
            // P1 00: PKCS #1 v1.5 over the DigestInfo the library built. Of the card's six
            // schemes (`01`-`05`: the card hashes, or wraps a SHA-256 in a DigestInfo, or pads
            // with PSS; docs/PROTOCOL.md) this one keeps the hash where the document is (no
            // message sent to the card, SHA-384/512 possible) and gives the plain PKCS #1 v1.5
            // signature a CAdES verifier expects for sha256WithRSAEncryption.
            let cmd = Command::new(0x80, 0x2A, 0x00, p2)
                .with_data(digest_info)
                .with_le(256);
            let resp = self.channel.transmit(&cmd, LengthForm::Short)?;
            if self.shortcut_refused(Shortcut::Sign, shortcut, resp.sw()) {
                continue;
            }
            return match resp.status() {
                Status::Success if !resp.data().is_empty() => Ok(resp.into_data()),
                Status::Success => Err(Error::malformed("signature", "the card returned no data")),
                Status::SecurityNotSatisfied => Err(Error::PinNotVerified { pin }),
                Status::NotFound => Err(Error::FileNotFound { ef: key_ef }),
                _ => Err(Error::CardStatus {
                    operation: "COMPUTE DIGITAL SIGNATURE",
                    sw: resp.sw(),
                }),
            };
        }
    }
}

impl AppSession {
    /// The card-info application's sign command, `80 2A 00 00 <Lc> <data> 00`: the
    /// application's own key signs `data` (a DigestInfo) with no PIN; P2 `00` names its default
    /// key (`myna-card` 3.3.4 `src/ap/text.rs`, `TextAp::sign`). No short-EF-id form exists.
    pub(crate) fn sign_with_application_key(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        let cmd = Command::new(0x80, 0x2A, 0x00, 0x00)
            .with_data(data)
            .with_le(256);
        let resp = self.channel.transmit(&cmd, LengthForm::Short)?;
        match resp.status() {
            Status::Success if resp.data().len() == 256 => Ok(resp.into_data()),
            Status::Success => Err(Error::malformed(
                "signature",
                "the card's answer is not 256 bytes",
            )),
            _ => Err(Error::CardStatus {
                operation: "COMPUTE DIGITAL SIGNATURE (application key)",
                sw: resp.sw(),
            }),
        }
    }
}

/// The total length (header and value) of the BER-TLV object at the start of `b`. Handles
/// one- and two-byte tags (`30`, `FF 20`) and lengths in one, `81 LL` or `82 LLLL` form.
pub(crate) fn tlv_total_len(b: &[u8]) -> Result<usize> {
    let truncated = || Error::malformed("object header", "truncated");
    let mut i = 1;
    if b.first().ok_or_else(truncated)? & 0x1F == 0x1F {
        loop {
            let t = *b.get(i).ok_or_else(truncated)?;
            i += 1;
            if t & 0x80 == 0 {
                break;
            }
            if i > 3 {
                return Err(Error::malformed("object header", "tag too long"));
            }
        }
    }
    let first = *b.get(i).ok_or_else(truncated)?;
    i += 1;
    let len = match first {
        0x00..=0x7F => first as usize,
        0x81 => *b.get(i).ok_or_else(truncated)? as usize,
        0x82 => u16::from_be_bytes([
            *b.get(i).ok_or_else(truncated)?,
            *b.get(i + 1).ok_or_else(truncated)?,
        ]) as usize,
        _ => return Err(Error::malformed("object header", "unsupported length form")),
    };
    i += match first {
        0x81 => 1,
        0x82 => 2,
        _ => 0,
    };
    Ok(i + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_lengths() {
        assert_eq!(tlv_total_len(&[0x30, 0x03, 1, 2, 3]).unwrap(), 5);
        assert_eq!(tlv_total_len(&[0x30, 0x82, 0x07, 0x00]).unwrap(), 0x704);
        assert_eq!(tlv_total_len(&[0x30, 0x81, 0x90]).unwrap(), 3 + 0x90);
        assert_eq!(tlv_total_len(&[0xFF, 0x20, 0x10]).unwrap(), 3 + 0x10);
        assert_eq!(
            tlv_total_len(&[0xFF, 0x20, 0x82, 0x01, 0x00]).unwrap(),
            5 + 256
        );
        assert!(tlv_total_len(&[0x30]).is_err());
        assert!(tlv_total_len(&[0x30, 0x82, 0x07]).is_err());
        assert!(tlv_total_len(&[0x30, 0x84, 0, 0, 0, 1]).is_err());
        assert!(tlv_total_len(&[0x30, 0x80]).is_err());
        assert!(tlv_total_len(&[0xFF]).is_err());
        assert!(tlv_total_len(&[0xFF, 0x80, 0x80, 0x80, 0x01]).is_err());
    }
}
