//! The bytes of a CMS `SignedData` exactly as received.
//!
//! The typed decoder (`cms`, `x509-cert`) gives values, not the bytes they came from; encoding
//! a value again is not guaranteed to give back what the signer signed. The signature is
//! therefore checked over the signed attributes as they are in the input, and the ESS hash is
//! taken over the signer certificate as it is in the input: both are located here with a small
//! DER walker (definite lengths, single-byte tags, which is all a DER `SignedData` uses).

use super::VerifyError;

fn malformed(what: &str) -> VerifyError {
    VerifyError::Malformed(format!("{what} (DER structure)"))
}

/// One DER element: its tag byte, its whole encoding and its contents.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub whole: &'a [u8],
    pub value: &'a [u8],
}

/// The first element of `input` and what follows it.
pub(crate) fn next(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), VerifyError> {
    let bad = || malformed("truncated element");
    let tag = *input.first().ok_or_else(bad)?;
    if tag & 0x1F == 0x1F {
        return Err(malformed("multi-byte tag"));
    }
    let first = *input.get(1).ok_or_else(bad)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return Err(malformed("length encoding"));
        }
        let bytes = input.get(2..2 + n).ok_or_else(bad)?;
        if bytes[0] == 0 {
            return Err(malformed("length encoding"));
        }
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return Err(malformed("length encoding"));
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len).ok_or_else(bad)?;
    let whole = input.get(..end).ok_or_else(bad)?;
    let rest = input.get(end..).ok_or_else(bad)?;
    Ok((
        Tlv {
            tag,
            whole,
            value: &whole[header..],
        },
        rest,
    ))
}

/// All elements of `input`, in order.
pub(crate) fn elements(mut input: &[u8]) -> Result<Vec<Tlv<'_>>, VerifyError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (t, rest) = next(input)?;
        out.push(t);
        input = rest;
    }
    Ok(out)
}

/// Whether the elements of a SET OF (its contents) are in DER order (X.690 11.6: ascending,
/// compared as octet strings, the shorter padded at its end with zero octets).
pub(crate) fn set_in_der_order(contents: &[u8]) -> Result<bool, VerifyError> {
    let items = elements(contents)?;
    Ok(items.windows(2).all(|w| {
        let (a, b) = (w[0].whole, w[1].whole);
        let n = a.len().max(b.len());
        let at = |x: &[u8], i: usize| x.get(i).copied().unwrap_or(0);
        (0..n)
            .map(|i| at(a, i).cmp(&at(b, i)))
            .find(|o| o.is_ne())
            .is_none_or(|o| o.is_lt())
    }))
}

/// Whether each RDN (a SET OF) of the `Name` element `name` is in DER order.
fn name_in_der_order(name: Tlv<'_>) -> Result<bool, VerifyError> {
    for rdn in elements(name.value)? {
        if !set_in_der_order(rdn.value)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether every SET OF of a certificate (the RDNs of its issuer and subject names) is in DER
/// order.
///
/// With the certificate's re-encoded length equal to its received length, this is what
/// "re-encodes to the bytes received" takes, for much less work than encoding it: `der`'s
/// decoders refuse every other non-DER form and normalise just two, a SET OF out of order
/// (sorted when decoded: checked here on the bytes) and a DEFAULT value encoded explicitly
/// (left out when encoded: the length differs).
pub(crate) fn certificate_sets_in_der_order(cert: &[u8]) -> Result<bool, VerifyError> {
    let (c, _) = next(cert)?;
    let (tbs, _) = next(c.value)?;
    let fields = elements(tbs.value)?;
    let skip = usize::from(fields.first().is_some_and(|f| f.tag == 0xA0));
    // [version], serialNumber, signature, issuer, validity, subject, ...
    match (fields.get(skip + 2), fields.get(skip + 4)) {
        (Some(&issuer), Some(&subject)) => {
            Ok(name_in_der_order(issuer)? && name_in_der_order(subject)?)
        }
        _ => Err(malformed("certificate")),
    }
}

/// The `issuer` Name and the `serialNumber` INTEGER of a DER certificate, as received (each
/// whole element).
pub(crate) fn certificate_issuer_and_serial(cert: &[u8]) -> Result<(&[u8], &[u8]), VerifyError> {
    let (c, _) = next(cert)?;
    let (tbs, _) = next(c.value)?;
    let mut rest = tbs.value;
    let (first, after) = next(rest)?;
    if first.tag == 0xA0 {
        rest = after;
    }
    // serialNumber, signature, issuer.
    let (serial, rest) = next(rest)?;
    let (_, rest) = next(rest)?;
    let (issuer, _) = next(rest)?;
    if serial.tag != 0x02 || issuer.tag != 0x30 {
        return Err(malformed("certificate issuer and serial number"));
    }
    Ok((issuer.whole, serial.whole))
}

/// A `SignedData` taken apart by its received bytes: each field located and its layout
/// checked, only the parts the verifier reads left to be decoded (the certificates other than
/// the signer's are never decoded, so an untrusted CMS costs one certificate decode).
pub(crate) struct RawSignedData<'a> {
    /// `version` (INTEGER), whole.
    pub version: &'a [u8],
    /// `digestAlgorithms` (SET OF), whole.
    pub digest_algorithms: &'a [u8],
    /// `encapContentInfo` (SEQUENCE), whole.
    pub encap_content_info: &'a [u8],
    /// Each element of the `certificates` field (any `CertificateChoices`), as received.
    pub certificates: Vec<Tlv<'a>>,
    /// Each element of the `crls` field (any `RevocationInfoChoice`), as received.
    pub crls: Vec<Tlv<'a>>,
    /// Each `SignerInfo` (SEQUENCE), whole.
    pub signer_infos: Vec<&'a [u8]>,
}

/// A `SignerInfo` taken apart by its received bytes (RFC 5652 5.3: `SEQUENCE { version,
/// sid, digestAlgorithm, [0] IMPLICIT signedAttrs OPTIONAL, signatureAlgorithm, signature,
/// [1] IMPLICIT unsignedAttrs OPTIONAL }`), the fields in that order and nothing else. The
/// caller decodes what it reads; every attribute is checked for its layout here, and every
/// SET OF for its DER order.
pub(crate) struct RawSignerInfo<'a> {
    /// `version` (INTEGER), whole.
    pub version: &'a [u8],
    /// `sid`: an `issuerAndSerialNumber` (SEQUENCE) or a `[0]` subjectKeyIdentifier, whole.
    pub sid: Tlv<'a>,
    /// `digestAlgorithm` (SEQUENCE), whole.
    pub digest_algorithm: &'a [u8],
    /// The signed attributes, if present.
    pub signed_attributes: Option<RawSignedAttributes<'a>>,
    /// `signatureAlgorithm` (SEQUENCE), whole.
    pub signature_algorithm: &'a [u8],
    /// The signature (the OCTET STRING's contents).
    pub signature: &'a [u8],
    /// Whether every SET OF (the signed and unsigned attributes, each attribute's values,
    /// the RDNs of an issuerAndSerialNumber) is in DER order: the one normalisation `der`'s
    /// decoders make (they sort), so, with the lengths checked by the walk and the rest by
    /// the decoders, the same as re-encoding to the bytes received.
    pub sets_in_der_order: bool,
}

/// A SignerInfo's signed attributes.
pub(crate) struct RawSignedAttributes<'a> {
    /// Each `Attribute`.
    pub attributes: Vec<RawAttribute<'a>>,
    /// Re-tagged as `SET OF` (what the signature covers), built from the received bytes by
    /// changing the `[0] IMPLICIT` tag byte only.
    pub der: Vec<u8>,
}

/// One `Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF }`.
#[derive(Clone, Copy)]
pub(crate) struct RawAttribute<'a> {
    /// The OBJECT IDENTIFIER's contents (checked to be a valid OID).
    pub oid: &'a [u8],
    /// The SET OF values' contents (each value whole, not decoded).
    pub values: &'a [u8],
}

/// The attributes of a SET OF `Attribute`, and whether that SET OF and each attribute's
/// values are in DER order.
fn attributes(set: Tlv<'_>) -> Result<(Vec<RawAttribute<'_>>, bool), VerifyError> {
    let mut in_order = set_in_der_order(set.value)?;
    let attributes = elements(set.value)?
        .into_iter()
        .map(|a| {
            let parts = if a.tag == 0x30 {
                elements(a.value)?
            } else {
                Vec::new()
            };
            match parts.as_slice() {
                [oid, values] if oid.tag == 0x06 && values.tag == 0x31 => {
                    der::oid::ObjectIdentifier::from_bytes(oid.value)
                        .map_err(|_| malformed("attribute type"))?;
                    // Each value is an ANY: a tag `der` knows (as when the attributes were
                    // decoded by it), its contents left to whoever reads the attribute.
                    for v in elements(values.value)? {
                        der::Tag::try_from(v.tag).map_err(|_| malformed("attribute value"))?;
                    }
                    in_order &= set_in_der_order(values.value)?;
                    Ok(RawAttribute {
                        oid: oid.value,
                        values: values.value,
                    })
                }
                _ => Err(malformed("attribute")),
            }
        })
        .collect::<Result<_, _>>()?;
    Ok((attributes, in_order))
}

/// Takes one `SignerInfo` (whole) apart; see [`RawSignerInfo`].
pub(crate) fn signer_info(si: &[u8]) -> Result<RawSignerInfo<'_>, VerifyError> {
    let (si, rest) = next(si)?;
    if si.tag != 0x30 || !rest.is_empty() {
        return Err(malformed("SignerInfo"));
    }
    let fields = elements(si.value)?;
    let tags: Vec<u8> = fields.iter().map(|f| f.tag).collect();
    // sid: issuerAndSerialNumber (SEQUENCE) or subjectKeyIdentifier ([0] IMPLICIT OCTET
    // STRING, primitive).
    let (signed, rest) = match tags.as_slice() {
        [0x02, 0x30 | 0x80, 0x30, 0xA0, 0x30, 0x04]
        | [0x02, 0x30 | 0x80, 0x30, 0xA0, 0x30, 0x04, 0xA1] => (Some(fields[3]), &fields[4..]),
        [0x02, 0x30 | 0x80, 0x30, 0x30, 0x04] | [0x02, 0x30 | 0x80, 0x30, 0x30, 0x04, 0xA1] => {
            (None, &fields[3..])
        }
        _ => return Err(malformed("SignerInfo fields")),
    };
    // issuerAndSerialNumber: SEQUENCE { issuer Name, serialNumber }: the name's RDNs.
    let sid = fields[1];
    let mut in_order = match sid.value.first() {
        Some(&0x30) if sid.tag == 0x30 => name_in_der_order(next(sid.value)?.0)?,
        _ => true,
    };
    let signed_attributes = match signed {
        Some(set) => {
            let (attributes, ordered) = attributes(set)?;
            in_order &= ordered;
            let mut der = set.whole.to_vec();
            der[0] = 0x31;
            Some(RawSignedAttributes { attributes, der })
        }
        None => None,
    };
    if let Some(&unsigned) = rest.get(2) {
        in_order &= attributes(unsigned)?.1;
    }
    Ok(RawSignerInfo {
        version: fields[0].whole,
        sid,
        digest_algorithm: fields[2].whole,
        signed_attributes,
        signature_algorithm: rest[0].whole,
        signature: rest[1].value,
        sets_in_der_order: in_order,
    })
}

/// The DER of `id-signedData` (1.2.840.113549.1.7.2), as an OBJECT IDENTIFIER element.
const SIGNED_DATA_OID: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
];

/// Takes `ContentInfo` DER holding a `SignedData` apart (RFC 5652 5.1): `SEQUENCE {
/// id-signedData, [0] EXPLICIT SEQUENCE { INTEGER, SET, SEQUENCE, [0] certificates OPTIONAL,
/// [1] crls OPTIONAL, SET } }`, with nothing before, between or after.
pub(crate) fn signed_data(cms_der: &[u8]) -> Result<RawSignedData<'_>, VerifyError> {
    let (ci, rest) = next(cms_der)?;
    if ci.tag != 0x30 || !rest.is_empty() {
        return Err(malformed("ContentInfo"));
    }
    let (content_type, rest) = next(ci.value)?;
    if content_type.whole != SIGNED_DATA_OID {
        return Err(VerifyError::Malformed("not SignedData".into()));
    }
    let (explicit, rest) = next(rest)?;
    if explicit.tag != 0xA0 || !rest.is_empty() {
        return Err(malformed("ContentInfo"));
    }
    let (sd, rest) = next(explicit.value)?;
    if sd.tag != 0x30 || !rest.is_empty() {
        return Err(malformed("SignedData"));
    }
    let fields = elements(sd.value)?;
    let tags: Vec<u8> = fields.iter().map(|f| f.tag).collect();
    let (certs, crls, infos) = match tags.as_slice() {
        [0x02, 0x31, 0x30, 0x31] => (None, None, &fields[3]),
        [0x02, 0x31, 0x30, 0xA0, 0x31] => (Some(&fields[3]), None, &fields[4]),
        [0x02, 0x31, 0x30, 0xA0, 0xA1, 0x31] => (Some(&fields[3]), Some(&fields[4]), &fields[5]),
        [0x02, 0x31, 0x30, 0xA1, 0x31] => (None, Some(&fields[3]), &fields[4]),
        _ => return Err(malformed("SignedData fields")),
    };
    let certificates = match certs {
        Some(c) => elements(c.value)?,
        None => Vec::new(),
    };
    let crls = match crls {
        Some(c) => elements(c.value)?,
        None => Vec::new(),
    };
    let signers = elements(infos.value)?;
    if signers.iter().any(|si| si.tag != 0x30) {
        return Err(malformed("SignerInfos"));
    }
    Ok(RawSignedData {
        version: fields[0].whole,
        digest_algorithms: fields[1].whole,
        encap_content_info: fields[2].whole,
        certificates,
        crls,
        signer_infos: signers.iter().map(|si| si.whole).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_definite_lengths_and_refuses_bad_ones() {
        let (t, rest) = next(&[0x04, 0x02, 1, 2, 0xFF]).unwrap();
        assert_eq!((t.tag, t.value, rest), (0x04, &[1u8, 2][..], &[0xFFu8][..]));
        let long: Vec<u8> = [0x04, 0x81, 0x80]
            .into_iter()
            .chain(std::iter::repeat_n(7, 0x80))
            .collect();
        assert_eq!(next(&long).unwrap().0.value.len(), 0x80);
        for bad in [
            &[][..],
            &[0x04],
            &[0x04, 0x03, 1],
            &[0x04, 0x80],
            &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5],
            &[0x1F, 0x01, 0x00],
        ] {
            assert!(next(bad).is_err(), "{bad:?}");
        }
    }

    /// `ContentInfo` around a `SignedData` whose fields are `fields` (each a whole element).
    fn content_info(fields: &[&[u8]]) -> Vec<u8> {
        fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
            assert!(value.len() < 0x80);
            [&[tag, value.len() as u8][..], value].concat()
        }
        let sd = tlv(0x30, &fields.concat());
        tlv(0x30, &[&SIGNED_DATA_OID[..], &tlv(0xA0, &sd)].concat())
    }

    #[test]
    fn takes_signed_data_apart_by_its_layout_only() {
        let version: &[u8] = &[0x02, 0x01, 0x01];
        let digests: &[u8] = &[0x31, 0x00];
        let encap: &[u8] = &[0x30, 0x02, 0x05, 0x00];
        let certs: &[u8] = &[0xA0, 0x04, 0x30, 0x02, 0x05, 0x00];
        let signers: &[u8] = &[0x31, 0x04, 0x30, 0x02, 0x05, 0x00];
        let ok = content_info(&[version, digests, encap, certs, signers]);
        let raw = signed_data(&ok).unwrap();
        assert_eq!(raw.encap_content_info, encap);
        let certificates: Vec<&[u8]> = raw.certificates.iter().map(|c| c.whole).collect();
        assert_eq!(certificates, vec![&[0x30, 0x02, 0x05, 0x00][..]]);
        assert_eq!(raw.signer_infos.len(), 1);
        assert!(signed_data(&content_info(&[version, digests, encap, signers])).is_ok());

        let refused = [
            // A field out of place, a field too many, a field missing.
            content_info(&[digests, version, encap, signers]),
            content_info(&[version, digests, encap, certs, version, signers]),
            content_info(&[version, digests, signers]),
            // A SignerInfo that is not a SEQUENCE.
            content_info(&[version, digests, encap, &[0x31, 0x02, 0x05, 0x00]]),
            // Trailing bytes after the ContentInfo.
            [ok.clone(), vec![0x00]].concat(),
        ];
        for bad in &refused {
            assert!(signed_data(bad).is_err(), "{bad:02X?}");
        }
        // Another content type.
        let mut other = ok.clone();
        other[12] ^= 0x01;
        assert!(
            matches!(signed_data(&other), Err(VerifyError::Malformed(m)) if m == "not SignedData")
        );
    }
}

#[cfg(test)]
mod signer_info_tests {
    use super::*;

    fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
        assert!(value.len() < 0x80);
        [&[tag, value.len() as u8][..], value].concat()
    }

    /// An attribute with a valid OID (2.5.4.3) and the given values.
    fn attribute(values: &[&[u8]]) -> Vec<u8> {
        tlv(
            0x30,
            &[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x31, &values.concat())].concat(),
        )
    }

    fn signer_info_of(fields: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &fields.concat())
    }

    #[test]
    fn takes_a_signer_info_apart_and_refuses_other_layouts() {
        let version = tlv(0x02, &[0x01]);
        let sid = tlv(0x30, &[tlv(0x30, &[]), tlv(0x02, &[0x05])].concat());
        let ski = tlv(0x80, &[0xAB; 4]);
        let alg = tlv(0x30, &tlv(0x06, &[0x2A, 0x03]));
        let value = tlv(0x04, &[0x01]);
        let signed = tlv(0xA0, &attribute(&[&value]));
        let signature = tlv(0x04, &[0x5A; 3]);
        let unsigned = tlv(0xA1, &attribute(&[&value]));

        let ok = signer_info_of(&[&version, &sid, &alg, &signed, &alg, &signature]);
        let raw = signer_info(&ok).unwrap();
        assert_eq!(raw.version, &version[..]);
        assert_eq!((raw.sid.tag, raw.sid.whole), (0x30, &sid[..]));
        assert_eq!(raw.signature, &[0x5A; 3]);
        let signed_attributes = raw.signed_attributes.unwrap();
        let attrs = &signed_attributes.attributes;
        assert_eq!((attrs.len(), attrs[0].oid), (1, &[0x55, 0x04, 0x03][..]));
        assert_eq!(attrs[0].values, &value[..]);
        assert_eq!(signed_attributes.der, [&[0x31][..], &signed[1..]].concat());
        assert!(raw.sets_in_der_order);
        // Two signed attributes out of DER order: taken apart, and said to be out of order.
        let two = tlv(0xA0, &[attribute(&[&value]), attribute(&[])].concat());
        let unordered = signer_info_of(&[&version, &sid, &alg, &two, &alg, &signature]);
        assert!(!signer_info(&unordered).unwrap().sets_in_der_order);
        // The other signer identifier, without signed attributes, with unsigned ones.
        let other = signer_info_of(&[&version, &ski, &alg, &alg, &signature, &unsigned]);
        let raw = signer_info(&other).unwrap();
        assert_eq!(raw.sid.tag, 0x80);
        assert!(raw.signed_attributes.is_none());

        let bad_oid = tlv(
            0xA0,
            &tlv(0x30, &[tlv(0x06, &[0x80]), tlv(0x31, &value)].concat()),
        );
        let three_parts = tlv(
            0xA0,
            &tlv(
                0x30,
                &[
                    tlv(0x06, &[0x55, 0x04, 0x03]),
                    tlv(0x31, &value),
                    value.clone(),
                ]
                .concat(),
            ),
        );
        let values_not_a_set = tlv(
            0xA0,
            &tlv(
                0x30,
                &[tlv(0x06, &[0x55, 0x04, 0x03]), value.clone()].concat(),
            ),
        );
        let bad_unsigned = tlv(0xA1, &value);
        // A value whose tag is no ASN.1 type (universal 0, or a constructed INTEGER).
        let unknown_tag = |tag: u8| {
            let attr = [tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x31, &tlv(tag, &[]))].concat();
            tlv(0xA0, &tlv(0x30, &attr))
        };
        let (unknown_0, unknown_22) = (unknown_tag(0x00), unknown_tag(0x22));
        let constructed_signature = tlv(0x24, &tlv(0x04, &[0x5A]));
        let refused: Vec<Vec<u8>> = vec![
            // A field missing, one too many, out of place, of another kind.
            signer_info_of(&[&version, &sid, &alg, &signed, &alg]),
            signer_info_of(&[
                &version, &sid, &alg, &signed, &alg, &signature, &unsigned, &value,
            ]),
            signer_info_of(&[&sid, &version, &alg, &signed, &alg, &signature]),
            signer_info_of(&[&version, &value, &alg, &signed, &alg, &signature]),
            signer_info_of(&[&version, &sid, &alg, &signed, &alg, &constructed_signature]),
            // Attributes that are not `SEQUENCE { OID, SET }` with a valid OID.
            signer_info_of(&[&version, &sid, &alg, &bad_oid, &alg, &signature]),
            signer_info_of(&[&version, &sid, &alg, &three_parts, &alg, &signature]),
            signer_info_of(&[&version, &sid, &alg, &values_not_a_set, &alg, &signature]),
            signer_info_of(&[
                &version,
                &sid,
                &alg,
                &signed,
                &alg,
                &signature,
                &bad_unsigned,
            ]),
            signer_info_of(&[&version, &sid, &alg, &unknown_0, &alg, &signature]),
            signer_info_of(&[&version, &sid, &alg, &unknown_22, &alg, &signature]),
            // Not a SEQUENCE; trailing bytes.
            tlv(0x31, &[version.clone(), sid.clone()].concat()),
            [ok.clone(), vec![0x00]].concat(),
        ];
        for bad in &refused {
            assert!(signer_info(bad).is_err(), "{bad:02X?}");
        }
    }

    #[test]
    fn finds_a_certificates_issuer_and_serial_with_or_without_a_version() {
        let serial = tlv(0x02, &[0x07]);
        let alg = tlv(0x30, &tlv(0x06, &[0x2A, 0x03]));
        let issuer = tlv(0x30, &tlv(0x31, &[0x30, 0x00]));
        let rest = tlv(0x30, &[]);
        let cert =
            |fields: &[&[u8]]| tlv(0x30, &[tlv(0x30, &fields.concat()), alg.clone()].concat());
        let v3 = tlv(0xA0, &tlv(0x02, &[0x02]));
        for c in [
            cert(&[&v3, &serial, &alg, &issuer, &rest]),
            cert(&[&serial, &alg, &issuer, &rest]),
        ] {
            assert_eq!(
                certificate_issuer_and_serial(&c).unwrap(),
                (&issuer[..], &serial[..])
            );
        }
        // The issuer not a SEQUENCE, the serial not an INTEGER.
        assert!(certificate_issuer_and_serial(&cert(&[&serial, &alg, &serial, &rest])).is_err());
        assert!(certificate_issuer_and_serial(&cert(&[&issuer, &alg, &issuer, &rest])).is_err());
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn der_order_of_a_set_of() {
        let ok: [&[u8]; 4] = [
            &[],
            &[0x02, 0x01, 0x01],
            &[0x02, 0x01, 0x01, 0x02, 0x01, 0x02],
            // Lengths differ: compared padded with zeros, 04 01 00 00 before 04 02 00 00.
            &[0x04, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00],
        ];
        for set in ok {
            assert!(set_in_der_order(set).unwrap(), "{set:02X?}");
        }
        for set in [
            &[0x02, 0x01, 0x02, 0x02, 0x01, 0x01][..],
            &[0x04, 0x02, 0x00, 0x00, 0x04, 0x01, 0x00],
        ] {
            assert!(!set_in_der_order(set).unwrap(), "{set:02X?}");
        }
    }
}
