#![no_main]
//! OCSP responses from an untrusted source, checked for the seed consent's signer
//! certificate by a strict verifier trusting the emulator's roots: no panic. The first byte
//! chooses whether a request nonce is expected (and which).
use libfuzzer_sys::fuzz_target;
use mynasign::verify::ConsentCheck;

#[path = "fixture.rs"]
mod fixture;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, response)) = data.split_first() else {
        return;
    };
    let check = ConsentCheck {
        ocsp_response: Some(response.to_vec()),
        ocsp_nonce: (sel & 1 != 0).then(|| vec![sel; 16]),
        ..fixture::check()
    };
    let _ = fixture::strict().verify_consent(fixture::CONSENT_CMS, &check);
});
