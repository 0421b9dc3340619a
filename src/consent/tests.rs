use super::*;
use crate::attributes::{AttributeField, Sex};
use crate::date::Date;

fn ts() -> Timestamp {
    Timestamp::parse("2026-11-22T01:02:03Z").unwrap()
}

fn terms() -> Terms {
    Terms::from_text("npa-address-change", "2025-03-24", b"abc").unwrap()
}

fn consent(channel: Channel) -> AddressChangeConsent {
    AddressChangeConsent {
        items: ConsentItems::new(&[ConsentItem::DateOfBirth, ConsentItem::Address]).unwrap(),
        holder_status: HolderStatus::MyNumberLicenceOnly,
        terms: terms(),
        channel,
        nonce: Nonce::new("tx-1").unwrap(),
        timestamp: ts(),
    }
}

fn revocation(channel: Channel) -> ConsentRevocation {
    ConsentRevocation {
        consent: ConsentReference::of(&consent(Channel::Mynaportal)),
        channel,
        nonce: Nonce::new("tx-2").unwrap(),
        timestamp: ts(),
    }
}

fn domicile(channel: Channel, first: bool) -> DomicileChangeSubmission {
    DomicileChangeSubmission {
        identifier: FamilyRegisterCertificateId::new("KOSEKI-0123456789").unwrap(),
        first_submission: first,
        channel,
        nonce: Nonce::new("tx-3").unwrap(),
        timestamp: ts(),
    }
}

fn person() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関１－２－３\"\\".into(),
        date_of_birth: Date::new(1980, 2, 17).unwrap(),
        sex: Sex::Female,
    }
}

fn linkage(channel: Channel) -> MynaportalLinkageSubmission {
    MynaportalLinkageSubmission {
        attributes: person(),
        channel,
        nonce: Nonce::new("tx-4").unwrap(),
        timestamp: ts(),
    }
}

fn all_documents() -> Vec<Document> {
    vec![
        consent(Channel::LicenceCentreKiosk).into(),
        consent(Channel::Mynaportal).into(),
        revocation(Channel::Mynaportal).into(),
        ConsentRevocation {
            consent: ConsentReference {
                nonce: Nonce::new("tx-1").unwrap(),
                sha256: None,
            },
            ..revocation(Channel::LicenceCentreKiosk)
        }
        .into(),
        domicile(Channel::Mynaportal, true).into(),
        domicile(Channel::Mynaportal, false).into(),
        linkage(Channel::Mynaportal).into(),
    ]
}

const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

#[test]
fn golden_encodings() {
    let doc: Document = consent(Channel::LicenceCentreKiosk).into();
    let expected = format!(
        "{{\"channel\":\"licence_centre_kiosk\",\"holder_status\":\"my_number_licence_only\",\
         \"items\":[\"address\",\"date_of_birth\"],\"nonce\":\"tx-1\",\
         \"terms\":{{\"id\":\"npa-address-change\",\"sha256\":\"{ABC_SHA256}\",\"version\":\"2025-03-24\"}},\
         \"timestamp\":\"2026-11-22T01:02:03Z\",\"type\":\"address_change_consent\",\"version\":1}}"
    );
    assert_eq!(String::from_utf8(doc.encode()).unwrap(), expected);

    let doc: Document = domicile(Channel::Mynaportal, true).into();
    assert_eq!(
        String::from_utf8(doc.encode()).unwrap(),
        "{\"channel\":\"mynaportal\",\"first_submission\":true,\"identifier\":\"KOSEKI-0123456789\",\
         \"nonce\":\"tx-3\",\"timestamp\":\"2026-11-22T01:02:03Z\",\
         \"type\":\"domicile_change_submission\",\"version\":1}"
    );

    let doc: Document = linkage(Channel::Mynaportal).into();
    assert_eq!(
        String::from_utf8(doc.encode()).unwrap(),
        "{\"attributes\":{\"address\":\"東京都千代田区霞が関１－２－３\\\"\\\\\",\
         \"date_of_birth\":\"1980-02-17\",\"name\":\"山田\u{3000}花子\",\"sex\":\"female\"},\
         \"channel\":\"mynaportal\",\"nonce\":\"tx-4\",\"timestamp\":\"2026-11-22T01:02:03Z\",\
         \"type\":\"mynaportal_linkage_submission\",\"version\":1}"
    );

    let r = revocation(Channel::Mynaportal);
    let consent_hash = crate::hex::encode(&r.consent.sha256.unwrap());
    let doc: Document = r.into();
    assert_eq!(
        String::from_utf8(doc.encode()).unwrap(),
        format!(
            "{{\"channel\":\"mynaportal\",\"consent\":{{\"nonce\":\"tx-1\",\"sha256\":\"{consent_hash}\"}},\
             \"nonce\":\"tx-2\",\"timestamp\":\"2026-11-22T01:02:03Z\",\"type\":\"consent_revocation\",\"version\":1}}"
        )
    );
}

#[test]
fn round_trip_every_document() {
    for doc in all_documents() {
        let bytes = doc.encode();
        let back = Document::decode(&bytes).unwrap();
        assert_eq!(back, doc);
        assert_eq!(back.encode(), bytes);
        assert_eq!(back.kind(), doc.kind());
        assert_eq!(back.channel(), doc.channel());
        assert_eq!(back.nonce(), doc.nonce());
        assert_eq!(back.timestamp(), ts());
        assert_eq!(doc.media_type(), MEDIA_TYPE);
        // The same document always encodes to the same bytes.
        assert_eq!(doc.clone().encode(), bytes);
    }
}

#[test]
fn revocation_without_hash_omits_the_field() {
    let doc = &all_documents()[3];
    let s = String::from_utf8(doc.encode()).unwrap();
    assert!(s.contains("\"consent\":{\"nonce\":\"tx-1\"}"), "{s}");
}

#[test]
fn consent_reference() {
    let c = consent(Channel::Mynaportal);
    let r = ConsentReference::of(&c);
    assert!(r.matches(&c));
    let mut other = c.clone();
    other.items = ConsentItems::all();
    assert!(!r.matches(&other), "same nonce, different content");
    let by_nonce = ConsentReference {
        nonce: c.nonce.clone(),
        sha256: None,
    };
    assert!(by_nonce.matches(&other));
    let mut renonced = c.clone();
    renonced.nonce = Nonce::new("tx-9").unwrap();
    assert!(!by_nonce.matches(&renonced));
    assert_eq!(c.encode(), Document::from(c.clone()).encode());
}

fn replace(doc: &Document, from: &str, to: &str) -> Vec<u8> {
    let s = String::from_utf8(doc.encode()).unwrap();
    assert!(s.contains(from), "{from} not in {s}");
    s.replacen(from, to, 1).into_bytes()
}

#[test]
fn decode_rejects_non_canonical_bytes() {
    let doc: Document = consent(Channel::Mynaportal).into();
    let s = String::from_utf8(doc.encode()).unwrap();
    let cases: Vec<Vec<u8>> = vec![
        // Whitespace anywhere.
        format!(" {s}").into_bytes(),
        format!("{s}\n").into_bytes(),
        s.replacen("\"channel\":", "\"channel\": ", 1).into_bytes(),
        s.replacen(",\"holder_status\"", ", \"holder_status\"", 1)
            .into_bytes(),
        // Reordered keys: version first.
        {
            let body = s
                .trim_end_matches(",\"version\":1}")
                .trim_start_matches('{');
            format!("{{\"version\":1,{body}}}").into_bytes()
        },
        // Reordered nested keys.
        replace(
            &doc,
            &format!("\"id\":\"npa-address-change\",\"sha256\":\"{ABC_SHA256}\""),
            &format!("\"sha256\":\"{ABC_SHA256}\",\"id\":\"npa-address-change\""),
        ),
        // Items out of the fixed order.
        replace(
            &doc,
            "[\"address\",\"date_of_birth\"]",
            "[\"date_of_birth\",\"address\"]",
        ),
        // An unnecessary escape.
        replace(&doc, "\"tx-1\"", "\"tx\\u002d1\""),
        replace(&doc, "\"mynaportal\"", "\"m\\u0079naportal\""),
        // A number written another way.
        replace(&doc, "\"version\":1", "\"version\":1e0"),
        // A duplicate key (the last one wins in the parser; the bytes are not canonical).
        replace(
            &doc,
            "\"nonce\":\"tx-1\"",
            "\"nonce\":\"tx-0\",\"nonce\":\"tx-1\"",
        ),
    ];
    for bytes in cases {
        let r = Document::decode(&bytes);
        assert!(
            matches!(
                r,
                Err(ConsentError::NotCanonical) | Err(ConsentError::InvalidField { .. })
            ),
            "{}: {r:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
    // The ones that are well-formed and only differ in form must say NotCanonical.
    assert_eq!(
        Document::decode(format!(" {s}").as_bytes()),
        Err(ConsentError::NotCanonical)
    );
    assert_eq!(
        Document::decode(&replace(&doc, "\"tx-1\"", "\"tx\\u002d1\"")),
        Err(ConsentError::NotCanonical)
    );
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "[\"address\",\"date_of_birth\"]",
            "[\"date_of_birth\",\"address\"]"
        )),
        Err(ConsentError::NotCanonical)
    );
}

#[test]
fn decode_rejects_unknown_and_missing_fields() {
    let doc: Document = consent(Channel::Mynaportal).into();
    assert_eq!(
        Document::decode(&replace(&doc, "{\"channel\"", "{\"a\":1,\"channel\"")),
        Err(ConsentError::UnknownField)
    );
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "\"version\":1}",
            "\"version\":1,\"zz\":null}"
        )),
        Err(ConsentError::UnknownField)
    );
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "\"version\":\"2025-03-24\"}",
            "\"version\":\"2025-03-24\",\"x\":\"\"}"
        )),
        Err(ConsentError::UnknownField)
    );
    assert_eq!(
        Document::decode(&replace(&doc, "\"nonce\":\"tx-1\",", "")),
        Err(ConsentError::MissingField { field: "nonce" })
    );
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "\"holder_status\":\"my_number_licence_only\",",
            ""
        )),
        Err(ConsentError::MissingField {
            field: "holder_status"
        })
    );
    let lk: Document = linkage(Channel::Mynaportal).into();
    assert_eq!(
        Document::decode(&replace(
            &lk,
            "\"sex\":\"female\"",
            "\"sex\":\"female\",\"my_number\":\"1\""
        )),
        Err(ConsentError::UnknownField)
    );
    let rv: Document = revocation(Channel::Mynaportal).into();
    assert_eq!(
        Document::decode(&replace(
            &rv,
            "{\"nonce\":\"tx-1\"",
            "{\"items\":[],\"nonce\":\"tx-1\""
        )),
        Err(ConsentError::UnknownField)
    );
}

#[test]
fn decode_rejects_wrong_types_and_values() {
    let doc: Document = consent(Channel::Mynaportal).into();
    let dm: Document = domicile(Channel::Mynaportal, true).into();
    let lk: Document = linkage(Channel::Mynaportal).into();
    let rv: Document = revocation(Channel::Mynaportal).into();
    let cases: Vec<(Vec<u8>, ConsentError)> = vec![
        (
            replace(&doc, "\"version\":1", "\"version\":\"1\""),
            ConsentError::InvalidField { field: "version" },
        ),
        (
            replace(&doc, "\"version\":1", "\"version\":1.5"),
            ConsentError::InvalidField { field: "version" },
        ),
        (
            replace(&doc, "\"version\":1", "\"version\":-1"),
            ConsentError::InvalidField { field: "version" },
        ),
        (
            replace(&doc, "\"nonce\":\"tx-1\"", "\"nonce\":1"),
            ConsentError::InvalidField { field: "nonce" },
        ),
        (
            replace(&doc, "\"nonce\":\"tx-1\"", "\"nonce\":\"\""),
            ConsentError::InvalidNonce,
        ),
        (
            replace(&doc, "\"nonce\":\"tx-1\"", "\"nonce\":\"tx 1\""),
            ConsentError::InvalidNonce,
        ),
        (
            replace(&doc, "\"mynaportal\"", "\"web\""),
            ConsentError::InvalidField { field: "channel" },
        ),
        (
            replace(
                &doc,
                "\"2026-11-22T01:02:03Z\"",
                "\"2026-11-22T01:02:03+00:00\"",
            ),
            ConsentError::InvalidField { field: "timestamp" },
        ),
        (
            replace(&doc, "[\"address\",\"date_of_birth\"]", "\"address\""),
            ConsentError::InvalidField { field: "items" },
        ),
        (
            replace(&doc, "[\"address\",\"date_of_birth\"]", "[]"),
            ConsentError::EmptySelection,
        ),
        (
            replace(
                &doc,
                "[\"address\",\"date_of_birth\"]",
                "[\"address\",\"address\"]",
            ),
            ConsentError::InvalidField { field: "items" },
        ),
        (
            replace(
                &doc,
                "[\"address\",\"date_of_birth\"]",
                "[\"address\",\"sex\"]",
            ),
            ConsentError::InvalidField { field: "items" },
        ),
        (
            replace(&doc, "[\"address\",\"date_of_birth\"]", "[\"address\",1]"),
            ConsentError::InvalidField { field: "items" },
        ),
        (
            replace(&doc, "\"my_number_licence_only\"", "\"both\""),
            ConsentError::InvalidField {
                field: "holder_status",
            },
        ),
        (
            replace(&doc, ABC_SHA256, &ABC_SHA256.to_uppercase()),
            ConsentError::InvalidField {
                field: "terms.sha256",
            },
        ),
        (
            replace(&doc, ABC_SHA256, &ABC_SHA256[..62]),
            ConsentError::InvalidField {
                field: "terms.sha256",
            },
        ),
        (
            replace(&doc, "\"terms\":{", "\"terms\":[{")
                .replacen(b"},\"timestamp\"", b"}],\"timestamp\""),
            ConsentError::InvalidField { field: "terms" },
        ),
        (
            replace(&dm, "\"first_submission\":true", "\"first_submission\":1"),
            ConsentError::InvalidField {
                field: "first_submission",
            },
        ),
        (
            replace(
                &dm,
                "\"first_submission\":true",
                "\"first_submission\":\"true\"",
            ),
            ConsentError::InvalidField {
                field: "first_submission",
            },
        ),
        (
            replace(&dm, "\"KOSEKI-0123456789\"", "\"\""),
            ConsentError::InvalidField {
                field: "identifier",
            },
        ),
        (
            replace(&dm, "\"KOSEKI-0123456789\"", "\"戸籍\""),
            ConsentError::InvalidField {
                field: "identifier",
            },
        ),
        (
            replace(&lk, "\"1980-02-17\"", "\"19800217\""),
            ConsentError::InvalidField {
                field: "attributes.date_of_birth",
            },
        ),
        (
            replace(&lk, "\"female\"", "\"2\""),
            ConsentError::InvalidField {
                field: "attributes.sex",
            },
        ),
        (
            replace(&lk, "\"name\":\"山田\u{3000}花子\"", "\"name\":null"),
            ConsentError::InvalidField {
                field: "attributes.name",
            },
        ),
        (
            replace(
                &rv,
                "{\"nonce\":\"tx-1\",\"sha256\":",
                "{\"nonce\":\"tx-1\",\"sha256\":null,\"x\":",
            ),
            ConsentError::InvalidField {
                field: "consent.sha256",
            },
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(
            Document::decode(&bytes),
            Err(expected),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

trait ReplaceBytes {
    fn replacen(self, from: &[u8], to: &[u8]) -> Vec<u8>;
}

impl ReplaceBytes for Vec<u8> {
    fn replacen(self, from: &[u8], to: &[u8]) -> Vec<u8> {
        let s = String::from_utf8(self).unwrap();
        s.replacen(
            core::str::from_utf8(from).unwrap(),
            core::str::from_utf8(to).unwrap(),
            1,
        )
        .into_bytes()
    }
}

#[test]
fn decode_version_and_type() {
    let doc: Document = consent(Channel::Mynaportal).into();
    assert_eq!(
        Document::decode(&replace(&doc, "\"version\":1", "\"version\":2")),
        Err(ConsentError::UnknownVersion { version: 2 })
    );
    assert_eq!(
        Document::decode(&replace(&doc, "\"version\":1", "\"version\":0")),
        Err(ConsentError::UnknownVersion { version: 0 })
    );
    // An unknown version is reported before anything else is looked at.
    assert_eq!(
        Document::decode(br#"{"type":"something_new","version":7}"#),
        Err(ConsentError::UnknownVersion { version: 7 })
    );
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "\"address_change_consent\"",
            "\"address_change\""
        )),
        Err(ConsentError::UnknownDocumentType)
    );
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "\"type\":\"address_change_consent\"",
            "\"type\":3"
        )),
        Err(ConsentError::InvalidField { field: "type" })
    );
    assert_eq!(
        Document::decode(br#"{"type":"address_change_consent"}"#),
        Err(ConsentError::MissingField { field: "version" })
    );
    // A document of one type with another type's name does not decode.
    assert_eq!(
        Document::decode(&replace(
            &doc,
            "\"address_change_consent\"",
            "\"domicile_change_submission\""
        )),
        Err(ConsentError::MissingField {
            field: "identifier"
        })
    );
}

#[test]
fn decode_rejects_garbage() {
    for bytes in [
        &b""[..],
        b"null",
        b"[]",
        b"\"x\"",
        b"{",
        b"\xff\xfe",
        b"{\"version\":1,\"type\":\"\xff\"}",
    ] {
        assert!(
            matches!(Document::decode(bytes), Err(ConsentError::Malformed { .. })),
            "{bytes:?}"
        );
    }
    let deep = "[".repeat(10_000);
    assert!(matches!(
        Document::decode(deep.as_bytes()),
        Err(ConsentError::Malformed { .. })
    ));
}

#[test]
fn size_cap_before_parsing() {
    // Over the cap: refused by its size (the JSON would otherwise parse and be judged).
    let mut big = vec![b' '; MAX_DOCUMENT_SIZE];
    big.extend_from_slice(b"{}");
    assert_eq!(
        Document::decode(&big),
        Err(ConsentError::TooLarge {
            size: MAX_DOCUMENT_SIZE + 2,
            max: MAX_DOCUMENT_SIZE
        })
    );
    // At the cap it is parsed (and refused for what it is).
    assert!(!matches!(
        Document::decode(&big[2..]),
        Err(ConsentError::TooLarge { .. })
    ));
    // A real document is far below it.
    let doc = Document::from(consent(Channel::Mynaportal));
    assert!(doc.encode().len() < MAX_DOCUMENT_SIZE / 16);
    assert_eq!(Document::decode(&doc.encode()).unwrap(), doc);
}

#[test]
fn field_validation() {
    assert_eq!(ConsentItems::new(&[]), Err(ConsentError::EmptySelection));
    let items = ConsentItems::new(&[ConsentItem::Name, ConsentItem::Name]).unwrap();
    assert_eq!(items.iter().collect::<Vec<_>>(), vec![ConsentItem::Name]);
    assert_eq!(
        ConsentItems::all().iter().collect::<Vec<_>>(),
        ConsentItem::ALL.to_vec()
    );
    for bad in ["", " ", "a b", "tx\u{7f}", "ｔｘ", "tx\n"] {
        assert_eq!(Nonce::new(bad), Err(ConsentError::InvalidNonce), "{bad:?}");
    }
    assert!(Nonce::new("x".repeat(Nonce::MAX_LEN)).is_ok());
    assert_eq!(
        Nonce::new("x".repeat(Nonce::MAX_LEN + 1)),
        Err(ConsentError::InvalidNonce)
    );
    assert!(Nonce::new("!~").is_ok());
    assert_eq!(
        Terms::from_text("", "1", b""),
        Err(ConsentError::InvalidField { field: "terms.id" })
    );
    assert_eq!(
        Terms::from_text("id", "第1版", b""),
        Err(ConsentError::InvalidField {
            field: "terms.version"
        })
    );
    let t = terms();
    assert_eq!(crate::hex::encode(t.sha256()), ABC_SHA256);
    assert!(t.matches_text(b"abc"));
    assert!(!t.matches_text(b"abc "));
    assert_eq!((t.id(), t.version()), ("npa-address-change", "2025-03-24"));
    assert!(FamilyRegisterCertificateId::new("x".repeat(129)).is_err());
    assert!(FamilyRegisterCertificateId::new("x".repeat(128)).is_ok());
}

#[test]
fn channel_rules_matrix() {
    use CertificateSource::{Card, Smartphone};
    use Channel::{LicenceCentreKiosk as Kiosk, Mynaportal as Portal};
    let ok = |d: Document, s| check_channel_rule(&d, s).is_ok();
    let reason = |d: Document, s| match check_channel_rule(&d, s) {
        Err(ConsentError::ChannelRule { reason, .. }) => Some(reason),
        _ => None,
    };
    // Consent: kiosk takes the card only; Mynaportal takes either.
    assert!(ok(consent(Kiosk).into(), Card));
    assert_eq!(
        reason(consent(Kiosk).into(), Smartphone),
        Some(ChannelRuleReason::CardCertificateRequired)
    );
    assert!(ok(consent(Portal).into(), Card));
    assert!(ok(consent(Portal).into(), Smartphone));
    // Revocation: same.
    assert!(ok(revocation(Kiosk).into(), Card));
    assert_eq!(
        reason(revocation(Kiosk).into(), Smartphone),
        Some(ChannelRuleReason::CardCertificateRequired)
    );
    assert!(ok(revocation(Portal).into(), Card));
    assert!(ok(revocation(Portal).into(), Smartphone));
    // Domicile change: Mynaportal only; the first submission with the card only.
    for first in [true, false] {
        for s in [Card, Smartphone] {
            assert_eq!(
                reason(domicile(Kiosk, first).into(), s),
                Some(ChannelRuleReason::ChannelNotAllowed)
            );
        }
    }
    assert!(ok(domicile(Portal, true).into(), Card));
    assert_eq!(
        reason(domicile(Portal, true).into(), Smartphone),
        Some(ChannelRuleReason::CardCertificateRequired)
    );
    assert!(ok(domicile(Portal, false).into(), Card));
    assert!(ok(domicile(Portal, false).into(), Smartphone));
    // Linkage, second step: Mynaportal only, either certificate.
    for s in [Card, Smartphone] {
        assert_eq!(
            reason(linkage(Kiosk).into(), s),
            Some(ChannelRuleReason::ChannelNotAllowed)
        );
        assert!(ok(linkage(Portal).into(), s));
    }
    // The error names the kind, channel and certificate.
    let err = check_channel_rule(&consent(Kiosk).into(), Smartphone).unwrap_err();
    assert_eq!(
        err,
        ConsentError::ChannelRule {
            kind: DocumentKind::AddressChangeConsent,
            channel: Kiosk,
            certificate: Smartphone,
            reason: ChannelRuleReason::CardCertificateRequired,
        }
    );
    assert_eq!(
        err.to_string(),
        "channel rule: address_change_consent through licence_centre_kiosk with the smartphone \
         certificate: only the card's signature certificate is accepted here"
    );
}

#[test]
fn linkage_check() {
    let card = person();
    assert_eq!(check_linkage(&card, &card.clone()), Ok(()));
    let mut cert = card.clone();
    cert.name = "山田 花子".into();
    cert.sex = Sex::Male;
    let err = check_linkage(&card, &cert).unwrap_err();
    assert_eq!(
        err,
        ConsentError::AttributeMismatch {
            fields: vec![AttributeField::Name, AttributeField::Sex]
        }
    );
    let msg = err.to_string();
    assert_eq!(msg, "the basic four attributes differ in: name, sex");
    assert!(!format!("{err:?}").contains("山田"));
    let sub = linkage(Channel::Mynaportal);
    assert!(sub.check_certificate_attributes(&card).is_ok());
    assert!(sub.check_certificate_attributes(&cert).is_err());
}

#[test]
fn debug_hides_personal_data() {
    let lk = linkage(Channel::Mynaportal);
    for s in [
        format!("{lk:?}"),
        format!("{:?}", Document::from(lk.clone())),
    ] {
        assert!(
            !s.contains("山田") && !s.contains("東京") && !s.contains("1980"),
            "{s}"
        );
        assert!(s.contains("tx-4"));
    }
    let dm = domicile(Channel::Mynaportal, true);
    let s = format!("{:?}", Document::from(dm));
    assert!(!s.contains("KOSEKI"), "{s}");
    // Decoding errors on documents full of personal data name fields only.
    let bytes = replace(&Document::from(lk), "\"female\"", "\"山田\"");
    let err = Document::decode(&bytes).unwrap_err();
    assert!(!err.to_string().contains("山田") && !format!("{err:?}").contains("山田"));
}

#[test]
fn linkage_strings_are_carried_exactly() {
    // Controls, line separators, astral and private-use characters (substitute characters for
    // characters outside JIS X 0208), full-width digits, trailing spaces: all kept as they are.
    for s in [
        "\u{0}\u{1f}\u{7f}\u{2028}\u{2029}",
        "𠮷野\u{3000}太郎 ",
        "\u{e000}\u{f8ff}\u{fffd}",
        "１２３－４５６",
        "a\"b\\c/d\te\r\n",
        "ｶﾞ\u{309a}\u{301}",
        "\u{8}\u{c}\u{ffff}\u{10ffff}",
        "",
    ] {
        let mut doc = linkage(Channel::Mynaportal);
        doc.attributes.name = s.to_owned();
        doc.attributes.address = s.chars().rev().collect();
        let doc = Document::from(doc);
        let bytes = doc.encode();
        // Written directly, as the general canonicaliser writes the document's JSON value.
        assert_eq!(bytes, document::encode_through_value(&doc), "{s:?}");
        assert_eq!(Document::decode(&bytes), Ok(doc), "{s:?}");
    }
}

#[test]
fn the_direct_encoding_is_the_canonical_encoding_of_the_json_value() {
    // The encoder writes the canonical form directly; the general canonicaliser over the
    // document as a JSON value must give exactly the same bytes (strings of every kind:
    // `linkage_strings_are_carried_exactly`).
    for doc in all_documents() {
        assert_eq!(
            doc.encode(),
            document::encode_through_value(&doc),
            "{doc:?}"
        );
    }
}
