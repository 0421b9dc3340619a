//! The portable evidence object: the card-info files and the presence answer, as one
//! versioned document an app produces and a back end verifies again.
//!
//! # Encoding, format 1
//!
//! One JSON object, UTF-8, at most [`MAX_EVIDENCE_SIZE`] bytes; every byte string is lowercase
//! hexadecimal (uppercase is read too); unknown keys are refused:
//!
//! ```json
//! {
//!   "format": "mynasign-card-info-evidence/1",
//!   "basic_four": "ff20…",         // EF 0002 as read, without filler
//!   "integrity_record": "ff30…",   // EF 0003
//!   "ap_certificate": "7f21…",     // EF 0004
//!   "presence": {                  // optional: when the receiver sent a challenge
//!     "signed_ap_key": "ff50…",    // EF 0007
//!     "challenge": "…",            // the receiver's challenge, 16 to 255 bytes
//!     "answer": "…"                // the card's 256-byte signature over it
//!   }
//! }
//! ```
//!
//! The files are the card's own bytes: every signature in them is checked again from them,
//! nothing the app computed is trusted. The object holds personal data: EF `0002` is the basic
//! four, and EF `0003`'s `DF31` is a digest of the My Number that a search of the 10^11
//! possible numbers reverses. Store and send it as such. `Debug` shows lengths only.

use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::cvc::{CardVerifiableCertificate, CvcTrust, Hierarchy, KeyId};
use super::error::{malformed, AuthenticityError, EvidenceFile};
use super::presence::{check_challenge, SignedApKey};
use super::record::IntegrityRecord;
use crate::attributes::BasicFourAttributes;

/// The `format` of this version.
pub const EVIDENCE_FORMAT: &str = "mynasign-card-info-evidence/1";

/// The largest evidence object read (bytes): the files are about 1.5 KiB, hex doubles it.
pub const MAX_EVIDENCE_SIZE: usize = 64 * 1024;

/// The presence proof: EF `0007`, the receiver's challenge and the card's answer.
#[derive(Clone, PartialEq, Eq)]
pub struct PresenceProof {
    /// EF `0007` as read.
    pub signed_ap_key: Vec<u8>,
    /// The challenge the receiver issued.
    pub challenge: Vec<u8>,
    /// The card's signature over it.
    pub answer: Vec<u8>,
}

impl core::fmt::Debug for PresenceProof {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PresenceProof")
            .field("challenge_len", &self.challenge.len())
            .field("answer_len", &self.answer.len())
            .finish_non_exhaustive()
    }
}

/// The card-info files read in one session, and the presence proof when asked for.
#[derive(Clone, PartialEq, Eq)]
pub struct CardInfoEvidence {
    basic_four: Zeroizing<Vec<u8>>,
    integrity_record: Zeroizing<Vec<u8>>,
    ap_certificate: Vec<u8>,
    presence: Option<PresenceProof>,
}

impl core::fmt::Debug for CardInfoEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardInfoEvidence")
            .field("basic_four_len", &self.basic_four.len())
            .field("integrity_record_len", &self.integrity_record.len())
            .field("ap_certificate_len", &self.ap_certificate.len())
            .field("presence", &self.presence)
            .finish()
    }
}

/// What [`CardInfoEvidence::verify`] found: the attributes, now authentic. `Debug` shows the
/// key ids and hierarchy only; the attributes are reached through [`Self::attributes`].
#[derive(Clone)]
pub struct AuthenticAttributes {
    attributes: BasicFourAttributes,
    hierarchy: Hierarchy,
    issuer_key_id: KeyId,
    subject_key_id: KeyId,
    card_present: bool,
}

impl core::fmt::Debug for AuthenticAttributes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthenticAttributes")
            .field("hierarchy", &self.hierarchy)
            .field("issuer_key_id", &self.issuer_key_id)
            .field("subject_key_id", &self.subject_key_id)
            .field("card_present", &self.card_present)
            .finish_non_exhaustive()
    }
}

impl AuthenticAttributes {
    /// The basic four attributes the card's issuer signed.
    pub fn attributes(&self) -> &BasicFourAttributes {
        &self.attributes
    }
    /// The hierarchy whose CA key certified the application.
    pub fn hierarchy(&self) -> Hierarchy {
        self.hierarchy
    }
    /// The CA key id of EF `0004`.
    pub fn issuer_key_id(&self) -> KeyId {
        self.issuer_key_id
    }
    /// The certified key's id (the issuing municipality's key).
    pub fn subject_key_id(&self) -> KeyId {
        self.subject_key_id
    }
    /// Whether the card answered the receiver's own challenge (checked only when the receiver
    /// gave [`CardInfoEvidence::verify`] one).
    pub fn card_present(&self) -> bool {
        self.card_present
    }

    /// The Mynaportal linkage check on authentic attributes: the fields in which they differ
    /// from the signature certificate's (empty: the same person), compared exactly as
    /// [`crate::consent::check_linkage`] compares them. Unlike that check, the card-info side
    /// here is the issuer's, not whatever an app sent.
    pub fn linkage_differences(
        &self,
        certificate: &BasicFourAttributes,
    ) -> Vec<crate::attributes::AttributeField> {
        self.attributes.differing_fields(certificate)
    }
}

fn field(
    map: &Map<String, Value>,
    key: &str,
    file: EvidenceFile,
) -> Result<Vec<u8>, AuthenticityError> {
    match map.get(key) {
        Some(Value::String(s)) => {
            crate::hex::decode(s).ok_or_else(|| malformed(file, "not hexadecimal"))
        }
        Some(_) => Err(malformed(file, "not a hexadecimal string")),
        None => Err(malformed(
            EvidenceFile::Evidence,
            "a required key is missing",
        )),
    }
}

fn only(map: &Map<String, Value>, keys: &[&str]) -> Result<(), AuthenticityError> {
    if map.keys().all(|k| keys.contains(&k.as_str())) {
        Ok(())
    } else {
        Err(malformed(EvidenceFile::Evidence, "an unknown key"))
    }
}

impl CardInfoEvidence {
    /// The evidence from the files as read: EF `0002`, `0003`, `0004` (filler after each
    /// object is dropped), and the presence proof if there is one. Nothing is checked here.
    pub fn new(
        basic_four: &[u8],
        integrity_record: &[u8],
        ap_certificate: &[u8],
        presence: Option<PresenceProof>,
    ) -> Self {
        let trim = |b: &[u8]| match super::tlv::split(b) {
            Some((t, _)) => t.raw.to_vec(),
            None => b.to_vec(),
        };
        Self {
            basic_four: Zeroizing::new(trim(basic_four)),
            integrity_record: Zeroizing::new(trim(integrity_record)),
            ap_certificate: trim(ap_certificate),
            presence: presence.map(|p| PresenceProof {
                signed_ap_key: trim(&p.signed_ap_key),
                ..p
            }),
        }
    }

    /// EF `0002` as carried (personal data).
    pub fn basic_four(&self) -> &[u8] {
        &self.basic_four
    }
    /// EF `0003` as carried (personal data: its `DF31` gives the My Number back, see the
    /// module documentation).
    pub fn integrity_record(&self) -> &[u8] {
        &self.integrity_record
    }
    /// EF `0004` as carried.
    pub fn ap_certificate(&self) -> &[u8] {
        &self.ap_certificate
    }
    /// The presence proof, if the app was given a challenge.
    pub fn presence(&self) -> Option<&PresenceProof> {
        self.presence.as_ref()
    }

    /// Encodes the evidence (format 1, see the module documentation).
    pub fn to_json(&self) -> Zeroizing<String> {
        let mut v = json!({
            "format": EVIDENCE_FORMAT,
            "basic_four": crate::hex::encode(&self.basic_four),
            "integrity_record": crate::hex::encode(&self.integrity_record),
            "ap_certificate": crate::hex::encode(&self.ap_certificate),
        });
        if let (Some(p), Some(o)) = (&self.presence, v.as_object_mut()) {
            o.insert(
                "presence".into(),
                json!({
                    "signed_ap_key": crate::hex::encode(&p.signed_ap_key),
                    "challenge": crate::hex::encode(&p.challenge),
                    "answer": crate::hex::encode(&p.answer),
                }),
            );
        }
        Zeroizing::new(v.to_string())
    }

    /// Reads an encoded evidence object (format 1). Structure only: [`Self::verify`] checks it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, AuthenticityError> {
        let e = EvidenceFile::Evidence;
        if bytes.len() > MAX_EVIDENCE_SIZE {
            return Err(malformed(e, "larger than 64 KiB"));
        }
        let v: Value =
            serde_json::from_slice(bytes).map_err(|_| malformed(e, "not a JSON object"))?;
        let top = v.as_object().ok_or(malformed(e, "not a JSON object"))?;
        if top.get("format").and_then(Value::as_str) != Some(EVIDENCE_FORMAT) {
            return Err(AuthenticityError::UnsupportedFormat);
        }
        only(
            top,
            &[
                "format",
                "basic_four",
                "integrity_record",
                "ap_certificate",
                "presence",
            ],
        )?;
        let presence = match top.get("presence") {
            None => None,
            Some(Value::Object(p)) => {
                only(p, &["signed_ap_key", "challenge", "answer"])?;
                Some(PresenceProof {
                    signed_ap_key: field(p, "signed_ap_key", EvidenceFile::SignedApKey)?,
                    challenge: field(p, "challenge", EvidenceFile::Presence)?,
                    answer: field(p, "answer", EvidenceFile::Presence)?,
                })
            }
            Some(_) => return Err(malformed(e, "presence is not an object")),
        };
        Ok(Self {
            basic_four: Zeroizing::new(field(top, "basic_four", EvidenceFile::BasicFour)?),
            integrity_record: Zeroizing::new(field(
                top,
                "integrity_record",
                EvidenceFile::IntegrityRecord,
            )?),
            ap_certificate: field(top, "ap_certificate", EvidenceFile::ApCertificate)?,
            presence,
        })
    }

    /// Verifies everything, in this order: EF `0004` under the trusted CA key it names (one
    /// hierarchy, never mixed), the integrity record's `DF33` under the key it certifies, the
    /// basic four against `DF32`; then, when `challenge` is given (the one the receiver issued
    /// for this read), that the evidence answers exactly that challenge, EF `0007`'s signature
    /// under the certified key, and the card's answer under EF `0007`'s key. A presence proof
    /// carried without a `challenge` to compare is still checked (a forged one is refused), but
    /// proves nothing fresh: [`AuthenticAttributes::card_present`] is then false.
    pub fn verify(
        &self,
        trust: &CvcTrust,
        challenge: Option<&[u8]>,
    ) -> Result<AuthenticAttributes, AuthenticityError> {
        let cert = CardVerifiableCertificate::parse(&self.ap_certificate)?;
        cert.verify(trust)?;
        let record = IntegrityRecord::parse(&self.integrity_record)?;
        record.verify_signature(cert.public_key())?;
        if !record.covers_attributes(&self.basic_four)? {
            return Err(AuthenticityError::AttributesDigest);
        }
        let attributes = crate::attributes::parse_attributes_record(&self.basic_four)
            .map_err(|_| malformed(EvidenceFile::BasicFour, "not an attributes record"))?;
        if let Some(c) = challenge {
            check_challenge(c)?;
            let p = self
                .presence
                .as_ref()
                .ok_or(AuthenticityError::PresenceMissing)?;
            if p.challenge != c {
                return Err(AuthenticityError::ChallengeMismatch);
            }
        }
        if let Some(p) = &self.presence {
            check_challenge(&p.challenge)?;
            let key = SignedApKey::parse(&p.signed_ap_key)?;
            key.verify(cert.public_key())?;
            key.verify_answer(&p.challenge, &p.answer)?;
        }
        Ok(AuthenticAttributes {
            attributes,
            hierarchy: trust.hierarchy(),
            issuer_key_id: cert.issuer_key_id(),
            subject_key_id: cert.subject_key_id(),
            card_present: challenge.is_some(),
        })
    }
}
