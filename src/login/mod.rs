//! Logging in with the user-authentication certificate (利用者証明用電子証明書), Mynaportal
//! style: the service issues a challenge, the holder's card (or smartphone) signs it with the
//! authentication key after the 4-digit authentication PIN, and the service verifies the
//! response.
//!
//! This module is the part both sides share and the service's own part, with no card code (a
//! receiving service builds it without the `card` feature):
//!
//! - [`LoginChallenge`]: what the service issues (JSON), in one of two [`ChallengeForm`]s.
//!   **Bound** (the default): the app signs the SHA-256 of a small canonical document
//!   ([`ClientData`]) naming the service it believes it talks to, the service's nonce and the
//!   time, so a signature relayed to another service is refused (like WebAuthn's client
//!   data). **Raw**: the app signs the service's 32-byte digest as it is, as Mynaportal's own
//!   clients do (a raw PKCS#1 v1.5 signature over a SHA-256 DigestInfo, not CMS). The raw
//!   form is **open to relay**: a service that hands its digest to the holder's app cannot
//!   tell whether another site obtained the signature by passing the same digest on; use it
//!   only where compatibility with a Mynaportal-style relying party requires it.
//! - [`LoginResponse`]: what the app returns (JSON): the certificate, the signature, the
//!   challenge it answers and, for the bound form, the client data exactly as signed.
//! - [`LoginVerifier`]: what the service builds once. It issues challenges (256 random bits,
//!   a short lifetime, single use, tied to the service's session) into a [`ChallengeStore`]
//!   ([`MemoryChallengeStore`] by default, safe across threads) and verifies responses: the
//!   challenge is one it issued to this session and not yet used, the signature (RSA PKCS#1
//!   v1.5 with SHA-256, or ECDSA P-256 for smartphone keys), the certificate as an
//!   authentication certificate ([`crate::verify::Verifier::verify_certificate`] with
//!   [`crate::verify::CertificatePurpose::Authentication`]: family, generations, policy,
//!   key usage, EKU, validity and revocation at the receipt time, OCSP or CRL), and for the
//!   bound form the service and nonce. Each refusal is its own [`LoginError`].
//!
//! An authentication certificate names nobody (`C=JP, CN=<opaque id>`) and changes when the
//! card is renewed. A service links it to a person once, from a login and a signed consent
//! made in one card session (`flow::login_and_sign_consent_on_card` with the `card`
//! feature), and re-links after a renewal the same way: see the README's "Login" section.

mod challenge;
mod error;
mod response;
mod signature;
mod store;
mod verifier;

pub use challenge::{ChallengeForm, ClientData, LoginChallenge, CLIENT_DATA_TYPE};
pub use error::LoginError;
pub use response::{LoginAlgorithm, LoginResponse};
pub use store::{
    ChallengeRecord, ChallengeStore, MemoryChallengeStore, Taken, DEFAULT_STORE_LIMIT,
};
pub use verifier::{LoginCheck, LoginVerifier, VerifiedLogin};

use std::time::Duration;

/// How long a challenge can be answered by default: 5 minutes (PIN entry on a phone, a slow
/// link), short enough that a stolen one is soon useless.
pub const DEFAULT_CHALLENGE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The default largest difference between the client data's time and the receipt time.
pub const DEFAULT_CLIENT_SKEW: Duration = Duration::from_secs(5 * 60);

/// The nonce's length in bytes (256 bits).
pub const NONCE_LEN: usize = 32;

/// The largest login response or challenge JSON accepted, in bytes, checked before parsing.
pub const MAX_LOGIN_JSON_SIZE: usize = 64 * 1024;

/// The longest service identifier, in bytes.
pub const MAX_SERVICE_LEN: usize = 256;

/// A service identifier: 1 to [`MAX_SERVICE_LEN`] bytes, no control characters.
pub(crate) fn check_service(service: &str) -> Result<(), LoginError> {
    if service.is_empty()
        || service.len() > MAX_SERVICE_LEN
        || service.chars().any(char::is_control)
    {
        return Err(LoginError::InvalidService);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
