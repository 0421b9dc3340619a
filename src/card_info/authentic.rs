//! The authentic read: the basic four with what proves them (EF `0002`, `0003`, `0004` in one
//! session) and, when the receiver sent a challenge, the card's presence (EF `0007` and the
//! application's signature over the challenge). What it returns is checked by
//! [`crate::evidence::CardInfoEvidence::verify`], here or at the receiver.

use sha2::{Digest, Sha256};

use crate::apdu::Redaction;
use crate::error::{Error, Result};
use crate::evidence::{check_challenge, CardInfoEvidence, CvcTrust, PresenceProof};
use crate::pin::PinKind;

use super::{ef, CardInfoSession};

/// `DigestInfo` of SHA-256 (RFC 8017 section 9.2, note 1), what the application signs
/// (`myna-card` 3.3.4 `src/data.rs`, `sha256_digest_info`).
fn sha256_digest_info(message: &[u8]) -> Vec<u8> {
    const PREFIX: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    [&PREFIX[..], &Sha256::digest(message)].concat()
}

impl CardInfoSession {
    fn read_file(
        &mut self,
        ef: u16,
        redaction: Redaction,
        guard: Option<PinKind>,
    ) -> Result<Vec<u8>> {
        self.app
            .read_object(ef, redaction, guard)?
            .ok_or(Error::FileNotFound { ef })
    }

    /// Reads the evidence of the basic four (needs the card-info PIN verified): EF `0002`,
    /// the integrity record EF `0003` and the application's certificate EF `0004`; with
    /// `challenge` (the receiver's, 16 to 255 bytes), also EF `0007` and the application's
    /// signature over the challenge (no PIN: `80 2A 00 00`). Never reads the My Number.
    ///
    /// Nothing is verified here: [`Self::read_authentic`] does, and a receiver verifies the
    /// evidence again with [`CardInfoEvidence::verify`]. With extended length and the
    /// short-EF-id reads the files take one exchange each and the signature one.
    pub fn read_evidence(&mut self, challenge: Option<&[u8]>) -> Result<CardInfoEvidence> {
        if let Some(c) = challenge {
            check_challenge(c)?;
        }
        let pin = Some(PinKind::CardInfoPin);
        let basic_four = zeroize::Zeroizing::new(self.read_file(
            ef::ATTRIBUTES,
            Redaction::ResponseData,
            pin,
        )?);
        let (record, certificate) = self.read_record_and_certificate()?;
        let presence = match challenge {
            None => None,
            Some(c) => {
                let signed_ap_key = self.read_file(ef::SIGNED_AP_KEY, Redaction::None, pin)?;
                let answer = self.app.sign_with_application_key(&sha256_digest_info(c))?;
                Some(PresenceProof {
                    signed_ap_key,
                    challenge: c.to_vec(),
                    answer,
                })
            }
        };
        Ok(CardInfoEvidence::new(
            &basic_four,
            &record,
            &certificate,
            presence,
        ))
    }

    /// The integrity record (EF `0003`, after the card-info PIN) and the application's
    /// certificate (EF `0004`, free).
    fn read_record_and_certificate(&mut self) -> Result<(zeroize::Zeroizing<Vec<u8>>, Vec<u8>)> {
        // DF31 is a digest of the My Number: never in a transcript.
        let record = zeroize::Zeroizing::new(self.read_file(
            ef::INTEGRITY_RECORD,
            Redaction::ResponseData,
            Some(PinKind::CardInfoPin),
        )?);
        let certificate = self.read_file(ef::AP_CERTIFICATE, Redaction::None, None)?;
        Ok((record, certificate))
    }

    /// [`Self::read_evidence`], then [`CardInfoEvidence::verify`] with `trust` (use
    /// [`CvcTrust::production`] for people's cards): the evidence, with the basic four found
    /// authentic (and the card present, with a challenge), or
    /// [`Error::Authenticity`] naming the check that failed.
    pub fn read_authentic(
        &mut self,
        trust: &CvcTrust,
        challenge: Option<&[u8]>,
    ) -> Result<(CardInfoEvidence, crate::evidence::AuthenticAttributes)> {
        let evidence = self.read_evidence(challenge)?;
        let verified = evidence.verify(trust, challenge)?;
        Ok((evidence, verified))
    }
}

#[cfg(feature = "my-number")]
impl CardInfoSession {
    /// Reads the My Number with what proves it (feature `my-number` only; needs the card-info
    /// PIN): EF `0001` as stored (17 bytes, filler included), the integrity record and the
    /// application's certificate, and checks the certificate under `trust`, the record's
    /// signature and its `DF31` against EF `0001` before parsing the number.
    pub fn read_authentic_my_number(&mut self, trust: &CvcTrust) -> Result<super::MyNumber> {
        let pin = Some(PinKind::CardInfoPin);
        let file = zeroize::Zeroizing::new(self.app.read_chunk(
            ef::MY_NUMBER,
            0,
            17,
            Redaction::ResponseData,
            pin,
        )?);
        let (record, certificate) = self.read_record_and_certificate()?;
        let cert = crate::evidence::CardVerifiableCertificate::parse(&certificate)?;
        cert.verify(trust)?;
        let record = crate::evidence::IntegrityRecord::parse(&record)?;
        record.verify_signature(cert.public_key())?;
        if !record.covers_my_number_file(&file) {
            return Err(Error::Authenticity(
                crate::evidence::AuthenticityError::MyNumberDigest,
            ));
        }
        super::MyNumber::from_record(&file)
    }
}
