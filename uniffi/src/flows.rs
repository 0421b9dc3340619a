//! The flows, as async calls: Kotlin `suspend`, Swift `async throws`, Python coroutines.
//! Each runs on its own worker thread (see [`crate::worker`]); cancelling the caller cancels
//! the flow.

use std::sync::Arc;

use mynasign::card::ExchangeStats;
use mynasign::card_info::CardInfoSession;
use mynasign::cert::JpkiCertificate;
use mynasign::consent::{ConsentPeriod, Terms};
use mynasign::date::Date;
use mynasign::flow::{self, CardSignOptions};
use mynasign::jpki::{CertificateSlot, JpkiSession, LastAttempt};
use mynasign::pin::{Pin, PinKind};

use crate::error::MynaError;
use crate::link::CardLink;
use crate::objects::*;
use crate::pin_code::PinCode;
use crate::records::*;
use crate::worker::{run_card, CancelHandle, FlowContext, ProgressListener};

fn add(a: ExchangeStats, b: ExchangeStats) -> ExchangeStats {
    ExchangeStats {
        exchanges: a.exchanges.saturating_add(b.exchanges),
        bytes_sent: a.bytes_sent.saturating_add(b.bytes_sent),
        bytes_received: a.bytes_received.saturating_add(b.bytes_received),
    }
}

pub(crate) fn last_attempt(allow: bool) -> LastAttempt {
    if allow {
        LastAttempt::Allow
    } else {
        LastAttempt::Refuse
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
/// channel rule (and for the linkage the attributes), sign. 6 exchanges on a card with
/// extended length. Progress: 5 steps (6 with the CA certificate). `password`: a
/// [`PinCode`] of the signature password, used by this call and wiped when it ends.
#[uniffi::export(default(listener = None, cancel = None, options))]
pub async fn sign_consent(
    link: Arc<dyn CardLink>,
    document: Arc<ConsentDocument>,
    password: Arc<PinCode>,
    options: SignOptions,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Arc<SignedConsent>, MynaError> {
    let pin = password.take(PinKind::SignaturePassword)?;
    run_card(link, listener, cancel, move |cx: &FlowContext| {
        let doc = document.inner.clone();
        let core_options = CardSignOptions {
            session: cx.session(),
            last_attempt: last_attempt(options.allow_last_attempt),
            include_ca_certificate: options.include_ca_certificate,
            signing_time: options.signing_time,
            progress: Some(cx.progress.clone() as Arc<dyn flow::ProgressListener>),
        };
        let signed = flow::sign_consent_on_card(cx.transport.clone(), &doc, &pin, &core_options)?;
        Ok(SignedConsent::from_core(signed, doc))
    })
    .await
}

/// Reads the basic four attributes from the card-info input support application (4-digit
/// PIN, same safety rules). The My Number is never read. Progress: 4 steps. `pin`: a
/// [`PinCode`] of the card-info PIN, used by this call and wiped when it ends.
#[uniffi::export(default(listener = None, cancel = None, options))]
pub async fn read_basic_attributes(
    link: Arc<dyn CardLink>,
    pin: Arc<PinCode>,
    options: PinOptions,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Arc<BasicAttributes>, MynaError> {
    let pin = pin.take(PinKind::CardInfoPin)?;
    run_card(link, listener, cancel, move |cx: &FlowContext| {
        let mut s = card_info_verified(cx, &pin, &options)?;
        Ok(BasicAttributes::shared(&s.read_attributes()?))
    })
    .await
}

/// Steps 1 to 3 of the 4-step card-info reads ([`read_basic_attributes`] and the authentic
/// read): the application opened, its PIN counter read (a blocked PIN ends the flow there)
/// and `pin` verified under `options`; step 4 (reading the attributes) is announced.
pub(crate) fn card_info_verified(
    cx: &FlowContext,
    pin: &Pin,
    options: &PinOptions,
) -> Result<CardInfoSession, MynaError> {
    let p = &cx.progress;
    p.step(FlowStep::Connecting, 1, 4);
    let mut s = CardInfoSession::open_with(cx.transport.clone(), cx.session())?;
    p.step(FlowStep::CheckingPin, 2, 4);
    if s.pin_status()?.is_blocked() {
        return Err(mynasign::Error::PinBlocked {
            pin: PinKind::CardInfoPin,
        }
        .into());
    }
    p.step(FlowStep::VerifyingPin, 3, 4);
    s.verify(pin, last_attempt(options.allow_last_attempt))?;
    p.step(FlowStep::ReadingAttributes, 4, 4);
    Ok(s)
}

/// Reads every PIN's retry counter without spending an attempt: the signature password and
/// the user-authentication PIN (JPKI) and, on a card, the card-info PIN. Progress: 4 steps.
#[uniffi::export(default(listener = None, cancel = None))]
pub async fn read_pin_status(
    link: Arc<dyn CardLink>,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<PinStatusReport, MynaError> {
    run_card(link, listener, cancel, move |cx: &FlowContext| {
        let p = &cx.progress;
        p.step(FlowStep::Connecting, 1, 4);
        let mut jpki = JpkiSession::open_with(cx.transport.clone(), cx.session())?;
        let profile: CardProfile = jpki.profile().into();
        p.step(FlowStep::CheckingPin, 2, 4);
        let signature = jpki.pin_status(PinKind::SignaturePassword)?;
        p.step(FlowStep::CheckingPin, 3, 4);
        let authentication = jpki.pin_status(PinKind::AuthenticationPin)?;
        let mut stats = jpki.stats();
        let card_info = if jpki.profile().is_smartphone() {
            None
        } else {
            p.step(FlowStep::CheckingPin, 4, 4);
            let mut info = CardInfoSession::open_with(cx.transport.clone(), cx.session())?;
            let s = info.pin_status()?;
            stats = add(stats, info.stats());
            Some(s.into())
        };
        Ok(PinStatusReport {
            profile,
            signature_password: signature.into(),
            authentication_pin: authentication.into(),
            card_info_pin: card_info,
            counts: stats.into(),
        })
    })
    .await
}

/// The Mynaportal linkage check on a card: reads the basic four attributes from the
/// card-info application (card-info PIN) and the signature certificate (signature
/// password), and names the fields that differ (never their values). Progress: 6 steps.
/// Both [`PinCode`]s are used by this call and wiped when it ends.
#[uniffi::export(default(listener = None, cancel = None, options))]
pub async fn check_linkage(
    link: Arc<dyn CardLink>,
    card_info_pin: Arc<PinCode>,
    signature_password: Arc<PinCode>,
    options: PinOptions,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<LinkageResult, MynaError> {
    // Both are taken (so both are wiped when the call ends) before either is checked.
    let info_pin = card_info_pin.take(PinKind::CardInfoPin);
    let password = signature_password.take(PinKind::SignaturePassword);
    let (info_pin, password) = (info_pin?, password?);
    run_card(link, listener, cancel, move |cx: &FlowContext| {
        let p = &cx.progress;
        let last = last_attempt(options.allow_last_attempt);
        p.step(FlowStep::Connecting, 1, 6);
        let mut info = CardInfoSession::open_with(cx.transport.clone(), cx.session())?;
        p.step(FlowStep::VerifyingPin, 2, 6);
        info.verify(&info_pin, last)?;
        p.step(FlowStep::ReadingAttributes, 3, 6);
        let attrs = info.read_attributes()?;
        let mut jpki = JpkiSession::open_with(cx.transport.clone(), cx.session())?;
        p.step(FlowStep::VerifyingPin, 4, 6);
        jpki.verify(&password, last)?;
        p.step(FlowStep::ReadingCertificate, 5, 6);
        let der = jpki.read_certificate_der(CertificateSlot::Signature)?;
        let cert = JpkiCertificate::from_der(&der).map_err(mynasign::Error::from)?;
        p.step(FlowStep::Comparing, 6, 6);
        let cert_attrs = cert
            .signature_attributes()
            .ok_or(MynaError::NotSignatureCertificate)?;
        Ok(LinkageResult {
            differing_fields: cert_attrs
                .attributes
                .differing_fields(&attrs)
                .into_iter()
                .map(Into::into)
                .collect(),
            attributes: BasicAttributes::shared(&attrs),
            counts: add(info.stats(), jpki.stats()).into(),
        })
    })
    .await
}

/// The linkage comparison without a card: the fields in which `card_info` differs from the
/// signature certificate's attributes (empty: the same person).
#[uniffi::export]
pub fn compare_linkage(
    card_info: Arc<BasicAttributes>,
    certificate: Arc<Certificate>,
) -> Result<Vec<AttributeField>, MynaError> {
    let attrs = certificate
        .inner
        .signature_attributes()
        .ok_or(MynaError::NotSignatureCertificate)?;
    Ok(attrs
        .attributes
        .differing_fields(&card_info.inner)
        .into_iter()
        .map(Into::into)
        .collect())
}

#[cfg(feature = "verify")]
/// Verifies a signed consent (CMS, DER). The default options are a receiving service's: the
/// J-LIS production roots, now as the receipt time, and revocation established by a CRL or
/// OCSP response given in `options` (refused when none applies). An app checking its own
/// consent before sending sets `allow_unchecked_revocation`.
#[uniffi::export(default(options))]
pub fn verify_consent(
    cms: Vec<u8>,
    options: VerifyConsentOptions,
) -> Result<Arc<VerifiedConsent>, MynaError> {
    let trust = crate::verifier::trust_store(options.trust, options.roots_der)?;
    let max_skew = crate::verifier::skew(options.max_skew_seconds)?;
    let v = mynasign::verify::verify_consent(
        &cms,
        &mynasign::verify::VerifyOptions {
            trust,
            received_at: options.received_at,
            crls: options.crls,
            ocsp_response: options.ocsp_response,
            ocsp_nonce: options.ocsp_nonce,
            nonce: options.nonce,
            channel: options.channel.map(Into::into),
            max_skew,
            require_revocation: !options.allow_unchecked_revocation,
        },
    )?;
    Ok(VerifiedConsent::from_core(v))
}

#[cfg(feature = "verify")]
/// The DER OCSP request (RFC 6960, SHA-256 CertID) for `certificate`, issued by a root of
/// `trust` (or of `roots_der` when not empty), with `nonce` (1 to 32 bytes) when given: send
/// it with the app's own HTTP client (`POST`, `application/ocsp-request`).
#[uniffi::export(default(roots_der = [], nonce = None))]
pub fn ocsp_request(
    certificate: Arc<Certificate>,
    trust: TrustAnchors,
    roots_der: Vec<Vec<u8>>,
    nonce: Option<Vec<u8>>,
) -> Result<Vec<u8>, MynaError> {
    let store = crate::verifier::trust_store(Some(trust), roots_der)?;
    let verifier = mynasign::verify::Verifier::new(store);
    Ok(verifier.ocsp_request(&certificate.inner, nonce.as_deref())?)
}

/// The 10-year period of a consent given on `consent_date` (`YYYY-MM-DD`, Japan time), seen
/// from `today` (`YYYY-MM-DD`), with a reminder `reminder_days` before the end.
#[uniffi::export]
pub fn consent_period(
    consent_date: String,
    today: String,
    reminder_days: i32,
) -> Result<ConsentPeriodInfo, MynaError> {
    let date =
        Date::parse_iso(&consent_date).map_err(|_| MynaError::invalid_input("consent_date"))?;
    let today = Date::parse_iso(&today).map_err(|_| MynaError::invalid_input("today"))?;
    let days =
        u32::try_from(reminder_days).map_err(|_| MynaError::invalid_input("reminder_days"))?;
    let p = ConsentPeriod::new(date)?;
    Ok(ConsentPeriodInfo {
        consent_date: p.consent_date().to_string(),
        first_day: p.first_day().to_string(),
        last_day: p.last_day().to_string(),
        reminder_date: p.reminder_date(days).to_string(),
        days_remaining: p.days_remaining(today),
        reminder_due: p.is_reminder_due(today, days),
    })
}

/// The library's version (the project's one version, from the workspace manifest).
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
