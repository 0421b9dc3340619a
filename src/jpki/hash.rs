use sha2::Digest;

use crate::error::{Error, Result};

/// The hash in the DigestInfo the card signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HashAlgorithm {
    /// SHA-256, the norm.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// The DER prefix of a DigestInfo (AlgorithmIdentifier with NULL parameters, then the
    /// OCTET STRING header).
    const fn prefix(self) -> [u8; 19] {
        let (len, id, dlen) = match self {
            HashAlgorithm::Sha256 => (0x31, 0x01, 0x20),
            HashAlgorithm::Sha384 => (0x41, 0x02, 0x30),
            HashAlgorithm::Sha512 => (0x51, 0x03, 0x40),
        };
        [
            0x30, len, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, id,
            0x05, 0x00, 0x04, dlen,
        ]
    }

    /// Hashes `message`.
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => sha2::Sha256::digest(message).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(message).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }

    /// The DER DigestInfo of `digest`.
    pub fn digest_info(self, digest: &[u8]) -> Result<Vec<u8>> {
        if digest.len() != self.output_len() {
            return Err(Error::malformed(
                "digest",
                format!("{} bytes, expected {}", digest.len(), self.output_len()),
            ));
        }
        let mut di = self.prefix().to_vec();
        di.extend_from_slice(digest);
        Ok(di)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_is_der() {
        for h in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let di = h.digest_info(&h.digest(b"abc")).unwrap();
            assert_eq!(di[1] as usize, di.len() - 2);
            assert_eq!(di[18] as usize, h.output_len());
            assert!(h.digest_info(&[0; 20]).is_err());
        }
        // Known SHA-256 DigestInfo prefix (RFC 8017 section 9.2, note 1).
        let di = HashAlgorithm::Sha256.digest_info(&[0; 32]).unwrap();
        assert_eq!(
            &di[..19],
            &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20
            ]
        );
    }
}
