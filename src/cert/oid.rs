//! Object identifiers of the JPKI certificate profile, shared by the parser and the emulator
//! CA so that the two cannot drift apart.

use const_oid::ObjectIdentifier;

/// The J-LIS JPKI arc for certificate policies (`1.2.392.200149.8.5.1`); the real and the
/// emulated policies are under it.
pub const JPKI_POLICY_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1");

/// The certificate policy the emulator CA puts in signature certificates
/// (`1.2.392.200149.8.5.1.1.10`, under [`JPKI_POLICY_ARC`]).
pub const SIGNATURE_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.10");

/// The certificate policy the emulator CA puts in smartphone signature certificates
/// (移動端末設備用署名用電子証明書), `1.2.392.200149.8.5.1.1.30`. The production value is not
/// publicly documented \[inferred\]: the verifier tells a smartphone certificate by this OID and
/// takes any other JPKI signature policy for a card's.
pub const SMARTPHONE_SIGNATURE_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.30");

/// The certificate policy the emulator CA puts in user-authentication certificates
/// (`1.2.392.200149.8.5.1.3.10`, under [`JPKI_POLICY_ARC`]).
pub const AUTHENTICATION_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.3.10");

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
