//! The four document types, their field types, and their JSON (RFC 8785) mapping.

use core::fmt;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::attributes::{BasicFourAttributes, Sex};
use crate::date::Date;

use super::{jcs, Channel, ConsentError, Document, HolderStatus, Timestamp};

// ---------------------------------------------------------------------------------------------
// Field types
// ---------------------------------------------------------------------------------------------

/// Whether every byte is printable ASCII other than space (`0x21..=0x7E`) and the length is
/// within `1..=max`.
fn is_token(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// A nonce / transaction id issued by the receiving service for one procedure. The service
/// accepts each nonce once, which stops a signed document from being replayed.
///
/// 1 to [`Nonce::MAX_LEN`] printable ASCII characters (`!` to `~`; no spaces).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Nonce(String);

impl Nonce {
    /// The longest nonce accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Checks and wraps a nonce.
    pub fn new(nonce: impl Into<String>) -> Result<Self, ConsentError> {
        let nonce = nonce.into();
        if is_token(&nonce, Self::MAX_LEN) {
            Ok(Self(nonce))
        } else {
            Err(ConsentError::InvalidNonce)
        }
    }

    /// The nonce.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({:?})", self.0)
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One item the holder may consent to J-LIS providing to the National Police Agency
/// (`003_…txt` 3(2)イ(ｱ): 住所、氏名又は生年月日のいずれの情報の提供に同意をするかを選択).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsentItem {
    /// 住所.
    Address,
    /// 氏名.
    Name,
    /// 生年月日.
    DateOfBirth,
}

impl ConsentItem {
    /// All items, in their encoding order.
    pub const ALL: [ConsentItem; 3] = [
        ConsentItem::Address,
        ConsentItem::Name,
        ConsentItem::DateOfBirth,
    ];

    /// `address`, `name`, `date_of_birth`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentItem::Address => "address",
            ConsentItem::Name => "name",
            ConsentItem::DateOfBirth => "date_of_birth",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

impl fmt::Display for ConsentItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-empty set of consent items. Encoded in the fixed order address, name, date of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConsentItems {
    address: bool,
    name: bool,
    date_of_birth: bool,
}

impl ConsentItems {
    /// The set of the given items (duplicates are harmless). An empty selection is
    /// [`ConsentError::EmptySelection`].
    pub fn new(items: &[ConsentItem]) -> Result<Self, ConsentError> {
        if items.is_empty() {
            return Err(ConsentError::EmptySelection);
        }
        Ok(Self {
            address: items.contains(&ConsentItem::Address),
            name: items.contains(&ConsentItem::Name),
            date_of_birth: items.contains(&ConsentItem::DateOfBirth),
        })
    }

    /// All three items.
    pub fn all() -> Self {
        Self {
            address: true,
            name: true,
            date_of_birth: true,
        }
    }

    /// Whether `item` is selected.
    pub fn contains(&self, item: ConsentItem) -> bool {
        match item {
            ConsentItem::Address => self.address,
            ConsentItem::Name => self.name,
            ConsentItem::DateOfBirth => self.date_of_birth,
        }
    }

    /// The selected items, in encoding order.
    pub fn iter(&self) -> impl Iterator<Item = ConsentItem> + '_ {
        ConsentItem::ALL.into_iter().filter(|i| self.contains(*i))
    }
}

/// The terms of use the holder was shown and consented to.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Terms {
    id: String,
    version: String,
    sha256: [u8; 32],
}

impl Terms {
    /// The longest identifier or version accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Terms identified by `id` and `version`, whose exact displayed text is `text` (hashed with
    /// SHA-256 as given: no normalisation). `id` and `version` are 1 to [`Terms::MAX_LEN`]
    /// printable ASCII characters without spaces.
    pub fn from_text(
        id: impl Into<String>,
        version: impl Into<String>,
        text: &[u8],
    ) -> Result<Self, ConsentError> {
        Self::from_digest(id, version, Sha256::digest(text).into())
    }

    /// Terms from an already computed SHA-256 of their text.
    pub fn from_digest(
        id: impl Into<String>,
        version: impl Into<String>,
        sha256: [u8; 32],
    ) -> Result<Self, ConsentError> {
        let id = id.into();
        let version = version.into();
        if !is_token(&id, Self::MAX_LEN) {
            return Err(ConsentError::InvalidField { field: "terms.id" });
        }
        if !is_token(&version, Self::MAX_LEN) {
            return Err(ConsentError::InvalidField {
                field: "terms.version",
            });
        }
        Ok(Self {
            id,
            version,
            sha256,
        })
    }

    /// The terms' identifier.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The terms' version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// SHA-256 of the exact text shown.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    /// Whether `text` is the text these terms were made from.
    pub fn matches_text(&self, text: &[u8]) -> bool {
        <[u8; 32]>::from(Sha256::digest(text)) == self.sha256
    }
}

impl fmt::Debug for Terms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Terms")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("sha256", &crate::hex::encode(&self.sha256))
            .finish()
    }
}

/// Which consent a revocation revokes: the original consent's nonce (transaction id) and,
/// optionally, the SHA-256 of its canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConsentReference {
    /// The nonce of the consent being revoked.
    pub nonce: Nonce,
    /// SHA-256 of the consent document's canonical encoding ([`Document::encode`]), if known.
    pub sha256: Option<[u8; 32]>,
}

impl ConsentReference {
    /// A reference to `consent` by its nonce and content hash.
    pub fn of(consent: &AddressChangeConsent) -> Self {
        Self {
            nonce: consent.nonce.clone(),
            sha256: Some(Sha256::digest(consent.encode()).into()),
        }
    }

    /// Whether this reference designates `consent` (same nonce and, when a hash is given, the
    /// same content).
    pub fn matches(&self, consent: &AddressChangeConsent) -> bool {
        self.nonce == consent.nonce
            && self
                .sha256
                .is_none_or(|h| <[u8; 32]>::from(Sha256::digest(consent.encode())) == h)
    }
}

/// The 戸籍電子証明書提供用識別符号: the identifier, obtained from the family-register system, that
/// lets the police fetch the holder's family-register certificate. Opaque; 1 to
/// [`FamilyRegisterCertificateId::MAX_LEN`] printable ASCII characters without spaces.
/// `Debug` does not show it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FamilyRegisterCertificateId(String);

impl FamilyRegisterCertificateId {
    /// The longest identifier accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Checks and wraps an identifier.
    pub fn new(id: impl Into<String>) -> Result<Self, ConsentError> {
        let id = id.into();
        if is_token(&id, Self::MAX_LEN) {
            Ok(Self(id))
        } else {
            Err(ConsentError::InvalidField {
                field: "identifier",
            })
        }
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FamilyRegisterCertificateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FamilyRegisterCertificateId(<redacted>)")
    }
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/// Consent to the address-change one-stop service (住所変更ワンストップサービス等の利用開始):
/// the holder consents that J-LIS provides the selected items and the signature certificate's
/// issuance number to the National Police Agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressChangeConsent {
    /// The items consented to.
    pub items: ConsentItems,
    /// The holder's status (マイナ免許証のみ / マイナ経歴証明書のみ).
    pub holder_status: HolderStatus,
    /// The terms consented to.
    pub terms: Terms,
    /// Where the procedure is made.
    pub channel: Channel,
    /// The receiving service's nonce / transaction id.
    pub nonce: Nonce,
    /// The client's clock when the document was made.
    pub timestamp: Timestamp,
}

impl AddressChangeConsent {
    /// The canonical encoding (the same as [`Document::encode`] of this document).
    pub fn encode(&self) -> Vec<u8> {
        let mut items = b"[".to_vec();
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                items.push(b',');
            }
            jcs::write_string(&mut items, item.as_str());
        }
        items.push(b']');
        let terms = Members::default()
            .string("id", &self.terms.id)
            .string("version", &self.terms.version)
            .string("sha256", &crate::hex::encode(&self.terms.sha256))
            .finish();
        Members::header(
            super::DocumentKind::AddressChangeConsent,
            self.channel,
            &self.nonce,
            self.timestamp,
        )
        .json("items", items)
        .string("holder_status", self.holder_status.as_str())
        .json("terms", terms)
        .finish()
    }

    #[cfg(test)]
    fn to_value(&self) -> Value {
        let mut m = header(
            super::DocumentKind::AddressChangeConsent,
            self.channel,
            &self.nonce,
            self.timestamp,
        );
        m.insert(
            "items".into(),
            Value::Array(self.items.iter().map(|i| Value::from(i.as_str())).collect()),
        );
        m.insert("holder_status".into(), self.holder_status.as_str().into());
        let mut t = Map::new();
        t.insert("id".into(), self.terms.id.clone().into());
        t.insert("version".into(), self.terms.version.clone().into());
        t.insert(
            "sha256".into(),
            crate::hex::encode(&self.terms.sha256).into(),
        );
        m.insert("terms".into(), Value::Object(t));
        Value::Object(m)
    }

    fn from_reader(mut r: Reader, common: Common) -> Result<Self, ConsentError> {
        let items_value = r.array("items")?;
        let mut items = Vec::with_capacity(items_value.len());
        for v in items_value {
            let item = match v {
                Value::String(s) => ConsentItem::parse(&s),
                _ => None,
            }
            .ok_or(ConsentError::InvalidField { field: "items" })?;
            if items.contains(&item) {
                return Err(ConsentError::InvalidField { field: "items" });
            }
            items.push(item);
        }
        let items = ConsentItems::new(&items)?;
        let holder_status =
            HolderStatus::parse(&r.string("holder_status")?).ok_or(ConsentError::InvalidField {
                field: "holder_status",
            })?;
        let mut t = r.object("terms")?;
        let id = t.string("terms.id")?;
        let version = t.string("terms.version")?;
        let sha256 = parse_hex32(&t.string("terms.sha256")?).ok_or(ConsentError::InvalidField {
            field: "terms.sha256",
        })?;
        t.finish()?;
        let terms = Terms::from_digest(id, version, sha256)?;
        r.finish()?;
        Ok(Self {
            items,
            holder_status,
            terms,
            channel: common.channel,
            nonce: common.nonce,
            timestamp: common.timestamp,
        })
    }
}

/// Revocation of an address-change one-stop consent (同意の取消).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRevocation {
    /// The consent revoked.
    pub consent: ConsentReference,
    /// Where the revocation is made.
    pub channel: Channel,
    /// The receiving service's nonce / transaction id for this revocation.
    pub nonce: Nonce,
    /// The client's clock when the document was made.
    pub timestamp: Timestamp,
}

impl ConsentRevocation {
    fn encode(&self) -> Vec<u8> {
        let mut consent = Members::default().string("nonce", self.consent.nonce.as_str());
        if let Some(h) = &self.consent.sha256 {
            consent = consent.string("sha256", &crate::hex::encode(h));
        }
        Members::header(
            super::DocumentKind::ConsentRevocation,
            self.channel,
            &self.nonce,
            self.timestamp,
        )
        .json("consent", consent.finish())
        .finish()
    }

    #[cfg(test)]
    fn to_value(&self) -> Value {
        let mut m = header(
            super::DocumentKind::ConsentRevocation,
            self.channel,
            &self.nonce,
            self.timestamp,
        );
        let mut c = Map::new();
        c.insert("nonce".into(), self.consent.nonce.as_str().into());
        if let Some(h) = &self.consent.sha256 {
            c.insert("sha256".into(), crate::hex::encode(h).into());
        }
        m.insert("consent".into(), Value::Object(c));
        Value::Object(m)
    }

    fn from_reader(mut r: Reader, common: Common) -> Result<Self, ConsentError> {
        let mut c = r.object("consent")?;
        let nonce = Nonce::new(c.string("consent.nonce")?)?;
        let sha256 = match c.take_optional("consent.sha256") {
            None => None,
            Some(Value::String(s)) => Some(parse_hex32(&s).ok_or(ConsentError::InvalidField {
                field: "consent.sha256",
            })?),
            Some(_) => {
                return Err(ConsentError::InvalidField {
                    field: "consent.sha256",
                })
            }
        };
        c.finish()?;
        r.finish()?;
        Ok(Self {
            consent: ConsentReference { nonce, sha256 },
            channel: common.channel,
            nonce: common.nonce,
            timestamp: common.timestamp,
        })
    }
}

/// A submission for the online change of registered domicile (本籍のオンライン変更): the
/// 戸籍電子証明書提供用識別符号 sent through Mynaportal after the holder changed their 本籍.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomicileChangeSubmission {
    /// The 戸籍電子証明書提供用識別符号.
    pub identifier: FamilyRegisterCertificateId,
    /// Whether this is the holder's first submission (初回): only the card's certificate may
    /// sign it.
    pub first_submission: bool,
    /// Where the submission is made (Mynaportal only).
    pub channel: Channel,
    /// The receiving service's nonce / transaction id.
    pub nonce: Nonce,
    /// The client's clock when the document was made.
    pub timestamp: Timestamp,
}

impl DomicileChangeSubmission {
    fn encode(&self) -> Vec<u8> {
        Members::header(
            super::DocumentKind::DomicileChangeSubmission,
            self.channel,
            &self.nonce,
            self.timestamp,
        )
        .string("identifier", self.identifier.as_str())
        .json(
            "first_submission",
            if self.first_submission {
                b"true".to_vec()
            } else {
                b"false".to_vec()
            },
        )
        .finish()
    }

    #[cfg(test)]
    fn to_value(&self) -> Value {
        let mut m = header(
            super::DocumentKind::DomicileChangeSubmission,
            self.channel,
            &self.nonce,
            self.timestamp,
        );
        m.insert("identifier".into(), self.identifier.as_str().into());
        m.insert("first_submission".into(), self.first_submission.into());
        Value::Object(m)
    }

    fn from_reader(mut r: Reader, common: Common) -> Result<Self, ConsentError> {
        let identifier = FamilyRegisterCertificateId::new(r.string("identifier")?)?;
        let first_submission = r.boolean("first_submission")?;
        r.finish()?;
        Ok(Self {
            identifier,
            first_submission,
            channel: common.channel,
            nonce: common.nonce,
            timestamp: common.timestamp,
        })
    }
}

/// The second step of the Mynaportal linkage (マイナポータル連携, 2回目): the basic four
/// attributes read from the card-info input support AP, sent through Mynaportal together with
/// the signature certificate. `Debug` does not show the attributes.
#[derive(Clone, PartialEq, Eq)]
pub struct MynaportalLinkageSubmission {
    /// The basic four attributes as read from the card-info input support AP, exactly.
    pub attributes: BasicFourAttributes,
    /// Where the submission is made (Mynaportal only).
    pub channel: Channel,
    /// The receiving service's nonce / transaction id.
    pub nonce: Nonce,
    /// The client's clock when the document was made.
    pub timestamp: Timestamp,
}

impl fmt::Debug for MynaportalLinkageSubmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MynaportalLinkageSubmission")
            .field("attributes", &format_args!("<redacted>"))
            .field("channel", &self.channel)
            .field("nonce", &self.nonce)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

impl MynaportalLinkageSubmission {
    /// Checks the submitted attributes against those in the signature certificate
    /// (see [`super::check_linkage`]).
    pub fn check_certificate_attributes(
        &self,
        certificate: &BasicFourAttributes,
    ) -> Result<(), ConsentError> {
        super::check_linkage(&self.attributes, certificate)
    }

    fn encode(&self) -> Vec<u8> {
        let attributes = Members::default()
            .string("name", &self.attributes.name)
            .string("address", &self.attributes.address)
            .string("date_of_birth", &self.attributes.date_of_birth.to_string())
            .string("sex", self.attributes.sex.as_str())
            .finish();
        Members::header(
            super::DocumentKind::MynaportalLinkageSubmission,
            self.channel,
            &self.nonce,
            self.timestamp,
        )
        .json("attributes", attributes)
        .finish()
    }

    #[cfg(test)]
    fn to_value(&self) -> Value {
        let mut m = header(
            super::DocumentKind::MynaportalLinkageSubmission,
            self.channel,
            &self.nonce,
            self.timestamp,
        );
        let mut a = Map::new();
        a.insert("name".into(), self.attributes.name.clone().into());
        a.insert("address".into(), self.attributes.address.clone().into());
        a.insert(
            "date_of_birth".into(),
            self.attributes.date_of_birth.to_string().into(),
        );
        a.insert("sex".into(), self.attributes.sex.as_str().into());
        m.insert("attributes".into(), Value::Object(a));
        Value::Object(m)
    }

    fn from_reader(mut r: Reader, common: Common) -> Result<Self, ConsentError> {
        let mut a = r.object("attributes")?;
        let name = a.string("attributes.name")?;
        let address = a.string("attributes.address")?;
        let date_of_birth =
            Date::parse_iso(&a.string("attributes.date_of_birth")?).map_err(|_| {
                ConsentError::InvalidField {
                    field: "attributes.date_of_birth",
                }
            })?;
        let sex_str = a.string("attributes.sex")?;
        let sex = [Sex::Male, Sex::Female, Sex::NotApplicable, Sex::Unknown]
            .into_iter()
            .find(|s| s.as_str() == sex_str)
            .ok_or(ConsentError::InvalidField {
                field: "attributes.sex",
            })?;
        a.finish()?;
        r.finish()?;
        Ok(Self {
            attributes: BasicFourAttributes {
                name,
                address,
                date_of_birth,
                sex,
            },
            channel: common.channel,
            nonce: common.nonce,
            timestamp: common.timestamp,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding
// ---------------------------------------------------------------------------------------------

/// The fields every document has.
/// A JSON object written in its canonical form (RFC 8785) without building a JSON value:
/// each member's value is written as it is added, and the members are sorted by name when the
/// object is finished. Member names are fixed ASCII names, for which the order of their bytes
/// is the order of their UTF-16 code units that RFC 8785 3.2.3 asks for, and which need no
/// escaping.
#[derive(Default)]
struct Members(Vec<(&'static str, Vec<u8>)>);

impl Members {
    /// The members every document starts with.
    fn header(
        kind: super::DocumentKind,
        channel: Channel,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Self {
        Members::default()
            .json("version", super::VERSION.to_string().into_bytes())
            .string("type", kind.type_name())
            .string("channel", channel.as_str())
            .string("nonce", nonce.as_str())
            .string("timestamp", &timestamp.to_string())
    }

    /// A member whose value is the JSON text `json` (already canonical).
    fn json(mut self, name: &'static str, json: Vec<u8>) -> Self {
        debug_assert!(name
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\'));
        self.0.push((name, json));
        self
    }

    /// A string member.
    fn string(self, name: &'static str, value: &str) -> Self {
        let mut json = Vec::with_capacity(value.len() + 2);
        jcs::write_string(&mut json, value);
        self.json(name, json)
    }

    /// The object: `{"name":value,...}`, sorted by name.
    fn finish(mut self) -> Vec<u8> {
        self.0.sort_unstable_by(|a, b| a.0.cmp(b.0));
        debug_assert!(self.0.windows(2).all(|w| w[0].0 != w[1].0));
        let len = self
            .0
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum::<usize>()
            + 2;
        let mut out = Vec::with_capacity(len);
        out.push(b'{');
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(value);
        }
        out.push(b'}');
        out
    }
}

#[cfg(test)]
fn header(
    kind: super::DocumentKind,
    channel: Channel,
    nonce: &Nonce,
    timestamp: Timestamp,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("version".into(), Value::from(super::VERSION));
    m.insert("type".into(), kind.type_name().into());
    m.insert("channel".into(), channel.as_str().into());
    m.insert("nonce".into(), nonce.as_str().into());
    m.insert("timestamp".into(), timestamp.to_string().into());
    m
}

pub(super) fn encode(doc: &Document) -> Vec<u8> {
    match doc {
        Document::AddressChangeConsent(d) => d.encode(),
        Document::ConsentRevocation(d) => d.encode(),
        Document::DomicileChangeSubmission(d) => d.encode(),
        Document::MynaportalLinkageSubmission(d) => d.encode(),
    }
}

/// The encoding through a JSON value and the general canonicaliser ([`jcs`]): what
/// [`encode`] writes directly, which the tests check it against.
#[cfg(test)]
pub(super) fn encode_through_value(doc: &Document) -> Vec<u8> {
    let value = match doc {
        Document::AddressChangeConsent(d) => d.to_value(),
        Document::ConsentRevocation(d) => d.to_value(),
        Document::DomicileChangeSubmission(d) => d.to_value(),
        Document::MynaportalLinkageSubmission(d) => d.to_value(),
    };
    jcs::to_canonical_json(&value)
}

struct Common {
    channel: Channel,
    nonce: Nonce,
    timestamp: Timestamp,
}

pub(super) fn decode(bytes: &[u8]) -> Result<Document, ConsentError> {
    if bytes.len() > super::MAX_DOCUMENT_SIZE {
        return Err(ConsentError::TooLarge {
            size: bytes.len(),
            max: super::MAX_DOCUMENT_SIZE,
        });
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ConsentError::Malformed {
        reason: "not a JSON text",
    })?;
    let mut r = match value {
        Value::Object(map) => Reader(map),
        _ => {
            return Err(ConsentError::Malformed {
                reason: "not a JSON object",
            })
        }
    };
    let version = match r.take("version")? {
        Value::Number(n) => n
            .as_u64()
            .ok_or(ConsentError::InvalidField { field: "version" })?,
        _ => return Err(ConsentError::InvalidField { field: "version" }),
    };
    if version != super::VERSION {
        return Err(ConsentError::UnknownVersion { version });
    }
    let kind = super::DocumentKind::from_type_name(&r.string("type")?)
        .ok_or(ConsentError::UnknownDocumentType)?;
    let channel = Channel::parse(&r.string("channel")?)
        .ok_or(ConsentError::InvalidField { field: "channel" })?;
    let nonce = Nonce::new(r.string("nonce")?)?;
    let timestamp = Timestamp::parse(&r.string("timestamp")?)?;
    let common = Common {
        channel,
        nonce,
        timestamp,
    };
    let doc = match kind {
        super::DocumentKind::AddressChangeConsent => {
            Document::AddressChangeConsent(AddressChangeConsent::from_reader(r, common)?)
        }
        super::DocumentKind::ConsentRevocation => {
            Document::ConsentRevocation(ConsentRevocation::from_reader(r, common)?)
        }
        super::DocumentKind::DomicileChangeSubmission => {
            Document::DomicileChangeSubmission(DomicileChangeSubmission::from_reader(r, common)?)
        }
        super::DocumentKind::MynaportalLinkageSubmission => Document::MynaportalLinkageSubmission(
            MynaportalLinkageSubmission::from_reader(r, common)?,
        ),
    };
    // One document, one byte string: anything but the canonical encoding is refused.
    if encode(&doc) != bytes {
        return Err(ConsentError::NotCanonical);
    }
    Ok(doc)
}

/// Takes fields out of a JSON object, so that whatever is left at the end is unknown.
///
/// Fields are named by their path (`terms.id`); the member name is the last component.
struct Reader(Map<String, Value>);

fn key(field: &'static str) -> &'static str {
    field.rsplit('.').next().unwrap_or(field)
}

impl Reader {
    fn take(&mut self, field: &'static str) -> Result<Value, ConsentError> {
        self.0
            .remove(key(field))
            .ok_or(ConsentError::MissingField { field })
    }

    fn take_optional(&mut self, field: &'static str) -> Option<Value> {
        self.0.remove(key(field))
    }

    fn string(&mut self, field: &'static str) -> Result<String, ConsentError> {
        match self.take(field)? {
            Value::String(s) => Ok(s),
            _ => Err(ConsentError::InvalidField { field }),
        }
    }

    fn boolean(&mut self, field: &'static str) -> Result<bool, ConsentError> {
        match self.take(field)? {
            Value::Bool(b) => Ok(b),
            _ => Err(ConsentError::InvalidField { field }),
        }
    }

    fn array(&mut self, field: &'static str) -> Result<Vec<Value>, ConsentError> {
        match self.take(field)? {
            Value::Array(a) => Ok(a),
            _ => Err(ConsentError::InvalidField { field }),
        }
    }

    fn object(&mut self, field: &'static str) -> Result<Reader, ConsentError> {
        match self.take(field)? {
            Value::Object(m) => Ok(Reader(m)),
            _ => Err(ConsentError::InvalidField { field }),
        }
    }

    fn finish(self) -> Result<(), ConsentError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ConsentError::UnknownField)
        }
    }
}

/// 64 lowercase hexadecimal digits to 32 bytes.
fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    crate::hex::decode_lowercase(s)?.try_into().ok()
}
