//! Verification of what was signed: the receiving side, and the app's own check.
//!
//! [`verify_signed_data`] parses the CMS, recomputes the digest, checks the signature, checks
//! that ESS signing-certificate-v2 binds the certificate that verified, builds the chain to a
//! [`TrustStore`], checks key usage and policy, evaluates validity at a time the caller gives
//! (by default the signing time: a consent outlives its certificate) and optionally checks a
//! CRL. Every failure is a distinct [`VerifyError`].

mod consent;
mod trust;

use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::OctetString;
use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::time::Time;

use crate::cert::{CertificateKind, JpkiCertificate};
use crate::cms::{ess, oid};

use crate::cert::verify_signature;
pub use consent::{certificate_source, verify_consent, VerifiedConsent};
pub use trust::{TrustLevel, TrustStore};

/// Why a signature was not accepted. Each reason is distinct; none carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a CMS `SignedData` this library can read.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The content's digest is not the one that was signed.
    #[error("the content does not match the signed digest")]
    DigestMismatch,
    /// The signature does not verify with the signer certificate's key.
    #[error("the signature does not verify")]
    SignatureMismatch,
    /// The ESS signing-certificate-v2 attribute is missing or names another certificate.
    #[error("the signing certificate is not bound to the signature")]
    CertificateNotBound,
    /// No trusted root issued the signer certificate.
    #[error("the certificate does not chain to a trusted root")]
    UntrustedChain,
    /// The certificate (or its root) was not valid at the evaluation time.
    #[error("the certificate was not valid at the evaluation time")]
    NotValidAtTime,
    /// The certificate was revoked at or before the evaluation time.
    #[error("the certificate was revoked")]
    Revoked,
    /// The certificate's key usage does not allow this signature (non-repudiation is needed
    /// for a signature certificate).
    #[error("the certificate's key usage does not allow this signature")]
    WrongKeyUsage,
    /// The certificate does not carry a JPKI signature policy.
    #[error("the certificate does not carry the expected policy")]
    WrongPolicy,
    /// The document's channel rule is broken (for example a smartphone certificate on a
    /// licence-centre kiosk procedure).
    #[error("channel rule broken: {0}")]
    ChannelRule(String),
    /// The document's version is not one this library knows.
    #[error("unknown document version")]
    UnknownDocumentVersion,
    /// The Mynaportal linkage's submitted attributes are not the certificate's (the message
    /// names the differing fields, never their values).
    #[error("the submitted attributes differ from the certificate's: {0}")]
    AttributesMismatch(String),
    /// The document could not be decoded.
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    /// The supplied CRL is malformed or not signed by the certificate's issuer.
    #[error("the CRL is not usable: {0}")]
    BadCrl(String),
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The roots to trust. Default: J-LIS production only.
    pub trust: TrustStore,
    /// When to evaluate the certificate's validity and revocation. Default: the signing time.
    pub at: Option<SystemTime>,
    /// CRLs (DER) to check revocation against; none by default.
    pub crls: Vec<Vec<u8>>,
}

/// A signature that verified.
#[derive(Debug, Clone)]
pub struct VerifiedSignature {
    /// The encapsulated content, exactly as signed.
    pub content: Vec<u8>,
    /// The signer certificate.
    pub certificate: JpkiCertificate,
    /// The root it chains to.
    pub root: JpkiCertificate,
    /// The signing-time attribute.
    pub signing_time: SystemTime,
    /// The time validity was evaluated at.
    pub evaluated_at: SystemTime,
}

fn malformed(e: impl core::fmt::Display) -> VerifyError {
    VerifyError::Malformed(e.to_string())
}

/// The single value of the signed attribute `oid`, if present exactly once.
fn attribute(
    si: &SignerInfo,
    id: der::oid::ObjectIdentifier,
) -> Result<Option<&der::Any>, VerifyError> {
    let Some(attrs) = si.signed_attrs.as_ref() else {
        return Err(VerifyError::Malformed("no signed attributes".into()));
    };
    let mut found = attrs.iter().filter(|a| a.oid == id);
    let Some(a) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || a.values.len() != 1 {
        return Err(VerifyError::Malformed(format!("attribute {id} repeated")));
    }
    Ok(a.values.iter().next())
}

fn digest_for(alg: &der::oid::ObjectIdentifier, data: &[u8]) -> Result<Vec<u8>, VerifyError> {
    use crate::jpki::HashAlgorithm as H;
    Ok(match *alg {
        a if a == oid::SHA256 => H::Sha256.digest(data),
        a if a == oid::SHA384 => H::Sha384.digest(data),
        a if a == oid::SHA512 => H::Sha512.digest(data),
        _ => {
            return Err(VerifyError::Malformed(
                "unsupported digest algorithm".into(),
            ))
        }
    })
}

fn within(t: SystemTime, from: &Time, to: &Time) -> bool {
    from.to_system_time() <= t && t <= to.to_system_time()
}

/// Verifies a DER CMS `SignedData` with one signer, as described in the module docs.
pub fn verify_signed_data(
    cms_der: &[u8],
    options: &VerifyOptions,
) -> Result<VerifiedSignature, VerifyError> {
    let ci = ContentInfo::from_der(cms_der).map_err(malformed)?;
    if ci.content_type != oid::SIGNED_DATA {
        return Err(VerifyError::Malformed("not SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(malformed)?;
    let si = match sd.signer_infos.0.as_slice() {
        [one] => one,
        _ => return Err(VerifyError::Malformed("expected exactly one signer".into())),
    };
    let content = match &sd.encap_content_info.econtent {
        Some(any) => OctetString::from_der(&any.to_der().map_err(malformed)?)
            .map_err(malformed)?
            .into_bytes(),
        None => return Err(VerifyError::Malformed("detached content".into())),
    };

    // The signer certificate, from the certificates in the SignedData.
    let certs: Vec<&x509_cert::Certificate> = sd
        .certificates
        .as_ref()
        .map(|c| {
            c.0.iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let signer = certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate
                .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, k)| k.0 == ski.0),
        })
        .ok_or_else(|| VerifyError::Malformed("signer certificate not included".into()))?;
    let signer_der = signer.to_der().map_err(malformed)?;

    // content-type and message-digest.
    let ct = attribute(si, oid::CONTENT_TYPE)?
        .ok_or_else(|| VerifyError::Malformed("no content-type attribute".into()))?;
    let ct: der::oid::ObjectIdentifier = ct.decode_as().map_err(malformed)?;
    if ct != sd.encap_content_info.econtent_type {
        return Err(VerifyError::Malformed(
            "content-type attribute mismatch".into(),
        ));
    }
    let md = attribute(si, oid::MESSAGE_DIGEST)?
        .ok_or_else(|| VerifyError::Malformed("no message-digest attribute".into()))?;
    let md: OctetString = md.decode_as().map_err(malformed)?;
    if digest_for(&si.digest_alg.oid, &content)? != md.as_bytes() {
        return Err(VerifyError::DigestMismatch);
    }

    // The signature over the signed attributes, encoded as a SET OF.
    let signed = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| VerifyError::Malformed("no signed attributes".into()))?
        .to_der()
        .map_err(malformed)?;
    if !verify_signature(
        &signer.tbs_certificate.subject_public_key_info,
        &si.signature_algorithm,
        Some(&si.digest_alg),
        &signed,
        si.signature.as_bytes(),
    ) {
        return Err(VerifyError::SignatureMismatch);
    }

    // ESS signing-certificate-v2 binds the certificate that verified.
    let ess_attr = attribute(si, ess::ID_AA_SIGNING_CERTIFICATE_V2)?
        .ok_or(VerifyError::CertificateNotBound)?;
    let ess: ess::SigningCertificateV2 = ess_attr
        .decode_as()
        .map_err(|_| VerifyError::CertificateNotBound)?;
    let first = ess.certs.first().ok_or(VerifyError::CertificateNotBound)?;
    let hash_alg = first
        .hash_algorithm
        .as_ref()
        .map(|a| a.oid)
        .unwrap_or(oid::SHA256);
    let expected =
        digest_for(&hash_alg, &signer_der).map_err(|_| VerifyError::CertificateNotBound)?;
    if first.cert_hash.as_bytes() != expected.as_slice() {
        return Err(VerifyError::CertificateNotBound);
    }
    if let Some(is) = &first.issuer_serial {
        let names_issuer = is.issuer.iter().any(|g| {
            matches!(g, x509_cert::ext::pkix::name::GeneralName::DirectoryName(n) if *n == signer.tbs_certificate.issuer)
        });
        if !names_issuer || is.serial_number != signer.tbs_certificate.serial_number {
            return Err(VerifyError::CertificateNotBound);
        }
    }

    // Signing time (required for a consent: it is when validity is judged).
    let st = attribute(si, oid::SIGNING_TIME)?
        .ok_or_else(|| VerifyError::Malformed("no signing-time attribute".into()))?;
    let st = Time::from_der(&st.to_der().map_err(malformed)?).map_err(malformed)?;
    let signing_time = st.to_system_time();
    let at = options.at.unwrap_or(signing_time);

    let certificate = JpkiCertificate::from_der(&signer_der).map_err(malformed)?;
    let root = options
        .trust
        .issuer_of(&certificate)
        .ok_or(VerifyError::UntrustedChain)?
        .clone();
    let v = &signer.tbs_certificate.validity;
    let rv = &root.x509().tbs_certificate.validity;
    if !within(at, &v.not_before, &v.not_after) || !within(at, &rv.not_before, &rv.not_after) {
        return Err(VerifyError::NotValidAtTime);
    }
    check_usage_and_policy(&certificate)?;
    for crl in &options.crls {
        check_crl(crl, &certificate, &root, at)?;
    }
    Ok(VerifiedSignature {
        content,
        certificate,
        root,
        signing_time,
        evaluated_at: at,
    })
}

/// The policy arc of JPKI end-entity certificates.
pub const JPKI_POLICY_ARC: &str = "1.2.392.200149.8.5.1";

fn check_usage_and_policy(cert: &JpkiCertificate) -> Result<(), VerifyError> {
    let ku = cert.key_usage().ok_or(VerifyError::WrongKeyUsage)?;
    match cert.kind() {
        CertificateKind::Signature => {
            if !ku.non_repudiation {
                return Err(VerifyError::WrongKeyUsage);
            }
        }
        _ => {
            if !ku.digital_signature && !ku.non_repudiation {
                return Err(VerifyError::WrongKeyUsage);
            }
        }
    }
    let prefix = format!("{JPKI_POLICY_ARC}.");
    if !cert.policies().iter().any(|p| p.starts_with(&prefix)) {
        return Err(VerifyError::WrongPolicy);
    }
    Ok(())
}

fn check_crl(
    crl_der: &[u8],
    cert: &JpkiCertificate,
    issuer: &JpkiCertificate,
    at: SystemTime,
) -> Result<(), VerifyError> {
    let bad = |m: &str| VerifyError::BadCrl(m.to_string());
    let crl = CertificateList::from_der(crl_der).map_err(|e| VerifyError::BadCrl(e.to_string()))?;
    if crl.tbs_cert_list.issuer != issuer.x509().tbs_certificate.subject {
        return Err(bad("issued by another CA"));
    }
    let tbs = crl
        .tbs_cert_list
        .to_der()
        .map_err(|e| VerifyError::BadCrl(e.to_string()))?;
    let sig = crl
        .signature
        .as_bytes()
        .ok_or_else(|| bad("signature is not whole bytes"))?;
    if !verify_signature(
        &issuer.x509().tbs_certificate.subject_public_key_info,
        &crl.signature_algorithm,
        None,
        &tbs,
        sig,
    ) {
        return Err(bad("signature does not verify"));
    }
    let serial = &cert.x509().tbs_certificate.serial_number;
    let revoked = crl
        .tbs_cert_list
        .revoked_certificates
        .iter()
        .flatten()
        .any(|r| &r.serial_number == serial && r.revocation_date.to_system_time() <= at);
    if revoked {
        return Err(VerifyError::Revoked);
    }
    Ok(())
}
