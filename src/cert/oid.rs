//! Object identifiers of the JPKI certificate profile, shared by the parser and the emulator
//! CA so that the two cannot drift apart.

use const_oid::ObjectIdentifier;

/// The J-LIS JPKI arc for certificate policies (`1.2.392.200149.8.5.1`); the real and the
/// emulated policies are under it.
pub const JPKI_POLICY_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1");

/// The certificate policy of production My Number Card signature certificates
/// (個人番号カード用署名用電子証明書), `1.2.392.200149.8.5.1.1.20` (public OID registries). The
/// emulator CA puts it in the card signature certificates it issues, as a real card carries it.
pub const CARD_SIGNATURE_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.20");

/// The certificate policy of JPKI-TEST card signature certificates (J-LIS test cards),
/// `1.2.392.200149.8.5.1.0.20`, read from a real test card, where it carries a CPS qualifier.
pub const TEST_CARD_SIGNATURE_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.0.20");

/// Every certificate policy known to mark a **card's** signature certificate: production and
/// JPKI-TEST. A rule that depends on "card or smartphone" takes a certificate for a card's only
/// when its policy is in this list; any other policy is not a card's (fail closed).
pub const CARD_SIGNATURE_POLICIES: [ObjectIdentifier; 2] =
    [CARD_SIGNATURE_POLICY, TEST_CARD_SIGNATURE_POLICY];

/// **Placeholder**, not a J-LIS value: the policy the emulator CA puts in smartphone signature
/// certificates (移動端末設備用署名用電子証明書), `1.2.392.200149.8.5.1.1.30`. The production
/// policy of smartphone signature certificates is not public; until it is, only certificates
/// carrying this placeholder are taken for a smartphone's, and a certificate with any other
/// policy is neither a card's nor a smartphone's, so rules that depend on the source fail
/// closed.
pub const SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.30");

/// The certificate policy of production user-authentication certificates
/// (利用者証明用電子証明書), `1.2.392.200149.8.5.1.3.30` (public OID registries); the emulator CA
/// issues its authentication certificates with it.
pub const AUTHENTICATION_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.3.30");

/// The certificate policy of JPKI-TEST user-authentication certificates,
/// `1.2.392.200149.8.5.1.0.30`: the test hierarchy's `0` in place of production's `3`, as for
/// the signature policies (`...1.0.20` test, `...1.1.20` production). **Inferred**, not read
/// from a test card's authentication certificate.
pub const TEST_AUTHENTICATION_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.0.30");

/// subjectAltName `otherName`: the name (氏名).
pub const ATTR_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.1");
/// subjectAltName `otherName`: the substitute-character flags of the name.
pub const ATTR_NAME_SUBSTITUTE_FLAGS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.2");
/// subjectAltName `otherName`: the sex code (性別).
pub const ATTR_SEX: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.3");
/// subjectAltName `otherName`: the date of birth (生年月日), era digit + `YYYYMMDD`.
pub const ATTR_DATE_OF_BIRTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.4");
/// subjectAltName `otherName`: the address (住所).
pub const ATTR_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.5");
/// subjectAltName `otherName`: the substitute-character flags of the address.
pub const ATTR_ADDRESS_SUBSTITUTE_FLAGS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5.6");

/// The common prefix of the six attribute OIDs (`1.2.392.200149.8.5.5`).
pub const ATTR_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.5");

/// `rsaEncryption`.
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `sha256WithRSAEncryption`.
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `id-ecPublicKey`.
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// The NIST P-256 curve (`prime256v1` / `secp256r1`).
pub const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Whether `oid` lies strictly under `arc`.
pub(crate) fn is_under(oid: &ObjectIdentifier, arc: &ObjectIdentifier) -> bool {
    let (o, a) = (oid.as_bytes(), arc.as_bytes());
    o.len() > a.len() && o.starts_with(a) && {
        // The arc's last sub-identifier must end exactly at the boundary (it does when the
        // arc's last byte has no continuation bit, which DER guarantees).
        a.last().is_some_and(|b| b & 0x80 == 0)
    }
}

/// `id-sha256`.
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384`.
pub const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512`.
pub const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// `ecdsa-with-SHA256`.
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
