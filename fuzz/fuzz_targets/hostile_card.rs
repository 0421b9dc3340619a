#![no_main]
//! The client against a hostile card: every answer comes from the fuzzer. No panic, a bounded
//! number of exchanges, never a second VERIFY with data.
use std::sync::{Arc, Mutex};

use libfuzzer_sys::fuzz_target;
use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt};
use mynasign::pin::{Pin, PinKind};
use mynasign::transport::{CardTransport, TransportCapabilities, TransportError};

const MAX_EXCHANGES: usize = 2_000;

struct Hostile {
    /// Answers: each a length byte then that many bytes; an empty tail ends the link.
    script: Mutex<(Vec<u8>, usize)>,
    exchanges: Mutex<usize>,
    verifies: Mutex<usize>,
    extended: bool,
}

impl CardTransport for Hostile {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        *self.exchanges.lock().unwrap() += 1;
        if command.len() > 5 && command[0] == 0x00 && command[1] == 0x20 {
            *self.verifies.lock().unwrap() += 1;
        }
        let mut s = self.script.lock().unwrap();
        let (ref data, ref mut pos) = *s;
        let Some(&n) = data.get(*pos) else {
            return Err(TransportError::TagLost);
        };
        let start = *pos + 1;
        let end = (start + n as usize).min(data.len());
        let answer = data[start..end].to_vec();
        *pos = end;
        Ok(answer)
    }

    fn capabilities(&self) -> TransportCapabilities {
        if self.extended {
            TransportCapabilities::EXTENDED
        } else {
            TransportCapabilities::SHORT
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let t = Arc::new(Hostile {
        script: Mutex::new((rest.to_vec(), 0)),
        exchanges: Mutex::new(0),
        verifies: Mutex::new(0),
        extended: sel & 1 != 0,
    });
    if let Ok(mut s) = JpkiSession::open(t.clone()) {
        match (sel >> 1) % 4 {
            0 => {
                let pin = Pin::signature_password("ABC123").unwrap();
                if s.verify(&pin, LastAttempt::Refuse).is_ok() {
                    let _ = s.read_certificate_der(CertificateSlot::Signature);
                    let _ = s.sign(KeySlot::Signature, HashAlgorithm::Sha256, b"x");
                }
            }
            1 => {
                let _ = s.read_certificate_der(CertificateSlot::Authentication);
                let _ = s.read_certificate_der(CertificateSlot::SignatureCa);
            }
            2 => {
                let _ = s.pin_status(PinKind::SignaturePassword);
                let _ = s.has_signature_certificate();
            }
            _ => {
                let pin = Pin::authentication("1234").unwrap();
                let _ = s.verify(&pin, LastAttempt::Allow);
            }
        }
    }
    assert!(*t.exchanges.lock().unwrap() <= MAX_EXCHANGES);
    assert!(*t.verifies.lock().unwrap() <= 1, "a second VERIFY with data");
});
