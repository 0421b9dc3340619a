//! The basic four attributes record (EF `0002` of the card-info input support AP): the parser
//! and encoder live in [`crate::attributes`] (a receiving service checks the record too); here
//! their errors become the card stack's [`Error`].

use crate::attributes::BasicFourAttributes;
use crate::Error;

const WHAT: &str = "attributes record";

/// Parses the record read from EF `0002`. Filler after the outer template is ignored.
pub fn parse_attributes_record(bytes: &[u8]) -> Result<BasicFourAttributes, Error> {
    crate::attributes::parse_attributes_record(bytes).map_err(|e| Error::malformed(WHAT, e.reason))
}

pub use crate::attributes::encode_attributes_record;

#[cfg(test)]
mod tests {
    use crate::attributes::Sex;
    use crate::date::Date;

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
