//! The FFI's own behaviour, in Rust: error texts, cancellation through a blocked link,
//! throwing callbacks, redacted printing. The language tests prove the same from each side.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Waker};
use std::time::Duration;

use crate::async_link::Parker;
use crate::emulator::Emulator;
use crate::*;

mod async_link;
mod serial;

/// Runs a flow's future to completion on the test's thread (the library's own `block_on`).
fn block_on<F: Future>(f: F) -> F::Output {
    crate::async_link::block_on(f, &Parker::for_current_thread()).expect("never given up")
}

/// Forwards to the emulator; optionally blocks on COMPUTE DIGITAL SIGNATURE until closed.
struct TestLink {
    emulator: Arc<Emulator>,
    block_sign: bool,
    closed: Mutex<bool>,
    wake: Condvar,
    blocked: AtomicBool,
    returned: AtomicBool,
    sent: AtomicUsize,
    sent_after_close: AtomicUsize,
    throw_in_transceive: bool,
}

impl TestLink {
    fn new(emulator: Arc<Emulator>, block_sign: bool) -> Arc<Self> {
        Arc::new(Self {
            emulator,
            block_sign,
            closed: Mutex::new(false),
            wake: Condvar::new(),
            blocked: AtomicBool::new(false),
            returned: AtomicBool::new(false),
            sent: AtomicUsize::new(0),
            sent_after_close: AtomicUsize::new(0),
            throw_in_transceive: false,
        })
    }

    fn wait_blocked(&self) {
        assert!(becomes_true(&self.blocked, 500), "the link never blocked");
    }

    fn wait_returned(&self) -> bool {
        becomes_true(&self.returned, 300)
    }
}

/// Whether `flag` is set within `tries` checks, 10 ms apart.
fn becomes_true(flag: &AtomicBool, tries: u32) -> bool {
    for _ in 0..tries {
        if flag.load(Ordering::SeqCst) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

impl CardLink for TestLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        if self.throw_in_transceive {
            return Err(LinkError::Other {
                detail: "boom".into(),
            });
        }
        if *self.closed.lock().unwrap() {
            self.sent_after_close.fetch_add(1, Ordering::SeqCst);
            return Err(LinkError::TagLost);
        }
        self.sent.fetch_add(1, Ordering::SeqCst);
        if self.block_sign && command.get(1) == Some(&0x2A) {
            self.blocked.store(true, Ordering::SeqCst);
            let mut closed = self.closed.lock().unwrap();
            while !*closed {
                closed = self.wake.wait(closed).unwrap();
            }
            self.returned.store(true, Ordering::SeqCst);
            return Err(LinkError::TagLost);
        }
        self.emulator.transceive(command)
    }
    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        Ok(self.emulator.supports_extended_length())
    }
    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(0)
    }
    fn close(&self) -> Result<(), LinkError> {
        *self.closed.lock().unwrap() = true;
        self.wake.notify_all();
        Ok(())
    }
}

/// The emulated card's signature password, as the flows take it.
fn password(emu: &Emulator) -> Arc<PinCode> {
    PinCode::new(PinType::SignaturePassword, &emu.signature_password()).unwrap()
}

/// The emulated card's card-info PIN, as the flows take it.
fn card_info_pin(emu: &Emulator) -> Arc<PinCode> {
    PinCode::new(PinType::CardInfoPin, &emu.card_info_pin()).unwrap()
}

fn document() -> Arc<ConsentDocument> {
    let terms = terms_from_text("t".into(), "1".into(), "text".into()).unwrap();
    ConsentDocument::address_change(
        vec![ConsentItem::Address],
        HolderStatus::MyNumberLicenceOnly,
        terms,
        ConsentChannel::Mynaportal,
        "nonce-0123456789".into(),
        None,
    )
    .unwrap()
}

#[test]
fn dropping_the_future_closes_the_link_and_unblocks_transceive() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = TestLink::new(emu.clone(), true);
    let fut = sign_consent(
        link.clone(),
        document(),
        password(&emu),
        SignOptions::default(),
        None,
        None,
    );
    let mut fut = Box::pin(fut);
    let waker = Waker::from(Parker::for_current_thread());
    assert!(fut
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_pending());
    link.wait_blocked();
    let before = link.sent.load(Ordering::SeqCst);
    drop(fut); // what a cancelled coroutine or asyncio task does
    assert!(*link.closed.lock().unwrap(), "close() was called");
    assert!(link.wait_returned(), "the blocked transceive returned");
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(link.sent.load(Ordering::SeqCst), before);
    assert_eq!(link.sent_after_close.load(Ordering::SeqCst), 0);
    // The password's counter is intact: the VERIFY before the signature succeeded.
    assert_eq!(emu.pin_attempts_left(PinType::SignaturePassword), 5);
}

#[test]
fn a_cancel_handle_ends_the_flow_with_cancelled() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = TestLink::new(emu.clone(), true);
    let handle = CancelHandle::new();
    let h = handle.clone();
    let l = link.clone();
    let canceller = std::thread::spawn(move || {
        l.wait_blocked();
        h.cancel();
    });
    let r = block_on(sign_consent(
        link.clone(),
        document(),
        password(&emu),
        SignOptions::default(),
        None,
        Some(handle),
    ));
    canceller.join().unwrap();
    let e = r.expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert!(!e.pin_counter_uncertain());
    assert!(e.retry_safe());
    assert_eq!(link.sent_after_close.load(Ordering::SeqCst), 0);
}

#[test]
fn a_handle_cancelled_before_the_call_sends_nothing() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = TestLink::new(emu.clone(), false);
    let handle = CancelHandle::new();
    handle.cancel();
    let e = block_on(read_pin_status(link.clone(), None, Some(handle))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert_eq!(link.sent.load(Ordering::SeqCst), 0);
}

struct Steps(Mutex<Vec<Progress>>, bool);

impl ProgressListener for Steps {
    fn on_progress(&self, p: Progress) -> Result<(), ListenerError> {
        self.0.lock().unwrap().push(p);
        if self.1 {
            return Err(ListenerError::Failed {
                detail: "listener".into(),
            });
        }
        Ok(())
    }
}

#[test]
fn progress_in_order_and_a_throwing_listener_stops_the_flow() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let steps = Arc::new(Steps(Mutex::new(Vec::new()), false));
    let signed = block_on(sign_consent(
        TestLink::new(emu.clone(), false),
        document(),
        password(&emu),
        SignOptions::default(),
        Some(steps.clone()),
        None,
    ))
    .unwrap();
    assert_eq!(signed.counts().exchanges, 6);
    let got = steps.0.lock().unwrap().clone();
    assert_eq!(
        got.iter().map(|p| p.index).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert!(got
        .iter()
        .all(|p| p.total == 5 && !p.message_ja.is_empty() && !p.message_en.is_empty()));
    assert_eq!(got.last().unwrap().step, FlowStep::Signing);

    let failing = Arc::new(Steps(Mutex::new(Vec::new()), true));
    let link = TestLink::new(emu.clone(), false);
    let e = block_on(sign_consent(
        link.clone(),
        document(),
        password(&emu),
        SignOptions::default(),
        Some(failing),
        None,
    ))
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CallbackFailed);
    assert_eq!(
        link.sent.load(Ordering::SeqCst),
        0,
        "stopped before the first exchange"
    );
}

#[test]
fn a_failing_link_is_a_typed_error() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let mut link = TestLink::new(emu.clone(), false);
    Arc::get_mut(&mut link).unwrap().throw_in_transceive = true;
    let e = block_on(read_pin_status(link, None, None)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LinkFailed);
    assert!(
        !e.message_en().contains("boom"),
        "technical detail stays out of the text"
    );
}

struct FailingSigner(Arc<Emulator>, bool);

impl KeystoreSigner for FailingSigner {
    fn certificate_der(&self) -> Result<Vec<u8>, SignerError> {
        Ok(self.0.keystore_certificate_der())
    }
    fn algorithm(&self) -> Result<KeyAlgorithm, SignerError> {
        Ok(KeyAlgorithm::RsaPkcs1Sha256)
    }
    fn sign(&self, _message: Vec<u8>) -> Result<Vec<u8>, SignerError> {
        Err(if self.1 {
            SignerError::Cancelled
        } else {
            SignerError::Failed {
                detail: "key invalidated".into(),
            }
        })
    }
}

#[test]
fn a_keystore_failure_has_its_own_error() {
    let emu = Emulator::new(1, CardProfile::AndroidSmartphone);
    let sign = |cancelled| {
        block_on(sign_consent_with_signer(
            Arc::new(FailingSigner(emu.clone(), cancelled)),
            CertificateSource::Smartphone,
            document(),
            SignOptions::default(),
            None,
            None,
        ))
        .unwrap_err()
    };
    let e = sign(false);
    assert_eq!(e.code(), ErrorCode::KeystoreFailed);
    assert!(e.message_en().contains("phone"), "{}", e.message_en());
    assert!(!e.message_en().contains("card"), "not the card's message");
    assert_eq!(sign(true).code(), ErrorCode::Cancelled);
}

fn every_error() -> Vec<MynaError> {
    use MynaError as E;
    let mut v = Vec::new();
    for pin in [
        PinType::SignaturePassword,
        PinType::AuthenticationPin,
        PinType::CardInfoPin,
    ] {
        v.extend([
            E::InvalidPinFormat { pin },
            E::WrongPin { pin, remaining: 2 },
            E::WrongPin { pin, remaining: 1 },
            E::PinNowBlocked { pin },
            E::PinBlocked { pin },
            E::LastAttemptGuard { pin },
            E::PinNotVerified { pin },
        ]);
    }
    v.extend([
        E::TagLost {
            during_verify: false,
        },
        E::TagLost {
            during_verify: true,
        },
        E::Timeout,
        E::LinkFailed {
            detail: "detail-xyz".into(),
        },
        E::NotMyNumberCard,
        E::NoSignatureCertificate,
        E::NotSignatureCertificate,
        E::Cancelled {
            during_verify: false,
        },
        E::Cancelled {
            during_verify: true,
        },
        E::ChannelRule,
        E::AttributeMismatch {
            fields: vec![AttributeField::Address],
        },
        E::VerificationFailed {
            reason: VerifyFailure::Revoked,
        },
        E::InvalidInput {
            field: "detail-xyz".into(),
        },
        E::KeystoreFailed {
            detail: "detail-xyz".into(),
        },
        E::CallbackFailed {
            callback: "progress".into(),
            detail: "detail-xyz".into(),
        },
        E::CardError {
            detail: "detail-xyz".into(),
        },
        E::Internal {
            detail: "detail-xyz".into(),
        },
    ]);
    for reason in [
        NfcUnavailableReason::NoNfc,
        NfcUnavailableReason::NfcOff,
        NfcUnavailableReason::NoPermission,
        NfcUnavailableReason::ReaderModeUnsupported,
        NfcUnavailableReason::ScreenClosed,
    ] {
        v.push(E::NfcUnavailable { reason });
    }
    for reason in [
        SecureElementReason::OsTooOld,
        SecureElementReason::ServiceUnavailable,
        SecureElementReason::NoSecureElement,
        SecureElementReason::NoJpkiApplication,
        SecureElementReason::AccessDenied,
        SecureElementReason::Unsupported,
        SecureElementReason::Io,
    ] {
        v.push(E::SecureElementUnavailable { reason });
    }
    v
}

#[test]
fn every_error_reads_well_in_both_languages() {
    let mut codes = std::collections::HashSet::new();
    for e in every_error() {
        codes.insert(e.code());
        let (ja, en) = (e.message_ja(), e.message_en());
        assert!(!ja.is_empty() && !en.is_empty(), "{e:?}");
        assert!(
            ja.chars().any(|c| c as u32 > 0x3000),
            "Japanese text for {e:?}: {ja}"
        );
        assert!(en.is_ascii(), "English text for {e:?}: {en}");
        assert_eq!(e.to_string(), en);
        assert_eq!(e.message_for("ja-JP".into()), ja);
        assert_eq!(e.message_for("en".into()), en);
        assert!(en.starts_with(&e.failure_en()));
        for internal in [
            "detail-xyz",
            "during_verify",
            "_",
            "APDU",
            "SW",
            "INS",
            "null",
            "None",
            "{",
        ] {
            assert!(
                !ja.contains(internal) && !en.contains(internal),
                "{internal} in the text of {e:?}"
            );
        }
        assert_eq!(
            e.pin_counter_uncertain(),
            e.code() == ErrorCode::TagLostDuringVerify
                || matches!(
                    e,
                    MynaError::Cancelled {
                        during_verify: true
                    }
                )
        );
        if e.pin_counter_uncertain() {
            assert!(!e.retry_safe(), "{e:?}");
        }
    }
    assert_eq!(codes.len(), 24, "every code is reachable");
}

#[test]
fn printed_forms_are_redacted() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = TestLink::new(emu.clone(), false);
    let attrs = block_on(read_basic_attributes(
        link.clone(),
        card_info_pin(&emu),
        PinOptions::default(),
        None,
        None,
    ))
    .unwrap();
    let linkage = block_on(check_linkage(
        link.clone(),
        card_info_pin(&emu),
        password(&emu),
        PinOptions::default(),
        None,
        None,
    ))
    .unwrap();
    let doc = ConsentDocument::mynaportal_linkage(attrs.clone(), "nonce-0123456789".into(), None)
        .unwrap();
    let signed = block_on(sign_consent(
        link,
        doc.clone(),
        password(&emu),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap();
    let verified = verify_consent(
        signed.cms(),
        VerifyConsentOptions {
            trust: None,
            roots_der: emu.root_certificates_der(),
            received_at: None,
            crls: vec![],
            ocsp_response: None,
            ocsp_nonce: None,
            nonce: None,
            channel: None,
            max_skew_seconds: None,
            allow_unchecked_revocation: true,
        },
    )
    .unwrap();
    let domicile = ConsentDocument::domicile_change(
        "ABCD1234EFGH5678".into(),
        true,
        "nonce-0123456789".into(),
        None,
    );
    let printed = [
        format!("{attrs:?} {attrs}"),
        format!("{linkage:?}"),
        format!("{doc:?} {doc}"),
        format!("{signed:?} {signed}"),
        format!("{verified:?} {verified}"),
        format!("{:?} {}", signed.certificate(), signed.certificate()),
        format!("{domicile:?}"),
        format!("{emu:?}"),
    ]
    .join("\n");
    let dob = attrs.date_of_birth();
    for secret in [
        attrs.name(),
        attrs.address(),
        dob.clone(),
        dob.replace('-', ""),
        "ABCD1234EFGH5678".to_string(),
        String::from_utf8(emu.signature_password()).unwrap(),
        String::from_utf8(emu.card_info_pin()).unwrap(),
        signed.certificate().issuance_number(),
    ] {
        assert!(!printed.contains(&secret), "printed forms leak a value");
    }
    assert!(printed.contains("redacted"));
}

#[test]
fn a_verifier_built_once_is_strict_by_default() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let signed = signed_on(&emu);
    let strict = Verifier::new(VerifierOptions {
        roots_der: emu.root_certificates_der(),
        ..VerifierOptions::default()
    })
    .unwrap();
    let e = strict
        .verify(signed.cms(), ConsentCheck::default())
        .unwrap_err();
    assert_eq!(
        e,
        MynaError::VerificationFailed {
            reason: VerifyFailure::RevocationNotChecked
        }
    );
    let with_crl = Verifier::new(VerifierOptions {
        roots_der: emu.root_certificates_der(),
        crls: vec![emu.crl()],
        ..VerifierOptions::default()
    })
    .unwrap();
    let check = ConsentCheck {
        nonce: Some("nonce-0123456789".into()),
        channel: Some(ConsentChannel::Mynaportal),
        ..ConsentCheck::default()
    };
    let v = with_crl.verify(signed.cms(), check.clone()).unwrap();
    assert_eq!(v.revocation().method, RevocationMethod::Crl);
    // The consent id: what was signed, the core's, the same on every verification.
    let id = v.consent_id();
    assert!(id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
    let core = mynasign::verify::Verifier::new(
        mynasign::verify::TrustStore::custom(emu.root_certificates_der()).unwrap(),
    )
    .allow_unchecked_revocation()
    .verify_consent(&signed.cms(), &Default::default())
    .unwrap();
    assert_eq!(core.consent_id(), id);
    assert_eq!(
        with_crl
            .verify(signed.cms(), check.clone())
            .unwrap()
            .consent_id(),
        id
    );
    assert_eq!(v.document().kind(), DocumentKind::AddressChange);
    let wrong = ConsentCheck {
        nonce: Some("another-nonce-000".into()),
        ..check
    };
    assert_eq!(
        with_crl.verify(signed.cms(), wrong).unwrap_err(),
        MynaError::VerificationFailed {
            reason: VerifyFailure::NonceMismatch
        }
    );
    // Roots given by family: the emulator's signature root as a signature root verifies
    // alike; as an authentication root, the signer chains to the other family.
    let by_family = |signature: bool| {
        let root = emu.root_certificates_der()[0].clone();
        let (signature_roots_der, authentication_roots_der) = if signature {
            (vec![root], Vec::new())
        } else {
            (Vec::new(), vec![root])
        };
        Verifier::new(VerifierOptions {
            signature_roots_der,
            authentication_roots_der,
            allow_unchecked_revocation: true,
            ..VerifierOptions::default()
        })
        .unwrap()
        .verify(signed.cms(), ConsentCheck::default())
    };
    assert_eq!(by_family(true).unwrap().consent_id(), id);
    assert_eq!(
        by_family(false).unwrap_err(),
        MynaError::VerificationFailed {
            reason: VerifyFailure::UntrustedChain
        }
    );
    // The production roots do not trust the emulator.
    let production = Verifier::new(VerifierOptions::default()).unwrap();
    assert_eq!(
        production
            .verify(signed.cms(), ConsentCheck::default())
            .unwrap_err(),
        MynaError::VerificationFailed {
            reason: VerifyFailure::UntrustedChain
        }
    );
}

#[test]
fn only_the_type_of_a_foreign_exception_is_kept() {
    use crate::link::thrown_type;
    assert_eq!(
        thrown_type("java.lang.IllegalStateException: 山田太郎 at 1-2-3"),
        "java.lang.IllegalStateException"
    );
    assert_eq!(thrown_type("ValueError('東京都千代田区')"), "ValueError");
    assert_eq!(thrown_type("MyError(holder: \"x\")"), "MyError");
    assert_eq!(thrown_type("山田"), "an exception");
    assert_eq!(thrown_type(""), "an exception");
}

/// Holds a VERIFY until released, noting when close() came.
struct SlowVerifyLink {
    emulator: Arc<Emulator>,
    release: Mutex<bool>,
    wake: Condvar,
    in_verify: AtomicBool,
    closed_during_verify: AtomicBool,
    closed: AtomicBool,
}

impl SlowVerifyLink {
    fn new(emulator: Arc<Emulator>) -> Arc<Self> {
        Arc::new(Self {
            emulator,
            release: Mutex::new(false),
            wake: Condvar::new(),
            in_verify: AtomicBool::new(false),
            closed_during_verify: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        })
    }
}

impl CardLink for SlowVerifyLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(LinkError::TagLost);
        }
        if command.len() > 5 && command[1] == 0x20 {
            self.in_verify.store(true, Ordering::SeqCst);
            let mut r = self.release.lock().unwrap();
            while !*r {
                r = self.wake.wait(r).unwrap();
            }
            let answer = self.emulator.transceive(command);
            self.in_verify.store(false, Ordering::SeqCst);
            return answer;
        }
        self.emulator.transceive(command)
    }
    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        Ok(true)
    }
    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(0)
    }
    fn close(&self) -> Result<(), LinkError> {
        if self.in_verify.load(Ordering::SeqCst) {
            self.closed_during_verify.store(true, Ordering::SeqCst);
        }
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn a_cancel_during_verify_lets_the_verify_complete_so_its_attempt_is_known() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = SlowVerifyLink::new(emu.clone());
    let handle = CancelHandle::new();
    let (l, h) = (link.clone(), handle.clone());
    let canceller = std::thread::spawn(move || {
        while !l.in_verify.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        h.cancel(); // while the VERIFY is at the card
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !l.closed.load(Ordering::SeqCst),
            "not closed while a VERIFY is in flight"
        );
        *l.release.lock().unwrap() = true;
        l.wake.notify_all();
    });
    // A wrong password: the VERIFY that was in flight is reported as what it was.
    let e = block_on(sign_consent(
        link.clone(),
        document(),
        PinCode::new(PinType::SignaturePassword, b"WRONG1").unwrap(),
        SignOptions::default(),
        None,
        Some(handle),
    ))
    .unwrap_err();
    canceller.join().unwrap();
    assert_eq!(
        e,
        MynaError::WrongPin {
            pin: PinType::SignaturePassword,
            remaining: 4
        }
    );
    assert!(!e.pin_counter_uncertain());
    assert!(!link.closed_during_verify.load(Ordering::SeqCst));
    assert!(
        link.closed.load(Ordering::SeqCst),
        "closed once the VERIFY returned"
    );
    assert_eq!(emu.pin_attempts_left(PinType::SignaturePassword), 4);

    // The right password, cancelled during its VERIFY: verified, then nothing more is sent.
    let link2 = SlowVerifyLink::new(emu.clone());
    let handle = CancelHandle::new();
    let (l, h) = (link2.clone(), handle.clone());
    let canceller = std::thread::spawn(move || {
        while !l.in_verify.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        h.cancel();
        *l.release.lock().unwrap() = true;
        l.wake.notify_all();
    });
    let e = block_on(sign_consent(
        link2.clone(),
        document(),
        password(&emu),
        SignOptions::default(),
        None,
        Some(handle),
    ))
    .unwrap_err();
    canceller.join().unwrap();
    assert_eq!(
        e,
        MynaError::Cancelled {
            during_verify: false
        }
    );
    assert_eq!(
        emu.pin_attempts_left(PinType::SignaturePassword),
        5,
        "reset by the success"
    );
}

/// The test document, signed on `emu` (a link without extended length).
fn signed_on(emu: &Arc<Emulator>) -> Arc<SignedConsent> {
    block_on(sign_consent(
        TestLink::new(emu.clone(), false),
        document(),
        password(emu),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap()
}

/// A consent signed on the emulator of `seed`, verified against its roots and CRL.
fn signed_and_verified(seed: u64) -> (Arc<SignedConsent>, Arc<VerifiedConsent>) {
    let emu = Emulator::new(seed, CardProfile::MyNumberCard);
    let signed = signed_on(&emu);
    let verifier = Verifier::new(VerifierOptions {
        roots_der: emu.root_certificates_der(),
        crls: vec![emu.crl()],
        ..VerifierOptions::default()
    })
    .unwrap();
    let verified = verifier
        .verify(signed.cms(), ConsentCheck::default())
        .unwrap();
    (signed, verified)
}

#[test]
fn a_verified_consent_names_the_signer_certificate_issuance_number_but_never_prints_it() {
    let (signed, v) = signed_and_verified(1);
    let number = v.issuance_number();
    // The certificate that signed it, as the signing side saw it: same serial.
    assert_eq!(number, signed.certificate().issuance_number());
    assert_eq!(number, v.signer().issuance_number());
    assert!(!number.is_empty());
    assert!(number
        .chars()
        .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)));
    // Another card's consent has another number.
    let (_, other) = signed_and_verified(2);
    assert_ne!(other.issuance_number(), number);
    let printed = format!("{v:?} {v} {:?} {}", v.signer(), v.signer());
    assert!(!printed.contains(&number), "the printed forms leak it");
}

/// Whether a VERIFY line of the report text shows a command of header + Lc + `pin_len` bytes.
fn text_has_verify_length(text: &str, pin_len: usize) -> bool {
    text.lines()
        .filter(|l| l.contains(" 00 20 00 "))
        .any(|l| l.contains(&format!("len {}", 5 + pin_len)))
}

/// The redacted session report: every exchange's header and lengths, never a PIN, a
/// certificate's bytes, a VERIFY's Lc or its length.
#[test]
fn session_report_keeps_headers_and_lengths_never_data() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let diag = SessionDiagnostics::new();
    diag.add_fact("test.platform".into(), "rust".into());
    let password = emu.signature_password();
    let signed = block_on(sign_consent(
        diag.wrap(TestLink::new(emu.clone(), false)),
        document(),
        PinCode::new(PinType::SignaturePassword, &password).unwrap(),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap();
    let report = diag.report();
    assert_eq!(report.exchanges.len(), 6);
    assert!(report.extended_length_used);
    assert!(!report.extended_length_refused);
    assert_eq!(
        report.facts.get("test.platform").map(String::as_str),
        Some("rust")
    );
    assert!(report.facts.contains_key("link.max_transceive_length"));
    let verify = report
        .exchanges
        .iter()
        .find(|e| e.ins == 0x20 && e.status_word == Some(0x9000))
        .expect("the VERIFY with the password");
    assert_eq!(verify.lc, None, "a VERIFY's Lc is the PIN's length");
    // Nor its length: only the header is counted, for every VERIFY.
    assert!(report
        .exchanges
        .iter()
        .filter(|e| e.ins == 0x20)
        .all(|e| e.command_length == 4 && e.lc.is_none()));
    assert!(!text_has_verify_length(&diag.report_text(), password.len()));
    assert!(report.exchanges.iter().all(|e| e.failure.is_none()));
    let text = diag.report_text();
    let debug = format!("{report:?} {diag:?}");
    let pin = String::from_utf8(password.clone()).unwrap();
    let cert = signed.certificate().der();
    for printed in [&text, &debug] {
        assert!(!printed.contains(&pin), "the password is printed");
        // The password's bytes as hex, with and without spaces.
        let hex: Vec<String> = password.iter().map(|b| format!("{b:02X}")).collect();
        assert!(!printed.contains(&hex.join(" ")) && !printed.contains(&hex.join("")));
        // No 8-byte run of the certificate, as hex or as decimal list.
        for w in cert.windows(8).step_by(97) {
            let h: Vec<String> = w.iter().map(|b| format!("{b:02X}")).collect();
            let d: Vec<String> = w.iter().map(|b| b.to_string()).collect();
            assert!(!printed.contains(&h.join(" ")) && !printed.contains(&h.join("")));
            assert!(!printed.contains(&d.join(", ")));
        }
    }
    assert!(text.contains("00 20 00"), "VERIFY's header is kept: {text}");
}

/// A controller that takes extended length but loses every frame longer than `max` (the card
/// answers; the answer never arrives: a lost tag), counting the extended commands it saw.
struct DropsLargeFrames {
    emulator: Arc<Emulator>,
    max: usize,
    extended_sent: AtomicUsize,
    inner_calls: AtomicUsize,
}

impl CardLink for DropsLargeFrames {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        self.inner_calls.fetch_add(1, Ordering::SeqCst);
        if command.len() >= 7 && command[4] == 0 {
            self.extended_sent.fetch_add(1, Ordering::SeqCst);
        }
        let r = self.emulator.transceive(command)?;
        if r.len() > self.max {
            return Err(LinkError::TagLost);
        }
        Ok(r)
    }
    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        Ok(true)
    }
    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(65_279)
    }
    fn close(&self) -> Result<(), LinkError> {
        Ok(())
    }
}

fn drops_large(emu: &Arc<Emulator>) -> Arc<DropsLargeFrames> {
    Arc::new(DropsLargeFrames {
        emulator: emu.clone(),
        max: 261,
        extended_sent: AtomicUsize::new(0),
        inner_calls: AtomicUsize::new(0),
    })
}

/// Auto: the first extended frame is lost, the session ends with a lost tag and the policy
/// becomes Short; the next session, started from it, signs with short APDUs only.
#[test]
fn auto_length_policy_learns_short_after_a_lost_extended_frame() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let memory = LengthMemory::new(LengthPolicy::Auto);
    let first = drops_large(&emu);
    let e = block_on(sign_consent(
        memory.wrap(first.clone()),
        document(),
        password(&emu),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert!(matches!(e, MynaError::TagLost { .. }), "{e:?}");
    assert_eq!(first.extended_sent.load(Ordering::SeqCst), 1);
    let saved = memory.policy();
    assert_eq!(saved, LengthPolicy::Short);

    let next = LengthMemory::new(saved);
    let second = drops_large(&emu);
    let signed = block_on(sign_consent(
        next.wrap(second.clone()),
        document(),
        password(&emu),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap();
    assert!(
        signed.counts().exchanges > 6,
        "short reads take more exchanges"
    );
    assert_eq!(second.extended_sent.load(Ordering::SeqCst), 0);
    assert_eq!(next.policy(), LengthPolicy::Short);
}

/// Extended: forced, never learns; a frame over the link's maximum is refused unsent whatever
/// the policy.
#[test]
fn extended_policy_never_learns_and_long_frames_are_never_sent() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let memory = LengthMemory::new(LengthPolicy::Extended);
    let link = drops_large(&emu);
    let e = block_on(sign_consent(
        memory.wrap(link.clone()),
        document(),
        password(&emu),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert!(matches!(e, MynaError::TagLost { .. }), "{e:?}");
    assert_eq!(memory.policy(), LengthPolicy::Extended);

    let auto = LengthMemory::new(LengthPolicy::Auto);
    let fresh = drops_large(&emu);
    let wrapped = auto.wrap(fresh.clone());
    let mut long = vec![0u8; 65_300];
    long[1] = 0xB0;
    match wrapped.transceive(long) {
        Err(LinkError::Other { detail }) => assert_eq!(detail, crate::length::FRAME_TOO_LONG),
        other => panic!("sent a frame over the maximum: {other:?}"),
    }
    assert_eq!(
        fresh.inner_calls.load(Ordering::SeqCst),
        0,
        "nothing reached the link"
    );
    assert_eq!(
        auto.policy(),
        LengthPolicy::Short,
        "an extended frame refused"
    );
}

#[test]
fn a_pin_code_is_checked_when_made_used_by_one_call_and_wiped() {
    // The format is checked by the constructor: typed errors, no card involved.
    for (kind, bad) in [
        (PinType::SignaturePassword, &b"ABC12"[..]),
        (PinType::SignaturePassword, b"ABC12!"),
        (PinType::AuthenticationPin, b"12345"),
        (PinType::CardInfoPin, b"12a4"),
        (PinType::CardInfoPin, b"\xff\xfe12"),
    ] {
        assert_eq!(
            PinCode::new(kind, bad).unwrap_err(),
            MynaError::InvalidPinFormat { pin: kind }
        );
    }
    // Printed forms: the kind only (a lowercase password is uppercased, never shown).
    let code = PinCode::new(PinType::SignaturePassword, b"pw4x9q2z").unwrap();
    assert_eq!(code.pin_type(), PinType::SignaturePassword);
    assert_eq!(format!("{code:?}"), "PinCode(signature password, ***)");
    assert_eq!(format!("{code}"), "PinCode(signature password, ***)");
    code.wipe();
    assert!(code.is_wiped());
    code.wipe();

    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = TestLink::new(emu.clone(), false);
    let used = |e: MynaError| e == MynaError::invalid_input(crate::pin_code::USED);
    // A flow takes the value: wiped once the call ends, a second use is refused unsent.
    let code = password(&emu);
    block_on(sign_consent(
        link.clone(),
        document(),
        code.clone(),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap();
    assert!(code.is_wiped());
    let sent = link.sent.load(Ordering::SeqCst);
    let e = block_on(sign_consent(
        link.clone(),
        document(),
        code,
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert!(used(e.clone()), "{e:?}");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(link.sent.load(Ordering::SeqCst), sent, "nothing sent");
    // Wiped when the call fails too (a wrong password), and after an explicit wipe().
    let wrong = PinCode::new(PinType::SignaturePassword, b"WRONG1").unwrap();
    let e = block_on(sign_consent(
        link.clone(),
        document(),
        wrong.clone(),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert!(
        matches!(e, MynaError::WrongPin { remaining: 4, .. }),
        "{e:?}"
    );
    assert!(wrong.is_wiped());
    let wiped = card_info_pin(&emu);
    wiped.wipe();
    let e = block_on(read_basic_attributes(
        link.clone(),
        wiped,
        PinOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert!(used(e));
    // A PIN of another kind is refused before anything is sent, and is used up too.
    let sent = link.sent.load(Ordering::SeqCst);
    let other = card_info_pin(&emu);
    let e = block_on(sign_consent(
        link.clone(),
        document(),
        other.clone(),
        SignOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(!used(e));
    assert!(other.is_wiped());
    // check_linkage takes both before checking either: both are wiped.
    let (info, pw) = (card_info_pin(&emu), card_info_pin(&emu));
    let e = block_on(check_linkage(
        link.clone(),
        info.clone(),
        pw.clone(),
        PinOptions::default(),
        None,
        None,
    ))
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(info.is_wiped() && pw.is_wiped());
    assert_eq!(link.sent.load(Ordering::SeqCst), sent, "nothing sent");
    assert_eq!(emu.pin_attempts_left(PinType::SignaturePassword), 4);
    assert_eq!(emu.pin_attempts_left(PinType::CardInfoPin), 3);
}
