//! Records and enums that cross the FFI, with conversions from the core's types.

use std::time::SystemTime;

use mynasign::attributes::{AttributeField as CoreField, Sex as CoreSex};
use mynasign::card::ExchangeStats;
use mynasign::cert::CertificateKind as CoreKind;
use mynasign::consent;
use mynasign::jpki::{CertificateSlot, Profile};
use mynasign::pin::{PinKind, PinStatus};

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
    pub remaining: i32,
    /// Attempts when fresh (5 or 3).
    pub max_attempts: i32,
    /// Locked: only a municipal office or a convenience-store kiosk can reset it.
    pub blocked: bool,
    /// The next wrong entry locks it: show a clear warning before VERIFY.
    pub last_attempt: bool,
}

impl From<PinStatus> for PinState {
    fn from(s: PinStatus) -> Self {
        Self {
            pin: s.kind.into(),
            remaining: i32::from(s.remaining),
            max_attempts: i32::from(s.max_attempts()),
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

/// Round trips and bytes with the card: the performance figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ExchangeCounts {
    /// APDU round trips.
    pub exchanges: i32,
    /// Bytes sent.
    pub bytes_sent: i64,
    /// Bytes received.
    pub bytes_received: i64,
}

impl From<ExchangeStats> for ExchangeCounts {
    fn from(s: ExchangeStats) -> Self {
        Self {
            exchanges: i32::try_from(s.exchanges).unwrap_or(i32::MAX),
            bytes_sent: i64::try_from(s.bytes_sent).unwrap_or(i64::MAX),
            bytes_received: i64::try_from(s.bytes_received).unwrap_or(i64::MAX),
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

impl From<CertificateSource> for consent::CertificateSource {
    fn from(s: CertificateSource) -> Self {
        match s {
            CertificateSource::Card => consent::CertificateSource::Card,
            CertificateSource::Smartphone => consent::CertificateSource::Smartphone,
        }
    }
}

/// One of the basic four attributes, named (never its value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AttributeField {
    /// 氏名.
    Name,
    /// 住所.
    Address,
    /// 生年月日.
    DateOfBirth,
    /// 性別.
    Sex,
}

impl From<CoreField> for AttributeField {
    fn from(f: CoreField) -> Self {
        match f {
            CoreField::Name => AttributeField::Name,
            CoreField::Address => AttributeField::Address,
            CoreField::DateOfBirth => AttributeField::DateOfBirth,
            CoreField::Sex => AttributeField::Sex,
        }
    }
}

#[cfg(feature = "verify")]
/// Which roots a verification trusts. (The emulator's roots are not among them: a test
/// passes them as `roots_der`, so a release build has no way to trust the emulator.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TrustAnchors {
    /// The J-LIS production roots (default).
    Production,
    /// The `JPKI-TEST` roots of J-LIS test cards.
    JpkiTest,
}

#[cfg(feature = "verify")]
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

#[cfg(feature = "verify")]
/// How revocation was established, with the times of the CRL or OCSP response.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RevocationInfo {
    /// CRL, OCSP or not checked.
    pub method: RevocationMethod,
    /// The CRL's or single response's thisUpdate.
    pub this_update: Option<SystemTime>,
    /// The nextUpdate, when present.
    pub next_update: Option<SystemTime>,
    /// The OCSP response's producedAt.
    pub produced_at: Option<SystemTime>,
}

#[cfg(feature = "verify")]
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
                this_update: Some(*this_update),
                next_update: Some(*next_update),
                produced_at: None,
            },
            R::Ocsp {
                produced_at,
                this_update,
                next_update,
            } => RevocationInfo {
                method: RevocationMethod::Ocsp,
                this_update: Some(*this_update),
                next_update: *next_update,
                produced_at: Some(*produced_at),
            },
            _ => RevocationInfo {
                method: RevocationMethod::NotChecked,
                this_update: None,
                next_update: None,
                produced_at: None,
            },
        }
    }
}

#[cfg(feature = "verify")]
/// What a verifier knows when it checks a consent. The defaults are a receiving service's:
/// the production roots, now as the receipt time, revocation required.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifyConsentOptions {
    /// Which roots to trust; `null`: the production roots. Ignored when `roots_der` is not
    /// empty.
    #[uniffi(default = None)]
    pub trust: Option<TrustAnchors>,
    /// The caller's own roots (DER CA certificates), instead of `trust`.
    #[uniffi(default)]
    pub roots_der: Vec<Vec<u8>>,
    /// When the consent was received; `null`: now.
    #[uniffi(default = None)]
    pub received_at: Option<SystemTime>,
    /// CRLs (DER).
    #[uniffi(default)]
    pub crls: Vec<Vec<u8>>,
    /// An OCSP response (DER) for the signer certificate.
    #[uniffi(default = None)]
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, if any.
    #[uniffi(default = None)]
    pub ocsp_nonce: Option<Vec<u8>>,
    /// The nonce the service issued: the document's must equal it.
    #[uniffi(default = None)]
    pub nonce: Option<String>,
    /// The channel of the procedure: the document's must equal it.
    #[uniffi(default = None)]
    pub channel: Option<ConsentChannel>,
    /// The largest allowed difference between signing time and receipt time, in seconds;
    /// `null`: 600.
    #[uniffi(default = None)]
    pub max_skew_seconds: Option<i64>,
    /// Accept a consent whose revocation could not be checked (an app's own check before
    /// sending; never a receiving service's).
    #[uniffi(default = false)]
    pub allow_unchecked_revocation: bool,
}

/// The 10-year period of a consent. Dates are calendar days in Japan time, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentPeriodInfo {
    /// The consent date.
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

/// A step of a card flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum FlowStep {
    /// Connecting to the card (selecting the application).
    Connecting,
    /// Reading a PIN's retry counter.
    CheckingPin,
    /// Verifying a PIN.
    VerifyingPin,
    /// Reading the signature certificate.
    ReadingCertificate,
    /// Reading the CA certificate.
    ReadingCaCertificate,
    /// The card signs (about a second: "keep the card in place").
    Signing,
    /// Reading the basic four attributes.
    ReadingAttributes,
    /// Comparing the attributes with the certificate's.
    Comparing,
    /// The phone's keystore signs.
    KeystoreSigning,
}

impl FlowStep {
    pub(crate) fn texts(self) -> (&'static str, &'static str) {
        match self {
            FlowStep::Connecting => ("カードに接続しています", "Connecting to the card"),
            FlowStep::CheckingPin => ("残り回数を確認しています", "Checking attempts left"),
            FlowStep::VerifyingPin => ("暗証番号を確認しています", "Checking the PIN"),
            FlowStep::ReadingCertificate => {
                ("電子証明書を読み取っています", "Reading the certificate")
            }
            FlowStep::ReadingCaCertificate => (
                "発行元の証明書を読み取っています",
                "Reading the issuer's certificate",
            ),
            FlowStep::Signing => (
                "署名しています。カードを動かさないでください",
                "Signing: keep the card in place",
            ),
            FlowStep::ReadingAttributes => {
                ("券面事項を読み取っています", "Reading the card's details")
            }
            FlowStep::Comparing => ("記載事項を照合しています", "Comparing the details"),
            FlowStep::KeystoreSigning => ("スマートフォンで署名しています", "Signing on the phone"),
        }
    }
}

/// Progress of a flow: step `index` of `total` (1-based), with a short text an NFC sheet
/// can show.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Progress {
    /// The step.
    pub step: FlowStep,
    /// 1-based.
    pub index: i32,
    /// Steps in this flow.
    pub total: i32,
    /// Short text, Japanese.
    pub message_ja: String,
    /// Short text, English.
    pub message_en: String,
}

impl Progress {
    pub(crate) fn new(step: FlowStep, index: u32, total: u32) -> Self {
        let (ja, en) = step.texts();
        Self {
            step,
            index: i32::try_from(index).unwrap_or(i32::MAX),
            total: i32::try_from(total).unwrap_or(i32::MAX),
            message_ja: ja.to_string(),
            message_en: en.to_string(),
        }
    }
}

/// Options of a signing flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SignOptions {
    /// Whether VERIFY may use the last remaining attempt (only after the holder confirmed a
    /// warning; otherwise the flow stops with `LastAttemptGuard` and nothing is sent).
    #[uniffi(default = false)]
    pub allow_last_attempt: bool,
    /// Also read the issuing CA certificate and include it in the CMS (one more read).
    #[uniffi(default = false)]
    pub include_ca_certificate: bool,
    /// The signing time; `null`: now.
    #[uniffi(default = None)]
    pub signing_time: Option<SystemTime>,
}

/// Options of a flow that verifies a PIN.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct PinOptions {
    /// Whether VERIFY may use the last remaining attempt (see [`SignOptions`]).
    #[uniffi(default = false)]
    pub allow_last_attempt: bool,
}

/// The retry counters of a card, read without spending an attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PinStatusReport {
    /// Card or smartphone.
    pub profile: CardProfile,
    /// The signature password's.
    pub signature_password: PinState,
    /// The user-authentication PIN's.
    pub authentication_pin: PinState,
    /// The card-info PIN's; `null` where there is no card-info application (a smartphone).
    pub card_info_pin: Option<PinState>,
    /// Exchanges with the card.
    pub counts: ExchangeCounts,
}
