//! The emulator's card-verifiable CA for the card-info application, and the files it signs:
//! EF `0003` (integrity record), EF `0004` (the application's certificate) and EF `0007` (the
//! application's own key), laid out as `myna-card` 3.3.4 parses them from a JPKI-TEST card
//! (`src/ap/text.rs`: `IntegrityRecord`, `SignedPublicKey`; `src/data.rs`:
//! `CardVerifiableCertificate`, `KeyId`, `RsaPublicKey`), and as `crate::evidence` documents
//! them.
//!
//! Clearly not a real CA: its key id is `9000033` `08 05` `001` (a leading `9`, of neither
//! J-LIS hierarchy: production ids start `5`, JPKI-TEST ids `6`), so it verifies nothing unless
//! trusted explicitly ([`cvc_trust`]). The key it certifies (the "issuer", a municipality's on a
//! real card) has id `9999901` `08 05` `000`. Keys are RSA-2048 from fixed seeds, generated on
//! first use; each persona's application key from its seed, also on first use.

use std::sync::{Arc, OnceLock};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

use crate::evidence::{CvcTrust, KeyId};

/// The emulator CA's key id (証明者鍵ID of EF `0004`).
pub const EMULATOR_CVC_CA_KEY_ID: [u8; 16] = *b"9000033\x08\x05001\0\0\0\0";
/// The id of the key the emulator CA certifies (被証明者鍵ID of EF `0004`).
pub const EMULATOR_CVC_ISSUER_KEY_ID: [u8; 16] = *b"9999901\x08\x05000\0\0\0\0";

const CVC_CA_SEED: u64 = 0x6D79_6E61_6376_6361; // "mynacvca"
const ISSUER_SEED: u64 = 0x6D79_6E61_6973_7375; // "mynaissu"
const WRONG_CA_SEED: u64 = 0x6D79_6E61_7772_6F6E; // "mynawron"

/// What the emulated card's integrity files say, for testing every refusal end to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CardInfoIntegrity {
    /// As issued: everything verifies under the emulator's CA.
    #[default]
    Genuine,
    /// EF `0003`'s `DF32` has one byte changed after signing.
    TamperedRecord,
    /// EF `0004` is signed by another key than the CA key it names.
    CertificateFromWrongCa,
    /// EF `0003` is not on the card (SELECT and READ BINARY answer `6A82`).
    MissingRecord,
}

impl CardInfoIntegrity {
    /// `genuine`, `tampered_record`, `certificate_from_wrong_ca`, `missing_record` (the persona
    /// file's values).
    pub fn as_str(self) -> &'static str {
        match self {
            CardInfoIntegrity::Genuine => "genuine",
            CardInfoIntegrity::TamperedRecord => "tampered_record",
            CardInfoIntegrity::CertificateFromWrongCa => "certificate_from_wrong_ca",
            CardInfoIntegrity::MissingRecord => "missing_record",
        }
    }

    /// The value of `name`, if it is one of [`Self::as_str`]'s.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            CardInfoIntegrity::Genuine,
            CardInfoIntegrity::TamperedRecord,
            CardInfoIntegrity::CertificateFromWrongCa,
            CardInfoIntegrity::MissingRecord,
        ]
        .into_iter()
        .find(|v| v.as_str() == name)
    }
}

/// The card-info application's own key pair (EF `0007`'s key; it answers the presence
/// challenge), generated from a persona's seed on first use and shared by every card image of
/// that persona.
#[derive(Clone)]
pub struct CardInfoKey {
    seed: u64,
    cell: Arc<OnceLock<RsaPrivateKey>>,
}

impl core::fmt::Debug for CardInfoKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CardInfoKey { .. }")
    }
}

impl CardInfoKey {
    /// The key of the persona with `seed` (generated when first used).
    pub fn from_seed(seed: u64) -> Self {
        Self {
            seed,
            cell: Arc::new(OnceLock::new()),
        }
    }

    /// The private key (RSA-2048), generated now if it was not.
    pub fn get(&self) -> &RsaPrivateKey {
        self.cell.get_or_init(|| {
            let mut rng = ChaCha20Rng::seed_from_u64(self.seed ^ 0x6361_7264_696E_666F);
            RsaPrivateKey::new(&mut rng, 2048).expect("RSA-2048 key generation")
        })
    }
}

fn key(seed: u64) -> RsaPrivateKey {
    RsaPrivateKey::new(&mut ChaCha20Rng::seed_from_u64(seed), 2048)
        .expect("RSA-2048 key generation")
}

/// PKCS #1 v1.5 SHA-256, as the card's issuer and CA sign (`myna-card` `verify_pkcs1_sha256`).
fn sign(key: &RsaPrivateKey, message: &[u8]) -> Vec<u8> {
    key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
        .expect("RSA-2048 signs a SHA-256 DigestInfo")
}

/// A BER TLV, lengths short or `82 LLLL` (the card writes `82` for every length above 127).
fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut v = tag.to_vec();
    if value.len() < 0x80 {
        v.push(value.len() as u8);
    } else {
        v.push(0x82);
        v.extend_from_slice(&(value.len().min(0xFFFF) as u16).to_be_bytes());
    }
    v.extend_from_slice(value);
    v
}

/// `90 <e> 91 82 01 00 <n>` (`myna-card` `src/data.rs`, `RsaPublicKey::parse`).
fn public_key_objects(key: &RsaPublicKey) -> Vec<u8> {
    let mut n = key.n().to_bytes_be();
    while n.len() < 256 {
        n.insert(0, 0);
    }
    [tlv(&[0x90], &key.e().to_bytes_be()), tlv(&[0x91], &n)].concat()
}

/// The emulator's card-verifiable CA and the issuer key it certifies.
pub struct EmulatorCvcCa {
    ca: RsaPrivateKey,
    issuer: RsaPrivateKey,
    certificate: Vec<u8>,
    wrong_ca_certificate: OnceLock<Vec<u8>>,
}

impl core::fmt::Debug for EmulatorCvcCa {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EmulatorCvcCa { .. }")
    }
}

impl EmulatorCvcCa {
    /// The process-wide CA, its two keys generated on first use.
    pub fn shared() -> &'static EmulatorCvcCa {
        static CA: OnceLock<EmulatorCvcCa> = OnceLock::new();
        CA.get_or_init(|| {
            let ca = key(CVC_CA_SEED);
            let issuer = key(ISSUER_SEED);
            let certificate = Self::certificate_signed_by(&ca, &issuer.to_public_key());
            EmulatorCvcCa {
                ca,
                issuer,
                certificate,
                wrong_ca_certificate: OnceLock::new(),
            }
        })
    }

    /// EF `0004`: `7F21 { 5F4E <CA id, issuer id, 90/91 key>, 5F37 <signature over 5F4E's
    /// value> }`, 568 bytes.
    fn certificate_signed_by(signer: &RsaPrivateKey, issuer: &RsaPublicKey) -> Vec<u8> {
        let body = [
            &EMULATOR_CVC_CA_KEY_ID[..],
            &EMULATOR_CVC_ISSUER_KEY_ID[..],
            &public_key_objects(issuer),
        ]
        .concat();
        let signature = sign(signer, &body);
        tlv(
            &[0x7F, 0x21],
            &[tlv(&[0x5F, 0x4E], &body), tlv(&[0x5F, 0x37], &signature)].concat(),
        )
    }

    /// The CA's public key.
    pub fn ca_public_key(&self) -> RsaPublicKey {
        self.ca.to_public_key()
    }

    /// The CA file of [`CvcTrust::custom_ca_file`]: the key id, then `90 <e> 91 <n>`.
    pub fn ca_file(&self) -> Vec<u8> {
        [
            &EMULATOR_CVC_CA_KEY_ID[..],
            &public_key_objects(&self.ca.to_public_key()),
        ]
        .concat()
    }

    /// What a verifier trusts to accept the emulator's cards (and nothing else).
    pub fn trust(&self) -> CvcTrust {
        CvcTrust::custom(vec![(KeyId(EMULATOR_CVC_CA_KEY_ID), self.ca_public_key())])
            .expect("the emulator CA key is RSA-2048")
    }

    /// EF `0004` as issued.
    pub fn ap_certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// EF `0004` with the same body, signed by another CA's key (generated on first use).
    pub fn wrong_ca_certificate(&self) -> &[u8] {
        self.wrong_ca_certificate.get_or_init(|| {
            Self::certificate_signed_by(&key(WRONG_CA_SEED), &self.issuer.to_public_key())
        })
    }

    /// EF `0003` over the two files as stored: `FF30 { DF31 SHA-256(EF 0001, 17 bytes with its
    /// filler), DF32 SHA-256(EF 0002 after the offset table), DF33 signature over the DF31 and
    /// DF32 objects }`, 336 bytes. `tampered` changes one byte of `DF32` after signing.
    pub fn integrity_record(
        &self,
        my_number_file: &[u8],
        basic_four: &[u8],
        tampered: bool,
    ) -> Vec<u8> {
        let source = crate::attributes::attributes_digest_source(basic_four).unwrap_or(&[]);
        let signed = [
            tlv(&[0xDF, 0x31], &Sha256::digest(my_number_file)),
            tlv(&[0xDF, 0x32], &Sha256::digest(source)),
        ]
        .concat();
        let signature = sign(&self.issuer, &signed);
        let mut record = tlv(
            &[0xFF, 0x30],
            &[signed, tlv(&[0xDF, 0x33], &signature)].concat(),
        );
        if tampered {
            // DF32's last byte: header FF 30 82 01 4B (5), DF31 (35), DF32 header (3) + 32.
            record[5 + 35 + 3 + 31] ^= 0x01;
        }
        record
    }

    /// EF `0007`: `FF50 { DF51 <90/91 key>, DF52 <signature over the DF51 object> }`, 536
    /// bytes.
    pub fn signed_ap_key(&self, key: &RsaPublicKey) -> Vec<u8> {
        let object = tlv(&[0xDF, 0x51], &public_key_objects(key));
        let signature = sign(&self.issuer, &object);
        tlv(
            &[0xFF, 0x50],
            &[object, tlv(&[0xDF, 0x52], &signature)].concat(),
        )
    }
}

/// The trust a verifier needs for the emulator's cards: its CVC CA key, as a custom hierarchy.
pub fn cvc_trust() -> CvcTrust {
    EmulatorCvcCa::shared().trust()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{CardVerifiableCertificate, IntegrityRecord, SignedApKey};

    #[test]
    fn files_have_the_cards_sizes_and_verify() {
        let ca = EmulatorCvcCa::shared();
        let cert = ca.ap_certificate();
        // 7F 21 82 02 33: 567 bytes, as the test card's EF 0004.
        assert_eq!(&cert[..5], &[0x7F, 0x21, 0x82, 0x02, 0x33]);
        assert_eq!(cert.len(), 5 + 0x233);
        let parsed = CardVerifiableCertificate::parse(cert).unwrap();
        parsed.verify(&ca.trust()).unwrap();
        assert_eq!(parsed.issuer_key_id().to_string(), "9000033/001");
        assert_eq!(
            CardVerifiableCertificate::parse(ca.wrong_ca_certificate())
                .unwrap()
                .verify(&ca.trust())
                .unwrap_err()
                .code(),
            "certificate_signature"
        );
        let attrs = crate::attributes::encode_attributes_record(
            crate::emulator::Persona::from_seed(1).attributes(),
        );
        let record = ca.integrity_record(&[0xFF; 17], &attrs, false);
        assert_eq!(&record[..5], &[0xFF, 0x30, 0x82, 0x01, 0x4B]);
        assert_eq!(record.len(), 5 + 0x14B);
        let r = IntegrityRecord::parse(&record).unwrap();
        r.verify_signature(parsed.public_key()).unwrap();
        assert!(r.covers_attributes(&attrs).unwrap());
        let bad = IntegrityRecord::parse(&ca.integrity_record(&[0xFF; 17], &attrs, true)).unwrap();
        assert_eq!(
            bad.verify_signature(parsed.public_key())
                .unwrap_err()
                .code(),
            "record_signature"
        );
        let from_file = CvcTrust::custom_ca_file(&ca.ca_file()).unwrap();
        parsed.verify(&from_file).unwrap();
        let k = CardInfoKey::from_seed(1);
        let file = ca.signed_ap_key(&k.get().to_public_key());
        assert_eq!(&file[..5], &[0xFF, 0x50, 0x82, 0x02, 0x13]);
        assert_eq!(file.len(), 5 + 0x213);
        SignedApKey::parse(&file)
            .unwrap()
            .verify(parsed.public_key())
            .unwrap();
    }
}
