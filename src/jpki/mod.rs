//! The JPKI application (公的個人認証AP): profile, PINs, certificates and signatures.

mod hash;
mod profile;
mod session;
mod signer;

pub use hash::HashAlgorithm;
pub use profile::Profile;
pub use session::{CertificateSlot, JpkiSession, KeySlot, LastAttempt};
pub use signer::CardSigner;

/// The JPKI application's AID.
pub const AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// JPKI EF ids.
pub mod ef {
    /// The signature certificate.
    pub const SIGNATURE_CERTIFICATE: u16 = 0x0001;
    /// The CA certificate that issued the signature certificate.
    pub const SIGNATURE_CA_CERTIFICATE: u16 = 0x0002;
    /// The token info (first 32 bytes: the space-padded label).
    pub const TOKEN_INFO: u16 = 0x0006;
    /// Which certificates the card holds (3 bytes, no read condition): `8F 8F 00` with a
    /// signature certificate; the first byte is not `8F` without one \[single\].
    pub const CERTIFICATE_PRESENCE: u16 = 0x0008;
    /// The user-authentication certificate.
    pub const AUTHENTICATION_CERTIFICATE: u16 = 0x000A;
    /// The CA certificate that issued the authentication certificate.
    pub const AUTHENTICATION_CA_CERTIFICATE: u16 = 0x000B;
    /// The user-authentication private key.
    pub const AUTHENTICATION_KEY: u16 = 0x0017;
    /// The user-authentication PIN.
    pub const AUTHENTICATION_PIN: u16 = 0x0018;
    /// The signature private key.
    pub const SIGNATURE_KEY: u16 = 0x001A;
    /// The signature password.
    pub const SIGNATURE_PIN: u16 = 0x001B;
}
