//! A software My Number Card that behaves as PROTOCOL.md says a real one does: the JPKI and
//! card-info input support applications with their files, access rules and PIN counters, real
//! RSA-2048 keys, deterministic personas issued by an emulator CA, switchable protocol
//! features (so the client's fallbacks are tested) and injectable link faults.
//!
//! The emulator CA's names say `mynasign EMULATOR`: they can never be mistaken for a J-LIS
//! production or `JPKI-TEST` root.

mod ca;
mod card;
mod cvc;
mod faults;
mod image;
mod ocsp;
mod persona;
pub mod spec;
pub mod vpcd;

pub use crate::card_info::{is_valid_my_number, my_number_check_digit};
pub use ca::{
    end_entity_expiry, AuthenticationCertificateRequest, CertificateTweaks, EmulatorCa,
    SignatureCertificateRequest, EMULATOR_AUTHENTICATION_OU, EMULATOR_ORGANIZATION,
    EMULATOR_SIGNATURE_OU, EMULATOR_WARNING_OU,
};
pub use card::{EmulatedCard, EmulatorConfig};
pub use cvc::{
    cvc_trust, CardInfoIntegrity, CardInfoKey, EmulatorCvcCa, EMULATOR_CVC_CA_KEY_ID,
    EMULATOR_CVC_ISSUER_KEY_ID,
};
pub use faults::{Fault, FaultEffect, FaultTrigger};
pub use image::{CardImage, CardInfoImage};
pub use ocsp::OcspAnswer;
pub use persona::Persona;
pub use spec::{PersonaSpec, PersonaSpecError, PERSONA_FORMAT};
