//! OCSP (RFC 6960): the request for a certificate, and the check of a response.
//!
//! The library does no HTTP: [`ocsp_request`] gives the DER request, which the app or the
//! service sends with its own client (`POST`, content type [`OCSP_REQUEST_MEDIA_TYPE`]), and
//! the response is passed to the verifier ([`super::ConsentCheck::ocsp_response`]). CertIDs
//! use SHA-256.
//!
//! A response is accepted when it is successful and basic; signed by the certificate's root,
//! or by a delegated responder ([`Responder`] checks below) issued by that same root
//! generation; it holds answers for this certificate (CertID: hash algorithm SHA-256 with
//! absent or NULL parameters alike, RFC 5754 section 2; issuer name hash, issuer key hash,
//! serial), and when it holds several they agree; `good` is an empty NULL; it is fresh
//! (thisUpdate no later than the time plus the skew, and the time no later than nextUpdate,
//! or, without nextUpdate, within the skew of thisUpdate); it carries the request's nonce when
//! one was sent; it has no unknown critical extension.
//!
//! A delegated responder's certificate is checked like a certificate (RFC 6960 4.2.2.2 and
//! 4.2.2.2.1): issued by the certificate's own root, the id-kp-OCSPSigning extended key
//! usage, keyUsage digitalSignature when keyUsage is present (RFC 5280 4.2.1.3), the
//! certificate profile ([`strict`]), valid at the response's producedAt and at the receipt
//! time, and not revoked: unless it carries `id-pkix-ocsp-nocheck`, a CRL of that root current
//! at the receipt time must not list it as revoked at or before that time (nor, for
//! keyCompromise, at any time). A revoked responder makes the response unusable
//! ([`VerifyError::OcspResponderRevoked`]), one whose status cannot be established too
//! ([`VerifyError::OcspResponderNotChecked`]).

use std::time::{Duration, SystemTime};

use const_oid::db::{rfc5280, rfc6960};
use der::asn1::GeneralizedTime;
use der::{Any, Decode, Encode, Tagged};
use x509_cert::ext::Extensions;

use super::revocation::{self, PreparedCrl, RevocationStatus};
use super::{raw, strict, VerifyError};
use crate::cert::ocsp::{
    self, BasicOcspResponse, CertId, OcspRequest, OcspResponse, Request, ResponseStatus,
    SingleResponse, TbsRequest,
};
use crate::cert::{verify_signature, JpkiCertificate};

/// The media type of an OCSP request body.
pub const OCSP_REQUEST_MEDIA_TYPE: &str = "application/ocsp-request";

fn bad(m: impl Into<String>) -> VerifyError {
    VerifyError::BadOcspResponse(m.into())
}

fn cert_id(cert: &JpkiCertificate, issuer: &JpkiCertificate) -> Result<CertId, VerifyError> {
    ocsp::cert_id(cert, issuer).map_err(|e| VerifyError::Malformed(e.to_string()))
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
    let request_extensions = nonce
        .map(|n| ocsp::nonce_extension(n).map(|e| vec![e]))
        .transpose()
        .map_err(VerifyError::Malformed)?;
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

/// What the response is checked against: the certificate's root (and its index in the trust
/// store, for its CRLs), the verifier's CRLs, the receipt time, the skew and the nonce.
pub(crate) struct Context<'a> {
    pub root: &'a JpkiCertificate,
    pub root_index: usize,
    pub crls: &'a [PreparedCrl],
    pub at: SystemTime,
    pub skew: Duration,
    pub nonce: Option<&'a [u8]>,
}

fn within(t: SystemTime, cert: &JpkiCertificate) -> bool {
    let v = &cert.x509().tbs_certificate.validity;
    v.not_before.to_system_time() <= t && t <= v.not_after.to_system_time()
}

/// Checks a delegated responder's certificate (issued by the root, already established), as
/// the module docs describe.
fn check_responder(
    responder: &JpkiCertificate,
    produced_at: SystemTime,
    ctx: &Context<'_>,
) -> Result<(), VerifyError> {
    let not_authorised = |m: &str| VerifyError::OcspResponderNotAuthorised(m.into());
    strict::check_certificate(responder)?;
    let ocsp_signing = responder
        .extended_key_usage()
        .is_some_and(|ekus| ekus.contains(&rfc5280::ID_KP_OCSP_SIGNING));
    if !ocsp_signing {
        return Err(not_authorised("no id-kp-OCSPSigning extended key usage"));
    }
    if responder
        .key_usage()
        .is_some_and(|ku| !ku.digital_signature)
    {
        return Err(not_authorised("keyUsage without digitalSignature"));
    }
    if !within(produced_at, responder) || !within(ctx.at, responder) {
        return Err(not_authorised(
            "not valid at the response's time or the receipt time",
        ));
    }
    let nocheck = responder
        .x509()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id == rfc6960::ID_PKIX_OCSP_NOCHECK);
    if nocheck {
        return Ok(());
    }
    revocation::check_responder(ctx.crls, ctx.root_index, responder.serial_bytes(), ctx.at)
}

/// Whether `id` names `wanted`: the same hash algorithm (SHA-256, its parameters absent or
/// NULL alike: RFC 5754 section 2), issuer name hash, issuer key hash and serial.
fn same_cert_id(id: &CertId, wanted: &CertId) -> bool {
    let params_absent_or_null = match &id.hash_algorithm.parameters {
        None => true,
        Some(p) => p.tag() == der::Tag::Null && p.value().is_empty(),
    };
    id.hash_algorithm.oid == wanted.hash_algorithm.oid
        && params_absent_or_null
        && id.issuer_name_hash == wanted.issuer_name_hash
        && id.issuer_key_hash == wanted.issuer_key_hash
        && id.serial_number == wanted.serial_number
}

/// The status of one answer: good, revoked at a time, or unknown (RFC 6960 4.2.1:
/// `good [0] IMPLICIT NULL`, `revoked [1] IMPLICIT RevokedInfo`, `unknown [2] IMPLICIT
/// UnknownInfo` (NULL)). Anything else, a `good` that is not an empty NULL included, is
/// refused.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Good,
    Revoked(SystemTime),
    Unknown,
}

fn status_of(status: &Any) -> Result<Status, VerifyError> {
    let tag = status.tag();
    let (constructed, number) = match tag {
        der::Tag::ContextSpecific {
            constructed,
            number,
        } => (constructed, number.value()),
        _ => return Err(bad("certStatus")),
    };
    match (constructed, number) {
        (false, 0) if status.value().is_empty() => Ok(Status::Good),
        (false, 2) if status.value().is_empty() => Ok(Status::Unknown),
        (true, 1) => {
            // RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
            //     revocationReason [0] EXPLICIT CRLReason OPTIONAL } (IMPLICIT).
            let (t, rest) = raw::next(status.value()).map_err(|_| bad("revokedInfo"))?;
            let when = GeneralizedTime::from_der(t.whole).map_err(|_| bad("revocationTime"))?;
            if !rest.is_empty() {
                let (reason, rest) = raw::next(rest).map_err(|_| bad("revokedInfo"))?;
                let (inner, after) = raw::next(reason.value).map_err(|_| bad("revokedInfo"))?;
                if reason.tag != 0xA0 || inner.tag != 0x0A || !after.is_empty() || !rest.is_empty()
                {
                    return Err(bad("revokedInfo"));
                }
            }
            Ok(Status::Revoked(when.to_system_time()))
        }
        _ => Err(bad("certStatus")),
    }
}

/// Checks `response_der` for `cert` (see the module docs).
pub(crate) fn check(
    response_der: &[u8],
    cert: &JpkiCertificate,
    ctx: &Context<'_>,
) -> Result<RevocationStatus, VerifyError> {
    let (root, at, skew) = (ctx.root, ctx.at, ctx.skew);
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
    let data = &basic.tbs_response_data;
    let by_root = root.verifies(&basic.signature_algorithm, None, tbs_raw.whole, sig);
    if !by_root {
        // The delegated responder: a certificate of the response whose key made the
        // signature and which the certificate's own root issued; then checked like a
        // certificate.
        let responder = basic
            .certs
            .iter()
            .flatten()
            .filter_map(|c| {
                let der = c.to_der().ok()?;
                JpkiCertificate::from_decoded(&der, c.clone()).ok()
            })
            .find(|c| {
                verify_signature(
                    &c.x509().tbs_certificate.subject_public_key_info,
                    &basic.signature_algorithm,
                    None,
                    tbs_raw.whole,
                    sig,
                ) && c.verify_issued_by(root).is_ok()
            })
            .ok_or_else(|| bad("not signed by the root or a delegated responder"))?;
        check_responder(&responder, data.produced_at.to_system_time(), ctx)?;
    }
    check_extensions(data.response_extensions.as_ref())?;
    let wanted = cert_id(cert, root)?;
    let answers: Vec<&SingleResponse> = data
        .responses
        .iter()
        .filter(|r| same_cert_id(&r.cert_id, &wanted))
        .collect();
    let single = *answers
        .first()
        .ok_or_else(|| bad("no response for this certificate"))?;
    // One answer per certificate: several are accepted only when they say the same.
    let status = status_of(&single.cert_status)?;
    for other in &answers[1..] {
        if status_of(&other.cert_status)? != status {
            return Err(VerifyError::OcspConflictingAnswers);
        }
    }
    let mut result = None;
    for single in answers {
        check_extensions(single.single_extensions.as_ref())?;
        let this_update = single.this_update.to_system_time();
        let next_update = single.next_update.map(|t| t.to_system_time());
        // (An addition that overflows the clock's range is "no limit", never a panic.)
        let fresh = at.checked_add(skew).is_none_or(|t| this_update <= t)
            && match next_update {
                Some(n) => at <= n,
                None => this_update.checked_add(skew).is_none_or(|t| at <= t),
            };
        if !fresh {
            return Err(VerifyError::OcspNotCurrent);
        }
        result.get_or_insert((this_update, next_update));
    }
    let (this_update, next_update) =
        result.ok_or_else(|| bad("no response for this certificate"))?;
    if let Some(n) = ctx.nonce {
        let expected = ocsp::nonce_value(n).map_err(|e| VerifyError::Malformed(e.to_string()))?;
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
    match status {
        Status::Good => {}
        Status::Revoked(when) if when <= at => return Err(VerifyError::Revoked),
        Status::Revoked(_) => {}
        Status::Unknown => return Err(VerifyError::OcspUnknown),
    }
    Ok(RevocationStatus::Ocsp {
        produced_at: data.produced_at.to_system_time(),
        this_update,
        next_update,
    })
}
