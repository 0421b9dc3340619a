//! Personas described in a small JSON file, so an app developer can test their own edge cases
//! (a long address, a blocked password, an expired certificate, an under-15 card, …) without
//! writing Rust: `mynasign emulator serve --persona FILE`, `--persona FILE` on the CLI's card
//! commands, and the FFI's `Emulator.fromPersonaJson`.
//!
//! The format (version 1; every key not marked optional is required, unknown keys are
//! refused so a typo cannot silently fall back to a default):
//!
//! ```json
//! {
//!   "format": "mynasign-persona/1",
//!   "description": "free text (optional)",
//!   "seed": 1001,
//!   "profile": "card",
//!   "holder": {
//!     "name": "山田　花子",
//!     "address": "東京都千代田区霞が関２丁目１－２",
//!     "date_of_birth": "1980-02-17",
//!     "sex": "female",
//!     "name_substitute_flags": "00000",
//!     "address_substitute_flags": "0000000000000000",
//!     "prefecture": "Tokyo-to",
//!     "municipality": "Chiyoda-ku"
//!   },
//!   "pins": {
//!     "signature_password": "ABC123",
//!     "authentication_pin": "1234",
//!     "card_info_pin": "5678"
//!   },
//!   "remaining_attempts": { "signature_password": 5, "authentication_pin": 3, "card_info_pin": 3 },
//!   "certificates": {
//!     "signature_certificate": true,
//!     "issued": "2025-10-27",
//!     "last_day": "2030-02-17",
//!     "revoked_at": "2026-03-01T00:00:00Z"
//!   }
//! }
//! ```
//!
//! - `seed` (optional): the keys, serial numbers and subject identifiers derive from it
//!   (default: a hash of the file's bytes, so one file always gives the same certificates).
//! - `profile` (optional, default `card`): `card`, `legacy_card`, `android` or `iphone`.
//! - `sex`: `male`, `female`, `not_applicable` or `unknown` (the card's codes 1, 2, 9, 0).
//! - the substitute-character flags (optional): one ASCII digit per character of the name or
//!   address, `0` for a character written as is (default: all `0`).
//! - `prefecture` and `municipality` (optional): romanised, for the certificate subject's two
//!   `L` attributes (default `Tokyo-to`, `Chiyoda-ku`).
//! - `remaining_attempts` (optional, each key optional): the PIN counters when the card is
//!   inserted; `0` is a blocked PIN (defaults 5, 3, 3).
//! - `certificates` (optional): `signature_certificate: false` gives a card without one (a
//!   holder under 15); `issued` (default 2025-04-01) and `last_day` (default: the 5th birthday
//!   after issue, as J-LIS does) bound both certificates' validity; `revoked_at` (RFC 3339)
//!   puts the signature certificate in the CRL the emulator CA issues for this persona.
//! - `card_info_integrity` (optional, default `genuine`): what the card-info application's
//!   signed files say, to test each refusal of `mynasign::evidence`: `tampered_record` (one
//!   byte of EF `0003` changed after signing), `certificate_from_wrong_ca` (EF `0004` signed by
//!   another key than the CA it names), `missing_record` (no EF `0003`).
//!
//! Example files for the common edge cases are in `examples/personas/` of the repository.

use std::time::SystemTime;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::attributes::{BasicFourAttributes, Sex};
use crate::consent::Timestamp;
use crate::date::Date;
use crate::jpki::Profile;
use crate::pin::{Pin, PinKind};

/// The value of the `format` key this version reads.
pub const PERSONA_FORMAT: &str = "mynasign-persona/1";

/// The largest persona file read (a persona is a few hundred bytes).
pub const MAX_PERSONA_FILE: usize = 64 * 1024;

/// Why a persona file was refused. Messages name the key, never its value (a persona may hold
/// real-looking personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PersonaSpecError {
    /// Not JSON, or not an object, or larger than [`MAX_PERSONA_FILE`].
    #[error("the persona file is not a JSON object of at most 64 KiB")]
    NotJson,
    /// The `format` key is missing or names another version.
    #[error("the persona file's \"format\" must be \"{PERSONA_FORMAT}\"")]
    UnknownFormat,
    /// A key the format does not have (a typo, say).
    #[error("unknown key {0:?} in the persona file")]
    UnknownKey(String),
    /// A required key is missing.
    #[error("the persona file lacks {0:?}")]
    Missing(&'static str),
    /// A value of the wrong type or form.
    #[error("{key:?} in the persona file: {reason}")]
    Invalid {
        /// The key, dotted (`holder.date_of_birth`).
        key: &'static str,
        /// What is wrong, without the value.
        reason: &'static str,
    },
}

/// A persona as a file describes it (see the module documentation).
#[derive(Clone)]
pub struct PersonaSpec {
    /// Keys, serials and identifiers derive from it.
    pub seed: u64,
    /// The profile the persona's card answers as.
    pub profile: Profile,
    /// The basic four attributes.
    pub attributes: BasicFourAttributes,
    /// One digit per character of the name.
    pub name_substitute_flags: String,
    /// One digit per character of the address.
    pub address_substitute_flags: String,
    /// Romanised prefecture (certificate subject).
    pub prefecture: String,
    /// Romanised municipality (certificate subject).
    pub municipality: String,
    /// The signature password (6–16 of `A-Z0-9`).
    pub signature_password: zeroize::Zeroizing<String>,
    /// The user-authentication PIN (4 digits).
    pub authentication_pin: zeroize::Zeroizing<String>,
    /// The card-info input PIN (4 digits).
    pub card_info_pin: zeroize::Zeroizing<String>,
    /// Attempts left: signature password, authentication PIN, card-info PIN.
    pub remaining_attempts: [u8; 3],
    /// Whether the card holds a signature certificate (false: a holder under 15).
    pub has_signature_certificate: bool,
    /// The certificates' issue date.
    pub issue_date: Date,
    /// The certificates' last day, when not the J-LIS rule's.
    pub last_day: Option<Date>,
    /// When the signature certificate was revoked, if it was.
    pub revoked_at: Option<SystemTime>,
    /// What the card-info application's signed files say.
    pub card_info_integrity: super::CardInfoIntegrity,
}

impl core::fmt::Debug for PersonaSpec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PersonaSpec")
            .field("seed", &self.seed)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

type R<T> = Result<T, PersonaSpecError>;

fn object<'a>(value: &'a Value, key: &'static str, allowed: &[&str]) -> R<&'a Map<String, Value>> {
    let map = value.as_object().ok_or(PersonaSpecError::Invalid {
        key,
        reason: "must be an object",
    })?;
    if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(PersonaSpecError::UnknownKey(unknown.clone()));
    }
    Ok(map)
}

fn text<'a>(map: &'a Map<String, Value>, name: &str, key: &'static str) -> R<Option<&'a str>> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(PersonaSpecError::Invalid {
            key,
            reason: "must be a string",
        }),
    }
}

fn required<'a>(map: &'a Map<String, Value>, name: &str, key: &'static str) -> R<&'a str> {
    text(map, name, key)?.ok_or(PersonaSpecError::Missing(key))
}

fn date(s: &str, key: &'static str) -> R<Date> {
    Date::parse_iso(s).map_err(|_| PersonaSpecError::Invalid {
        key,
        reason: "must be a date YYYY-MM-DD",
    })
}

fn flags(given: Option<&str>, of: &str, key: &'static str) -> R<String> {
    let Some(flags) = given else {
        return Ok("0".repeat(of.chars().count()));
    };
    if flags.chars().count() != of.chars().count() || !flags.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PersonaSpecError::Invalid {
            key,
            reason: "must be one ASCII digit per character",
        });
    }
    Ok(flags.to_owned())
}

fn profile(s: &str) -> R<Profile> {
    [
        Profile::MyNumberCard,
        Profile::LegacyResidentCard,
        Profile::AndroidSmartphone,
        Profile::IPhone,
    ]
    .into_iter()
    .find(|p| p.as_str() == s || (s == "legacy" && *p == Profile::LegacyResidentCard))
    .ok_or(PersonaSpecError::Invalid {
        key: "profile",
        reason: "must be card, legacy_card, android or iphone",
    })
}

fn sex(s: &str) -> R<Sex> {
    Ok(match s {
        "male" | "1" => Sex::Male,
        "female" | "2" => Sex::Female,
        "not_applicable" | "9" => Sex::NotApplicable,
        "unknown" | "0" => Sex::Unknown,
        _ => {
            return Err(PersonaSpecError::Invalid {
                key: "holder.sex",
                reason: "must be male, female, not_applicable or unknown",
            })
        }
    })
}

fn pin(s: &str, kind: PinKind, key: &'static str) -> R<zeroize::Zeroizing<String>> {
    // The card stores what the holder set: only a PIN the library accepts can be set.
    let ok =
        Pin::new(kind, s).is_ok() && (kind != PinKind::SignaturePassword || s == s.to_uppercase());
    if !ok {
        return Err(PersonaSpecError::Invalid {
            key,
            reason: match kind {
                PinKind::SignaturePassword => "must be 6 to 16 of A-Z and 0-9",
                _ => "must be 4 digits",
            },
        });
    }
    Ok(zeroize::Zeroizing::new(s.to_owned()))
}

impl PersonaSpec {
    /// Reads a persona file (see the module documentation for the format).
    pub fn from_json(bytes: &[u8]) -> R<Self> {
        if bytes.len() > MAX_PERSONA_FILE {
            return Err(PersonaSpecError::NotJson);
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|_| PersonaSpecError::NotJson)?;
        if !value.is_object() {
            return Err(PersonaSpecError::NotJson);
        }
        let top = object(
            &value,
            "(top level)",
            &[
                "format",
                "description",
                "seed",
                "profile",
                "holder",
                "pins",
                "remaining_attempts",
                "certificates",
                "card_info_integrity",
            ],
        )?;
        if text(top, "format", "format")? != Some(PERSONA_FORMAT) {
            return Err(PersonaSpecError::UnknownFormat);
        }
        text(top, "description", "description")?;
        let seed = match top.get("seed") {
            None => {
                let digest = Sha256::digest(bytes);
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                // Far from the small seeds of the built-in personas.
                u64::from_be_bytes(first) | (1 << 63)
            }
            Some(v) => v.as_u64().ok_or(PersonaSpecError::Invalid {
                key: "seed",
                reason: "must be a non-negative integer",
            })?,
        };
        let profile = match text(top, "profile", "profile")? {
            None => Profile::MyNumberCard,
            Some(p) => profile(p)?,
        };

        let holder = object(
            top.get("holder")
                .ok_or(PersonaSpecError::Missing("holder"))?,
            "holder",
            &[
                "name",
                "address",
                "date_of_birth",
                "sex",
                "name_substitute_flags",
                "address_substitute_flags",
                "prefecture",
                "municipality",
            ],
        )?;
        let name = required(holder, "name", "holder.name")?;
        if name.matches('\u{3000}').count() != 1 {
            return Err(PersonaSpecError::Invalid {
                key: "holder.name",
                reason: "must be the family and given names separated by one U+3000",
            });
        }
        let address = required(holder, "address", "holder.address")?;
        if address.is_empty() || address.len() > 1000 {
            return Err(PersonaSpecError::Invalid {
                key: "holder.address",
                reason: "must be 1 to 1000 bytes",
            });
        }
        let attributes = BasicFourAttributes {
            name: name.to_owned(),
            address: address.to_owned(),
            date_of_birth: date(
                required(holder, "date_of_birth", "holder.date_of_birth")?,
                "holder.date_of_birth",
            )?,
            sex: sex(required(holder, "sex", "holder.sex")?)?,
        };
        let name_substitute_flags = flags(
            text(
                holder,
                "name_substitute_flags",
                "holder.name_substitute_flags",
            )?,
            name,
            "holder.name_substitute_flags",
        )?;
        let address_substitute_flags = flags(
            text(
                holder,
                "address_substitute_flags",
                "holder.address_substitute_flags",
            )?,
            address,
            "holder.address_substitute_flags",
        )?;
        let romanised = |k: &str, key: &'static str, default: &str| -> R<String> {
            let v = text(holder, k, key)?.unwrap_or(default);
            if v.is_empty() || !v.is_ascii() || v.len() > 64 {
                return Err(PersonaSpecError::Invalid {
                    key,
                    reason: "must be 1 to 64 ASCII characters",
                });
            }
            Ok(v.to_owned())
        };
        let prefecture = romanised("prefecture", "holder.prefecture", "Tokyo-to")?;
        let municipality = romanised("municipality", "holder.municipality", "Chiyoda-ku")?;

        let pins = object(
            top.get("pins").ok_or(PersonaSpecError::Missing("pins"))?,
            "pins",
            &["signature_password", "authentication_pin", "card_info_pin"],
        )?;
        let signature_password = pin(
            required(pins, "signature_password", "pins.signature_password")?,
            PinKind::SignaturePassword,
            "pins.signature_password",
        )?;
        let authentication_pin = pin(
            required(pins, "authentication_pin", "pins.authentication_pin")?,
            PinKind::AuthenticationPin,
            "pins.authentication_pin",
        )?;
        let card_info_pin = pin(
            required(pins, "card_info_pin", "pins.card_info_pin")?,
            PinKind::CardInfoPin,
            "pins.card_info_pin",
        )?;

        let mut remaining_attempts = [
            PinKind::SignaturePassword.max_attempts(),
            PinKind::AuthenticationPin.max_attempts(),
            PinKind::CardInfoPin.max_attempts(),
        ];
        if let Some(v) = top.get("remaining_attempts") {
            let counters = object(
                v,
                "remaining_attempts",
                &["signature_password", "authentication_pin", "card_info_pin"],
            )?;
            for (slot, (name, key, kind)) in remaining_attempts.iter_mut().zip([
                (
                    "signature_password",
                    "remaining_attempts.signature_password",
                    PinKind::SignaturePassword,
                ),
                (
                    "authentication_pin",
                    "remaining_attempts.authentication_pin",
                    PinKind::AuthenticationPin,
                ),
                (
                    "card_info_pin",
                    "remaining_attempts.card_info_pin",
                    PinKind::CardInfoPin,
                ),
            ]) {
                if let Some(n) = counters.get(name) {
                    *slot = n
                        .as_u64()
                        .and_then(|n| u8::try_from(n).ok())
                        .filter(|n| *n <= kind.max_attempts())
                        .ok_or(PersonaSpecError::Invalid {
                            key,
                            reason: "must be an integer from 0 to the PIN's maximum",
                        })?;
                }
            }
        }

        let mut has_signature_certificate = true;
        let mut issue_date = Date::new(2025, 4, 1).map_err(|_| PersonaSpecError::NotJson)?;
        let (mut last_day, mut revoked_at) = (None, None);
        if let Some(v) = top.get("certificates") {
            let certs = object(
                v,
                "certificates",
                &["signature_certificate", "issued", "last_day", "revoked_at"],
            )?;
            if let Some(b) = certs.get("signature_certificate") {
                has_signature_certificate = b.as_bool().ok_or(PersonaSpecError::Invalid {
                    key: "certificates.signature_certificate",
                    reason: "must be true or false",
                })?;
            }
            if let Some(s) = text(certs, "issued", "certificates.issued")? {
                issue_date = date(s, "certificates.issued")?;
            }
            if let Some(s) = text(certs, "last_day", "certificates.last_day")? {
                let day = date(s, "certificates.last_day")?;
                if day < issue_date {
                    return Err(PersonaSpecError::Invalid {
                        key: "certificates.last_day",
                        reason: "must not be before the issue date",
                    });
                }
                last_day = Some(day);
            }
            if let Some(s) = text(certs, "revoked_at", "certificates.revoked_at")? {
                let t = Timestamp::parse(s).map_err(|_| PersonaSpecError::Invalid {
                    key: "certificates.revoked_at",
                    reason: "must be an RFC 3339 time",
                })?;
                let secs =
                    u64::try_from(t.unix_seconds()).map_err(|_| PersonaSpecError::Invalid {
                        key: "certificates.revoked_at",
                        reason: "must be after 1970",
                    })?;
                revoked_at = Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs));
            }
        }
        if revoked_at.is_some() && !has_signature_certificate {
            return Err(PersonaSpecError::Invalid {
                key: "certificates.revoked_at",
                reason: "needs a signature certificate",
            });
        }
        let card_info_integrity = match text(top, "card_info_integrity", "card_info_integrity")? {
            None => super::CardInfoIntegrity::Genuine,
            Some(v) => super::CardInfoIntegrity::from_name(v).ok_or(PersonaSpecError::Invalid {
                key: "card_info_integrity",
                reason:
                    "must be genuine, tampered_record, certificate_from_wrong_ca or missing_record",
            })?,
        };
        Ok(Self {
            seed,
            profile,
            attributes,
            name_substitute_flags,
            address_substitute_flags,
            prefecture,
            municipality,
            signature_password,
            authentication_pin,
            card_info_pin,
            remaining_attempts,
            has_signature_certificate,
            issue_date,
            last_day,
            revoked_at,
            card_info_integrity,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
        "format": "mynasign-persona/1",
        "holder": {"name": "山田　花子", "address": "東京都千代田区", "date_of_birth": "1980-02-17", "sex": "female"},
        "pins": {"signature_password": "ABC123", "authentication_pin": "1234", "card_info_pin": "5678"}
    }"#;

    #[test]
    fn minimal_file_takes_defaults() {
        let s = PersonaSpec::from_json(MINIMAL.as_bytes()).unwrap();
        assert_eq!(s.profile, Profile::MyNumberCard);
        assert_eq!(s.remaining_attempts, [5, 3, 3]);
        assert!(s.has_signature_certificate);
        assert_eq!(s.name_substitute_flags, "00000");
        assert_eq!(s.address_substitute_flags, "0000000");
        assert_eq!(s.seed >> 63, 1);
        assert_eq!(
            s.seed,
            PersonaSpec::from_json(MINIMAL.as_bytes()).unwrap().seed
        );
        // Debug shows no personal data and no PIN.
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("山田") && !dbg.contains("ABC123") && !dbg.contains("1980"));
    }

    #[test]
    fn refusals_name_the_key_not_the_value() {
        let with = |from: &str, to: &str| {
            let text = MINIMAL.replace(from, to);
            PersonaSpec::from_json(text.as_bytes()).unwrap_err()
        };
        assert_eq!(
            with("mynasign-persona/1", "mynasign-persona/2"),
            PersonaSpecError::UnknownFormat
        );
        assert_eq!(
            with("\"sex\"", "\"gender\""),
            PersonaSpecError::UnknownKey("gender".into())
        );
        assert_eq!(
            with("\"ABC123\"", "\"abc123\""),
            PersonaSpecError::Invalid {
                key: "pins.signature_password",
                reason: "must be 6 to 16 of A-Z and 0-9"
            }
        );
        assert_eq!(
            with("\"1234\"", "\"12345\""),
            PersonaSpecError::Invalid {
                key: "pins.authentication_pin",
                reason: "must be 4 digits"
            }
        );
        let e = with("1980-02-17", "1980-02-30");
        assert!(matches!(
            e,
            PersonaSpecError::Invalid {
                key: "holder.date_of_birth",
                ..
            }
        ));
        assert!(!e.to_string().contains("1980"));
        let e = with("山田　花子", "山田花子");
        assert!(!e.to_string().contains("山田"), "{e}");
        assert_eq!(
            PersonaSpec::from_json(b"[1]").unwrap_err(),
            PersonaSpecError::NotJson
        );
        assert_eq!(
            PersonaSpec::from_json(&vec![b' '; MAX_PERSONA_FILE + 1]).unwrap_err(),
            PersonaSpecError::NotJson
        );
        let counters = MINIMAL.replace(
            "\"pins\"",
            "\"remaining_attempts\": {\"signature_password\": 6}, \"pins\"",
        );
        assert!(matches!(
            PersonaSpec::from_json(counters.as_bytes()).unwrap_err(),
            PersonaSpecError::Invalid {
                key: "remaining_attempts.signature_password",
                ..
            }
        ));
    }

    #[test]
    fn card_info_integrity() {
        let with = |value: &str| {
            let text = MINIMAL.replacen(
                "\"format\"",
                &format!("\"card_info_integrity\": {value}, \"format\""),
                1,
            );
            PersonaSpec::from_json(text.as_bytes())
        };
        assert_eq!(
            PersonaSpec::from_json(MINIMAL.as_bytes())
                .unwrap()
                .card_info_integrity,
            super::super::CardInfoIntegrity::Genuine
        );
        for v in [
            super::super::CardInfoIntegrity::TamperedRecord,
            super::super::CardInfoIntegrity::CertificateFromWrongCa,
            super::super::CardInfoIntegrity::MissingRecord,
        ] {
            let spec = with(&format!("\"{}\"", v.as_str())).unwrap();
            assert_eq!(spec.card_info_integrity, v);
        }
        for bad in ["\"tampered\"", "1"] {
            assert!(matches!(
                with(bad),
                Err(PersonaSpecError::Invalid {
                    key: "card_info_integrity",
                    ..
                })
            ));
        }
    }
}
