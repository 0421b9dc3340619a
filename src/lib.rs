//! # mynasign
//!
//! A client library for the Japanese My Number Card's JPKI application (公的個人認証AP) and the
//! smartphone JPKI certificate: read certificates and the basic four attributes, check and
//! verify PINs without wasting an attempt, sign consent payloads with the card's key, and test
//! it all against a faithful software emulator of the card.
//!
//! ## Where things are
//!
//! | concern | module |
//! |---|---|
//! | APDU encoding and status words | [`apdu`] |
//! | transports (the app's NFC link, PC/SC, the emulator) | [`transport`] |
//! | chaining, fallbacks, counts, transcripts | [`card`] |
//! | the JPKI application | [`jpki`] |
//! | the card-info input support application | [`card_info`] |
//! | PINs | [`pin`] |
//! | the basic four attributes | [`attributes`] |
//! | certificates | [`cert`] |
//! | consent documents (address-change one-stop, domicile change, Mynaportal linkage) | [`consent`] |
//! | CMS `SignedData` (CAdES-BES) | [`cms`] |
//! | verification against the J-LIS roots | [`verify`] |
//! | authenticity of the basic four (card-info integrity record, card presence) | [`evidence`] |
//! | login with the authentication certificate (challenges, responses, the service's verifier) | [`login`] |
//! | end-to-end flows (sign a consent on a card) | [`flow`] |
//! | the emulated card | [`emulator`] |
//!
//! ## Example
//!
//! ```
//! # #[cfg(feature = "emulator")] {
//! use std::sync::Arc;
//! use mynasign::emulator::{EmulatedCard, EmulatorConfig, Persona};
//! use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
//! use mynasign::pin::{Pin, PinKind};
//!
//! let persona = Persona::from_seed(1);
//! let image = persona.card_image(Profile::MyNumberCard);
//! let card = Arc::new(EmulatedCard::from_image(image, EmulatorConfig::default()));
//! let mut session = JpkiSession::open(card)?;
//! let status = session.pin_status(PinKind::SignaturePassword)?;
//! assert_eq!(status.remaining, 5);
//! let password = Pin::signature_password(persona.signature_password())?;
//! session.verify(&password, LastAttempt::Refuse)?;
//! let cert = session.read_certificate_der(CertificateSlot::Signature)?;
//! let signature = session.sign(KeySlot::Signature, HashAlgorithm::Sha256, b"consent")?;
//! assert_eq!(signature.len(), 256);
//! # let _ = cert;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The card stack (feature `card`): transport up to the signing flows.
#[cfg(feature = "card")]
pub mod apdu;
#[cfg(feature = "card")]
pub mod card;
#[cfg(feature = "card")]
pub mod card_info;
#[cfg(feature = "emulator")]
pub mod emulator;
#[cfg(feature = "card")]
mod error;
#[cfg(feature = "card")]
pub mod flow;
#[cfg(feature = "card")]
pub mod jpki;
#[cfg(feature = "card")]
pub mod pin;
#[cfg(feature = "card")]
pub mod transport;

// Certificates, documents, CMS and verification: every build, a receiving service's included.
pub mod attributes;
pub mod cert;
pub mod cms;
pub mod consent;
pub mod date;
pub mod evidence;
mod hex;
pub mod login;
pub mod verify;

#[cfg(feature = "card")]
pub use error::{Error, NotMyNumberCardReason, Result};

/// The README's Rust example, compiled as a doc test so it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
