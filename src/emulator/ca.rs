//! The emulator CA: a signature root and an authentication root that issue end-entity
//! certificates in the JPKI format (PROTOCOL.md section 8), under names that can never be
//! taken for J-LIS production (`O=JPKI`) or the J-LIS test hierarchy (`O=JPKI-TEST`).
//!
//! As in real JPKI, the roots issue the end-entity certificates directly. The roots' keys are
//! RSA-2048, generated deterministically from a fixed seed once per process
//! ([`EmulatorCa::shared`]).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_BASIC_CONSTRAINTS, ID_CE_CERTIFICATE_POLICIES,
    ID_CE_CRL_DISTRIBUTION_POINTS, ID_CE_CRL_NUMBER, ID_CE_EXT_KEY_USAGE, ID_CE_ISSUER_ALT_NAME,
    ID_CE_KEY_USAGE, ID_CE_SUBJECT_ALT_NAME, ID_CE_SUBJECT_KEY_IDENTIFIER, ID_KP_CLIENT_AUTH,
    ID_PE_AUTHORITY_INFO_ACCESS,
};
use der::asn1::{Any, BitString, Ia5String, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::asn1::{GeneralizedTime, PrintableStringRef, Utf8StringRef};
use der::{DateTime, Decode, Encode};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};
use signature::{SignatureEncoding, Signer};
use spki::{AlgorithmIdentifierOwned, EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::crl::CrlNumber;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, IssuerAltName, KeyUsage,
    KeyUsages, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use crate::cert::{oid, CertError, JpkiCertificate, SignatureAttributes};
use crate::date::Date;

/// The organisation of both emulator roots.
pub const EMULATOR_ORGANIZATION: &str = "mynasign EMULATOR (not JPKI)";
/// The signature root's first OU.
pub const EMULATOR_SIGNATURE_OU: &str = "Emulated JPKI for digital signature";
/// The authentication root's first OU.
pub const EMULATOR_AUTHENTICATION_OU: &str = "Emulated JPKI for user authentication";
/// The roots' second OU.
pub const EMULATOR_WARNING_OU: &str = "NOT FOR PRODUCTION USE";

const CA_SEED: u64 = 0x6D79_6E61_7369_676E; // "mynasign"
const CPS_URI: &str = "http://emulator.mynasign.invalid/cps/";
const OCSP_AUTHENTICATION_URI: &str = "http://ocsp-auth.emulator.mynasign.invalid";
const ID_QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");
const ID_AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

const C: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const L: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.7");
const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// What a signature certificate is issued for.
///
/// The holder's key is RSA by default (a card); any key with a SubjectPublicKeyInfo encoding
/// may be given instead, for example a `p256::PublicKey` for an ECDSA P-256 smartphone key.
pub struct SignatureCertificateRequest<'a, K: ?Sized = rsa::RsaPublicKey> {
    /// The serial number (= issuance number); must be positive.
    pub serial: u64,
    /// The subject CN: an opaque identifier.
    pub subject_id: &'a str,
    /// The prefecture, romanised (subject `L`), e.g. `Tokyo-to`.
    pub prefecture: &'a str,
    /// The municipality, romanised (subject `L`), e.g. `Chiyoda-ku`.
    pub municipality: &'a str,
    /// The attributes for the subjectAltName.
    pub attributes: &'a SignatureAttributes,
    /// The holder's public key.
    pub public_key: &'a K,
    /// The issue date (validity starts at 00:00:00 JST that day).
    pub issue_date: Date,
    /// The certificate policy: [`oid::CARD_SIGNATURE_POLICY`] for a card,
    /// [`oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER`] for a smartphone.
    pub policy: ObjectIdentifier,
}

impl<K: ?Sized> core::fmt::Debug for SignatureCertificateRequest<'_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignatureCertificateRequest")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// What a user-authentication certificate is issued for. The holder's key is RSA by
/// default (a card); any key with a SubjectPublicKeyInfo encoding may be given instead, for
/// example a `p256::PublicKey` for an ECDSA P-256 smartphone key.
pub struct AuthenticationCertificateRequest<'a, K: ?Sized = rsa::RsaPublicKey> {
    /// The serial number; must be positive.
    pub serial: u64,
    /// The subject CN: an opaque identifier.
    pub subject_id: &'a str,
    /// The holder's public key.
    pub public_key: &'a K,
    /// The issue date.
    pub issue_date: Date,
    /// The holder's date of birth (the validity ends on the 5th birthday after issue; it is
    /// not written into the certificate).
    pub date_of_birth: Date,
}

impl<K: ?Sized> core::fmt::Debug for AuthenticationCertificateRequest<'_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthenticationCertificateRequest")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

/// Departures from the JPKI certificate format, for negative tests of a verifier: a
/// certificate issued with tweaks is signed by the emulator root like any other, but breaks
/// one rule on purpose. `CertificateTweaks::default()` changes nothing. (A policy outside the
/// JPKI arc needs no tweak: [`SignatureCertificateRequest::policy`] takes any OID.)
#[derive(Debug, Clone, Default)]
pub struct CertificateTweaks {
    /// Replaces the keyUsage (JPKI: digitalSignature + nonRepudiation, critical), for example
    /// digitalSignature alone.
    pub key_usage: Option<KeyUsage>,
    /// Replaces the last day of validity (JPKI: the 5th birthday after the issue date), for
    /// example to make a certificate that has already expired.
    pub last_day: Option<Date>,
    /// Adds an extendedKeyUsage with these purposes (a JPKI signature certificate has none),
    /// for example serverAuth only.
    pub extended_key_usage: Option<Vec<ObjectIdentifier>>,
    /// Issues the signature certificate under the **authentication** root instead (a
    /// signature-shaped certificate chaining to the other family).
    pub issued_by_authentication_root: bool,
}

/// One root: its key, name and certificate.
struct Root {
    key: RsaPrivateKey,
    name: Name,
    key_id: Vec<u8>,
    certificate: JpkiCertificate,
}

/// The emulator's two roots.
pub struct EmulatorCa {
    signature: Root,
    authentication: Root,
}

impl core::fmt::Debug for EmulatorCa {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EmulatorCa")
            .field("signature", &self.signature.certificate)
            .field("authentication", &self.authentication.certificate)
            .finish()
    }
}

/// The last day of an end-entity certificate: the holder's 5th birthday after the issue
/// date (a 29 February birthday falls on 28 February in common years).
pub fn end_entity_expiry(issue_date: Date, date_of_birth: Date) -> Date {
    let birthday_in = |year: i32| {
        Date::new(year, date_of_birth.month(), date_of_birth.day())
            .or_else(|_| Date::new(year, date_of_birth.month(), 28))
            .unwrap_or(issue_date)
    };
    let first = if birthday_in(issue_date.year()) > issue_date {
        issue_date.year()
    } else {
        issue_date.year() + 1
    };
    birthday_in(first + 4)
}

/// A JST wall-clock moment as an X.509 time (UTCTime before 2050).
fn jst_time(day: Date, hour: u8, minute: u8, second: u8) -> Result<Time, CertError> {
    // JST = UTC+9: subtract nine hours.
    let (day, hour) = if hour >= 9 {
        (day, hour - 9)
    } else {
        (day.add_days(-1).map_err(|_| bad("date"))?, hour + 15)
    };
    let year = u16::try_from(day.year()).map_err(|_| bad("year"))?;
    let dt = DateTime::new(year, day.month(), day.day(), hour, minute, second)?;
    Ok(if year < 2050 {
        Time::UtcTime(UtcTime::from_date_time(dt)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    })
}

fn bad(what: &str) -> CertError {
    CertError::Malformed(format!("cannot encode the {what}"))
}

fn atv(oid: ObjectIdentifier, value: &str) -> Result<AttributeTypeAndValue, CertError> {
    let value = if oid == C {
        Any::encode_from(&PrintableStringRef::new(value)?)?
    } else {
        Any::encode_from(&Utf8StringRef::new(value)?)?
    };
    Ok(AttributeTypeAndValue { oid, value })
}

/// A name from (type, value) pairs, most general first, one attribute per RDN.
fn name(parts: &[(ObjectIdentifier, &str)]) -> Result<Name, CertError> {
    let mut rdns = Vec::with_capacity(parts.len());
    for (oid, value) in parts {
        let set = SetOfVec::try_from(vec![atv(*oid, value)?])?;
        rdns.push(RelativeDistinguishedName::from(set));
    }
    Ok(RdnSequence::from(rdns))
}

fn extension(
    id: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, CertError> {
    Ok(Extension {
        extn_id: id,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

fn serial_number(serial: u64) -> Result<SerialNumber, CertError> {
    let bytes = serial.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    let mut content = Vec::with_capacity(9);
    if bytes.get(start).is_some_and(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(bytes.get(start..).unwrap_or(&[0]));
    Ok(SerialNumber::new(&content)?)
}

fn spki_of(key: &rsa::RsaPublicKey) -> Result<SubjectPublicKeyInfoOwned, CertError> {
    SubjectPublicKeyInfoOwned::from_key(key.clone()).map_err(|_| CertError::InvalidKey)
}

fn spki_of_key<K: EncodePublicKey + ?Sized>(
    key: &K,
) -> Result<SubjectPublicKeyInfoOwned, CertError> {
    let der = key.to_public_key_der().map_err(|_| CertError::InvalidKey)?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|_| CertError::InvalidKey)
}

/// A moment as an X.509 time (UTCTime before 2050), whole seconds.
fn system_time(t: SystemTime) -> Result<Time, CertError> {
    let dt = DateTime::from_system_time(t).map_err(|_| bad("time"))?;
    Ok(if dt.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(dt)?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    })
}

/// The key identifier: the leftmost 160 bits of SHA-256 of the subjectPublicKey bits
/// (RFC 7093 method 1).
fn key_id(spki: &SubjectPublicKeyInfoOwned) -> Vec<u8> {
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    digest.iter().take(20).copied().collect()
}

fn sha256_with_rsa() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: oid::SHA256_WITH_RSA,
        parameters: Some(Any::null()),
    }
}

/// An RSA PKCS#1 v1.5 SHA-256 signature over `message`.
fn rsa_sign(message: &[u8], key: &RsaPrivateKey) -> Result<Vec<u8>, CertError> {
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let signature = signer
        .try_sign(message)
        .map_err(|_| CertError::SignatureInvalid)?;
    Ok(signature.to_vec())
}

/// Signs a TBS certificate with `key` (sha256WithRSAEncryption) and returns the DER.
fn sign(tbs: TbsCertificate, key: &RsaPrivateKey) -> Result<Vec<u8>, CertError> {
    let signature = rsa_sign(&tbs.to_der()?, key)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: sha256_with_rsa(),
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(cert.to_der()?)
}

fn jp_directory_name(parts: &[(ObjectIdentifier, &str)]) -> Result<GeneralName, CertError> {
    Ok(GeneralName::DirectoryName(name(parts)?))
}

impl Root {
    fn new(rng: &mut ChaCha20Rng, ou: &str, serial: u64, jp_ou: &str) -> Result<Self, CertError> {
        let key = RsaPrivateKey::new(rng, 2048).map_err(|_| CertError::InvalidKey)?;
        let name = name(&[
            (C, "JP"),
            (O, EMULATOR_ORGANIZATION),
            (OU, ou),
            (OU, EMULATOR_WARNING_OU),
        ])?;
        let spki = spki_of(&key.to_public_key())?;
        let key_id = key_id(&spki);
        let extensions = vec![
            extension(
                ID_CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            )?,
            extension(
                ID_CE_SUBJECT_ALT_NAME,
                false,
                &SubjectAltName(vec![jp_directory_name(&[
                    (C, "JP"),
                    (
                        O,
                        "mynasign エミュレータ（公的個人認証サービスではありません）",
                    ),
                    (OU, jp_ou),
                ])?]),
            )?,
            extension(
                ID_CE_BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: None,
                },
            )?,
            extension(
                ID_CE_CRL_DISTRIBUTION_POINTS,
                false,
                &CrlDistributionPoints(vec![DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(vec![
                        GeneralName::DirectoryName(name.clone()),
                    ])),
                    reasons: None,
                    crl_issuer: None,
                }]),
            )?,
            extension(
                ID_CE_SUBJECT_KEY_IDENTIFIER,
                false,
                &SubjectKeyIdentifier(OctetString::new(key_id.clone())?),
            )?,
        ];
        let start = Date::new(2023, 1, 1).map_err(|_| bad("date"))?;
        let end = Date::new(2040, 12, 31).map_err(|_| bad("date"))?;
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(serial)?,
            signature: sha256_with_rsa(),
            issuer: name.clone(),
            validity: Validity {
                not_before: jst_time(start, 9, 0, 0)?,
                not_after: jst_time(end, 23, 59, 59)?,
            },
            subject: name.clone(),
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        let der = sign(tbs, &key)?;
        let certificate = JpkiCertificate::from_der(&der)?;
        Ok(Self {
            key,
            name,
            key_id,
            certificate,
        })
    }
}

impl EmulatorCa {
    /// Generates the two roots from the fixed seed (RSA-2048 key generation: prefer
    /// [`EmulatorCa::shared`]).
    pub fn generate() -> Result<Self, CertError> {
        let mut rng = ChaCha20Rng::seed_from_u64(CA_SEED);
        let signature = Root::new(
            &mut rng,
            EMULATOR_SIGNATURE_OU,
            0x0E01_5160,
            "署名用エミュレータ認証局",
        )?;
        let authentication = Root::new(
            &mut rng,
            EMULATOR_AUTHENTICATION_OU,
            0x0E01_A074,
            "利用者証明用エミュレータ認証局",
        )?;
        Ok(Self {
            signature,
            authentication,
        })
    }

    /// The process-wide CA, generated on first use.
    pub fn shared() -> &'static EmulatorCa {
        static CA: OnceLock<EmulatorCa> = OnceLock::new();
        CA.get_or_init(|| {
            // Generation uses only fixed, valid inputs: a failure is a bug in this module.
            EmulatorCa::generate().expect("the emulator CA's fixed inputs encode")
        })
    }

    /// The signature root certificate.
    pub fn signature_ca(&self) -> &JpkiCertificate {
        &self.signature.certificate
    }

    /// The authentication root certificate.
    pub fn authentication_ca(&self) -> &JpkiCertificate {
        &self.authentication.certificate
    }

    /// The signature root, DER.
    pub fn signature_ca_der(&self) -> &[u8] {
        self.signature.certificate.der()
    }

    /// The authentication root, DER.
    pub fn authentication_ca_der(&self) -> &[u8] {
        self.authentication.certificate.der()
    }

    /// The signature root, PEM.
    pub fn signature_ca_pem(&self) -> String {
        self.signature.certificate.to_pem()
    }

    /// The authentication root, PEM.
    pub fn authentication_ca_pem(&self) -> String {
        self.authentication.certificate.to_pem()
    }

    /// Issues a signature certificate in the JPKI format: subject `C=JP, L=<prefecture>,
    /// L=<municipality>, CN=<id>`; keyUsage digitalSignature + nonRepudiation (critical);
    /// certificatePolicies `request.policy` (critical); subjectAltName with the six
    /// attributes; issuerAltName and CRL distribution point as directory names; OCSP access;
    /// key identifiers; sha256WithRSAEncryption. Valid from the issue date 00:00:00 JST to the
    /// 5th birthday after it, 23:59:59 JST.
    pub fn issue_signature_certificate<K: EncodePublicKey + ?Sized>(
        &self,
        request: &SignatureCertificateRequest<'_, K>,
    ) -> Result<Vec<u8>, CertError> {
        self.issue_signature_certificate_tweaked(request, &CertificateTweaks::default())
    }

    /// Issues a signature certificate as [`issue_signature_certificate`] does, with the
    /// departures from the JPKI format that `tweaks` asks for (negative tests).
    ///
    /// [`issue_signature_certificate`]: Self::issue_signature_certificate
    pub fn issue_signature_certificate_tweaked<K: EncodePublicKey + ?Sized>(
        &self,
        request: &SignatureCertificateRequest<'_, K>,
        tweaks: &CertificateTweaks,
    ) -> Result<Vec<u8>, CertError> {
        let root = if tweaks.issued_by_authentication_root {
            &self.authentication
        } else {
            &self.signature
        };
        let spki = spki_of_key(request.public_key)?;
        let subject = name(&[
            (C, "JP"),
            (L, request.prefecture),
            (L, request.municipality),
            (CN, request.subject_id),
        ])?;
        let crl_dp = format!("{} CRLDP", request.municipality);
        let crl_name = name(&[
            (C, "JP"),
            (O, EMULATOR_ORGANIZATION),
            (OU, EMULATOR_SIGNATURE_OU),
            (OU, "CRL Distribution Points"),
            (OU, request.prefecture),
            (CN, &crl_dp),
        ])?;
        let extensions = vec![
            extension(
                ID_CE_KEY_USAGE,
                true,
                &tweaks.key_usage.unwrap_or(KeyUsage(
                    KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
                )),
            )?,
            extension(
                ID_CE_SUBJECT_ALT_NAME,
                false,
                &SubjectAltName(request.attributes.to_general_names()?),
            )?,
            policies(request.policy)?,
            extension(
                ID_CE_ISSUER_ALT_NAME,
                false,
                &IssuerAltName(vec![jp_directory_name(&[
                    (C, "JP"),
                    (O, "mynasign エミュレータ"),
                    (OU, "公的個人認証サービス署名用（エミュレータ）"),
                    (OU, "本番利用不可"),
                ])?]),
            )?,
            crl_distribution_point(crl_name)?,
            // A real signature certificate has no authorityInfoAccess: revocation is by CRL.
        ];
        let mut extensions = extensions;
        if let Some(ekus) = &tweaks.extended_key_usage {
            extensions.push(extension(
                ID_CE_EXT_KEY_USAGE,
                false,
                &ExtendedKeyUsage(ekus.clone()),
            )?);
        }
        self.issue(
            root,
            request.serial,
            subject,
            spki,
            request.issue_date,
            tweaks.last_day.unwrap_or_else(|| {
                end_entity_expiry(
                    request.issue_date,
                    request.attributes.attributes.date_of_birth,
                )
            }),
            extensions,
        )
    }

    /// Issues a user-authentication certificate: subject `C=JP, CN=<id>`, keyUsage
    /// digitalSignature (critical), certificatePolicies [`oid::AUTHENTICATION_POLICY`]
    /// (critical), no personal data.
    pub fn issue_authentication_certificate<K: EncodePublicKey + ?Sized>(
        &self,
        request: &AuthenticationCertificateRequest<'_, K>,
    ) -> Result<Vec<u8>, CertError> {
        self.issue_authentication_certificate_tweaked(request, &CertificateTweaks::default())
    }

    /// Issues a user-authentication certificate as
    /// [`issue_authentication_certificate`](Self::issue_authentication_certificate) does, with
    /// the departures that `tweaks` asks for (its `last_day`; a keyUsage tweak replaces the
    /// digitalSignature keyUsage).
    pub fn issue_authentication_certificate_tweaked<K: EncodePublicKey + ?Sized>(
        &self,
        request: &AuthenticationCertificateRequest<'_, K>,
        tweaks: &CertificateTweaks,
    ) -> Result<Vec<u8>, CertError> {
        let root = &self.authentication;
        let subject = name(&[(C, "JP"), (CN, request.subject_id)])?;
        let crl_name = name(&[
            (C, "JP"),
            (O, EMULATOR_ORGANIZATION),
            (OU, EMULATOR_AUTHENTICATION_OU),
            (OU, "CRL Distribution Points"),
        ])?;
        let extensions = vec![
            extension(
                ID_CE_KEY_USAGE,
                true,
                &tweaks
                    .key_usage
                    .unwrap_or(KeyUsage(KeyUsages::DigitalSignature.into())),
            )?,
            extension(
                ID_CE_EXT_KEY_USAGE,
                false,
                &ExtendedKeyUsage(vec![ID_KP_CLIENT_AUTH]),
            )?,
            policies(oid::AUTHENTICATION_POLICY)?,
            extension(
                ID_CE_ISSUER_ALT_NAME,
                false,
                &IssuerAltName(vec![jp_directory_name(&[
                    (C, "JP"),
                    (O, "mynasign エミュレータ"),
                    (OU, "公的個人認証サービス利用者証明用（エミュレータ）"),
                    (OU, "本番利用不可"),
                ])?]),
            )?,
            crl_distribution_point(crl_name)?,
            ocsp(OCSP_AUTHENTICATION_URI)?,
        ];
        self.issue(
            root,
            request.serial,
            subject,
            spki_of_key(request.public_key)?,
            request.issue_date,
            tweaks
                .last_day
                .unwrap_or_else(|| end_entity_expiry(request.issue_date, request.date_of_birth)),
            extensions,
        )
    }

    /// The root of this CA that issued `cert` (its signature verifies), with its key: for
    /// the emulator's OCSP responder (`super::ocsp`).
    pub(super) fn issuing_root(
        &self,
        cert: &JpkiCertificate,
    ) -> Option<(&JpkiCertificate, &RsaPrivateKey)> {
        [&self.signature, &self.authentication]
            .into_iter()
            .find(|r| cert.verify_issued_by(&r.certificate).is_ok())
            .map(|r| (&r.certificate, &r.key))
    }

    /// A delegated OCSP responder certificate (RFC 6960 4.2.2.2) issued by the root that
    /// issued `cert`, for `public_key`: subject `C=JP, O=<emulator>, CN=Emulated OCSP
    /// responder`, keyUsage digitalSignature (critical), extendedKeyUsage id-kp-OCSPSigning,
    /// `id-pkix-ocsp-nocheck` (4.2.2.2.1: its own status is not checked), valid from
    /// `first_day` to `last_day`. For the emulator's OCSP responder (`super::ocsp`).
    pub(super) fn issue_ocsp_responder(
        &self,
        cert: &JpkiCertificate,
        serial: u64,
        public_key: &rsa::RsaPublicKey,
        first_day: Date,
        last_day: Date,
    ) -> Result<Vec<u8>, CertError> {
        let root = [&self.signature, &self.authentication]
            .into_iter()
            .find(|r| cert.verify_issued_by(&r.certificate).is_ok())
            .ok_or(CertError::IssuerMismatch)?;
        let subject = name(&[
            (C, "JP"),
            (O, EMULATOR_ORGANIZATION),
            (CN, "Emulated OCSP responder"),
        ])?;
        let extensions = vec![
            extension(
                ID_CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::DigitalSignature.into()),
            )?,
            extension(
                ID_CE_EXT_KEY_USAGE,
                false,
                &ExtendedKeyUsage(vec![const_oid::db::rfc5280::ID_KP_OCSP_SIGNING]),
            )?,
            extension(
                const_oid::db::rfc6960::ID_PKIX_OCSP_NOCHECK,
                false,
                &der::asn1::Null,
            )?,
        ];
        self.issue(
            root,
            serial,
            subject,
            spki_of(public_key)?,
            first_day,
            last_day,
            extensions,
        )
    }

    /// The signature root's private key. A test key (nothing outside this library trusts the
    /// emulator's roots): for tests that issue their own CRLs, OCSP responses or deliberately
    /// broken certificates under the emulator root.
    pub fn signature_root_key(&self) -> &RsaPrivateKey {
        &self.signature.key
    }

    /// Issues a DER X.509 v2 CRL of the signature root: issuer = the root's subject,
    /// thisUpdate `this_update`, nextUpdate a day later, one entry per `(serial, revocation
    /// time)` (the serial as the content octets of the certificate's serialNumber, as
    /// [`JpkiCertificate::serial_bytes`] gives them), authorityKeyIdentifier and cRLNumber 1,
    /// signed sha256WithRSAEncryption with the root's key.
    pub fn issue_crl(
        &self,
        revoked: &[(&[u8], SystemTime)],
        this_update: SystemTime,
    ) -> Result<Vec<u8>, CertError> {
        self.issue_crl_signed_with(revoked, this_update, &self.signature.key)
    }

    /// A CRL as [`issue_crl`](Self::issue_crl) makes, in the signature root's name but
    /// signed with `key`: with any other key than the root's it must be refused (negative
    /// tests).
    pub fn issue_crl_signed_with(
        &self,
        revoked: &[(&[u8], SystemTime)],
        this_update: SystemTime,
        key: &RsaPrivateKey,
    ) -> Result<Vec<u8>, CertError> {
        let root = &self.signature;
        let entries = revoked
            .iter()
            .map(|(serial, when)| {
                Ok(RevokedCert {
                    serial_number: SerialNumber::new(serial)?,
                    revocation_date: system_time(*when)?,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<Vec<_>, CertError>>()?;
        let next_update = this_update
            .checked_add(Duration::from_secs(24 * 60 * 60))
            .ok_or_else(|| bad("nextUpdate"))?;
        let tbs = TbsCertList {
            version: Version::V2,
            signature: sha256_with_rsa(),
            issuer: root.name.clone(),
            this_update: system_time(this_update)?,
            next_update: Some(system_time(next_update)?),
            revoked_certificates: (!entries.is_empty()).then_some(entries),
            crl_extensions: Some(vec![
                extension(
                    ID_CE_AUTHORITY_KEY_IDENTIFIER,
                    false,
                    &AuthorityKeyIdentifier {
                        key_identifier: Some(OctetString::new(root.key_id.clone())?),
                        authority_cert_issuer: None,
                        authority_cert_serial_number: None,
                    },
                )?,
                extension(
                    ID_CE_CRL_NUMBER,
                    false,
                    &CrlNumber(der::asn1::Uint::new(&[1])?),
                )?,
            ]),
        };
        let signature = rsa_sign(&tbs.to_der()?, key)?;
        let crl = CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: sha256_with_rsa(),
            signature: BitString::from_bytes(&signature)?,
        };
        Ok(crl.to_der()?)
    }

    #[allow(clippy::too_many_arguments)]
    fn issue(
        &self,
        root: &Root,
        serial: u64,
        subject: Name,
        spki: SubjectPublicKeyInfoOwned,
        issue_date: Date,
        last_day: Date,
        mut extensions: Vec<Extension>,
    ) -> Result<Vec<u8>, CertError> {
        if serial == 0 {
            return Err(bad("serial number (must be positive)"));
        }
        extensions.push(extension(
            ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(root.key_id.clone())?),
                // As in real JPKI certificates: the issuer's directory name and serial too.
                authority_cert_issuer: Some(vec![GeneralName::DirectoryName(
                    root.certificate.x509().tbs_certificate.issuer.clone(),
                )]),
                authority_cert_serial_number: Some(
                    root.certificate
                        .x509()
                        .tbs_certificate
                        .serial_number
                        .clone(),
                ),
            },
        )?);
        extensions.push(extension(
            ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &SubjectKeyIdentifier(OctetString::new(key_id(&spki))?),
        )?);
        let tbs = TbsCertificate {
            version: Version::V3,
            serial_number: serial_number(serial)?,
            signature: sha256_with_rsa(),
            issuer: root.name.clone(),
            validity: Validity {
                not_before: jst_time(issue_date, 0, 0, 0)?,
                not_after: jst_time(last_day, 23, 59, 59)?,
            },
            subject,
            subject_public_key_info: spki,
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: Some(extensions),
        };
        sign(tbs, &root.key)
    }
}

fn policies(policy: ObjectIdentifier) -> Result<Extension, CertError> {
    extension(
        ID_CE_CERTIFICATE_POLICIES,
        true,
        &CertificatePolicies(vec![PolicyInformation {
            policy_identifier: policy,
            policy_qualifiers: Some(vec![PolicyQualifierInfo {
                policy_qualifier_id: ID_QT_CPS,
                qualifier: Some(Any::encode_from(&Ia5String::new(CPS_URI)?)?),
            }]),
        }]),
    )
}

fn crl_distribution_point(name: Name) -> Result<Extension, CertError> {
    extension(
        ID_CE_CRL_DISTRIBUTION_POINTS,
        false,
        &CrlDistributionPoints(vec![DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![
                GeneralName::DirectoryName(name),
            ])),
            reasons: None,
            crl_issuer: None,
        }]),
    )
}

fn ocsp(uri: &str) -> Result<Extension, CertError> {
    extension(
        ID_PE_AUTHORITY_INFO_ACCESS,
        false,
        &AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: ID_AD_OCSP,
            access_location: GeneralName::UniformResourceIdentifier(Ia5String::new(uri)?),
        }]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::CertificateKind;

    fn d(y: i32, m: u8, dd: u8) -> Date {
        Date::new(y, m, dd).unwrap()
    }

    #[test]
    fn expiry_rule() {
        // The test card: issued 2025-10-27, ends 2030-02-17 for a 02-17 birthday.
        assert_eq!(
            end_entity_expiry(d(2025, 10, 27), d(1980, 2, 17)),
            d(2030, 2, 17)
        );
        // Birthday later the same year.
        assert_eq!(
            end_entity_expiry(d(2025, 1, 10), d(1980, 2, 17)),
            d(2029, 2, 17)
        );
        // Issued on the birthday: the first birthday after is next year's.
        assert_eq!(
            end_entity_expiry(d(2025, 2, 17), d(1980, 2, 17)),
            d(2030, 2, 17)
        );
        // 29 February: 28 February in common years, 29 in leap years.
        assert_eq!(
            end_entity_expiry(d(2024, 3, 1), d(1988, 2, 29)),
            d(2029, 2, 28)
        );
        assert_eq!(
            end_entity_expiry(d(2023, 3, 1), d(1988, 2, 29)),
            d(2028, 2, 29)
        );
    }

    #[test]
    fn jst_times() {
        let t = jst_time(d(2026, 1, 1), 0, 0, 0).unwrap().to_date_time();
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (2025, 12, 31, 15));
        let t = jst_time(d(2031, 2, 28), 23, 59, 59).unwrap().to_date_time();
        assert_eq!(
            (t.day(), t.hour(), t.minutes(), t.seconds()),
            (28, 14, 59, 59)
        );
        assert!(matches!(
            jst_time(d(2051, 1, 2), 0, 0, 0).unwrap(),
            Time::GeneralTime(_)
        ));
    }

    #[test]
    fn serials() {
        assert_eq!(serial_number(0x80).unwrap().as_bytes(), &[0x00, 0x80]);
        assert_eq!(serial_number(0x0123).unwrap().as_bytes(), &[0x01, 0x23]);
        assert_eq!(serial_number(1).unwrap().as_bytes(), &[0x01]);
    }

    #[test]
    fn roots() {
        let ca = EmulatorCa::shared();
        for (root, kind, ou) in [
            (
                ca.signature_ca(),
                CertificateKind::SignatureCa,
                EMULATOR_SIGNATURE_OU,
            ),
            (
                ca.authentication_ca(),
                CertificateKind::AuthenticationCa,
                EMULATOR_AUTHENTICATION_OU,
            ),
        ] {
            assert_eq!(root.kind(), kind);
            assert!(root.is_self_signed() && root.is_ca());
            let s = root.subject();
            assert_eq!(
                s,
                format!("OU=NOT FOR PRODUCTION USE,OU={ou},O=mynasign EMULATOR (not JPKI),C=JP")
            );
            assert!(!s.contains("O=JPKI,") && !s.contains("JPKI-TEST"));
            assert!(!root.issuer().contains("O=JPKI,") && !root.issuer().contains("JPKI-TEST"));
            assert_eq!(root.key(), crate::cert::KeyInfo::Rsa { bits: 2048 });
            let ku = root.key_usage().unwrap();
            assert!(ku.key_cert_sign && ku.crl_sign && ku.critical);
        }
        assert_eq!(
            ca.signature_ca()
                .x509()
                .tbs_certificate
                .subject_public_key_info,
            EmulatorCa::shared()
                .signature_ca()
                .x509()
                .tbs_certificate
                .subject_public_key_info
        );
        assert!(ca
            .signature_ca_pem()
            .starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(
            JpkiCertificate::from_pem_or_der(ca.authentication_ca_pem().as_bytes())
                .unwrap()
                .der(),
            ca.authentication_ca_der()
        );
        // The roots are not the real ones and do not verify each other.
        assert_eq!(
            ca.signature_ca().verify_issued_by(ca.authentication_ca()),
            Err(CertError::IssuerMismatch)
        );
    }

    #[test]
    fn generation_is_deterministic() {
        let again = EmulatorCa::generate().unwrap();
        assert_eq!(
            again.signature_ca_der(),
            EmulatorCa::shared().signature_ca_der()
        );
        assert_eq!(
            again.authentication_ca_der(),
            EmulatorCa::shared().authentication_ca_der()
        );
    }

    fn attributes() -> SignatureAttributes {
        SignatureAttributes::new(
            crate::attributes::BasicFourAttributes {
                name: "試験\u{3000}花子".to_owned(),
                address: "東京都千代田区霞が関２丁目１－２".to_owned(),
                date_of_birth: d(1990, 5, 6),
                sex: crate::attributes::Sex::Female,
            },
            "00000".to_owned(),
            "0000000000000000".to_owned(),
        )
    }

    fn request<'a, K: ?Sized>(
        attrs: &'a SignatureAttributes,
        key: &'a K,
        policy: ObjectIdentifier,
    ) -> SignatureCertificateRequest<'a, K> {
        SignatureCertificateRequest {
            serial: 0x0123_4567,
            subject_id: "20250101TEST0001",
            prefecture: "Tokyo-to",
            municipality: "Chiyoda-ku",
            attributes: attrs,
            public_key: key,
            issue_date: d(2025, 1, 10),
            policy,
        }
    }

    fn p256_key() -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap()
    }

    #[test]
    fn p256_signature_certificate() {
        let ca = EmulatorCa::shared();
        let attrs = attributes();
        let key = p256_key();
        let public = p256::PublicKey::from(key.verifying_key());
        let der = ca
            .issue_signature_certificate(&request(
                &attrs,
                &public,
                oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER,
            ))
            .unwrap();
        let cert = JpkiCertificate::from_der(&der).unwrap();
        assert_eq!(cert.key(), crate::cert::KeyInfo::EcP256);
        assert_eq!(cert.kind(), CertificateKind::Signature);
        cert.verify_issued_by(ca.signature_ca()).unwrap();
        assert_eq!(
            cert.policies(),
            vec![oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER.to_string()]
        );
        let ku = cert.key_usage().unwrap();
        assert!(ku.digital_signature && ku.non_repudiation && ku.critical);
        assert_eq!(cert.signature_attributes(), Some(&attrs));
        // The SPKI carries the key given.
        let point = cert
            .x509()
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            .to_vec();
        assert_eq!(
            point,
            key.verifying_key().to_encoded_point(false).as_bytes()
        );
        // Same validity rule as an RSA certificate.
        assert_eq!(cert.not_after_date_jst(), d(2029, 5, 6));
    }

    #[test]
    fn tweaks() {
        let ca = EmulatorCa::shared();
        let attrs = attributes();
        let key = p256::PublicKey::from(p256_key().verifying_key());
        let req = request(&attrs, &key, ObjectIdentifier::new_unwrap("1.2.3.4.5"));
        let plain = ca
            .issue_signature_certificate_tweaked(&req, &CertificateTweaks::default())
            .unwrap();
        assert_eq!(plain, ca.issue_signature_certificate(&req).unwrap());
        let cert = JpkiCertificate::from_der(&plain).unwrap();
        assert_eq!(cert.policies(), vec!["1.2.3.4.5".to_owned()]);

        let tweaked = ca
            .issue_signature_certificate_tweaked(
                &req,
                &CertificateTweaks {
                    key_usage: Some(KeyUsage(KeyUsages::DigitalSignature.into())),
                    last_day: Some(d(2025, 3, 31)),
                    extended_key_usage: Some(vec![const_oid::db::rfc5280::ID_KP_SERVER_AUTH]),
                    issued_by_authentication_root: true,
                },
            )
            .unwrap();
        let cert = JpkiCertificate::from_der(&tweaked).unwrap();
        cert.verify_issued_by(ca.authentication_ca()).unwrap();
        let ku = cert.key_usage().unwrap();
        assert!(ku.digital_signature && !ku.non_repudiation);
        assert_eq!(cert.not_after_date_jst(), d(2025, 3, 31));
        assert_eq!(cert.not_before_date_jst(), d(2025, 1, 10));
        assert_eq!(
            cert.extended_key_usage(),
            Some(&[const_oid::db::rfc5280::ID_KP_SERVER_AUTH][..])
        );
    }

    #[test]
    fn crl() {
        let ca = EmulatorCa::shared();
        let this_update = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01
        let when = this_update - Duration::from_secs(3600);
        let serial: &[u8] = &[0x01, 0x23, 0x45];
        let der = ca.issue_crl(&[(serial, when)], this_update).unwrap();
        let crl = CertificateList::from_der(&der).unwrap();
        let tbs = &crl.tbs_cert_list;
        assert_eq!(tbs.version, Version::V2);
        assert_eq!(tbs.issuer, ca.signature_ca().x509().tbs_certificate.subject);
        assert_eq!(tbs.this_update.to_system_time(), this_update);
        assert_eq!(
            tbs.next_update.unwrap().to_system_time(),
            this_update + Duration::from_secs(86_400)
        );
        let entries = tbs.revoked_certificates.as_ref().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].serial_number.as_bytes(), serial);
        assert_eq!(entries[0].revocation_date.to_system_time(), when);
        // Signed by the signature root's key.
        let root_key = ca.signature_ca().rsa_public_key().unwrap();
        let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(root_key);
        let sig = rsa::pkcs1v15::Signature::try_from(crl.signature.raw_bytes()).unwrap();
        use signature::Verifier;
        vk.verify(&tbs.to_der().unwrap(), &sig).unwrap();
        assert_eq!(crl.signature_algorithm, sha256_with_rsa());

        // An empty CRL has no entries list; one signed with another key does not verify.
        let empty = ca.issue_crl(&[], this_update).unwrap();
        let empty = CertificateList::from_der(&empty).unwrap();
        assert!(empty.tbs_cert_list.revoked_certificates.is_none());
        let other = ca
            .issue_crl_signed_with(&[(serial, when)], this_update, &ca.authentication.key)
            .unwrap();
        let other = CertificateList::from_der(&other).unwrap();
        assert_eq!(other.tbs_cert_list, crl.tbs_cert_list);
        let sig = rsa::pkcs1v15::Signature::try_from(other.signature.raw_bytes()).unwrap();
        assert!(vk.verify(&tbs.to_der().unwrap(), &sig).is_err());
    }
}
