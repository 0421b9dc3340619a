//! The service's [`LoginVerifier`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rand_core::{OsRng, RngCore};

use crate::cert::{CertificateKind, JpkiCertificate};
use crate::verify::{CertificateCheck, CertificatePurpose, RevocationStatus, Verifier};

use super::challenge::{system_time, timestamp};
use super::signature::verifies;
use super::{
    check_service, ChallengeForm, ChallengeRecord, ChallengeStore, ClientData, LoginChallenge,
    LoginError, LoginResponse, MemoryChallengeStore, Taken, DEFAULT_CHALLENGE_LIFETIME,
    DEFAULT_CLIENT_SKEW, NONCE_LEN,
};

/// The longest session identifier, in bytes.
const MAX_SESSION_LEN: usize = 512;

/// What the service knows about one response it received.
#[derive(Debug, Clone, Default)]
pub struct LoginCheck {
    /// When it was received, by the service's clock. Default: now.
    pub received_at: Option<SystemTime>,
    /// An OCSP response (DER) for the authentication certificate, fetched by the service.
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, if one was sent.
    pub ocsp_nonce: Option<Vec<u8>>,
}

/// A login that was accepted: which certificate, how its revocation was established.
#[derive(Debug, Clone)]
pub struct VerifiedLogin {
    /// The authentication certificate (names nobody: `C=JP, CN=<opaque id>`).
    pub certificate: JpkiCertificate,
    /// Its serial number (issuance number), hex.
    pub serial: String,
    /// Its issuer, as a string.
    pub issuer: String,
    /// Its subject key identifier, hex (`None` if it has none): with the serial, what a
    /// service records to recognise the holder's next login.
    pub key_id: Option<String>,
    /// When it expires.
    pub not_after: SystemTime,
    /// The root it chains to.
    pub root: JpkiCertificate,
    /// How revocation was established.
    pub revocation: RevocationStatus,
    /// The challenge's form.
    pub form: ChallengeForm,
    /// The receipt time the certificate was judged at.
    pub received_at: SystemTime,
}

/// The service side of a login, built once (like the consent [`Verifier`], which it uses for
/// the certificate) and shared between threads: issues challenges into its store and verifies
/// responses.
#[derive(Clone)]
pub struct LoginVerifier {
    verifier: Verifier,
    service: String,
    store: Arc<dyn ChallengeStore>,
    lifetime: Duration,
    max_skew: Duration,
}

impl core::fmt::Debug for LoginVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoginVerifier")
            .field("service", &self.service)
            .field("lifetime", &self.lifetime)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

fn check_session(session: &str) -> Result<(), LoginError> {
    if session.is_empty() || session.len() > MAX_SESSION_LEN {
        return Err(LoginError::InvalidSession);
    }
    Ok(())
}

fn within(a: SystemTime, b: SystemTime, skew: Duration) -> bool {
    match a.duration_since(b) {
        Ok(d) => d <= skew,
        Err(e) => e.duration() <= skew,
    }
}

impl LoginVerifier {
    /// A login verifier for the service named `service` (what bound responses must name:
    /// the identifier the service's app or web page signs for, e.g. its origin), judging
    /// certificates with `verifier`, with an in-memory store, the default challenge lifetime
    /// ([`DEFAULT_CHALLENGE_LIFETIME`]) and client skew ([`DEFAULT_CLIENT_SKEW`]).
    pub fn new(verifier: Verifier, service: &str) -> Result<Self, LoginError> {
        check_service(service)?;
        Ok(Self {
            verifier,
            service: service.to_owned(),
            store: Arc::new(MemoryChallengeStore::new()),
            lifetime: DEFAULT_CHALLENGE_LIFETIME,
            max_skew: DEFAULT_CLIENT_SKEW,
        })
    }

    /// Keeps challenges in `store` (a service's shared database) instead of memory.
    pub fn with_store(mut self, store: Arc<dyn ChallengeStore>) -> Self {
        self.store = store;
        self
    }

    /// How long a challenge can be answered.
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The largest difference allowed between the client data's time and the receipt time.
    pub fn with_max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// The service identifier.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The certificate verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Issues a bound challenge to the service's session `session` (an identifier of the
    /// service's own, e.g. its session cookie's id), now.
    pub fn issue_challenge(&self, session: &str) -> Result<LoginChallenge, LoginError> {
        self.issue_challenge_at(session, ChallengeForm::Bound, SystemTime::now())
    }

    /// Issues a challenge of `form` to `session` at `now` (the service's clock). The raw
    /// form is open to relay: see [`ChallengeForm::Raw`].
    pub fn issue_challenge_at(
        &self,
        session: &str,
        form: ChallengeForm,
        now: SystemTime,
    ) -> Result<LoginChallenge, LoginError> {
        check_session(session)?;
        let mut nonce = [0u8; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| LoginError::Randomness)?;
        let issued_at = timestamp(now)?;
        let expires_at = timestamp(system_time(issued_at) + self.lifetime)?;
        self.store.insert(ChallengeRecord {
            nonce,
            session: session.to_owned(),
            form,
            issued_at: system_time(issued_at),
            expires_at: system_time(expires_at),
        })?;
        Ok(LoginChallenge {
            form,
            service: self.service.clone(),
            nonce,
            issued_at,
            expires_at,
        })
    }

    /// Verifies `response` received in the service's session `session`: the challenge (one
    /// this verifier issued to `session`, unused, not expired: it is used up by this call
    /// whatever the outcome), the form, for the bound form the client data (this service,
    /// the challenge's nonce, a time within the skew of the receipt time), the signature,
    /// and the certificate as an authentication certificate at the receipt time.
    pub fn verify(
        &self,
        session: &str,
        response: &LoginResponse,
        check: &LoginCheck,
    ) -> Result<VerifiedLogin, LoginError> {
        check_session(session)?;
        let at = check.received_at.unwrap_or_else(SystemTime::now);
        let record = match self.store.take(&response.nonce, session)? {
            Taken::Issued(r) => r,
            Taken::AlreadyUsed => return Err(LoginError::ChallengeReplayed),
            Taken::OtherSession => return Err(LoginError::SessionMismatch),
            Taken::Unknown => return Err(LoginError::UnknownChallenge),
        };
        if at > record.expires_at {
            return Err(LoginError::ChallengeExpired);
        }
        if response.form != record.form {
            return Err(LoginError::FormMismatch);
        }
        let digest = match (record.form, &response.client_data) {
            (ChallengeForm::Raw, None) => record.nonce,
            (ChallengeForm::Bound, Some(bytes)) => {
                let cd = ClientData::from_bytes(bytes)?;
                if cd.nonce != record.nonce {
                    return Err(LoginError::NonceMismatch);
                }
                if cd.service != self.service {
                    return Err(LoginError::RelayedResponse);
                }
                if !within(system_time(cd.signed_at), at, self.max_skew) {
                    return Err(LoginError::ClientTimeSkew);
                }
                cd.digest()
            }
            _ => return Err(LoginError::FormMismatch),
        };
        let certificate = JpkiCertificate::from_der(&response.certificate)
            .map_err(|e| LoginError::Malformed(format!("certificate: {e}")))?;
        if !verifies(
            &certificate,
            response.algorithm,
            &digest,
            &response.signature,
        ) {
            return Err(LoginError::BadSignature);
        }
        // A signature certificate (it carries the basic four) is never a login, even before
        // its chain is looked at.
        if certificate.kind() == CertificateKind::Signature {
            return Err(LoginError::SignatureCertificate);
        }
        let accepted = self.verifier.verify_certificate(
            &certificate,
            CertificatePurpose::Authentication,
            &CertificateCheck {
                at: Some(at),
                ocsp_response: check.ocsp_response.clone(),
                ocsp_nonce: check.ocsp_nonce.clone(),
            },
        )?;
        Ok(VerifiedLogin {
            serial: crate::hex::encode(certificate.serial_bytes()),
            issuer: certificate.issuer(),
            key_id: certificate.subject_key_identifier().map(crate::hex::encode),
            not_after: certificate.not_after().to_system_time(),
            root: accepted.root,
            revocation: accepted.revocation,
            form: record.form,
            received_at: at,
            certificate,
        })
    }
}
