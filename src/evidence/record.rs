//! The integrity record, EF `0003` of the card-info application.
//!
//! Layout and meaning as `myna-card` 3.3.4 establishes them on a JPKI-TEST card's files
//! (`src/ap/text.rs`, `IntegrityRecord::parse`, `matches_attributes_file`,
//! `matches_my_number_file`, and `tests/text_records.rs`):
//!
//! ```text
//! FF 30 82 01 4B
//!   DF 31 20 <32>       SHA-256 of EF 0001 (the My Number file) as stored, filler included
//!   DF 32 20 <32>       SHA-256 of EF 0002 after its offset table, to the end of the template
//!   DF 33 82 01 00 <256> RSA-2048 PKCS #1 v1.5 SHA-256 signature over the DF31 and DF32
//!                       objects, tags and lengths included (`TlvFields::bytes_before(0xDF33)`)
//! ```
//!
//! The key that signs it is the one EF `0004` certifies.
//!
//! `DF31` is a digest of the My Number file: 12 digits with a check digit, so about 10^11
//! candidates, and the digest gives the number back to anyone who tries them all. Whoever holds
//! the record holds the My Number in that form: treat EF `0003` (and evidence carrying it) as
//! personal data of the My Number's class.

use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};

use super::cvc::rsa_sha256_ok;
use super::error::{malformed, AuthenticityError, EvidenceFile};
use super::tlv;

/// EF `0003`, parsed. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct IntegrityRecord {
    #[cfg_attr(not(feature = "my-number"), allow(dead_code))]
    my_number_digest: [u8; 32],
    attributes_digest: [u8; 32],
    signed: Vec<u8>,
    signature: Vec<u8>,
}

impl core::fmt::Debug for IntegrityRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IntegrityRecord { <redacted> }")
    }
}

impl IntegrityRecord {
    /// Parses EF `0003` as read (filler after the `FF30` object is ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, AuthenticityError> {
        let f = EvidenceFile::IntegrityRecord;
        let outer = tlv::outer(bytes, 0xFF30).ok_or(malformed(f, "not an FF30 object"))?;
        let [mine, attrs, sig] = tlv::exactly(outer.value, [0xDF31, 0xDF32, 0xDF33])
            .ok_or(malformed(f, "not DF31, DF32 and DF33"))?;
        let digest = |t: &tlv::Tlv<'_>| {
            <[u8; 32]>::try_from(t.value).map_err(|_| malformed(f, "a digest is not 32 bytes"))
        };
        Ok(Self {
            my_number_digest: digest(&mine)?,
            attributes_digest: digest(&attrs)?,
            signed: [mine.raw, attrs.raw].concat(),
            signature: sig.value.to_vec(),
        })
    }

    /// Checks `DF33` under the key EF `0004` certifies.
    pub fn verify_signature(&self, certified: &RsaPublicKey) -> Result<(), AuthenticityError> {
        if rsa_sha256_ok(certified, &self.signed, &self.signature) {
            Ok(())
        } else {
            Err(AuthenticityError::RecordSignature)
        }
    }

    /// Whether `basic_four` (EF `0002` as read, filler or not) is the file `DF32` vouches for.
    pub fn covers_attributes(&self, basic_four: &[u8]) -> Result<bool, AuthenticityError> {
        let source = crate::attributes::attributes_digest_source(basic_four)
            .map_err(|_| malformed(EvidenceFile::BasicFour, "not an attributes record"))?;
        Ok(Sha256::digest(source)[..] == self.attributes_digest[..])
    }

    /// Whether `my_number_file` (EF `0001` as stored, 17 bytes with its `FF FF` filler) is the
    /// file `DF31` vouches for. Only with the `my-number` feature.
    #[cfg(feature = "my-number")]
    pub fn covers_my_number_file(&self, my_number_file: &[u8]) -> bool {
        Sha256::digest(my_number_file)[..] == self.my_number_digest[..]
    }
}
