//! The challenge a service issues, and the client data the app signs for the bound form.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::consent::jcs::to_canonical_json;
use crate::consent::Timestamp;

use super::{check_service, LoginError, MAX_LOGIN_JSON_SIZE, NONCE_LEN};

/// The `type` of a challenge's JSON.
pub const CHALLENGE_TYPE: &str = "mynasign.login.challenge.v1";

/// The `type` of the bound form's client data (what the app signs the SHA-256 of).
pub const CLIENT_DATA_TYPE: &str = "mynasign.login.v1";

/// What the app signs for a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ChallengeForm {
    /// The SHA-256 of the canonical [`ClientData`] naming the service, the nonce and the
    /// time: a signature relayed to another service is refused there. The default.
    #[default]
    Bound,
    /// The service's 32-byte nonce, signed as a SHA-256 digest as it is (Mynaportal
    /// compatible). **Open to relay**: nothing in the signature says which service asked.
    Raw,
}

impl ChallengeForm {
    /// `bound` or `raw`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Bound => "bound",
            Self::Raw => "raw",
        }
    }

    /// The form named `bound` or `raw`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bound" => Some(Self::Bound),
            "raw" => Some(Self::Raw),
            _ => None,
        }
    }
}

pub(crate) fn timestamp(t: SystemTime) -> Result<Timestamp, LoginError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| LoginError::Malformed("time before 1970".into()))?
        .as_secs();
    i64::try_from(secs)
        .ok()
        .and_then(|s| Timestamp::from_unix_seconds(s).ok())
        .ok_or_else(|| LoginError::Malformed("time out of range".into()))
}

pub(crate) fn system_time(t: Timestamp) -> SystemTime {
    // Timestamps are never negative.
    UNIX_EPOCH + Duration::from_secs(u64::try_from(t.unix_seconds()).unwrap_or(0))
}

/// Parses a JSON object of `size`-checked `bytes` whose members are exactly `fields`, all
/// strings, and whose bytes are its canonical (RFC 8785) form: one spelling per value.
fn strict_object(
    bytes: &[u8],
    what: &str,
    fields: &[&str],
) -> Result<Map<String, Value>, LoginError> {
    if bytes.len() > MAX_LOGIN_JSON_SIZE {
        return Err(LoginError::TooLarge {
            size: bytes.len(),
            max: MAX_LOGIN_JSON_SIZE,
        });
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| LoginError::Malformed(format!("{what}: not JSON")))?;
    let Value::Object(map) = value else {
        return Err(LoginError::Malformed(format!("{what}: not an object")));
    };
    if map.len() != fields.len() || fields.iter().any(|f| !map.contains_key(*f)) {
        return Err(LoginError::Malformed(format!(
            "{what}: expected exactly the members {}",
            fields.join(", ")
        )));
    }
    Ok(map)
}

fn string<'a>(map: &'a Map<String, Value>, what: &str, field: &str) -> Result<&'a str, LoginError> {
    map.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| LoginError::Malformed(format!("{what}: {field} is not a string")))
}

fn nonce_of(s: &str, what: &str) -> Result<[u8; NONCE_LEN], LoginError> {
    crate::hex::decode_lowercase(s)
        .and_then(|v| <[u8; NONCE_LEN]>::try_from(v).ok())
        .ok_or_else(|| {
            LoginError::Malformed(format!("{what}: nonce is not 64 lowercase hex digits"))
        })
}

fn time_of(map: &Map<String, Value>, what: &str, field: &str) -> Result<Timestamp, LoginError> {
    Timestamp::parse(string(map, what, field)?)
        .map_err(|_| LoginError::Malformed(format!("{what}: {field} is not YYYY-MM-DDThh:mm:ssZ")))
}

/// A login challenge, as the service issues it and the app receives it (JSON).
///
/// ```json
/// {"expires_at":"2026-01-05T10:05:00Z","form":"bound","issued_at":"2026-01-05T10:00:00Z",
///  "nonce":"<64 hex digits>","service":"https://login.example.jp","type":"mynasign.login.challenge.v1"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginChallenge {
    /// What the app signs.
    pub form: ChallengeForm,
    /// The service that issued it, as it names itself. Informative for the app: a bound
    /// response names the service the **app** believes it talks to, never this field.
    pub service: String,
    /// 256 random bits. For the raw form, the digest the app signs.
    pub nonce: [u8; NONCE_LEN],
    /// When it was issued (the service's clock).
    pub issued_at: Timestamp,
    /// When it can no longer be answered.
    pub expires_at: Timestamp,
}

impl LoginChallenge {
    const FIELDS: [&'static str; 6] = [
        "expires_at",
        "form",
        "issued_at",
        "nonce",
        "service",
        "type",
    ];

    /// The nonce, as lowercase hex.
    pub fn nonce_hex(&self) -> String {
        crate::hex::encode(&self.nonce)
    }

    /// The canonical JSON (RFC 8785).
    pub fn to_json(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("expires_at".into(), self.expires_at.to_string().into());
        m.insert("form".into(), self.form.as_str().into());
        m.insert("issued_at".into(), self.issued_at.to_string().into());
        m.insert("nonce".into(), self.nonce_hex().into());
        m.insert("service".into(), self.service.clone().into());
        m.insert("type".into(), CHALLENGE_TYPE.into());
        to_canonical_json(&Value::Object(m))
    }

    /// Parses a challenge's JSON (members in any order, every member required, no other).
    pub fn from_json(bytes: &[u8]) -> Result<Self, LoginError> {
        const W: &str = "challenge";
        let map = strict_object(bytes, W, &Self::FIELDS)?;
        if string(&map, W, "type")? != CHALLENGE_TYPE {
            return Err(LoginError::Malformed("challenge: unknown type".into()));
        }
        let form = ChallengeForm::parse(string(&map, W, "form")?)
            .ok_or_else(|| LoginError::Malformed("challenge: form is not bound or raw".into()))?;
        let service = string(&map, W, "service")?.to_owned();
        check_service(&service)?;
        Ok(Self {
            form,
            service,
            nonce: nonce_of(string(&map, W, "nonce")?, W)?,
            issued_at: time_of(&map, W, "issued_at")?,
            expires_at: time_of(&map, W, "expires_at")?,
        })
    }

    /// What the app signs for this challenge, believing it talks to `service`, at
    /// `signed_at`: the client data (bound form) and the SHA-256 digest the key signs (the
    /// client data's hash, or the raw form's nonce as it is).
    pub fn to_sign(
        &self,
        service: &str,
        signed_at: SystemTime,
    ) -> Result<(Option<ClientData>, [u8; 32]), LoginError> {
        match self.form {
            ChallengeForm::Raw => Ok((None, self.nonce)),
            ChallengeForm::Bound => {
                let cd = ClientData::new(service, self.nonce, signed_at)?;
                let digest = cd.digest();
                Ok((Some(cd), digest))
            }
        }
    }
}

/// The bound form's client data: the canonical JSON (RFC 8785) the app signs the SHA-256 of.
///
/// ```json
/// {"nonce":"<64 hex digits>","service":"https://login.example.jp","signed_at":"2026-01-05T10:00:12Z","type":"mynasign.login.v1"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientData {
    /// The service the app believes it talks to.
    pub service: String,
    /// The challenge's nonce.
    pub nonce: [u8; NONCE_LEN],
    /// When the app signed (its clock).
    pub signed_at: Timestamp,
}

impl ClientData {
    const FIELDS: [&'static str; 4] = ["nonce", "service", "signed_at", "type"];

    /// Client data for `service`, `nonce`, at `signed_at`.
    pub fn new(
        service: &str,
        nonce: [u8; NONCE_LEN],
        signed_at: SystemTime,
    ) -> Result<Self, LoginError> {
        check_service(service)?;
        Ok(Self {
            service: service.to_owned(),
            nonce,
            signed_at: timestamp(signed_at)?,
        })
    }

    /// The canonical bytes (what is hashed and signed).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("nonce".into(), crate::hex::encode(&self.nonce).into());
        m.insert("service".into(), self.service.clone().into());
        m.insert("signed_at".into(), self.signed_at.to_string().into());
        m.insert("type".into(), CLIENT_DATA_TYPE.into());
        to_canonical_json(&Value::Object(m))
    }

    /// The SHA-256 of [`to_bytes`](Self::to_bytes).
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }

    /// Parses client data, which must be in its canonical form exactly (so the bytes signed
    /// have one reading).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LoginError> {
        const W: &str = "client data";
        let map = strict_object(bytes, W, &Self::FIELDS)?;
        if string(&map, W, "type")? != CLIENT_DATA_TYPE {
            return Err(LoginError::Malformed("client data: unknown type".into()));
        }
        let service = string(&map, W, "service")?.to_owned();
        check_service(&service)?;
        let cd = Self {
            service,
            nonce: nonce_of(string(&map, W, "nonce")?, W)?,
            signed_at: time_of(&map, W, "signed_at")?,
        };
        if cd.to_bytes() != bytes {
            return Err(LoginError::Malformed(
                "client data: not in its canonical form".into(),
            ));
        }
        Ok(cd)
    }
}
