//! The async link ([`AsyncCardLink`] made a `CardLink` by [`card_link_from_async`]): the
//! worker drives the app's future, parked until it is woken from another thread; closing the
//! link (directly or by cancelling the flow) ends a pending exchange with `TagLost` and drops
//! the app's future, even when the app never answers it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use super::{becomes_true, block_on, document, password};
use crate::emulator::Emulator;
use crate::*;

/// An answer another thread delivers, and the waker to call then.
#[derive(Default)]
struct Slot {
    answer: Option<Result<Vec<u8>, LinkError>>,
    waker: Option<Waker>,
}

fn deliver(slot: &Mutex<Slot>, answer: Result<Vec<u8>, LinkError>) {
    let waker = {
        let mut s = slot.lock().unwrap();
        s.answer = Some(answer);
        s.waker.take()
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// Waits for the answer in `slot`, counting the polls that found none.
struct Answer {
    slot: Arc<Mutex<Slot>>,
    empty_polls: Arc<AtomicUsize>,
}

impl Future for Answer {
    type Output = Result<Vec<u8>, LinkError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.slot.lock().unwrap();
        if let Some(a) = s.answer.take() {
            return Poll::Ready(a);
        }
        s.waker = Some(cx.waker().clone());
        self.empty_polls.fetch_add(1, Ordering::SeqCst);
        Poll::Pending
    }
}

/// Sets its flag when dropped: held across an await, tells whether the future was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// An async link over the emulator, as a platform whose card API is async: each answer comes
/// from a thread of its own after `delay`. With `hold_sign`, COMPUTE DIGITAL SIGNATURE (INS
/// 2A) is never answered, and `close()` does not answer it either (the worst app).
struct AsyncEmulatorLink {
    emulator: Arc<Emulator>,
    delay: Duration,
    hold_sign: bool,
    held: Arc<Mutex<Slot>>,
    holding: AtomicBool,
    held_future_dropped: Arc<AtomicBool>,
    closed: AtomicBool,
    sent: AtomicUsize,
    empty_polls: Arc<AtomicUsize>,
}

impl AsyncEmulatorLink {
    fn new(emulator: Arc<Emulator>, delay: Duration, hold_sign: bool) -> Arc<Self> {
        Arc::new(Self {
            emulator,
            delay,
            hold_sign,
            held: Arc::default(),
            holding: AtomicBool::new(false),
            held_future_dropped: Arc::default(),
            closed: AtomicBool::new(false),
            sent: AtomicUsize::new(0),
            empty_polls: Arc::default(),
        })
    }

    fn wait_holding(&self) {
        assert!(
            becomes_true(&self.holding, 500),
            "the signature was never held"
        );
    }
}

#[async_trait::async_trait]
impl AsyncCardLink for AsyncEmulatorLink {
    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(LinkError::TagLost);
        }
        self.sent.fetch_add(1, Ordering::SeqCst);
        if self.hold_sign && command.get(1) == Some(&0x2A) {
            let _dropped = DropFlag(self.held_future_dropped.clone());
            self.holding.store(true, Ordering::SeqCst);
            let answer = Answer {
                slot: self.held.clone(),
                empty_polls: self.empty_polls.clone(),
            };
            return answer.await;
        }
        let slot = Arc::new(Mutex::new(Slot::default()));
        let (emulator, delay, answering) = (self.emulator.clone(), self.delay, slot.clone());
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            deliver(&answering, emulator.transceive(command));
        });
        Answer {
            slot,
            empty_polls: self.empty_polls.clone(),
        }
        .await
    }

    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        Ok(self.emulator.supports_extended_length())
    }

    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        Ok(0)
    }

    fn close(&self) -> Result<(), LinkError> {
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Signs the test document with `emu`'s password over `link`, made a `CardLink`.
fn sign_over(
    emu: &Arc<Emulator>,
    link: &Arc<AsyncEmulatorLink>,
    cancel: Option<Arc<CancelHandle>>,
) -> Result<Arc<SignedConsent>, MynaError> {
    block_on(sign_consent(
        card_link_from_async(link.clone()),
        document(),
        password(emu),
        SignOptions::default(),
        None,
        cancel,
    ))
}

#[test]
fn a_flow_over_an_async_link_awaits_answers_from_another_thread() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = AsyncEmulatorLink::new(emu.clone(), Duration::from_millis(5), false);
    let signed = sign_over(&emu, &link, None).expect("signed over the async link");
    let exchanges = link.sent.load(Ordering::SeqCst);
    assert_eq!(exchanges, signed.counts().exchanges as usize);
    assert_eq!(exchanges, 6);
    // An exchange is pending at most once (parked, polled again only when its answer came: no
    // busy polling), and with answers 5 ms away the worker did park.
    let empty_polls = link.empty_polls.load(Ordering::SeqCst);
    assert!(
        (1..=exchanges).contains(&empty_polls),
        "{empty_polls} empty polls"
    );
    let verifier = Verifier::new(VerifierOptions {
        roots_der: emu.root_certificates_der(),
        crls: vec![emu.crl()],
        ..VerifierOptions::default()
    })
    .unwrap();
    verifier
        .verify(signed.cms(), ConsentCheck::default())
        .expect("the consent verifies");
}

#[test]
fn a_pending_async_exchange_returns_tag_lost_when_the_link_is_closed() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = AsyncEmulatorLink::new(emu, Duration::ZERO, true);
    let card = card_link_from_async(link.clone());
    let (done, returned) = mpsc::channel();
    let worker_card = card.clone();
    let worker = std::thread::spawn(move || {
        let r = worker_card.transceive(vec![0x80, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00]);
        done.send(r).unwrap();
    });
    link.wait_holding();
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        returned.try_recv().is_err(),
        "still awaiting the app's answer"
    );
    card.close().unwrap();
    let r = returned
        .recv_timeout(Duration::from_secs(5))
        .expect("close() ended the pending transceive");
    worker.join().unwrap();
    assert!(matches!(r, Err(LinkError::TagLost)), "got {r:?}");
    assert!(link.closed.load(Ordering::SeqCst), "the app's close() ran");
    assert!(
        link.held_future_dropped.load(Ordering::SeqCst),
        "the app's future was dropped (its task cancelled)"
    );
    // Closed: nothing more reaches the app.
    let sent = link.sent.load(Ordering::SeqCst);
    assert!(matches!(
        card.transceive(vec![0x00, 0xB0, 0x00, 0x00, 0x00]),
        Err(LinkError::TagLost)
    ));
    assert_eq!(link.sent.load(Ordering::SeqCst), sent);
    // An answer arriving after the close finds no one waiting.
    deliver(&link.held, Ok(vec![0x90, 0x00]));
}

#[test]
fn cancelling_a_flow_ends_its_pending_async_exchange() {
    let emu = Emulator::new(1, CardProfile::MyNumberCard);
    let link = AsyncEmulatorLink::new(emu.clone(), Duration::from_millis(1), true);
    let handle = CancelHandle::new();
    let (l, h) = (link.clone(), handle.clone());
    let canceller = std::thread::spawn(move || {
        l.wait_holding();
        h.cancel();
    });
    let e = sign_over(&emu, &link, Some(handle)).expect_err("cancelled");
    canceller.join().unwrap();
    assert_eq!(
        e,
        MynaError::Cancelled {
            during_verify: false
        }
    );
    assert!(link.closed.load(Ordering::SeqCst));
    assert!(link.held_future_dropped.load(Ordering::SeqCst));
    // The VERIFY before the signature succeeded; nothing was sent after the cancellation.
    assert_eq!(emu.pin_attempts_left(PinType::SignaturePassword), 5);
    assert_eq!(link.sent.load(Ordering::SeqCst), 6);
}
