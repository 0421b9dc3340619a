//! The result types that hold personal data. Each is an object with accessors, whose every
//! printed form (Kotlin `toString`, Swift `description`, Python `str`/`repr`, Rust `Debug`)
//! names only what kind of thing it is: never a name, address, date of birth, identifier,
//! certificate subject or signed content. Read values through the accessors, and do not log
//! them.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use mynasign::attributes::BasicFourAttributes;
use mynasign::cert::JpkiCertificate;
use mynasign::consent;
use mynasign::date::Date;

use crate::error::MynaError;
use crate::records::*;

/// The basic four attributes (基本4情報).
#[derive(Clone, PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq)]
pub struct BasicAttributes {
    pub(crate) inner: BasicFourAttributes,
}

impl fmt::Debug for BasicAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BasicAttributes(<personal data redacted>)")
    }
}

impl fmt::Display for BasicAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[uniffi::export]
impl BasicAttributes {
    /// Attributes from their values (`date_of_birth` as `YYYY-MM-DD`), for example to submit
    /// what the app read earlier.
    #[uniffi::constructor]
    pub fn new(
        name: String,
        address: String,
        date_of_birth: String,
        sex: Sex,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Arc::new(Self {
            inner: BasicFourAttributes {
                name,
                address,
                date_of_birth: Date::parse_iso(&date_of_birth)
                    .map_err(|_| MynaError::invalid_input("date_of_birth"))?,
                sex: sex.into(),
            },
        }))
    }

    /// Name; family and given name separated by U+3000.
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// Address, exactly as the card holds it.
    pub fn address(&self) -> String {
        self.inner.address.clone()
    }

    /// Date of birth (a calendar date), `YYYY-MM-DD`.
    pub fn date_of_birth(&self) -> String {
        self.inner.date_of_birth.to_string()
    }

    /// Sex.
    pub fn sex(&self) -> Sex {
        self.inner.sex.into()
    }
}

impl BasicAttributes {
    pub(crate) fn shared(a: &BasicFourAttributes) -> Arc<Self> {
        Arc::new(Self { inner: a.clone() })
    }
}

/// A certificate read from a card, or the signer of a consent.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Certificate {
    pub(crate) inner: JpkiCertificate,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Certificate({:?}, <subject and serial redacted>)",
            CertificateKind::from(self.inner.kind())
        )
    }
}

impl fmt::Display for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl Certificate {
    pub(crate) fn shared(c: &JpkiCertificate) -> Arc<Self> {
        Arc::new(Self { inner: c.clone() })
    }
}

#[uniffi::export]
impl Certificate {
    /// Parses a certificate (DER).
    #[uniffi::constructor]
    pub fn from_der(der: Vec<u8>) -> Result<Arc<Self>, MynaError> {
        let inner = JpkiCertificate::from_der(&der).map_err(mynasign::Error::from)?;
        Ok(Arc::new(Self { inner }))
    }

    /// The DER.
    pub fn der(&self) -> Vec<u8> {
        self.inner.der().to_vec()
    }

    /// Its kind.
    pub fn kind(&self) -> CertificateKind {
        self.inner.kind().into()
    }

    /// The issuance number (発行番号): the serial number, uppercase hex.
    pub fn issuance_number(&self) -> String {
        self.inner.issuance_number()
    }

    /// Subject (RFC 4514 text; for an end-entity certificate it names the holder's
    /// municipality).
    pub fn subject(&self) -> String {
        self.inner.subject()
    }

    /// Issuer (RFC 4514 text).
    pub fn issuer(&self) -> String {
        self.inner.issuer()
    }

    /// Start of validity.
    pub fn not_before(&self) -> SystemTime {
        self.inner.not_before().to_system_time()
    }

    /// End of validity.
    pub fn not_after(&self) -> SystemTime {
        self.inner.not_after().to_system_time()
    }

    /// The holder's basic four attributes (signature certificates only).
    pub fn attributes(&self) -> Option<Arc<BasicAttributes>> {
        self.inner
            .signature_attributes()
            .map(|s| BasicAttributes::shared(&s.attributes))
    }

    /// Substitute-character flags of the name (one digit per character).
    pub fn name_substitute_flags(&self) -> Option<String> {
        self.inner
            .signature_attributes()
            .map(|s| s.name_substitute_flags.clone())
    }

    /// Substitute-character flags of the address.
    pub fn address_substitute_flags(&self) -> Option<String> {
        self.inner
            .signature_attributes()
            .map(|s| s.address_substitute_flags.clone())
    }

    /// PEM.
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }
}

/// The kind of a consent document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DocumentKind {
    /// 住所変更ワンストップサービス等の利用開始 (consent).
    AddressChange,
    /// 同意の取消 (revocation of a consent).
    Revocation,
    /// 本籍のオンライン変更 (domicile change submission).
    DomicileChange,
    /// マイナポータル連携 (linkage submission).
    MynaportalLinkage,
}

/// The fields of an address-change consent (none of them personal).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AddressChangeFields {
    /// The items consented to.
    pub items: Vec<ConsentItem>,
    /// The holder's status.
    pub holder_status: HolderStatus,
    /// The terms shown.
    pub terms: TermsInfo,
    /// Where.
    pub channel: ConsentChannel,
}

/// The fields of a revocation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RevocationFields {
    /// The nonce / transaction id of the consent revoked.
    pub consent_nonce: String,
    /// Its content SHA-256 (lowercase hex), if known.
    pub consent_sha256_hex: Option<String>,
    /// Where.
    pub channel: ConsentChannel,
}

/// A consent document: built with one of the constructors to be signed, or decoded from a
/// consent that verified.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct ConsentDocument {
    pub(crate) inner: consent::Document,
}

impl fmt::Debug for ConsentDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConsentDocument({:?}, <content redacted>)", self.kind())
    }
}

impl fmt::Display for ConsentDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

fn hex32(s: &str, field: &'static str) -> Result<[u8; 32], MynaError> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return Err(MynaError::invalid_input(field));
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        let s = core::str::from_utf8(pair).map_err(|_| MynaError::invalid_input(field))?;
        out[i] = u8::from_str_radix(s, 16).map_err(|_| MynaError::invalid_input(field))?;
    }
    Ok(out)
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn timestamp(t: Option<SystemTime>) -> Result<consent::Timestamp, MynaError> {
    match t {
        None => Ok(consent::Timestamp::now()),
        Some(t) => {
            let secs = t
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_err(|_| MynaError::invalid_input("timestamp"))?
                .as_secs();
            let secs = i64::try_from(secs).map_err(|_| MynaError::invalid_input("timestamp"))?;
            consent::Timestamp::from_unix_seconds(secs).map_err(MynaError::from)
        }
    }
}

fn system_time(t: consent::Timestamp) -> SystemTime {
    let s = t.unix_seconds();
    if s >= 0 {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s as u64)
    } else {
        SystemTime::UNIX_EPOCH
    }
}

fn terms(t: &consent::Terms) -> TermsInfo {
    TermsInfo {
        id: t.id().to_string(),
        version: t.version().to_string(),
        sha256_hex: hex(t.sha256()),
    }
}

impl ConsentDocument {
    pub(crate) fn shared(d: consent::Document) -> Arc<Self> {
        Arc::new(Self { inner: d })
    }
}

#[uniffi::export]
impl ConsentDocument {
    /// The address-change one-stop consent. `timestamp`: the client's clock; `null`: now.
    #[uniffi::constructor(default(timestamp = None))]
    pub fn address_change(
        items: Vec<ConsentItem>,
        holder_status: HolderStatus,
        terms: TermsInfo,
        channel: ConsentChannel,
        nonce: String,
        timestamp: Option<SystemTime>,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Self::shared(consent::Document::AddressChangeConsent(
            consent::AddressChangeConsent {
                items: consent::ConsentItems::new(
                    &items.iter().map(|&i| i.into()).collect::<Vec<_>>(),
                )?,
                holder_status: holder_status.into(),
                terms: consent::Terms::from_digest(
                    terms.id,
                    terms.version,
                    hex32(&terms.sha256_hex, "terms.sha256_hex")?,
                )?,
                channel: channel.into(),
                nonce: consent::Nonce::new(nonce)?,
                timestamp: self::timestamp(timestamp)?,
            },
        )))
    }

    /// The revocation of a consent.
    #[uniffi::constructor(default(consent_sha256_hex = None, timestamp = None))]
    pub fn revocation(
        consent_nonce: String,
        channel: ConsentChannel,
        nonce: String,
        consent_sha256_hex: Option<String>,
        timestamp: Option<SystemTime>,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Self::shared(consent::Document::ConsentRevocation(
            consent::ConsentRevocation {
                consent: consent::ConsentReference {
                    nonce: consent::Nonce::new(consent_nonce)?,
                    sha256: consent_sha256_hex
                        .as_deref()
                        .map(|h| hex32(h, "consent_sha256_hex"))
                        .transpose()?,
                },
                channel: channel.into(),
                nonce: consent::Nonce::new(nonce)?,
                timestamp: self::timestamp(timestamp)?,
            },
        )))
    }

    /// The domicile-change submission: the 戸籍電子証明書提供用識別符号 (through Mynaportal).
    #[uniffi::constructor(default(timestamp = None))]
    pub fn domicile_change(
        identifier: String,
        first_submission: bool,
        nonce: String,
        timestamp: Option<SystemTime>,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Self::shared(consent::Document::DomicileChangeSubmission(
            consent::DomicileChangeSubmission {
                identifier: consent::FamilyRegisterCertificateId::new(identifier)?,
                first_submission,
                channel: consent::Channel::Mynaportal,
                nonce: consent::Nonce::new(nonce)?,
                timestamp: self::timestamp(timestamp)?,
            },
        )))
    }

    /// The Mynaportal linkage submission: the attributes read from the card-info application.
    #[uniffi::constructor(default(timestamp = None))]
    pub fn mynaportal_linkage(
        attributes: Arc<BasicAttributes>,
        nonce: String,
        timestamp: Option<SystemTime>,
    ) -> Result<Arc<Self>, MynaError> {
        Ok(Self::shared(
            consent::Document::MynaportalLinkageSubmission(consent::MynaportalLinkageSubmission {
                attributes: attributes.inner.clone(),
                channel: consent::Channel::Mynaportal,
                nonce: consent::Nonce::new(nonce)?,
                timestamp: self::timestamp(timestamp)?,
            }),
        ))
    }

    /// Which document.
    pub fn kind(&self) -> DocumentKind {
        match &self.inner {
            consent::Document::AddressChangeConsent(_) => DocumentKind::AddressChange,
            consent::Document::ConsentRevocation(_) => DocumentKind::Revocation,
            consent::Document::DomicileChangeSubmission(_) => DocumentKind::DomicileChange,
            consent::Document::MynaportalLinkageSubmission(_) => DocumentKind::MynaportalLinkage,
        }
    }

    /// The receiving service's nonce or transaction id.
    pub fn nonce(&self) -> String {
        match &self.inner {
            consent::Document::AddressChangeConsent(c) => c.nonce.as_str().to_string(),
            consent::Document::ConsentRevocation(r) => r.nonce.as_str().to_string(),
            consent::Document::DomicileChangeSubmission(s) => s.nonce.as_str().to_string(),
            consent::Document::MynaportalLinkageSubmission(l) => l.nonce.as_str().to_string(),
        }
    }

    /// The client's clock when the document was made.
    pub fn timestamp(&self) -> SystemTime {
        system_time(match &self.inner {
            consent::Document::AddressChangeConsent(c) => c.timestamp,
            consent::Document::ConsentRevocation(r) => r.timestamp,
            consent::Document::DomicileChangeSubmission(s) => s.timestamp,
            consent::Document::MynaportalLinkageSubmission(l) => l.timestamp,
        })
    }

    /// The channel.
    pub fn channel(&self) -> ConsentChannel {
        match &self.inner {
            consent::Document::AddressChangeConsent(c) => c.channel.into(),
            consent::Document::ConsentRevocation(r) => r.channel.into(),
            consent::Document::DomicileChangeSubmission(s) => s.channel.into(),
            consent::Document::MynaportalLinkageSubmission(l) => l.channel.into(),
        }
    }

    /// The address-change fields, for that kind.
    pub fn address_change_fields(&self) -> Option<AddressChangeFields> {
        match &self.inner {
            consent::Document::AddressChangeConsent(c) => Some(AddressChangeFields {
                items: c.items.iter().map(Into::into).collect(),
                holder_status: c.holder_status.into(),
                terms: terms(&c.terms),
                channel: c.channel.into(),
            }),
            _ => None,
        }
    }

    /// The revocation fields, for that kind.
    pub fn revocation_fields(&self) -> Option<RevocationFields> {
        match &self.inner {
            consent::Document::ConsentRevocation(r) => Some(RevocationFields {
                consent_nonce: r.consent.nonce.as_str().to_string(),
                consent_sha256_hex: r.consent.sha256.map(|h| hex(&h)),
                channel: r.channel.into(),
            }),
            _ => None,
        }
    }

    /// The domicile-change identifier (personal: do not log it), for that kind.
    pub fn domicile_change_identifier(&self) -> Option<String> {
        match &self.inner {
            consent::Document::DomicileChangeSubmission(s) => {
                Some(s.identifier.as_str().to_string())
            }
            _ => None,
        }
    }

    /// Whether a domicile-change submission is the first one, for that kind.
    pub fn domicile_change_first_submission(&self) -> Option<bool> {
        match &self.inner {
            consent::Document::DomicileChangeSubmission(s) => Some(s.first_submission),
            _ => None,
        }
    }

    /// The linkage attributes, for that kind.
    pub fn linkage_attributes(&self) -> Option<Arc<BasicAttributes>> {
        match &self.inner {
            consent::Document::MynaportalLinkageSubmission(l) => {
                Some(BasicAttributes::shared(&l.attributes))
            }
            _ => None,
        }
    }

    /// The canonical JSON that is signed (personal for a linkage or domicile change: do not
    /// log it).
    pub fn to_json(&self) -> String {
        String::from_utf8_lossy(&self.inner.encode()).into_owned()
    }
}

/// A consent signed on a card or by an app key.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct SignedConsent {
    pub(crate) cms: Vec<u8>,
    pub(crate) document: Arc<ConsentDocument>,
    pub(crate) certificate: Arc<Certificate>,
    pub(crate) source: CertificateSource,
    pub(crate) counts: ExchangeCounts,
}

impl fmt::Debug for SignedConsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SignedConsent({:?}, {:?}, {} bytes, <content redacted>)",
            self.document.kind(),
            self.source,
            self.cms.len()
        )
    }
}

impl fmt::Display for SignedConsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl SignedConsent {
    pub(crate) fn from_core(
        signed: mynasign::flow::SignedConsent,
        document: consent::Document,
    ) -> Arc<Self> {
        Arc::new(Self {
            cms: signed.cms,
            document: ConsentDocument::shared(document),
            certificate: Certificate::shared(&signed.certificate),
            source: signed.source.into(),
            counts: signed.stats.into(),
        })
    }
}

#[uniffi::export]
impl SignedConsent {
    /// The CMS `SignedData` (DER, CAdES-BES): what the app submits.
    pub fn cms(&self) -> Vec<u8> {
        self.cms.clone()
    }

    /// The document that was signed.
    pub fn document(&self) -> Arc<ConsentDocument> {
        self.document.clone()
    }

    /// The signed content: the document's canonical JSON.
    pub fn document_json(&self) -> String {
        self.document.to_json()
    }

    /// The signer certificate.
    pub fn certificate(&self) -> Arc<Certificate> {
        self.certificate.clone()
    }

    /// Card or smartphone.
    pub fn source(&self) -> CertificateSource {
        self.source
    }

    /// Exchanges with the card (zero for a keystore signer).
    pub fn counts(&self) -> ExchangeCounts {
        self.counts
    }
}

/// A consent that verified.
#[cfg(feature = "verify")]
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct VerifiedConsent {
    pub(crate) document: Arc<ConsentDocument>,
    pub(crate) signer: Arc<Certificate>,
    pub(crate) source: Option<CertificateSource>,
    pub(crate) signing_time: SystemTime,
    pub(crate) received_at: SystemTime,
    pub(crate) revocation: RevocationInfo,
    pub(crate) consent_id: String,
}

#[cfg(feature = "verify")]
impl fmt::Debug for VerifiedConsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VerifiedConsent({:?}, {:?}, revocation {:?}, <content redacted>)",
            self.document.kind(),
            self.source,
            self.revocation.method
        )
    }
}

#[cfg(feature = "verify")]
impl fmt::Display for VerifiedConsent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(feature = "verify")]
impl VerifiedConsent {
    pub(crate) fn from_core(v: mynasign::verify::VerifiedConsent) -> Arc<Self> {
        let consent_id = v.consent_id();
        Arc::new(Self {
            document: ConsentDocument::shared(v.document),
            signer: Certificate::shared(&v.signature.certificate),
            source: v.source.map(Into::into),
            signing_time: v.signature.signing_time,
            received_at: v.signature.evaluated_at,
            revocation: (&v.signature.revocation).into(),
            consent_id,
        })
    }
}

#[cfg(feature = "verify")]
#[uniffi::export]
impl VerifiedConsent {
    /// The document, decoded.
    pub fn document(&self) -> Arc<ConsentDocument> {
        self.document.clone()
    }

    /// The signed content: the document's canonical JSON.
    pub fn document_json(&self) -> String {
        self.document.to_json()
    }

    /// A stable identifier of what was signed (64 lowercase hex digits: the SHA-256 of the
    /// signed attributes, which bind the content, the certificate and the signing time), for
    /// a service to deduplicate on: the same for every submission of the same signed consent,
    /// whatever else differs in its CMS bytes.
    pub fn consent_id(&self) -> String {
        self.consent_id.clone()
    }

    /// The signer certificate.
    pub fn signer(&self) -> Arc<Certificate> {
        self.signer.clone()
    }

    /// The issuance number (発行番号) of the signer certificate: its serial number, uppercase
    /// hex, what a receiving service passes on with the consent (`signer().issuance_number()`).
    /// It identifies the holder's certificate, so the printed forms leave it out.
    pub fn issuance_number(&self) -> String {
        self.signer.inner.issuance_number()
    }

    /// Card or smartphone; `null` when the certificate's policy is neither a known card
    /// policy nor the smartphone one (only channel rules that accept either passed).
    pub fn source(&self) -> Option<CertificateSource> {
        self.source
    }

    /// The signing-time attribute.
    pub fn signing_time(&self) -> SystemTime {
        self.signing_time
    }

    /// The receipt time validity and revocation were judged at.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// How revocation was established.
    pub fn revocation(&self) -> RevocationInfo {
        self.revocation.clone()
    }
}

/// The outcome of the Mynaportal linkage check on a card. A record that holds an object (the
/// attributes), so it lives beside the objects: `records` holds plain values only and uses no
/// other module of this crate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LinkageResult {
    /// The attributes read from the card-info application (redacted when printed): what the
    /// linkage submission carries.
    pub attributes: Arc<BasicAttributes>,
    /// The fields in which the card-info attributes differ from the signature
    /// certificate's; empty: the same person.
    pub differing_fields: Vec<AttributeField>,
    /// Exchanges with the card.
    pub counts: ExchangeCounts,
}
