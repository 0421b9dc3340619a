use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use mynasign::emulator::{EmulatedCard, EmulatorConfig, Persona};
use mynasign::jpki::{JpkiSession, Profile};
use mynasign::transport::{CardTransport, TransportCapabilities, TransportError};

/// The ordinary persona used by most tests.
pub const SEED: u64 = 1;

pub fn persona() -> Arc<Persona> {
    Persona::from_seed(SEED)
}

pub fn card_with(profile: Profile, config: EmulatorConfig) -> Arc<EmulatedCard> {
    Arc::new(EmulatedCard::from_image(
        persona().card_image(profile),
        config,
    ))
}

pub fn card() -> Arc<EmulatedCard> {
    card_with(Profile::MyNumberCard, EmulatorConfig::default())
}

pub fn open(card: &Arc<EmulatedCard>) -> JpkiSession {
    JpkiSession::open(card.clone()).expect("open")
}

/// A transport that answers from a script and records what was sent.
pub struct Scripted {
    replies: Mutex<VecDeque<Result<Vec<u8>, TransportError>>>,
    pub sent: Mutex<Vec<Vec<u8>>>,
    caps: TransportCapabilities,
}

impl Scripted {
    pub fn new(replies: Vec<Result<Vec<u8>, TransportError>>) -> Arc<Self> {
        Arc::new(Self {
            replies: Mutex::new(replies.into()),
            sent: Mutex::new(Vec::new()),
            caps: TransportCapabilities::SHORT,
        })
    }

    /// Like [`Scripted::new`], over a transport that says it carries extended length.
    pub fn extended(replies: Vec<Result<Vec<u8>, TransportError>>) -> Arc<Self> {
        Arc::new(Self {
            replies: Mutex::new(replies.into()),
            sent: Mutex::new(Vec::new()),
            caps: TransportCapabilities::EXTENDED,
        })
    }

    pub fn sent_count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }
}

impl CardTransport for Scripted {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.lock().unwrap().push(command.to_vec());
        self.replies
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Err(TransportError::Other("script exhausted".into())))
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.caps
    }
}

/// `9000`, with data before it.
pub fn ok(data: &[u8]) -> Result<Vec<u8>, TransportError> {
    let mut v = data.to_vec();
    v.extend_from_slice(&[0x90, 0x00]);
    Ok(v)
}

pub fn sw(sw: u16) -> Result<Vec<u8>, TransportError> {
    Ok(sw.to_be_bytes().to_vec())
}

/// A token EF answer for the My Number Card.
pub fn token() -> Result<Vec<u8>, TransportError> {
    let mut t = b"JPKIAPICCTOKEN2".to_vec();
    t.resize(32, b' ');
    ok(&t)
}
