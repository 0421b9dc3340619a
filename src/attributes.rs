//! The basic four attributes (基本4情報): name, address, date of birth, sex.
//!
//! The same facts are read from two places in two encodings: the card-info input support AP
//! (EF `0002`, see [`crate::card_info`]) and the signature certificate's subjectAltName (see
//! [`crate::cert`]). This module holds the common typed record and the comparison the
//! Mynaportal linkage needs. Characters are compared exactly, never normalised.
//!
//! This is personal data: `Debug` shows no values, and nothing here logs.

use crate::date::Date;

mod record;

pub use record::{
    attributes_digest_source, encode_attributes_record, parse_attributes_record, RecordError,
};

/// Sex as recorded on the residence record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`: not applicable.
    NotApplicable,
    /// `0`: unknown.
    Unknown,
}

impl Sex {
    /// From the card's ASCII code.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            b'1' => Sex::Male,
            b'2' => Sex::Female,
            b'9' => Sex::NotApplicable,
            b'0' => Sex::Unknown,
            _ => return None,
        })
    }

    /// The card's ASCII code.
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => b'1',
            Sex::Female => b'2',
            Sex::NotApplicable => b'9',
            Sex::Unknown => b'0',
        }
    }

    /// A lowercase English word: `male`, `female`, `not_applicable`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::NotApplicable => "not_applicable",
            Sex::Unknown => "unknown",
        }
    }
}

/// A Japanese era, as the digit the signature certificate puts before the date of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// 明治, digit `1`.
    Meiji,
    /// 大正, digit `2`.
    Taisho,
    /// 昭和, digit `3`.
    Showa,
    /// 平成, digit `4`.
    Heisei,
    /// 令和, digit `5`.
    Reiwa,
}

impl Era {
    /// From the certificate's ASCII digit.
    pub fn from_digit(d: u8) -> Option<Self> {
        Some(match d {
            b'1' => Era::Meiji,
            b'2' => Era::Taisho,
            b'3' => Era::Showa,
            b'4' => Era::Heisei,
            b'5' => Era::Reiwa,
            _ => return None,
        })
    }

    /// The certificate's ASCII digit.
    pub fn digit(self) -> u8 {
        match self {
            Era::Meiji => b'1',
            Era::Taisho => b'2',
            Era::Showa => b'3',
            Era::Heisei => b'4',
            Era::Reiwa => b'5',
        }
    }

    /// The era a Gregorian date falls in (dates before Meiji 1873 are counted as Meiji).
    pub fn of(date: Date) -> Self {
        let ymd = (date.year(), date.month(), date.day());
        if ymd >= (2019, 5, 1) {
            Era::Reiwa
        } else if ymd >= (1989, 1, 8) {
            Era::Heisei
        } else if ymd >= (1926, 12, 25) {
            Era::Showa
        } else if ymd >= (1912, 7, 30) {
            Era::Taisho
        } else {
            Era::Meiji
        }
    }
}

/// The basic four attributes of a holder.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicFourAttributes {
    /// Name as on the residence record; family and given name separated by U+3000.
    pub name: String,
    /// Address, with full-width digits and hyphens as the card holds it.
    pub address: String,
    /// Date of birth (Gregorian).
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
}

impl core::fmt::Debug for BasicFourAttributes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("BasicFourAttributes { <personal data redacted> }")
    }
}

/// One of the basic four attributes, named without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeField {
    /// 氏名.
    Name,
    /// 住所.
    Address,
    /// 生年月日.
    DateOfBirth,
    /// 性別.
    Sex,
}

impl AttributeField {
    /// `name`, `address`, `date_of_birth`, `sex`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeField::Name => "name",
            AttributeField::Address => "address",
            AttributeField::DateOfBirth => "date_of_birth",
            AttributeField::Sex => "sex",
        }
    }
}

impl core::fmt::Display for AttributeField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl BasicFourAttributes {
    /// The fields in which `self` and `other` differ (empty when they describe the same
    /// person). Strings are compared byte for byte: no width folding, no space trimming, no
    /// Unicode normalisation.
    pub fn differing_fields(&self, other: &Self) -> Vec<AttributeField> {
        let mut out = Vec::new();
        if self.name != other.name {
            out.push(AttributeField::Name);
        }
        if self.address != other.address {
            out.push(AttributeField::Address);
        }
        if self.date_of_birth != other.date_of_birth {
            out.push(AttributeField::DateOfBirth);
        }
        if self.sex != other.sex {
            out.push(AttributeField::Sex);
        }
        out
    }

    /// Whether both describe the same person, exactly.
    pub fn matches(&self, other: &Self) -> bool {
        self.differing_fields(other).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BasicFourAttributes {
        BasicFourAttributes {
            name: "山田\u{3000}花子".into(),
            address: "東京都千代田区霞が関１－２－３".into(),
            date_of_birth: Date::new(1980, 2, 17).unwrap(),
            sex: Sex::Female,
        }
    }

    #[test]
    fn compare_is_exact() {
        let a = sample();
        assert!(a.matches(&a.clone()));
        let mut b = a.clone();
        b.name = "山田 花子".into(); // ASCII space instead of U+3000
        b.address = "東京都千代田区霞が関1-2-3".into(); // half-width
        assert_eq!(
            a.differing_fields(&b),
            vec![AttributeField::Name, AttributeField::Address]
        );
        let mut c = a.clone();
        c.date_of_birth = Date::new(1980, 2, 18).unwrap();
        c.sex = Sex::Unknown;
        assert_eq!(
            a.differing_fields(&c),
            vec![AttributeField::DateOfBirth, AttributeField::Sex]
        );
    }

    #[test]
    fn debug_redacts() {
        let s = format!("{:?}", sample());
        assert!(!s.contains("山田") && !s.contains("1980"));
    }

    #[test]
    fn eras() {
        let d = |y, m, dd| Date::new(y, m, dd).unwrap();
        assert_eq!(Era::of(d(1980, 2, 17)), Era::Showa);
        assert_eq!(Era::of(d(1989, 1, 7)), Era::Showa);
        assert_eq!(Era::of(d(1989, 1, 8)), Era::Heisei);
        assert_eq!(Era::of(d(2019, 4, 30)), Era::Heisei);
        assert_eq!(Era::of(d(2019, 5, 1)), Era::Reiwa);
        assert_eq!(Era::of(d(1926, 12, 24)), Era::Taisho);
        assert_eq!(Era::of(d(1912, 7, 29)), Era::Meiji);
        for e in [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa] {
            assert_eq!(Era::from_digit(e.digit()), Some(e));
        }
        assert_eq!(Era::from_digit(b'6'), None);
        for s in [Sex::Male, Sex::Female, Sex::NotApplicable, Sex::Unknown] {
            assert_eq!(Sex::from_code(s.code()), Some(s));
        }
        assert_eq!(Sex::from_code(b'3'), None);
    }
}
