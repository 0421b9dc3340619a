//! The emulator's OCSP responder: a basic OCSP response (RFC 6960 4.2.1) about one
//! certificate of the emulator CA, signed by the root that issued it (the signature root for
//! a signature certificate, the authentication root for an authentication certificate) or by
//! a responder that root delegated ([`OcspAnswer::delegated`]; RFC 6960 4.2.2.2), so
//! that login and consent revocation can be tested end to end without a CRL.
//!
//! It follows RFC 6960 section 4.2.1 (the ASN.1 of `OCSPResponse`, `BasicOCSPResponse`,
//! `ResponseData`, `SingleResponse`, `CertStatus`) and RFC 8954 (the nonce extension: an
//! OCTET STRING holding the request's nonce, copied into the response). The CertID uses
//! SHA-256 over the issuer's name and key, as this library's own requests do
//! (`verify::ocsp_request`). Real JPKI responders are named in the authentication
//! certificate's authorityInfoAccess (PROTOCOL.md section 8); their answers are not public,
//! so nothing here claims to mirror their exact bytes.

use std::time::{Duration, SystemTime};

use const_oid::db::rfc6960;
use der::asn1::{BitString, GeneralizedTime, OctetString};
use std::sync::OnceLock;

use der::{Any, Decode, Encode, Tag, TagNumber};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::Sha256;
use signature::{SignatureEncoding, Signer};
use spki::AlgorithmIdentifierOwned;

use crate::cert::ocsp::{
    self, BasicOcspResponse, OcspResponse, ResponseBytes, ResponseData, ResponseStatus,
    SingleResponse,
};
use crate::cert::{oid, CertError, JpkiCertificate};
use crate::date::Date;

use super::EmulatorCa;

/// What the emulator's responder says about a certificate.
#[derive(Debug, Clone, Default)]
pub struct OcspAnswer {
    /// Revoked at this time (`None`: good).
    pub revoked_at: Option<SystemTime>,
    /// The request's nonce, copied into the response (RFC 8954: 1 to 32 bytes).
    pub nonce: Option<Vec<u8>>,
    /// producedAt and thisUpdate; default now. nextUpdate is a day later.
    pub produced_at: Option<SystemTime>,
    /// Signed by a delegated responder (a certificate the same root issued, with
    /// id-kp-OCSPSigning and id-pkix-ocsp-nocheck, carried in the response) instead of the
    /// root itself.
    pub delegated: bool,
}

/// The delegated responder's key: RSA-2048, generated once per process from a fixed seed (a
/// test key, like the roots').
fn responder_key() -> Result<&'static rsa::RsaPrivateKey, CertError> {
    static KEY: OnceLock<Option<rsa::RsaPrivateKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0x6F63_7370); // "ocsp"
        rsa::RsaPrivateKey::new(&mut rng, 2048).ok()
    })
    .as_ref()
    .ok_or(CertError::InvalidKey)
}

fn context(number: u8, constructed: bool, value: &[u8]) -> Result<Any, CertError> {
    Ok(Any::new(
        Tag::ContextSpecific {
            constructed,
            number: TagNumber::new(number),
        },
        value,
    )?)
}

fn generalized(t: SystemTime) -> Result<GeneralizedTime, CertError> {
    // Whole seconds (DER GeneralizedTime has no fraction here).
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| CertError::Malformed("time before 1970".into()))?
        .as_secs();
    Ok(GeneralizedTime::from_unix_duration(Duration::from_secs(
        secs,
    ))?)
}

impl EmulatorCa {
    /// A DER OCSP response about `cert` (issued by one of this CA's roots), signed by that
    /// root: `good`, or `revoked` at [`OcspAnswer::revoked_at`]; with the nonce when given.
    /// A certificate this CA did not issue, or a CA certificate, is refused
    /// ([`CertError::IssuerMismatch`]).
    pub fn ocsp_response(
        &self,
        cert: &JpkiCertificate,
        answer: &OcspAnswer,
    ) -> Result<Vec<u8>, CertError> {
        // A root (or any CA certificate) is not answered for: OCSP is about end entities.
        if cert.is_ca() {
            return Err(CertError::IssuerMismatch);
        }
        let (root, root_key) = self.issuing_root(cert).ok_or(CertError::IssuerMismatch)?;
        let now = answer.produced_at.unwrap_or_else(SystemTime::now);
        // The signer: the root, or a responder it delegated, valid from the day before to a
        // year after `now`.
        let (key, responder) = if answer.delegated {
            let key = responder_key()?;
            let day = |t: SystemTime| -> Result<Date, CertError> {
                let days = t
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_err(|_| CertError::Malformed("time before 1970".into()))?
                    .as_secs()
                    / 86_400;
                Date::from_days_since_epoch(i64::try_from(days).unwrap_or(0))
                    .map_err(|_| CertError::Malformed("time out of range".into()))
            };
            let der = self.issue_ocsp_responder(
                cert,
                0x0C5F_0001,
                &key.to_public_key(),
                day(now - Duration::from_secs(86_400))?,
                day(now + Duration::from_secs(365 * 86_400))?,
            )?;
            (key, Some(x509_cert::Certificate::from_der(&der)?))
        } else {
            (root_key, None)
        };
        let cert_id = ocsp::cert_id(cert, root)?;
        let cert_status = match answer.revoked_at {
            // good [0] IMPLICIT NULL
            None => context(0, false, &[])?,
            // revoked [1] IMPLICIT RevokedInfo { revocationTime GeneralizedTime }
            Some(t) => context(1, true, &generalized(t)?.to_der()?)?,
        };
        let response_extensions = answer
            .nonce
            .as_deref()
            .map(|n| ocsp::nonce_extension(n).map(|e| vec![e]))
            .transpose()
            .map_err(CertError::Malformed)?;
        let data = ResponseData {
            version: None,
            responder_id: context(
                1,
                true,
                &match &responder {
                    Some(r) => r.tbs_certificate.subject.to_der()?,
                    None => root.x509().tbs_certificate.subject.to_der()?,
                },
            )?,
            produced_at: generalized(now)?,
            responses: vec![SingleResponse {
                cert_id,
                cert_status,
                this_update: generalized(now)?,
                next_update: Some(generalized(now + Duration::from_secs(24 * 60 * 60))?),
                single_extensions: None,
            }],
            response_extensions,
        };
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
        let signature = signer
            .try_sign(&data.to_der()?)
            .map_err(|_| CertError::SignatureInvalid)?
            .to_vec();
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: oid::SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            signature: BitString::from_bytes(&signature)?,
            certs: responder.map(|r| vec![r]),
        };
        Ok(OcspResponse {
            response_status: ResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: rfc6960::ID_PKIX_OCSP_BASIC,
                response: OctetString::new(basic.to_der()?)?,
            }),
        }
        .to_der()?)
    }
}
