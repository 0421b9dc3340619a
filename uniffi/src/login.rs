//! Login with the user-authentication certificate over the FFI: the app side
//! ([`login_on_card`], [`login_with_signer`]) and, with the `verify` feature, the service's
//! [`LoginVerifier`]; with the `emulator` feature, the emulator's OCSP answers
//! ([`emulator_ocsp_response`]). Challenges and responses cross as their JSON (what travels
//! between app and service anyway); neither holds personal data (an authentication
//! certificate names nobody).

use std::sync::Arc;
use std::time::SystemTime;

use mynasign::flow::{self, LoginOptions};
use mynasign::login::{ChallengeForm, LoginChallenge, LoginError, LoginResponse};
use mynasign::pin::PinKind;

use crate::error::{MynaError, VerifyFailure};
use crate::flows::last_attempt;
use crate::keystore::{keystore_error, KeyAlgorithm, KeystoreSigner};
use crate::link::CardLink;
use crate::objects::hex;
use crate::pin_code::PinCode;
use crate::records::{CardProfile, PinOptions};
use crate::worker::{run_card, run_local, CancelHandle, FlowContext, ProgressListener};

impl From<LoginError> for MynaError {
    fn from(e: LoginError) -> Self {
        use VerifyFailure as F;
        let reason = match e {
            LoginError::InvalidService => return MynaError::invalid_input("service"),
            LoginError::InvalidSession => return MynaError::invalid_input("session"),
            LoginError::Store(d) => return MynaError::internal(format!("challenge store: {d}")),
            LoginError::Randomness => return MynaError::internal("no randomness"),
            LoginError::Certificate(v) => return v.into(),
            LoginError::Malformed(_) => F::Malformed,
            LoginError::TooLarge { .. } => F::TooLarge,
            LoginError::UnknownChallenge => F::UnknownChallenge,
            LoginError::ChallengeReplayed => F::ChallengeReplayed,
            LoginError::ChallengeExpired => F::ChallengeExpired,
            LoginError::SessionMismatch => F::SessionMismatch,
            LoginError::FormMismatch => F::FormMismatch,
            LoginError::RelayedResponse => F::RelayedResponse,
            LoginError::NonceMismatch => F::NonceMismatch,
            LoginError::ClientTimeSkew => F::SigningTimeSkew,
            LoginError::BadSignature => F::SignatureMismatch,
            LoginError::SignatureCertificate => F::SignatureCertificateForLogin,
            _ => F::Other,
        };
        MynaError::VerificationFailed { reason }
    }
}

fn challenge_of(json: &str) -> Result<LoginChallenge, MynaError> {
    LoginChallenge::from_json(json.as_bytes()).map_err(|_| MynaError::invalid_input("challenge"))
}

fn json_string(bytes: Vec<u8>) -> Result<String, MynaError> {
    String::from_utf8(bytes).map_err(|_| MynaError::internal("login JSON is not UTF-8"))
}

/// A login made on a card or smartphone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LoginResult {
    /// The response to send to the service (JSON).
    pub response_json: String,
    /// The authentication certificate (DER; names nobody).
    pub certificate_der: Vec<u8>,
    /// Its serial number (issuance number), hex.
    pub certificate_serial: String,
    /// The authentication PIN's attempts left before VERIFY.
    pub pin_remaining_before: i32,
    /// What answered.
    pub profile: CardProfile,
    /// Exchanges with the card.
    pub exchanges: u32,
}

/// Answers the login challenge `challenge_json` with the user-authentication key of the card
/// or smartphone over `link`, believing it talks to `service` (the app's own idea of the
/// service, e.g. its configured origin; never taken from the challenge, so a relayed challenge
/// is refused by the real service). `pin`: a [`PinCode`] of the 4-digit authentication PIN
/// (its format was checked when it was made; used by this call and wiped when it ends). In one call: open, the authentication certificate
/// (before the PIN on a card, after it on a smartphone), the counter (no attempt spent),
/// VERIFY with the last-attempt guard, sign. 6 exchanges on a card with extended length.
/// Progress: 5 steps.
#[uniffi::export(default(listener = None, cancel = None, options))]
pub async fn login_on_card(
    link: Arc<dyn CardLink>,
    challenge_json: String,
    service: String,
    pin: Arc<PinCode>,
    options: PinOptions,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<LoginResult, MynaError> {
    let pin = pin.take(PinKind::AuthenticationPin)?;
    let challenge = challenge_of(&challenge_json)?;
    run_card(link, listener, cancel, move |cx: &FlowContext| {
        let core = LoginOptions {
            session: cx.session(),
            last_attempt: last_attempt(options.allow_last_attempt),
            signed_at: None,
            progress: Some(cx.progress.clone() as Arc<dyn flow::ProgressListener>),
        };
        let login = flow::login_on_card(cx.transport.clone(), &challenge, &service, &pin, &core)?;
        Ok(LoginResult {
            response_json: json_string(login.response.to_json())?,
            certificate_serial: hex(login.certificate.serial_bytes()),
            certificate_der: login.response.certificate.clone(),
            pin_remaining_before: i32::from(login.pin_status.remaining),
            profile: login.profile.into(),
            exchanges: login.stats.exchanges,
        })
    })
    .await
}

/// Answers a **bound** login challenge with a key the app holds (a smartphone certificate's
/// authentication key in the platform keystore): the signer signs the client data with
/// SHA-256, as it signs any message. A raw challenge needs a signer of bare digests, which
/// [`KeystoreSigner`] is not: refused with `InvalidInput("challenge")`. Returns the response
/// JSON.
#[uniffi::export(default(cancel = None))]
pub async fn login_with_signer(
    signer: Arc<dyn KeystoreSigner>,
    challenge_json: String,
    service: String,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<String, MynaError> {
    let challenge = challenge_of(&challenge_json)?;
    if challenge.form != ChallengeForm::Bound {
        return Err(MynaError::invalid_input("challenge"));
    }
    run_local(cancel, move || {
        let (client_data, _) = challenge.to_sign(&service, SystemTime::now())?;
        let client_data = client_data
            .ok_or_else(|| MynaError::internal("a bound challenge without client data"))?
            .to_bytes();
        let certificate = signer.certificate_der().map_err(keystore_error)?;
        mynasign::cert::JpkiCertificate::from_der(&certificate).map_err(mynasign::Error::from)?;
        let algorithm = match signer.algorithm().map_err(keystore_error)? {
            KeyAlgorithm::RsaPkcs1Sha256 => mynasign::login::LoginAlgorithm::RsaPkcs1Sha256,
            KeyAlgorithm::EcdsaP256Sha256 => mynasign::login::LoginAlgorithm::EcdsaP256Sha256,
        };
        let signature = signer.sign(client_data.clone()).map_err(keystore_error)?;
        json_string(
            LoginResponse {
                form: ChallengeForm::Bound,
                nonce: challenge.nonce,
                client_data: Some(client_data),
                certificate,
                signature,
                algorithm,
            }
            .to_json(),
        )
    })
    .await
}

/// The emulator CA's OCSP response (DER) about `certificate_der` (one of its certificates):
/// `good`, or `revoked` at `revoked_at`; with `nonce` (1 to 32 bytes) when given. Signed by
/// the root that issued it, or by a responder it delegated when `delegated`. Only in builds
/// with the `emulator` feature.
#[cfg(feature = "emulator")]
#[uniffi::export(default(revoked_at = None, nonce = None, delegated = false))]
pub fn emulator_ocsp_response(
    certificate_der: Vec<u8>,
    revoked_at: Option<SystemTime>,
    nonce: Option<Vec<u8>>,
    delegated: bool,
) -> Result<Vec<u8>, MynaError> {
    let cert = mynasign::cert::JpkiCertificate::from_der(&certificate_der)
        .map_err(|_| MynaError::invalid_input("certificate_der"))?;
    mynasign::emulator::EmulatorCa::shared()
        .ocsp_response(
            &cert,
            &mynasign::emulator::OcspAnswer {
                revoked_at,
                nonce,
                produced_at: None,
                delegated,
            },
        )
        .map_err(|_| MynaError::invalid_input("certificate_der"))
}

#[cfg(feature = "verify")]
pub use service::{LoginCheck, LoginVerifier, VerifiedLogin};

#[cfg(feature = "verify")]
mod service {
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    use mynasign::login::{ChallengeForm, LoginResponse};

    use crate::error::MynaError;
    use crate::records::RevocationInfo;
    use crate::verifier::Verifier;

    use super::json_string;

    /// What the service knows about one response it received.
    #[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
    pub struct LoginCheck {
        /// When it was received, by the service's clock; `null`: now.
        #[uniffi(default = None)]
        pub received_at: Option<SystemTime>,
        /// An OCSP response (DER) for the authentication certificate.
        #[uniffi(default = None)]
        pub ocsp_response: Option<Vec<u8>>,
        /// The nonce sent in the OCSP request, if one was sent.
        #[uniffi(default = None)]
        pub ocsp_nonce: Option<Vec<u8>>,
    }

    /// An accepted login: which authentication certificate (what a service records to
    /// recognise the holder: serial and key id), how revocation was established.
    #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
    pub struct VerifiedLogin {
        /// The certificate's serial number (issuance number), hex.
        pub certificate_serial: String,
        /// Its issuer.
        pub issuer: String,
        /// Its subject key identifier, hex.
        pub key_id: Option<String>,
        /// When it expires.
        pub not_after: SystemTime,
        /// How revocation was established.
        pub revocation: RevocationInfo,
        /// Whether the challenge was of the raw form (open to relay).
        pub raw_form: bool,
        /// The receipt time it was judged at.
        pub received_at: SystemTime,
    }

    /// The service side of a login, built once and shared between threads: issues
    /// challenges (256 random bits, single use, tied to the service's session, a short
    /// lifetime) into its in-memory store and verifies responses.
    #[derive(uniffi::Object)]
    #[uniffi::export(Debug)]
    pub struct LoginVerifier {
        inner: mynasign::login::LoginVerifier,
    }

    impl core::fmt::Debug for LoginVerifier {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "LoginVerifier({:?})", self.inner.service())
        }
    }

    #[uniffi::export]
    impl LoginVerifier {
        /// A login verifier for the service named `service` (what bound responses must
        /// name), judging certificates with `verifier` (its roots, CRLs, revocation rule);
        /// challenges live `lifetime_seconds` (`null`: 300).
        #[uniffi::constructor(default(lifetime_seconds = None))]
        pub fn new(
            verifier: Arc<Verifier>,
            service: String,
            lifetime_seconds: Option<u64>,
        ) -> Result<Arc<Self>, MynaError> {
            let mut inner = mynasign::login::LoginVerifier::new(verifier.core()?, &service)?;
            if let Some(s) = lifetime_seconds {
                inner = inner.with_lifetime(Duration::from_secs(s));
            }
            Ok(Arc::new(Self { inner }))
        }

        /// Issues a challenge (JSON) to the service's session `session`: bound, or raw
        /// (Mynaportal compatible, open to relay) when `raw`.
        #[uniffi::method(default(raw = false))]
        pub fn issue_challenge(&self, session: String, raw: bool) -> Result<String, MynaError> {
            let form = if raw {
                ChallengeForm::Raw
            } else {
                ChallengeForm::Bound
            };
            let c = self
                .inner
                .issue_challenge_at(&session, form, SystemTime::now())?;
            json_string(c.to_json())
        }

        /// Issues a challenge as if at `issued_at` (the service's clock), for tests of
        /// expiry.
        #[uniffi::method(default(raw = false))]
        pub fn issue_challenge_at(
            &self,
            session: String,
            issued_at: SystemTime,
            raw: bool,
        ) -> Result<String, MynaError> {
            let form = if raw {
                ChallengeForm::Raw
            } else {
                ChallengeForm::Bound
            };
            let c = self.inner.issue_challenge_at(&session, form, issued_at)?;
            json_string(c.to_json())
        }

        /// Verifies `response_json` received in `session`; each refusal is
        /// `VerificationFailed` with its own reason (`CHALLENGE_REPLAYED`,
        /// `CHALLENGE_EXPIRED`, `RELAYED_RESPONSE`, `SIGNATURE_CERTIFICATE_FOR_LOGIN`,
        /// `REVOKED`, ...).
        #[uniffi::method(default(check))]
        pub fn verify(
            &self,
            session: String,
            response_json: String,
            check: LoginCheck,
        ) -> Result<VerifiedLogin, MynaError> {
            let response = LoginResponse::from_json(response_json.as_bytes())?;
            let v = self.inner.verify(
                &session,
                &response,
                &mynasign::login::LoginCheck {
                    received_at: check.received_at,
                    ocsp_response: check.ocsp_response,
                    ocsp_nonce: check.ocsp_nonce,
                },
            )?;
            Ok(VerifiedLogin {
                certificate_serial: v.serial,
                issuer: v.issuer,
                key_id: v.key_id,
                not_after: v.not_after,
                revocation: (&v.revocation).into(),
                raw_form: v.form == ChallengeForm::Raw,
                received_at: v.received_at,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mynasign::verify::VerifyError;

    /// Every login refusal reaches the app as its own reason (or its own input field), never
    /// `Other`; a certificate's refusal keeps the verifier's reason.
    #[test]
    fn every_login_refusal_keeps_its_reason() {
        let cases = [
            LoginError::Malformed("x".into()),
            LoginError::TooLarge { size: 1, max: 0 },
            LoginError::UnknownChallenge,
            LoginError::ChallengeReplayed,
            LoginError::ChallengeExpired,
            LoginError::SessionMismatch,
            LoginError::FormMismatch,
            LoginError::RelayedResponse,
            LoginError::NonceMismatch,
            LoginError::ClientTimeSkew,
            LoginError::BadSignature,
            LoginError::SignatureCertificate,
            LoginError::Certificate(VerifyError::Revoked),
        ];
        let mut reasons = Vec::new();
        for e in cases {
            match MynaError::from(e.clone()) {
                MynaError::VerificationFailed { reason } => {
                    assert_ne!(reason, VerifyFailure::Other, "{e:?}");
                    reasons.push(reason);
                }
                other => panic!("{e:?} became {other:?}"),
            }
        }
        let n = reasons.len();
        reasons.sort_by_key(|r| format!("{r:?}"));
        reasons.dedup();
        assert_eq!(reasons.len(), n, "two login refusals share a reason");
        assert!(matches!(
            MynaError::from(LoginError::InvalidService),
            MynaError::InvalidInput { .. }
        ));
        assert_eq!(
            MynaError::from(VerifyError::AuthenticationCertificateForSignature),
            MynaError::VerificationFailed {
                reason: VerifyFailure::AuthenticationCertificateForSignature
            }
        );
        // Through the crate-wide error too (what the card flow returns).
        assert_eq!(
            MynaError::from(mynasign::Error::Login(LoginError::RelayedResponse)),
            MynaError::VerificationFailed {
                reason: VerifyFailure::RelayedResponse
            }
        );
    }
}
