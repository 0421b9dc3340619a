#![no_main]
//! The card-info evidence (issue 27): the JSON encoding and each file's parser, then the
//! verification under the production keys and the emulator's, with and without a challenge.
//! A typed refusal, never a panic.
use libfuzzer_sys::fuzz_target;
use mynasign::evidence::{
    CardInfoEvidence, CardVerifiableCertificate, CvcTrust, IntegrityRecord, SignedApKey,
};

fuzz_target!(|data: &[u8]| {
    let trusts = [CvcTrust::production(), mynasign::emulator::cvc_trust()];
    if let Ok(e) = CardInfoEvidence::from_json(data) {
        for t in &trusts {
            let _ = e.verify(t, None);
            let _ = e.verify(t, Some(&[0x5A; 32]));
        }
        let _ = CardInfoEvidence::from_json(e.to_json().as_bytes());
    }
    let _ = CardVerifiableCertificate::parse(data).map(|c| c.verify(&trusts[1]));
    let _ = IntegrityRecord::parse(data).map(|r| r.covers_attributes(data));
    let _ = SignedApKey::parse(data).map(|k| k.verify_answer(data, data));
    let _ = CvcTrust::custom_ca_file(data);
});
