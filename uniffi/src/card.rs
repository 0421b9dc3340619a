use std::sync::{Arc, Mutex, MutexGuard};

use mynasign::card::{CancelToken, SessionOptions};
use mynasign::cert::JpkiCertificate;
use mynasign::jpki::{JpkiSession, LastAttempt};
use mynasign::pin::Pin;

use crate::error::MynaError;
use crate::link::{transport, CardLink};
use crate::records::{
    CardProfile, CertificateInfo, CertificateType, ExchangeCounts, PinState, PinType,
};

/// A session with the JPKI application of a card or smartphone, over the app's link.
///
/// Opening selects the application and reads the token (2 exchanges). All methods block on
/// card I/O: call them off the UI thread. [`JpkiCard::cancel`] may be called from any thread;
/// the next exchange is then not sent.
#[derive(uniffi::Object)]
pub struct JpkiCard {
    session: Mutex<JpkiSession>,
    cancel: CancelToken,
}

impl core::fmt::Debug for JpkiCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JpkiCard").finish_non_exhaustive()
    }
}

impl JpkiCard {
    fn session(&self) -> Result<MutexGuard<'_, JpkiSession>, MynaError> {
        self.session
            .lock()
            .map_err(|_| MynaError::invalid_input("session (poisoned by an earlier failure)"))
    }
}

#[uniffi::export]
impl JpkiCard {
    /// Opens the JPKI application over `link`.
    #[uniffi::constructor]
    pub fn open(link: Arc<dyn CardLink>) -> Result<Arc<Self>, MynaError> {
        let cancel = CancelToken::new();
        let options = SessionOptions {
            cancel: Some(cancel.clone()),
            ..SessionOptions::default()
        };
        let session = JpkiSession::open_with(transport(link), options)?;
        Ok(Arc::new(Self {
            session: Mutex::new(session),
            cancel,
        }))
    }

    /// Card or smartphone, told by the token.
    pub fn profile(&self) -> Result<CardProfile, MynaError> {
        Ok(self.session()?.profile().into())
    }

    /// A PIN's retry counter, without spending an attempt.
    pub fn pin_status(&self, pin: PinType) -> Result<PinState, MynaError> {
        Ok(self.session()?.pin_status(pin.into())?.into())
    }

    /// Verifies a PIN. The format is checked first (nothing sent if wrong; a signature
    /// password is uppercased); with one attempt left nothing is sent unless
    /// `allow_last_attempt`; a VERIFY is never repeated. The PIN string is wiped from the
    /// library's memory after use (the app should drop its own copy too).
    pub fn verify_pin(
        &self,
        pin: PinType,
        value: String,
        allow_last_attempt: bool,
    ) -> Result<PinState, MynaError> {
        let value = zeroize::Zeroizing::new(value);
        let pin =
            Pin::new(pin.into(), &value).map_err(|_| MynaError::invalid_pin_format(pin.into()))?;
        let last = if allow_last_attempt {
            LastAttempt::Allow
        } else {
            LastAttempt::Refuse
        };
        Ok(self.session()?.verify(&pin, last)?.into())
    }

    /// Reads a certificate as a typed record.
    pub fn read_certificate(
        &self,
        certificate: CertificateType,
    ) -> Result<CertificateInfo, MynaError> {
        let der = self.session()?.read_certificate_der(certificate.into())?;
        let cert = JpkiCertificate::from_der(&der).map_err(mynasign::Error::from)?;
        Ok((&cert).into())
    }

    /// Exchanges so far.
    pub fn counts(&self) -> Result<ExchangeCounts, MynaError> {
        Ok(self.session()?.stats().into())
    }

    /// Stops before the next exchange (from any thread).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}
