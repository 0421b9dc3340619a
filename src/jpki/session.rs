use std::sync::Arc;

use crate::apdu::Redaction;
use crate::card::{AppSession, ExchangeStats, SessionOptions, Transcript};
use crate::error::{Error, NotMyNumberCardReason, Result};
use crate::pin::{Pin, PinKind, PinStatus};
use crate::transport::CardTransport;

use super::{ef, HashAlgorithm, Profile, AID};

/// Whether VERIFY may use the last remaining attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LastAttempt {
    /// Refuse to send VERIFY when only one attempt is left (the default): the app must warn
    /// the holder and ask again explicitly.
    #[default]
    Refuse,
    /// The holder was warned and confirmed: send it.
    Allow,
}

/// A private key on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySlot {
    /// The signature key (署名用), guarded by the signature password.
    Signature,
    /// The user-authentication key (利用者証明用), guarded by the authentication PIN.
    Authentication,
}

impl KeySlot {
    /// The key's EF id.
    pub const fn ef(self) -> u16 {
        match self {
            KeySlot::Signature => ef::SIGNATURE_KEY,
            KeySlot::Authentication => ef::AUTHENTICATION_KEY,
        }
    }

    /// The PIN that guards it.
    pub const fn pin(self) -> PinKind {
        match self {
            KeySlot::Signature => PinKind::SignaturePassword,
            KeySlot::Authentication => PinKind::AuthenticationPin,
        }
    }
}

/// A certificate file on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateSlot {
    /// The signature certificate (needs the signature password verified).
    Signature,
    /// The CA certificate that issued the signature certificate.
    SignatureCa,
    /// The user-authentication certificate (needs the authentication PIN on smartphones).
    Authentication,
    /// The CA certificate that issued the authentication certificate.
    AuthenticationCa,
}

impl CertificateSlot {
    /// The EF id.
    pub const fn ef(self) -> u16 {
        match self {
            CertificateSlot::Signature => ef::SIGNATURE_CERTIFICATE,
            CertificateSlot::SignatureCa => ef::SIGNATURE_CA_CERTIFICATE,
            CertificateSlot::Authentication => ef::AUTHENTICATION_CERTIFICATE,
            CertificateSlot::AuthenticationCa => ef::AUTHENTICATION_CA_CERTIFICATE,
        }
    }

    /// The PIN the card may ask for before reading it on `profile`.
    pub const fn guard(self, profile: Profile) -> Option<PinKind> {
        match self {
            CertificateSlot::Signature => Some(PinKind::SignaturePassword),
            CertificateSlot::Authentication if profile.authentication_certificate_needs_pin() => {
                Some(PinKind::AuthenticationPin)
            }
            _ => None,
        }
    }
}

/// A session with the JPKI application of a card or smartphone.
///
/// Opening selects the application and reads the token, so the profile is known. Every
/// operation is a few APDUs over the app's transport; the session remembers what the card
/// accepted (extended length, short-EF-id forms) and the PIN counters it saw.
pub struct JpkiSession {
    app: AppSession,
    profile: Profile,
}

impl core::fmt::Debug for JpkiSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JpkiSession")
            .field("profile", &self.profile)
            .field("stats", &self.app.stats())
            .finish_non_exhaustive()
    }
}

impl JpkiSession {
    /// Opens the JPKI application with the default [`SessionOptions`].
    pub fn open(transport: Arc<dyn CardTransport>) -> Result<Self> {
        Self::open_with(transport, SessionOptions::default())
    }

    /// Opens the JPKI application: selects it and reads the token to know the profile.
    ///
    /// Fails with [`Error::NotMyNumberCard`] when the card has no JPKI application or an
    /// unknown token.
    pub fn open_with(transport: Arc<dyn CardTransport>, options: SessionOptions) -> Result<Self> {
        let mut app = AppSession::open(
            transport,
            options,
            &AID,
            NotMyNumberCardReason::NoJpkiApplication,
        )?;
        let token = match app.read_chunk(ef::TOKEN_INFO, 0, 32, Redaction::None, None) {
            Ok(t) => t,
            Err(Error::FileNotFound { .. }) => {
                return Err(Error::NotMyNumberCard {
                    reason: NotMyNumberCardReason::UnknownToken,
                })
            }
            Err(e) => return Err(e),
        };
        let profile = Profile::from_token(&token).ok_or(Error::NotMyNumberCard {
            reason: NotMyNumberCardReason::UnknownToken,
        })?;
        Ok(Self { app, profile })
    }

    /// What answered: a card or a smartphone, told by its token.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Exchanges so far (the performance figure).
    pub fn stats(&self) -> ExchangeStats {
        self.app.stats()
    }

    /// The redacted transcript, when [`SessionOptions::record_transcript`] was set.
    pub fn transcript(&self) -> Option<&Transcript> {
        self.app.transcript()
    }

    fn check_pin_kind(kind: PinKind) -> Result<()> {
        match kind {
            PinKind::SignaturePassword | PinKind::AuthenticationPin => Ok(()),
            PinKind::CardInfoPin => Err(Error::PinNotForApplication { pin: kind }),
        }
    }

    /// The retry counter of the signature password or the authentication PIN, read without
    /// spending an attempt.
    pub fn pin_status(&mut self, kind: PinKind) -> Result<PinStatus> {
        Self::check_pin_kind(kind)?;
        self.app.pin_status(kind)
    }

    /// Verifies a PIN, with the safety rules: the retry counter is read first if this session
    /// has not read it yet; a blocked PIN is never sent; with one attempt left, nothing is
    /// sent unless `last_attempt` is [`LastAttempt::Allow`]; a VERIFY is never repeated, and a
    /// link lost during it is [`Error::LinkLostDuringVerify`].
    pub fn verify(&mut self, pin: &Pin, last_attempt: LastAttempt) -> Result<PinStatus> {
        Self::check_pin_kind(pin.kind())?;
        self.app
            .verify(pin, matches!(last_attempt, LastAttempt::Allow))
    }

    /// Whether the card holds a signature certificate, from EF `0008` (no PIN needed, EF
    /// `0001` not read): its first byte is `8F` with one. `Ok(false)` on a card without one
    /// (holders under 15). [`Error::FileNotFound`] when the card has no EF `0008`.
    pub fn has_signature_certificate(&mut self) -> Result<bool> {
        let data = self
            .app
            .read_chunk(ef::CERTIFICATE_PRESENCE, 0, 3, Redaction::None, None)?;
        Ok(data.first() == Some(&0x8F))
    }

    /// Reads a certificate's DER (filler after it ignored). The signature certificate needs
    /// the signature password verified; a card without one answers
    /// [`Error::NoSignatureCertificate`].
    pub fn read_certificate_der(&mut self, slot: CertificateSlot) -> Result<Vec<u8>> {
        let redaction = match slot {
            CertificateSlot::Signature => Redaction::ResponseData,
            _ => Redaction::None,
        };
        match self
            .app
            .read_object(slot.ef(), redaction, slot.guard(self.profile))
        {
            Ok(Some(der)) => Ok(der),
            Ok(None) | Err(Error::FileNotFound { .. }) if slot == CertificateSlot::Signature => {
                Err(Error::NoSignatureCertificate)
            }
            Ok(None) => Err(Error::malformed("certificate file", "empty")),
            Err(e) => Err(e),
        }
    }

    /// Signs a DER DigestInfo with a card key (the card adds PKCS#1 v1.5 type-1 padding).
    /// Returns the 256-byte RSA signature.
    pub fn sign_digest_info(&mut self, key: KeySlot, digest_info: &[u8]) -> Result<Vec<u8>> {
        self.app.compute_signature(key.ef(), key.pin(), digest_info)
    }

    /// Signs a digest computed by the caller with `hash`.
    pub fn sign_digest(
        &mut self,
        key: KeySlot,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>> {
        let di = hash.digest_info(digest)?;
        self.sign_digest_info(key, &di)
    }

    /// Hashes `message` with `hash` and signs it: an RSASSA-PKCS1-v1_5 signature.
    pub fn sign(&mut self, key: KeySlot, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        let digest = hash.digest(message);
        self.sign_digest(key, hash, &digest)
    }
}
