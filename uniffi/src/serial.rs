//! Flows on one link run one after another. Two flows sharing a link (two requests of a
//! kiosk back end on one `PcscLink`, two tasks on one `Emulator.link()`) would otherwise
//! interleave their APDUs on one card: the second SELECT lands between the first flow's
//! VERIFY and its COMPUTE DIGITAL SIGNATURE. A flow's worker waits here for its turn before
//! it sends anything; a flow cancelled while waiting ends without sending and without
//! closing the link (the flow using it is not disturbed).
//!
//! A link is known by the address of the object the flows share: the same for every flow
//! on a link implemented in Rust (`PcscLink.open()`, `Emulator.link()`). A link implemented
//! in the app's language reaches Rust as a new wrapper on each call, so flows on it are not
//! ordered here: the app serializes its own link (the language layers say so).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::link::LinkState;

/// The links a flow is running on now.
static BUSY: Mutex<Vec<usize>> = Mutex::new(Vec::new());
/// Signalled when a link is freed or a waiting flow is cancelled.
static CHANGED: Condvar = Condvar::new();
/// How many flows wait for their turn now (what the tests wait on).
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// How many flows wait for their turn on a link now.
#[cfg(test)]
pub(crate) fn waiting() -> usize {
    WAITING.load(Ordering::SeqCst)
}

fn busy() -> MutexGuard<'static, Vec<usize>> {
    BUSY.lock().unwrap_or_else(|p| p.into_inner())
}

/// A flow's turn on its link, given back when dropped.
pub(crate) struct Turn(usize);

impl Drop for Turn {
    fn drop(&mut self) {
        let mut links = busy();
        if let Some(i) = links.iter().position(|k| *k == self.0) {
            links.swap_remove(i);
        }
        CHANGED.notify_all();
    }
}

/// Waits until no other flow runs on `state`'s link, then takes it: `None` when the flow
/// was cancelled first.
pub(crate) fn wait_turn(state: &LinkState) -> Option<Turn> {
    let key = state.key();
    let mut links = busy();
    loop {
        // Checked with BUSY held: a cancellation sets the token, then notifies holding it,
        // so it cannot fall between this check and the wait.
        if state.is_cancelled() {
            return None;
        }
        if !links.contains(&key) {
            links.push(key);
            return Some(Turn(key));
        }
        WAITING.fetch_add(1, Ordering::SeqCst);
        links = CHANGED.wait(links).unwrap_or_else(|p| p.into_inner());
        WAITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wakes the waiting flows so a cancelled one stops waiting.
pub(crate) fn wake() {
    let _links = busy();
    CHANGED.notify_all();
}
