//! Login with the user-authentication certificate, end to end on the emulated card: the app
//! side (`flow::login_on_card`, `flow::login_with`) and the service side
//! (`login::LoginVerifier`), with revocation established by the emulator's OCSP responder.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use mynasign::card::{CancelToken, SessionOptions};
use mynasign::cert::JpkiCertificate;
use mynasign::cms::{self as mcms, RsaKeySigner};
use mynasign::consent::{Channel, Document};
use mynasign::date::Date;
use mynasign::emulator::{
    AuthenticationCertificateRequest, EmulatedCard, EmulatorCa, EmulatorConfig, Fault, FaultEffect,
    FaultTrigger, OcspAnswer, Persona,
};
use mynasign::flow::{
    login_and_sign_consent_on_card, login_on_card, login_with, CardLogin, FlowStep, LoginOptions,
    LoginSigner, ProgressListener,
};
use mynasign::jpki::{LastAttempt, Profile};
use mynasign::login::{
    ChallengeForm, LoginAlgorithm, LoginChallenge, LoginCheck, LoginError, LoginResponse,
    LoginVerifier,
};
use mynasign::pin::{Pin, PinKind};
use mynasign::verify::{
    verify_consent, RevocationStatus, TrustStore, Verifier, VerifyError, VerifyOptions,
};
use mynasign::Error;

use crate::common::*;
use crate::verify::docs;

const SERVICE: &str = "https://login.example.jp";
const SESSION: &str = "session-0001";

fn service() -> LoginVerifier {
    LoginVerifier::new(Verifier::new(TrustStore::emulator()), SERVICE).unwrap()
}

fn auth_pin(p: &Persona) -> Pin {
    Pin::authentication(p.authentication_pin()).unwrap()
}

/// A 4-digit PIN that is not the persona's.
fn wrong_pin(p: &Persona) -> Pin {
    let wrong = if p.authentication_pin() == "9999" {
        "1111"
    } else {
        "9999"
    };
    Pin::authentication(wrong).unwrap()
}

/// The emulator's OCSP answer (good, or revoked at `revoked_at`) for the certificate of `r`.
fn ocsp(r: &LoginResponse, revoked_at: Option<SystemTime>) -> LoginCheck {
    let cert = JpkiCertificate::from_der(&r.certificate).unwrap();
    let response = EmulatorCa::shared()
        .ocsp_response(
            &cert,
            &OcspAnswer {
                revoked_at,
                ..OcspAnswer::default()
            },
        )
        .unwrap();
    LoginCheck {
        ocsp_response: Some(response),
        ..LoginCheck::default()
    }
}

fn log_in(card: &Arc<EmulatedCard>, challenge: &LoginChallenge, service: &str) -> CardLogin {
    login_on_card(
        card.clone(),
        challenge,
        service,
        &auth_pin(&persona()),
        &LoginOptions::default(),
    )
    .unwrap()
}

fn short_options() -> LoginOptions {
    LoginOptions {
        session: SessionOptions {
            extended_length: false,
            short_ef_shortcuts: false,
            ..SessionOptions::default()
        },
        ..LoginOptions::default()
    }
}

#[test]
fn every_profile_logs_in_and_the_service_accepts_it_with_ocsp() {
    let service = service();
    for profile in Profile::ALL {
        let card = card_with(profile, EmulatorConfig::default());
        let challenge = service.issue_challenge(SESSION).unwrap();
        let login = log_in(&card, &challenge, SERVICE);
        assert_eq!(login.profile, profile);
        assert_eq!(login.pin_status.remaining, 3);
        assert_eq!(card.pin_attempts_left(PinKind::AuthenticationPin), 3);
        // The authentication key signed; the signature password was never touched.
        assert!(!card.is_verified(PinKind::SignaturePassword));
        assert!(
            login.certificate.der() == persona().card_image(profile).authentication_certificate,
            "{profile:?}: not the profile's authentication certificate"
        );
        // Through JSON, as it travels.
        let response = LoginResponse::from_json(&login.response.to_json()).unwrap();
        assert_eq!(response, login.response);
        let v = service
            .verify(SESSION, &response, &ocsp(&response, None))
            .unwrap();
        assert!(matches!(v.revocation, RevocationStatus::Ocsp { .. }));
        assert_eq!(v.root.der(), EmulatorCa::shared().authentication_ca_der());
        assert_eq!(v.serial, mynasign_hex(login.certificate.serial_bytes()));
        assert!(v.key_id.is_some());
        assert_eq!(v.form, ChallengeForm::Bound);
    }
}

fn mynasign_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn exchange_counts() {
    let service = service();
    let challenge = service.issue_challenge(SESSION).unwrap();
    let card = card();
    let default = log_in(&card, &challenge, SERVICE).stats.exchanges;
    let card = card_with(Profile::MyNumberCard, EmulatorConfig::short_only());
    let short = login_on_card(
        card,
        &challenge,
        SERVICE,
        &auth_pin(&persona()),
        &short_options(),
    )
    .unwrap()
    .stats
    .exchanges;
    // Smartphone: the certificate after the PIN, same count.
    let phone = card_with(Profile::AndroidSmartphone, EmulatorConfig::default());
    let on_phone = log_in(&phone, &challenge, SERVICE).stats.exchanges;
    println!("login_on_card exchanges: {default} (extended, shortcuts), {short} (short APDUs, no shortcuts), {on_phone} (Android profile)");
    // SELECT, token, certificate, counter, VERIFY, sign.
    assert_eq!(default, 6);
    assert_eq!(on_phone, 6);
    assert_eq!(short, 16);
}

#[test]
fn replayed_unknown_expired_and_other_session_challenges_are_refused() {
    let service = service();
    let card = card();
    let challenge = service.issue_challenge(SESSION).unwrap();
    let login = log_in(&card, &challenge, SERVICE);
    let check = ocsp(&login.response, None);
    // Another session cannot use it (and does not use it up).
    assert_eq!(
        service
            .verify("session-other", &login.response, &check)
            .unwrap_err(),
        LoginError::SessionMismatch
    );
    service.verify(SESSION, &login.response, &check).unwrap();
    assert_eq!(
        service
            .verify(SESSION, &login.response, &check)
            .unwrap_err(),
        LoginError::ChallengeReplayed
    );
    // Another service instance (another store) never issued it.
    assert_eq!(
        self::service()
            .verify(SESSION, &login.response, &check)
            .unwrap_err(),
        LoginError::UnknownChallenge
    );
    // Issued 6 minutes ago with a 5-minute lifetime: expired.
    let old = service
        .issue_challenge_at(
            SESSION,
            ChallengeForm::Bound,
            SystemTime::now() - Duration::from_secs(360),
        )
        .unwrap();
    let late = log_in(&card, &old, SERVICE);
    assert_eq!(
        service
            .verify(SESSION, &late.response, &ocsp(&late.response, None))
            .unwrap_err(),
        LoginError::ChallengeExpired
    );
}

#[test]
fn a_bound_response_relayed_to_another_service_is_refused() {
    let real = service();
    let card = card();
    // A phishing site obtained the real service's challenge and passed it on; the app signs
    // for the site it talks to.
    let challenge = real.issue_challenge(SESSION).unwrap();
    let login = log_in(&card, &challenge, "https://phish.example");
    assert_eq!(
        real.verify(SESSION, &login.response, &ocsp(&login.response, None))
            .unwrap_err(),
        LoginError::RelayedResponse
    );
    // The raw form cannot tell: documented as open to relay.
    let raw = real
        .issue_challenge_at(SESSION, ChallengeForm::Raw, SystemTime::now())
        .unwrap();
    let login = log_in(&card, &raw, "https://phish.example");
    assert!(login.response.client_data.is_none());
    let v = real
        .verify(SESSION, &login.response, &ocsp(&login.response, None))
        .unwrap();
    assert_eq!(v.form, ChallengeForm::Raw);
    // The raw signature is PKCS#1 v1.5 over the SHA-256 DigestInfo of the nonce as it is.
    let key = persona().authentication_key().to_public_key();
    key.verify(
        rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
        &raw.nonce,
        &login.response.signature,
    )
    .unwrap();
}

#[test]
fn tampered_responses_are_refused_each_with_its_reason() {
    let service = service();
    let card = card();
    let fresh = |form| {
        let c = service
            .issue_challenge_at(SESSION, form, SystemTime::now())
            .unwrap();
        (c.clone(), log_in(&card, &c, SERVICE).response)
    };
    // A byte of the signature changed.
    let (_, mut r) = fresh(ChallengeForm::Bound);
    r.signature[10] ^= 1;
    assert_eq!(
        service.verify(SESSION, &r, &ocsp(&r, None)).unwrap_err(),
        LoginError::BadSignature
    );
    // A raw answer to a bound challenge (a downgrade).
    let (_, mut r) = fresh(ChallengeForm::Bound);
    r.form = ChallengeForm::Raw;
    r.client_data = None;
    assert_eq!(
        service.verify(SESSION, &r, &ocsp(&r, None)).unwrap_err(),
        LoginError::FormMismatch
    );
    // Client data naming another nonce.
    let (c1, _) = fresh(ChallengeForm::Bound);
    let (_, r2) = fresh(ChallengeForm::Bound);
    let mut r = r2.clone();
    r.nonce = c1.nonce;
    assert_eq!(
        service.verify(SESSION, &r, &ocsp(&r, None)).unwrap_err(),
        LoginError::NonceMismatch
    );
    // Signed with a clock an hour off.
    let c = service.issue_challenge(SESSION).unwrap();
    let skewed = login_on_card(
        card.clone(),
        &c,
        SERVICE,
        &auth_pin(&persona()),
        &LoginOptions {
            signed_at: Some(SystemTime::now() - Duration::from_secs(3600)),
            ..LoginOptions::default()
        },
    )
    .unwrap()
    .response;
    assert_eq!(
        service
            .verify(SESSION, &skewed, &ocsp(&skewed, None))
            .unwrap_err(),
        LoginError::ClientTimeSkew
    );
    // Without an OCSP response or CRL: revocation not established (strict by default).
    let (_, r) = fresh(ChallengeForm::Bound);
    assert_eq!(
        service
            .verify(SESSION, &r, &LoginCheck::default())
            .unwrap_err(),
        LoginError::Certificate(VerifyError::RevocationNotChecked)
    );
    // Under the production roots: untrusted.
    let production = LoginVerifier::new(Verifier::new(TrustStore::production()), SERVICE).unwrap();
    let c = production.issue_challenge(SESSION).unwrap();
    let r = log_in(&card, &c, SERVICE).response;
    assert_eq!(
        production.verify(SESSION, &r, &ocsp(&r, None)).unwrap_err(),
        LoginError::Certificate(VerifyError::UntrustedChain)
    );
}

#[test]
fn a_revoked_authentication_certificate_is_refused_by_ocsp() {
    let service = service();
    let card = card();
    let c = service.issue_challenge(SESSION).unwrap();
    let r = log_in(&card, &c, SERVICE).response;
    let revoked = ocsp(&r, Some(SystemTime::now() - Duration::from_secs(86_400)));
    let err = service.verify(SESSION, &r, &revoked).unwrap_err();
    assert_eq!(err, LoginError::Certificate(VerifyError::Revoked));
    assert_eq!(err.code(), "revoked");
    // The same responder for a consent's signature certificate: revoked too.
    let p = persona();
    let doc = Document::from(docs::consent(Channel::Mynaportal));
    let signed = mynasign::flow::sign_consent_on_card(
        card.clone(),
        &doc,
        &Pin::signature_password(p.signature_password()).unwrap(),
        &Default::default(),
    )
    .unwrap();
    let answer = |revoked_at| {
        EmulatorCa::shared()
            .ocsp_response(
                &p.signature_certificate(),
                &OcspAnswer {
                    revoked_at,
                    nonce: Some(b"consent-nonce".to_vec()),
                    ..OcspAnswer::default()
                },
            )
            .unwrap()
    };
    let options = |response| VerifyOptions {
        trust: TrustStore::emulator(),
        ocsp_response: Some(response),
        ocsp_nonce: Some(b"consent-nonce".to_vec()),
        ..VerifyOptions::default()
    };
    let v = verify_consent(&signed.cms, &options(answer(None))).unwrap();
    assert!(matches!(
        v.signature.revocation,
        RevocationStatus::Ocsp { .. }
    ));
    assert_eq!(
        verify_consent(
            &signed.cms,
            &options(answer(Some(SystemTime::now() - Duration::from_secs(60))))
        )
        .unwrap_err(),
        VerifyError::Revoked
    );
    // Signed by a delegated responder of the authentication root (id-kp-OCSPSigning,
    // id-pkix-ocsp-nocheck, carried in the response): accepted alike; revoked alike.
    for (revoked_at, ok) in [
        (None, true),
        (Some(SystemTime::now() - Duration::from_secs(60)), false),
    ] {
        let c = service.issue_challenge(SESSION).unwrap();
        let r = log_in(&card, &c, SERVICE).response;
        let cert = JpkiCertificate::from_der(&r.certificate).unwrap();
        let delegated = EmulatorCa::shared()
            .ocsp_response(
                &cert,
                &OcspAnswer {
                    revoked_at,
                    delegated: true,
                    ..OcspAnswer::default()
                },
            )
            .unwrap();
        let got = service.verify(
            SESSION,
            &r,
            &LoginCheck {
                ocsp_response: Some(delegated),
                ..LoginCheck::default()
            },
        );
        if ok {
            assert!(matches!(
                got.unwrap().revocation,
                RevocationStatus::Ocsp { .. }
            ));
        } else {
            assert_eq!(
                got.unwrap_err(),
                LoginError::Certificate(VerifyError::Revoked)
            );
        }
    }
    // A certificate the emulator did not issue gets no answer.
    let foreign = TrustStore::production().roots()[0].clone();
    assert!(EmulatorCa::shared()
        .ocsp_response(&foreign, &OcspAnswer::default())
        .is_err());
}

/// A software login key with its certificate (a smartphone keystore stand-in).
struct SoftwareSigner {
    rsa: Option<rsa::RsaPrivateKey>,
    p256: Option<p256::ecdsa::SigningKey>,
    certificate: Vec<u8>,
}

impl LoginSigner for SoftwareSigner {
    fn certificate_der(&self) -> Vec<u8> {
        self.certificate.clone()
    }
    fn algorithm(&self) -> LoginAlgorithm {
        if self.p256.is_some() {
            LoginAlgorithm::EcdsaP256Sha256
        } else {
            LoginAlgorithm::RsaPkcs1Sha256
        }
    }
    fn sign_digest(&mut self, digest: &[u8; 32]) -> mynasign::Result<Vec<u8>> {
        if let Some(k) = &self.p256 {
            use signature::hazmat::PrehashSigner;
            let sig: p256::ecdsa::Signature = k.sign_prehash(digest).unwrap();
            return Ok(sig.to_der().as_bytes().to_vec());
        }
        let k = self.rsa.as_ref().unwrap();
        Ok(k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), digest)
            .unwrap())
    }
}

#[test]
fn an_ecdsa_p256_smartphone_key_logs_in() {
    let key = p256::ecdsa::SigningKey::from_slice(&[0x24; 32]).unwrap();
    let public = p256::PublicKey::from(key.verifying_key());
    let cert = EmulatorCa::shared()
        .issue_authentication_certificate(&AuthenticationCertificateRequest {
            serial: 0x0A17_0001,
            subject_id: "EMULATED-P256-0001",
            public_key: &public,
            issue_date: Date::new(2025, 6, 1).unwrap(),
            date_of_birth: Date::new(1990, 4, 1).unwrap(),
        })
        .unwrap();
    let service = service();
    let c = service.issue_challenge(SESSION).unwrap();
    let mut signer = SoftwareSigner {
        rsa: None,
        p256: Some(key),
        certificate: cert,
    };
    let r = login_with(&mut signer, &c, SERVICE, SystemTime::now()).unwrap();
    assert_eq!(r.algorithm, LoginAlgorithm::EcdsaP256Sha256);
    service.verify(SESSION, &r, &ocsp(&r, None)).unwrap();
    // Claiming RSA for an EC key: refused.
    let c = service.issue_challenge(SESSION).unwrap();
    let mut r = login_with(&mut signer, &c, SERVICE, SystemTime::now()).unwrap();
    r.algorithm = LoginAlgorithm::RsaPkcs1Sha256;
    assert_eq!(
        service.verify(SESSION, &r, &ocsp(&r, None)).unwrap_err(),
        LoginError::BadSignature
    );
}

#[test]
fn a_signature_certificate_never_logs_in_and_an_authentication_certificate_never_consents() {
    let p = persona();
    let service = service();
    let c = service.issue_challenge(SESSION).unwrap();
    let mut signer = SoftwareSigner {
        rsa: Some(p.signature_key().clone()),
        p256: None,
        certificate: p.signature_certificate_der().to_vec(),
    };
    let r = login_with(&mut signer, &c, SERVICE, SystemTime::now()).unwrap();
    let err = service.verify(SESSION, &r, &ocsp(&r, None)).unwrap_err();
    assert_eq!(err, LoginError::SignatureCertificate);
    assert_eq!(err.code(), "signature_certificate_for_login");
    // The certificate check alone says the same.
    let v = Verifier::new(TrustStore::emulator()).allow_unchecked_revocation();
    assert_eq!(
        v.verify_certificate(
            &p.signature_certificate(),
            mynasign::verify::CertificatePurpose::Authentication,
            &Default::default()
        )
        .unwrap_err(),
        VerifyError::SignatureCertificateForLogin
    );
    // A consent signed with the authentication key and certificate: refused by the consent
    // verifier with its own reason.
    let doc = Document::from(docs::consent(Channel::Mynaportal));
    let mut cms_signer = RsaKeySigner::new(
        p.authentication_key().clone(),
        p.authentication_certificate_der().to_vec(),
    );
    let cms = mcms::sign(&doc.encode(), &mut cms_signer, &Default::default()).unwrap();
    let err = verify_consent(
        &cms,
        &VerifyOptions {
            trust: TrustStore::emulator(),
            require_revocation: false,
            ..VerifyOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err, VerifyError::AuthenticationCertificateForSignature);
    assert_eq!(err.code(), "authentication_certificate_for_signature");
}

#[test]
fn pin_format_wrong_pin_last_attempt_and_lost_link() {
    let p = persona();
    let service = service();
    let c = service.issue_challenge(SESSION).unwrap();
    // The format is checked locally: nothing is sent.
    for bad in ["123", "12345", "12a4", ""] {
        assert!(Pin::authentication(bad).is_err(), "{bad}");
    }
    let card = card();
    let before = card.commands_processed();
    let password = Pin::signature_password(p.signature_password()).unwrap();
    assert!(matches!(
        login_on_card(
            card.clone(),
            &c,
            SERVICE,
            &password,
            &LoginOptions::default()
        ),
        Err(Error::PinNotForApplication { .. })
    ));
    // An invalid service name: refused before anything is sent.
    assert!(matches!(
        login_on_card(
            card.clone(),
            &c,
            "",
            &auth_pin(&p),
            &LoginOptions::default()
        ),
        Err(Error::Login(LoginError::InvalidService))
    ));
    assert_eq!(card.commands_processed(), before);

    // A wrong PIN: typed error, counter down, no signature.
    let err = login_on_card(
        card.clone(),
        &c,
        SERVICE,
        &wrong_pin(&p),
        &LoginOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongPin {
                pin: PinKind::AuthenticationPin,
                remaining: 2
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains(p.authentication_pin()));
    assert_eq!(card.pin_attempts_left(PinKind::AuthenticationPin), 2);

    // One attempt left: VERIFY is not sent unless the holder confirmed.
    card.set_pin_attempts_left(PinKind::AuthenticationPin, 1);
    let before = card.commands_processed();
    let err = login_on_card(
        card.clone(),
        &c,
        SERVICE,
        &auth_pin(&p),
        &LoginOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::LastAttemptGuard { .. }), "{err:?}");
    assert_eq!(card.pin_attempts_left(PinKind::AuthenticationPin), 1);
    assert!(card.commands_processed() > before);
    let ok = login_on_card(
        card.clone(),
        &c,
        SERVICE,
        &auth_pin(&p),
        &LoginOptions {
            last_attempt: LastAttempt::Allow,
            ..LoginOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ok.pin_status.remaining, 1);
    assert_eq!(card.pin_attempts_left(PinKind::AuthenticationPin), 3);

    // Blocked: never sent.
    card.set_pin_attempts_left(PinKind::AuthenticationPin, 0);
    assert!(matches!(
        login_on_card(
            card.clone(),
            &c,
            SERVICE,
            &auth_pin(&p),
            &LoginOptions::default()
        ),
        Err(Error::PinBlocked {
            pin: PinKind::AuthenticationPin
        })
    ));
    card.set_pin_attempts_left(PinKind::AuthenticationPin, 3);

    // The link lost during VERIFY: reported, not retried.
    card.inject_fault(Fault {
        when: FaultTrigger::NextVerifyWithData,
        effect: FaultEffect::DropBefore,
    });
    let err = login_on_card(
        card.clone(),
        &c,
        SERVICE,
        &auth_pin(&p),
        &LoginOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LinkLostDuringVerify {
                pin: PinKind::AuthenticationPin
            }
        ),
        "{err:?}"
    );
    assert_eq!(card.pin_attempts_left(PinKind::AuthenticationPin), 3);
}

#[derive(Default)]
struct Steps(Mutex<Vec<(FlowStep, u32, u32)>>);

impl ProgressListener for Steps {
    fn on_step(&self, step: FlowStep, index: u32, total: u32) {
        self.0.lock().unwrap().push((step, index, total));
    }
}

#[test]
fn progress_steps_per_profile_and_cancellation() {
    let service = service();
    let c = service.issue_challenge(SESSION).unwrap();
    for (profile, expected) in [
        (
            Profile::MyNumberCard,
            [
                FlowStep::Connecting,
                FlowStep::ReadingCertificate,
                FlowStep::CheckingPin,
                FlowStep::VerifyingPin,
                FlowStep::Signing,
            ],
        ),
        (
            Profile::AndroidSmartphone,
            [
                FlowStep::Connecting,
                FlowStep::CheckingPin,
                FlowStep::VerifyingPin,
                FlowStep::ReadingCertificate,
                FlowStep::Signing,
            ],
        ),
    ] {
        let steps = Arc::new(Steps::default());
        let card = card_with(profile, EmulatorConfig::default());
        login_on_card(
            card,
            &c,
            SERVICE,
            &auth_pin(&persona()),
            &LoginOptions {
                progress: Some(steps.clone()),
                ..LoginOptions::default()
            },
        )
        .unwrap();
        let seen = steps.0.lock().unwrap().clone();
        let want: Vec<_> = expected
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as u32 + 1, 5))
            .collect();
        assert_eq!(seen, want, "{profile:?}");
    }
    // Cancelled before it starts: nothing sent, no attempt used.
    let card = card();
    let cancel = CancelToken::new();
    cancel.cancel();
    let before = card.commands_processed();
    let err = login_on_card(
        card.clone(),
        &c,
        SERVICE,
        &auth_pin(&persona()),
        &LoginOptions {
            session: SessionOptions {
                cancel: Some(cancel),
                ..SessionOptions::default()
            },
            ..LoginOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(card.commands_processed(), before);
}

#[test]
fn a_login_and_a_consent_from_one_card_session_link_the_certificates() {
    let p = persona();
    let service = service();
    let card = card();
    let c = service.issue_challenge(SESSION).unwrap();
    let doc = Document::from(docs::linkage(p.attributes()));
    let (login, consent) = login_and_sign_consent_on_card(
        card.clone(),
        &c,
        SERVICE,
        &auth_pin(&p),
        &doc,
        &Pin::signature_password(p.signature_password()).unwrap(),
        &LoginOptions::default(),
    )
    .unwrap();
    let accepted = service
        .verify(SESSION, &login.response, &ocsp(&login.response, None))
        .unwrap();
    let signed = verify_consent(
        &consent.cms,
        &VerifyOptions {
            trust: TrustStore::emulator(),
            require_revocation: false,
            ..VerifyOptions::default()
        },
    )
    .unwrap();
    // The two certificates of one card: what the service records as one person's.
    assert!(accepted.certificate.der() == p.authentication_certificate_der());
    assert!(signed.signature.certificate.der() == p.signature_certificate_der());
    println!(
        "login_and_sign_consent_on_card exchanges: {}",
        login.stats.exchanges
    );
    assert_eq!(login.stats.exchanges, consent.stats.exchanges);
    assert!(login.stats.exchanges <= 10, "{}", login.stats.exchanges);
    // A smartphone cannot sign a licence-centre consent: refused before either PIN.
    let phone = card_with(Profile::AndroidSmartphone, EmulatorConfig::default());
    let kiosk = Document::from(docs::consent(Channel::LicenceCentreKiosk));
    let err = login_and_sign_consent_on_card(
        phone.clone(),
        &c,
        SERVICE,
        &auth_pin(&p),
        &kiosk,
        &Pin::signature_password(p.signature_password()).unwrap(),
        &LoginOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Consent(_)), "{err:?}");
    assert!(!phone.is_verified(PinKind::AuthenticationPin));
}
