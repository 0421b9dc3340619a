//! PINs: their kinds, local format checks, and zeroizing storage.
//!
//! A PIN is validated here, before any APDU is sent: a malformed PIN never costs the holder an
//! attempt. The bytes are wiped from memory when the [`Pin`] is dropped, and neither `Debug`
//! nor any error message ever shows them.

use zeroize::Zeroizing;

/// Which PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinKind {
    /// The signature password (署名用電子証明書用暗証番号): 6 to 16 of `A-Z` and `0-9`, 5 tries.
    SignaturePassword,
    /// The user-authentication PIN (利用者証明用電子証明書用暗証番号): 4 digits, 3 tries.
    AuthenticationPin,
    /// The card-info input support PIN (券面事項入力補助用暗証番号): 4 digits, 3 tries.
    CardInfoPin,
}

impl PinKind {
    /// How many consecutive wrong entries lock it.
    pub const fn max_attempts(self) -> u8 {
        match self {
            PinKind::SignaturePassword => 5,
            PinKind::AuthenticationPin | PinKind::CardInfoPin => 3,
        }
    }

    /// The EF id of the PIN on the card.
    pub const fn ef(self) -> u16 {
        match self {
            PinKind::SignaturePassword => 0x001B,
            PinKind::AuthenticationPin => 0x0018,
            PinKind::CardInfoPin => 0x0011,
        }
    }

    /// A short English name.
    pub const fn name(self) -> &'static str {
        match self {
            PinKind::SignaturePassword => "signature password",
            PinKind::AuthenticationPin => "user-authentication PIN",
            PinKind::CardInfoPin => "card-info input PIN",
        }
    }
}

impl core::fmt::Display for PinKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a PIN was rejected before anything was sent. Never contains the PIN or its characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinFormatError {
    /// Too short or too long.
    #[error("must be {min} to {max} characters, got {actual}")]
    Length {
        /// Shortest allowed.
        min: usize,
        /// Longest allowed.
        max: usize,
        /// Length given.
        actual: usize,
    },
    /// A character outside the allowed set (`A-Z`, `0-9` for the signature password; digits
    /// for the 4-digit PINs).
    #[error("contains a character that is not allowed (allowed: {allowed})")]
    InvalidCharacter {
        /// The allowed set, in words.
        allowed: &'static str,
    },
}

/// A PIN of a given kind, format-checked and zeroized on drop.
#[derive(Clone)]
pub struct Pin {
    kind: PinKind,
    bytes: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Pin({:?}, ***)", self.kind)
    }
}

impl Pin {
    /// Checks and takes a PIN of `kind`.
    ///
    /// The signature password is uppercased first (lowercase letters can never be right on the
    /// card, which compares bytes); any character other than `A-Z`/`0-9` after that is
    /// rejected. The 4-digit PINs must be exactly four ASCII digits.
    pub fn new(kind: PinKind, text: &str) -> Result<Self, PinFormatError> {
        let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(text.as_bytes().to_vec());
        match kind {
            PinKind::SignaturePassword => {
                let chars = text.chars().count();
                let mut out = Zeroizing::new(Vec::with_capacity(bytes.len()));
                for &b in bytes.iter() {
                    let up = b.to_ascii_uppercase();
                    if !(up.is_ascii_uppercase() || up.is_ascii_digit()) {
                        return Err(PinFormatError::InvalidCharacter {
                            allowed: "A-Z and 0-9",
                        });
                    }
                    out.push(up);
                }
                if !(6..=16).contains(&chars) {
                    return Err(PinFormatError::Length {
                        min: 6,
                        max: 16,
                        actual: chars,
                    });
                }
                Ok(Self { kind, bytes: out })
            }
            PinKind::AuthenticationPin | PinKind::CardInfoPin => {
                if !bytes.iter().all(u8::is_ascii_digit) {
                    return Err(PinFormatError::InvalidCharacter { allowed: "0-9" });
                }
                if bytes.len() != 4 {
                    return Err(PinFormatError::Length {
                        min: 4,
                        max: 4,
                        actual: text.chars().count(),
                    });
                }
                Ok(Self { kind, bytes })
            }
        }
    }

    /// A signature password (see [`Pin::new`]).
    pub fn signature_password(text: &str) -> Result<Self, PinFormatError> {
        Self::new(PinKind::SignaturePassword, text)
    }

    /// A user-authentication PIN (see [`Pin::new`]).
    pub fn authentication(text: &str) -> Result<Self, PinFormatError> {
        Self::new(PinKind::AuthenticationPin, text)
    }

    /// A card-info input PIN (see [`Pin::new`]).
    pub fn card_info(text: &str) -> Result<Self, PinFormatError> {
        Self::new(PinKind::CardInfoPin, text)
    }

    /// Which PIN this is.
    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// The bytes sent in VERIFY (ASCII, no padding).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The retry counter of a PIN, read without spending an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinStatus {
    /// Which PIN.
    pub kind: PinKind,
    /// Attempts left before the PIN locks (0 = blocked).
    pub remaining: u8,
}

impl PinStatus {
    /// Whether the PIN is blocked (only a municipal office or a convenience-store kiosk can
    /// reset it).
    pub fn is_blocked(&self) -> bool {
        self.remaining == 0
    }

    /// Whether the next wrong entry would block it: the UI should warn clearly.
    pub fn is_last_attempt(&self) -> bool {
        self.remaining == 1
    }

    /// The most attempts this PIN has.
    pub fn max_attempts(&self) -> u8 {
        self.kind.max_attempts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_password_rules() {
        let p = Pin::signature_password("abc123").unwrap();
        assert_eq!(p.bytes(), b"ABC123");
        assert!(Pin::signature_password("ABCDEFGHIJKLMNOP").is_ok());
        assert!(matches!(
            Pin::signature_password("ABC12"),
            Err(PinFormatError::Length { actual: 5, .. })
        ));
        assert!(matches!(
            Pin::signature_password("ABCDEFGHIJKLMNOPQ"),
            Err(PinFormatError::Length { actual: 17, .. })
        ));
        for bad in ["ABC 123", "ABC-123", "ＡＢＣ１２３", "ABC12é", "abc12\n"] {
            assert!(
                matches!(
                    Pin::signature_password(bad),
                    Err(PinFormatError::InvalidCharacter { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn four_digit_rules() {
        assert!(Pin::authentication("1234").is_ok());
        assert!(Pin::card_info("0000").is_ok());
        assert!(Pin::card_info("123").is_err());
        assert!(Pin::card_info("12345").is_err());
        assert!(Pin::card_info("12a4").is_err());
        assert!(Pin::card_info("１２３４").is_err());
    }

    #[test]
    fn nothing_leaks_in_debug_or_errors() {
        let p = Pin::signature_password("SECRET9").unwrap();
        assert!(!format!("{p:?}").contains("SECRET"));
        let e = Pin::signature_password("SECR T9").unwrap_err();
        assert!(!e.to_string().contains("SECR"));
    }
}
