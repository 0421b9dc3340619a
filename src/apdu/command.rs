use zeroize::Zeroizing;

use super::ApduError;

/// Whether a command is sent with short (1-byte Lc/Le) or extended (3/2-byte) length fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthForm {
    /// Lc up to 255, Le up to 256.
    Short,
    /// Lc up to 65535, Le up to 65536.
    Extended,
}

/// What a transcript must hide of an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Redaction {
    /// Nothing secret: record it as is.
    #[default]
    None,
    /// The command data is secret (a PIN): record its length only.
    CommandData,
    /// The response data is personal (a certificate, the basic four attributes): record its
    /// length only.
    ResponseData,
}

/// A command APDU.
///
/// Command data is held in a zeroizing buffer, because a VERIFY carries the PIN.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    data: Zeroizing<Vec<u8>>,
    le: Option<usize>,
    redaction: Redaction,
}

impl core::fmt::Debug for Command {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print command data: it may be a PIN.
        f.debug_struct("Command")
            .field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2))
            .field("data_len", &self.data.len())
            .field("le", &self.le)
            .finish()
    }
}

impl Command {
    /// A case-1 command: header only, no data, no Le.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Zeroizing::new(Vec::new()),
            le: None,
            redaction: Redaction::None,
        }
    }

    /// Sets the command data (cases 3 and 4).
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = Zeroizing::new(data.into());
        self
    }

    /// Sets Ne, the number of response bytes expected (1 to 65536; 256 is short `Le = 00`).
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Marks what a transcript must hide.
    pub fn with_redaction(mut self, redaction: Redaction) -> Self {
        self.redaction = redaction;
        self
    }

    /// The command data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Ne, the expected response length, if any.
    pub fn le(&self) -> Option<usize> {
        self.le
    }

    /// What a transcript must hide.
    pub fn redaction(&self) -> Redaction {
        self.redaction
    }

    /// Whether this command can only be sent in extended form.
    pub fn needs_extended(&self) -> bool {
        self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    /// Encodes the command. Short form fails with [`ApduError::NeedsExtendedLength`] when the
    /// data or Le do not fit; extended form is used only when asked for and the command has a
    /// body (a case-1 command is always four bytes).
    pub fn encode(&self, form: LengthForm) -> Result<Zeroizing<Vec<u8>>, ApduError> {
        let n = self.data.len();
        if n > 65535 || self.le.is_some_and(|le| le == 0 || le > 65536) {
            return Err(ApduError::OutOfRange);
        }
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 3 + n + 3));
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        match form {
            LengthForm::Short => {
                if self.needs_extended() {
                    return Err(ApduError::NeedsExtendedLength);
                }
                if n > 0 {
                    out.push(n as u8);
                    out.extend_from_slice(&self.data);
                }
                if let Some(le) = self.le {
                    out.push((le & 0xFF) as u8); // 256 -> 00
                }
            }
            LengthForm::Extended => {
                if n > 0 {
                    out.push(0);
                    out.extend_from_slice(&(n as u16).to_be_bytes());
                    out.extend_from_slice(&self.data);
                }
                if let Some(le) = self.le {
                    if n == 0 {
                        out.push(0);
                    }
                    out.extend_from_slice(&((le & 0xFFFF) as u16).to_be_bytes());
                    // 65536 -> 0000
                }
            }
        }
        Ok(out)
    }

    /// Parses command bytes, as a card does. Returns the command and the form it was sent in.
    pub fn parse(bytes: &[u8]) -> Result<(Self, LengthForm), ApduError> {
        if bytes.len() < 4 {
            return Err(ApduError::MalformedCommand("shorter than a header"));
        }
        let mut cmd = Command::new(bytes[0], bytes[1], bytes[2], bytes[3]);
        let body = &bytes[4..];
        let short_le = |b: u8| if b == 0 { 256 } else { b as usize };
        let ext_le = |hi: u8, lo: u8| match u16::from_be_bytes([hi, lo]) {
            0 => 65536,
            v => v as usize,
        };
        match body.len() {
            0 => return Ok((cmd, LengthForm::Short)),
            1 => {
                cmd.le = Some(short_le(body[0]));
                return Ok((cmd, LengthForm::Short));
            }
            _ => {}
        }
        if body[0] != 0 {
            // Short case 3 or 4.
            let lc = body[0] as usize;
            let rest = &body[1..];
            if rest.len() == lc {
                cmd.data = Zeroizing::new(rest.to_vec());
            } else if rest.len() == lc + 1 {
                cmd.data = Zeroizing::new(rest[..lc].to_vec());
                cmd.le = Some(short_le(rest[lc]));
            } else {
                return Err(ApduError::MalformedCommand("Lc does not match the body"));
            }
            return Ok((cmd, LengthForm::Short));
        }
        // Extended: body starts with 00.
        if body.len() == 3 {
            cmd.le = Some(ext_le(body[1], body[2]));
            return Ok((cmd, LengthForm::Extended));
        }
        if body.len() < 3 {
            return Err(ApduError::MalformedCommand("truncated extended length"));
        }
        let lc = u16::from_be_bytes([body[1], body[2]]) as usize;
        if lc == 0 {
            return Err(ApduError::MalformedCommand("extended Lc of zero"));
        }
        let rest = &body[3..];
        if rest.len() == lc {
            cmd.data = Zeroizing::new(rest.to_vec());
        } else if rest.len() == lc + 2 {
            cmd.data = Zeroizing::new(rest[..lc].to_vec());
            cmd.le = Some(ext_le(rest[lc], rest[lc + 1]));
        } else {
            return Err(ApduError::MalformedCommand(
                "extended Lc does not match the body",
            ));
        }
        Ok((cmd, LengthForm::Extended))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(c: &Command, f: LengthForm) -> Vec<u8> {
        c.encode(f).unwrap().to_vec()
    }

    #[test]
    fn case1_is_exactly_four_bytes_in_both_forms() {
        let c = Command::new(0x00, 0x20, 0x00, 0x80);
        assert_eq!(enc(&c, LengthForm::Short), [0x00, 0x20, 0x00, 0x80]);
        assert_eq!(enc(&c, LengthForm::Extended), [0x00, 0x20, 0x00, 0x80]);
    }

    #[test]
    fn short_forms() {
        let c = Command::new(0, 0xB0, 0, 0).with_le(256);
        assert_eq!(enc(&c, LengthForm::Short), [0, 0xB0, 0, 0, 0]);
        let c = Command::new(0, 0xA4, 2, 0x0C).with_data([0, 0x1B]);
        assert_eq!(enc(&c, LengthForm::Short), [0, 0xA4, 2, 0x0C, 2, 0, 0x1B]);
        let c = Command::new(0x80, 0x2A, 0, 0x80)
            .with_data([1, 2])
            .with_le(256);
        assert_eq!(
            enc(&c, LengthForm::Short),
            [0x80, 0x2A, 0, 0x80, 2, 1, 2, 0]
        );
    }

    #[test]
    fn extended_forms() {
        let c = Command::new(0, 0xB0, 0, 0).with_le(65536);
        assert_eq!(enc(&c, LengthForm::Extended), [0, 0xB0, 0, 0, 0, 0, 0]);
        let c = Command::new(0, 0xB0, 0, 0).with_le(4096);
        assert_eq!(enc(&c, LengthForm::Extended), [0, 0xB0, 0, 0, 0, 0x10, 0]);
        let c = Command::new(0, 0xD6, 0, 0)
            .with_data(vec![7; 300])
            .with_le(2);
        let e = enc(&c, LengthForm::Extended);
        assert_eq!(&e[..7], &[0, 0xD6, 0, 0, 0, 0x01, 0x2C]);
        assert_eq!(&e[e.len() - 2..], &[0, 2]);
        assert_eq!(
            c.encode(LengthForm::Short),
            Err(ApduError::NeedsExtendedLength)
        );
    }

    #[test]
    fn parse_round_trips_every_case() {
        let cases = [
            Command::new(0, 0x20, 0, 0x80),
            Command::new(0, 0xB0, 0x86, 0).with_le(32),
            Command::new(0, 0xB0, 0, 0).with_le(256),
            Command::new(0, 0xA4, 4, 0x0C).with_data([0xD3, 0x92]),
            Command::new(0x80, 0x2A, 0, 0x9A)
                .with_data([9; 51])
                .with_le(256),
        ];
        for form in [LengthForm::Short, LengthForm::Extended] {
            for c in &cases {
                let bytes = enc(c, form);
                let (p, f) = Command::parse(&bytes).unwrap();
                assert_eq!(&p, c);
                if c.data().is_empty() && c.le().is_none() {
                    continue;
                }
                assert_eq!(f, form);
            }
        }
        let big = Command::new(0, 0xB0, 0, 0).with_le(65536);
        let (p, f) = Command::parse(&enc(&big, LengthForm::Extended)).unwrap();
        assert_eq!((p.le(), f), (Some(65536), LengthForm::Extended));
    }

    #[test]
    fn parse_rejects_malformed() {
        assert!(Command::parse(&[0, 0xA4, 4]).is_err());
        assert!(Command::parse(&[0, 0xA4, 4, 0x0C, 5, 1, 2]).is_err());
        assert!(Command::parse(&[0, 0xA4, 4, 0x0C, 0, 0]).is_err());
        assert!(Command::parse(&[0, 0xA4, 4, 0x0C, 0, 0, 3, 1]).is_err());
    }

    #[test]
    fn debug_never_shows_data() {
        let c = Command::new(0, 0x20, 0, 0x9B).with_data(*b"SECRET1");
        let s = format!("{c:?}");
        assert!(!s.contains("SECRET") && !s.contains("83"), "{s}");
    }
}
