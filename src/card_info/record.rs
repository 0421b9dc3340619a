//! The basic four attributes record (EF `0002` of the card-info input support AP).
//!
//! Layout (PROTOCOL.md section 3):
//!
//! ```text
//! FF 20 <len>                      outer template
//!   DF 21 08 <o1 o2 o3 o4>         four big-endian 2-byte offsets, from the start of the
//!                                  file, of the tags of the four items below
//!   DF 22 <len> <name, UTF-8>
//!   DF 23 <len> <address, UTF-8>
//!   DF 24 08    <YYYYMMDD, ASCII>
//!   DF 25 01    <sex code, ASCII>
//! <filler>
//! ```
//!
//! Every length, the outer one included, is BER-style: one byte below `0x80`, else `81 LL` or
//! `82 LLLL`. Error reasons name the defect, never a value read from the record.

use crate::attributes::{BasicFourAttributes, Sex};
use crate::date::Date;
use crate::Error;

const WHAT: &str = "attributes record";

const TAG_TEMPLATE: [u8; 2] = [0xFF, 0x20];
const TAG_OFFSETS: [u8; 2] = [0xDF, 0x21];
const TAG_NAME: [u8; 2] = [0xDF, 0x22];
const TAG_ADDRESS: [u8; 2] = [0xDF, 0x23];
const TAG_BIRTH: [u8; 2] = [0xDF, 0x24];
const TAG_SEX: [u8; 2] = [0xDF, 0x25];

fn err(reason: &str) -> Error {
    Error::malformed(WHAT, reason)
}

/// A cursor over the record's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, item: &str) -> Result<&'a [u8], Error> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| err(&format!("truncated {item}")))?;
        let out = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| err("truncated"))?;
        self.pos = end;
        Ok(out)
    }

    fn length(&mut self, item: &str) -> Result<usize, Error> {
        let first = *self
            .take(1, item)?
            .first()
            .ok_or_else(|| err("truncated"))?;
        match first {
            0x00..=0x7F => Ok(usize::from(first)),
            0x81 => {
                let b = self.take(1, item)?;
                Ok(b.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)))
            }
            0x82 => {
                let b = self.take(2, item)?;
                Ok(b.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)))
            }
            _ => Err(err(&format!("unsupported length encoding for {item}"))),
        }
    }

    /// Reads one TLV with the expected two-byte tag; returns the tag's offset and the value.
    fn tlv(&mut self, tag: [u8; 2], item: &str) -> Result<(usize, &'a [u8]), Error> {
        let at = self.pos;
        let t = self.take(2, item)?;
        if t != tag {
            return Err(err(&format!("unexpected tag where {item} was expected")));
        }
        let len = self.length(item)?;
        let value = self.take(len, item)?;
        Ok((at, value))
    }
}

/// Parses the record read from EF `0002`. Filler after the outer template is ignored.
pub fn parse_attributes_record(bytes: &[u8]) -> Result<BasicFourAttributes, Error> {
    let mut outer = Reader { bytes, pos: 0 };
    let (_, template) = outer.tlv(TAG_TEMPLATE, "outer template")?;
    // Offsets count from the start of the file: the template's value starts at `outer.pos -
    // template.len()`.
    let base = outer.pos - template.len();
    let mut r = Reader {
        bytes: template,
        pos: 0,
    };

    let (_, table) = r.tlv(TAG_OFFSETS, "offsets table")?;
    if table.len() != 8 {
        return Err(err("offsets table is not 8 bytes"));
    }
    let (name_at, name) = r.tlv(TAG_NAME, "name")?;
    let (address_at, address) = r.tlv(TAG_ADDRESS, "address")?;
    let (birth_at, birth) = r.tlv(TAG_BIRTH, "date of birth")?;
    let (sex_at, sex) = r.tlv(TAG_SEX, "sex")?;
    if r.pos != template.len() {
        return Err(err("unexpected data after the sex item"));
    }

    let found = [name_at, address_at, birth_at, sex_at].map(|at| base + at);
    for (pair, actual) in table.chunks_exact(2).zip(found) {
        let declared = pair
            .iter()
            .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
        if declared != actual {
            return Err(err("offsets table inconsistent with the items"));
        }
    }

    let name = core::str::from_utf8(name)
        .map_err(|_| err("name is not valid UTF-8"))?
        .to_owned();
    let address = core::str::from_utf8(address)
        .map_err(|_| err("address is not valid UTF-8"))?
        .to_owned();
    let date_of_birth =
        Date::parse_compact(birth).map_err(|_| err("date of birth is not a valid YYYYMMDD"))?;
    let sex = match sex {
        [code] => Sex::from_code(*code).ok_or_else(|| err("unknown sex code"))?,
        _ => return Err(err("sex item is not 1 byte")),
    };
    Ok(BasicFourAttributes {
        name,
        address,
        date_of_birth,
        sex,
    })
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        let len = u16::try_from(len).unwrap_or(u16::MAX);
        out.push(0x82);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

fn length_size(len: usize) -> usize {
    if len < 0x80 {
        1
    } else if len <= 0xFF {
        2
    } else {
        3
    }
}

fn push_tlv(out: &mut Vec<u8>, tag: [u8; 2], value: &[u8]) {
    out.extend_from_slice(&tag);
    push_length(out, value.len());
    out.extend_from_slice(value);
}

/// Encodes the record exactly as the card holds it (without filler), so that
/// `parse_attributes_record(&encode_attributes_record(a)) == Ok(a)`.
///
/// Names and addresses longer than 65,535 bytes cannot be represented and are not expected
/// (the residence record's limits are far lower); they would produce a record the parser
/// rejects.
pub fn encode_attributes_record(attrs: &BasicFourAttributes) -> Vec<u8> {
    let birth = attrs.date_of_birth.to_compact();
    let sex = [attrs.sex.code()];
    let items: [([u8; 2], &[u8]); 4] = [
        (TAG_NAME, attrs.name.as_bytes()),
        (TAG_ADDRESS, attrs.address.as_bytes()),
        (TAG_BIRTH, birth.as_bytes()),
        (TAG_SEX, &sex),
    ];
    let items_len: usize = items
        .iter()
        .map(|(_, v)| 2 + length_size(v.len()) + v.len())
        .sum();
    let template_len = 2 + 1 + 8 + items_len;
    let header_len = 2 + length_size(template_len);

    let mut table = Vec::with_capacity(8);
    let mut at = header_len + 2 + 1 + 8;
    for (_, v) in &items {
        table.extend_from_slice(&u16::try_from(at).unwrap_or(u16::MAX).to_be_bytes());
        at += 2 + length_size(v.len()) + v.len();
    }

    let mut out = Vec::with_capacity(header_len + template_len);
    out.extend_from_slice(&TAG_TEMPLATE);
    push_length(&mut out, template_len);
    push_tlv(&mut out, TAG_OFFSETS, &table);
    for (tag, v) in items {
        push_tlv(&mut out, tag, v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BasicFourAttributes {
        BasicFourAttributes {
            name: "山田\u{3000}花子".into(),
            address: "東京都千代田区霞が関２丁目１－２".into(),
            date_of_birth: Date::new(1980, 2, 17).unwrap(),
            sex: Sex::Female,
        }
    }

    #[test]
    fn layout_of_a_short_record() {
        let a = sample();
        let rec = encode_attributes_record(&a);
        assert_eq!(&rec[..2], &[0xFF, 0x20]);
        assert_eq!(usize::from(rec[2]), rec.len() - 3);
        assert_eq!(&rec[3..6], &[0xDF, 0x21, 0x08]);
        let off = |i: usize| usize::from(u16::from_be_bytes([rec[6 + 2 * i], rec[7 + 2 * i]]));
        assert_eq!(off(0), 14);
        assert_eq!(&rec[off(0)..off(0) + 2], &[0xDF, 0x22]);
        assert_eq!(&rec[off(1)..off(1) + 2], &[0xDF, 0x23]);
        assert_eq!(&rec[off(2)..off(2) + 3], &[0xDF, 0x24, 0x08]);
        assert_eq!(&rec[off(2) + 3..off(2) + 11], b"19800217");
        assert_eq!(&rec[off(3)..], &[0xDF, 0x25, 0x01, b'2']);
        assert_eq!(parse_attributes_record(&rec).unwrap(), a);
    }

    #[test]
    fn filler_is_ignored() {
        let a = sample();
        let mut rec = encode_attributes_record(&a);
        rec.extend_from_slice(&[0xFF; 40]);
        assert_eq!(parse_attributes_record(&rec).unwrap(), a);
    }

    #[test]
    fn long_names_and_addresses() {
        for (name_chars, address_chars) in [(43, 50), (30, 90), (100, 200), (200, 400)] {
            let mut a = sample();
            a.name = "𠮷".repeat(name_chars / 2) + "\u{3000}" + &"郎".repeat(name_chars / 2);
            a.address = "霞".repeat(address_chars);
            a.sex = Sex::NotApplicable;
            let rec = encode_attributes_record(&a);
            assert!(rec.len() > 130);
            if rec.len() >= 261 {
                assert_eq!(rec[2], 0x82);
            } else {
                assert_eq!(rec[2], 0x81);
            }
            assert_eq!(parse_attributes_record(&rec).unwrap(), a);
        }
        let mut a = sample();
        a.address = "あ".repeat(90); // 270 bytes: 82 LLLL
        let rec = encode_attributes_record(&a);
        let name_len = a.name.len();
        let addr_tag = 16 + 3 + name_len; // 5-byte header: FF 20 82 LL LL
        assert_eq!(
            &rec[addr_tag..addr_tag + 5],
            &[0xDF, 0x23, 0x82, 0x01, 0x0E]
        );
        assert_eq!(parse_attributes_record(&rec).unwrap(), a);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let mut a = sample();
        a.address = "あ".repeat(90);
        for rec in [
            encode_attributes_record(&sample()),
            encode_attributes_record(&a),
        ] {
            for n in 0..rec.len() {
                assert!(parse_attributes_record(&rec[..n]).is_err(), "prefix {n}");
            }
        }
    }

    fn reason(rec: &[u8]) -> String {
        match parse_attributes_record(rec) {
            Err(Error::Malformed { what, reason }) => {
                assert_eq!(what, "attributes record");
                reason
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn malformed_records() {
        let good = encode_attributes_record(&sample());
        let name_at = 14;
        let name_len = usize::from(good[name_at + 2]);
        let addr_at = name_at + 3 + name_len;
        let birth_at = good.len() - 4 - 11;
        let sex_at = good.len() - 4;

        let mut bad = good.clone();
        bad[1] = 0x21;
        assert!(reason(&bad).contains("tag"));

        let mut bad = good.clone();
        bad[name_at + 1] = 0x23;
        assert!(reason(&bad).contains("tag"));

        let mut bad = good.clone();
        bad[2] = 0x83;
        assert!(reason(&bad).contains("length"));

        let mut bad = good.clone();
        bad[2] = 0x80;
        assert!(reason(&bad).contains("length"));

        // Outer length longer than the data.
        let mut bad = good.clone();
        bad[2] += 1;
        assert!(reason(&bad).contains("truncated"));

        // Outer length shorter than the items.
        let mut bad = good.clone();
        bad[2] -= 1;
        assert!(parse_attributes_record(&bad).is_err());

        // Offsets table.
        let mut bad = good.clone();
        bad[7] += 1;
        assert!(reason(&bad).contains("offsets"));
        let mut bad = good.clone();
        bad[13] = 0;
        assert!(reason(&bad).contains("offsets"));
        let mut bad = good.clone();
        bad[5] = 6;
        assert!(parse_attributes_record(&bad).is_err());

        // Invalid UTF-8 in the name and the address.
        let mut bad = good.clone();
        bad[name_at + 3] = 0xFF;
        assert!(reason(&bad).contains("UTF-8"));
        let mut bad = good.clone();
        bad[addr_at + 3] = 0xC0;
        assert!(reason(&bad).contains("UTF-8"));

        // Dates.
        for date in [b"19800230", b"1980O217", b"00000101", b"19801317"] {
            let mut bad = good.clone();
            bad[birth_at + 3..birth_at + 11].copy_from_slice(date);
            assert!(reason(&bad).contains("date"));
        }
        // Sex.
        let mut bad = good.clone();
        bad[sex_at + 3] = b'3';
        assert!(reason(&bad).contains("sex"));

        // Trailing item inside the template.
        let mut bad = good.clone();
        bad.extend_from_slice(&[0xDF, 0x26, 0x00]);
        bad[2] += 3;
        assert!(reason(&bad).contains("after"));
    }

    #[test]
    fn reasons_carry_no_values() {
        let a = sample();
        let mut rec = encode_attributes_record(&a);
        let last = rec.len() - 1;
        rec[last] = b'7';
        let r = reason(&rec);
        assert!(!r.contains('7') && !r.contains("山田") && !r.contains("1980"));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let good = encode_attributes_record(&sample());
        for _ in 0..2000 {
            let mut bytes = good.clone();
            for _ in 0..3 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let i = (state >> 33) as usize % bytes.len();
                bytes[i] = (state >> 17) as u8;
            }
            let _ = parse_attributes_record(&bytes);
        }
    }
}
