//! The card-info input support application (券面事項入力補助AP): the basic four attributes.

mod authentic;
mod my_number;
mod record;
mod session;

pub use my_number::{is_valid_my_number, my_number_check_digit};
pub use record::{encode_attributes_record, parse_attributes_record};
pub use session::CardInfoSession;
#[cfg(feature = "my-number")]
pub use session::MyNumber;

/// The card-info input support application's AID.
pub const AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// Card-info EF ids.
pub mod ef {
    /// The My Number (read only with the `my-number` feature).
    pub const MY_NUMBER: u16 = 0x0001;
    /// The basic four attributes record.
    pub const ATTRIBUTES: u16 = 0x0002;
    /// The integrity record (digests of EF `0001` and `0002`, signed).
    pub const INTEGRITY_RECORD: u16 = 0x0003;
    /// The application's card-verifiable certificate.
    pub const AP_CERTIFICATE: u16 = 0x0004;
    /// The application's own public key, signed by the issuer (presence check).
    pub const SIGNED_AP_KEY: u16 = 0x0007;
    /// The card-info input PIN.
    pub const PIN: u16 = 0x0011;
}
