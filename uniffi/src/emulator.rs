use std::sync::Arc;

use mynasign::emulator::{EmulatedCard, EmulatorCa, EmulatorConfig, Fault, Persona};
use mynasign::transport::{CardTransport, TransportError};

use crate::link::{CardLink, LinkError};
use crate::records::{CardProfile, PinType};

/// The emulated My Number Card, so an app's whole UI flow runs without a card: wrap
/// [`Emulator::transceive`] in the app's own [`CardLink`] (as the tests do), or use
/// [`Emulator::link`]. Its certificates chain to the emulator root, trusted only with
/// `TrustAnchors.EMULATOR`.
#[derive(uniffi::Object)]
pub struct Emulator {
    card: Arc<EmulatedCard>,
    persona: Arc<Persona>,
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
    fn supports_extended_length(&self) -> bool {
        self.0.capabilities().extended_length
    }
    fn max_transceive_length(&self) -> u32 {
        0
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
        let card = Arc::new(EmulatedCard::from_image(
            persona.card_image(profile.into()),
            EmulatorConfig::default(),
        ));
        Arc::new(Self { card, persona })
    }

    /// The same, answering in short APDUs only and without the short-EF-id forms.
    #[uniffi::constructor]
    pub fn new_plain(seed: u64, profile: CardProfile) -> Arc<Self> {
        let persona = Persona::from_seed(seed);
        let card = Arc::new(EmulatedCard::from_image(
            persona.card_image(profile.into()),
            EmulatorConfig::plain(),
        ));
        Arc::new(Self { card, persona })
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

    /// The persona's signature password (an emulator, not a secret).
    pub fn signature_password(&self) -> String {
        self.persona.signature_password().to_string()
    }

    /// The persona's user-authentication PIN.
    pub fn authentication_pin(&self) -> String {
        self.persona.authentication_pin().to_string()
    }

    /// The persona's card-info PIN.
    pub fn card_info_pin(&self) -> String {
        self.persona.card_info_pin().to_string()
    }

    /// Attempts left, read without an APDU.
    pub fn pin_attempts_left(&self, pin: PinType) -> u8 {
        self.card.pin_attempts_left(pin.into())
    }

    /// Commands the card has processed.
    pub fn commands_processed(&self) -> u64 {
        self.card.commands_processed() as u64
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

    /// The emulator's root certificates, PEM.
    pub fn root_certificates_pem(&self) -> String {
        let ca = EmulatorCa::shared();
        format!("{}{}", ca.signature_ca_pem(), ca.authentication_ca_pem())
    }
}
