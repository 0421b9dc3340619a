//! The end-to-end flows an app calls: sign a consent document on a card (one call: open, PIN
//! status, verify, read the signature certificate, sign) or with a signer the app provides.

use std::sync::Arc;
use std::time::SystemTime;

use crate::card::{ExchangeStats, SessionOptions};
use crate::cert::{CertificateKind, JpkiCertificate};
use crate::cms::{self, ContentSigner, SignOptions, SignatureAlgorithm};
use crate::consent::{check_channel_rule, CertificateSource, Document};
use crate::error::{Error, Result};
use crate::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
use crate::pin::{Pin, PinKind, PinStatus};
use crate::transport::CardTransport;

mod login;
pub use login::{
    login_and_sign_consent_on_card, login_on_card, login_with, CardLogin, LoginOptions, LoginSigner,
};

/// The card's signature key as a CMS [`ContentSigner`], in a session where the signature
/// password is verified. Its failures are the card's typed [`Error`]s.
pub struct CardContentSigner<'a> {
    session: &'a mut JpkiSession,
    certificate: Vec<u8>,
}

impl core::fmt::Debug for CardContentSigner<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardContentSigner").finish_non_exhaustive()
    }
}

impl<'a> CardContentSigner<'a> {
    /// Signs with `session`'s signature key; `certificate` is the signature certificate read
    /// from the same card.
    pub fn new(session: &'a mut JpkiSession, certificate: Vec<u8>) -> Self {
        Self {
            session,
            certificate,
        }
    }
}

impl ContentSigner for CardContentSigner<'_> {
    type Error = Error;
    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1Sha256
    }
    fn sign(&mut self, message: &[u8]) -> Result<Vec<u8>> {
        self.session
            .sign(KeySlot::Signature, HashAlgorithm::Sha256, message)
    }
}

/// A step of the card flow, so the UI can say "keep the card in place" and show progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowStep {
    /// Selecting the application and reading the token.
    Connecting,
    /// Reading the PIN's retry counter.
    CheckingPin,
    /// Verifying the PIN.
    VerifyingPin,
    /// Reading the signature certificate.
    ReadingCertificate,
    /// Reading the issuing CA certificate.
    ReadingCaCertificate,
    /// The card computes the signature (the slowest step: about a second on a real card).
    Signing,
}

/// Receives the steps of a card flow (step `index` of `total`, 1-based). Called on the thread
/// running the flow: a UI must hop to its own thread to update.
pub trait ProgressListener: Send + Sync {
    /// A step starts.
    fn on_step(&self, step: FlowStep, index: u32, total: u32);
}

/// Options of [`sign_consent_on_card`].
#[derive(Clone)]
pub struct CardSignOptions {
    /// How to talk to the card.
    pub session: SessionOptions,
    /// Whether VERIFY may use the last remaining attempt (the app asked the holder).
    pub last_attempt: LastAttempt,
    /// Also read the issuing CA certificate from the card and include it (one more read).
    pub include_ca_certificate: bool,
    /// The signing-time attribute; default now.
    pub signing_time: Option<SystemTime>,
    /// Progress reports; default none.
    pub progress: Option<Arc<dyn ProgressListener>>,
}

impl core::fmt::Debug for CardSignOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardSignOptions")
            .field("session", &self.session)
            .field("last_attempt", &self.last_attempt)
            .field("include_ca_certificate", &self.include_ca_certificate)
            .field("signing_time", &self.signing_time)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Default for CardSignOptions {
    fn default() -> Self {
        Self {
            session: SessionOptions::default(),
            last_attempt: LastAttempt::Refuse,
            include_ca_certificate: false,
            signing_time: None,
            progress: None,
        }
    }
}

/// A signed consent.
///
/// `Debug` shows the CMS's length and digest, never its bytes (a linkage consent's content
/// holds the basic four attributes).
#[derive(Clone)]
pub struct SignedConsent {
    /// The CMS `SignedData` (DER), CAdES-BES.
    pub cms: Vec<u8>,
    /// The signer certificate.
    pub certificate: JpkiCertificate,
    /// Card or smartphone.
    pub source: CertificateSource,
    /// The signature password's retry counter before VERIFY (`None` for a non-card signer).
    pub pin_status: Option<PinStatus>,
    /// The profile that answered (`None` for a non-card signer).
    pub profile: Option<Profile>,
    /// Exchanges with the card (zero for a non-card signer).
    pub stats: ExchangeStats,
}

impl core::fmt::Debug for SignedConsent {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&self.cms);
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        f.debug_struct("SignedConsent")
            .field(
                "cms",
                &format_args!("<{} bytes, sha256 {hex}…>", self.cms.len()),
            )
            .field("certificate", &self.certificate)
            .field("source", &self.source)
            .field("pin_status", &self.pin_status)
            .field("profile", &self.profile)
            .field("stats", &self.stats)
            .finish()
    }
}

/// Card or smartphone, from the profile that answered.
pub fn source_of(profile: Profile) -> CertificateSource {
    if profile.is_smartphone() {
        CertificateSource::Smartphone
    } else {
        CertificateSource::Card
    }
}

/// Checks what must hold before a document is signed with `certificate` from `source`: the
/// channel rule, the certificate is a signature certificate, and for the Mynaportal linkage
/// that the submitted attributes match the certificate's (field names only on mismatch).
pub fn check_before_signing(
    document: &Document,
    certificate: &JpkiCertificate,
    source: CertificateSource,
) -> Result<()> {
    check_channel_rule(document, source)?;
    if certificate.kind() != CertificateKind::Signature {
        return Err(Error::NotSignatureCertificate);
    }
    if let Document::MynaportalLinkageSubmission(linkage) = document {
        let attrs = certificate
            .signature_attributes()
            .ok_or(Error::NotSignatureCertificate)?;
        linkage.check_certificate_attributes(&attrs.attributes)?;
    }
    Ok(())
}

/// Signs `document` on a card or smartphone over `transport`, in one call: open (select and
/// token), PIN status, VERIFY with the safety rules, read the signature certificate, check the
/// channel rule (and for the linkage the attributes), sign. On the emulator this takes 6
/// exchanges with extended length and the shortcuts, 16 without; the result says how many.
pub fn sign_consent_on_card(
    transport: Arc<dyn CardTransport>,
    document: &Document,
    password: &Pin,
    options: &CardSignOptions,
) -> Result<SignedConsent> {
    if password.kind() != PinKind::SignaturePassword {
        return Err(Error::PinNotForApplication {
            pin: password.kind(),
        });
    }
    let total = if options.include_ca_certificate { 6 } else { 5 };
    let step = |k: FlowStep, i: u32| {
        if let Some(p) = &options.progress {
            p.on_step(k, i, total);
        }
    };
    step(FlowStep::Connecting, 1);
    let mut session = JpkiSession::open_with(transport, options.session.clone())?;
    let source = source_of(session.profile());
    // The channel rule needs only the profile: fail before the PIN is touched.
    check_channel_rule(document, source)?;
    step(FlowStep::CheckingPin, 2);
    let status: PinStatus = session.pin_status(PinKind::SignaturePassword)?;
    if status.is_blocked() {
        return Err(Error::PinBlocked {
            pin: PinKind::SignaturePassword,
        });
    }
    step(FlowStep::VerifyingPin, 3);
    session.verify(password, options.last_attempt)?;
    step(FlowStep::ReadingCertificate, 4);
    let der = session.read_certificate_der(CertificateSlot::Signature)?;
    let certificate = JpkiCertificate::from_der(&der)?;
    check_before_signing(document, &certificate, source)?;
    let mut extra = Vec::new();
    if options.include_ca_certificate {
        step(FlowStep::ReadingCaCertificate, 5);
        extra.push(session.read_certificate_der(CertificateSlot::SignatureCa)?);
    }
    let content = document.encode();
    let sign_options = SignOptions {
        signing_time: options.signing_time.unwrap_or_else(SystemTime::now),
        extra_certificates: extra,
        ..SignOptions::default()
    };
    step(FlowStep::Signing, total);
    let cms = {
        let mut signer = CardContentSigner::new(&mut session, der);
        cms::sign(&content, &mut signer, &sign_options)?
    };
    Ok(SignedConsent {
        cms,
        certificate,
        source,
        pin_status: Some(status),
        profile: Some(session.profile()),
        stats: session.stats(),
    })
}

/// Signs `document` with a signer the app provides (for example a smartphone key in a platform
/// keystore), after the same checks as on a card.
pub fn sign_consent_with<S: ContentSigner + ?Sized>(
    signer: &mut S,
    source: CertificateSource,
    document: &Document,
    options: &SignOptions,
) -> Result<SignedConsent>
where
    Error: From<S::Error>,
{
    let certificate = JpkiCertificate::from_der(&signer.certificate_der())?;
    check_before_signing(document, &certificate, source)?;
    let cms = cms::sign(&document.encode(), signer, options)?;
    Ok(SignedConsent {
        cms,
        certificate,
        source,
        pin_status: None,
        profile: None,
        stats: ExchangeStats::default(),
    })
}
