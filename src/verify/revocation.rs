//! Revocation by CRL (RFC 5280 section 5 and 6.3), prepared once per CRL.
//!
//! A CRL is parsed and its signature checked when it is added to a [`super::Verifier`]: it
//! must be signed by a trusted root of its issuer's name (found by its authorityKeyIdentifier,
//! else by trying each same-named root). The revoked serials are indexed. For each consent,
//! the CRLs of the signer's **own root generation** apply (a same-named root of another
//! generation issues other CRLs: they are skipped, not an error); one of them must be current
//! at the receipt time (thisUpdate ≤ time ≤ nextUpdate).
//!
//! Scope: full CRLs for end-entity certificates only. A delta CRL, an issuing distribution
//! point that narrows the scope (by distribution point, reasons, CA or attribute certificates,
//! or an indirect CRL), an entry naming a certificate issuer, and any unknown critical
//! extension are refused ([`VerifyError::UnsupportedCrl`]); a CRL without nextUpdate is
//! refused too (its freshness cannot be judged).

use std::time::SystemTime;

use const_oid::db::rfc5280;
use der::asn1::{BitString, GeneralizedTime, UtcTime};
use der::{Decode, Encode, Tagged};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::crl::IssuingDistributionPoint;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;
use x509_cert::ext::Extensions;
use x509_cert::name::Name;
use x509_cert::time::Time;

use super::{raw, TrustStore, VerifyError};

/// How revocation was established for a signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationStatus {
    /// By a CRL of the signer's root, current at the receipt time, not listing the
    /// certificate (as revoked at or before that time).
    Crl {
        /// The CRL's thisUpdate.
        this_update: SystemTime,
        /// The CRL's nextUpdate.
        next_update: SystemTime,
        /// The cRLNumber (big-endian content octets), when present.
        number: Option<Vec<u8>>,
    },
    /// By an OCSP response signed by the root or its delegated responder, fresh at the
    /// receipt time, saying the certificate is good (or revoked only after that time).
    Ocsp {
        /// The response's producedAt.
        produced_at: SystemTime,
        /// The single response's thisUpdate.
        this_update: SystemTime,
        /// The single response's nextUpdate, when present.
        next_update: Option<SystemTime>,
    },
    /// Not checked: no CRL or OCSP response applied. A strict verifier refuses this
    /// ([`VerifyError::RevocationNotChecked`]).
    NotChecked,
}

/// A CRL whose signature verified, ready for lookups.
#[derive(Debug, Clone)]
pub(crate) struct PreparedCrl {
    /// The root (index in the trust store) that signed it.
    pub root: usize,
    pub this_update: SystemTime,
    pub next_update: SystemTime,
    pub number: Option<Vec<u8>>,
    /// The revoked serials, with their dates and reasons.
    pub revoked: RevokedIndex,
}

/// CRLReason `keyCompromise` (RFC 5280 5.3.1).
const KEY_COMPROMISE: u8 = 1;

/// No reasonCode entry extension.
const NO_REASON: u8 = 0xFF;

/// The longest serial accepted, in content octets: 20 (RFC 5280 4.1.2.2) and a leading zero,
/// as `x509-cert` accepts.
const MAX_SERIAL_LEN: usize = 21;

/// One revoked certificate: 24 bytes. Its serial's first eight content octets are `key`
/// (big-endian, zero-padded), the rest in [`RevokedIndex::tail`] at `offset`.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    /// Revocation date, seconds since 1970 (clamped to `0..=u32::MAX`: a date before 1970
    /// is as revoked as 1970 for any time judged, one after 2106 never reached).
    date: u32,
    offset: u32,
    len: u8,
    reason: u8,
}

/// What revocation needs of a CRL and nothing else: each revoked serial with its date and
/// reason code, sorted for binary search. About 24 bytes per entry (plus the octets of
/// serials longer than eight), against the ~9x the CRL's size a decoded `CertificateList`
/// took: a national CRL of 3 million entries is ~72 MB here.
#[derive(Debug, Clone, Default)]
pub(crate) struct RevokedIndex {
    entries: Vec<Entry>,
    /// The octets of serials after their first eight.
    tail: Vec<u8>,
}

/// A revoked certificate's date and reason code (`None` without a reasonCode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Revoked {
    pub date: SystemTime,
    pub reason: Option<u8>,
}

fn key_of(serial: &[u8]) -> u64 {
    let mut k = [0u8; 8];
    let n = serial.len().min(8);
    k[..n].copy_from_slice(&serial[..n]);
    u64::from_be_bytes(k)
}

impl RevokedIndex {
    fn tail_of(&self, e: &Entry) -> &[u8] {
        let start = e.offset as usize;
        let extra = usize::from(e.len).saturating_sub(8);
        &self.tail[start..start + extra]
    }

    fn order(&self, a: &Entry, b: &Entry) -> std::cmp::Ordering {
        a.key
            .cmp(&b.key)
            .then(a.len.cmp(&b.len))
            .then_with(|| self.tail_of(a).cmp(self.tail_of(b)))
    }

    fn push(&mut self, serial: &[u8], date: u32, reason: u8) -> Result<(), VerifyError> {
        let offset = u32::try_from(self.tail.len()).map_err(|_| bad("too many entries"))?;
        if serial.len() > 8 {
            self.tail.extend_from_slice(&serial[8..]);
        }
        self.entries.push(Entry {
            key: key_of(serial),
            date,
            offset,
            // Checked by the caller (at most MAX_SERIAL_LEN).
            len: serial.len() as u8,
            reason,
        });
        Ok(())
    }

    /// Sorts, and merges (in place) the entries of a serial listed more than once (earliest
    /// date; keyCompromise if any said so, else the first reason given).
    fn finish(mut self) -> Self {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_unstable_by(|a, b| self.order(a, b));
        // `dedup_by` hands the later entry first and keeps the earlier.
        entries.dedup_by(|later, kept| {
            if !self.order(later, kept).is_eq() {
                return false;
            }
            kept.date = kept.date.min(later.date);
            if later.reason == KEY_COMPROMISE || kept.reason == NO_REASON {
                kept.reason = later.reason;
            }
            true
        });
        self.tail.shrink_to_fit();
        self.entries = entries;
        self
    }

    /// The entry for `serial` (content octets), if listed.
    pub(crate) fn get(&self, serial: &[u8]) -> Option<Revoked> {
        if serial.len() > MAX_SERIAL_LEN {
            return None;
        }
        let key = key_of(serial);
        let len = serial.len() as u8;
        let tail = serial.get(8..).unwrap_or_default();
        let i = self
            .entries
            .binary_search_by(|e| {
                e.key
                    .cmp(&key)
                    .then(e.len.cmp(&len))
                    .then_with(|| self.tail_of(e).cmp(tail))
            })
            .ok()?;
        let e = self.entries[i];
        Some(Revoked {
            date: std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::from(e.date)),
            reason: (e.reason != NO_REASON).then_some(e.reason),
        })
    }

    /// How many serials are listed.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

fn bad(m: impl Into<String>) -> VerifyError {
    VerifyError::BadCrl(m.into())
}

fn unsupported(m: impl Into<String>) -> VerifyError {
    VerifyError::UnsupportedCrl(m.into())
}

/// Decodes `element` as a `T` and refuses it unless it encodes back to the same bytes (DER).
fn strict<'a, T: Decode<'a> + Encode>(element: &'a [u8], what: &str) -> Result<T, VerifyError> {
    let value = T::from_der(element).map_err(|_| bad(what))?;
    if value.to_der().map_err(|_| bad(what))? != element {
        return Err(bad(format!("{what} is not DER")));
    }
    Ok(value)
}

/// A `Time` element (UTCTime or GeneralizedTime), DER, as seconds since 1970.
fn time_of(t: raw::Tlv<'_>, what: &str) -> Result<SystemTime, VerifyError> {
    match t.tag {
        0x17 => Ok(UtcTime::from_der(t.whole)
            .map_err(|_| bad(what))?
            .to_system_time()),
        0x18 => Ok(GeneralizedTime::from_der(t.whole)
            .map_err(|_| bad(what))?
            .to_system_time()),
        _ => Err(bad(what)),
    }
}

fn seconds(t: SystemTime) -> u32 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
}

/// An INTEGER's content octets, refused unless minimal (DER) and at most
/// [`MAX_SERIAL_LEN`] long.
fn serial_of(t: raw::Tlv<'_>) -> Result<&[u8], VerifyError> {
    let v = t.value;
    let minimal = match v {
        [] => false,
        [0x00, next, ..] => next & 0x80 != 0,
        [0xFF, next, ..] => next & 0x80 == 0,
        _ => true,
    };
    if t.tag != 0x02 || !minimal || v.len() > MAX_SERIAL_LEN {
        return Err(bad("userCertificate"));
    }
    Ok(v)
}

/// The entries of `revokedCertificates` (its contents) into `index`.
fn index_entries(mut entries: &[u8], index: &mut RevokedIndex) -> Result<(), VerifyError> {
    while !entries.is_empty() {
        let (entry, rest) = raw::next(entries).map_err(|_| bad("revokedCertificates"))?;
        entries = rest;
        if entry.tag != 0x30 {
            return Err(bad("revokedCertificates"));
        }
        let (serial, rest) = raw::next(entry.value).map_err(|_| bad("entry"))?;
        let serial = serial_of(serial)?;
        let (date, rest) = raw::next(rest).map_err(|_| bad("entry"))?;
        let date = time_of(date, "revocationDate")?;
        let mut reason = NO_REASON;
        if !rest.is_empty() {
            let (exts, after) = raw::next(rest).map_err(|_| bad("entry"))?;
            if exts.tag != 0x30 || !after.is_empty() {
                return Err(bad("entry"));
            }
            let exts: Extensions = strict(exts.whole, "crlEntryExtensions")?;
            for ext in &exts {
                match ext.extn_id {
                    rfc5280::ID_CE_CRL_REASONS => {
                        let code = der::asn1::AnyRef::from_der(ext.extn_value.as_bytes())
                            .ok()
                            .filter(|a| a.tag() == der::Tag::Enumerated && a.value().len() == 1)
                            .map(|a| a.value()[0])
                            .ok_or_else(|| bad("reasonCode"))?;
                        reason = code;
                    }
                    rfc5280::ID_CE_INVALIDITY_DATE => {}
                    rfc5280::ID_CE_CERTIFICATE_ISSUER => {
                        return Err(unsupported("indirect CRL entry (certificateIssuer)"))
                    }
                    other if ext.critical => {
                        return Err(unsupported(format!(
                            "unknown critical entry extension {other}"
                        )))
                    }
                    _ => {}
                }
            }
        }
        index.push(serial, seconds(date), reason)?;
    }
    Ok(())
}

/// The next element of `rest`, if any, and `rest` moved past it.
fn take<'a>(rest: &mut &'a [u8]) -> Result<Option<raw::Tlv<'a>>, VerifyError> {
    if rest.is_empty() {
        return Ok(None);
    }
    let (t, r) = raw::next(rest).map_err(|_| bad("tbsCertList"))?;
    *rest = r;
    Ok(Some(t))
}

/// Parses `crl_der`, checks its signature against `trust` and its extensions, and indexes
/// its entries ([`RevokedIndex`]). Refused before decoding when over
/// [`super::MAX_CRL_SIZE`].
///
/// The CRL is walked by its bytes, never decoded whole: the header's fields are decoded and
/// must re-encode to the bytes received (DER), the entries are read one by one (serial: a
/// minimal INTEGER; date: a DER UTCTime or GeneralizedTime; extensions decoded and
/// re-encoded, as strictly), and only serial, date and reason are kept.
pub(crate) fn prepare(crl_der: &[u8], trust: &TrustStore) -> Result<PreparedCrl, VerifyError> {
    if crl_der.len() > super::MAX_CRL_SIZE {
        return Err(VerifyError::CrlTooLarge {
            size: crl_der.len(),
            max: super::MAX_CRL_SIZE,
        });
    }
    // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
    let (outer, rest) = raw::next(crl_der).map_err(|_| bad("structure"))?;
    if outer.tag != 0x30 || !rest.is_empty() {
        return Err(bad("structure"));
    }
    let (tbs_raw, rest) = raw::next(outer.value).map_err(|_| bad("structure"))?;
    let (alg, rest) = raw::next(rest).map_err(|_| bad("structure"))?;
    let (bits, rest) = raw::next(rest).map_err(|_| bad("structure"))?;
    if tbs_raw.tag != 0x30 || !rest.is_empty() {
        return Err(bad("structure"));
    }
    let signature_algorithm: AlgorithmIdentifierOwned = strict(alg.whole, "signatureAlgorithm")?;
    let signature: BitString = strict(bits.whole, "signatureValue")?;
    let sig = signature
        .as_bytes()
        .ok_or_else(|| bad("signature is not whole bytes"))?;

    // TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL (v2), signature, issuer,
    //     thisUpdate, nextUpdate OPTIONAL, revokedCertificates OPTIONAL,
    //     crlExtensions [0] EXPLICIT OPTIONAL }
    let (mut field, mut rest) = raw::next(tbs_raw.value).map_err(|_| bad("tbsCertList"))?;
    if field.tag == 0x02 {
        if field.whole != [0x02, 0x01, 0x01] {
            return Err(bad("version"));
        }
        field = take(&mut rest)?.ok_or_else(|| bad("tbsCertList"))?;
    }
    let inner_alg: AlgorithmIdentifierOwned = strict(field.whole, "signature")?;
    if inner_alg != signature_algorithm {
        return Err(bad("signature algorithm differs from the signed part's"));
    }
    let issuer_raw = take(&mut rest)?.ok_or_else(|| bad("issuer"))?;
    let issuer: Name = strict(issuer_raw.whole, "issuer")?;
    let this_raw = take(&mut rest)?.ok_or_else(|| bad("thisUpdate"))?;
    let this_update: Time = strict(this_raw.whole, "thisUpdate")?;
    let mut next = take(&mut rest)?;
    let mut next_update = None;
    if let Some(t) = next.filter(|t| matches!(t.tag, 0x17 | 0x18)) {
        next_update = Some(strict::<Time>(t.whole, "nextUpdate")?);
        next = take(&mut rest)?;
    }
    let mut entries = None;
    if let Some(t) = next.filter(|t| t.tag == 0x30) {
        if t.value.is_empty() {
            // DER: an empty list is left out.
            return Err(bad("revokedCertificates is empty"));
        }
        entries = Some(t.value);
        next = take(&mut rest)?;
    }
    let mut crl_extensions = None;
    if let Some(t) = next.filter(|t| t.tag == 0xA0) {
        let (exts, after) = raw::next(t.value).map_err(|_| bad("crlExtensions"))?;
        if !after.is_empty() {
            return Err(bad("crlExtensions"));
        }
        crl_extensions = Some(strict::<Extensions>(exts.whole, "crlExtensions")?);
        next = take(&mut rest)?;
    }
    if next.is_some() {
        return Err(bad("tbsCertList"));
    }

    let mut number = None;
    let mut key_id = None;
    for ext in crl_extensions.iter().flatten() {
        let value = ext.extn_value.as_bytes();
        match ext.extn_id {
            rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                let aki = AuthorityKeyIdentifier::from_der(value)
                    .map_err(|_| bad("authorityKeyIdentifier"))?;
                key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            rfc5280::ID_CE_CRL_NUMBER => {
                let n = der::asn1::Uint::from_der(value).map_err(|_| bad("cRLNumber"))?;
                number = Some(n.as_bytes().to_vec());
            }
            rfc5280::ID_CE_DELTA_CRL_INDICATOR => return Err(unsupported("delta CRL")),
            rfc5280::ID_CE_ISSUING_DISTRIBUTION_POINT => {
                let idp = IssuingDistributionPoint::from_der(value)
                    .map_err(|_| bad("issuingDistributionPoint"))?;
                if idp.distribution_point.is_some()
                    || idp.only_contains_ca_certs
                    || idp.only_contains_attribute_certs
                    || idp.only_some_reasons.is_some()
                    || idp.indirect_crl
                {
                    return Err(unsupported("issuing distribution point narrows the scope"));
                }
            }
            rfc5280::ID_CE_FRESHEST_CRL if !ext.critical => {}
            other if ext.critical => {
                return Err(unsupported(format!("unknown critical extension {other}")))
            }
            _ => {}
        }
    }

    // The signing root: by key identifier first, then every root of the issuer's name.
    let named: Vec<usize> = trust.named(&issuer).map(|(i, _)| i).collect();
    if named.is_empty() {
        return Err(bad("issued by another CA"));
    }
    let mut candidates: Vec<usize> = key_id
        .as_deref()
        .map(|k| trust.by_key_id(k, &issuer).collect())
        .unwrap_or_default();
    candidates.extend(
        named
            .iter()
            .filter(|i| !candidates.contains(i))
            .copied()
            .collect::<Vec<_>>(),
    );
    let root = candidates
        .into_iter()
        .find(|&i| trust.roots()[i].verifies(&signature_algorithm, None, tbs_raw.whole, sig))
        .ok_or_else(|| bad("signature does not verify"))?;

    let next_update = next_update
        .ok_or_else(|| bad("no nextUpdate: its freshness cannot be judged"))?
        .to_system_time();
    let mut revoked = RevokedIndex::default();
    if let Some(entries) = entries {
        // Counted first, so the index is allocated once at its size (a national CRL's
        // millions of entries: no doubling, no copy).
        let mut count = 0usize;
        let mut rest = entries;
        while !rest.is_empty() {
            rest = raw::next(rest).map_err(|_| bad("revokedCertificates"))?.1;
            count += 1;
        }
        revoked.entries.reserve_exact(count);
        index_entries(entries, &mut revoked)?;
    }
    Ok(PreparedCrl {
        root,
        this_update: this_update.to_system_time(),
        next_update,
        number,
        revoked: revoked.finish(),
    })
}

/// Revocation of the certificate with `serial` issued by root `root`, at `at`, by the CRLs:
/// `None` when no CRL of that root is known.
///
/// A revocation is permanent: any CRL of that root listing the certificate as revoked at or
/// before `at` refuses it ([`VerifyError::Revoked`]), current or not. Otherwise one of them
/// must be current at `at` ([`VerifyError::CrlNotCurrent`]): a stale CRL proves nothing.
pub(crate) fn check(
    crls: &[PreparedCrl],
    root: usize,
    serial: &[u8],
    at: SystemTime,
) -> Result<Option<RevocationStatus>, VerifyError> {
    let applicable: Vec<&PreparedCrl> = crls.iter().filter(|c| c.root == root).collect();
    if applicable.is_empty() {
        return Ok(None);
    }
    if applicable
        .iter()
        .any(|c| c.revoked.get(serial).is_some_and(|r| r.date <= at))
    {
        return Err(VerifyError::Revoked);
    }
    let current = applicable
        .into_iter()
        .filter(|c| c.this_update <= at && at <= c.next_update)
        .max_by_key(|c| c.this_update)
        .ok_or(VerifyError::CrlNotCurrent)?;
    Ok(Some(RevocationStatus::Crl {
        this_update: current.this_update,
        next_update: current.next_update,
        number: current.number.clone(),
    }))
}

/// The status of a delegated OCSP responder's certificate with `serial`, issued by root
/// `root`, at `at` (RFC 6960 4.2.2.2.1): refused as revoked when a CRL of that root lists it
/// as revoked at or before `at`, or for keyCompromise at any time (a compromised key makes
/// every answer it signed suspect); otherwise a CRL of that root current at `at` must
/// establish it.
pub(crate) fn check_responder(
    crls: &[PreparedCrl],
    root: usize,
    serial: &[u8],
    at: SystemTime,
) -> Result<(), VerifyError> {
    let applicable = || crls.iter().filter(|c| c.root == root);
    let revoked = applicable().any(|c| {
        c.revoked
            .get(serial)
            .is_some_and(|r| r.date <= at || r.reason == Some(KEY_COMPROMISE))
    });
    if revoked {
        return Err(VerifyError::OcspResponderRevoked);
    }
    if applicable().any(|c| c.this_update <= at && at <= c.next_update) {
        Ok(())
    } else {
        Err(VerifyError::OcspResponderNotChecked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_every_serial_and_merges_repeats() {
        let mut index = RevokedIndex::default();
        let long: Vec<u8> = (1..=20).collect();
        let mut long_other = long.clone();
        long_other[19] = 0x77;
        let serials: [&[u8]; 6] = [
            &[0x01],
            &[0x01, 0x00],
            &[0x7F; 8],
            &[0x00, 0x80],
            &long,
            &long_other,
        ];
        for (i, s) in serials.iter().enumerate() {
            index.push(s, 1000 + i as u32, NO_REASON).unwrap();
        }
        // Listed again: earlier date, and keyCompromise.
        index.push(&[0x01, 0x00], 5, KEY_COMPROMISE).unwrap();
        index.push(&long, 9999, 3).unwrap();
        let index = index.finish();
        assert_eq!(index.len(), serials.len());
        let at = |secs: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        assert_eq!(
            index.get(&[0x01]),
            Some(Revoked {
                date: at(1000),
                reason: None
            })
        );
        assert_eq!(
            index.get(&[0x01, 0x00]),
            Some(Revoked {
                date: at(5),
                reason: Some(KEY_COMPROMISE)
            })
        );
        assert_eq!(
            index.get(&long),
            Some(Revoked {
                date: at(1004),
                reason: Some(3)
            })
        );
        assert_eq!(index.get(&long_other).map(|r| r.date), Some(at(1005)));
        // Prefixes, extensions and neighbours of listed serials are not listed.
        for absent in [
            &[0x02][..],
            &[0x01, 0x00, 0x00],
            &[0x7F; 7],
            &long[..19],
            &[0u8; 30],
        ] {
            assert_eq!(index.get(absent), None, "{absent:02X?}");
        }
    }

    #[test]
    fn serials_must_be_minimal_integers() {
        let tlv = |v: &'static [u8]| raw::Tlv {
            tag: 0x02,
            whole: v,
            value: v,
        };
        assert!(serial_of(tlv(&[0x00, 0x80])).is_ok());
        assert!(serial_of(tlv(&[0x7F])).is_ok());
        for bad in [&[][..], &[0x00, 0x7F], &[0xFF, 0x80], &[0x01; 22]] {
            assert!(serial_of(tlv(bad)).is_err(), "{bad:02X?}");
        }
    }
}
