//! [`PinCode`]: how a PIN crosses the FFI.
//!
//! Its constructor is synchronous and takes the PIN as `&[u8]`, which uniffi 0.32 passes by
//! reference (`uniffi_macros` `fnsig.rs` `NamedArg::new`: a `&[u8]` argument becomes
//! `::uniffi::ForeignBytes`, a pointer into the caller's memory, and no `RustBuffer` is
//! allocated). A `Vec<u8>` argument instead arrives in a `RustBuffer` that uniffi frees without
//! zeroing (`uniffi_core` `ffi/rustbuffer.rs` `RustBuffer::destroy_into_vec`, then the `Vec`
//! drops). By-reference bytes are refused for async functions: the future would keep a
//! pointer the foreign side frees when the call returns (`ForeignBytes` is not `Send`, and
//! `uniffi_core` `rust_future_new` wants a `Send` future), so the flows take a `PinCode` and
//! the PIN is read by reference in this synchronous constructor only.
//!
//! The value lives only in the core's zeroizing [`Pin`], parsed straight from the borrowed
//! bytes. A `PinCode` is used once: the first call it is passed to takes the value, and the
//! value is wiped when that call ends, whatever the outcome (result, error, cancellation). A
//! second use is `MynaError::InvalidInput`. [`PinCode::wipe`] wipes it at once; dropping the
//! last reference wipes it too.

use std::sync::{Arc, Mutex};

use mynasign::pin::{Pin, PinKind};

use crate::error::MynaError;
use crate::records::PinType;

/// A PIN of one kind, format-checked when made, used by one call, wiped after it.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct PinCode {
    kind: PinKind,
    value: Mutex<Option<Pin>>,
}

impl core::fmt::Debug for PinCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PinCode({}, ***)", self.kind)
    }
}

impl core::fmt::Display for PinCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self, f)
    }
}

/// The field an error names when a `PinCode` was already used or wiped.
pub(crate) const USED: &str = "pin (a PinCode is used by one call: make a new one)";

#[uniffi::export]
impl PinCode {
    /// Checks `value` (the PIN's UTF-8 text; a signature password is uppercased) and keeps
    /// it in memory that is wiped after use. A wrong format is `MynaError::InvalidPinFormat`,
    /// with nothing sent to any card. `value` is read in place (by reference) and not kept:
    /// the caller wipes its own buffer.
    #[uniffi::constructor]
    pub fn new(pin: PinType, value: &[u8]) -> Result<Arc<Self>, MynaError> {
        let kind: PinKind = pin.into();
        let text = core::str::from_utf8(value).map_err(|_| MynaError::invalid_pin_format(kind))?;
        let pin = Pin::new(kind, text).map_err(|_| MynaError::invalid_pin_format(kind))?;
        Ok(Arc::new(Self {
            kind,
            value: Mutex::new(Some(pin)),
        }))
    }

    /// Which PIN this is.
    pub fn pin_type(&self) -> PinType {
        self.kind.into()
    }

    /// Whether the value is gone: used by a call, or wiped.
    pub fn is_wiped(&self) -> bool {
        self.slot().is_none()
    }

    /// Wipes the value now (a call given this `PinCode` afterwards fails with
    /// `MynaError::InvalidInput`). Wiping twice does nothing.
    pub fn wipe(&self) {
        drop(self.slot().take());
    }
}

impl PinCode {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Pin>> {
        // A panic while the lock was held cannot leave a half-written `Option<Pin>`.
        self.value.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the value for one call. `expected` is the kind the call needs: a `PinCode` of
    /// another kind is refused before anything is sent. Either way the value leaves the
    /// object, so it is wiped when the caller drops it.
    pub(crate) fn take(&self, expected: PinKind) -> Result<Pin, MynaError> {
        let pin = self
            .slot()
            .take()
            .ok_or_else(|| MynaError::invalid_input(USED))?;
        if pin.kind() != expected {
            return Err(MynaError::invalid_input(match expected {
                PinKind::SignaturePassword => {
                    "pin (a PinCode of the signature password kind is needed)"
                }
                PinKind::AuthenticationPin => {
                    "pin (a PinCode of the authentication PIN kind is needed)"
                }
                PinKind::CardInfoPin => "pin (a PinCode of the card-info PIN kind is needed)",
            }));
        }
        Ok(pin)
    }
}
