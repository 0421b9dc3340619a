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

/// The parts of a one-signer `SignedData` that are checked byte for byte.
pub(crate) struct RawSignedData<'a> {
    /// Each certificate of the `certificates` field, as received.
    pub certificates: Vec<&'a [u8]>,
    /// The signed attributes re-tagged as `SET OF` (what the signature covers), built from
    /// the received bytes by changing the `[0] IMPLICIT` tag byte only.
    pub signed_attributes: Option<Vec<u8>>,
}

/// Locates the certificates and the (first) signer's signed attributes in `ContentInfo` DER.
pub(crate) fn signed_data(cms_der: &[u8]) -> Result<RawSignedData<'_>, VerifyError> {
    let (ci, _) = next(cms_der)?;
    let ci = elements(ci.value)?;
    let explicit = ci.get(1).ok_or_else(|| malformed("ContentInfo"))?;
    let (sd, _) = next(explicit.value)?;
    let fields = elements(sd.value)?;
    let mut certificates = Vec::new();
    if let Some(certs) = fields.iter().find(|t| t.tag == 0xA0) {
        for c in elements(certs.value)? {
            // Only plain certificates (SEQUENCE); other choices are not signer certificates.
            if c.tag == 0x30 {
                certificates.push(c.whole);
            }
        }
    }
    let infos = fields.last().ok_or_else(|| malformed("SignedData"))?;
    let signed_attributes = match elements(infos.value)?.first() {
        Some(si) => elements(si.value)?
            .iter()
            .find(|t| t.tag == 0xA0)
            .map(|attrs| {
                let mut v = attrs.whole.to_vec();
                v[0] = 0x31;
                v
            }),
        None => None,
    };
    Ok(RawSignedData {
        certificates,
        signed_attributes,
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
            .chain(std::iter::repeat(7).take(0x80))
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
}
