use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Cancels a session's work between two exchanges: the UI calls [`CancelToken::cancel`] from
/// any thread; the next exchange is not sent and the operation fails with
/// [`crate::Error::Cancelled`]. An exchange already in flight is never interrupted (a VERIFY in
/// flight completes, so its attempt is accounted for).
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the session to stop before its next exchange.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl PartialEq for CancelToken {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CancelToken {}
