//! The app's answer to a challenge.

use serde_json::{Map, Value};

use crate::consent::jcs::to_canonical_json;

use super::{ChallengeForm, LoginError, MAX_LOGIN_JSON_SIZE, NONCE_LEN};

/// The `type` of a response's JSON.
pub const RESPONSE_TYPE: &str = "mynasign.login.response.v1";

/// How the login signature was made. Both sign a SHA-256 digest: RSA as a PKCS#1 v1.5
/// signature over its DigestInfo (what the card's COMPUTE DIGITAL SIGNATURE returns), ECDSA
/// as a DER `ECDSA-Sig-Value` over the digest (what a platform keystore returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LoginAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (the card, RSA smartphone keys).
    #[default]
    RsaPkcs1Sha256,
    /// ECDSA on P-256 with SHA-256 (a smartphone key in a platform keystore).
    EcdsaP256Sha256,
}

impl LoginAlgorithm {
    /// `rsa_pkcs1_sha256` or `ecdsa_p256_sha256`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "rsa_pkcs1_sha256",
            Self::EcdsaP256Sha256 => "ecdsa_p256_sha256",
        }
    }

    /// The algorithm named by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rsa_pkcs1_sha256" => Some(Self::RsaPkcs1Sha256),
            "ecdsa_p256_sha256" => Some(Self::EcdsaP256Sha256),
            _ => None,
        }
    }
}

/// A login response: the certificate, the signature, the challenge it answers and, for the
/// bound form, the client data exactly as signed.
///
/// `Debug` shows sizes, not bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginResponse {
    /// The challenge's form.
    pub form: ChallengeForm,
    /// The challenge's nonce (which challenge this answers).
    pub nonce: [u8; NONCE_LEN],
    /// The bound form's client data, exactly as signed (`None` for the raw form).
    pub client_data: Option<Vec<u8>>,
    /// The authentication certificate (DER).
    pub certificate: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
    /// How it was made.
    pub algorithm: LoginAlgorithm,
}

impl core::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("form", &self.form)
            .field("nonce", &crate::hex::encode(&self.nonce))
            .field(
                "client_data",
                &self
                    .client_data
                    .as_ref()
                    .map(|c| format!("<{} bytes>", c.len())),
            )
            .field(
                "certificate",
                &format_args!("<{} bytes>", self.certificate.len()),
            )
            .field(
                "signature",
                &format_args!("<{} bytes>", self.signature.len()),
            )
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

fn field<'a>(map: &'a Map<String, Value>, name: &str) -> Result<&'a str, LoginError> {
    map.get(name).and_then(Value::as_str).ok_or_else(|| {
        LoginError::Malformed(format!("response: {name} is missing or not a string"))
    })
}

fn bytes(map: &Map<String, Value>, name: &str) -> Result<Vec<u8>, LoginError> {
    crate::hex::decode_lowercase(field(map, name)?)
        .ok_or_else(|| LoginError::Malformed(format!("response: {name} is not lowercase hex")))
}

impl LoginResponse {
    /// The canonical JSON (RFC 8785); byte strings in lowercase hex.
    pub fn to_json(&self) -> Vec<u8> {
        let mut m = Map::new();
        m.insert("algorithm".into(), self.algorithm.as_str().into());
        m.insert(
            "certificate".into(),
            crate::hex::encode(&self.certificate).into(),
        );
        if let Some(cd) = &self.client_data {
            m.insert("client_data".into(), crate::hex::encode(cd).into());
        }
        m.insert("form".into(), self.form.as_str().into());
        m.insert("nonce".into(), crate::hex::encode(&self.nonce).into());
        m.insert(
            "signature".into(),
            crate::hex::encode(&self.signature).into(),
        );
        m.insert("type".into(), RESPONSE_TYPE.into());
        to_canonical_json(&Value::Object(m))
    }

    /// Parses a response's JSON: every member required (`client_data` exactly when the form
    /// is bound), no other.
    pub fn from_json(json: &[u8]) -> Result<Self, LoginError> {
        if json.len() > MAX_LOGIN_JSON_SIZE {
            return Err(LoginError::TooLarge {
                size: json.len(),
                max: MAX_LOGIN_JSON_SIZE,
            });
        }
        let value: Value = serde_json::from_slice(json)
            .map_err(|_| LoginError::Malformed("response: not JSON".into()))?;
        let Value::Object(map) = value else {
            return Err(LoginError::Malformed("response: not an object".into()));
        };
        if field(&map, "type")? != RESPONSE_TYPE {
            return Err(LoginError::Malformed("response: unknown type".into()));
        }
        let form = ChallengeForm::parse(field(&map, "form")?)
            .ok_or_else(|| LoginError::Malformed("response: form is not bound or raw".into()))?;
        let expected = match form {
            ChallengeForm::Bound => 7,
            ChallengeForm::Raw => 6,
        };
        let client_data = match form {
            ChallengeForm::Bound => Some(bytes(&map, "client_data")?),
            ChallengeForm::Raw => None,
        };
        if map.len() != expected {
            return Err(LoginError::Malformed("response: unexpected members".into()));
        }
        let nonce = <[u8; NONCE_LEN]>::try_from(bytes(&map, "nonce")?)
            .map_err(|_| LoginError::Malformed("response: nonce is not 32 bytes".into()))?;
        Ok(Self {
            form,
            nonce,
            client_data,
            certificate: bytes(&map, "certificate")?,
            signature: bytes(&map, "signature")?,
            algorithm: LoginAlgorithm::parse(field(&map, "algorithm")?)
                .ok_or_else(|| LoginError::Malformed("response: unknown algorithm".into()))?,
        })
    }
}
