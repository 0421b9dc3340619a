//! ESS signing-certificate-v2 (RFC 5035), the attribute that makes a CMS signature CAdES-BES:
//! it binds the signer certificate (by its SHA-256 hash) into what was signed.

use der::asn1::OctetString;
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// `id-aa-signingCertificateV2`.
pub const ID_AA_SIGNING_CERTIFICATE_V2: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// ```text
/// SigningCertificateV2 ::= SEQUENCE {
///     certs        SEQUENCE OF ESSCertIDv2,
///     policies     SEQUENCE OF PolicyInformation OPTIONAL }
/// ```
/// (policies are never produced; when present they are skipped.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    /// The certificates; the first is the signer's.
    pub certs: Vec<EssCertIdV2>,
    /// Policies (not used by this library).
    #[asn1(optional = "true")]
    pub policies: Option<der::Any>,
}

/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm  AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash       OCTET STRING,
///     issuerSerial   IssuerSerial OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Absent means SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// The hash of the whole certificate DER.
    pub cert_hash: OctetString,
    /// The certificate's issuer and serial.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// ```text
/// IssuerSerial ::= SEQUENCE {
///     issuer         GeneralNames,
///     serialNumber   CertificateSerialNumber }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    /// The issuer, as a directory name.
    pub issuer: GeneralNames,
    /// The serial number.
    pub serial_number: SerialNumber,
}

/// `id-aa-contentHint` (RFC 2634 2.9).
pub const ID_AA_CONTENT_HINT: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.4");

/// ```text
/// ContentHints ::= SEQUENCE {
///     contentDescription UTF8String (SIZE (1..MAX)) OPTIONAL,
///     contentType ContentType }
/// ```
/// Signed with every consent, naming the consent media type: it binds the signature to its
/// purpose, so a CAdES signature made over the same bytes for another purpose does not pass
/// for a consent.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct ContentHints {
    /// A description of the content: for a consent, its media type.
    #[asn1(optional = "true")]
    pub content_description: Option<String>,
    /// The content type (`id-data` for a consent).
    pub content_type: der::oid::ObjectIdentifier,
}

/// [`SigningCertificateV2`] as read by a verifier: borrowed from the received bytes, the
/// issuer left undecoded ([`IssuerSerialRef`]), so that the common case (one directory name,
/// the signer certificate's issuer) is a byte comparison instead of a name decode.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct SigningCertificateV2Ref<'a> {
    /// The certificates; the first is the signer's.
    pub certs: Vec<EssCertIdV2Ref<'a>>,
    /// Policies (not used).
    #[asn1(optional = "true")]
    pub policies: Option<der::asn1::AnyRef<'a>>,
}

/// [`EssCertIdV2`], borrowed.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct EssCertIdV2Ref<'a> {
    /// Absent means SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<spki::AlgorithmIdentifierRef<'a>>,
    /// The hash of the whole certificate DER.
    pub cert_hash: der::asn1::OctetStringRef<'a>,
    /// The certificate's issuer and serial.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerialRef<'a>>,
}

/// [`IssuerSerial`], its `GeneralNames` as received (a `SEQUENCE OF GeneralName`).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(crate) struct IssuerSerialRef<'a> {
    /// The issuer's `GeneralNames`, undecoded.
    pub issuer: der::asn1::AnyRef<'a>,
    /// The serial number.
    pub serial_number: SerialNumber,
}
