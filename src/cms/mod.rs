//! CMS `SignedData` (RFC 5652) with CAdES-BES signed attributes: building it around a
//! signature made by the card, or by any signer the app provides.
//!
//! The output is DER `ContentInfo` with the document as encapsulated content (`id-data`),
//! SHA-256, and the signed attributes content-type, message-digest, signing-time and ESS
//! signing-certificate-v2 (RFC 5035). OpenSSL's `cms -verify` accepts it.
//!
//! The RustCrypto `cms` crate provides the ASN.1 types; its `builder` is not used because the
//! signature comes from outside the process (an NFC card, a platform keystore) through a
//! fallible, stateful call, and the builder's `Signer` bound cannot carry the card's typed
//! errors. The assembly here is short and deterministic.

mod error;
pub mod ess;
mod signer;

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;
use x509_cert::Certificate;

use crate::cert::CertError;

pub use error::CmsError;
pub use signer::{ContentSigner, P256KeySigner, RsaKeySigner, SignatureAlgorithm};

type Result<T, E = CmsError> = core::result::Result<T, E>;

/// Object identifiers used in the CMS structures.
pub mod oid {
    use der::oid::ObjectIdentifier;

    pub use crate::cert::oid::{
        ECDSA_WITH_SHA256, RSA_ENCRYPTION, SHA256, SHA256_WITH_RSA, SHA384, SHA384_WITH_RSA,
        SHA512, SHA512_WITH_RSA,
    };

    /// `id-data`.
    pub const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    /// `id-signedData`.
    pub const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
    /// `id-contentType`.
    pub const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
    /// `id-messageDigest`.
    pub const MESSAGE_DIGEST: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
    /// `id-signingTime`.
    pub const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
}

/// How to build the `SignedData`.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// The signing-time attribute. Default: now.
    pub signing_time: SystemTime,
    /// Further certificates to include (typically the issuing CA's). Default: none.
    pub extra_certificates: Vec<Vec<u8>>,
    /// The description of a signed content-hints attribute ([`ess::ContentHints`]), binding
    /// the signature to its purpose. Default: the consent media type
    /// ([`crate::consent::MEDIA_TYPE`]), which `verify_consent` requires; `None` leaves the
    /// attribute out.
    pub content_hint: Option<String>,
}

impl Default for SignOptions {
    fn default() -> Self {
        Self {
            signing_time: SystemTime::now(),
            extra_certificates: Vec::new(),
            content_hint: Some(crate::consent::MEDIA_TYPE.to_string()),
        }
    }
}

fn enc_err(what: &'static str) -> impl Fn(der::Error) -> CmsError {
    move |e| CmsError::Encoding {
        what,
        reason: e.to_string(),
    }
}

fn certificate(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|e| CmsError::Certificate(CertError::from(e)))
}

fn any<T: Encode>(v: &T) -> Result<Any> {
    Any::from_der(&v.to_der().map_err(enc_err("signed attribute"))?)
        .map_err(enc_err("signed attribute"))
}

fn attribute(oid: der::oid::ObjectIdentifier, value: Any) -> Result<Attribute> {
    let mut values = SetOfVec::new();
    values
        .insert(value as AttributeValue)
        .map_err(enc_err("signed attribute"))?;
    Ok(Attribute { oid, values })
}

/// The signing time as RFC 5652 wants it: UTCTime up to 2049, GeneralizedTime after.
pub(crate) fn cms_time(t: SystemTime) -> Result<Time> {
    let dt = der::DateTime::from_system_time(t).map_err(enc_err("signing time"))?;
    // Whole seconds only.
    let dt = der::DateTime::new(
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds(),
    )
    .map_err(enc_err("signing time"))?;
    if dt.year() < 2050 {
        Ok(Time::UtcTime(
            der::asn1::UtcTime::from_date_time(dt).map_err(enc_err("signing time"))?,
        ))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_date_time(dt),
        ))
    }
}

/// The signed attributes of a CAdES-BES signature over `content` by `cert`.
pub(crate) fn signed_attributes(
    content: &[u8],
    cert_der: &[u8],
    cert: &Certificate,
    signing_time: SystemTime,
    content_hint: Option<&str>,
) -> Result<SetOfVec<Attribute>> {
    let digest = OctetString::new(Sha256::digest(content).to_vec()).map_err(enc_err("digest"))?;
    let cert_hash =
        OctetString::new(Sha256::digest(cert_der).to_vec()).map_err(enc_err("certificate hash"))?;
    let ess = ess::SigningCertificateV2 {
        certs: vec![ess::EssCertIdV2 {
            hash_algorithm: None,
            cert_hash,
            issuer_serial: Some(ess::IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let mut attrs = SetOfVec::new();
    for a in [
        attribute(oid::CONTENT_TYPE, any(&oid::DATA)?)?,
        attribute(oid::MESSAGE_DIGEST, any(&digest)?)?,
        attribute(oid::SIGNING_TIME, any(&cms_time(signing_time)?)?)?,
        attribute(ess::ID_AA_SIGNING_CERTIFICATE_V2, any(&ess)?)?,
    ] {
        attrs.insert(a).map_err(enc_err("signed attributes"))?;
    }
    if let Some(description) = content_hint {
        let hints = ess::ContentHints {
            content_description: Some(description.to_string()),
            content_type: oid::DATA,
        };
        attrs
            .insert(attribute(ess::ID_AA_CONTENT_HINT, any(&hints)?)?)
            .map_err(enc_err("signed attributes"))?;
    }
    Ok(attrs)
}

/// Signs `content` into a DER CMS `ContentInfo`/`SignedData` (CAdES-BES), with the signature
/// made by `signer` over the DER of the signed attributes. A failure of the signer keeps the
/// signer's own error type (a card's typed errors stay typed); the CMS layer's own failures
/// are [`CmsError`]s converted into it.
pub fn sign<S: ContentSigner + ?Sized>(
    content: &[u8],
    signer: &mut S,
    options: &SignOptions,
) -> Result<Vec<u8>, S::Error> {
    let cert_der = signer.certificate_der();
    let cert = certificate(&cert_der)?;
    let attrs = signed_attributes(
        content,
        &cert_der,
        &cert,
        options.signing_time,
        options.content_hint.as_deref(),
    )?;
    // The signature covers the attributes encoded as a SET OF (tag 31), not as the [0]
    // IMPLICIT field they are stored in.
    let to_sign = attrs.to_der().map_err(enc_err("signed attributes"))?;
    let algorithm = signer.algorithm();
    let signature = signer.sign(&to_sign)?;
    Ok(assemble(
        content,
        &cert,
        &options.extra_certificates,
        attrs,
        algorithm,
        signature,
    )?)
}

/// Puts the pieces of a `SignedData` together.
pub(crate) fn assemble(
    content: &[u8],
    cert: &Certificate,
    extra_certificates: &[Vec<u8>],
    attrs: SetOfVec<Attribute>,
    algorithm: SignatureAlgorithm,
    signature: Vec<u8>,
) -> Result<Vec<u8>> {
    let sha256 = AlgorithmIdentifierOwned {
        oid: oid::SHA256,
        parameters: None,
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: algorithm.algorithm_identifier(),
        signature: OctetString::new(signature).map_err(enc_err("signature"))?,
        unsigned_attrs: None,
    };
    let mut certificates = SetOfVec::new();
    certificates
        .insert(CertificateChoices::Certificate(cert.clone()))
        .map_err(enc_err("certificates"))?;
    for der in extra_certificates {
        let c = certificate(der)?;
        certificates
            .insert(CertificateChoices::Certificate(c))
            .map_err(enc_err("certificates"))?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms
        .insert(sha256)
        .map_err(enc_err("digest algorithms"))?;
    let mut signer_infos = SetOfVec::new();
    signer_infos
        .insert(signer_info)
        .map_err(enc_err("signer infos"))?;
    let econtent = Any::new(der::Tag::OctetString, content.to_vec()).map_err(enc_err("content"))?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: oid::DATA,
            econtent: Some(econtent),
        },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    let content_info = ContentInfo {
        content_type: oid::SIGNED_DATA,
        content: Any::from_der(&signed_data.to_der().map_err(enc_err("SignedData"))?)
            .map_err(enc_err("SignedData"))?,
    };
    content_info.to_der().map_err(enc_err("ContentInfo"))
}
