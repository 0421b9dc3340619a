//! OCSP (RFC 6960): the request for a certificate, and the check of a response.
//!
//! The library does no HTTP: [`ocsp_request`] gives the DER request, which the app or the
//! service sends with its own client (`POST`, content type [`OCSP_REQUEST_MEDIA_TYPE`]), and
//! the response is passed to the verifier ([`super::ConsentCheck::ocsp_response`]). CertIDs
//! use SHA-256.
//!
//! A response is accepted when it is successful and basic; signed by the certificate's root,
//! or by a delegated responder certificate with id-kp-OCSPSigning issued by that root and
//! valid at the time; it holds a single response for this certificate (issuer name hash,
//! issuer key hash, serial); it is fresh (thisUpdate no later than the time plus the skew,
//! and the time no later than nextUpdate, or, without nextUpdate, within the skew of
//! thisUpdate); it carries the request's nonce when one was sent; it has no unknown critical
//! extension.

use std::time::{Duration, SystemTime};

use const_oid::db::{rfc5280, rfc6960};
use der::asn1::{BitString, GeneralizedTime, OctetString};
use der::{Any, Decode, Encode, Enumerated, Sequence, Tagged};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::ext::Extensions;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use super::revocation::RevocationStatus;
use super::{raw, strict, VerifyError};
use crate::cert::{verify_signature, JpkiCertificate};
use crate::cms::oid::SHA256;

/// The media type of an OCSP request body.
pub const OCSP_REQUEST_MEDIA_TYPE: &str = "application/ocsp-request";

/// ```text
/// CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
///     issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct CertId {
    hash_algorithm: AlgorithmIdentifierOwned,
    issuer_name_hash: OctetString,
    issuer_key_hash: OctetString,
    serial_number: SerialNumber,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Request {
    req_cert: CertId,
}

/// `TBSRequest` without version (DEFAULT v1) and requestorName.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsRequest {
    request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    request_extensions: Option<Extensions>,
}

/// `OCSPRequest` without optionalSignature.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspRequest {
    tbs_request: TbsRequest,
}

#[derive(Clone, Copy, Debug, Eq, PartialEq, Enumerated)]
#[repr(u32)]
enum ResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseBytes {
    response_type: der::asn1::ObjectIdentifier,
    response: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct OcspResponse {
    response_status: ResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    response_bytes: Option<ResponseBytes>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct BasicOcspResponse {
    tbs_response_data: ResponseData,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    certs: Option<Vec<Certificate>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    version: Option<u8>,
    /// `ResponderID` (byName [1] / byKey [2]): not needed to find the signer.
    responder_id: Any,
    produced_at: GeneralizedTime,
    responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    response_extensions: Option<Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SingleResponse {
    cert_id: CertId,
    /// `CertStatus`: good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2].
    cert_status: Any,
    this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    single_extensions: Option<Extensions>,
}

fn bad(m: impl Into<String>) -> VerifyError {
    VerifyError::BadOcspResponse(m.into())
}

fn cert_id(cert: &JpkiCertificate, issuer: &JpkiCertificate) -> Result<CertId, VerifyError> {
    let enc = |e: der::Error| VerifyError::Malformed(e.to_string());
    let name = cert.x509().tbs_certificate.issuer.to_der().map_err(enc)?;
    let key = issuer
        .x509()
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    Ok(CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: SHA256,
            parameters: None,
        },
        issuer_name_hash: OctetString::new(Sha256::digest(name).to_vec()).map_err(enc)?,
        issuer_key_hash: OctetString::new(Sha256::digest(key).to_vec()).map_err(enc)?,
        serial_number: cert.x509().tbs_certificate.serial_number.clone(),
    })
}

/// The `extnValue` of the nonce extension: an OCTET STRING holding the nonce (RFC 8954).
fn nonce_value(nonce: &[u8]) -> Result<Vec<u8>, VerifyError> {
    OctetString::new(nonce.to_vec())
        .and_then(|o| o.to_der())
        .map_err(|e| VerifyError::Malformed(e.to_string()))
}

/// The DER OCSP request for `cert`, issued by `issuer` (a root of the trust store), with the
/// nonce extension when `nonce` is given (RFC 8954: 1 to 32 bytes). Send it to the
/// responder named in the certificate's authorityInfoAccess, or the one the service knows.
pub fn ocsp_request(
    cert: &JpkiCertificate,
    issuer: &JpkiCertificate,
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, VerifyError> {
    let enc = |e: der::Error| VerifyError::Malformed(e.to_string());
    let request_extensions = match nonce {
        None => None,
        Some(n) if (1..=32).contains(&n.len()) => Some(vec![x509_cert::ext::Extension {
            extn_id: rfc6960::ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(nonce_value(n)?).map_err(enc)?,
        }]),
        Some(_) => {
            return Err(VerifyError::Malformed(
                "an OCSP nonce is 1 to 32 bytes".into(),
            ))
        }
    };
    OcspRequest {
        tbs_request: TbsRequest {
            request_list: vec![Request {
                req_cert: cert_id(cert, issuer)?,
            }],
            request_extensions,
        },
    }
    .to_der()
    .map_err(enc)
}

fn check_extensions(exts: Option<&Extensions>) -> Result<(), VerifyError> {
    for e in exts.into_iter().flatten() {
        if e.critical && e.extn_id != rfc6960::ID_PKIX_OCSP_NONCE {
            return Err(bad(format!("unknown critical extension {}", e.extn_id)));
        }
    }
    Ok(())
}

/// Whether `candidate` is a delegated responder of `root` usable at `at`.
fn delegated(candidate: &JpkiCertificate, root: &JpkiCertificate, at: SystemTime) -> bool {
    let tbs = &candidate.x509().tbs_certificate;
    let ocsp_signing = tbs
        .get::<ExtendedKeyUsage>()
        .ok()
        .flatten()
        .is_some_and(|(_, eku)| eku.0.contains(&rfc5280::ID_KP_OCSP_SIGNING));
    let v = &tbs.validity;
    ocsp_signing
        && strict::check_certificate(candidate).is_ok()
        && v.not_before.to_system_time() <= at
        && at <= v.not_after.to_system_time()
        && candidate.verify_issued_by(root).is_ok()
}

/// Checks `response_der` for `cert`, issued by `root`, at `at` (see the module docs).
pub(crate) fn check(
    response_der: &[u8],
    cert: &JpkiCertificate,
    root: &JpkiCertificate,
    at: SystemTime,
    skew: Duration,
    nonce: Option<&[u8]>,
) -> Result<RevocationStatus, VerifyError> {
    if response_der.len() > super::MAX_OCSP_RESPONSE_SIZE {
        return Err(VerifyError::OcspResponseTooLarge {
            size: response_der.len(),
            max: super::MAX_OCSP_RESPONSE_SIZE,
        });
    }
    let outer = OcspResponse::from_der(response_der).map_err(|e| bad(e.to_string()))?;
    if outer.response_status != ResponseStatus::Successful {
        return Err(bad(format!("status {:?}", outer.response_status)));
    }
    let bytes = outer.response_bytes.ok_or_else(|| bad("no response"))?;
    if bytes.response_type != rfc6960::ID_PKIX_OCSP_BASIC {
        return Err(bad("not a basic response"));
    }
    let basic_der = bytes.response.as_bytes();
    let basic = BasicOcspResponse::from_der(basic_der).map_err(|e| bad(e.to_string()))?;
    // The signed part exactly as received.
    let (b, _) = raw::next(basic_der).map_err(|_| bad("structure"))?;
    let (tbs_raw, _) = raw::next(b.value).map_err(|_| bad("structure"))?;
    let sig = basic
        .signature
        .as_bytes()
        .ok_or_else(|| bad("signature is not whole bytes"))?;
    let verifies = |key: &spki::SubjectPublicKeyInfoOwned| {
        verify_signature(key, &basic.signature_algorithm, None, tbs_raw.whole, sig)
    };
    let by_root = root.verifies(&basic.signature_algorithm, None, tbs_raw.whole, sig);
    if !by_root {
        let responder = basic
            .certs
            .iter()
            .flatten()
            .filter_map(|c| c.to_der().ok())
            .filter_map(|d| JpkiCertificate::from_der(&d).ok())
            .find(|c| {
                delegated(c, root, at)
                    && verifies(&c.x509().tbs_certificate.subject_public_key_info)
            });
        if responder.is_none() {
            return Err(bad("not signed by the root or a delegated responder"));
        }
    }
    let data = &basic.tbs_response_data;
    check_extensions(data.response_extensions.as_ref())?;
    let wanted = cert_id(cert, root)?;
    let single = data
        .responses
        .iter()
        .find(|r| r.cert_id == wanted)
        .ok_or_else(|| bad("no response for this certificate"))?;
    check_extensions(single.single_extensions.as_ref())?;

    let this_update = single.this_update.to_system_time();
    let next_update = single.next_update.map(|t| t.to_system_time());
    // (An addition that overflows the clock's range is "no limit", never a panic.)
    let fresh = at.checked_add(skew).map_or(true, |t| this_update <= t)
        && match next_update {
            Some(n) => at <= n,
            None => this_update.checked_add(skew).map_or(true, |t| at <= t),
        };
    if !fresh {
        return Err(VerifyError::OcspNotCurrent);
    }
    if let Some(n) = nonce {
        let expected = nonce_value(n)?;
        let carried = data
            .response_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == rfc6960::ID_PKIX_OCSP_NONCE)
            .map(|e| e.extn_value.as_bytes());
        if carried != Some(expected.as_slice()) {
            return Err(VerifyError::OcspNonceMismatch);
        }
    }
    let status = &single.cert_status;
    match (
        status.tag().is_context_specific(),
        status.tag().number().value(),
    ) {
        (true, 0) => {}
        (true, 1) => {
            // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime, ... } (IMPLICIT).
            let (t, _) = raw::next(status.value()).map_err(|_| bad("revokedInfo"))?;
            let when = GeneralizedTime::from_der(t.whole).map_err(|_| bad("revocationTime"))?;
            if when.to_system_time() <= at {
                return Err(VerifyError::Revoked);
            }
        }
        (true, 2) => return Err(VerifyError::OcspUnknown),
        _ => return Err(bad("certStatus")),
    }
    Ok(RevocationStatus::Ocsp {
        produced_at: data.produced_at.to_system_time(),
        this_update,
        next_update,
    })
}
