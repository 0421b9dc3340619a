//! # mynasign-ffi
//!
//! The surface Kotlin/Android, Swift/iOS and Python apps use, generated with uniffi
//! (proc-macros, library mode). It wraps the `mynasign` core:
//!
//! - [`CardLink`]: the transport the **app implements** (Android `IsoDep.transceive` or an OMAPI
//!   channel, a PC/SC reader, a test forwarding APDUs to the emulator), or [`AsyncCardLink`]
//!   when the platform's card API is async (iOS `NFCISO7816Tag.sendCommand`: the Swift
//!   package's `MynaNFCSession`), made a `CardLink` by [`card_link_from_async`].
//! - The flows, all async (Kotlin `suspend`, Swift `async throws`, Python coroutines):
//!   [`sign_consent`], [`read_basic_attributes`], [`read_pin_status`], [`check_linkage`],
//!   [`sign_consent_with_signer`] (a key in the platform keystore), and the step-by-step
//!   [`JpkiCard`]. Each reports [`Progress`] to a [`ProgressListener`] (the language layers
//!   make it a `Flow`, an `AsyncStream`, an async iterator) and stops on cancellation of the
//!   caller or of a [`CancelHandle`].
//! - With the `verify` feature (services and tests; not what a phone ships): [`Verifier`]
//!   (built once by a receiving service), [`verify_consent`], [`ocsp_request`]; and always [`consent_period`], [`compare_linkage`]: checks
//!   that need no card.
//! - Login with the user-authentication certificate: [`login_on_card`],
//!   [`login_with_signer`]; with `verify`, the service's [`LoginVerifier`].
//! - [`MynaError`]: one error with a stable [`ErrorCode`], texts in Japanese and English,
//!   and whether a retry is safe and the PIN counter uncertain.
//! - Results that hold personal data are objects whose printed forms are redacted
//!   ([`BasicAttributes`], [`Certificate`], [`ConsentDocument`], [`SignedConsent`],
//!   [`VerifiedConsent`]).
//! - `Emulator` (feature `emulator`, the testing artifact only): the emulated card.
//! - [`pcsc_connect`], [`pcsc_readers`] (feature `pcsc`, desktops and kiosks): PC/SC readers.
//!
//! PINs cross as a [`PinCode`], made synchronously from bytes (UTF-8) passed by reference, used
//! by one call and wiped when it ends.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod async_link;
mod card;
mod card_info_auth;
mod diagnostics;
#[cfg(feature = "emulator")]
mod emulator;
mod error;
mod flows;
mod keystore;
mod length;
mod link;
mod login;
mod objects;
#[cfg(feature = "pcsc")]
mod pcsc;
mod pin_code;
mod records;
mod serial;
#[cfg(feature = "verify")]
mod verifier;
mod worker;

pub use async_link::{card_link_from_async, AsyncCardLink};
pub use card::JpkiCard;
#[cfg(feature = "emulator")]
pub use card_info_auth::emulator_card_info_trust;
pub use card_info_auth::{
    new_presence_challenge, read_authentic_basic_attributes, verify_card_info_evidence,
    AuthenticBasicAttributes, CardInfoTrust,
};
pub use diagnostics::{ExchangeRecord, SessionDiagnostics, SessionReport};
#[cfg(feature = "emulator")]
pub use emulator::Emulator;
pub use error::{ErrorCode, MynaError, NfcUnavailableReason, SecureElementReason, VerifyFailure};
pub use flows::{
    check_linkage, compare_linkage, consent_period, library_version, read_basic_attributes,
    read_pin_status, sign_consent, terms_from_text,
};
#[cfg(feature = "verify")]
pub use flows::{ocsp_request, verify_consent};
pub use keystore::{sign_consent_with_signer, KeyAlgorithm, KeystoreSigner, SignerError};
pub use length::{LengthMemory, LengthPolicy};
pub use link::{CardLink, LinkError};
#[cfg(feature = "emulator")]
pub use login::emulator_ocsp_response;
pub use login::{login_on_card, login_with_signer, LoginResult};
#[cfg(feature = "verify")]
pub use login::{LoginCheck, LoginVerifier, VerifiedLogin};
pub use objects::*;
#[cfg(feature = "pcsc")]
pub use pcsc::{pcsc_connect, pcsc_readers, PcscReader};
pub use pin_code::PinCode;
pub use records::*;
#[cfg(feature = "verify")]
pub use verifier::{ConsentCheck, Verifier, VerifierOptions};
pub use worker::{active_workers, CancelHandle, ListenerError, ProgressListener};

uniffi::setup_scaffolding!();

#[cfg(all(test, feature = "emulator", feature = "verify"))]
mod tests;
