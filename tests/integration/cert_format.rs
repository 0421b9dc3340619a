//! The emulator's certificates against the shape of real JPKI certificates (PROTOCOL.md
//! section 8, from a real test card): the extension lists in order with their criticality, the
//! authorityKeyIdentifier's three parts, the policies, the subjectAltName order.

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CERTIFICATE_POLICIES, ID_CE_CRL_DISTRIBUTION_POINTS,
    ID_CE_EXT_KEY_USAGE, ID_CE_ISSUER_ALT_NAME, ID_CE_KEY_USAGE, ID_CE_SUBJECT_ALT_NAME,
    ID_CE_SUBJECT_KEY_IDENTIFIER, ID_KP_CLIENT_AUTH, ID_PE_AUTHORITY_INFO_ACCESS,
};
use const_oid::ObjectIdentifier;
use der::Decode;
use mynasign::cert::{oid, JpkiCertificate};
use mynasign::emulator::{EmulatorCa, Persona};
use mynasign::jpki::Profile;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, CertificatePolicies, ExtendedKeyUsage, SubjectAltName,
};

const SIGNATURE_EXTENSIONS: [(ObjectIdentifier, bool); 7] = [
    (ID_CE_KEY_USAGE, true),
    (ID_CE_SUBJECT_ALT_NAME, false),
    (ID_CE_CERTIFICATE_POLICIES, true),
    (ID_CE_ISSUER_ALT_NAME, false),
    (ID_CE_CRL_DISTRIBUTION_POINTS, false),
    (ID_CE_AUTHORITY_KEY_IDENTIFIER, false),
    (ID_CE_SUBJECT_KEY_IDENTIFIER, false),
];

const AUTHENTICATION_EXTENSIONS: [(ObjectIdentifier, bool); 8] = [
    (ID_CE_KEY_USAGE, true),
    (ID_CE_EXT_KEY_USAGE, false),
    (ID_CE_CERTIFICATE_POLICIES, true),
    (ID_CE_ISSUER_ALT_NAME, false),
    (ID_CE_CRL_DISTRIBUTION_POINTS, false),
    (ID_PE_AUTHORITY_INFO_ACCESS, false),
    (ID_CE_AUTHORITY_KEY_IDENTIFIER, false),
    (ID_CE_SUBJECT_KEY_IDENTIFIER, false),
];

fn extensions(cert: &JpkiCertificate) -> Vec<(ObjectIdentifier, bool)> {
    cert.x509()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .map(|e| (e.extn_id, e.critical))
        .collect()
}

fn extension<'a, T: Decode<'a>>(cert: &'a JpkiCertificate, id: ObjectIdentifier) -> T {
    let ext = cert
        .x509()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == id)
        .unwrap_or_else(|| panic!("no {id}"));
    T::from_der(ext.extn_value.as_bytes()).unwrap()
}

fn check_authority_key_identifier(cert: &JpkiCertificate, root: &JpkiCertificate) {
    let aki: AuthorityKeyIdentifier = extension(cert, ID_CE_AUTHORITY_KEY_IDENTIFIER);
    assert_eq!(
        aki.key_identifier.as_ref().map(|k| k.as_bytes()),
        root.subject_key_identifier()
    );
    assert_eq!(
        aki.authority_cert_issuer,
        Some(vec![GeneralName::DirectoryName(
            root.x509().tbs_certificate.issuer.clone()
        )])
    );
    assert_eq!(
        aki.authority_cert_serial_number.as_ref(),
        Some(&root.x509().tbs_certificate.serial_number)
    );
}

fn policy(cert: &JpkiCertificate) -> (ObjectIdentifier, bool) {
    let policies: CertificatePolicies = extension(cert, ID_CE_CERTIFICATE_POLICIES);
    assert_eq!(policies.0.len(), 1);
    let p = &policies.0[0];
    // With a CPS qualifier, as on the real test card.
    let has_cps = p
        .policy_qualifiers
        .iter()
        .flatten()
        .any(|q| q.policy_qualifier_id == ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1"));
    (p.policy_identifier, has_cps)
}

#[test]
fn signature_and_authentication_certificates_have_the_real_extension_lists() {
    let ca = EmulatorCa::shared();
    for seed in [1, 2, Persona::SEED_SUBSTITUTE_CHARACTERS] {
        let persona = Persona::from_seed(seed);
        for profile in [Profile::MyNumberCard, Profile::AndroidSmartphone] {
            let image = persona.card_image(profile);
            let sig =
                JpkiCertificate::from_der(image.signature_certificate.as_ref().unwrap()).unwrap();
            assert_eq!(extensions(&sig), SIGNATURE_EXTENSIONS, "seed {seed}");
            check_authority_key_identifier(&sig, ca.signature_ca());
            let expected = if profile == Profile::MyNumberCard {
                oid::CARD_SIGNATURE_POLICY
            } else {
                oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER
            };
            assert_eq!(policy(&sig), (expected, true));

            let auth = JpkiCertificate::from_der(&image.authentication_certificate).unwrap();
            assert_eq!(extensions(&auth), AUTHENTICATION_EXTENSIONS, "seed {seed}");
            check_authority_key_identifier(&auth, ca.authentication_ca());
            assert_eq!(policy(&auth), (oid::AUTHENTICATION_POLICY, true));
            let eku: ExtendedKeyUsage = extension(&auth, ID_CE_EXT_KEY_USAGE);
            assert_eq!(eku.0, vec![ID_KP_CLIENT_AUTH]);
        }
    }
}

#[test]
fn card_policies_are_the_published_values() {
    assert_eq!(
        oid::CARD_SIGNATURE_POLICY.to_string(),
        "1.2.392.200149.8.5.1.1.20"
    );
    assert_eq!(
        oid::TEST_CARD_SIGNATURE_POLICY.to_string(),
        "1.2.392.200149.8.5.1.0.20"
    );
    assert_eq!(
        oid::AUTHENTICATION_POLICY.to_string(),
        "1.2.392.200149.8.5.1.3.30"
    );
    assert!(oid::CARD_SIGNATURE_POLICIES.contains(&oid::CARD_SIGNATURE_POLICY));
    assert!(oid::CARD_SIGNATURE_POLICIES.contains(&oid::TEST_CARD_SIGNATURE_POLICY));
    assert!(!oid::CARD_SIGNATURE_POLICIES.contains(&oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER));
}

#[test]
fn subject_alt_name_in_the_real_order() {
    let cert = Persona::from_seed(1).signature_certificate();
    let san: SubjectAltName = extension(&cert, ID_CE_SUBJECT_ALT_NAME);
    let order: Vec<String> = san
        .0
        .iter()
        .map(|n| match n {
            GeneralName::OtherName(o) => o.type_id.to_string(),
            other => panic!("{other:?}"),
        })
        .collect();
    let arc = "1.2.392.200149.8.5.5";
    assert_eq!(
        order,
        [1, 4, 3, 5, 2, 6].map(|i| format!("{arc}.{i}")).to_vec()
    );
}
