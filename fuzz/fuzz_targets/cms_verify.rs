#![no_main]
//! CMS verification of untrusted bytes: the one-call `verify_consent` with default options
//! (production roots, strict), and a verifier trusting the emulator's roots at the receipt
//! time of the seed consent, so mutations of a valid signed consent reach every check. No
//! panic; only the unmodified seed verifies.
use libfuzzer_sys::fuzz_target;
use mynasign::verify::{verify_consent, VerifyOptions};

#[path = "fixture.rs"]
mod fixture;

fuzz_target!(|data: &[u8]| {
    let _ = verify_consent(data, &VerifyOptions::default());
    let check = fixture::check();
    let verifier = fixture::lenient();
    let _ = verifier.verify_signed_data(data, &check);
    if let Ok(v) = verifier.verify_consent(data, &check) {
        assert_eq!(v.signature.content, v.document.encode());
        let _ = (
            v.issuance_number(),
            v.certificate_kind(),
            v.signer_attributes(),
        );
    }
});
