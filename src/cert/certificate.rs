//! The typed certificate view.

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_BASIC_CONSTRAINTS, ID_CE_CERTIFICATE_POLICIES,
    ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_CE_SUBJECT_ALT_NAME, ID_CE_SUBJECT_KEY_IDENTIFIER,
};
use der::asn1::{AnyRef, ObjectIdentifier};
use der::{DateTime, Decode, Encode, Reader, SliceReader, Tagged};
use rsa::pkcs8::DecodePublicKey;
use x509_cert::ext::pkix::{
    BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::{oid, CertError, SignatureAttributes};
use crate::date::Date;

/// The subject public key, as far as this library cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyInfo {
    /// RSA with a modulus of this many bits (JPKI: 2048).
    Rsa {
        /// The modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256.
    EcP256,
    /// Anything else.
    Other {
        /// The algorithm's dotted OID (and the curve's, for another EC curve).
        algorithm: String,
    },
}

/// The keyUsage extension's bits.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyUsageFlags {
    /// digitalSignature (0).
    pub digital_signature: bool,
    /// nonRepudiation / contentCommitment (1).
    pub non_repudiation: bool,
    /// keyEncipherment (2).
    pub key_encipherment: bool,
    /// dataEncipherment (3).
    pub data_encipherment: bool,
    /// keyAgreement (4).
    pub key_agreement: bool,
    /// keyCertSign (5).
    pub key_cert_sign: bool,
    /// cRLSign (6).
    pub crl_sign: bool,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// What a certificate is in the JPKI hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateKind {
    /// A signature certificate (署名用電子証明書).
    Signature,
    /// A user-authentication certificate (利用者証明用電子証明書).
    Authentication,
    /// A CA for signature certificates (`OU=... for digital signature`).
    SignatureCa,
    /// A CA for user-authentication certificates (`OU=... for user authentication`).
    AuthenticationCa,
    /// Not recognisably part of a JPKI hierarchy.
    Other,
}

impl CertificateKind {
    /// `signature`, `authentication`, `signature_ca`, `authentication_ca`, `other`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CertificateKind::Signature => "signature",
            CertificateKind::Authentication => "authentication",
            CertificateKind::SignatureCa => "signature_ca",
            CertificateKind::AuthenticationCa => "authentication_ca",
            CertificateKind::Other => "other",
        }
    }
}

/// A parsed X.509 certificate with the JPKI profile's facts pulled out.
///
/// `Debug` prints the kind and the issuance number only (the subject of a signature
/// certificate carries personal data).
#[derive(Clone)]
pub struct JpkiCertificate {
    der: Vec<u8>,
    /// Where the signed part (the TBSCertificate, as received) is in `der`.
    tbs: core::ops::Range<usize>,
    cert: Certificate,
    key: KeyInfo,
    key_usage: Option<KeyUsageFlags>,
    policies: Vec<ObjectIdentifier>,
    extended_key_usage: Option<Vec<ObjectIdentifier>>,
    is_ca: bool,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    signature_attributes: Option<SignatureAttributes>,
    kind: CertificateKind,
    not_before_jst: Date,
    not_after_jst: Date,
    /// The subject key's parsed forms, when this certificate verifies signatures often (a
    /// root); shared by its clones.
    key_cache: super::KeyCache,
}

impl core::fmt::Debug for JpkiCertificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("JpkiCertificate")
            .field("kind", &self.kind)
            .field("issuance_number", &self.issuance_number())
            .finish_non_exhaustive()
    }
}

impl PartialEq for JpkiCertificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for JpkiCertificate {}

const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");

/// Which family a CA name belongs to, from its OU values.
fn family(name: &Name) -> Option<bool> {
    let mut signature = false;
    let mut authentication = false;
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid != OU {
                continue;
            }
            let Ok(text) = directory_string(&atv.value) else {
                continue;
            };
            signature |= text.contains("for digital signature");
            authentication |= text.contains("for user authentication");
        }
    }
    match (signature, authentication) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

fn directory_string(value: &der::asn1::Any) -> Result<String, der::Error> {
    match value.tag() {
        der::Tag::Utf8String => Ok(value
            .decode_as::<der::asn1::Utf8StringRef<'_>>()?
            .to_string()),
        der::Tag::PrintableString => Ok(value
            .decode_as::<der::asn1::PrintableStringRef<'_>>()?
            .to_string()),
        tag => Err(der::Error::from(der::ErrorKind::TagUnexpected {
            expected: None,
            actual: tag,
        })),
    }
}

/// The calendar day (JST, UTC+9) a moment falls on.
fn jst_date(t: DateTime) -> Result<Date, CertError> {
    let days = (t.unix_duration().as_secs() + 9 * 3600) / 86_400;
    i64::try_from(days)
        .ok()
        .and_then(|d| Date::from_days_since_epoch(d).ok())
        .ok_or_else(|| CertError::Malformed("validity out of range".into()))
}

/// The size in bits of an RSA subject key, with the checks `rsa::RsaPublicKey` makes on a key
/// it accepts (`rsa` 0.9: `encoding.rs` `verify_algorithm_id`, `key.rs`
/// `check_public_with_max_size`): NULL parameters, a modulus of at most 4,096 bits, odd and
/// above the exponent, and an odd exponent from 3 to 2^33 - 1. Read from the DER integers
/// directly: a certificate's key is only sized and checked here, never used for arithmetic
/// (signatures are verified by [`super::algorithms`]), so no big integers are built.
fn rsa_modulus_bits(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<usize, CertError> {
    let null_parameters = spki
        .algorithm
        .parameters
        .as_ref()
        .is_some_and(|p| p.tag() == der::Tag::Null && p.value().is_empty());
    let key = spki
        .subject_public_key
        .as_bytes()
        .and_then(|k| rsa::pkcs1::RsaPublicKey::from_der(k).ok())
        .filter(|_| null_parameters)
        .ok_or(CertError::InvalidKey)?;
    // UintRef holds the magnitude without leading zero bytes.
    let (n, e) = (key.modulus.as_bytes(), key.public_exponent.as_bytes());
    let bits = |v: &[u8]| match v.first() {
        Some(&b) => v.len() * 8 - b.leading_zeros() as usize,
        None => 0,
    };
    let odd = |v: &[u8]| v.last().is_some_and(|b| b & 1 == 1);
    let n_bits = bits(n);
    let e_value = (e.len() <= 8).then(|| e.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)));
    let e_below_n = n_bits > bits(e) || (n.len() == e.len() && e < n);
    match e_value {
        Some(e)
            if n_bits <= 4096
                && odd(n)
                && odd(key.public_exponent.as_bytes())
                && e_below_n
                && (3..=(1u64 << 33) - 1).contains(&e) =>
        {
            Ok(n_bits)
        }
        _ => Err(CertError::InvalidKey),
    }
}

/// The keyIdentifier of an AuthorityKeyIdentifier extension's value (RFC 5280 4.2.1.1:
/// `SEQUENCE { keyIdentifier [0] OPTIONAL, authorityCertIssuer [1] OPTIONAL,
/// authorityCertSerialNumber [2] OPTIONAL }`, implicit tags). The other two fields are
/// checked for their tags, order, DER lengths and pairing (both or neither), not decoded:
/// J-LIS certificates name their issuer there as a directory name, and decoding that name
/// was an eighth of a certificate's parsing time for a value nothing reads. Everything in
/// it is covered by the issuer's signature.
fn authority_key_identifier(value: &[u8]) -> Result<Option<Vec<u8>>, der::Error> {
    let aki = AnyRef::from_der(value)?;
    aki.tag().assert_eq(der::Tag::Sequence)?;
    let mut reader = SliceReader::new(aki.value())?;
    let (mut key_id, mut last, mut issuer, mut serial) = (None, None, false, false);
    while !reader.is_finished() {
        let field = AnyRef::decode(&mut reader)?;
        let (number, constructed) = match field.tag() {
            der::Tag::ContextSpecific {
                constructed,
                number,
            } => (number.value(), constructed),
            tag => return Err(tag.unexpected_error(None)),
        };
        if last.is_some_and(|l| l >= number) {
            return Err(der::ErrorKind::Noncanonical { tag: field.tag() }.into());
        }
        last = Some(number);
        match (number, constructed) {
            (0, false) => key_id = Some(field.value().to_vec()),
            (1, true) => issuer = true,
            (2, false) if !field.value().is_empty() => serial = true,
            _ => return Err(field.tag().unexpected_error(None)),
        }
    }
    if issuer != serial {
        return Err(der::ErrorKind::Failed.into());
    }
    Ok(key_id)
}

fn ext_err(extension: &'static str) -> impl Fn(der::Error) -> CertError {
    move |_| CertError::InvalidExtension { extension }
}

impl JpkiCertificate {
    /// Parses exactly one DER certificate. Trailing bytes are an error: a caller reading a
    /// card EF takes the length from the DER header and strips the filler first. Input over
    /// [`MAX_CERTIFICATE_SIZE`](super::MAX_CERTIFICATE_SIZE) is refused before decoding
    /// ([`CertError::TooLarge`]).
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        if der.len() > super::MAX_CERTIFICATE_SIZE {
            return Err(CertError::TooLarge {
                size: der.len(),
                max: super::MAX_CERTIFICATE_SIZE,
            });
        }
        let cert = match Certificate::from_der(der) {
            Ok(c) => c,
            Err(e) => {
                return Err(match e.kind() {
                    der::ErrorKind::TrailingData { decoded, .. } => CertError::TrailingData {
                        extra: der
                            .len()
                            .saturating_sub(usize::try_from(decoded).unwrap_or(0)),
                    },
                    _ if AnyRef::from_der(der).is_ok() => CertError::NotCertificate,
                    _ => CertError::from(e),
                })
            }
        };
        Self::from_decoded(der, cert)
    }

    /// The view of `cert`, already decoded from `der` (exactly those bytes).
    pub(crate) fn from_decoded(der: &[u8], cert: Certificate) -> Result<Self, CertError> {
        // The signed bytes exactly as they are in the input (not re-encoded).
        let outer = AnyRef::from_der(der)?;
        let mut reader = SliceReader::new(outer.value())?;
        let tbs_len = reader.tlv_bytes()?.len();
        // The outer SEQUENCE's value ends the input (from_der refuses trailing bytes), so the
        // TBSCertificate, its first element, starts where the value does.
        let tbs_start = der.len() - outer.value().len();
        let tbs = tbs_start..tbs_start + tbs_len;

        let tbs_cert = &cert.tbs_certificate;
        let mut key_usage = None;
        let mut policies = Vec::new();
        let mut extended_key_usage = None;
        let mut is_ca = false;
        let mut subject_key_id = None;
        let mut authority_key_id = None;
        let mut signature_attributes = None;
        for ext in tbs_cert.extensions.iter().flatten() {
            let value = ext.extn_value.as_bytes();
            match ext.extn_id {
                ID_CE_KEY_USAGE => {
                    let ku = KeyUsage::from_der(value).map_err(ext_err("keyUsage"))?;
                    key_usage = Some(KeyUsageFlags {
                        digital_signature: ku.0.contains(KeyUsages::DigitalSignature),
                        non_repudiation: ku.0.contains(KeyUsages::NonRepudiation),
                        key_encipherment: ku.0.contains(KeyUsages::KeyEncipherment),
                        data_encipherment: ku.0.contains(KeyUsages::DataEncipherment),
                        key_agreement: ku.0.contains(KeyUsages::KeyAgreement),
                        key_cert_sign: ku.0.contains(KeyUsages::KeyCertSign),
                        crl_sign: ku.0.contains(KeyUsages::CRLSign),
                        critical: ext.critical,
                    });
                }
                ID_CE_CERTIFICATE_POLICIES => {
                    let cp = CertificatePolicies::from_der(value)
                        .map_err(ext_err("certificatePolicies"))?;
                    policies = cp.0.iter().map(|p| p.policy_identifier).collect();
                }
                ID_CE_EXT_KEY_USAGE => {
                    let eku =
                        ExtendedKeyUsage::from_der(value).map_err(ext_err("extendedKeyUsage"))?;
                    extended_key_usage = Some(eku.0);
                }
                ID_CE_BASIC_CONSTRAINTS => {
                    let bc =
                        BasicConstraints::from_der(value).map_err(ext_err("basicConstraints"))?;
                    is_ca = bc.ca;
                }
                ID_CE_SUBJECT_KEY_IDENTIFIER => {
                    let ski = SubjectKeyIdentifier::from_der(value)
                        .map_err(ext_err("subjectKeyIdentifier"))?;
                    subject_key_id = Some(ski.0.as_bytes().to_vec());
                }
                ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                    authority_key_id = authority_key_identifier(value)
                        .map_err(ext_err("authorityKeyIdentifier"))?;
                }
                ID_CE_SUBJECT_ALT_NAME => {
                    let san = SubjectAltName::from_der(value).map_err(ext_err("subjectAltName"))?;
                    signature_attributes = SignatureAttributes::from_general_names(&san.0)?;
                }
                _ => {}
            }
        }

        let spki = &tbs_cert.subject_public_key_info;
        let key = if spki.algorithm.oid == oid::RSA_ENCRYPTION {
            KeyInfo::Rsa {
                bits: rsa_modulus_bits(spki)?,
            }
        } else if spki.algorithm.oid == oid::EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            match curve {
                Some(c) if c == oid::P256 => KeyInfo::EcP256,
                Some(c) => KeyInfo::Other {
                    algorithm: format!("{} {}", spki.algorithm.oid, c),
                },
                None => KeyInfo::Other {
                    algorithm: spki.algorithm.oid.to_string(),
                },
            }
        } else {
            KeyInfo::Other {
                algorithm: spki.algorithm.oid.to_string(),
            }
        };

        let kind = if is_ca {
            match family(&tbs_cert.subject) {
                Some(true) => CertificateKind::SignatureCa,
                Some(false) => CertificateKind::AuthenticationCa,
                None => CertificateKind::Other,
            }
        } else if signature_attributes.is_some() {
            CertificateKind::Signature
        } else {
            match family(&tbs_cert.issuer) {
                Some(true) => CertificateKind::Signature,
                Some(false) => CertificateKind::Authentication,
                None => CertificateKind::Other,
            }
        };

        let not_before_jst = jst_date(tbs_cert.validity.not_before.to_date_time())?;
        let not_after_jst = jst_date(tbs_cert.validity.not_after.to_date_time())?;
        Ok(Self {
            der: der.to_vec(),
            tbs,
            cert,
            key,
            key_usage,
            policies,
            extended_key_usage,
            is_ca,
            subject_key_id,
            authority_key_id,
            signature_attributes,
            kind,
            not_before_jst,
            not_after_jst,
            key_cache: super::KeyCache::default(),
        })
    }

    /// Parses a PEM (`-----BEGIN CERTIFICATE-----`) or DER certificate. PEM text over
    /// [`MAX_PEM_SIZE`](super::MAX_PEM_SIZE) is refused before decoding, DER over
    /// [`MAX_CERTIFICATE_SIZE`](super::MAX_CERTIFICATE_SIZE) too ([`CertError::TooLarge`]).
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, CertError> {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let rest = bytes.get(start..).unwrap_or_default();
        if rest.starts_with(b"-----BEGIN") {
            if bytes.len() > super::MAX_PEM_SIZE {
                return Err(CertError::TooLarge {
                    size: bytes.len(),
                    max: super::MAX_PEM_SIZE,
                });
            }
            // A bundle (several certificates, as `emulator export-ca` writes) yields its first.
            let (label, der) = der::pem::decode_vec(first_pem_block(rest))
                .map_err(|e| CertError::Pem(e.to_string()))?;
            if label != "CERTIFICATE" {
                return Err(CertError::Pem("the label is not CERTIFICATE".into()));
            }
            Self::from_der(&der)
        } else {
            Self::from_der(bytes)
        }
    }

    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// The underlying `x509-cert` certificate.
    pub fn x509(&self) -> &Certificate {
        &self.cert
    }

    /// The issuance number (発行番号): the serial number as uppercase hexadecimal, leading
    /// zero bytes stripped (`"0"` for a zero serial).
    pub fn issuance_number(&self) -> String {
        let bytes = self.serial_bytes();
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        let hex: String = bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        if hex.is_empty() {
            "0".into()
        } else {
            hex
        }
    }

    /// The serial number's content bytes, as encoded (big-endian two's complement).
    pub fn serial_bytes(&self) -> &[u8] {
        self.cert.tbs_certificate.serial_number.as_bytes()
    }

    /// The subject name, RFC 4514 text (most specific attribute first). Personal data for
    /// a signature certificate's locality names: do not log it.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// The issuer name, RFC 4514 text.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate.issuer.to_string()
    }

    /// Start of validity (UTC).
    pub fn not_before(&self) -> DateTime {
        self.cert.tbs_certificate.validity.not_before.to_date_time()
    }

    /// End of validity (UTC).
    pub fn not_after(&self) -> DateTime {
        self.cert.tbs_certificate.validity.not_after.to_date_time()
    }

    /// The day (Japan Standard Time) validity starts.
    pub fn not_before_date_jst(&self) -> Date {
        self.not_before_jst
    }

    /// The last day (Japan Standard Time) of validity: for a JPKI end-entity certificate, the
    /// 5th birthday after issue.
    pub fn not_after_date_jst(&self) -> Date {
        self.not_after_jst
    }

    /// The subject public key's type and size.
    pub fn key(&self) -> KeyInfo {
        self.key.clone()
    }

    /// The subject public key as an RSA key.
    pub fn rsa_public_key(&self) -> Result<rsa::RsaPublicKey, CertError> {
        let spki = &self.cert.tbs_certificate.subject_public_key_info;
        if spki.algorithm.oid != oid::RSA_ENCRYPTION {
            return Err(CertError::UnsupportedKey {
                algorithm: spki.algorithm.oid.to_string(),
            });
        }
        rsa::RsaPublicKey::from_public_key_der(&spki.to_der()?).map_err(|_| CertError::InvalidKey)
    }

    /// The keyUsage extension, if present.
    pub fn key_usage(&self) -> Option<KeyUsageFlags> {
        self.key_usage
    }

    /// The certificate policies, as dotted OIDs.
    pub fn policies(&self) -> Vec<String> {
        self.policies.iter().map(ToString::to_string).collect()
    }

    /// The certificate policies' identifiers.
    pub fn policy_oids(&self) -> &[ObjectIdentifier] {
        &self.policies
    }

    /// The extendedKeyUsage purposes, when the extension is present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.extended_key_usage.as_deref()
    }

    /// Whether basicConstraints says this is a CA.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }

    /// The subjectKeyIdentifier, if present.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// The authorityKeyIdentifier's key identifier, if present.
    pub fn authority_key_identifier(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// What this certificate is in the JPKI hierarchy.
    ///
    /// A CA is told by its subject's OU (`... for digital signature` or `... for user
    /// authentication`); an end-entity certificate by its subjectAltName attributes
    /// (signature) or else by its issuer's OU.
    pub fn kind(&self) -> CertificateKind {
        self.kind
    }

    /// Whether issuer and subject names are equal and the certificate verifies with its own
    /// key.
    pub fn is_self_signed(&self) -> bool {
        self.verify_issued_by(self).is_ok()
    }

    /// The basic four attributes of a signature certificate (`None` for any other kind).
    pub fn signature_attributes(&self) -> Option<&SignatureAttributes> {
        self.signature_attributes.as_ref()
    }

    /// Whether `signature` over `message` verifies with this certificate's subject key (for
    /// a root: a certificate, CRL or OCSP response it signed), the parsed key kept for the
    /// next call.
    pub(crate) fn verifies(
        &self,
        sig_alg: &spki::AlgorithmIdentifierOwned,
        digest_alg: Option<&spki::AlgorithmIdentifierOwned>,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        super::algorithms::verify_signature_cached(
            &self.key_cache,
            &self.cert.tbs_certificate.subject_public_key_info,
            sig_alg,
            digest_alg,
            message,
            signature,
        )
    }

    /// Checks that `issuer` issued this certificate: the issuer name equals `issuer`'s
    /// subject name, and the signature verifies with `issuer`'s key (RSA PKCS#1 v1.5 with
    /// SHA-256, SHA-384 or SHA-512). Validity periods and revocation are not checked here.
    pub fn verify_issued_by(&self, issuer: &JpkiCertificate) -> Result<(), CertError> {
        if self.cert.tbs_certificate.issuer != issuer.cert.tbs_certificate.subject {
            return Err(CertError::IssuerMismatch);
        }
        let alg = &self.cert.signature_algorithm;
        if *alg != self.cert.tbs_certificate.signature {
            return Err(CertError::SignatureAlgorithmMismatch);
        }
        let signature = self
            .cert
            .signature
            .as_bytes()
            .ok_or(CertError::SignatureInvalid)?;
        let supported = [
            oid::SHA256_WITH_RSA,
            oid::SHA384_WITH_RSA,
            oid::SHA512_WITH_RSA,
            oid::ECDSA_WITH_SHA256,
        ];
        if !supported.contains(&alg.oid) {
            return Err(CertError::UnsupportedSignatureAlgorithm {
                algorithm: alg.oid.to_string(),
            });
        }
        if issuer.verifies(alg, None, &self.der[self.tbs.clone()], signature) {
            Ok(())
        } else {
            Err(CertError::SignatureInvalid)
        }
    }
}

/// The first PEM block of `text` (which starts with `-----BEGIN`), through its `-----END`
/// line.
fn first_pem_block(text: &[u8]) -> &[u8] {
    const END: &[u8] = b"-----END ";
    let Some(end) = text.windows(END.len()).position(|w| w == END) else {
        return text;
    };
    let line_end = text
        .iter()
        .skip(end)
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| end + i + 1);
    text.get(..line_end).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    /// An RSA SubjectPublicKeyInfo with modulus `n`, exponent `e` (big-endian magnitudes) and
    /// NULL parameters unless `params` says otherwise.
    fn rsa_spki(
        n: &[u8],
        e: &[u8],
        params: Option<der::asn1::Any>,
    ) -> spki::SubjectPublicKeyInfoOwned {
        let key = rsa::pkcs1::RsaPublicKey {
            modulus: der::asn1::UintRef::new(n).unwrap(),
            public_exponent: der::asn1::UintRef::new(e).unwrap(),
        };
        spki::SubjectPublicKeyInfoOwned {
            algorithm: spki::AlgorithmIdentifierOwned {
                oid: oid::RSA_ENCRYPTION,
                parameters: params,
            },
            subject_public_key: der::asn1::BitString::from_bytes(&key.to_der().unwrap()).unwrap(),
        }
    }

    #[test]
    fn authority_key_identifier_reads_the_key_id_and_checks_the_rest() {
        use x509_cert::ext::pkix::name::GeneralName;
        use x509_cert::ext::pkix::AuthorityKeyIdentifier;
        let issuer: Name = "CN=Example CA,O=Example,C=JP".parse().unwrap();
        let serial = x509_cert::serial_number::SerialNumber::new(&[1, 2, 3]).unwrap();
        let id = der::asn1::OctetString::new(vec![0xA5; 20]).unwrap();
        let well_formed = [
            AuthorityKeyIdentifier {
                key_identifier: Some(id.clone()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
            AuthorityKeyIdentifier {
                key_identifier: Some(id.clone()),
                authority_cert_issuer: Some(vec![GeneralName::DirectoryName(issuer.clone())]),
                authority_cert_serial_number: Some(serial.clone()),
            },
            AuthorityKeyIdentifier {
                key_identifier: None,
                authority_cert_issuer: Some(vec![GeneralName::DirectoryName(issuer)]),
                authority_cert_serial_number: Some(serial),
            },
        ];
        for aki in &well_formed {
            let der = aki.to_der().unwrap();
            let ours = authority_key_identifier(&der).unwrap();
            let theirs = AuthorityKeyIdentifier::from_der(&der)
                .unwrap()
                .key_identifier;
            assert_eq!(ours, theirs.map(|k| k.as_bytes().to_vec()));
        }
        // The signer certificate of the committed service fixture (the emulator's CA names the
        // key it signs with; the cert layer's tests do not use the emulator itself): the same
        // key id as x509-cert reads.
        {
            let cms_der = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/service/consent.der"
            ))
            .unwrap();
            let info = ::cms::content_info::ContentInfo::from_der(&cms_der).unwrap();
            let signed: ::cms::signed_data::SignedData = info.content.decode_as().unwrap();
            let mut compared = 0;
            for choice in signed.certificates.unwrap().0.iter() {
                let ::cms::cert::CertificateChoices::Certificate(cert) = choice else {
                    continue;
                };
                for ext in cert.tbs_certificate.extensions.iter().flatten() {
                    if ext.extn_id == ID_CE_AUTHORITY_KEY_IDENTIFIER {
                        let value = ext.extn_value.as_bytes();
                        let theirs = AuthorityKeyIdentifier::from_der(value).unwrap();
                        let ours = authority_key_identifier(value).unwrap();
                        assert!(ours.is_some());
                        assert_eq!(ours, theirs.key_identifier.map(|k| k.as_bytes().to_vec()));
                        compared += 1;
                    }
                }
            }
            assert_eq!(compared, 1);
        }
        let refused: [(&str, &[u8]); 7] = [
            ("not a sequence", &[0x31, 0x00]),
            (
                "issuer without serial",
                &[0x30, 0x04, 0xA1, 0x02, 0x30, 0x00],
            ),
            ("serial without issuer", &[0x30, 0x03, 0x82, 0x01, 0x01]),
            (
                "out of order",
                &[0x30, 0x06, 0x82, 0x01, 0x01, 0x80, 0x01, 0x01],
            ),
            (
                "repeated",
                &[0x30, 0x06, 0x80, 0x01, 0x01, 0x80, 0x01, 0x02],
            ),
            ("unknown field", &[0x30, 0x03, 0x83, 0x01, 0x01]),
            ("constructed key id", &[0x30, 0x04, 0xA0, 0x02, 0x04, 0x00]),
        ];
        for (what, der) in refused {
            assert!(authority_key_identifier(der).is_err(), "{what}");
        }
        // Long-form length where the short form fits: not DER.
        assert!(authority_key_identifier(&[0x30, 0x81, 0x03, 0x80, 0x01, 0x01]).is_err());
    }

    #[test]
    fn rsa_key_checks_agree_with_the_rsa_crate() {
        use rsa::pkcs8::DecodePublicKey;
        let null = Some(der::asn1::Any::from(der::asn1::Null));
        let mut n2048 = vec![0xC5; 256];
        n2048[255] = 0x01;
        let mut n4096 = vec![0x80; 512];
        n4096[511] = 0x03;
        let mut n4097 = vec![0x01; 513];
        n4097[512] = 0x03;
        let mut even = n2048.clone();
        even[255] = 0x02;
        let cases: Vec<(&str, spki::SubjectPublicKeyInfoOwned)> = vec![
            ("2048, 65537", rsa_spki(&n2048, &[1, 0, 1], null.clone())),
            ("4096, 3", rsa_spki(&n4096, &[3], null.clone())),
            ("4097 bits", rsa_spki(&n4097, &[1, 0, 1], null.clone())),
            ("even modulus", rsa_spki(&even, &[1, 0, 1], null.clone())),
            ("even exponent", rsa_spki(&n2048, &[1, 0, 2], null.clone())),
            ("exponent 1", rsa_spki(&n2048, &[1], null.clone())),
            (
                "exponent 2^33+1",
                rsa_spki(&n2048, &[2, 0, 0, 0, 1], null.clone()),
            ),
            (
                "exponent 2^33-1",
                rsa_spki(&n2048, &[1, 0xFF, 0xFF, 0xFF, 0xFF], null.clone()),
            ),
            (
                "exponent above the modulus",
                rsa_spki(&[0x0B], &[0x0D], null.clone()),
            ),
            (
                "exponent equal to the modulus",
                rsa_spki(&[0x0D], &[0x0D], null.clone()),
            ),
            (
                "exponent of 9 bytes",
                rsa_spki(&n2048, &[1, 0, 0, 0, 0, 0, 0, 0, 1], null.clone()),
            ),
            ("absent parameters", rsa_spki(&n2048, &[1, 0, 1], None)),
            (
                "OID parameters",
                rsa_spki(&n2048, &[1, 0, 1], Some(der::asn1::Any::from(oid::P256))),
            ),
        ];
        let mut accepted = Vec::new();
        for (what, spki) in cases {
            let theirs = rsa::RsaPublicKey::from_public_key_der(&spki.to_der().unwrap())
                .map(|k| k.n().bits());
            let ours = rsa_modulus_bits(&spki).ok();
            assert_eq!(ours, theirs.ok(), "{what}");
            accepted.push((what, ours));
        }
        // Both accept the well-formed keys (so the comparison is not between two refusals).
        assert_eq!(accepted[0], ("2048, 65537", Some(2048)));
        assert_eq!(accepted[1], ("4096, 3", Some(4096)));
        assert_eq!(accepted[7], ("exponent 2^33-1", Some(2048)));
    }

    // The roots compiled into the verifier (`src/verify/roots/`), read as files so the tests
    // check the very bytes the trust store embeds.
    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/verify/roots/");

    fn load(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{name}")).unwrap()
    }

    const PRODUCTION_SIGN: [&str; 3] = [
        "production/signca01.cer",
        "production/signca02.cer",
        "production/signca03.cer",
    ];
    const PRODUCTION_AUTH: [&str; 3] = [
        "production/authca01.cer",
        "production/authca02.cer",
        "production/authca03.cer",
    ];
    const TEST_SIGN: [&str; 2] = ["test/signca-test-2019.cer", "test/signca-test-2024.cer"];
    const TEST_AUTH: [&str; 2] = ["test/authca-test-2019.cer", "test/authca-test-2023.cer"];

    #[test]
    fn size_caps_before_decoding() {
        use crate::cert::{MAX_CERTIFICATE_SIZE, MAX_PEM_SIZE};
        // DER over the cap: refused by its size, before the DER header is even read.
        let huge = vec![0x30; MAX_CERTIFICATE_SIZE + 1];
        assert_eq!(
            JpkiCertificate::from_der(&huge).err(),
            Some(CertError::TooLarge {
                size: MAX_CERTIFICATE_SIZE + 1,
                max: MAX_CERTIFICATE_SIZE
            })
        );
        assert!(matches!(
            JpkiCertificate::from_pem_or_der(&huge),
            Err(CertError::TooLarge { .. })
        ));
        // At the cap it is decoded (and refused for what it is).
        assert!(!matches!(
            JpkiCertificate::from_der(&huge[1..]),
            Err(CertError::TooLarge { .. })
        ));
        // A real certificate, as DER and as PEM padded past the PEM cap.
        let der = load(PRODUCTION_SIGN[0]);
        assert!(der.len() < MAX_CERTIFICATE_SIZE / 8);
        let pem = JpkiCertificate::from_der(&der).unwrap().to_pem();
        assert!(JpkiCertificate::from_pem_or_der(pem.as_bytes()).is_ok());
        let mut padded = pem.into_bytes();
        padded.resize(MAX_PEM_SIZE + 1, b'\n');
        assert_eq!(
            JpkiCertificate::from_pem_or_der(&padded).err(),
            Some(CertError::TooLarge {
                size: MAX_PEM_SIZE + 1,
                max: MAX_PEM_SIZE
            })
        );
    }

    #[test]
    fn real_roots() {
        for (files, kind) in [
            (&PRODUCTION_SIGN[..], CertificateKind::SignatureCa),
            (&PRODUCTION_AUTH[..], CertificateKind::AuthenticationCa),
            (&TEST_SIGN[..], CertificateKind::SignatureCa),
            (&TEST_AUTH[..], CertificateKind::AuthenticationCa),
        ] {
            for f in files {
                let der = load(f);
                let c = JpkiCertificate::from_der(&der).unwrap();
                assert_eq!(c.kind(), kind, "{f}");
                assert!(c.is_ca());
                assert!(c.is_self_signed(), "{f}");
                assert_eq!(c.key(), KeyInfo::Rsa { bits: 2048 });
                assert_eq!(
                    c.rsa_public_key().unwrap().e(),
                    &rsa::BigUint::from(65537u32)
                );
                let ku = c.key_usage().unwrap();
                assert!(ku.key_cert_sign && ku.crl_sign && ku.critical);
                assert!(!ku.digital_signature && !ku.non_repudiation);
                assert!(c.signature_attributes().is_none());
                assert!(c.subject_key_identifier().is_some_and(|k| k.len() == 20));
                assert_eq!(c.subject(), c.issuer());
                assert!(c.subject().starts_with(
                    "OU=Japan Agency for Local Authority Information Systems,OU=JPKI for "
                ));
                assert_eq!(c.der(), &der[..]);
                assert!(c.not_before() < c.not_after());
            }
        }
        let c = JpkiCertificate::from_der(&load("production/signca03.cer")).unwrap();
        assert_eq!(c.issuance_number(), "067C6A21");
        assert_eq!(c.serial_bytes(), &[0x06, 0x7C, 0x6A, 0x21]);
        assert_eq!(
            c.subject(),
            "OU=Japan Agency for Local Authority Information Systems,\
             OU=JPKI for digital signature,O=JPKI,C=JP"
        );
        assert_eq!(c.not_after_date_jst(), Date::new(2033, 7, 15).unwrap());
        assert_eq!(c.not_before_date_jst(), Date::new(2023, 7, 16).unwrap());
        assert_eq!(c.not_after().hour(), 14);
        let c1 = JpkiCertificate::from_der(&load("production/authca01.cer")).unwrap();
        assert_eq!(c1.issuance_number(), "01");
        let t = JpkiCertificate::from_der(&load("test/authca-test-2019.cer")).unwrap();
        assert_eq!(t.issuance_number(), "BFCD");
        assert_eq!(t.serial_bytes(), &[0x00, 0xBF, 0xCD]);
    }

    #[test]
    fn generations_share_a_name_but_not_a_key() {
        let g2 = JpkiCertificate::from_der(&load("production/signca02.cer")).unwrap();
        let g3 = JpkiCertificate::from_der(&load("production/signca03.cer")).unwrap();
        let a3 = JpkiCertificate::from_der(&load("production/authca03.cer")).unwrap();
        let t = JpkiCertificate::from_der(&load("test/signca-test-2024.cer")).unwrap();
        assert_eq!(g2.verify_issued_by(&g3), Err(CertError::SignatureInvalid));
        assert_eq!(g3.verify_issued_by(&a3), Err(CertError::IssuerMismatch));
        assert_eq!(g3.verify_issued_by(&t), Err(CertError::IssuerMismatch));
        assert_ne!(g2, g3);
    }

    #[test]
    fn pem_and_debug() {
        let der = load("production/signca03.cer");
        let c = JpkiCertificate::from_der(&der).unwrap();
        let pem = c.to_pem();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        let back = JpkiCertificate::from_pem_or_der(format!("\n  {pem}").as_bytes()).unwrap();
        assert_eq!(back, c);
        assert_eq!(JpkiCertificate::from_pem_or_der(&der).unwrap(), c);
        let wrong = pem.replace("CERTIFICATE", "PUBLIC KEY");
        assert!(matches!(
            JpkiCertificate::from_pem_or_der(wrong.as_bytes()),
            Err(CertError::Pem(_))
        ));
        let dbg = format!("{c:?}");
        assert_eq!(
            dbg,
            "JpkiCertificate { kind: SignatureCa, issuance_number: \"067C6A21\", .. }"
        );
    }

    #[test]
    fn trailing_data_and_not_a_certificate() {
        let mut der = load("production/signca03.cer");
        der.extend_from_slice(&[0xFF; 7]);
        assert_eq!(
            JpkiCertificate::from_der(&der),
            Err(CertError::TrailingData { extra: 7 })
        );
        // A well-formed DER value that is not a certificate.
        let not_cert = der::asn1::OctetString::new(vec![1, 2, 3])
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(
            JpkiCertificate::from_der(&not_cert),
            Err(CertError::NotCertificate)
        );
        assert!(matches!(
            JpkiCertificate::from_der(&[]),
            Err(CertError::Malformed(_))
        ));
    }

    #[test]
    fn every_truncation_fails() {
        for f in ["production/signca03.cer", "test/authca-test-2023.cer"] {
            let der = load(f);
            for n in 0..der.len() {
                assert!(
                    JpkiCertificate::from_der(&der[..n]).is_err(),
                    "{f} prefix {n}"
                );
                assert!(JpkiCertificate::from_pem_or_der(&der[..n]).is_err());
            }
        }
    }

    #[test]
    fn structural_damage_fails() {
        let der = load("production/signca03.cer");
        // Offsets of structural tags (see `openssl asn1parse`): Certificate, TBS, version,
        // serial, algorithm, validity, SPKI, extensions, signature algorithm, signature.
        for at in [
            0, 4, 8, 10, 13, 19, 21, 34, 165, 167, 197, 328, 332, 347, 622, 626,
        ] {
            for x in [0x01, 0x20, 0x80, 0xFF] {
                let mut bad = der.clone();
                bad[at] ^= x;
                assert!(
                    JpkiCertificate::from_der(&bad).is_err(),
                    "tag at {at} ^ {x:#x}"
                );
            }
        }
        // Bad lengths: outer and TBS length headers.
        for (at, v) in [
            (1, 0x80),
            (1, 0x83),
            (1, 0x84),
            (1, 0x81),
            (3, 0x15),
            (3, 0x13),
        ] {
            let mut bad = der.clone();
            bad[at] = v;
            assert!(
                JpkiCertificate::from_der(&bad).is_err(),
                "length at {at} = {v:#x}"
            );
        }
        for at in [5, 6, 7, 9, 11, 14] {
            for delta in [1u8, 0xFF] {
                let mut bad = der.clone();
                bad[at] = bad[at].wrapping_add(delta);
                assert!(JpkiCertificate::from_der(&bad).is_err(), "length at {at}");
            }
        }
    }

    #[test]
    fn any_single_byte_change_never_panics_and_breaks_the_signature() {
        let der = load("production/authca02.cer");
        let root = JpkiCertificate::from_der(&der).unwrap();
        for at in 0..der.len() {
            for x in [0x01, 0x80] {
                let mut bad = der.clone();
                bad[at] ^= x;
                if let Ok(c) = JpkiCertificate::from_der(&bad) {
                    assert!(c.verify_issued_by(&root).is_err(), "byte {at} ^ {x:#x}");
                }
            }
        }
    }
}
