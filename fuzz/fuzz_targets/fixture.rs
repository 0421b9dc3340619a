//! A consent signed on the emulated card (persona 1), shared by the CMS, CRL and OCSP
//! targets: `fuzz/fixtures/consent.cms`, with the time it was signed, so a verifier trusting
//! the emulator's roots accepts it and the revocation checks are reached.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mynasign::verify::{ConsentCheck, TrustStore, Verifier};

/// The signed consent (DER CMS).
pub const CONSENT_CMS: &[u8] = include_bytes!("../fixtures/consent.cms");

/// Its signing time (UNIX seconds, decimal).
const SIGNED_AT: &str = include_str!("../fixtures/consent.signed_at");

/// The receipt time the fixture verifies at: its signing time.
pub fn received_at() -> SystemTime {
    let secs: u64 = SIGNED_AT
        .trim()
        .parse()
        .expect("consent.signed_at holds UNIX seconds");
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// The emulator's roots (generated once: RSA key generation). The fixture is checked to
/// verify with them first: a fixture that no longer verifies would leave the revocation
/// checks unreached without anyone noticing.
pub fn emulator_trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let trust = TrustStore::emulator();
        Verifier::new(trust.clone())
            .allow_unchecked_revocation()
            .verify_consent(CONSENT_CMS, &check())
            .expect("fuzz/fixtures/consent.cms verifies at consent.signed_at");
        trust
    })
}

/// A strict verifier trusting the emulator's roots.
pub fn strict() -> Verifier {
    Verifier::new(emulator_trust().clone())
}

/// A verifier trusting the emulator's roots that accepts unchecked revocation.
pub fn lenient() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| strict().allow_unchecked_revocation())
}

/// The check for the fixture: received when it was signed.
pub fn check() -> ConsentCheck {
    ConsentCheck {
        received_at: Some(received_at()),
        ..ConsentCheck::default()
    }
}
