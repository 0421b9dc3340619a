/// A status word, SW1 SW2.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl core::fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SW {:04X}", self.0)
    }
}

impl core::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl StatusWord {
    /// `9000`.
    pub const SUCCESS: Self = Self(0x9000);
    /// `6282`: end of file reached before Le bytes.
    pub const END_OF_FILE: Self = Self(0x6282);
    /// `6700`.
    pub const WRONG_LENGTH: Self = Self(0x6700);
    /// `6982`.
    pub const SECURITY_NOT_SATISFIED: Self = Self(0x6982);
    /// `6983`.
    pub const AUTH_METHOD_BLOCKED: Self = Self(0x6983);
    /// `6984`.
    pub const REFERENCE_DATA_UNUSABLE: Self = Self(0x6984);
    /// `6985`.
    pub const CONDITIONS_NOT_SATISFIED: Self = Self(0x6985);
    /// `6A81`.
    pub const FUNCTION_NOT_SUPPORTED: Self = Self(0x6A81);
    /// `6A82`.
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    /// `6A86`.
    pub const INCORRECT_P1P2: Self = Self(0x6A86);
    /// `6B00`.
    pub const WRONG_P1P2_OFFSET: Self = Self(0x6B00);
    /// `6D00`.
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    /// `6E00`.
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);

    /// From SW1 and SW2.
    pub const fn new(sw1: u8, sw2: u8) -> Self {
        Self(((sw1 as u16) << 8) | sw2 as u16)
    }

    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub const fn sw2(self) -> u8 {
        self.0 as u8
    }

    /// The two bytes.
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// `63Cx`: a wrong PIN (or the retry query's answer) with `x` attempts left.
    pub const fn retries(x: u8) -> Self {
        Self(0x63C0 | (x as u16 & 0x0F))
    }

    /// The typed meaning on the My Number Card (PROTOCOL.md section 5).
    pub fn status(self) -> Status {
        match (self.sw1(), self.sw2()) {
            (0x90, 0x00) => Status::Success,
            (0x62, 0x82) => Status::EndOfFile,
            (0x61, n) => Status::MoreData(if n == 0 { 256 } else { n as usize }),
            (0x6C, n) => Status::WrongLe(if n == 0 { 256 } else { n as usize }),
            (0x63, n) if n & 0xF0 == 0xC0 => Status::PinRetries(n & 0x0F),
            (0x69, 0x83) | (0x69, 0x84) => Status::PinBlocked,
            (0x69, 0x82) => Status::SecurityNotSatisfied,
            (0x69, 0x85) => Status::ConditionsNotSatisfied,
            (0x6A, 0x82) => Status::NotFound,
            (0x6A, 0x86) | (0x6A, 0x81) | (0x6D, 0x00) => Status::Unsupported,
            (0x67, 0x00) => Status::WrongLength,
            (0x6B, 0x00) => Status::OffsetOutOfRange,
            _ => Status::Other,
        }
    }
}

/// What a status word means on this card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// `9000`.
    Success,
    /// `6282`: fewer bytes than asked for, the end of the file was reached.
    EndOfFile,
    /// `61xx`: more data to fetch with GET RESPONSE.
    MoreData(usize),
    /// `6Cxx`: repeat the command with this Le.
    WrongLe(usize),
    /// `63Cx`: wrong PIN, or the retry query's answer; `x` attempts left.
    PinRetries(u8),
    /// `6983` / `6984`: the PIN is blocked.
    PinBlocked,
    /// `6982`: the PIN guarding this file or key has not been verified.
    SecurityNotSatisfied,
    /// `6985`.
    ConditionsNotSatisfied,
    /// `6A82`: file or application not found.
    NotFound,
    /// `6A86`, `6A81` or `6D00`: the card does not support this form of the command (the
    /// client falls back to the plain form).
    Unsupported,
    /// `6700`: wrong length (for example extended length refused).
    WrongLength,
    /// `6B00`: offset beyond the end of the file.
    OffsetOutOfRange,
    /// Anything else.
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meanings() {
        assert_eq!(StatusWord(0x9000).status(), Status::Success);
        assert_eq!(StatusWord(0x63C3).status(), Status::PinRetries(3));
        assert_eq!(StatusWord(0x63C0).status(), Status::PinRetries(0));
        assert_eq!(StatusWord(0x6310).status(), Status::Other);
        assert_eq!(StatusWord(0x6984).status(), Status::PinBlocked);
        assert_eq!(StatusWord(0x6983).status(), Status::PinBlocked);
        assert_eq!(StatusWord(0x6100).status(), Status::MoreData(256));
        assert_eq!(StatusWord(0x6C20).status(), Status::WrongLe(32));
        assert_eq!(StatusWord(0x6D00).status(), Status::Unsupported);
        assert_eq!(StatusWord::retries(2), StatusWord(0x63C2));
        assert_eq!(format!("{}", StatusWord(0x6a82)), "6A82");
    }
}
