//! Issue 14: the fault sweep. Every flow, every exchange index, each of drop-before,
//! response-lost and timeout: a typed error (`LinkLostDuringVerify` when the card may have
//! counted an attempt), never a second VERIFY, nothing sent after a lost tag, and the next flow
//! on the same card succeeds with the PIN counter where it should be.

use std::sync::{Arc, Mutex};

use mynasign::emulator::{EmulatedCard, EmulatorConfig, Fault, FaultEffect, FaultTrigger};
use mynasign::jpki::{CertificateSlot, HashAlgorithm, JpkiSession, KeySlot, LastAttempt, Profile};
use mynasign::pin::{Pin, PinKind};
use mynasign::transport::{CardTransport, TransportCapabilities, TransportError};
use mynasign::Error;

use crate::common::*;

struct Recording {
    card: Arc<EmulatedCard>,
    sent: Mutex<Vec<Vec<u8>>>,
}

impl CardTransport for Recording {
    fn transmit(&self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.lock().unwrap().push(command.to_vec());
        self.card.transmit(command)
    }

    fn capabilities(&self) -> TransportCapabilities {
        self.card.capabilities()
    }
}

type Flow = fn(Arc<dyn CardTransport>) -> mynasign::Result<()>;

fn signing(t: Arc<dyn CardTransport>) -> mynasign::Result<()> {
    let mut s = JpkiSession::open(t)?;
    let pin = Pin::signature_password(persona().signature_password()).unwrap();
    s.verify(&pin, LastAttempt::Refuse)?;
    s.read_certificate_der(CertificateSlot::Signature)?;
    s.sign(KeySlot::Signature, HashAlgorithm::Sha256, b"consent")?;
    Ok(())
}

fn certificate_reads(t: Arc<dyn CardTransport>) -> mynasign::Result<()> {
    let mut s = JpkiSession::open(t)?;
    s.read_certificate_der(CertificateSlot::Authentication)?;
    s.read_certificate_der(CertificateSlot::SignatureCa)?;
    s.has_signature_certificate()?;
    Ok(())
}

fn pin_status(t: Arc<dyn CardTransport>) -> mynasign::Result<()> {
    let mut s = JpkiSession::open(t)?;
    s.pin_status(PinKind::SignaturePassword)?;
    s.pin_status(PinKind::AuthenticationPin)?;
    Ok(())
}

fn verifies_with_data(sent: &[Vec<u8>]) -> usize {
    sent.iter()
        .filter(|c| c.len() > 5 && c[0] == 0x00 && c[1] == 0x20)
        .count()
}

#[test]
fn fault_sweep() {
    let flows: [(&str, Flow); 3] = [
        ("signing", signing),
        ("certificate reads", certificate_reads),
        ("pin status", pin_status),
    ];
    let effects = [
        FaultEffect::DropBefore,
        FaultEffect::LoseResponse,
        FaultEffect::Timeout,
    ];
    let mut injected = 0usize;
    let configs = [
        EmulatorConfig::default(),
        EmulatorConfig::short_only(),
        EmulatorConfig::plain(),
    ];
    for (cfg, (name, flow)) in configs
        .iter()
        .flat_map(|c| flows.iter().map(move |f| (c, *f)))
    {
        let card = || card_with(Profile::MyNumberCard, cfg.clone());
        // A clean run gives the number of exchanges.
        let clean = Arc::new(Recording {
            card: card(),
            sent: Mutex::new(Vec::new()),
        });
        flow(clean.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let n = clean.sent.lock().unwrap().len();
        for effect in effects {
            for i in 0..n {
                let card = card();
                card.inject_fault(Fault::new(FaultTrigger::CommandIndex(i), effect));
                injected += 1;
                let t = Arc::new(Recording {
                    card: card.clone(),
                    sent: Mutex::new(Vec::new()),
                });
                let r = flow(t.clone());
                let sent = t.sent.lock().unwrap().clone();
                let ctx = format!("{name}, {effect:?} at exchange {i}");
                assert!(verifies_with_data(&sent) <= 1, "{ctx}: a second VERIFY");
                let faulted = &sent[i];
                let was_verify = faulted.len() > 5 && faulted[1] == 0x20;
                match r {
                    // A timed-out extended read is repeated in short form: the flow may
                    // complete.
                    Ok(()) => assert!(
                        effect == FaultEffect::Timeout && faulted[1] == 0xB0,
                        "{ctx}: no error"
                    ),
                    Err(e) => {
                        if was_verify {
                            assert!(
                                matches!(e, Error::LinkLostDuringVerify { .. }),
                                "{ctx}: {e:?}"
                            );
                        }
                    }
                }
                if effect != FaultEffect::Timeout {
                    assert_eq!(sent.len(), i + 1, "{ctx}: sent after a lost tag");
                }
                // The next flow on the same card succeeds, the counter where it should be.
                flow(card.clone()).unwrap_or_else(|e| panic!("{ctx}: next flow: {e}"));
                assert_eq!(
                    card.pin_attempts_left(PinKind::SignaturePassword),
                    5,
                    "{ctx}"
                );
            }
        }
    }
    println!("fault sweep: {injected} faults injected");
    assert!(injected > 0);
}
