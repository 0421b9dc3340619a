//! The card-info application's card-verifiable certificate (EF `0004`) and the CA keys that
//! certify it.
//!
//! Layout, as `myna-card` 3.3.4 parses it from JPKI-TEST cards (`src/data.rs`,
//! `CardVerifiableCertificate::parse`; fixtures `tests/fixtures/text-0004.bin`):
//!
//! ```text
//! 7F 21 82 02 33
//!   5F 4E 82 01 29   297 bytes, the body:
//!                      16   issuer key id (証明者鍵ID)
//!                      16   subject key id (被証明者鍵ID)
//!                      90 03 <exponent>  91 82 01 00 <256-byte modulus>
//!   5F 37 82 01 00   RSA-2048 PKCS #1 v1.5 SHA-256 signature over the 297 body bytes
//!                    (the 5F4E value, without its header: `CardVerifiableCertificate::verify_with`)
//! ```
//!
//! A key id is seven ASCII digits, `08 05`, three ASCII digits and four bytes of padding
//! (`src/data.rs`, `KeyId`); its first digit tells the hierarchy: `5` production, `6` JPKI-TEST.
//! The CA keys are not on the card; their public values are below.

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::{BigUint, RsaPublicKey};
use sha2::{Digest, Sha256};

use super::error::{malformed, AuthenticityError, EvidenceFile};
use super::tlv;

/// A 16-byte key id (証明者鍵ID, 被証明者鍵ID).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 16]);

impl KeyId {
    /// The key id from exactly 16 bytes: seven ASCII digits, `08 05`, three ASCII digits,
    /// padding (the layout every card's ids have, `myna-card` `src/data.rs`, `KeyId::parse`).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let id: [u8; 16] = bytes.try_into().ok()?;
        let digits = |r: core::ops::Range<usize>| id[r].iter().all(u8::is_ascii_digit);
        (digits(0..7) && digits(9..12)).then_some(KeyId(id))
    }
}

impl core::fmt::Display for KeyId {
    /// `5000033/001`: the two digit groups.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = |r: core::ops::Range<usize>| String::from_utf8_lossy(&self.0[r]).into_owned();
        write!(f, "{}/{}", s(0..7), s(9..12))
    }
}

impl core::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Which CA keys certify the card-info application: J-LIS's production hierarchy, its
/// JPKI-TEST hierarchy (test cards), or keys the caller supplies (the emulator's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hierarchy {
    /// Production cards (issuer key ids starting `5`).
    Production,
    /// JPKI-TEST cards (issuer key ids starting `6`). Never a person's card.
    Test,
    /// Keys given by the caller ([`CvcTrust::custom`]), e.g. the emulator's.
    Custom,
}

impl Hierarchy {
    /// `production`, `test`, `custom`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hierarchy::Production => "production",
            Hierarchy::Test => "test",
            Hierarchy::Custom => "custom",
        }
    }
}

impl core::fmt::Display for Hierarchy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The CA key that certifies the card-info input support application, production hierarchy:
/// issuer key id `5000033` `08 05` `001`, e = 65537. Public values as published in
/// `myna-card` 3.3.4 `src/ca.rs` (`MODULUS_5000033`, `KNOWN`), facts copied as data.
const PRODUCTION_5000033: &[&str] = &[
    "D24615F63525E740C87E83ED64787E76D10A1F8652EBE1EA28934D35CE3BF077",
    "16F5B79E2BCB2AE2B91B4F4C9FFB602497F596D659AF9D0A14B45CDD738EF562",
    "49349B8CC7DB32F2D433BD39BCC44F503E881D56C149ECD5155C1CE7461FC3AC",
    "4F55D0A39CCAAADFAE5B8AFA11CCF91BEDC774023D11CA6EBA99004F81C541A7",
    "D67DDED8C724D6E20B10A3DEAAE8C43C137CCD71B263740E8979752DE4D56763",
    "29CABCBD7F3A77FC48A6F8E61D399B4AC66684A9FDFC99ECEF900DD6FF7F0FDD",
    "39E23D163F8A468C62DBEAE00906DFAD5A89B45CA5B7353DC998A80D3803EDA7",
    "94B55F99F535D1C39A243C8352AD602D926C389D2816C941349EE24E4F41597F",
];

/// The same for the JPKI-TEST hierarchy: issuer key id `6000033` `08 05` `001`, e = 65537
/// (`myna-card` 3.3.4 `src/ca.rs`, `MODULUS_6000033`; it verifies the EF `0004` of the test
/// card in that crate's fixtures, `tests/signatures.rs`).
const TEST_6000033: &[&str] = &[
    "B1FE36BD147BF41B2011B9156867C4118B05AE47D691CDB4A4467F4949AFDD71",
    "E28E12B5C61E68F00B639A6CCBCF44798761C7700A81F666C67831433B742A2C",
    "1126942601E25371B2B93631067D466F201EAF31393B1BD6A47589FB57B31897",
    "35A27A24583FDE2BF26C2A34D8645FE0E6E2FE901612CEF8C740C228289AF6D4",
    "57ACA3B1AA2F9EBB56DA3591C30830B8AFE2A1CA99951E670B9E9C0B40EBDBEC",
    "212F9400E5AAF5C2B5107DE34AB6BC66425A86D731A392E81001DEA1CE565981",
    "BE158256AE05598A2B8BFB04C1B66EE2008E019FB1B2BA3785E0CA78CA31EA5F",
    "09B4D550577DBF12A747ABD5E1C450C0750DF965F53EA08BBF12E40A4057C74D",
];

fn known_id(first: u8) -> KeyId {
    let mut id = *b"5000033\x08\x05001\0\0\0\0";
    id[0] = first;
    KeyId(id)
}

fn known_key(hex: &[&str]) -> RsaPublicKey {
    let n = BigUint::parse_bytes(hex.concat().as_bytes(), 16).unwrap_or_default();
    // Fixed, well-formed public values: `new` cannot fail on them (a unit test builds both).
    RsaPublicKey::new(n, BigUint::from(65_537u32)).unwrap_or_else(|_| unreachable!())
}

/// The CA keys a verifier trusts for card-verifiable certificates: one hierarchy, never mixed.
#[derive(Clone, Debug)]
pub struct CvcTrust {
    hierarchy: Hierarchy,
    keys: Vec<(KeyId, RsaPublicKey)>,
}

impl CvcTrust {
    /// J-LIS's production key for the card-info application (`5000033`). The default.
    pub fn production() -> Self {
        Self {
            hierarchy: Hierarchy::Production,
            keys: vec![(known_id(b'5'), known_key(PRODUCTION_5000033))],
        }
    }

    /// The JPKI-TEST key (`6000033`): test cards only, never a person's card.
    pub fn test() -> Self {
        Self {
            hierarchy: Hierarchy::Test,
            keys: vec![(known_id(b'6'), known_key(TEST_6000033))],
        }
    }

    /// Keys the caller supplies, each with its issuer key id (the emulator's CA:
    /// `mynasign::emulator::cvc_trust`). Each key must be RSA of 2048 bits or more.
    pub fn custom(keys: Vec<(KeyId, RsaPublicKey)>) -> Result<Self, AuthenticityError> {
        use rsa::traits::PublicKeyParts;
        if keys.is_empty() || keys.iter().any(|(_, k)| k.size() < 256) {
            return Err(malformed(
                EvidenceFile::ApCertificate,
                "a CA key is not RSA-2048",
            ));
        }
        Ok(Self {
            hierarchy: Hierarchy::Custom,
            keys,
        })
    }

    /// One CA key from a CA file: its 16-byte key id, then the key as the card encodes keys,
    /// `90 <exponent> 91 <modulus>` (what `mynasign emulator export-cvc-ca` writes for the
    /// emulator's CA). For the services that re-verify the emulator's evidence.
    pub fn custom_ca_file(bytes: &[u8]) -> Result<Self, AuthenticityError> {
        let f = EvidenceFile::ApCertificate;
        let id = bytes
            .get(..16)
            .and_then(KeyId::parse)
            .ok_or(malformed(f, "the CA file does not start with a key id"))?;
        let key = card_public_key(&bytes[16..], f)?;
        Self::custom(vec![(id, key)])
    }

    /// The hierarchy trusted.
    pub fn hierarchy(&self) -> Hierarchy {
        self.hierarchy
    }

    fn find(&self, id: &KeyId) -> Result<&RsaPublicKey, AuthenticityError> {
        if let Some((_, k)) = self.keys.iter().find(|(k, _)| k == id) {
            return Ok(k);
        }
        // A key of a J-LIS hierarchy other than the one trusted: said as such.
        let found = if *id == known_id(b'5') {
            Some(Hierarchy::Production)
        } else if *id == known_id(b'6') {
            Some(Hierarchy::Test)
        } else {
            None
        };
        Err(match found {
            Some(found) => AuthenticityError::WrongHierarchy {
                key_id: id.to_string(),
                found,
                expected: self.hierarchy,
            },
            None => AuthenticityError::UnknownAuthority {
                key_id: id.to_string(),
            },
        })
    }
}

/// RSA PKCS #1 v1.5 with SHA-256 over `message`.
pub(crate) fn rsa_sha256_ok(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    use rsa::traits::PublicKeyParts;
    // Exactly the modulus' length: the card writes 256 bytes, leading zeros included.
    signature.len() == key.size()
        && key
            .verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(message),
                signature,
            )
            .is_ok()
}

/// An RSA public key in the card's `90 <exponent> 91 <modulus>` encoding (EF `0004`'s body,
/// EF `0007`'s `DF51`; `myna-card` `src/data.rs`, `RsaPublicKey::parse`), 2048 bits.
pub(crate) fn card_public_key(
    b: &[u8],
    file: EvidenceFile,
) -> Result<RsaPublicKey, AuthenticityError> {
    let [e, n] = tlv::exactly(b, [0x90, 0x91]).ok_or(malformed(file, "not a 90/91 public key"))?;
    let n = BigUint::from_bytes_be(n.value);
    if n.bits() != 2048 {
        return Err(malformed(file, "the public key is not RSA-2048"));
    }
    RsaPublicKey::new(n, BigUint::from_bytes_be(e.value))
        .map_err(|_| malformed(file, "the public key is not usable"))
}

/// The card-info application's card-verifiable certificate, EF `0004`.
#[derive(Clone, Debug)]
pub struct CardVerifiableCertificate {
    issuer: KeyId,
    subject: KeyId,
    public_key: RsaPublicKey,
    body: Vec<u8>,
    signature: Vec<u8>,
}

impl CardVerifiableCertificate {
    /// Parses EF `0004` as read (filler after the `7F21` object is ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, AuthenticityError> {
        let f = EvidenceFile::ApCertificate;
        let outer = tlv::outer(bytes, 0x7F21).ok_or(malformed(f, "not a 7F21 object"))?;
        let [body, signature] = tlv::exactly(outer.value, [0x5F4E, 0x5F37])
            .ok_or(malformed(f, "not a 5F4E body and a 5F37 signature"))?;
        let b = body.value;
        if b.len() != 297 {
            return Err(malformed(f, "the body is not 297 bytes"));
        }
        Ok(Self {
            issuer: KeyId::parse(&b[..16]).ok_or(malformed(f, "bad issuer key id"))?,
            subject: KeyId::parse(&b[16..32]).ok_or(malformed(f, "bad subject key id"))?,
            public_key: card_public_key(&b[32..], f)?,
            body: b.to_vec(),
            signature: signature.value.to_vec(),
        })
    }

    /// The issuer key id (the CA key that signed it).
    pub fn issuer_key_id(&self) -> KeyId {
        self.issuer
    }

    /// The subject key id (the key certified).
    pub fn subject_key_id(&self) -> KeyId {
        self.subject
    }

    /// The certified key: it signs the integrity record and EF `0007`.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }

    /// Checks the signature under the trusted CA key the certificate names.
    pub fn verify(&self, trust: &CvcTrust) -> Result<(), AuthenticityError> {
        let ca = trust.find(&self.issuer)?;
        if rsa_sha256_ok(ca, &self.body, &self.signature) {
            Ok(())
        } else {
            Err(AuthenticityError::CertificateSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    #[test]
    fn the_published_keys_are_rsa_2048() {
        for t in [CvcTrust::production(), CvcTrust::test()] {
            assert_eq!(t.keys.len(), 1);
            assert_eq!(t.keys[0].1.size(), 256);
        }
        assert_eq!(known_id(b'5').to_string(), "5000033/001");
        assert_eq!(known_id(b'6').to_string(), "6000033/001");
        assert_eq!(
            CvcTrust::production()
                .find(&known_id(b'6'))
                .unwrap_err()
                .code(),
            "wrong_hierarchy"
        );
        assert_eq!(
            CvcTrust::test().find(&known_id(b'5')).unwrap_err().code(),
            "wrong_hierarchy"
        );
        assert_eq!(
            CvcTrust::test().find(&known_id(b'9')).unwrap_err().code(),
            "unknown_authority"
        );
        assert!(KeyId::parse(b"50000x3\x08\x05001\0\0\0\0").is_none());
        assert!(KeyId::parse(b"5000033\x08\x05001\0\0\0").is_none());
    }
}
