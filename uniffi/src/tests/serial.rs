//! Flows sharing a link implemented in Rust run one after another (crate::serial), and a
//! flow cancelled while it waits for its turn ends without touching the link.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::ThreadId;

use super::{becomes_true, block_on, document, password};
use crate::emulator::Emulator;
use crate::*;

/// Forwards to the emulator, recording which flow (worker thread) sent each command; the
/// first COMPUTE DIGITAL SIGNATURE waits until the test releases it.
struct SharedLink {
    emulator: Arc<Emulator>,
    senders: Mutex<Vec<ThreadId>>,
    held: AtomicBool,
    released: Mutex<bool>,
    release: Condvar,
    closed: AtomicBool,
}

impl SharedLink {
    fn new(emulator: Arc<Emulator>) -> Arc<Self> {
        Arc::new(Self {
            emulator,
            senders: Mutex::new(Vec::new()),
            held: AtomicBool::new(false),
            released: Mutex::new(false),
            release: Condvar::new(),
            closed: AtomicBool::new(false),
        })
    }

    fn release(&self) {
        *self.released.lock().unwrap() = true;
        self.release.notify_all();
    }
}

impl CardLink for SharedLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        self.senders
            .lock()
            .unwrap()
            .push(std::thread::current().id());
        if command.get(1) == Some(&0x2A) && !self.held.swap(true, Ordering::SeqCst) {
            let mut released = self.released.lock().unwrap();
            while !*released {
                released = self.release.wait(released).unwrap();
            }
        }
        self.emulator.transceive(command)
    }
    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        Ok(true)
    }
    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(0)
    }
    fn close(&self) -> Result<(), LinkError> {
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Whether `count` flows wait for their turn within 5 s (checked every 10 ms, as
/// `becomes_true` does).
fn waiting(count: usize) -> bool {
    (0..500).any(|_| {
        let reached = crate::serial::waiting() >= count;
        if !reached {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        reached
    })
}

fn sign_on(
    emu: &Arc<Emulator>,
    link: &Arc<SharedLink>,
    cancel: Option<Arc<CancelHandle>>,
) -> std::thread::JoinHandle<Result<Arc<SignedConsent>, MynaError>> {
    let (emu, link) = (emu.clone(), link.clone());
    std::thread::spawn(move || {
        block_on(sign_consent(
            link,
            document(),
            password(&emu),
            SignOptions::default(),
            None,
            cancel,
        ))
    })
}

#[test]
fn flows_on_one_link_take_turns() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = SharedLink::new(emu.clone());
    let first = sign_on(&emu, &link, None);
    assert!(becomes_true(&link.held, 500), "the first flow never signed");
    // Five more while the first holds the link in COMPUTE DIGITAL SIGNATURE: they wait.
    let others: Vec<_> = (0..5).map(|_| sign_on(&emu, &link, None)).collect();
    assert!(waiting(5), "the other flows did not wait for their turn");
    assert_eq!(
        link.senders.lock().unwrap().len(),
        6,
        "a waiting flow sent a command"
    );
    link.release();
    first.join().unwrap().expect("the first flow signs");
    for other in others {
        other.join().unwrap().expect("each flow signs in its turn");
    }
    // Six flows of 6 exchanges each, each flow's commands together.
    let senders = link.senders.lock().unwrap().clone();
    assert_eq!(senders.len(), 36);
    for run in senders.chunks(6) {
        assert!(
            run.iter().all(|t| *t == run[0]),
            "the flows' commands interleaved"
        );
    }
    assert!(!link.closed.load(Ordering::SeqCst));
}

#[test]
fn a_flow_cancelled_while_waiting_sends_nothing_and_leaves_the_link_open() {
    let emu = Emulator::new(2, CardProfile::MyNumberCard);
    let link = SharedLink::new(emu.clone());
    let first = sign_on(&emu, &link, None);
    assert!(becomes_true(&link.held, 500), "the first flow never signed");
    let handle = CancelHandle::new();
    let second = sign_on(&emu, &link, Some(handle.clone()));
    assert!(waiting(1), "the second flow did not wait");
    handle.cancel();
    let e = second.join().unwrap().expect_err("cancelled");
    assert_eq!(e.code(), ErrorCode::Cancelled);
    assert!(!e.pin_counter_uncertain());
    // The link is the first flow's: not closed, and it completes.
    assert!(!link.closed.load(Ordering::SeqCst));
    assert_eq!(link.senders.lock().unwrap().len(), 6);
    link.release();
    first.join().unwrap().expect("the first flow signs");
    assert_eq!(link.senders.lock().unwrap().len(), 6);
}
