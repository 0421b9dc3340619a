//! The certificate profile a verifier insists on (RFC 5280 4.2 and the JPKI profile).

use const_oid::db::{rfc5280, rfc6960};
use const_oid::ObjectIdentifier;

use crate::cert::{JpkiCertificate, KeyInfo};

use super::VerifyError;

/// The extensions this library understands (processes or may safely ignore); any other
/// extension marked critical makes the certificate unacceptable.
const KNOWN_EXTENSIONS: [ObjectIdentifier; 11] = [
    rfc5280::ID_CE_KEY_USAGE,
    rfc5280::ID_CE_BASIC_CONSTRAINTS,
    rfc5280::ID_CE_CERTIFICATE_POLICIES,
    rfc5280::ID_CE_SUBJECT_ALT_NAME,
    rfc5280::ID_CE_ISSUER_ALT_NAME,
    rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
    rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
    rfc5280::ID_CE_EXT_KEY_USAGE,
    rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS,
    rfc5280::ID_PE_AUTHORITY_INFO_ACCESS,
    rfc6960::ID_PKIX_OCSP_NOCHECK,
];

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Refuses a certificate with an unknown critical extension or a repeated extension.
pub(crate) fn check_extensions(cert: &JpkiCertificate) -> Result<(), VerifyError> {
    let exts = cert
        .x509()
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or(&[]);
    for (i, e) in exts.iter().enumerate() {
        if exts[..i].iter().any(|p| p.extn_id == e.extn_id) {
            return Err(VerifyError::Malformed(format!(
                "extension {} repeated",
                e.extn_id
            )));
        }
        if e.critical && !KNOWN_EXTENSIONS.contains(&e.extn_id) {
            return Err(VerifyError::UnknownCriticalExtension(e.extn_id.to_string()));
        }
    }
    Ok(())
}

/// Refuses RSA keys below [`MIN_RSA_BITS`], elliptic curves other than P-256 and any other
/// key algorithm.
pub(crate) fn check_key(cert: &JpkiCertificate) -> Result<(), VerifyError> {
    match cert.key() {
        KeyInfo::Rsa { bits } if bits >= MIN_RSA_BITS => Ok(()),
        KeyInfo::Rsa { bits } => Err(VerifyError::WeakKey(format!("RSA key of {bits} bits"))),
        KeyInfo::EcP256 => Ok(()),
        KeyInfo::Other { algorithm } => Err(VerifyError::WeakKey(format!(
            "unsupported key algorithm {algorithm}"
        ))),
    }
}

/// Both checks.
pub(crate) fn check_certificate(cert: &JpkiCertificate) -> Result<(), VerifyError> {
    check_extensions(cert)?;
    check_key(cert)
}
