//! Records and enums that cross the FFI, with conversions from the core's types.

use std::sync::Arc;

use mynasign::attributes::{BasicFourAttributes, Sex as CoreSex};
use mynasign::card::ExchangeStats;
use mynasign::cert::{CertificateKind as CoreKind, JpkiCertificate};
use mynasign::consent;
use mynasign::date::Date;
use mynasign::jpki::{CertificateSlot, Profile};
use mynasign::pin::{PinKind, PinStatus};

use crate::error::MynaError;

/// Which PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PinType {
    /// 署名用電子証明書用暗証番号: 6 to 16 of A-Z and 0-9, 5 attempts.
    SignaturePassword,
    /// 利用者証明用電子証明書用暗証番号: 4 digits, 3 attempts.
    AuthenticationPin,
    /// 券面事項入力補助用暗証番号: 4 digits, 3 attempts.
    CardInfoPin,
}

impl From<PinType> for PinKind {
    fn from(p: PinType) -> Self {
        match p {
            PinType::SignaturePassword => PinKind::SignaturePassword,
            PinType::AuthenticationPin => PinKind::AuthenticationPin,
            PinType::CardInfoPin => PinKind::CardInfoPin,
        }
    }
}

impl From<PinKind> for PinType {
    fn from(p: PinKind) -> Self {
        match p {
            PinKind::SignaturePassword => PinType::SignaturePassword,
            PinKind::AuthenticationPin => PinType::AuthenticationPin,
            PinKind::CardInfoPin => PinType::CardInfoPin,
        }
    }
}

/// A PIN's retry counter, read without spending an attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PinState {
    /// Which PIN.
    pub pin: PinType,
    /// Attempts left.
    pub remaining: u8,
    /// Attempts when fresh (5 or 3).
    pub max_attempts: u8,
    /// Locked: only a municipal office or a convenience-store kiosk can reset it.
    pub blocked: bool,
    /// The next wrong entry locks it: show a clear warning before VERIFY.
    pub last_attempt: bool,
}

impl From<PinStatus> for PinState {
    fn from(s: PinStatus) -> Self {
        Self {
            pin: s.kind.into(),
            remaining: s.remaining,
            max_attempts: s.max_attempts(),
            blocked: s.is_blocked(),
            last_attempt: s.is_last_attempt(),
        }
    }
}

/// What answered as the JPKI application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CardProfile {
    /// A My Number Card.
    MyNumberCard,
    /// The older resident registry card.
    LegacyResidentCard,
    /// An Android smartphone certificate (secure element).
    AndroidSmartphone,
    /// An iPhone smartphone certificate.
    IPhone,
}

impl From<Profile> for CardProfile {
    fn from(p: Profile) -> Self {
        match p {
            Profile::MyNumberCard => CardProfile::MyNumberCard,
            Profile::LegacyResidentCard => CardProfile::LegacyResidentCard,
            Profile::AndroidSmartphone => CardProfile::AndroidSmartphone,
            Profile::IPhone => CardProfile::IPhone,
        }
    }
}

impl From<CardProfile> for Profile {
    fn from(p: CardProfile) -> Self {
        match p {
            CardProfile::MyNumberCard => Profile::MyNumberCard,
            CardProfile::LegacyResidentCard => Profile::LegacyResidentCard,
            CardProfile::AndroidSmartphone => Profile::AndroidSmartphone,
            CardProfile::IPhone => Profile::IPhone,
        }
    }
}

/// A certificate file on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CertificateType {
    /// The signature certificate (needs the signature password).
    Signature,
    /// Its issuing CA.
    SignatureCa,
    /// The user-authentication certificate.
    Authentication,
    /// Its issuing CA.
    AuthenticationCa,
}

impl From<CertificateType> for CertificateSlot {
    fn from(c: CertificateType) -> Self {
        match c {
            CertificateType::Signature => CertificateSlot::Signature,
            CertificateType::SignatureCa => CertificateSlot::SignatureCa,
            CertificateType::Authentication => CertificateSlot::Authentication,
            CertificateType::AuthenticationCa => CertificateSlot::AuthenticationCa,
        }
    }
}

/// Sex as recorded on the residence record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
    /// Not applicable.
    NotApplicable,
    /// Unknown.
    Unknown,
}

impl From<CoreSex> for Sex {
    fn from(s: CoreSex) -> Self {
        match s {
            CoreSex::Male => Sex::Male,
            CoreSex::Female => Sex::Female,
            CoreSex::NotApplicable => Sex::NotApplicable,
            CoreSex::Unknown => Sex::Unknown,
        }
    }
}

impl From<Sex> for CoreSex {
    fn from(s: Sex) -> Self {
        match s {
            Sex::Male => CoreSex::Male,
            Sex::Female => CoreSex::Female,
            Sex::NotApplicable => CoreSex::NotApplicable,
            Sex::Unknown => CoreSex::Unknown,
        }
    }
}

/// The basic four attributes (基本4情報). An object rather than a record, so that printing it
/// (Kotlin `toString`, Swift `description`, Python `repr`) never shows the personal data: read
/// the values through the accessors, and do not log them.
#[derive(Clone, PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq)]
pub struct BasicAttributes {
    pub(crate) inner: BasicFourAttributes,
}

impl core::fmt::Debug for BasicAttributes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BasicAttributes(<personal data redacted>)")
    }
}

impl core::fmt::Display for BasicAttributes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BasicAttributes(<personal data redacted>)")
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

    /// Date of birth, `YYYY-MM-DD`.
    pub fn date_of_birth(&self) -> String {
        self.inner.date_of_birth.to_string()
    }

    /// Sex.
    pub fn sex(&self) -> Sex {
        self.inner.sex.into()
    }
}

impl BasicAttributes {
    /// Shares a copy of core attributes across the FFI.
    pub(crate) fn shared(a: &BasicFourAttributes) -> Arc<Self> {
        Arc::new(Self { inner: a.clone() })
    }
}

/// The kind of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CertificateKind {
    /// 署名用電子証明書.
    Signature,
    /// 利用者証明用電子証明書.
    Authentication,
    /// The CA of signature certificates.
    SignatureCa,
    /// The CA of authentication certificates.
    AuthenticationCa,
    /// Anything else.
    Other,
}

impl From<CoreKind> for CertificateKind {
    fn from(k: CoreKind) -> Self {
        match k {
            CoreKind::Signature => CertificateKind::Signature,
            CoreKind::Authentication => CertificateKind::Authentication,
            CoreKind::SignatureCa => CertificateKind::SignatureCa,
            CoreKind::AuthenticationCa => CertificateKind::AuthenticationCa,
            _ => CertificateKind::Other,
        }
    }
}

/// A certificate, as the typed JPKI view.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CertificateInfo {
    /// The DER.
    pub der: Vec<u8>,
    /// Its kind.
    pub kind: CertificateKind,
    /// The issuance number (発行番号): the serial number, uppercase hex.
    pub issuance_number: String,
    /// Subject (RFC 4514 text).
    pub subject: String,
    /// Issuer (RFC 4514 text).
    pub issuer: String,
    /// Start of validity, RFC 3339 UTC.
    pub not_before: String,
    /// End of validity, RFC 3339 UTC.
    pub not_after: String,
    /// The holder's basic four attributes (signature certificates only).
    pub attributes: Option<Arc<BasicAttributes>>,
    /// Substitute-character flags of the name (one digit per character).
    pub name_substitute_flags: Option<String>,
    /// Substitute-character flags of the address.
    pub address_substitute_flags: Option<String>,
}

impl core::fmt::Debug for CertificateInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertificateInfo")
            .field("kind", &self.kind)
            .field("issuance_number", &self.issuance_number)
            .finish_non_exhaustive()
    }
}

impl From<&JpkiCertificate> for CertificateInfo {
    fn from(c: &JpkiCertificate) -> Self {
        let sa = c.signature_attributes();
        Self {
            der: c.der().to_vec(),
            kind: c.kind().into(),
            issuance_number: c.issuance_number(),
            subject: c.subject(),
            issuer: c.issuer(),
            not_before: c.not_before().to_string(),
            not_after: c.not_after().to_string(),
            attributes: sa.map(|s| BasicAttributes::shared(&s.attributes)),
            name_substitute_flags: sa.map(|s| s.name_substitute_flags.clone()),
            address_substitute_flags: sa.map(|s| s.address_substitute_flags.clone()),
        }
    }
}

/// Round trips and bytes with the card: the performance figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ExchangeCounts {
    /// APDU round trips.
    pub exchanges: u32,
    /// Bytes sent.
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

impl From<ExchangeStats> for ExchangeCounts {
    fn from(s: ExchangeStats) -> Self {
        Self {
            exchanges: s.exchanges,
            bytes_sent: s.bytes_sent,
            bytes_received: s.bytes_received,
        }
    }
}

/// Where a procedure is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentChannel {
    /// A licence-centre kiosk (card certificate only).
    LicenceCentreKiosk,
    /// Mynaportal (card or smartphone certificate).
    Mynaportal,
}

impl From<ConsentChannel> for consent::Channel {
    fn from(c: ConsentChannel) -> Self {
        match c {
            ConsentChannel::LicenceCentreKiosk => consent::Channel::LicenceCentreKiosk,
            ConsentChannel::Mynaportal => consent::Channel::Mynaportal,
        }
    }
}

impl From<consent::Channel> for ConsentChannel {
    fn from(c: consent::Channel) -> Self {
        match c {
            consent::Channel::LicenceCentreKiosk => ConsentChannel::LicenceCentreKiosk,
            consent::Channel::Mynaportal => ConsentChannel::Mynaportal,
        }
    }
}

/// An item the holder consents to provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentItem {
    /// 住所.
    Address,
    /// 氏名.
    Name,
    /// 生年月日.
    DateOfBirth,
}

impl From<ConsentItem> for consent::ConsentItem {
    fn from(i: ConsentItem) -> Self {
        match i {
            ConsentItem::Address => consent::ConsentItem::Address,
            ConsentItem::Name => consent::ConsentItem::Name,
            ConsentItem::DateOfBirth => consent::ConsentItem::DateOfBirth,
        }
    }
}

impl From<consent::ConsentItem> for ConsentItem {
    fn from(i: consent::ConsentItem) -> Self {
        match i {
            consent::ConsentItem::Address => ConsentItem::Address,
            consent::ConsentItem::Name => ConsentItem::Name,
            consent::ConsentItem::DateOfBirth => ConsentItem::DateOfBirth,
        }
    }
}

/// The holder's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HolderStatus {
    /// マイナ免許証のみ.
    MyNumberLicenceOnly,
    /// マイナ経歴証明書のみ.
    DrivingHistoryCertificateOnly,
}

impl From<HolderStatus> for consent::HolderStatus {
    fn from(h: HolderStatus) -> Self {
        match h {
            HolderStatus::MyNumberLicenceOnly => consent::HolderStatus::MyNumberLicenceOnly,
            HolderStatus::DrivingHistoryCertificateOnly => {
                consent::HolderStatus::DrivingHistoryCertificateOnly
            }
        }
    }
}

impl From<consent::HolderStatus> for HolderStatus {
    fn from(h: consent::HolderStatus) -> Self {
        match h {
            consent::HolderStatus::MyNumberLicenceOnly => HolderStatus::MyNumberLicenceOnly,
            consent::HolderStatus::DrivingHistoryCertificateOnly => {
                HolderStatus::DrivingHistoryCertificateOnly
            }
        }
    }
}

/// The terms the holder was shown: identifier, version and the SHA-256 (lowercase hex) of
/// the exact text. [`crate::flows::terms_from_text`] computes it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TermsInfo {
    /// Identifier.
    pub id: String,
    /// Version.
    pub version: String,
    /// SHA-256 of the exact text shown, lowercase hex.
    pub sha256_hex: String,
}

/// Card or smartphone certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CertificateSource {
    /// 個人番号カード用署名用電子証明書.
    Card,
    /// 移動端末設備用署名用電子証明書.
    Smartphone,
}

impl From<consent::CertificateSource> for CertificateSource {
    fn from(s: consent::CertificateSource) -> Self {
        match s {
            consent::CertificateSource::Card => CertificateSource::Card,
            consent::CertificateSource::Smartphone => CertificateSource::Smartphone,
        }
    }
}

/// A document to sign, or one that verified. `timestamp_unix` is the client's clock (seconds
/// since 1970, UTC); leave it `null` when signing to use now.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentDocument {
    /// 住所変更ワンストップサービス等の利用開始 (consent).
    AddressChange {
        /// The items consented to (non-empty).
        items: Vec<ConsentItem>,
        /// The holder's status.
        holder_status: HolderStatus,
        /// The terms.
        terms: TermsInfo,
        /// Where.
        channel: ConsentChannel,
        /// The receiving service's nonce or transaction id.
        nonce: String,
        /// The client's clock.
        timestamp_unix: Option<i64>,
    },
    /// 同意の取消 (revocation of a consent).
    Revocation {
        /// The nonce / transaction id of the consent revoked.
        consent_nonce: String,
        /// Its content SHA-256 (lowercase hex), if known.
        consent_sha256_hex: Option<String>,
        /// Where.
        channel: ConsentChannel,
        /// The receiving service's nonce.
        nonce: String,
        /// The client's clock.
        timestamp_unix: Option<i64>,
    },
    /// 本籍のオンライン変更: the 戸籍電子証明書提供用識別符号 (through Mynaportal).
    DomicileChange {
        /// The identifier.
        identifier: String,
        /// Whether this is the first submission (card certificate only).
        first_submission: bool,
        /// The receiving service's nonce.
        nonce: String,
        /// The client's clock.
        timestamp_unix: Option<i64>,
    },
    /// マイナポータル連携, second step: the attributes read from the card-info AP.
    MynaportalLinkage {
        /// The attributes, exactly as read.
        attributes: Arc<BasicAttributes>,
        /// The receiving service's nonce.
        nonce: String,
        /// The client's clock.
        timestamp_unix: Option<i64>,
    },
}

impl core::fmt::Debug for ConsentDocument {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ConsentDocument::AddressChange { .. } => "ConsentDocument::AddressChange",
            ConsentDocument::Revocation { .. } => "ConsentDocument::Revocation",
            ConsentDocument::DomicileChange { .. } => "ConsentDocument::DomicileChange",
            ConsentDocument::MynaportalLinkage { .. } => "ConsentDocument::MynaportalLinkage",
        })
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

fn timestamp(t: Option<i64>) -> Result<consent::Timestamp, MynaError> {
    match t {
        None => Ok(consent::Timestamp::now()),
        Some(s) => consent::Timestamp::from_unix_seconds(s).map_err(MynaError::from),
    }
}

impl ConsentDocument {
    /// The core document.
    pub(crate) fn to_core(&self) -> Result<consent::Document, MynaError> {
        Ok(match self {
            ConsentDocument::AddressChange {
                items,
                holder_status,
                terms,
                channel,
                nonce,
                timestamp_unix,
            } => consent::Document::AddressChangeConsent(consent::AddressChangeConsent {
                items: consent::ConsentItems::new(
                    &items.iter().map(|&i| i.into()).collect::<Vec<_>>(),
                )?,
                holder_status: (*holder_status).into(),
                terms: consent::Terms::from_digest(
                    terms.id.clone(),
                    terms.version.clone(),
                    hex32(&terms.sha256_hex, "terms.sha256_hex")?,
                )?,
                channel: (*channel).into(),
                nonce: consent::Nonce::new(nonce.clone())?,
                timestamp: timestamp(*timestamp_unix)?,
            }),
            ConsentDocument::Revocation {
                consent_nonce,
                consent_sha256_hex,
                channel,
                nonce,
                timestamp_unix,
            } => consent::Document::ConsentRevocation(consent::ConsentRevocation {
                consent: consent::ConsentReference {
                    nonce: consent::Nonce::new(consent_nonce.clone())?,
                    sha256: consent_sha256_hex
                        .as_deref()
                        .map(|h| hex32(h, "consent_sha256_hex"))
                        .transpose()?,
                },
                channel: (*channel).into(),
                nonce: consent::Nonce::new(nonce.clone())?,
                timestamp: timestamp(*timestamp_unix)?,
            }),
            ConsentDocument::DomicileChange {
                identifier,
                first_submission,
                nonce,
                timestamp_unix,
            } => consent::Document::DomicileChangeSubmission(consent::DomicileChangeSubmission {
                identifier: consent::FamilyRegisterCertificateId::new(identifier.clone())?,
                first_submission: *first_submission,
                channel: consent::Channel::Mynaportal,
                nonce: consent::Nonce::new(nonce.clone())?,
                timestamp: timestamp(*timestamp_unix)?,
            }),
            ConsentDocument::MynaportalLinkage {
                attributes,
                nonce,
                timestamp_unix,
            } => consent::Document::MynaportalLinkageSubmission(
                consent::MynaportalLinkageSubmission {
                    attributes: attributes.inner.clone(),
                    channel: consent::Channel::Mynaportal,
                    nonce: consent::Nonce::new(nonce.clone())?,
                    timestamp: timestamp(*timestamp_unix)?,
                },
            ),
        })
    }

    /// The FFI view of a core document.
    pub(crate) fn from_core(d: &consent::Document) -> Self {
        match d {
            consent::Document::AddressChangeConsent(c) => ConsentDocument::AddressChange {
                items: c.items.iter().map(Into::into).collect(),
                holder_status: c.holder_status.into(),
                terms: TermsInfo {
                    id: c.terms.id().to_string(),
                    version: c.terms.version().to_string(),
                    sha256_hex: hex(c.terms.sha256()),
                },
                channel: c.channel.into(),
                nonce: c.nonce.as_str().to_string(),
                timestamp_unix: Some(c.timestamp.unix_seconds()),
            },
            consent::Document::ConsentRevocation(r) => ConsentDocument::Revocation {
                consent_nonce: r.consent.nonce.as_str().to_string(),
                consent_sha256_hex: r.consent.sha256.map(|h| hex(&h)),
                channel: r.channel.into(),
                nonce: r.nonce.as_str().to_string(),
                timestamp_unix: Some(r.timestamp.unix_seconds()),
            },
            consent::Document::DomicileChangeSubmission(s) => ConsentDocument::DomicileChange {
                identifier: s.identifier.as_str().to_string(),
                first_submission: s.first_submission,
                nonce: s.nonce.as_str().to_string(),
                timestamp_unix: Some(s.timestamp.unix_seconds()),
            },
            consent::Document::MynaportalLinkageSubmission(l) => {
                ConsentDocument::MynaportalLinkage {
                    attributes: BasicAttributes::shared(&l.attributes),
                    nonce: l.nonce.as_str().to_string(),
                    timestamp_unix: Some(l.timestamp.unix_seconds()),
                }
            }
        }
    }
}

/// A consent signed on a card (or by an app key).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignedConsentInfo {
    /// The CMS `SignedData` (DER, CAdES-BES): what the app submits.
    pub cms: Vec<u8>,
    /// The signed content: the document's canonical JSON.
    pub document_json: String,
    /// The signer certificate.
    pub certificate: CertificateInfo,
    /// Card or smartphone.
    pub source: CertificateSource,
    /// Exchanges with the card.
    pub counts: ExchangeCounts,
}

/// Which roots a verification trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TrustAnchors {
    /// The J-LIS production roots (default).
    Production,
    /// The `JPKI-TEST` roots of J-LIS test cards.
    JpkiTest,
    /// The emulator's roots.
    Emulator,
}

/// A consent that verified.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedConsentInfo {
    /// The document, decoded.
    pub document: ConsentDocument,
    /// The signed content: the document's canonical JSON.
    pub document_json: String,
    /// The signer certificate.
    pub signer: CertificateInfo,
    /// Card or smartphone; `null` when the certificate's policy is neither a known card
    /// policy nor the smartphone one (only channel rules that accept either passed).
    pub source: Option<CertificateSource>,
    /// The signing-time attribute, seconds since 1970 UTC.
    pub signing_time_unix: i64,
    /// The receipt time validity and revocation were judged at, seconds since 1970 UTC.
    pub received_at_unix: i64,
    /// How revocation was established.
    pub revocation: RevocationInfo,
}

/// How revocation was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RevocationMethod {
    /// A CRL of the signer's root, current at the receipt time.
    Crl,
    /// An OCSP response, fresh at the receipt time.
    Ocsp,
    /// Not checked (only when the caller allowed it).
    NotChecked,
}

/// How revocation was established, with the times of the CRL or OCSP response.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RevocationInfo {
    /// CRL, OCSP or not checked.
    pub method: RevocationMethod,
    /// The CRL's or single response's thisUpdate (seconds since 1970 UTC).
    pub this_update_unix: Option<i64>,
    /// The nextUpdate, when present.
    pub next_update_unix: Option<i64>,
    /// The OCSP response's producedAt.
    pub produced_at_unix: Option<i64>,
}

fn unix(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl From<&mynasign::verify::RevocationStatus> for RevocationInfo {
    fn from(r: &mynasign::verify::RevocationStatus) -> Self {
        use mynasign::verify::RevocationStatus as R;
        match r {
            R::Crl {
                this_update,
                next_update,
                ..
            } => RevocationInfo {
                method: RevocationMethod::Crl,
                this_update_unix: Some(unix(*this_update)),
                next_update_unix: Some(unix(*next_update)),
                produced_at_unix: None,
            },
            R::Ocsp {
                produced_at,
                this_update,
                next_update,
            } => RevocationInfo {
                method: RevocationMethod::Ocsp,
                this_update_unix: Some(unix(*this_update)),
                next_update_unix: next_update.map(unix),
                produced_at_unix: Some(unix(*produced_at)),
            },
            _ => RevocationInfo {
                method: RevocationMethod::NotChecked,
                this_update_unix: None,
                next_update_unix: None,
                produced_at_unix: None,
            },
        }
    }
}

/// What a receiving service knows when it verifies a consent (the options of
/// `verify_consent_with`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifyConsentOptions {
    /// Which roots to trust (ignored when `roots_der` is not empty).
    pub trust: TrustAnchors,
    /// The caller's own roots (DER CA certificates), instead of `trust`.
    pub roots_der: Vec<Vec<u8>>,
    /// When the consent was received (seconds since 1970 UTC); `null`: now.
    pub received_at_unix: Option<i64>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// An OCSP response (DER) for the signer certificate.
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, if any.
    pub ocsp_nonce: Option<Vec<u8>>,
    /// The nonce the service issued: the document's must equal it.
    pub nonce: Option<String>,
    /// The channel of the procedure: the document's must equal it.
    pub channel: Option<ConsentChannel>,
    /// The largest allowed difference between signing time and receipt time, in seconds;
    /// `null`: 600.
    pub max_skew_seconds: Option<u64>,
    /// Accept a consent whose revocation was not checked (no CRL or OCSP response applies).
    pub allow_unchecked_revocation: bool,
}

/// The 10-year period of a consent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentPeriodInfo {
    /// The consent date (JST), `YYYY-MM-DD`.
    pub consent_date: String,
    /// The first day of the period (the next day).
    pub first_day: String,
    /// The last day of the period.
    pub last_day: String,
    /// When to remind the holder.
    pub reminder_date: String,
    /// Days left counting today and the last day, from the `today` given (0 or less: over).
    pub days_remaining: i64,
    /// Whether the reminder is due on `today`.
    pub reminder_due: bool,
}
