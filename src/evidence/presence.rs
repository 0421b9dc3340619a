//! Card presence: the card-info application's own key (EF `0007`) and its answer to a
//! challenge.
//!
//! EF `0007`, as `myna-card` 3.3.4 parses it from a JPKI-TEST card (`src/ap/text.rs`,
//! `SignedPublicKey::parse` and `verify`; `tests/text_records.rs`,
//! `the_signing_key_record_verifies_and_is_a_different_key`):
//!
//! ```text
//! FF 50 82 02 13
//!   DF 51 82 01 09   the application's public key: 90 03 <e> 91 82 01 00 <n>
//!   DF 52 82 01 00   RSA-2048 PKCS #1 v1.5 SHA-256 signature over the DF51 object (tag and
//!                    length included), by the key EF 0004 certifies
//! ```
//!
//! The application signs with the matching private key, with no PIN or collation number,
//! when sent `80 2A 00 00 <Lc> <DigestInfo(SHA-256(challenge))> 00` (`TextAp::sign`): the
//! answer is an ordinary PKCS #1 v1.5 SHA-256 signature over the challenge.

use rsa::RsaPublicKey;

use super::cvc::{card_public_key, rsa_sha256_ok};
use super::error::{malformed, AuthenticityError, EvidenceFile};
use super::tlv;

/// The shortest challenge taken (bytes): anything shorter could be guessed and answered ahead.
pub const MIN_CHALLENGE_LEN: usize = 16;
/// The longest challenge taken (bytes).
pub const MAX_CHALLENGE_LEN: usize = 255;

/// A fresh 32-byte challenge from the operating system's generator, for the receiver to send
/// to the app and keep until the evidence comes back.
pub fn new_challenge() -> Vec<u8> {
    let mut c = vec![0u8; 32];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut c);
    c
}

/// Whether `challenge` has a length the presence check takes.
pub fn check_challenge(challenge: &[u8]) -> Result<(), AuthenticityError> {
    if (MIN_CHALLENGE_LEN..=MAX_CHALLENGE_LEN).contains(&challenge.len()) {
        Ok(())
    } else {
        Err(AuthenticityError::ChallengeLength)
    }
}

/// EF `0007`, parsed.
#[derive(Clone, Debug)]
pub struct SignedApKey {
    public_key: RsaPublicKey,
    signed: Vec<u8>,
    signature: Vec<u8>,
}

impl SignedApKey {
    /// Parses EF `0007` as read (filler after the `FF50` object is ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, AuthenticityError> {
        let f = EvidenceFile::SignedApKey;
        let outer = tlv::outer(bytes, 0xFF50).ok_or(malformed(f, "not an FF50 object"))?;
        let [key, sig] =
            tlv::exactly(outer.value, [0xDF51, 0xDF52]).ok_or(malformed(f, "not DF51 and DF52"))?;
        Ok(Self {
            public_key: card_public_key(key.value, f)?,
            signed: key.raw.to_vec(),
            signature: sig.value.to_vec(),
        })
    }

    /// The application's own key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }

    /// Checks the issuer's signature (`DF52`) under the key EF `0004` certifies.
    pub fn verify(&self, certified: &RsaPublicKey) -> Result<(), AuthenticityError> {
        if rsa_sha256_ok(certified, &self.signed, &self.signature) {
            Ok(())
        } else {
            Err(AuthenticityError::ApKeySignature)
        }
    }

    /// Checks the card's `answer` to `challenge` under this key.
    pub fn verify_answer(&self, challenge: &[u8], answer: &[u8]) -> Result<(), AuthenticityError> {
        if rsa_sha256_ok(&self.public_key, challenge, answer) {
            Ok(())
        } else {
            Err(AuthenticityError::PresenceSignature)
        }
    }
}
