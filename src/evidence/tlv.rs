//! The BER-TLV subset the card-info application's files use: tags of one to three bytes
//! (`91`, `DF 31`, `7F 21`), lengths in the short, `81 LL` or `82 LLLL` form.

/// One TLV object: its tag, its value and its own bytes (header included).
pub(crate) struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// The object at the start of `b` and what follows it; `None` when `b` does not start with a
/// whole object.
pub(crate) fn split(b: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let first = *b.first()?;
    let mut tag = u32::from(first);
    let mut i = 1;
    if first & 0x1F == 0x1F {
        loop {
            let t = *b.get(i)?;
            tag = (tag << 8) | u32::from(t);
            i += 1;
            if t & 0x80 == 0 {
                break;
            }
            if i >= 3 {
                return None;
            }
        }
    }
    let l = *b.get(i)?;
    i += 1;
    let len = match l {
        0x00..=0x7F => usize::from(l),
        0x81 => {
            i += 1;
            usize::from(*b.get(i - 1)?)
        }
        0x82 => {
            i += 2;
            usize::from(u16::from_be_bytes([*b.get(i - 2)?, *b.get(i - 1)?]))
        }
        _ => return None,
    };
    let end = i.checked_add(len)?;
    let raw = b.get(..end)?;
    Some((
        Tlv {
            tag,
            value: raw.get(i..)?,
            raw,
        },
        b.get(end..)?,
    ))
}

/// The object at the start of `b`, which must carry `tag`; anything after it (the filler of a
/// file read whole) is ignored.
pub(crate) fn outer(b: &[u8], tag: u32) -> Option<Tlv<'_>> {
    split(b).map(|(t, _)| t).filter(|t| t.tag == tag)
}

/// The objects of `value` in order, each with the expected tag, and nothing after them.
pub(crate) fn exactly<'a, const N: usize>(value: &'a [u8], tags: [u32; N]) -> Option<[Tlv<'a>; N]> {
    let mut rest = value;
    let mut out = Vec::with_capacity(N);
    for tag in tags {
        let (t, r) = split(rest)?;
        if t.tag != tag {
            return None;
        }
        out.push(t);
        rest = r;
    }
    if !rest.is_empty() {
        return None;
    }
    out.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_lengths() {
        let (t, rest) = split(&[0x7F, 0x21, 0x02, 1, 2, 9]).unwrap();
        assert_eq!((t.tag, t.value, rest), (0x7F21, &[1u8, 2][..], &[9u8][..]));
        let (t, _) = split(&[0xDF, 0x33, 0x82, 0x00, 0x01, 7]).unwrap();
        assert_eq!((t.tag, t.value, t.raw.len()), (0xDF33, &[7u8][..], 6));
        let (t, _) = split(&[0x91, 0x81, 0x01, 7]).unwrap();
        assert_eq!((t.tag, t.value), (0x91, &[7u8][..]));
        for bad in [
            &[][..],
            &[0x91],
            &[0x91, 0x02, 1],
            &[0x91, 0x83, 0, 0, 1, 1],
            &[0xDF, 0x80, 0x80, 0x01, 0x00],
            &[0x91, 0x82, 0x00],
        ] {
            assert!(split(bad).is_none(), "{bad:?}");
        }
        assert!(exactly(&[0x90, 0x00, 0x91, 0x00], [0x90, 0x91]).is_some());
        assert!(exactly(&[0x90, 0x00, 0x91, 0x00, 0x00], [0x90, 0x91]).is_none());
        assert!(exactly(&[0x91, 0x00, 0x90, 0x00], [0x90, 0x91]).is_none());
    }
}
