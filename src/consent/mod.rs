//! The documents a holder signs for the police's My Number Card services: the consent to the
//! address-change one-stop service (住所変更ワンストップサービス等), its revocation, the
//! online change of registered domicile (本籍のオンライン変更) and the second step of the
//! Mynaportal linkage (マイナポータル連携).
//!
//! Each document has exactly one byte encoding: canonical JSON (RFC 8785, see [`jcs`]), UTF-8,
//! with `"version": 1` and a `"type"`. [`Document::decode`] checks every field strictly and
//! accepts only the canonical bytes, so no two byte strings decode to the same document. The
//! bytes are what the library signs (CMS, elsewhere); [`check_channel_rule`] says which
//! certificate may sign which document through which channel.
//!
//! Names and addresses are carried exactly as read, never normalised. `Debug` output and error
//! messages never show personal data.
//!
//! ```
//! use mynasign::consent::*;
//!
//! let terms_text = "住所変更ワンストップサービス等利用規約 …".as_bytes();
//! let consent = AddressChangeConsent {
//!     items: ConsentItems::new(&[ConsentItem::Address, ConsentItem::Name])?,
//!     holder_status: HolderStatus::MyNumberLicenceOnly,
//!     terms: Terms::from_text("npa-address-change-one-stop", "2025-03-24", terms_text)?,
//!     channel: Channel::Mynaportal,
//!     nonce: Nonce::new("tx-0123456789abcdef")?,
//!     timestamp: Timestamp::parse("2026-11-22T01:02:03Z")?,
//! };
//! let doc = Document::from(consent);
//! let bytes = doc.encode();
//! assert!(bytes.starts_with(br#"{"channel":"mynaportal","holder_status":"my_number_licence_only","items":["address","name"],"#));
//! assert_eq!(Document::decode(&bytes)?, doc);
//!
//! // Mynaportal takes the card's or the smartphone's signature certificate.
//! check_channel_rule(&doc, CertificateSource::Smartphone)?;
//! # Ok::<(), ConsentError>(())
//! ```

mod document;
mod error;
pub mod jcs;
mod period;
mod timestamp;

use core::fmt;

use crate::attributes::BasicFourAttributes;

pub use document::{
    AddressChangeConsent, ConsentItem, ConsentItems, ConsentReference, ConsentRevocation,
    DomicileChangeSubmission, FamilyRegisterCertificateId, MynaportalLinkageSubmission, Nonce,
    Terms,
};
pub use error::{ChannelRuleReason, ConsentError};
pub use period::{ConsentPeriod, CONSENT_PERIOD_YEARS};
pub use timestamp::Timestamp;

/// The document format version this library writes and reads.
pub const VERSION: u64 = 1;

/// The largest encoded document accepted by [`Document::decode`], in bytes (64 KiB, as much
/// as a whole signed consent may be): checked before the JSON is parsed
/// ([`ConsentError::TooLarge`]). A document is a few hundred bytes.
pub const MAX_DOCUMENT_SIZE: usize = 64 * 1024;

/// The media type of an encoded document (all four types; the JSON `"type"` tells them apart).
pub const MEDIA_TYPE: &str = "application/vnd.mynasign.consent+json";

/// Where a procedure is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The machine at the licence centre or police station of the holder's address
    /// (住所地の免許センター等). Encoded `licence_centre_kiosk`.
    LicenceCentreKiosk,
    /// Mynaportal (マイナポータル), from the holder's own device. Encoded `mynaportal`.
    Mynaportal,
}

impl Channel {
    /// `licence_centre_kiosk` or `mynaportal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::LicenceCentreKiosk => "licence_centre_kiosk",
            Channel::Mynaportal => "mynaportal",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        [Channel::LicenceCentreKiosk, Channel::Mynaportal]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder's status: the address-change one-stop service is for holders of a My Number
/// Card licence only, or a My Number Card driving-history record only (`000_…txt` §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolderStatus {
    /// マイナ免許証のみ (免許情報記録個人番号カードのみを有する). Encoded `my_number_licence_only`.
    MyNumberLicenceOnly,
    /// マイナ経歴証明書のみ (運転経歴情報記録個人番号カードのみを有する). Encoded
    /// `driving_history_certificate_only`.
    DrivingHistoryCertificateOnly,
}

impl HolderStatus {
    /// `my_number_licence_only` or `driving_history_certificate_only`.
    pub fn as_str(self) -> &'static str {
        match self {
            HolderStatus::MyNumberLicenceOnly => "my_number_licence_only",
            HolderStatus::DrivingHistoryCertificateOnly => "driving_history_certificate_only",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        [
            HolderStatus::MyNumberLicenceOnly,
            HolderStatus::DrivingHistoryCertificateOnly,
        ]
        .into_iter()
        .find(|h| h.as_str() == s)
    }
}

/// Which signature certificate signs a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateSource {
    /// The card's signature certificate (個人番号カード用署名用電子証明書).
    Card,
    /// The smartphone's signature certificate (移動端末設備用署名用電子証明書).
    Smartphone,
}

impl fmt::Display for CertificateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertificateSource::Card => "card",
            CertificateSource::Smartphone => "smartphone",
        })
    }
}

/// The four document types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// [`AddressChangeConsent`], type `address_change_consent`.
    AddressChangeConsent,
    /// [`ConsentRevocation`], type `consent_revocation`.
    ConsentRevocation,
    /// [`DomicileChangeSubmission`], type `domicile_change_submission`.
    DomicileChangeSubmission,
    /// [`MynaportalLinkageSubmission`], type `mynaportal_linkage_submission`.
    MynaportalLinkageSubmission,
}

impl DocumentKind {
    const ALL: [DocumentKind; 4] = [
        DocumentKind::AddressChangeConsent,
        DocumentKind::ConsentRevocation,
        DocumentKind::DomicileChangeSubmission,
        DocumentKind::MynaportalLinkageSubmission,
    ];

    /// The JSON `"type"` value.
    pub fn type_name(self) -> &'static str {
        match self {
            DocumentKind::AddressChangeConsent => "address_change_consent",
            DocumentKind::ConsentRevocation => "consent_revocation",
            DocumentKind::DomicileChangeSubmission => "domicile_change_submission",
            DocumentKind::MynaportalLinkageSubmission => "mynaportal_linkage_submission",
        }
    }

    /// The inverse of [`type_name`](Self::type_name).
    pub fn from_type_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.type_name() == s)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_name())
    }
}

/// Any of the four documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// 住所変更ワンストップサービス等の利用開始 (consent).
    AddressChangeConsent(AddressChangeConsent),
    /// 同意の取消.
    ConsentRevocation(ConsentRevocation),
    /// 本籍のオンライン変更 (submission of the 戸籍電子証明書提供用識別符号).
    DomicileChangeSubmission(DomicileChangeSubmission),
    /// マイナポータル連携, second step.
    MynaportalLinkageSubmission(MynaportalLinkageSubmission),
}

impl Document {
    /// The canonical encoding (RFC 8785 JSON, UTF-8): the bytes to sign.
    pub fn encode(&self) -> Vec<u8> {
        document::encode(self)
    }

    /// Decodes a document, accepting only its canonical encoding: unknown or missing fields,
    /// wrong JSON types, whitespace, other key orders or escapes are all refused. Input over
    /// [`MAX_DOCUMENT_SIZE`] is refused before parsing.
    pub fn decode(bytes: &[u8]) -> Result<Document, ConsentError> {
        document::decode(bytes)
    }

    /// The document's kind.
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::AddressChangeConsent(_) => DocumentKind::AddressChangeConsent,
            Document::ConsentRevocation(_) => DocumentKind::ConsentRevocation,
            Document::DomicileChangeSubmission(_) => DocumentKind::DomicileChangeSubmission,
            Document::MynaportalLinkageSubmission(_) => DocumentKind::MynaportalLinkageSubmission,
        }
    }

    /// The channel the document names.
    pub fn channel(&self) -> Channel {
        match self {
            Document::AddressChangeConsent(d) => d.channel,
            Document::ConsentRevocation(d) => d.channel,
            Document::DomicileChangeSubmission(d) => d.channel,
            Document::MynaportalLinkageSubmission(d) => d.channel,
        }
    }

    /// The receiving service's nonce / transaction id.
    pub fn nonce(&self) -> &Nonce {
        match self {
            Document::AddressChangeConsent(d) => &d.nonce,
            Document::ConsentRevocation(d) => &d.nonce,
            Document::DomicileChangeSubmission(d) => &d.nonce,
            Document::MynaportalLinkageSubmission(d) => &d.nonce,
        }
    }

    /// The client's timestamp.
    pub fn timestamp(&self) -> Timestamp {
        match self {
            Document::AddressChangeConsent(d) => d.timestamp,
            Document::ConsentRevocation(d) => d.timestamp,
            Document::DomicileChangeSubmission(d) => d.timestamp,
            Document::MynaportalLinkageSubmission(d) => d.timestamp,
        }
    }

    /// The media type of the encoding, [`MEDIA_TYPE`].
    pub fn media_type(&self) -> &'static str {
        MEDIA_TYPE
    }
}

impl From<AddressChangeConsent> for Document {
    fn from(d: AddressChangeConsent) -> Self {
        Document::AddressChangeConsent(d)
    }
}

impl From<ConsentRevocation> for Document {
    fn from(d: ConsentRevocation) -> Self {
        Document::ConsentRevocation(d)
    }
}

impl From<DomicileChangeSubmission> for Document {
    fn from(d: DomicileChangeSubmission) -> Self {
        Document::DomicileChangeSubmission(d)
    }
}

impl From<MynaportalLinkageSubmission> for Document {
    fn from(d: MynaportalLinkageSubmission) -> Self {
        Document::MynaportalLinkageSubmission(d)
    }
}

/// Whether `doc` may be signed with the certificate from `source` through the channel it
/// names. The signer calls this before signing and the verifier again after verifying.
///
/// The rules, from the seeds in `shared/seeds/`:
///
/// | document | licence-centre kiosk | Mynaportal |
/// |---|---|---|
/// | address-change consent | card only | card or smartphone |
/// | consent revocation | card only | card or smartphone |
/// | domicile change, first submission | not accepted | card only |
/// | domicile change, later submissions | not accepted | card or smartphone |
/// | Mynaportal linkage (second step) | not accepted | card or smartphone |
pub fn check_channel_rule(doc: &Document, source: CertificateSource) -> Result<(), ConsentError> {
    use CertificateSource::{Card, Smartphone};
    use Channel::{LicenceCentreKiosk, Mynaportal};
    let channel = doc.channel();
    let outcome = match (doc, channel, source) {
        // 000_2ac7592a3d139e6d.txt §4(1): 住所地の免許センター等から手続する場合は個人番号カード用
        // 署名用電子証明書、マイナポータルから手続する場合は個人番号カード用又は移動端末設備用署名用
        // 電子証明書を付して電子署名を行います。 (003_f624ef0312264d47.txt 別紙2 ②ウ: the kiosk
        // procedure submits the 個人番号カード用署名用電子証明書.)
        (Document::AddressChangeConsent(_), LicenceCentreKiosk, Card) => Ok(()),
        (Document::AddressChangeConsent(_), LicenceCentreKiosk, Smartphone) => {
            Err(ChannelRuleReason::CardCertificateRequired)
        }
        (Document::AddressChangeConsent(_), Mynaportal, _) => Ok(()),

        // 000_2ac7592a3d139e6d.txt §4(3)イ: revocation is made at the licence centre or through
        // Mynaportal. The seeds do not name its certificate; the general rule of §4(1) for each
        // channel applies (the kiosk machines take the card's certificate only, 003 4(1)).
        (Document::ConsentRevocation(_), LicenceCentreKiosk, Card) => Ok(()),
        (Document::ConsentRevocation(_), LicenceCentreKiosk, Smartphone) => {
            Err(ChannelRuleReason::CardCertificateRequired)
        }
        (Document::ConsentRevocation(_), Mynaportal, _) => Ok(()),

        // 003_f624ef0312264d47.txt 別紙1 ③: the 戸籍電子証明書提供用識別符号 is submitted through
        // Mynaportal (マイナポータルを使用し), signed with 個人番号カード用又は移動端末設備用
        // 署名用電子証明書 (初回は、個人番号カード用署名用電子証明書に限る).
        (Document::DomicileChangeSubmission(_), LicenceCentreKiosk, _) => {
            Err(ChannelRuleReason::ChannelNotAllowed)
        }
        (Document::DomicileChangeSubmission(d), Mynaportal, Smartphone) if d.first_submission => {
            Err(ChannelRuleReason::CardCertificateRequired)
        }
        (Document::DomicileChangeSubmission(_), Mynaportal, _) => Ok(()),

        // 002_772f0db9abb3f8f7.txt §4 2回目: マイナポータルからの署名用電子証明書の提出 … 個人番号
        // カード用又は移動端末設備用署名用電子証明書の提出が可能です. (The first step, at the licence
        // centre with the card's certificate, is not a document of this module.)
        (Document::MynaportalLinkageSubmission(_), LicenceCentreKiosk, _) => {
            Err(ChannelRuleReason::ChannelNotAllowed)
        }
        (Document::MynaportalLinkageSubmission(_), Mynaportal, _) => Ok(()),
    };
    outcome.map_err(|reason| ConsentError::ChannelRule {
        kind: doc.kind(),
        channel,
        certificate: source,
        reason,
    })
}

/// The Mynaportal linkage check (`002_772f0db9abb3f8f7.txt` §4): the basic four attributes
/// read from the card-info input support AP must be identical to those in the signature
/// certificate. Compared exactly (no normalisation); a mismatch names the differing fields
/// only, never their values.
pub fn check_linkage(
    card_info: &BasicFourAttributes,
    certificate: &BasicFourAttributes,
) -> Result<(), ConsentError> {
    let fields = card_info.differing_fields(certificate);
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ConsentError::AttributeMismatch { fields })
    }
}

#[cfg(test)]
mod tests;
