//! Hexadecimal as the library's JSON documents and evidence spell bytes: lowercase when
//! written; when read, lowercase only where a value must have one spelling (consent documents,
//! login messages), either case where it need not.

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hexadecimal.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Bytes from an even number of lowercase hexadecimal digits; `None` for anything else.
pub(crate) fn decode_lowercase(s: &str) -> Option<Vec<u8>> {
    decode_with(s, false)
}

/// Bytes from an even number of hexadecimal digits of either case; `None` for anything else.
pub(crate) fn decode(s: &str) -> Option<Vec<u8>> {
    decode_with(s, true)
}

fn decode_with(s: &str, uppercase: bool) -> Option<Vec<u8>> {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' if uppercase => Some(c - b'A' + 10),
        _ => None,
    };
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some((nibble(p[0])? << 4) | nibble(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_the_two_readings() {
        let bytes = [0x00, 0x0f, 0xa5, 0xff];
        assert_eq!(encode(&bytes), "000fa5ff");
        assert_eq!(decode_lowercase("000fa5ff").unwrap(), bytes);
        assert_eq!(decode("000FA5ff").unwrap(), bytes);
        assert_eq!(decode_lowercase("000FA5ff"), None);
        for bad in ["0", "0g", "0x", " 0", "00 "] {
            assert_eq!(decode(bad), None, "{bad:?}");
            assert_eq!(decode_lowercase(bad), None, "{bad:?}");
        }
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }
}
