//! The app side of a login: answer a [`LoginChallenge`] with the user-authentication key of a
//! card or smartphone (after the 4-digit authentication PIN), or with a signer the app
//! provides (a smartphone key in a platform keystore); and, for linking a login to a person,
//! a login and a signed consent from the same card in one session.

use std::sync::Arc;
use std::time::SystemTime;

use crate::card::{ExchangeStats, SessionOptions};
use crate::cert::JpkiCertificate;
use crate::cms::{self, SignOptions};
use crate::consent::Document;
use crate::error::{Error, Result};
use crate::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
use crate::login::{ClientData, LoginAlgorithm, LoginChallenge, LoginResponse};
use crate::pin::{Pin, PinKind, PinStatus};
use crate::transport::CardTransport;

use super::{
    check_before_signing, source_of, CardContentSigner, FlowStep, ProgressListener, SignedConsent,
};

/// Options of [`login_on_card`].
#[derive(Clone, Default)]
pub struct LoginOptions {
    /// How to talk to the card.
    pub session: SessionOptions,
    /// Whether VERIFY may use the last remaining attempt (the app asked the holder).
    pub last_attempt: LastAttempt,
    /// The time the bound form's client data names; default now.
    pub signed_at: Option<SystemTime>,
    /// Progress reports; default none.
    pub progress: Option<Arc<dyn ProgressListener>>,
}

impl core::fmt::Debug for LoginOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoginOptions")
            .field("session", &self.session)
            .field("last_attempt", &self.last_attempt)
            .field("signed_at", &self.signed_at)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// A login made on a card or smartphone.
#[derive(Debug, Clone)]
pub struct CardLogin {
    /// What the app sends to the service.
    pub response: LoginResponse,
    /// The authentication certificate (names nobody).
    pub certificate: JpkiCertificate,
    /// The authentication PIN's retry counter before VERIFY.
    pub pin_status: PinStatus,
    /// The profile that answered.
    pub profile: Profile,
    /// Exchanges with the card.
    pub stats: ExchangeStats,
}

/// Signs a SHA-256 digest with a login key the app holds (for example a smartphone key in a
/// platform keystore, which signs a prehashed digest: Android's `NONEwithECDSA` or
/// `NONEwithRSA` over the DigestInfo, iOS's `.ecdsaSignatureDigestX962SHA256`).
pub trait LoginSigner {
    /// The authentication certificate (DER).
    fn certificate_der(&self) -> Vec<u8>;
    /// The signature algorithm.
    fn algorithm(&self) -> LoginAlgorithm;
    /// Signs `digest` (SHA-256): RSA PKCS#1 v1.5 over its DigestInfo, or ECDSA (DER).
    fn sign_digest(&mut self, digest: &[u8; 32]) -> Result<Vec<u8>>;
}

/// What the key signs for `challenge`, built before the card is touched: a bad service
/// name costs no exchange and no attempt.
fn prepare(
    challenge: &LoginChallenge,
    service: &str,
    options: &LoginOptions,
) -> Result<(Option<ClientData>, [u8; 32])> {
    let signed_at = options.signed_at.unwrap_or_else(SystemTime::now);
    Ok(challenge.to_sign(service, signed_at)?)
}

#[allow(clippy::too_many_arguments)]
fn login_steps(
    session: &mut JpkiSession,
    challenge: &LoginChallenge,
    (client_data, digest): (Option<ClientData>, [u8; 32]),
    pin: &Pin,
    options: &LoginOptions,
    step: &dyn Fn(FlowStep, u32),
    first: u32,
) -> Result<CardLogin> {
    let profile = session.profile();
    let needs_pin = profile.authentication_certificate_needs_pin();
    let mut index = first;
    let mut next = |k: FlowStep| {
        step(k, index);
        index += 1;
    };
    let mut der = None;
    if !needs_pin {
        // A card: the certificate is free to read, before any PIN.
        next(FlowStep::ReadingCertificate);
        der = Some(session.read_certificate_der(CertificateSlot::Authentication)?);
    }
    next(FlowStep::CheckingPin);
    let status = session.pin_status(PinKind::AuthenticationPin)?;
    if status.is_blocked() {
        return Err(Error::PinBlocked {
            pin: PinKind::AuthenticationPin,
        });
    }
    next(FlowStep::VerifyingPin);
    session.verify(pin, options.last_attempt)?;
    let der = match der {
        Some(d) => d,
        None => {
            // A smartphone (JPKIAPGPSETOKEN): the certificate only after the PIN.
            next(FlowStep::ReadingCertificate);
            session.read_certificate_der(CertificateSlot::Authentication)?
        }
    };
    let certificate = JpkiCertificate::from_der(&der)?;
    next(FlowStep::Signing);
    let signature = session.sign_digest(KeySlot::Authentication, HashAlgorithm::Sha256, &digest)?;
    Ok(CardLogin {
        response: LoginResponse {
            form: challenge.form,
            nonce: challenge.nonce,
            client_data: client_data.map(|c| c.to_bytes()),
            certificate: der,
            signature,
            algorithm: LoginAlgorithm::RsaPkcs1Sha256,
        },
        certificate,
        pin_status: status,
        profile,
        stats: session.stats(),
    })
}

fn check_authentication_pin(pin: &Pin) -> Result<()> {
    if pin.kind() != PinKind::AuthenticationPin {
        return Err(Error::PinNotForApplication { pin: pin.kind() });
    }
    Ok(())
}

/// Answers `challenge` on a card or smartphone over `transport`, believing it talks to
/// `service` (the app's own idea of the service, e.g. its configured origin: never taken
/// from the challenge, so that a relayed challenge is signed for the relaying site and
/// refused by the real one). In one call: open (select and token), read the authentication
/// certificate (a card: before the PIN; a smartphone: after it), the authentication PIN's
/// counter (no attempt spent), VERIFY with the last-attempt guard, sign. `pin` must be an
/// authentication PIN ([`Pin::authentication`]: 4 digits, checked before anything is sent).
///
/// On the emulator: 6 exchanges with extended length and the shortcuts (SELECT, token,
/// certificate, counter, VERIFY, sign), 16 without (see the `login` integration tests).
pub fn login_on_card(
    transport: Arc<dyn CardTransport>,
    challenge: &LoginChallenge,
    service: &str,
    pin: &Pin,
    options: &LoginOptions,
) -> Result<CardLogin> {
    check_authentication_pin(pin)?;
    let to_sign = prepare(challenge, service, options)?;
    let total = 5;
    let step = |k: FlowStep, i: u32| {
        if let Some(p) = &options.progress {
            p.on_step(k, i, total);
        }
    };
    step(FlowStep::Connecting, 1);
    let mut session = JpkiSession::open_with(transport, options.session.clone())?;
    login_steps(&mut session, challenge, to_sign, pin, options, &step, 2)
}

/// Answers `challenge` with a key the app holds (see [`LoginSigner`]), believing it talks to
/// `service`, at `signed_at`.
pub fn login_with<S: LoginSigner + ?Sized>(
    signer: &mut S,
    challenge: &LoginChallenge,
    service: &str,
    signed_at: SystemTime,
) -> Result<LoginResponse> {
    let (client_data, digest) = challenge.to_sign(service, signed_at)?;
    let certificate = signer.certificate_der();
    JpkiCertificate::from_der(&certificate)?;
    let signature = signer.sign_digest(&digest)?;
    Ok(LoginResponse {
        form: challenge.form,
        nonce: challenge.nonce,
        client_data: client_data.map(|c| c.to_bytes()),
        certificate,
        signature,
        algorithm: signer.algorithm(),
    })
}

/// A login and a signed consent from the same card, in one card session: what a service
/// needs to link the (anonymous) authentication certificate to the person the signature
/// certificate names, once (the seeds' Mynaportal linkage: log in, then submit). Both PINs
/// are checked and verified with the same guards as in [`login_on_card`] and
/// [`super::sign_consent_on_card`]; the channel rule and the document's checks run before
/// either PIN is sent.
///
/// The service verifies both (the [`crate::login::LoginVerifier`] and the consent
/// [`crate::verify::Verifier`]) and, since one session on one card produced them, records
/// the authentication certificate's serial and key id against the consent's signer. After
/// a renewal (new certificates, new keys) the holder does this again; the service finds the
/// person by the new consent and replaces the old authentication certificate.
pub fn login_and_sign_consent_on_card(
    transport: Arc<dyn CardTransport>,
    challenge: &LoginChallenge,
    service: &str,
    authentication_pin: &Pin,
    document: &Document,
    signature_password: &Pin,
    options: &LoginOptions,
) -> Result<(CardLogin, SignedConsent)> {
    check_authentication_pin(authentication_pin)?;
    if signature_password.kind() != PinKind::SignaturePassword {
        return Err(Error::PinNotForApplication {
            pin: signature_password.kind(),
        });
    }
    let to_sign = prepare(challenge, service, options)?;
    let total = 9;
    let step = |k: FlowStep, i: u32| {
        if let Some(p) = &options.progress {
            p.on_step(k, i, total);
        }
    };
    step(FlowStep::Connecting, 1);
    let mut session = JpkiSession::open_with(transport, options.session.clone())?;
    let source = source_of(session.profile());
    crate::consent::check_channel_rule(document, source)?;
    let login = login_steps(
        &mut session,
        challenge,
        to_sign,
        authentication_pin,
        options,
        &step,
        2,
    )?;
    step(FlowStep::CheckingPin, 6);
    let status = session.pin_status(PinKind::SignaturePassword)?;
    if status.is_blocked() {
        return Err(Error::PinBlocked {
            pin: PinKind::SignaturePassword,
        });
    }
    step(FlowStep::VerifyingPin, 7);
    session.verify(signature_password, options.last_attempt)?;
    step(FlowStep::ReadingCertificate, 8);
    let der = session.read_certificate_der(CertificateSlot::Signature)?;
    let certificate = JpkiCertificate::from_der(&der)?;
    check_before_signing(document, &certificate, source)?;
    let sign_options = SignOptions {
        signing_time: options.signed_at.unwrap_or_else(SystemTime::now),
        ..SignOptions::default()
    };
    step(FlowStep::Signing, 9);
    let cms = {
        let mut signer = CardContentSigner::new(&mut session, der);
        cms::sign(&document.encode(), &mut signer, &sign_options)?
    };
    let consent = SignedConsent {
        cms,
        certificate,
        source,
        pin_status: Some(status),
        profile: Some(session.profile()),
        stats: session.stats(),
    };
    Ok((
        CardLogin {
            stats: session.stats(),
            ..login
        },
        consent,
    ))
}
