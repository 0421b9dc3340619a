//! The basic four attributes record (EF `0002` of the card-info input support AP), in every
//! build: the card stack reads it ([`crate::card_info`]), a receiving service checks it
//! (`crate::evidence`).
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

use super::{BasicFourAttributes, Sex};
use crate::date::Date;

/// Why an attributes record did not parse. The reason names the defect, never a value read
/// from the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed attributes record: {reason}")]
pub struct RecordError {
    /// What is wrong.
    pub reason: String,
}

type Error = RecordError;

const TAG_TEMPLATE: [u8; 2] = [0xFF, 0x20];
const TAG_OFFSETS: [u8; 2] = [0xDF, 0x21];
const TAG_NAME: [u8; 2] = [0xDF, 0x22];
const TAG_ADDRESS: [u8; 2] = [0xDF, 0x23];
const TAG_BIRTH: [u8; 2] = [0xDF, 0x24];
const TAG_SEX: [u8; 2] = [0xDF, 0x25];

fn err(reason: &str) -> Error {
    RecordError {
        reason: reason.to_owned(),
    }
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

/// The bytes of EF `0002` that the integrity record's `DF32` digest covers: the outer
/// template's value after the `DF 21` offset table, to the end of the template (filler after
/// it excluded). `myna-card` 3.3.4 `src/ap/text.rs`, `Attributes::digest_source`, checked there
/// against a JPKI-TEST card's files.
pub fn attributes_digest_source(bytes: &[u8]) -> Result<&[u8], Error> {
    let mut outer = Reader { bytes, pos: 0 };
    let (_, template) = outer.tlv(TAG_TEMPLATE, "outer template")?;
    let mut r = Reader {
        bytes: template,
        pos: 0,
    };
    r.tlv(TAG_OFFSETS, "offsets table")?;
    template
        .get(r.pos..)
        .filter(|rest| !rest.is_empty())
        .ok_or_else(|| err("nothing follows the offsets table"))
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
