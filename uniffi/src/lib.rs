//! # mynasign-ffi
//!
//! The surface Kotlin/Android, Swift/iOS and Python apps use, generated with uniffi
//! (proc-macros, library mode). It wraps the `mynasign` core:
//!
//! - [`CardLink`]: the transport the **app implements** (Android `IsoDep.transceive` or an OMAPI
//!   channel, iOS `NFCISO7816Tag.sendCommand`, a test forwarding APDUs to the emulator).
//! - [`JpkiCard`]: a session with the JPKI application: profile, PIN status, PIN verify with
//!   the last-attempt guard, certificates as records, cancellation.
//! - [`sign_consent`], [`verify_consent`], [`consent_period`], [`read_card_attributes`],
//!   [`check_linkage`]: the flows.
//! - [`KeystoreSigner`] and [`sign_consent_with_signer`]: signing with a key the app holds
//!   (a smartphone certificate's key in the platform keystore).
//! - [`Emulator`]: the emulated card, so an app's whole UI runs without a card.
//! - [`MynaError`]: typed errors with a stable code and messages in Japanese and English.
//!
//! Every call blocks on card I/O: call from a background thread (a Kotlin dispatcher, a Swift
//! task off the main actor), never from the UI thread. Objects are thread-safe.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod card;
#[cfg(feature = "emulator")]
mod emulator;
mod error;
mod flows;
mod keystore;
mod link;
mod records;

pub use card::JpkiCard;
#[cfg(feature = "emulator")]
pub use emulator::Emulator;
pub use error::{ErrorInfo, MynaError};
pub use flows::{
    check_linkage, consent_period, read_card_attributes, sign_consent, verify_consent,
    CancelHandle, ProgressCallback,
};
pub use keystore::{sign_consent_with_signer, KeyAlgorithm, KeystoreSigner, SignerError};
pub use link::{CardLink, LinkError};
pub use records::*;

uniffi::setup_scaffolding!();
