//! Authenticity of the basic four attributes, in every build (a receiving service's
//! included): the card-info application's integrity record (EF `0003`), its card-verifiable
//! certificate (EF `0004`), the CA keys that certify it, and the presence check (EF `0007` and
//! the application's signature over a receiver's challenge).
//!
//! What each check proves:
//! - EF `0004` verifies under J-LIS's CA key for the application (production `5000033`, or
//!   JPKI-TEST `6000033` when asked; never both): the key it certifies is the issuer's.
//! - EF `0003`'s `DF33` verifies under that key and its `DF32` is the digest of the EF `0002`
//!   read: the basic four are what the issuer wrote on this card, unmodified. (A copy of the
//!   files passes this check too.)
//! - Presence: the receiver's fresh challenge, signed by the application's own key, which EF
//!   `0007` carries under the issuer's signature: a card holding that key answered now, so the
//!   files were not merely copied. The signing command needs no PIN; what the key is for
//!   beyond this, and the access conditions of EF `0007` beyond the PIN or a collation number,
//!   are not published by J-LIS: every fact here is from `myna-card` 3.3.4, measured on
//!   JPKI-TEST cards. Presence does not show that the holder is present, only the card: a
//!   relay to a card elsewhere would answer as well.
//!
//! The card side that reads the files is `crate::card_info` (`CardInfoSession::read_evidence`);
//! [`CardInfoEvidence`] carries them to the back end, which calls [`CardInfoEvidence::verify`].

mod cvc;
mod error;
mod object;
mod presence;
mod record;
mod tlv;

pub use cvc::{CardVerifiableCertificate, CvcTrust, Hierarchy, KeyId};
pub use error::{AuthenticityError, EvidenceFile};
pub use object::{
    AuthenticAttributes, CardInfoEvidence, PresenceProof, EVIDENCE_FORMAT, MAX_EVIDENCE_SIZE,
};
pub use presence::{
    check_challenge, new_challenge, SignedApKey, MAX_CHALLENGE_LEN, MIN_CHALLENGE_LEN,
};
pub use record::IntegrityRecord;
