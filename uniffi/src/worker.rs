//! How an async call runs a blocking card flow: on a worker thread of its own, so that the
//! caller's thread (a coroutine dispatcher, a Swift executor, an asyncio loop) is never
//! blocked, and so that the app's link may block in `transceive` (CoreNFC's callback arrives
//! on another queue). The returned future completes when the worker does.
//!
//! Cancellation: dropping the future (a cancelled Kotlin coroutine or asyncio task: uniffi
//! frees the Rust future) or calling [`CancelHandle::cancel`] (what the Swift layer does from
//! `withTaskCancellationHandler`) cancels the flow: nothing more is sent, and the link is told
//! to close so that a pending `transceive` returns, unless a VERIFY is in flight, which
//! completes first so its attempt is accounted for. The flow then ends with
//! `MynaError::Cancelled`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use mynasign::card::CancelToken;
use mynasign::flow::FlowStep as CoreStep;

use crate::error::MynaError;
use crate::link::{CardLink, ForeignTransport, LinkState};
use crate::records::{FlowStep, Progress};

/// Why a progress listener failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    /// The listener failed.
    #[error("progress listener failed: {detail}")]
    Failed {
        /// What happened.
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ListenerError::Failed {
            detail: format!("the listener threw {}", crate::link::thrown_type(&e.reason)),
        }
    }
}

/// Receives the steps of a flow. Called on the flow's worker thread: the language layers turn
/// it into a Kotlin `Flow`, a Swift `AsyncStream` or a Python async iterator. If it throws,
/// the flow stops before its next exchange with `CallbackFailed`.
#[uniffi::export(foreign)]
pub trait ProgressListener: Send + Sync {
    /// A step starts.
    fn on_progress(&self, progress: Progress) -> Result<(), ListenerError>;
}

/// Cancels a flow from anywhere (a button, Swift's task-cancellation handler): the flow
/// stops before its next exchange, a pending `transceive` is unblocked by closing the link,
/// and the call fails with `Cancelled`. One handle may serve several calls.
#[derive(Default, uniffi::Object)]
pub struct CancelHandle {
    state: Mutex<HandleState>,
}

#[derive(Default)]
struct HandleState {
    cancelled: bool,
    links: Vec<std::sync::Weak<dyn Cancel>>,
}

/// Something a cancellation stops: a flow's link, or a local flow's token.
pub(crate) trait Cancel: Send + Sync {
    fn cancel(&self);
}

impl Cancel for LinkState {
    fn cancel(&self) {
        LinkState::cancel(self);
    }
}

impl Cancel for CancelToken {
    fn cancel(&self) {
        CancelToken::cancel(self);
    }
}

impl core::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CancelHandle(cancelled: {})", self.is_cancelled())
    }
}

#[uniffi::export]
impl CancelHandle {
    /// A handle not yet cancelled.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Cancels every flow this handle was given to (now and later).
    pub fn cancel(&self) {
        let links = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            s.cancelled = true;
            std::mem::take(&mut s.links)
        };
        for l in links.iter().filter_map(std::sync::Weak::upgrade) {
            l.cancel();
        }
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cancelled
    }
}

impl CancelHandle {
    fn register(&self, link: &Arc<dyn Cancel>) {
        let cancelled = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            s.links.retain(|w| w.strong_count() > 0);
            s.links.push(Arc::downgrade(link));
            s.cancelled
        };
        if cancelled {
            link.cancel();
        }
    }
}

/// Reports progress to the app's listener; a listener that throws cancels the flow (nothing
/// more is sent) and is remembered, so the flow ends with `CallbackFailed`.
pub(crate) struct Reporter {
    listener: Option<Arc<dyn ProgressListener>>,
    failed: Mutex<Option<String>>,
    stop: Option<Arc<LinkState>>,
}

impl Reporter {
    pub(crate) fn step(&self, step: FlowStep, index: u32, total: u32) {
        let Some(l) = &self.listener else { return };
        if let Err(e) = l.on_progress(Progress::new(step, index, total)) {
            let mut f = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            if f.is_none() {
                *f = Some(e.to_string());
            }
            drop(f);
            if let Some(s) = &self.stop {
                s.cancel();
            }
        }
    }

    fn failure(&self) -> Option<String> {
        self.failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl mynasign::flow::ProgressListener for Reporter {
    fn on_step(&self, step: CoreStep, index: u32, total: u32) {
        let s = match step {
            CoreStep::Connecting => FlowStep::Connecting,
            CoreStep::CheckingPin => FlowStep::CheckingPin,
            CoreStep::VerifyingPin => FlowStep::VerifyingPin,
            CoreStep::ReadingCertificate => FlowStep::ReadingCertificate,
            CoreStep::ReadingCaCertificate => FlowStep::ReadingCaCertificate,
            CoreStep::Signing => FlowStep::Signing,
        };
        self.step(s, index, total);
    }
}

/// What a flow body gets: the transport over the app's link, the token for the core's
/// session options, and the progress reporter.
pub(crate) struct FlowContext {
    pub(crate) transport: Arc<dyn mynasign::transport::CardTransport>,
    pub(crate) token: CancelToken,
    pub(crate) progress: Arc<Reporter>,
}

impl FlowContext {
    pub(crate) fn session(&self) -> mynasign::card::SessionOptions {
        mynasign::card::SessionOptions {
            cancel: Some(self.token.clone()),
            ..mynasign::card::SessionOptions::default()
        }
    }
}

struct Slot<T> {
    result: Option<Result<T, MynaError>>,
    waker: Option<Waker>,
}

/// The future of a flow running on its worker thread.
pub(crate) struct FlowFuture<T> {
    slot: Arc<Mutex<Slot<T>>>,
    cancel: Arc<dyn Cancel>,
    done: bool,
}

impl<T> Future for FlowFuture<T> {
    type Output = Result<T, MynaError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = slot.result.take() {
            drop(slot);
            self.done = true;
            return Poll::Ready(r);
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for FlowFuture<T> {
    fn drop(&mut self) {
        // Dropped before completion: the caller was cancelled.
        if !self.done {
            self.cancel.cancel();
        }
    }
}

fn complete<T>(slot: &Mutex<Slot<T>>, r: Result<T, MynaError>) {
    let waker = {
        let mut s = slot.lock().unwrap_or_else(|p| p.into_inner());
        s.result = Some(r);
        s.waker.take()
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// Worker threads still running (counted until after their last call into the app's
/// language, the wake-up of the awaiting caller included).
static ACTIVE_WORKERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// How many flows' worker threads are still running, including cancelled flows that have
/// not let go of the app's link yet. A language layer waits for zero before its runtime
/// shuts down (Python's `atexit`): a worker calling into a finalizing interpreter aborts
/// the process.
#[uniffi::export]
pub fn active_workers() -> i32 {
    i32::try_from(ACTIVE_WORKERS.load(std::sync::atomic::Ordering::SeqCst)).unwrap_or(i32::MAX)
}

pub(crate) fn spawn<T: Send + 'static>(
    cancel: Arc<dyn Cancel>,
    body: impl FnOnce() -> Result<T, MynaError> + Send + 'static,
) -> FlowFuture<T> {
    let slot = Arc::new(Mutex::new(Slot {
        result: None,
        waker: None,
    }));
    let worker_slot = slot.clone();
    ACTIVE_WORKERS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let spawned = std::thread::Builder::new()
        .name("mynasign-flow".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body))
                .unwrap_or_else(|_| Err(MynaError::internal("the flow panicked")));
            complete(&worker_slot, r);
            drop(worker_slot);
            ACTIVE_WORKERS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        });
    if spawned.is_err() {
        ACTIVE_WORKERS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        complete(&slot, Err(MynaError::internal("no worker thread")));
    }
    FlowFuture {
        slot,
        cancel,
        done: false,
    }
}

/// Runs a card flow over `link` on a worker thread.
pub(crate) async fn run_card<T: Send + 'static>(
    link: Arc<dyn CardLink>,
    listener: Option<Arc<dyn ProgressListener>>,
    cancel: Option<Arc<CancelHandle>>,
    body: impl FnOnce(&FlowContext) -> Result<T, MynaError> + Send + 'static,
) -> Result<T, MynaError> {
    let token = CancelToken::new();
    let state = LinkState::queued(link, token.clone());
    let target: Arc<dyn Cancel> = state.clone();
    if let Some(h) = &cancel {
        h.register(&target);
    }
    let worker_state = state.clone();
    spawn(target, move || {
        // One flow at a time on a link (crate::serial); nothing is sent before the turn.
        let Some(_turn) = crate::serial::wait_turn(&worker_state) else {
            return Err(MynaError::Cancelled {
                during_verify: false,
            });
        };
        worker_state.start();
        let progress = Arc::new(Reporter {
            listener,
            failed: Mutex::new(None),
            stop: Some(worker_state.clone()),
        });
        let transport: Arc<dyn mynasign::transport::CardTransport> =
            Arc::new(ForeignTransport::new(worker_state.clone())?);
        let cx = FlowContext {
            transport,
            token,
            progress: progress.clone(),
        };
        let r = body(&cx);
        if let Some(detail) = progress.failure() {
            return Err(MynaError::CallbackFailed {
                callback: "progress".into(),
                detail,
            });
        }
        settle(r, &worker_state)
    })
    .await
}

/// A flow's result, with a failure of a cancelled flow reported as `Cancelled`.
pub(crate) fn settle<T>(r: Result<T, MynaError>, state: &LinkState) -> Result<T, MynaError> {
    match r {
        Err(e) if state.is_cancelled() => Err(cancelled(e)),
        r => r,
    }
}

/// A failure of a cancelled flow, as `Cancelled`. A VERIFY in flight at the cancellation
/// was let complete, so its outcome is known; only a link lost during a VERIFY leaves the
/// counter uncertain.
fn cancelled(e: MynaError) -> MynaError {
    match e {
        // Errors that are not about the link keep their own meaning.
        MynaError::WrongPin { .. }
        | MynaError::PinNowBlocked { .. }
        | MynaError::CallbackFailed { .. }
        | MynaError::Internal { .. } => e,
        MynaError::TagLost {
            during_verify: true,
        } => MynaError::Cancelled {
            during_verify: true,
        },
        _ => MynaError::Cancelled {
            during_verify: false,
        },
    }
}

/// Runs a flow that does not talk to a card (a keystore signer) on a worker thread. A
/// cancellation cannot interrupt the app's signer; the call then ends with `Cancelled` once
/// the signer returns, and its result is discarded.
pub(crate) async fn run_local<T: Send + 'static>(
    cancel: Option<Arc<CancelHandle>>,
    body: impl FnOnce() -> Result<T, MynaError> + Send + 'static,
) -> Result<T, MynaError> {
    let token = CancelToken::new();
    let target: Arc<dyn Cancel> = Arc::new(token.clone());
    if let Some(h) = &cancel {
        h.register(&target);
    }
    spawn(target, move || {
        let r = body();
        if token.is_cancelled() {
            return Err(MynaError::Cancelled {
                during_verify: false,
            });
        }
        r
    })
    .await
}
