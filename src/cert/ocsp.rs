//! The OCSP messages (RFC 6960 4.1.1 and 4.2.1) as DER structures, and the CertID of a
//! certificate: one definition for the verifier, which writes requests and reads responses
//! (`verify::ocsp`), and for the emulator's responder, which writes responses.

use const_oid::db::rfc6960;
use der::asn1::{BitString, GeneralizedTime, OctetString};
use der::{Any, Encode, Enumerated, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::{Extension, Extensions};
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use super::oid::SHA256;
use super::JpkiCertificate;

/// ```text
/// CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
///     issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct CertId {
    pub(crate) hash_algorithm: AlgorithmIdentifierOwned,
    pub(crate) issuer_name_hash: OctetString,
    pub(crate) issuer_key_hash: OctetString,
    pub(crate) serial_number: SerialNumber,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct Request {
    pub(crate) req_cert: CertId,
}

/// `TBSRequest` without version (DEFAULT v1) and requestorName.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct TbsRequest {
    pub(crate) request_list: Vec<Request>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) request_extensions: Option<Extensions>,
}

/// `OCSPRequest` without optionalSignature.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct OcspRequest {
    pub(crate) tbs_request: TbsRequest,
}

#[derive(Clone, Copy, Debug, Eq, PartialEq, Enumerated)]
#[repr(u32)]
pub(crate) enum ResponseStatus {
    Successful = 0,
    MalformedRequest = 1,
    InternalError = 2,
    TryLater = 3,
    SigRequired = 5,
    Unauthorized = 6,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct ResponseBytes {
    pub(crate) response_type: der::asn1::ObjectIdentifier,
    pub(crate) response: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct OcspResponse {
    pub(crate) response_status: ResponseStatus,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) response_bytes: Option<ResponseBytes>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct BasicOcspResponse {
    pub(crate) tbs_response_data: ResponseData,
    pub(crate) signature_algorithm: AlgorithmIdentifierOwned,
    pub(crate) signature: BitString,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) certs: Option<Vec<Certificate>>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct ResponseData {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) version: Option<u8>,
    /// `ResponderID` (byName [1] / byKey [2]): not needed to find the signer.
    pub(crate) responder_id: Any,
    pub(crate) produced_at: GeneralizedTime,
    pub(crate) responses: Vec<SingleResponse>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) response_extensions: Option<Extensions>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SingleResponse {
    pub(crate) cert_id: CertId,
    /// `CertStatus`: good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2].
    pub(crate) cert_status: Any,
    pub(crate) this_update: GeneralizedTime,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) next_update: Option<GeneralizedTime>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub(crate) single_extensions: Option<Extensions>,
}

/// The SHA-256 CertID (absent hash parameters) of `cert`, issued by `issuer`.
pub(crate) fn cert_id(cert: &JpkiCertificate, issuer: &JpkiCertificate) -> der::Result<CertId> {
    let name = cert.x509().tbs_certificate.issuer.to_der()?;
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
        issuer_name_hash: OctetString::new(Sha256::digest(name).to_vec())?,
        issuer_key_hash: OctetString::new(Sha256::digest(key).to_vec())?,
        serial_number: cert.x509().tbs_certificate.serial_number.clone(),
    })
}

/// The `extnValue` of the nonce extension: an OCTET STRING holding the nonce (RFC 8954).
pub(crate) fn nonce_value(nonce: &[u8]) -> der::Result<Vec<u8>> {
    OctetString::new(nonce.to_vec())?.to_der()
}

/// The nonce extension (RFC 8954) of a request or a response; `Err` with the reason when the
/// nonce is not 1 to 32 bytes or does not encode.
pub(crate) fn nonce_extension(nonce: &[u8]) -> Result<Extension, String> {
    if !(1..=32).contains(&nonce.len()) {
        return Err("an OCSP nonce is 1 to 32 bytes".into());
    }
    let value = nonce_value(nonce)
        .and_then(OctetString::new)
        .map_err(|e| e.to_string())?;
    Ok(Extension {
        extn_id: rfc6960::ID_PKIX_OCSP_NONCE,
        critical: false,
        extn_value: value,
    })
}
