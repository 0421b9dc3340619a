//! The basic four attributes carried by a signature certificate's subjectAltName.

use der::asn1::{Any, Utf8StringRef};
use x509_cert::ext::pkix::name::{GeneralName, OtherName};

use super::{oid, CertError};
use crate::attributes::{AttributeField, BasicFourAttributes, Era, Sex};
use crate::date::Date;

/// One of the six subjectAltName attributes of a signature certificate, named without its
/// value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAttributeItem {
    /// `1.2.392.200149.8.5.5.1`: the name.
    Name,
    /// `1.2.392.200149.8.5.5.2`: the name's substitute-character flags.
    NameSubstituteFlags,
    /// `1.2.392.200149.8.5.5.3`: the sex code.
    Sex,
    /// `1.2.392.200149.8.5.5.4`: era digit + date of birth.
    DateOfBirth,
    /// `1.2.392.200149.8.5.5.5`: the address.
    Address,
    /// `1.2.392.200149.8.5.5.6`: the address's substitute-character flags.
    AddressSubstituteFlags,
}

impl SignatureAttributeItem {
    /// All six, in OID order.
    pub const ALL: [SignatureAttributeItem; 6] = [
        SignatureAttributeItem::Name,
        SignatureAttributeItem::NameSubstituteFlags,
        SignatureAttributeItem::Sex,
        SignatureAttributeItem::DateOfBirth,
        SignatureAttributeItem::Address,
        SignatureAttributeItem::AddressSubstituteFlags,
    ];

    /// The item's `otherName` OID.
    pub const fn oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            SignatureAttributeItem::Name => oid::ATTR_NAME,
            SignatureAttributeItem::NameSubstituteFlags => oid::ATTR_NAME_SUBSTITUTE_FLAGS,
            SignatureAttributeItem::Sex => oid::ATTR_SEX,
            SignatureAttributeItem::DateOfBirth => oid::ATTR_DATE_OF_BIRTH,
            SignatureAttributeItem::Address => oid::ATTR_ADDRESS,
            SignatureAttributeItem::AddressSubstituteFlags => oid::ATTR_ADDRESS_SUBSTITUTE_FLAGS,
        }
    }

    /// `name`, `name_substitute_flags`, `sex`, `date_of_birth`, `address`,
    /// `address_substitute_flags`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignatureAttributeItem::Name => "name",
            SignatureAttributeItem::NameSubstituteFlags => "name_substitute_flags",
            SignatureAttributeItem::Sex => "sex",
            SignatureAttributeItem::DateOfBirth => "date_of_birth",
            SignatureAttributeItem::Address => "address",
            SignatureAttributeItem::AddressSubstituteFlags => "address_substitute_flags",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl core::fmt::Display for SignatureAttributeItem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The basic four attributes as a signature certificate carries them, with the era digit of
/// the date of birth and the substitute-character flags.
///
/// Personal data: `Debug` shows nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureAttributes {
    /// Name, address, date of birth (Gregorian) and sex.
    pub attributes: BasicFourAttributes,
    /// The era of the date of birth, as given by the certificate's era digit (always the era
    /// the date falls in: a contradicting digit is rejected when parsing).
    pub era: Era,
    /// One ASCII digit per character of the name; `0` = the character is represented as-is.
    pub name_substitute_flags: String,
    /// One ASCII digit per character of the address; `0` = the character is represented
    /// as-is.
    pub address_substitute_flags: String,
}

impl core::fmt::Debug for SignatureAttributes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SignatureAttributes { <personal data redacted> }")
    }
}

fn invalid(item: SignatureAttributeItem, reason: &'static str) -> CertError {
    CertError::InvalidAttribute { item, reason }
}

fn check_flags(item: SignatureAttributeItem, flags: &str) -> Result<(), CertError> {
    if flags.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(item, "flags must be ASCII digits"))
    }
}

impl SignatureAttributes {
    /// The attributes with the era derived from the date of birth.
    pub fn new(
        attributes: BasicFourAttributes,
        name_substitute_flags: String,
        address_substitute_flags: String,
    ) -> Self {
        let era = Era::of(attributes.date_of_birth);
        Self {
            attributes,
            era,
            name_substitute_flags,
            address_substitute_flags,
        }
    }

    /// The fields in which these attributes differ from the card-info input support AP's
    /// record (Mynaportal linkage). Dates are compared as dates (the two encodings differ:
    /// era digit + `YYYYMMDD` here, `YYYYMMDD` there); strings exactly, byte for byte.
    pub fn differing_fields(&self, card_info: &BasicFourAttributes) -> Vec<AttributeField> {
        self.attributes.differing_fields(card_info)
    }

    /// Whether any character of the name or the address was substituted (a non-`0` flag).
    pub fn has_substituted_characters(&self) -> bool {
        self.name_substitute_flags
            .bytes()
            .chain(self.address_substitute_flags.bytes())
            .any(|b| b != b'0')
    }

    /// Parses the attributes out of subjectAltName entries. `Ok(None)` when no entry is under
    /// the attribute arc (not a signature certificate); an error when some are and one is
    /// missing, duplicated or invalid.
    pub(crate) fn from_general_names(names: &[GeneralName]) -> Result<Option<Self>, CertError> {
        let mut values: [Option<String>; 6] = Default::default();
        let mut any = false;
        for name in names {
            let GeneralName::OtherName(other) = name else {
                continue;
            };
            if !oid::is_under(&other.type_id, &oid::ATTR_ARC) {
                continue;
            }
            any = true;
            let Some(item) = SignatureAttributeItem::ALL
                .into_iter()
                .find(|i| i.oid() == other.type_id)
            else {
                continue; // an item this library does not know: ignored
            };
            let text = other
                .value
                .decode_as::<Utf8StringRef<'_>>()
                .map_err(|_| invalid(item, "not a UTF8String"))?;
            let slot = values
                .get_mut(item.index())
                .ok_or(CertError::MissingAttribute { item })?;
            if slot.is_some() {
                return Err(invalid(item, "duplicated"));
            }
            *slot = Some(text.as_str().to_owned());
        }
        if !any {
            return Ok(None);
        }
        let mut take = |item: SignatureAttributeItem| {
            values
                .get_mut(item.index())
                .and_then(Option::take)
                .ok_or(CertError::MissingAttribute { item })
        };
        let name = take(SignatureAttributeItem::Name)?;
        let name_flags = take(SignatureAttributeItem::NameSubstituteFlags)?;
        let sex = take(SignatureAttributeItem::Sex)?;
        let dob = take(SignatureAttributeItem::DateOfBirth)?;
        let address = take(SignatureAttributeItem::Address)?;
        let address_flags = take(SignatureAttributeItem::AddressSubstituteFlags)?;

        check_flags(SignatureAttributeItem::NameSubstituteFlags, &name_flags)?;
        check_flags(
            SignatureAttributeItem::AddressSubstituteFlags,
            &address_flags,
        )?;
        let sex = match sex.as_bytes() {
            [code] => Sex::from_code(*code)
                .ok_or_else(|| invalid(SignatureAttributeItem::Sex, "unknown sex code"))?,
            _ => return Err(invalid(SignatureAttributeItem::Sex, "not one character")),
        };
        let (era, date) = match dob.as_bytes() {
            [era, date @ ..] if date.len() == 8 => {
                let era = Era::from_digit(*era).ok_or_else(|| {
                    invalid(SignatureAttributeItem::DateOfBirth, "unknown era digit")
                })?;
                let date = Date::parse_compact(date).map_err(|_| {
                    invalid(SignatureAttributeItem::DateOfBirth, "not a valid YYYYMMDD")
                })?;
                (era, date)
            }
            _ => {
                return Err(invalid(
                    SignatureAttributeItem::DateOfBirth,
                    "not an era digit followed by YYYYMMDD",
                ))
            }
        };
        if Era::of(date) != era {
            return Err(invalid(
                SignatureAttributeItem::DateOfBirth,
                "the era digit contradicts the date",
            ));
        }
        Ok(Some(Self {
            attributes: BasicFourAttributes {
                name,
                address,
                date_of_birth: date,
                sex,
            },
            era,
            name_substitute_flags: name_flags,
            address_substitute_flags: address_flags,
        }))
    }

    /// The six `otherName` entries, in OID order, as the emulator CA puts them in a
    /// subjectAltName.
    #[cfg_attr(not(feature = "emulator"), allow(dead_code))]
    pub(crate) fn to_general_names(&self) -> Result<Vec<GeneralName>, der::Error> {
        let mut dob = String::with_capacity(9);
        dob.push(char::from(self.era.digit()));
        dob.push_str(&self.attributes.date_of_birth.to_compact());
        let sex = char::from(self.attributes.sex.code()).to_string();
        // The order of a real card's certificate: name, date of birth, sex, address, name
        // flags, address flags (PROTOCOL.md section 8). The parser takes any order.
        let values: [(SignatureAttributeItem, &str); 6] = [
            (SignatureAttributeItem::Name, &self.attributes.name),
            (SignatureAttributeItem::DateOfBirth, &dob),
            (SignatureAttributeItem::Sex, &sex),
            (SignatureAttributeItem::Address, &self.attributes.address),
            (
                SignatureAttributeItem::NameSubstituteFlags,
                &self.name_substitute_flags,
            ),
            (
                SignatureAttributeItem::AddressSubstituteFlags,
                &self.address_substitute_flags,
            ),
        ];
        values
            .into_iter()
            .map(|(item, text)| {
                Ok(GeneralName::OtherName(OtherName {
                    type_id: item.oid(),
                    value: Any::encode_from(&Utf8StringRef::new(text)?)?,
                }))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SignatureAttributes {
        SignatureAttributes::new(
            BasicFourAttributes {
                name: "𠮷田\u{3000}花子".into(),
                address: "東京都千代田区霞が関２丁目１－２".into(),
                date_of_birth: Date::new(1989, 1, 8).unwrap(),
                sex: Sex::Female,
            },
            "10000".into(),
            "0000000000000000".into(),
        )
    }

    fn names_with(item: SignatureAttributeItem, value: Option<&str>) -> Vec<GeneralName> {
        let mut names = sample().to_general_names().unwrap();
        names.retain(|n| !matches!(n, GeneralName::OtherName(o) if o.type_id == item.oid()));
        if let Some(v) = value {
            names.push(GeneralName::OtherName(OtherName {
                type_id: item.oid(),
                value: Any::encode_from(&Utf8StringRef::new(v).unwrap()).unwrap(),
            }));
        }
        names
    }

    #[test]
    fn round_trip_and_era() {
        let a = sample();
        assert_eq!(a.era, Era::Heisei);
        let names = a.to_general_names().unwrap();
        assert_eq!(names.len(), 6);
        let back = SignatureAttributes::from_general_names(&names)
            .unwrap()
            .unwrap();
        assert_eq!(back, a);
        assert!(back.has_substituted_characters());
        assert!(back.differing_fields(&a.attributes).is_empty());
        assert_eq!(SignatureAttributes::from_general_names(&[]).unwrap(), None);
    }

    #[test]
    fn real_order_emitted_any_order_parsed() {
        use SignatureAttributeItem as I;
        let a = sample();
        let names = a.to_general_names().unwrap();
        let order: Vec<_> = names
            .iter()
            .map(|n| match n {
                GeneralName::OtherName(o) => o.type_id,
                other => panic!("{other:?}"),
            })
            .collect();
        // As on a real card: name, date of birth, sex, address, name flags, address flags.
        let real = [
            I::Name,
            I::DateOfBirth,
            I::Sex,
            I::Address,
            I::NameSubstituteFlags,
            I::AddressSubstituteFlags,
        ];
        assert_eq!(order, real.map(|i| i.oid()).to_vec());
        // Every rotation and the reversed list parse to the same attributes.
        for k in 0..names.len() {
            let mut rotated = names.clone();
            rotated.rotate_left(k);
            assert_eq!(
                SignatureAttributes::from_general_names(&rotated).unwrap(),
                Some(a.clone())
            );
        }
        let mut reversed = names;
        reversed.reverse();
        assert_eq!(
            SignatureAttributes::from_general_names(&reversed).unwrap(),
            Some(a)
        );
    }

    #[test]
    fn rejects_bad_items() {
        use SignatureAttributeItem as I;
        for item in I::ALL {
            assert_eq!(
                SignatureAttributes::from_general_names(&names_with(item, None)),
                Err(CertError::MissingAttribute { item })
            );
        }
        let bad = |item, value| match SignatureAttributes::from_general_names(&names_with(
            item,
            Some(value),
        )) {
            Err(CertError::InvalidAttribute { item: i, reason }) => {
                assert_eq!(i, item);
                reason
            }
            other => panic!("{other:?}"),
        };
        // 1989-01-08 is Heisei 1; 1989-01-07 is Showa 64.
        assert!(bad(I::DateOfBirth, "319890108").contains("era"));
        assert!(bad(I::DateOfBirth, "419890107").contains("era"));
        assert!(bad(I::DateOfBirth, "719890108").contains("era"));
        assert!(bad(I::DateOfBirth, "19890108").contains("YYYYMMDD"));
        assert!(bad(I::DateOfBirth, "419890230").contains("YYYYMMDD"));
        assert!(bad(I::Sex, "3").contains("sex"));
        assert!(bad(I::Sex, "12").contains("character"));
        assert!(bad(I::NameSubstituteFlags, "00x00").contains("digits"));
        let ok =
            SignatureAttributes::from_general_names(&names_with(I::DateOfBirth, Some("319890107")))
                .unwrap()
                .unwrap();
        assert_eq!(ok.era, Era::Showa);

        // A duplicate and a wrong string type.
        let mut names = sample().to_general_names().unwrap();
        names.push(names[0].clone());
        assert!(matches!(
            SignatureAttributes::from_general_names(&names),
            Err(CertError::InvalidAttribute { item: I::Name, .. })
        ));
        let mut names = names_with(I::Sex, None);
        names.push(GeneralName::OtherName(OtherName {
            type_id: I::Sex.oid(),
            value: Any::encode_from(&der::asn1::PrintableStringRef::new("1").unwrap()).unwrap(),
        }));
        assert!(matches!(
            SignatureAttributes::from_general_names(&names),
            Err(CertError::InvalidAttribute { item: I::Sex, .. })
        ));
    }

    #[test]
    fn compares_dates_as_dates() {
        let a = sample();
        let mut card = a.attributes.clone();
        assert!(a.differing_fields(&card).is_empty());
        card.date_of_birth = Date::new(1989, 1, 7).unwrap();
        card.address = "東京都千代田区霞が関2丁目1-2".into();
        assert_eq!(
            a.differing_fields(&card),
            vec![AttributeField::Address, AttributeField::DateOfBirth]
        );
    }

    #[test]
    fn debug_and_errors_redact() {
        let a = sample();
        let s = format!("{a:?}");
        assert!(!s.contains("花子") && !s.contains("1989") && !s.contains("Heisei"));
        let e = CertError::InvalidAttribute {
            item: SignatureAttributeItem::DateOfBirth,
            reason: "the era digit contradicts the date",
        };
        assert_eq!(
            e.to_string(),
            "the date_of_birth attribute is invalid: the era digit contradicts the date"
        );
    }
}
