use std::sync::Arc;

use crate::apdu::Redaction;
use crate::attributes::BasicFourAttributes;
use crate::card::{AppSession, ExchangeStats, SessionOptions, Transcript};
use crate::error::{Error, NotMyNumberCardReason, Result};
use crate::jpki::LastAttempt;
use crate::pin::{Pin, PinKind, PinStatus};
use crate::transport::CardTransport;

use super::{ef, parse_attributes_record, AID};

/// A session with the card-info input support application (券面事項入力補助AP).
///
/// It reads the basic four attributes after the 4-digit card-info PIN. Reading the My Number
/// is a separate API behind the non-default `my-number` cargo feature: the consent flows never
/// read it.
pub struct CardInfoSession {
    pub(super) app: AppSession,
}

impl core::fmt::Debug for CardInfoSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardInfoSession")
            .field("stats", &self.app.stats())
            .finish_non_exhaustive()
    }
}

impl CardInfoSession {
    /// Opens the application with the default [`SessionOptions`].
    pub fn open(transport: Arc<dyn CardTransport>) -> Result<Self> {
        Self::open_with(transport, SessionOptions::default())
    }

    /// Opens the application (one SELECT).
    pub fn open_with(transport: Arc<dyn CardTransport>, options: SessionOptions) -> Result<Self> {
        let app = AppSession::open(
            transport,
            options,
            &AID,
            NotMyNumberCardReason::NoCardInfoApplication,
        )?;
        Ok(Self { app })
    }

    /// Exchanges so far.
    pub fn stats(&self) -> ExchangeStats {
        self.app.stats()
    }

    /// The redacted transcript, when recording.
    pub fn transcript(&self) -> Option<&Transcript> {
        self.app.transcript()
    }

    /// The card-info PIN's retry counter, without spending an attempt.
    pub fn pin_status(&mut self) -> Result<PinStatus> {
        self.app.pin_status(PinKind::CardInfoPin)
    }

    /// Verifies the card-info PIN with the same safety rules as
    /// [`crate::jpki::JpkiSession::verify`].
    pub fn verify(&mut self, pin: &Pin, last_attempt: LastAttempt) -> Result<PinStatus> {
        if pin.kind() != PinKind::CardInfoPin {
            return Err(Error::PinNotForApplication { pin: pin.kind() });
        }
        self.app
            .verify(pin, matches!(last_attempt, LastAttempt::Allow))
    }

    /// Reads the basic four attributes (needs the card-info PIN verified).
    pub fn read_attributes(&mut self) -> Result<BasicFourAttributes> {
        let record = self
            .app
            .read_object(
                ef::ATTRIBUTES,
                Redaction::ResponseData,
                Some(PinKind::CardInfoPin),
            )?
            .ok_or_else(|| Error::malformed("attributes record", "empty file"))?;
        let record = zeroize::Zeroizing::new(record);
        parse_attributes_record(&record)
    }

    /// Reads the My Number (個人番号). Only with the `my-number` feature; the consent flows of
    /// this library never call it (the services they serve may not collect it).
    #[cfg(feature = "my-number")]
    pub fn read_my_number(&mut self) -> Result<MyNumber> {
        let raw = zeroize::Zeroizing::new(self.app.read_chunk(
            ef::MY_NUMBER,
            0,
            17,
            Redaction::ResponseData,
            Some(PinKind::CardInfoPin),
        )?);
        MyNumber::from_record(&raw)
    }
}

/// A My Number (個人番号): 12 digits, zeroized on drop, never shown by `Debug`.
#[cfg(feature = "my-number")]
#[derive(Clone, PartialEq, Eq)]
pub struct MyNumber(zeroize::Zeroizing<String>);

#[cfg(feature = "my-number")]
impl core::fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MyNumber(<redacted>)")
    }
}

#[cfg(feature = "my-number")]
impl MyNumber {
    /// Parses EF `0001`: `FF 10 0C`, 12 ASCII digits (filler after them ignored), and checks
    /// the check digit.
    pub fn from_record(raw: &[u8]) -> Result<Self> {
        let digits = match raw {
            [0xFF, 0x10, 0x0C, rest @ ..] if rest.len() >= 12 => &rest[..12],
            _ => return Err(Error::malformed("My Number record", "unexpected layout")),
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(Error::malformed("My Number record", "not 12 digits"));
        }
        let s: String = digits.iter().map(|&b| b as char).collect();
        if !super::is_valid_my_number(&s) {
            return Err(Error::malformed("My Number record", "check digit mismatch"));
        }
        Ok(Self(zeroize::Zeroizing::new(s)))
    }

    /// The 12 digits. Handle with care: this is the most sensitive personal number.
    pub fn expose(&self) -> &str {
        &self.0
    }
}
