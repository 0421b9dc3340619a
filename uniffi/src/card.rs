//! A session with the JPKI application, step by step (the one-call flows are in
//! [`crate::flows`]).

use std::sync::{Arc, Mutex, MutexGuard};

use mynasign::card::{CancelToken, SessionOptions};
use mynasign::cert::JpkiCertificate;
use mynasign::jpki::JpkiSession;

use crate::error::MynaError;
use crate::flows::last_attempt;
use crate::link::{CardLink, ForeignTransport, LinkState};
use crate::objects::Certificate;
use crate::pin_code::PinCode;
use crate::records::{CardProfile, CertificateType, ExchangeCounts, PinState, PinType};
use crate::worker::{settle, spawn, Cancel};

/// A session with the JPKI application of a card or smartphone, over the app's link.
///
/// Every call that talks to the card is async and runs on a worker thread; cancelling one
/// (or calling [`JpkiCard::cancel`]) ends the session: nothing more is sent, the link is
/// closed (a VERIFY in flight completes first), and calls fail with `Cancelled`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct JpkiCard {
    session: Arc<Mutex<JpkiSession>>,
    link: Arc<LinkState>,
    profile: CardProfile,
}

impl core::fmt::Debug for JpkiCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "JpkiCard({:?})", self.profile)
    }
}

fn lock(s: &Mutex<JpkiSession>) -> Result<MutexGuard<'_, JpkiSession>, MynaError> {
    s.lock()
        .map_err(|_| MynaError::internal("session poisoned by an earlier failure"))
}

impl JpkiCard {
    async fn run<T: Send + 'static>(
        &self,
        body: impl FnOnce(&mut JpkiSession) -> Result<T, MynaError> + Send + 'static,
    ) -> Result<T, MynaError> {
        let session = self.session.clone();
        let link = self.link.clone();
        let target: Arc<dyn Cancel> = self.link.clone();
        spawn(target, move || {
            if link.is_cancelled() {
                return Err(MynaError::Cancelled {
                    during_verify: false,
                });
            }
            settle(body(&mut *lock(&session)?), &link)
        })
        .await
    }
}

#[uniffi::export]
impl JpkiCard {
    /// Opens the JPKI application over `link` (2 exchanges: SELECT and the token).
    #[uniffi::constructor]
    pub async fn open(link: Arc<dyn CardLink>) -> Result<Arc<Self>, MynaError> {
        let token = CancelToken::new();
        let state = LinkState::new(link, token.clone());
        let target: Arc<dyn Cancel> = state.clone();
        let worker_state = state.clone();
        let session = spawn(target, move || {
            let transport = Arc::new(ForeignTransport::new(worker_state)?);
            let options = SessionOptions {
                cancel: Some(token),
                ..SessionOptions::default()
            };
            Ok(JpkiSession::open_with(transport, options)?)
        })
        .await?;
        Ok(Arc::new(Self {
            profile: session.profile().into(),
            session: Arc::new(Mutex::new(session)),
            link: state,
        }))
    }

    /// Card or smartphone, told by the token.
    pub fn profile(&self) -> CardProfile {
        self.profile
    }

    /// A PIN's retry counter, without spending an attempt.
    pub async fn pin_status(&self, pin: PinType) -> Result<PinState, MynaError> {
        self.run(move |s| Ok(s.pin_status(pin.into())?.into()))
            .await
    }

    /// Verifies a PIN: `value`, a [`PinCode`] of the kind `pin` (its format was checked when it
    /// was made; another kind, or one already used, is refused with nothing sent), is used by
    /// this call and wiped when it ends; with one attempt left
    /// nothing is sent unless `allow_last_attempt`; a VERIFY is never repeated.
    #[uniffi::method(default(allow_last_attempt = false))]
    pub async fn verify_pin(
        &self,
        pin: PinType,
        value: Arc<PinCode>,
        allow_last_attempt: bool,
    ) -> Result<PinState, MynaError> {
        let pin = value.take(pin.into())?;
        self.run(move |s| Ok(s.verify(&pin, last_attempt(allow_last_attempt))?.into()))
            .await
    }

    /// Reads a certificate.
    pub async fn read_certificate(
        &self,
        certificate: CertificateType,
    ) -> Result<Arc<Certificate>, MynaError> {
        self.run(move |s| {
            let der = s.read_certificate_der(certificate.into())?;
            let cert = JpkiCertificate::from_der(&der).map_err(mynasign::Error::from)?;
            Ok(Certificate::shared(&cert))
        })
        .await
    }

    /// Whether the card holds a signature certificate (a holder under 15 has none).
    pub async fn has_signature_certificate(&self) -> Result<bool, MynaError> {
        self.run(|s| Ok(s.has_signature_certificate()?)).await
    }

    /// Exchanges so far.
    pub fn counts(&self) -> Result<ExchangeCounts, MynaError> {
        Ok(lock(&self.session)?.stats().into())
    }

    /// Ends the session from any thread: nothing more is sent and the link is closed (a
    /// VERIFY in flight completes first).
    pub fn cancel(&self) {
        self.link.cancel();
    }
}
