//! The app's async link to the card ([`AsyncCardLink`]): for platforms whose card API is
//! async (CoreNFC's `sendCommand`), so that the app never blocks a thread to answer the
//! library. [`card_link_from_async`] makes it the [`CardLink`] the flows take: the library's
//! worker thread (never a thread of the app's async runtime) drives the app's future to
//! completion, parked between wake-ups.
//!
//! Cancellation: the flow's cancellation closes the link as for a blocking one (a PIN VERIFY in
//! flight completes first). Closing calls the app's `close()` and gives up a pending exchange
//! at once: `transceive` returns `TagLost` and drops the app's future, which cancels the app's
//! task (a Swift `Task`), whether or not the app answered it.
//!
//! Meant for Swift, where it is tested. (Kotlin and Python apps implement the blocking
//! `CardLink`; uniffi's Python would also need `uniffi_set_event_loop`, since the library
//! calls the link from its worker thread, where no event loop runs.)

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

use crate::link::{CardLink, LinkError};

/// The link to a card with an async `transceive`, implemented by the app: Swift
/// `func transceive(command: Data) async throws -> Data` over `NFCISO7816Tag.sendCommand`
/// (the library's `MynaNFCSession` is one). A flow takes it as `card_link_from_async(link)`
/// (Swift `cardLinkFromAsync(link:)`).
///
/// Every method may throw; what it throws becomes a typed error of the flow.
#[uniffi::export(foreign)]
#[async_trait::async_trait]
pub trait AsyncCardLink: Send + Sync {
    /// Sends `command` and returns the raw response (data, then SW1 SW2). Awaited by the
    /// library one exchange at a time. Once `close` was called it should fail with `TagLost`;
    /// the library stops awaiting it then anyway (and drops it, which cancels the app's task).
    async fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError>;
    /// Whether extended-length APDUs may be sent (the library falls back if the card refuses).
    fn supports_extended_length(&self) -> Result<bool, LinkError>;
    /// The largest command or response the link carries, in bytes; 0 for the ISO defaults.
    fn max_transceive_length(&self) -> Result<i32, LinkError>;
    /// The flow was cancelled: close the link (CoreNFC `session.invalidate()`). Called from
    /// the cancelling thread, never while a PIN VERIFY is in flight; must not block.
    fn close(&self) -> Result<(), LinkError>;
}

/// The [`CardLink`] the flows take, over the app's async link: each `transceive` awaits the
/// app's future on the library's worker thread; `close` also ends a pending one with
/// `TagLost`. Its `transceive` is for the library's flows: called from app code it would block
/// the calling thread until the card answers.
#[uniffi::export]
pub fn card_link_from_async(link: Arc<dyn AsyncCardLink>) -> Arc<dyn CardLink> {
    Arc::new(AsyncLinkAdapter {
        link,
        state: Mutex::new(AdapterState::default()),
    })
}

/// The async link as a blocking one.
struct AsyncLinkAdapter {
    link: Arc<dyn AsyncCardLink>,
    state: Mutex<AdapterState>,
}

#[derive(Default)]
struct AdapterState {
    closed: bool,
    /// The thread awaiting an exchange, to give up when the link is closed.
    waiting: Option<Arc<Parker>>,
}

impl AsyncLinkAdapter {
    fn state(&self) -> MutexGuard<'_, AdapterState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CardLink for AsyncLinkAdapter {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        let parker = Parker::for_current_thread();
        {
            let mut state = self.state();
            if state.closed {
                return Err(LinkError::TagLost);
            }
            state.waiting = Some(parker.clone());
        }
        let answer = block_on(self.link.transceive(command), &parker);
        self.state().waiting = None;
        // Given up because the link was closed: the app's future is dropped by now.
        answer.unwrap_or(Err(LinkError::TagLost))
    }

    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        self.link.supports_extended_length()
    }

    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        self.link.max_transceive_length()
    }

    fn close(&self) -> Result<(), LinkError> {
        // The app closes first, so that its own answer to a pending exchange (TagLost) is
        // normally what the flow sees; the pending exchange is given up in any case, even if
        // the app's close throws or its future never completes.
        let closed = self.link.close();
        let waiting = {
            let mut state = self.state();
            state.closed = true;
            state.waiting.take()
        };
        if let Some(parker) = waiting {
            parker.give_up();
        }
        closed
    }
}

/// Wakes the thread that drives a future: the future's waker, and the link's way to make
/// that thread give up.
pub(crate) struct Parker {
    thread: Thread,
    woken: AtomicBool,
    given_up: AtomicBool,
}

impl Parker {
    pub(crate) fn for_current_thread() -> Arc<Self> {
        Arc::new(Self {
            thread: std::thread::current(),
            woken: AtomicBool::new(false),
            given_up: AtomicBool::new(false),
        })
    }

    /// Makes [`block_on`] return `None` at its next wake-up (now, if it is parked).
    pub(crate) fn give_up(&self) {
        self.given_up.store(true, Ordering::SeqCst);
        self.wake_thread();
    }

    fn wake_thread(&self) {
        self.woken.store(true, Ordering::SeqCst);
        self.thread.unpark();
    }
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.wake_thread();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_thread();
    }
}

/// Drives `future` to completion on this thread (the one `parker` belongs to): polls it,
/// parks until its waker is called, polls again. Returns `None`, dropping the future, once
/// [`Parker::give_up`] was called while it was pending.
pub(crate) fn block_on<F: Future>(future: F, parker: &Arc<Parker>) -> Option<F::Output> {
    let waker = Waker::from(parker.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if parker.given_up.load(Ordering::SeqCst) {
            return None;
        }
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        // `unpark` before `park` makes `park` return at once, and `park` may return
        // spuriously: the flag says whether a wake-up really came.
        while !parker.woken.swap(false, Ordering::SeqCst) {
            if parker.given_up.load(Ordering::SeqCst) {
                return None;
            }
            std::thread::park();
        }
    }
}
