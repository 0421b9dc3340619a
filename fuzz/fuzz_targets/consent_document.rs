#![no_main]
//! The consent document decoder: no panic, and only canonical encodings are accepted (a
//! decoded document encodes back to exactly the bytes given). The RFC 8785 canonicaliser
//! it relies on is idempotent on any JSON value.
use libfuzzer_sys::fuzz_target;
use mynasign::consent::jcs::to_canonical_json;
use mynasign::consent::{check_channel_rule, CertificateSource, Document};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let canonical = to_canonical_json(&value);
        let reparsed: serde_json::Value =
            serde_json::from_slice(&canonical).expect("canonical JSON parses");
        assert_eq!(to_canonical_json(&reparsed), canonical, "not idempotent");
    }
    let Ok(doc) = Document::decode(data) else {
        return;
    };
    assert_eq!(doc.encode(), data, "a non-canonical encoding was accepted");
    let _ = (
        doc.kind(),
        doc.channel(),
        doc.nonce(),
        doc.timestamp(),
        doc.media_type(),
    );
    for source in [CertificateSource::Card, CertificateSource::Smartphone] {
        let _ = check_channel_rule(&doc, source);
    }
});
