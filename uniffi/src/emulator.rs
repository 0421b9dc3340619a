use std::sync::Arc;

use mynasign::cms::{ContentSigner, RsaKeySigner};
use mynasign::emulator::{
    CardImage, EmulatedCard, EmulatorCa, EmulatorConfig, Fault, Persona, PersonaSpecError,
};
use mynasign::transport::{CardTransport, TransportError};

use crate::error::MynaError;
use crate::link::{CardLink, LinkError};
use crate::records::{CardProfile, PinType};

/// The emulated My Number Card, so an app's whole UI flow runs without a card: wrap
/// [`Emulator::transceive`] in the app's own [`CardLink`] (as the tests do), or use
/// [`Emulator::link`]. Its certificates chain to the emulator's roots, trusted only when a
/// test passes [`Emulator::root_certificates_der`] as `roots_der`. Only in builds with the
/// `emulator` feature (the testing artifact): a release build has no emulator.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Emulator {
    card: Arc<EmulatedCard>,
    persona: Arc<Persona>,
    image: CardImage,
}

impl core::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Emulator").finish_non_exhaustive()
    }
}

struct EmulatorLink(Arc<EmulatedCard>);

impl CardLink for EmulatorLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        transmit(&self.0, &command)
    }
    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        Ok(self.0.capabilities().extended_length)
    }
    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(0)
    }
    fn close(&self) -> Result<(), LinkError> {
        Ok(())
    }
}

fn transmit(card: &EmulatedCard, command: &[u8]) -> Result<Vec<u8>, LinkError> {
    card.transmit(command).map_err(|e| match e {
        TransportError::TagLost => LinkError::TagLost,
        TransportError::Timeout => LinkError::Timeout,
        other => LinkError::Other {
            detail: other.to_string(),
        },
    })
}

#[uniffi::export]
impl Emulator {
    /// A card (or smartphone) carrying the deterministic persona `seed`.
    #[uniffi::constructor]
    pub fn new(seed: u64, profile: CardProfile) -> Arc<Self> {
        let persona = Persona::from_seed(seed);
        let image = persona.card_image(profile.into());
        let card = Arc::new(EmulatedCard::from_image(
            image.clone(),
            EmulatorConfig::default(),
        ));
        Arc::new(Self {
            card,
            persona,
            image,
        })
    }

    /// The same, answering in short APDUs only and without the short-EF-id forms.
    #[uniffi::constructor]
    pub fn new_plain(seed: u64, profile: CardProfile) -> Arc<Self> {
        let persona = Persona::from_seed(seed);
        let image = persona.card_image(profile.into());
        let card = Arc::new(EmulatedCard::from_image(
            image.clone(),
            EmulatorConfig::plain(),
        ));
        Arc::new(Self {
            card,
            persona,
            image,
        })
    }

    /// A card carrying the persona a persona file describes (JSON, format
    /// `mynasign-persona/1`; see `examples/personas/` in the repository): its own name,
    /// address, date of birth, PINs, remaining attempts, profile, certificate validity and
    /// revocation, or no signature certificate. Refused with `InvalidInput` naming the key at
    /// fault (never its value).
    #[uniffi::constructor]
    pub fn from_persona_json(json: String) -> Result<Arc<Self>, MynaError> {
        let persona = Persona::from_json(json.as_bytes()).map_err(|e| match e {
            PersonaSpecError::Invalid { key, .. } | PersonaSpecError::Missing(key) => {
                MynaError::invalid_input(key)
            }
            PersonaSpecError::UnknownKey(_) => MynaError::invalid_input("persona file key"),
            _ => MynaError::invalid_input("persona file"),
        })?;
        let profile = persona.profile();
        let card = Arc::new(persona.emulated_card(profile, EmulatorConfig::default()));
        let image = persona.card_image(profile);
        Ok(Arc::new(Self {
            card,
            persona,
            image,
        }))
    }

    /// A current CRL of the emulator's signature root (DER), listing this card's signature
    /// certificate when its persona file says it was revoked; pass it to verification.
    pub fn crl(&self) -> Vec<u8> {
        self.persona
            .crl(self.persona.profile(), std::time::SystemTime::now())
            .unwrap_or_default()
    }

    /// Processes one command APDU, as a card would.
    pub fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        transmit(&self.card, &command)
    }

    /// Whether the emulated link carries extended-length APDUs.
    pub fn supports_extended_length(&self) -> bool {
        self.card.capabilities().extended_length
    }

    /// A ready-made link to this card.
    pub fn link(&self) -> Arc<dyn CardLink> {
        Arc::new(EmulatorLink(self.card.clone()))
    }

    /// The persona's signature password, as the bytes an app passes (an emulator's, not a
    /// secret).
    pub fn signature_password(&self) -> Vec<u8> {
        self.persona.signature_password().as_bytes().to_vec()
    }

    /// The persona's user-authentication PIN.
    pub fn authentication_pin(&self) -> Vec<u8> {
        self.persona.authentication_pin().as_bytes().to_vec()
    }

    /// The persona's card-info PIN.
    pub fn card_info_pin(&self) -> Vec<u8> {
        self.persona.card_info_pin().as_bytes().to_vec()
    }

    /// Attempts left, read without an APDU.
    pub fn pin_attempts_left(&self, pin: PinType) -> i32 {
        i32::from(self.card.pin_attempts_left(pin.into()))
    }

    /// Commands the card has processed.
    pub fn commands_processed(&self) -> i64 {
        i64::try_from(self.card.commands_processed()).unwrap_or(i64::MAX)
    }

    /// The emulator's root certificates (DER): pass them as `roots_der` to trust the emulator
    /// in a test.
    pub fn root_certificates_der(&self) -> Vec<Vec<u8>> {
        let ca = EmulatorCa::shared();
        vec![
            ca.signature_ca_der().to_vec(),
            ca.authentication_ca_der().to_vec(),
        ]
    }

    /// The link drops before the next command reaches the card.
    pub fn drop_next_command(&self) {
        self.card.inject_fault(Fault::drop_next());
    }

    /// The card processes the next command, then the link drops with the response lost.
    pub fn lose_next_response(&self) {
        self.card.inject_fault(Fault::lose_next_response());
    }

    /// Takes the card out of the field (every exchange fails with a lost tag) or puts it back.
    pub fn set_present(&self, present: bool) {
        if present {
            self.card.insert();
        } else {
            self.card.remove();
        }
    }

    /// The signature certificate (DER) of this card or smartphone, for an emulated platform
    /// keystore (see [`Emulator::keystore_sign`]).
    pub fn keystore_certificate_der(&self) -> Vec<u8> {
        self.image.signature_certificate.clone().unwrap_or_default()
    }

    /// Signs `message` (SHA-256, PKCS#1 v1.5) with this image's signature key, as a platform
    /// keystore holding it would: lets tests and UI previews implement `KeystoreSigner`.
    pub fn keystore_sign(&self, message: Vec<u8>) -> Result<Vec<u8>, MynaError> {
        Ok(RsaKeySigner::new(
            self.image.signature_key.clone(),
            self.keystore_certificate_der(),
        )
        .sign(&message)?)
    }

    /// The emulator's root certificates, PEM.
    pub fn root_certificates_pem(&self) -> String {
        let ca = EmulatorCa::shared();
        format!("{}{}", ca.signature_ca_pem(), ca.authentication_ca_pem())
    }
}
