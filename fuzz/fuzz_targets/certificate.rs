#![no_main]
//! Certificate DER (and PEM) from an untrusted source: no panic, and whatever parses
//! answers every accessor and survives its own round trips.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mynasign::cert::JpkiCertificate;
use mynasign::verify::TrustStore;

fn roots() -> &'static TrustStore {
    static ROOTS: OnceLock<TrustStore> = OnceLock::new();
    ROOTS.get_or_init(TrustStore::production)
}

fn exercise(c: &JpkiCertificate) {
    let _ = c.issuance_number();
    let _ = c.serial_bytes();
    let _ = c.subject();
    let _ = c.issuer();
    let _ = c.not_before();
    let _ = c.not_after();
    let _ = c.not_before_date_jst();
    let _ = c.not_after_date_jst();
    let _ = c.key();
    let _ = c.rsa_public_key();
    let _ = c.key_usage();
    let _ = c.policies();
    let _ = c.is_ca();
    let _ = c.subject_key_identifier();
    let _ = c.authority_key_identifier();
    let _ = c.kind();
    let _ = c.is_self_signed();
    if let Some(a) = c.signature_attributes() {
        let _ = a.has_substituted_characters();
        assert!(a.differing_fields(&a.attributes).is_empty());
        let _ = (
            &a.era,
            a.name_substitute_flags.len(),
            a.address_substitute_flags.len(),
        );
    }
    if let Some(root) = roots().issuer_of(c) {
        let _ = c.verify_issued_by(root);
    }
    // The bytes kept are the bytes given, and they parse again to the same view.
    let again = JpkiCertificate::from_der(c.der()).expect("its own DER parses");
    assert_eq!(again.der(), c.der());
    assert_eq!(again.subject(), c.subject());
    let pem = JpkiCertificate::from_pem_or_der(c.to_pem().as_bytes()).expect("its own PEM parses");
    assert_eq!(pem.der(), c.der());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = JpkiCertificate::from_der(data) {
        assert_eq!(c.der(), data);
        exercise(&c);
    }
    if let Ok(c) = JpkiCertificate::from_pem_or_der(data) {
        exercise(&c);
    }
});
