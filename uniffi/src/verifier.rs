//! The verifier a receiving service builds once (roots and CRLs parsed, checked and indexed
//! once; safe to share between threads and requests), strict by default: revocation must be
//! established by a CRL or an OCSP response, or the consent is refused.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use mynasign::cert::{CertError, JpkiCertificate};
use mynasign::verify::{CertificatePurpose, ConsentCheck as CoreCheck, TrustStore};

use crate::error::MynaError;
use crate::objects::{Certificate, VerifiedConsent};
use crate::records::{ConsentChannel, TrustAnchors};

/// How a [`Verifier`] is built.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct VerifierOptions {
    /// Which roots to trust; `null`: the J-LIS production roots. Ignored when `roots_der` is
    /// not empty.
    #[uniffi(default = None)]
    pub trust: Option<TrustAnchors>,
    /// The service's own roots (DER CA certificates), instead of `trust`.
    #[uniffi(default)]
    pub roots_der: Vec<Vec<u8>>,
    /// CRLs (DER) of the roots, current at the receipt times to be judged.
    #[uniffi(default)]
    pub crls: Vec<Vec<u8>>,
    /// The largest allowed difference between signing time and receipt time, in seconds;
    /// `null`: 600.
    #[uniffi(default = None)]
    pub max_skew_seconds: Option<i64>,
    /// Accept a consent whose revocation could not be established (never for a receiving
    /// service; for an app's own check before sending).
    #[uniffi(default = false)]
    pub allow_unchecked_revocation: bool,
    /// Roots (DER CA certificates) that issue **signature** certificates, whatever their
    /// names say; trusted with `roots_der` (whose family each root's name must say), instead
    /// of `trust`. A consent's signer must chain to a signature root.
    #[uniffi(default)]
    pub signature_roots_der: Vec<Vec<u8>>,
    /// Roots (DER CA certificates) that issue **authentication** certificates, whatever
    /// their names say.
    #[uniffi(default)]
    pub authentication_roots_der: Vec<Vec<u8>>,
}

/// What a service knows about one consent it received.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ConsentCheck {
    /// When it was received, by the service's clock; `null`: now. Re-verifying an archived
    /// consent passes the receipt time recorded with it.
    #[uniffi(default = None)]
    pub received_at: Option<SystemTime>,
    /// The nonce the service issued for this procedure: the document's must equal it.
    #[uniffi(default = None)]
    pub nonce: Option<String>,
    /// The channel of the procedure: the document's must equal it.
    #[uniffi(default = None)]
    pub channel: Option<ConsentChannel>,
    /// An OCSP response (DER) for the signer certificate, fetched by the service.
    #[uniffi(default = None)]
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, if one was sent.
    #[uniffi(default = None)]
    pub ocsp_nonce: Option<Vec<u8>>,
}

/// A verifier built once from a prepared trust store.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Verifier {
    inner: RwLock<mynasign::verify::Verifier>,
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Verifier")
    }
}

pub(crate) fn trust_store(
    trust: Option<TrustAnchors>,
    roots_der: Vec<Vec<u8>>,
) -> Result<TrustStore, MynaError> {
    if !roots_der.is_empty() {
        return Ok(TrustStore::custom(roots_der).map_err(mynasign::Error::from)?);
    }
    Ok(match trust.unwrap_or(TrustAnchors::Production) {
        TrustAnchors::Production => TrustStore::production(),
        TrustAnchors::JpkiTest => TrustStore::jpki_test(),
    })
}

pub(crate) fn skew(seconds: Option<i64>) -> Result<Duration, MynaError> {
    match seconds {
        None => Ok(mynasign::verify::DEFAULT_MAX_SKEW),
        Some(s) => {
            Ok(Duration::from_secs(u64::try_from(s).map_err(|_| {
                MynaError::invalid_input("max_skew_seconds")
            })?))
        }
    }
}

#[uniffi::export]
impl Verifier {
    /// Builds the verifier: parses the roots and checks and indexes the CRLs (a bad CRL is
    /// refused here, with `VerificationFailed(BAD_CRL)`).
    #[uniffi::constructor(default(options))]
    pub fn new(options: VerifierOptions) -> Result<Arc<Self>, MynaError> {
        let store = if options.signature_roots_der.is_empty()
            && options.authentication_roots_der.is_empty()
        {
            trust_store(options.trust, options.roots_der)?
        } else {
            let mut roots = Vec::new();
            for der in options.roots_der {
                let root = JpkiCertificate::from_der(&der).map_err(mynasign::Error::from)?;
                let family = CertificatePurpose::of_root_name(&root)
                    .ok_or(mynasign::Error::from(CertError::UnknownRootFamily))?;
                roots.push((der, family));
            }
            for (ders, family) in [
                (options.signature_roots_der, CertificatePurpose::Signature),
                (
                    options.authentication_roots_der,
                    CertificatePurpose::Authentication,
                ),
            ] {
                roots.extend(ders.into_iter().map(|d| (d, family)));
            }
            TrustStore::custom_with_families(roots).map_err(mynasign::Error::from)?
        };
        let mut v =
            mynasign::verify::Verifier::new(store).with_max_skew(skew(options.max_skew_seconds)?);
        if options.allow_unchecked_revocation {
            v = v.allow_unchecked_revocation();
        }
        for crl in &options.crls {
            v.add_crl(crl)?;
        }
        Ok(Arc::new(Self {
            inner: RwLock::new(v),
        }))
    }

    /// Adds a CRL (a newer one published by J-LIS), checked and indexed now.
    pub fn add_crl(&self, crl_der: Vec<u8>) -> Result<(), MynaError> {
        let mut prepared = self.read()?.clone();
        prepared.add_crl(&crl_der)?;
        *self
            .inner
            .write()
            .map_err(|_| MynaError::internal("verifier poisoned"))? = prepared;
        Ok(())
    }

    /// Verifies a consent (CMS, DER) as received with `check`.
    #[uniffi::method(default(check))]
    pub fn verify(
        &self,
        cms: Vec<u8>,
        check: ConsentCheck,
    ) -> Result<Arc<VerifiedConsent>, MynaError> {
        let core = CoreCheck {
            received_at: check.received_at,
            nonce: check.nonce,
            channel: check.channel.map(Into::into),
            ocsp_response: check.ocsp_response,
            ocsp_nonce: check.ocsp_nonce,
        };
        let v = self.read()?.verify_consent(&cms, &core)?;
        Ok(VerifiedConsent::from_core(v))
    }

    /// The DER OCSP request (RFC 6960, SHA-256 CertID) for `certificate`, with `nonce` (1 to
    /// 32 bytes) when given.
    #[uniffi::method(default(nonce = None))]
    pub fn ocsp_request(
        &self,
        certificate: Arc<Certificate>,
        nonce: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, MynaError> {
        Ok(self
            .read()?
            .ocsp_request(&certificate.inner, nonce.as_deref())?)
    }
}

impl Verifier {
    /// The core verifier as it is now (for the `LoginVerifier` built on it).
    pub(crate) fn core(&self) -> Result<mynasign::verify::Verifier, MynaError> {
        Ok(self.read()?.clone())
    }

    fn read(
        &self,
    ) -> Result<std::sync::RwLockReadGuard<'_, mynasign::verify::Verifier>, MynaError> {
        self.inner
            .read()
            .map_err(|_| MynaError::internal("verifier poisoned"))
    }
}
