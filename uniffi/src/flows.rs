use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mynasign::card::{CancelToken, SessionOptions};
use mynasign::card_info::CardInfoSession;
use mynasign::cert::JpkiCertificate;
use mynasign::consent::{ConsentPeriod, Terms};
use mynasign::date::Date;
use mynasign::flow::{self, CardSignOptions, FlowStep};
use mynasign::jpki::LastAttempt;
use mynasign::pin::{Pin, PinKind};
use mynasign::verify::{TrustStore, VerifyOptions};

use crate::error::MynaError;
use crate::link::{transport, CardLink};
use crate::records::*;

/// A step of the signing flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SignStep {
    /// Connecting to the card.
    Connecting,
    /// Reading the PIN's retry counter.
    CheckingPin,
    /// Verifying the PIN.
    VerifyingPin,
    /// Reading the signature certificate.
    ReadingCertificate,
    /// Reading the CA certificate.
    ReadingCaCertificate,
    /// The card signs (about a second: "keep the card in place").
    Signing,
}

impl From<FlowStep> for SignStep {
    fn from(s: FlowStep) -> Self {
        match s {
            FlowStep::Connecting => SignStep::Connecting,
            FlowStep::CheckingPin => SignStep::CheckingPin,
            FlowStep::VerifyingPin => SignStep::VerifyingPin,
            FlowStep::ReadingCertificate => SignStep::ReadingCertificate,
            FlowStep::ReadingCaCertificate => SignStep::ReadingCaCertificate,
            FlowStep::Signing => SignStep::Signing,
        }
    }
}

/// Receives "step `index` of `total`" while the card works. Called on the flow's (background)
/// thread: hop to the UI thread to update the screen.
#[uniffi::export(with_foreign)]
pub trait ProgressCallback: Send + Sync {
    /// A step starts.
    fn on_step(&self, step: SignStep, index: u32, total: u32);
}

struct ProgressAdapter(Arc<dyn ProgressCallback>);

impl flow::ProgressListener for ProgressAdapter {
    fn on_step(&self, step: FlowStep, index: u32, total: u32) {
        self.0.on_step(step.into(), index, total);
    }
}

/// Cancels a flow from the UI: the flow stops before its next exchange with
/// [`MynaError::Cancelled`].
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle(CancelToken);

#[uniffi::export]
impl CancelHandle {
    /// A handle not yet cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stops the flow before its next exchange.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// The terms record for the exact `text` shown to the holder (SHA-256 of its UTF-8 bytes).
#[uniffi::export]
pub fn terms_from_text(id: String, version: String, text: String) -> Result<TermsInfo, MynaError> {
    let t = Terms::from_text(id, version, text.as_bytes())?;
    Ok(TermsInfo {
        id: t.id().to_string(),
        version: t.version().to_string(),
        sha256_hex: hex(t.sha256()),
    })
}

/// Signs a consent document on the card or smartphone over `link`, in one call: open, PIN
/// status, VERIFY (with the last-attempt guard), read the signature certificate, check the
/// channel rule (and for the linkage the attributes), sign. Returns the CMS and the exchange
/// counts (6 on a card with extended length).
#[uniffi::export]
pub fn sign_consent(
    link: Arc<dyn CardLink>,
    document: ConsentDocument,
    password: String,
    allow_last_attempt: bool,
    include_ca_certificate: bool,
    progress: Option<Arc<dyn ProgressCallback>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<SignedConsentInfo, MynaError> {
    let password = zeroize::Zeroizing::new(password);
    let pin = Pin::signature_password(&password)
        .map_err(|_| MynaError::invalid_pin_format(PinKind::SignaturePassword))?;
    let doc = document.to_core()?;
    let options = CardSignOptions {
        session: SessionOptions {
            cancel: cancel.map(|c| c.0.clone()),
            ..SessionOptions::default()
        },
        last_attempt: if allow_last_attempt {
            LastAttempt::Allow
        } else {
            LastAttempt::Refuse
        },
        include_ca_certificate,
        signing_time: None,
        progress: progress.map(|p| Arc::new(ProgressAdapter(p)) as Arc<dyn flow::ProgressListener>),
    };
    let signed = flow::sign_consent_on_card(transport(link), &doc, &pin, &options)?;
    Ok(SignedConsentInfo {
        document_json: String::from_utf8_lossy(&doc.encode()).into_owned(),
        cms: signed.cms,
        certificate: (&signed.certificate).into(),
        source: signed.source.into(),
        counts: signed.stats.into(),
    })
}

fn trust_store(trust: TrustAnchors) -> Result<TrustStore, MynaError> {
    Ok(match trust {
        TrustAnchors::Production => TrustStore::production(),
        TrustAnchors::JpkiTest => TrustStore::jpki_test(),
        #[cfg(feature = "emulator")]
        TrustAnchors::Emulator => TrustStore::emulator(),
        #[cfg(not(feature = "emulator"))]
        TrustAnchors::Emulator => {
            return Err(MynaError::invalid_input(
                "trust (no emulator in this build)",
            ))
        }
    })
}

fn time(unix: Option<i64>, field: &'static str) -> Result<Option<SystemTime>, MynaError> {
    match unix {
        None => Ok(None),
        Some(s) if s >= 0 => Ok(Some(UNIX_EPOCH + Duration::from_secs(s as u64))),
        Some(_) => Err(MynaError::invalid_input(field)),
    }
}

fn verified_info(v: mynasign::verify::VerifiedConsent) -> VerifiedConsentInfo {
    let unix = |t: SystemTime| {
        t.duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    };
    VerifiedConsentInfo {
        document: ConsentDocument::from_core(&v.document),
        document_json: String::from_utf8_lossy(&v.signature.content).into_owned(),
        signer: (&v.signature.certificate).into(),
        source: v.source.map(Into::into),
        signing_time_unix: unix(v.signature.signing_time),
        received_at_unix: unix(v.signature.evaluated_at),
        revocation: (&v.signature.revocation).into(),
    }
}

/// Verifies a signed consent (CMS, DER) against `trust`, judging the certificate at the
/// receipt time `at_unix` (seconds since 1970) or, when `null`, now; the signing time must
/// agree with it. The app's own check before sending: **revocation is not checked** here
/// (the result says so); a receiving service uses [`verify_consent_with`].
#[uniffi::export]
pub fn verify_consent(
    cms: Vec<u8>,
    trust: TrustAnchors,
    at_unix: Option<i64>,
) -> Result<VerifiedConsentInfo, MynaError> {
    let v = mynasign::verify::verify_consent(
        &cms,
        &VerifyOptions {
            trust: trust_store(trust)?,
            received_at: time(at_unix, "at_unix")?,
            require_revocation: false,
            ..VerifyOptions::default()
        },
    )?;
    Ok(verified_info(v))
}

/// Verifies a signed consent (CMS, DER) as a receiving service does: at the receipt time,
/// against the service's nonce and channel, with revocation established by a CRL or an OCSP
/// response (refused when neither applies, unless `allow_unchecked_revocation`).
#[uniffi::export]
pub fn verify_consent_with(
    cms: Vec<u8>,
    options: VerifyConsentOptions,
) -> Result<VerifiedConsentInfo, MynaError> {
    let trust = if options.roots_der.is_empty() {
        trust_store(options.trust)?
    } else {
        TrustStore::custom(options.roots_der).map_err(mynasign::Error::from)?
    };
    let v = mynasign::verify::verify_consent(
        &cms,
        &VerifyOptions {
            trust,
            received_at: time(options.received_at_unix, "received_at_unix")?,
            crls: options.crls,
            ocsp_response: options.ocsp_response,
            ocsp_nonce: options.ocsp_nonce,
            nonce: options.nonce,
            channel: options.channel.map(Into::into),
            max_skew: options
                .max_skew_seconds
                .map_or(mynasign::verify::DEFAULT_MAX_SKEW, Duration::from_secs),
            require_revocation: !options.allow_unchecked_revocation,
        },
    )?;
    Ok(verified_info(v))
}

/// The DER OCSP request (RFC 6960, SHA-256 CertID) for `cert_der`, issued by a root of
/// `trust`, with `nonce` (1 to 32 bytes) when given: send it with the app's own HTTP client
/// (`POST`, `application/ocsp-request`).
#[uniffi::export]
pub fn ocsp_request(
    cert_der: Vec<u8>,
    trust: TrustAnchors,
    nonce: Option<Vec<u8>>,
) -> Result<Vec<u8>, MynaError> {
    let cert = JpkiCertificate::from_der(&cert_der).map_err(mynasign::Error::from)?;
    let verifier = mynasign::verify::Verifier::new(trust_store(trust)?);
    Ok(verifier.ocsp_request(&cert, nonce.as_deref())?)
}

/// The 10-year period of a consent given on `consent_date` (`YYYY-MM-DD`, Japan time), seen
/// from `today` (`YYYY-MM-DD`), with a reminder `reminder_days` before the end.
#[uniffi::export]
pub fn consent_period(
    consent_date: String,
    today: String,
    reminder_days: u32,
) -> Result<ConsentPeriodInfo, MynaError> {
    let date =
        Date::parse_iso(&consent_date).map_err(|_| MynaError::invalid_input("consent_date"))?;
    let today = Date::parse_iso(&today).map_err(|_| MynaError::invalid_input("today"))?;
    let p = ConsentPeriod::new(date)?;
    Ok(ConsentPeriodInfo {
        consent_date: p.consent_date().to_string(),
        first_day: p.first_day().to_string(),
        last_day: p.last_day().to_string(),
        reminder_date: p.reminder_date(reminder_days).to_string(),
        days_remaining: p.days_remaining(today),
        reminder_due: p.is_reminder_due(today, reminder_days),
    })
}

/// Reads the basic four attributes from the card-info input support application (4-digit
/// PIN, with the same safety rules). The My Number is never read.
#[uniffi::export]
pub fn read_card_attributes(
    link: Arc<dyn CardLink>,
    pin: String,
    allow_last_attempt: bool,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Arc<BasicAttributes>, MynaError> {
    let pin = zeroize::Zeroizing::new(pin);
    let pin =
        Pin::card_info(&pin).map_err(|_| MynaError::invalid_pin_format(PinKind::CardInfoPin))?;
    let options = SessionOptions {
        cancel: cancel.map(|c| c.0.clone()),
        ..SessionOptions::default()
    };
    let mut s = CardInfoSession::open_with(transport(link), options)?;
    s.verify(
        &pin,
        if allow_last_attempt {
            LastAttempt::Allow
        } else {
            LastAttempt::Refuse
        },
    )?;
    Ok(BasicAttributes::shared(&s.read_attributes()?))
}

/// The Mynaportal linkage check: the fields in which the attributes read from the card-info
/// application differ from the signature certificate's (empty: the same person). Exact
/// comparison; only field names are returned.
#[uniffi::export]
pub fn check_linkage(
    card_info: Arc<BasicAttributes>,
    certificate: CertificateInfo,
) -> Result<Vec<String>, MynaError> {
    let a = &card_info.inner;
    let cert = JpkiCertificate::from_der(&certificate.der).map_err(mynasign::Error::from)?;
    let attrs = cert
        .signature_attributes()
        .ok_or_else(|| MynaError::invalid_input("certificate (not a signature certificate)"))?;
    Ok(attrs
        .differing_fields(a)
        .into_iter()
        .map(|f| f.as_str().to_string())
        .collect())
}
