//! Verification of what was signed: the receiving side, and the app's own check.
//!
//! A receiving service builds one [`Verifier`] from its trust store (and its current CRLs)
//! and calls [`Verifier::verify_consent`] for each consent it receives, with what it knows:
//! the **receipt time** (its own clock), the **nonce** it issued and the **channel** of the
//! procedure ([`ConsentCheck`]). [`verify_consent`] and [`verify_signed_data`] are thin
//! conveniences that build a `Verifier` for one call from [`VerifyOptions`].
//!
//! What is checked, in order: the size cap ([`MAX_CMS_SIZE`], before any decoding); the CMS
//! structure (one signer, encapsulated `id-data` content) in its one DER form (the SignerInfo
//! and its signed attributes, the digest algorithms, the encapsulated content and every
//! certificate and CRL carried re-encode to the bytes received; versions match the signer
//! identifier; the signing time is UTCTime for 1950-2049: [`VerifyError::NotDer`]); the
//! message digest; the signature over the
//! signed attributes **exactly as received**; ESS signing-certificate-v2 over the signer
//! certificate **exactly as received**; the signing time against the receipt time; the signer
//! certificate's profile (no unknown critical extension, RSA ≥ 2048 bits or P-256); the
//! chain to a trusted root (found by key identifier, then by name and signature) of the
//! signature family ([`CertificatePurpose`]); validity of the certificate and its root at the
//! receipt time; key usage, policy (an allow-list) and extended key usage for the purpose;
//! revocation at the receipt time (CRL or OCSP, a delegated OCSP responder checked like a
//! certificate), and a [`RevocationStatus`] saying how it was established. What was signed is
//! named by [`VerifiedSignature::consent_id`], for deduplication.
//! Every refusal is its own [`VerifyError`] variant. CRLs and OCSP responses have size caps
//! of their own ([`MAX_CRL_SIZE`], [`MAX_OCSP_RESPONSE_SIZE`]), also checked before decoding.
//!
//! # Why the receipt time
//!
//! A consent outlives its certificate (the terms: if the signature certificate later expires
//! or is revoked, the consent stays valid). That rule is about a consent that was valid when
//! it was **received**: the service judges the certificate as of its own clock at receipt,
//! recorded with the consent, and re-verifying an archived consent takes that recorded time.
//! It is never judged as of the signing-time attribute: that is the signer's own claim, and a
//! holder of a revoked card who knows its PIN could otherwise backdate a consent to before the
//! revocation. The signing time must therefore lie within a small skew of the receipt time
//! ([`DEFAULT_MAX_SKEW`]), and the document's own timestamp must agree with it.

mod consent;
mod ocsp;
mod purpose;
mod raw;
mod revocation;
mod strict;
mod trust;
mod verifier;

use std::time::{Duration, SystemTime};

use crate::cert::JpkiCertificate;
use crate::consent::Channel;

pub use consent::{certificate_source, verify_consent, VerifiedConsent};
pub use ocsp::{ocsp_request, OCSP_REQUEST_MEDIA_TYPE};
pub use purpose::{CertificatePurpose, AUTHENTICATION_POLICIES, SIGNATURE_POLICIES};
pub use revocation::RevocationStatus;
pub use trust::{TrustLevel, TrustStore};
pub use verifier::{CertificateCheck, ConsentCheck, VerifiedCertificate, Verifier};

/// The largest CMS accepted, in bytes (64 KiB): checked before anything is decoded. A consent
/// is a few hundred bytes of JSON, a certificate under 2 KiB, and its CA's about as much, so
/// this is ample, and it bounds the work an untrusted submission can cause.
pub const MAX_CMS_SIZE: usize = 64 * 1024;

/// The largest CRL accepted, in bytes (256 MiB): checked before anything is decoded
/// ([`VerifyError::CrlTooLarge`]). A JPKI root's full CRL lists the revoked certificates of a
/// whole country's cards, so it is large; this still bounds the memory a CRL from an
/// untrusted source can make the decoder use.
pub const MAX_CRL_SIZE: usize = 256 * 1024 * 1024;

/// The largest OCSP response accepted, in bytes (64 KiB): checked before anything is decoded
/// ([`VerifyError::OcspResponseTooLarge`]). A response for one certificate, with a delegated
/// responder's certificate, is a few KiB.
pub const MAX_OCSP_RESPONSE_SIZE: usize = 64 * 1024;

/// The default largest difference between the signing-time attribute and the receipt time
/// (and between the signing time and the document's timestamp): 10 minutes, enough for PIN
/// entry and a slow network, too little to backdate before a revocation.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(10 * 60);

/// Why a signature was not accepted. Each reason is distinct; none carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a CMS `SignedData` this library can read.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The CMS is larger than [`MAX_CMS_SIZE`]; it was not decoded.
    #[error("the signature is {size} bytes, more than the {max} accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// The content's digest is not the one that was signed.
    #[error("the content does not match the signed digest")]
    DigestMismatch,
    /// The signature does not verify with the signer certificate's key.
    #[error("the signature does not verify")]
    SignatureMismatch,
    /// The ESS signing-certificate-v2 attribute is missing or names another certificate.
    #[error("the signing certificate is not bound to the signature")]
    CertificateNotBound,
    /// The signing-time attribute is not within the allowed skew of the receipt time.
    #[error("the signing time is not within the allowed skew of the receipt time")]
    SigningTimeSkew,
    /// The document's timestamp does not agree with the signing-time attribute.
    #[error("the document's timestamp does not agree with the signing time")]
    TimestampMismatch,
    /// A certificate carries a critical extension this library does not process (RFC 5280
    /// 4.2). The value is the extension's OID.
    #[error("unknown critical extension {0}")]
    UnknownCriticalExtension(String),
    /// A certificate's key is too weak or of an unsupported kind (RSA below 2048 bits, an
    /// elliptic curve other than P-256).
    #[error("unacceptable key: {0}")]
    WeakKey(String),
    /// No trusted root issued the signer certificate.
    #[error("the certificate does not chain to a trusted root")]
    UntrustedChain,
    /// The certificate (or its root) was not valid at the receipt time.
    #[error("the certificate was not valid at the receipt time")]
    NotValidAtTime,
    /// The certificate was revoked at or before the receipt time.
    #[error("the certificate was revoked")]
    Revoked,
    /// Revocation could not be established (no applicable CRL or OCSP response), and the
    /// verifier requires it.
    #[error("revocation was not checked: no CRL or OCSP response applies")]
    RevocationNotChecked,
    /// The certificate's key usage does not allow this signature (non-repudiation is needed
    /// for a signature certificate).
    #[error("the certificate's key usage does not allow this signature")]
    WrongKeyUsage,
    /// A certificate under the signature root that lacks the basic four attributes is not a
    /// signature certificate.
    #[error("the signature certificate does not carry the basic four attributes")]
    MissingSignatureAttributes,
    /// The certificate does not carry a JPKI signature policy.
    #[error("the certificate does not carry the expected policy")]
    WrongPolicy,
    /// The signed attributes do not say this is a consent (a signed content-hints attribute
    /// naming the consent media type is required).
    #[error("the signature is not bound to the consent content type")]
    WrongContentType,
    /// The document's nonce is not the one the service issued.
    #[error("the document's nonce is not the one issued")]
    NonceMismatch,
    /// The document's channel is not the channel of the procedure.
    #[error("the document's channel is not the procedure's")]
    ChannelMismatch,
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
    /// The supplied CRL is malformed or not signed by a trusted root.
    #[error("the CRL is not usable: {0}")]
    BadCrl(String),
    /// The CRL is larger than [`MAX_CRL_SIZE`]; it was not decoded.
    #[error("the CRL is {size} bytes, more than the {max} accepted")]
    CrlTooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// The CRL that applies is not current at the receipt time (stale: its nextUpdate is
    /// past; or not yet issued).
    #[error("the CRL is not current at the receipt time")]
    CrlNotCurrent,
    /// The CRL has a scope or extension this library does not handle (delta CRL, issuing
    /// distribution point scope, indirect entries, unknown critical extension).
    #[error("unsupported CRL: {0}")]
    UnsupportedCrl(String),
    /// The OCSP response is malformed, unsuccessful, not signed by the root or a delegated
    /// responder, or not about this certificate.
    #[error("the OCSP response is not usable: {0}")]
    BadOcspResponse(String),
    /// The OCSP response is larger than [`MAX_OCSP_RESPONSE_SIZE`]; it was not decoded.
    #[error("the OCSP response is {size} bytes, more than the {max} accepted")]
    OcspResponseTooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// The OCSP response is not fresh at the receipt time.
    #[error("the OCSP response is not current at the receipt time")]
    OcspNotCurrent,
    /// The OCSP response does not carry the nonce of the request.
    #[error("the OCSP response does not carry the request's nonce")]
    OcspNonceMismatch,
    /// The OCSP responder does not know the certificate.
    #[error("the OCSP responder does not know the certificate")]
    OcspUnknown,
    /// The delegated OCSP responder's own certificate is revoked (listed by a CRL of its
    /// root): none of its answers is usable.
    #[error("the OCSP responder's certificate is revoked")]
    OcspResponderRevoked,
    /// The delegated OCSP responder's own certificate carries no `id-pkix-ocsp-nocheck` and
    /// no CRL of its root current at the receipt time establishes its status (RFC 6960
    /// 4.2.2.2.1).
    #[error("the OCSP responder's revocation status could not be established")]
    OcspResponderNotChecked,
    /// The delegated OCSP responder's certificate is not fit to sign responses (keyUsage
    /// without digitalSignature, no id-kp-OCSPSigning, not valid at the response's time).
    /// The value says which.
    #[error("the OCSP responder's certificate is not usable: {0}")]
    OcspResponderNotAuthorised(String),
    /// The OCSP response holds several answers for the certificate that do not agree.
    #[error("the OCSP response holds conflicting answers for the certificate")]
    OcspConflictingAnswers,
    /// The certificate's extended key usage excludes the purpose (for a signature
    /// certificate: signing documents; for an authentication certificate: client
    /// authentication).
    #[error("the certificate's extended key usage does not allow this purpose")]
    WrongExtendedKeyUsage,
    /// The certificate chains to a root of the other family (an authentication root for a
    /// signature, or the reverse).
    #[error("the certificate chains to a root of another family")]
    WrongRootFamily,
    /// The CMS is not in its one DER form (a re-encoding differs from the bytes received, a
    /// signing time in GeneralizedTime for a year UTCTime covers). The value says where.
    #[error("the signature is not in its DER form: {0}")]
    NotDer(String),
    /// A user-authentication certificate (利用者証明用電子証明書, under its own root) signed
    /// what needs a signature certificate: a consent is never signed with the login key.
    #[error("an authentication certificate cannot sign a consent")]
    AuthenticationCertificateForSignature,
    /// A signature certificate (署名用電子証明書, under its own root) was offered where an
    /// authentication certificate is needed (a login).
    #[error("a signature certificate cannot be used to log in")]
    SignatureCertificateForLogin,
}

impl VerifyError {
    /// A stable snake_case code for this refusal (the CLI's `--json` `code`; the same for
    /// every value of a variant), e.g. `ocsp_responder_revoked`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::DigestMismatch => "digest_mismatch",
            Self::SignatureMismatch => "signature_mismatch",
            Self::CertificateNotBound => "certificate_not_bound",
            Self::SigningTimeSkew => "signing_time_skew",
            Self::TimestampMismatch => "timestamp_mismatch",
            Self::UnknownCriticalExtension(_) => "unknown_critical_extension",
            Self::WeakKey(_) => "weak_key",
            Self::UntrustedChain => "untrusted_chain",
            Self::NotValidAtTime => "not_valid_at_time",
            Self::Revoked => "revoked",
            Self::RevocationNotChecked => "revocation_not_checked",
            Self::WrongKeyUsage => "wrong_key_usage",
            Self::MissingSignatureAttributes => "missing_signature_attributes",
            Self::WrongPolicy => "wrong_policy",
            Self::WrongContentType => "wrong_content_type",
            Self::NonceMismatch => "nonce_mismatch",
            Self::ChannelMismatch => "channel_mismatch",
            Self::ChannelRule(_) => "channel_rule",
            Self::UnknownDocumentVersion => "unknown_document_version",
            Self::AttributesMismatch(_) => "attributes_mismatch",
            Self::InvalidDocument(_) => "invalid_document",
            Self::BadCrl(_) => "bad_crl",
            Self::CrlTooLarge { .. } => "crl_too_large",
            Self::CrlNotCurrent => "crl_not_current",
            Self::UnsupportedCrl(_) => "unsupported_crl",
            Self::BadOcspResponse(_) => "bad_ocsp_response",
            Self::OcspResponseTooLarge { .. } => "ocsp_response_too_large",
            Self::OcspNotCurrent => "ocsp_not_current",
            Self::OcspNonceMismatch => "ocsp_nonce_mismatch",
            Self::OcspUnknown => "ocsp_unknown",
            Self::OcspResponderRevoked => "ocsp_responder_revoked",
            Self::OcspResponderNotChecked => "ocsp_responder_not_checked",
            Self::OcspResponderNotAuthorised(_) => "ocsp_responder_not_authorised",
            Self::OcspConflictingAnswers => "ocsp_conflicting_answers",
            Self::WrongExtendedKeyUsage => "wrong_extended_key_usage",
            Self::WrongRootFamily => "wrong_root_family",
            Self::NotDer(_) => "not_der",
            Self::AuthenticationCertificateForSignature => {
                "authentication_certificate_for_signature"
            }
            Self::SignatureCertificateForLogin => "signature_certificate_for_login",
        }
    }
}

/// `len` bytes and the first 8 bytes of their SHA-256, for `Debug` of a type holding signed
/// bytes (a consent's content or CMS can hold the basic four attributes): never the bytes.
pub(crate) fn bytes_summary(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("<{} bytes, sha256 {hex}…>", bytes.len())
}

/// How to verify, for the one-call conveniences [`verify_consent`] and
/// [`verify_signed_data`]. Strict by default: revocation must be established.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The roots to trust. Default: J-LIS production only.
    pub trust: TrustStore,
    /// When the consent was received (the service's own clock): validity and revocation are
    /// judged at this time. Default: now. Re-verifying an archived consent passes the receipt
    /// time recorded with it, never the signing time.
    pub received_at: Option<SystemTime>,
    /// CRLs (DER) to establish revocation.
    pub crls: Vec<Vec<u8>>,
    /// An OCSP response (DER) for the signer certificate.
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, when one was sent: the response must carry it.
    pub ocsp_nonce: Option<Vec<u8>>,
    /// The nonce the service issued: the document's must equal it.
    pub nonce: Option<String>,
    /// The channel of the procedure: the document's must equal it.
    pub channel: Option<Channel>,
    /// The largest allowed difference between the signing time and the receipt time.
    /// Default: [`DEFAULT_MAX_SKEW`].
    pub max_skew: Duration,
    /// Whether a result without established revocation is refused
    /// ([`VerifyError::RevocationNotChecked`]). Default: `true`; set `false` only to opt out
    /// explicitly (an app checking its own signature before sending it).
    pub require_revocation: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            trust: TrustStore::default(),
            received_at: None,
            crls: Vec::new(),
            ocsp_response: None,
            ocsp_nonce: None,
            nonce: None,
            channel: None,
            max_skew: DEFAULT_MAX_SKEW,
            require_revocation: true,
        }
    }
}

impl VerifyOptions {
    /// The [`Verifier`] and the per-consent [`ConsentCheck`] these options describe.
    pub fn split(&self) -> Result<(Verifier, ConsentCheck), VerifyError> {
        let mut verifier = Verifier::new(self.trust.clone()).with_max_skew(self.max_skew);
        if !self.require_revocation {
            verifier = verifier.allow_unchecked_revocation();
        }
        for crl in &self.crls {
            verifier.add_crl(crl)?;
        }
        let check = ConsentCheck {
            received_at: self.received_at,
            nonce: self.nonce.clone(),
            channel: self.channel,
            ocsp_response: self.ocsp_response.clone(),
            ocsp_nonce: self.ocsp_nonce.clone(),
        };
        Ok((verifier, check))
    }
}

/// A signature that verified.
///
/// `Debug` shows the content's length and digest, never its bytes (a linkage consent's
/// content holds the basic four attributes).
#[derive(Clone)]
pub struct VerifiedSignature {
    /// The encapsulated content, exactly as signed.
    pub content: Vec<u8>,
    /// The signer certificate (its bytes as received).
    pub certificate: JpkiCertificate,
    /// The root it chains to.
    pub root: JpkiCertificate,
    /// The signing-time attribute (the signer's claim; checked against the receipt time).
    pub signing_time: SystemTime,
    /// The time validity and revocation were judged at: the receipt time.
    pub evaluated_at: SystemTime,
    /// How revocation was established.
    pub revocation: RevocationStatus,
    /// The signed content-hints description, when present (a consent carries
    /// [`crate::consent::MEDIA_TYPE`]).
    pub content_description: Option<String>,
    /// The SHA-256 of the signed attributes exactly as signed (the DER `SET OF` the
    /// signature covers): see [`consent_id`](Self::consent_id).
    pub signed_attributes_sha256: [u8; 32],
}

impl VerifiedSignature {
    /// A stable identifier of what was signed, for a service to deduplicate on: the
    /// lowercase hex SHA-256 of the DER signed attributes the signature covers. Those bind
    /// the content (message digest), the signer certificate (ESS signing-certificate-v2),
    /// the signing time and the content hints; a verified CMS has exactly one DER form, and
    /// nothing outside the signed attributes (other certificates, unsigned attributes, the
    /// signature value itself, which ECDSA lets a signer vary) changes it. Two submissions
    /// of the same signed consent have the same id; a consent signed again (another signing
    /// time) has another.
    pub fn consent_id(&self) -> String {
        self.signed_attributes_sha256
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl core::fmt::Debug for VerifiedSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifiedSignature")
            .field("content", &bytes_summary(&self.content))
            .field("certificate", &self.certificate)
            .field("root", &self.root)
            .field("signing_time", &self.signing_time)
            .field("evaluated_at", &self.evaluated_at)
            .field("revocation", &self.revocation)
            .field("content_description", &self.content_description)
            .field("consent_id", &self.consent_id())
            .finish()
    }
}

/// Verifies a DER CMS `SignedData` with one signer, as described in the module docs, with a
/// [`Verifier`] built from `options` for this one call.
pub fn verify_signed_data(
    cms_der: &[u8],
    options: &VerifyOptions,
) -> Result<VerifiedSignature, VerifyError> {
    let (verifier, check) = options.split()?;
    verifier.verify_signed_data(cms_der, &check)
}

/// The policy arc of JPKI end-entity certificates.
pub const JPKI_POLICY_ARC: &str = "1.2.392.200149.8.5.1";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_own_snake_case_code() {
        let s = || String::from("x");
        let all = [
            VerifyError::Malformed(s()),
            VerifyError::TooLarge { size: 1, max: 0 },
            VerifyError::DigestMismatch,
            VerifyError::SignatureMismatch,
            VerifyError::CertificateNotBound,
            VerifyError::SigningTimeSkew,
            VerifyError::TimestampMismatch,
            VerifyError::UnknownCriticalExtension(s()),
            VerifyError::WeakKey(s()),
            VerifyError::UntrustedChain,
            VerifyError::NotValidAtTime,
            VerifyError::Revoked,
            VerifyError::RevocationNotChecked,
            VerifyError::WrongKeyUsage,
            VerifyError::MissingSignatureAttributes,
            VerifyError::WrongPolicy,
            VerifyError::WrongContentType,
            VerifyError::NonceMismatch,
            VerifyError::ChannelMismatch,
            VerifyError::ChannelRule(s()),
            VerifyError::UnknownDocumentVersion,
            VerifyError::AttributesMismatch(s()),
            VerifyError::InvalidDocument(s()),
            VerifyError::BadCrl(s()),
            VerifyError::CrlTooLarge { size: 1, max: 0 },
            VerifyError::CrlNotCurrent,
            VerifyError::UnsupportedCrl(s()),
            VerifyError::BadOcspResponse(s()),
            VerifyError::OcspResponseTooLarge { size: 1, max: 0 },
            VerifyError::OcspNotCurrent,
            VerifyError::OcspNonceMismatch,
            VerifyError::OcspUnknown,
            VerifyError::OcspResponderRevoked,
            VerifyError::OcspResponderNotChecked,
            VerifyError::OcspResponderNotAuthorised(s()),
            VerifyError::OcspConflictingAnswers,
            VerifyError::WrongExtendedKeyUsage,
            VerifyError::WrongRootFamily,
            VerifyError::NotDer(s()),
            VerifyError::AuthenticationCertificateForSignature,
            VerifyError::SignatureCertificateForLogin,
        ];
        let mut codes: Vec<&str> = all.iter().map(VerifyError::code).collect();
        for c in &codes {
            assert!(
                !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{c}"
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "two refusals share a code");
    }
}
