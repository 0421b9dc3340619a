#![no_main]
//! CRLs from an untrusted source (`Verifier::add_crl`, with the emulator's roots trusted so a
//! mutated emulator CRL reaches the extension and entry checks): no panic; a CRL that is
//! accepted is then applied to the seed consent.
use libfuzzer_sys::fuzz_target;

#[path = "fixture.rs"]
mod fixture;

fuzz_target!(|data: &[u8]| {
    let mut verifier = fixture::strict();
    if verifier.add_crl(data).is_ok() {
        let _ = verifier.verify_consent(fixture::CONSENT_CMS, &fixture::check());
    }
});
