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

use std::collections::HashMap;
use std::time::SystemTime;

use const_oid::db::rfc5280;
use der::{Decode, Encode, Tagged};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::IssuingDistributionPoint;
use x509_cert::ext::pkix::AuthorityKeyIdentifier;

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
    /// Revoked serial (content octets) → revocation date and reason code.
    pub revoked: HashMap<Vec<u8>, (SystemTime, Option<u8>)>,
}

/// CRLReason `keyCompromise` (RFC 5280 5.3.1).
const KEY_COMPROMISE: u8 = 1;

fn bad(m: impl Into<String>) -> VerifyError {
    VerifyError::BadCrl(m.into())
}

fn unsupported(m: impl Into<String>) -> VerifyError {
    VerifyError::UnsupportedCrl(m.into())
}

/// Parses `crl_der`, checks its signature against `trust` and its extensions.
/// Refused before decoding when over [`super::MAX_CRL_SIZE`].
pub(crate) fn prepare(crl_der: &[u8], trust: &TrustStore) -> Result<PreparedCrl, VerifyError> {
    if crl_der.len() > super::MAX_CRL_SIZE {
        return Err(VerifyError::CrlTooLarge {
            size: crl_der.len(),
            max: super::MAX_CRL_SIZE,
        });
    }
    let crl = CertificateList::from_der(crl_der).map_err(|e| bad(e.to_string()))?;
    let tbs = &crl.tbs_cert_list;
    if crl.signature_algorithm != tbs.signature {
        return Err(bad("signature algorithm differs from the signed part's"));
    }
    // The signed part exactly as received.
    let (outer, _) = raw::next(crl_der).map_err(|_| bad("structure"))?;
    let (tbs_raw, _) = raw::next(outer.value).map_err(|_| bad("structure"))?;
    let sig = crl
        .signature
        .as_bytes()
        .ok_or_else(|| bad("signature is not whole bytes"))?;

    let mut number = None;
    let mut key_id = None;
    for ext in tbs.crl_extensions.iter().flatten() {
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
    let named: Vec<usize> = trust.named(&tbs.issuer).map(|(i, _)| i).collect();
    if named.is_empty() {
        return Err(bad("issued by another CA"));
    }
    let mut candidates: Vec<usize> = key_id
        .as_deref()
        .map(|k| trust.by_key_id(k, &tbs.issuer).collect())
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
        .find(|&i| trust.roots()[i].verifies(&crl.signature_algorithm, None, tbs_raw.whole, sig))
        .ok_or_else(|| bad("signature does not verify"))?;

    let next_update = tbs
        .next_update
        .ok_or_else(|| bad("no nextUpdate: its freshness cannot be judged"))?
        .to_system_time();
    let mut revoked = HashMap::new();
    for entry in tbs.revoked_certificates.iter().flatten() {
        for ext in entry.crl_entry_extensions.iter().flatten() {
            match ext.extn_id {
                rfc5280::ID_CE_CRL_REASONS | rfc5280::ID_CE_INVALIDITY_DATE => {}
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
        let mut reason = None;
        for ext in entry.crl_entry_extensions.iter().flatten() {
            if ext.extn_id == rfc5280::ID_CE_CRL_REASONS {
                let code = der::asn1::AnyRef::from_der(ext.extn_value.as_bytes())
                    .ok()
                    .filter(|a| a.tag() == der::Tag::Enumerated && a.value().len() == 1)
                    .map(|a| a.value()[0])
                    .ok_or_else(|| bad("reasonCode"))?;
                reason = Some(code);
            }
        }
        let date = entry.revocation_date.to_system_time();
        revoked
            .entry(entry.serial_number.as_bytes().to_vec())
            .and_modify(|(d, r): &mut (SystemTime, Option<u8>)| {
                *d = (*d).min(date);
                *r = r.or(reason);
            })
            .or_insert((date, reason));
    }
    // Encode check: the decoded value must encode back to the received bytes (DER).
    if tbs.to_der().map_err(|e| bad(e.to_string()))? != tbs_raw.whole {
        return Err(bad("not DER"));
    }
    Ok(PreparedCrl {
        root,
        this_update: tbs.this_update.to_system_time(),
        next_update,
        number,
        revoked,
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
        .any(|c| c.revoked.get(serial).is_some_and(|&(d, _)| d <= at))
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
            .is_some_and(|&(d, reason)| d <= at || reason == Some(KEY_COMPROMISE))
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
