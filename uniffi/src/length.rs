//! Extended length that survives real NFC controllers, the same on every platform.
//!
//! Some phones say they carry extended-length APDUs and then refuse a long frame (Android's NFC
//! service: "Transceive length exceeds supported maximum") or lose it (the RF link breaks: a
//! lost tag). Within a session the core already falls back to short APDUs when an extended
//! command is refused (`6700` or a link error other than a lost tag). What it cannot do alone
//! is carry the lesson to the next session after the card was lost: [`LengthMemory`] does.
//!
//! The app keeps one [`LengthPolicy`] per device (persisted as it likes), makes a
//! [`LengthMemory`] from it for each session, passes `memory.wrap(link)` to the flow and saves
//! `memory.policy()` afterwards:
//! - [`LengthPolicy::Auto`] (the default) tries extended length where the link says it can;
//!   the first extended frame that is refused or lost turns the policy into
//!   [`LengthPolicy::Short`] (the flow itself continues with short APDUs after a refusal; after
//!   a lost tag the next session starts short).
//! - [`LengthPolicy::Short`] never sends extended length (the link is said not to carry it).
//! - [`LengthPolicy::Extended`] uses extended length whenever the link says it can, and never
//!   learns otherwise (for a device known to work).
//!
//! Whatever the policy, a frame longer than the link's `max_transceive_length` is never sent:
//! it fails at once as a link error (the core then retries a READ BINARY in short form).

use std::sync::{Arc, Mutex};

use crate::link::{CardLink, LinkError};

/// How a device's link is to use extended-length APDUs (a value the app can persist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum LengthPolicy {
    /// Extended length where the link says it can, until it fails once; then [`Self::Short`].
    Auto,
    /// Extended length where the link says it can, always.
    Extended,
    /// Short APDUs only.
    Short,
}

/// What [`LengthMemory`] says when it refuses a frame itself.
pub(crate) const FRAME_TOO_LONG: &str = "the frame is longer than the link's maximum";

/// A device's [`LengthPolicy`] for one session: wraps the app's link and learns from it (see
/// the module's documentation).
#[derive(Debug, uniffi::Object)]
pub struct LengthMemory {
    policy: Arc<Mutex<LengthPolicy>>,
}

#[uniffi::export]
impl LengthMemory {
    /// A session's memory starting from the device's saved `policy`.
    #[uniffi::constructor]
    pub fn new(policy: LengthPolicy) -> Arc<Self> {
        Arc::new(Self {
            policy: Arc::new(Mutex::new(policy)),
        })
    }

    /// The policy to save for the device after the session.
    pub fn policy(&self) -> LengthPolicy {
        *self.policy.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `link` under the policy; pass the result to the flow.
    pub fn wrap(&self, link: Arc<dyn CardLink>) -> Arc<dyn CardLink> {
        Arc::new(PolicyLink {
            inner: link,
            policy: self.policy.clone(),
        })
    }
}

struct PolicyLink {
    inner: Arc<dyn CardLink>,
    policy: Arc<Mutex<LengthPolicy>>,
}

impl PolicyLink {
    fn policy(&self) -> LengthPolicy {
        *self.policy.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An extended frame failed: in `Auto`, the device is short from now on.
    fn learn(&self) {
        let mut p = self.policy.lock().unwrap_or_else(|p| p.into_inner());
        if *p == LengthPolicy::Auto {
            *p = LengthPolicy::Short;
        }
    }
}

/// Whether `c` is an extended-length command APDU (Lc or Le in three bytes, `00` first).
fn is_extended(c: &[u8]) -> bool {
    c.len() >= 7 && c[4] == 0
}

impl CardLink for PolicyLink {
    fn transceive(&self, command: Vec<u8>) -> Result<Vec<u8>, LinkError> {
        let extended = is_extended(&command);
        let max = self.inner.max_transceive_length()?;
        if max > 0 && command.len() > usize::try_from(max).unwrap_or(usize::MAX) {
            if extended {
                self.learn();
            }
            return Err(LinkError::Other {
                detail: FRAME_TOO_LONG.into(),
            });
        }
        let result = self.inner.transceive(command);
        if extended {
            let refused = match &result {
                Ok(r) => r.ends_with(&[0x67, 0x00]),
                Err(_) => true,
            };
            if refused {
                self.learn();
            }
        }
        result
    }

    fn supports_extended_length(&self) -> Result<bool, LinkError> {
        match self.policy() {
            LengthPolicy::Short => Ok(false),
            LengthPolicy::Auto | LengthPolicy::Extended => self.inner.supports_extended_length(),
        }
    }

    fn max_transceive_length(&self) -> Result<i32, LinkError> {
        self.inner.max_transceive_length()
    }

    fn close(&self) -> Result<(), LinkError> {
        self.inner.close()
    }
}
