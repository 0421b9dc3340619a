//! The [`Verifier`]: built once by a service, called per consent.

use std::time::{Duration, SystemTime};

use cms::content_info::CmsVersion;
use cms::signed_data::{DigestAlgorithmIdentifiers, EncapsulatedContentInfo};
use der::asn1::OctetString;
use der::{Decode, Encode};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::time::Time;

use super::purpose::CertificatePurpose;
use super::revocation::{self, PreparedCrl, RevocationStatus};
use super::{ocsp, raw, strict, TrustStore, VerifiedSignature, VerifyError};
use super::{DEFAULT_MAX_SKEW, MAX_CMS_SIZE};
use crate::cert::{verify_signature, CertificateKind, JpkiCertificate};
use crate::cms::{ess, oid};
use crate::consent::Channel;

/// What the service knows about one consent it received.
#[derive(Debug, Clone, Default)]
pub struct ConsentCheck {
    /// When it was received, by the service's own clock. Default: now. Re-verifying an
    /// archived consent passes the receipt time recorded with it.
    pub received_at: Option<SystemTime>,
    /// The nonce the service issued for this procedure, if any: the document's must equal it.
    pub nonce: Option<String>,
    /// The channel of the procedure, if known: the document's must equal it.
    pub channel: Option<Channel>,
    /// An OCSP response (DER) for the signer certificate, fetched by the service.
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, if one was sent.
    pub ocsp_nonce: Option<Vec<u8>>,
}

/// A verifier a receiving service builds once: its roots (parsed and indexed once), its
/// CRLs (parsed, signature-checked and indexed once), its skew, and whether revocation must
/// be established. Cheap to clone; safe to share between threads.
///
/// Strict by default: [`Verifier::new`] refuses a consent whose revocation could not be
/// established ([`VerifyError::RevocationNotChecked`]) unless
/// [`allow_unchecked_revocation`](Self::allow_unchecked_revocation) is called.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: TrustStore,
    crls: Vec<PreparedCrl>,
    max_skew: Duration,
    require_revocation: bool,
}

fn malformed(e: impl core::fmt::Display) -> VerifyError {
    VerifyError::Malformed(e.to_string())
}

/// The single value of the signed attribute `id` among `attrs`, if present exactly once.
fn attribute<'a>(
    attrs: &[raw::RawAttribute<'a>],
    id: der::oid::ObjectIdentifier,
) -> Result<Option<der::asn1::AnyRef<'a>>, VerifyError> {
    let repeated = || VerifyError::Malformed(format!("attribute {id} repeated"));
    let mut found = attrs.iter().filter(|a| a.oid == id.as_bytes());
    let Some(a) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || a.values.is_empty() {
        return Err(repeated());
    }
    let (value, rest) = raw::next(a.values)?;
    if !rest.is_empty() {
        return Err(repeated());
    }
    der::asn1::AnyRef::from_der(value.whole)
        .map(Some)
        .map_err(malformed)
}

/// Whether the `GeneralNames` of an ESS `IssuerSerial` name the certificate issuer `issuer`
/// (`issuer_der`: its DER as it is in the certificate). The form every signer writes, one
/// directory name, is compared as bytes (DER, as the certificate's own name is); any other
/// form is decoded, must be DER, and is searched for a directory name equal to the issuer.
fn names_issuer(
    general_names: der::asn1::AnyRef<'_>,
    issuer_der: &[u8],
    issuer: &x509_cert::name::Name,
) -> Result<bool, VerifyError> {
    let directory_name = der::Header::new(
        der::Tag::ContextSpecific {
            constructed: true,
            number: der::TagNumber::N4,
        },
        der::Length::try_from(issuer_der.len()).map_err(malformed)?,
    )
    .and_then(|h| h.to_der())
    .map_err(malformed)?;
    let value = general_names.value();
    if der::Tagged::tag(&general_names) == der::Tag::Sequence
        && value.len() == directory_name.len() + issuer_der.len()
        && value.starts_with(&directory_name)
        && value.ends_with(issuer_der)
    {
        return Ok(true);
    }
    Ok(general_names_der(general_names)?.iter().any(
        |g| matches!(g, x509_cert::ext::pkix::name::GeneralName::DirectoryName(n) if n == issuer),
    ))
}

/// The `GeneralNames` of an ESS `IssuerSerial`, decoded; refused unless they decode
/// ([`VerifyError::CertificateNotBound`], as any undecodable ESS attribute) and are DER.
fn general_names_der(
    general_names: der::asn1::AnyRef<'_>,
) -> Result<x509_cert::ext::pkix::name::GeneralNames, VerifyError> {
    let received = general_names.to_der().map_err(malformed)?;
    let names = x509_cert::ext::pkix::name::GeneralNames::from_der(&received)
        .map_err(|_| VerifyError::CertificateNotBound)?;
    same_der(&names, &received, "signingCertificateV2")?;
    Ok(names)
}

fn digest_for(alg: &der::oid::ObjectIdentifier, data: &[u8]) -> Result<Vec<u8>, VerifyError> {
    Ok(match *alg {
        a if a == oid::SHA256 => sha2::Sha256::digest(data).to_vec(),
        a if a == oid::SHA384 => sha2::Sha384::digest(data).to_vec(),
        a if a == oid::SHA512 => sha2::Sha512::digest(data).to_vec(),
        _ => {
            return Err(VerifyError::Malformed(
                "unsupported digest algorithm".into(),
            ))
        }
    })
}

fn within(t: SystemTime, from: &Time, to: &Time) -> bool {
    from.to_system_time() <= t && t <= to.to_system_time()
}

/// `|a - b| <= skew`.
pub(crate) fn close(a: SystemTime, b: SystemTime, skew: Duration) -> bool {
    match a.duration_since(b) {
        Ok(d) => d <= skew,
        Err(e) => e.duration() <= skew,
    }
}

/// Whether the certificate `der` (decoded: `c`) is the one the signer identifier `sid` (as
/// received) names. An issuerAndSerialNumber is compared as bytes with the certificate's
/// issuer and serial number as they are in it: both are DER (the certificate is checked to
/// be), and DER has one encoding per value, so equal values are equal bytes. A
/// subjectKeyIdentifier is compared with the certificate's extension.
fn matches_sid(
    der: &[u8],
    c: &x509_cert::Certificate,
    sid: raw::Tlv<'_>,
) -> Result<bool, VerifyError> {
    Ok(match sid.tag {
        0x30 => {
            let (issuer, serial) = raw::certificate_issuer_and_serial(der)?;
            sid.value.len() == issuer.len() + serial.len()
                && sid.value.starts_with(issuer)
                && sid.value.ends_with(serial)
        }
        _ => c
            .tbs_certificate
            .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, k)| k.0.as_bytes() == sid.value),
    })
}

/// Refuses `what` unless `decoded` encodes to as many bytes as `received` and `sets_in_order`
/// (every SET OF of `received` in DER order): together, the same as encoding back to exactly
/// `received` ([`raw::certificate_sets_in_der_order`] says why), at a tenth of the cost.
fn same_der_len<T: Encode>(
    decoded: &T,
    received: &[u8],
    sets_in_order: Result<bool, VerifyError>,
    what: &str,
) -> Result<(), VerifyError> {
    let same_len = decoded
        .encoded_len()
        .ok()
        .and_then(|l| usize::try_from(l).ok())
        == Some(received.len());
    if same_len && sets_in_order? {
        Ok(())
    } else {
        Err(VerifyError::NotDer(what.into()))
    }
}

/// Refuses `what` unless `decoded` encodes back to exactly `received` (DER).
fn same_der<T: Encode>(decoded: &T, received: &[u8], what: &str) -> Result<(), VerifyError> {
    match decoded.to_der() {
        Ok(d) if d == received => Ok(()),
        _ => Err(VerifyError::NotDer(what.into())),
    }
}

/// What a service knows about a certificate it is asked to accept (for example the
/// authentication certificate of a login): when, and its OCSP response if it fetched one.
#[derive(Debug, Clone, Default)]
pub struct CertificateCheck {
    /// The time to judge it at, by the service's own clock. Default: now.
    pub at: Option<SystemTime>,
    /// An OCSP response (DER) for the certificate.
    pub ocsp_response: Option<Vec<u8>>,
    /// The nonce sent in the OCSP request, if one was sent.
    pub ocsp_nonce: Option<Vec<u8>>,
}

/// A certificate accepted for a purpose by [`Verifier::verify_certificate`].
#[derive(Debug, Clone)]
pub struct VerifiedCertificate {
    /// The root it chains to.
    pub root: JpkiCertificate,
    /// The time it was judged at.
    pub evaluated_at: SystemTime,
    /// How revocation was established.
    pub revocation: RevocationStatus,
}

impl Verifier {
    /// A strict verifier trusting `trust`, with no CRL yet, the default skew, and revocation
    /// required.
    pub fn new(trust: TrustStore) -> Self {
        Self {
            trust,
            crls: Vec::new(),
            max_skew: DEFAULT_MAX_SKEW,
            require_revocation: true,
        }
    }

    /// The largest allowed difference between the signing time and the receipt time (and
    /// between the signing time and the document's timestamp).
    pub fn with_max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// Opts out of requiring revocation: a result may then say
    /// [`RevocationStatus::NotChecked`]. For an app checking its own signature before
    /// sending it; a receiving service should not.
    pub fn allow_unchecked_revocation(mut self) -> Self {
        self.require_revocation = false;
        self
    }

    /// Adds a CRL (DER): parsed and its signature checked now, against the trust store's
    /// roots; refused if it is malformed, not signed by a trusted root
    /// ([`VerifyError::BadCrl`]) or of an unsupported kind ([`VerifyError::UnsupportedCrl`]).
    pub fn add_crl(&mut self, crl_der: &[u8]) -> Result<(), VerifyError> {
        let crl = revocation::prepare(crl_der, &self.trust)?;
        self.crls.push(crl);
        Ok(())
    }

    /// [`add_crl`](Self::add_crl), by value.
    pub fn with_crl(mut self, crl_der: &[u8]) -> Result<Self, VerifyError> {
        self.add_crl(crl_der)?;
        Ok(self)
    }

    /// The trust store.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The skew allowed.
    pub fn max_skew(&self) -> Duration {
        self.max_skew
    }

    /// The DER OCSP request for `cert` (issued by a root of this verifier's store), with
    /// `nonce` when given.
    pub fn ocsp_request(
        &self,
        cert: &JpkiCertificate,
        nonce: Option<&[u8]>,
    ) -> Result<Vec<u8>, VerifyError> {
        let root = self
            .trust
            .issuer_of(cert)
            .ok_or(VerifyError::UntrustedChain)?;
        ocsp::ocsp_request(cert, root, nonce)
    }

    /// Verifies a DER CMS `SignedData` with one signer, as the module docs describe.
    pub fn verify_signed_data(
        &self,
        cms_der: &[u8],
        check: &ConsentCheck,
    ) -> Result<VerifiedSignature, VerifyError> {
        if cms_der.len() > MAX_CMS_SIZE {
            return Err(VerifyError::TooLarge {
                size: cms_der.len(),
                max: MAX_CMS_SIZE,
            });
        }
        // Taken apart by its bytes; only what is read below is decoded.
        let received = raw::signed_data(cms_der)?;
        let version = CmsVersion::from_der(received.version).map_err(malformed)?;
        if !matches!(version, CmsVersion::V1 | CmsVersion::V3) {
            return Err(VerifyError::Malformed("SignedData version".into()));
        }
        let digests =
            DigestAlgorithmIdentifiers::from_der(received.digest_algorithms).map_err(malformed)?;
        let encap =
            EncapsulatedContentInfo::from_der(received.encap_content_info).map_err(malformed)?;
        let si_der = match received.signer_infos.as_slice() {
            [one] => *one,
            _ => return Err(VerifyError::Malformed("expected exactly one signer".into())),
        };
        // The SignerInfo by its bytes: only the algorithms and the version are decoded; the
        // signer identifier is matched as received, the attributes looked up as received.
        let si = raw::signer_info(si_der)?;
        let si_version = CmsVersion::from_der(si.version).map_err(malformed)?;
        let digest_alg =
            AlgorithmIdentifierOwned::from_der(si.digest_algorithm).map_err(malformed)?;
        let signature_alg =
            AlgorithmIdentifierOwned::from_der(si.signature_algorithm).map_err(malformed)?;
        let signed_attributes = si
            .signed_attributes
            .as_ref()
            .ok_or_else(|| VerifyError::Malformed("no signed attributes".into()))?;
        let attrs = &signed_attributes.attributes[..];
        let content = match &encap.econtent {
            Some(any) => any
                .decode_as::<OctetString>()
                .map_err(malformed)?
                .into_bytes(),
            None => return Err(VerifyError::Malformed("detached content".into())),
        };

        // One DER form only (RFC 5652 5.1, 5.3): the SignerInfo (its lengths are checked by
        // the walk, what is decoded by the decoders, which refuse every other non-DER form:
        // what is left is the order of its SET OFs, the signed attributes included), the
        // digest algorithms and the encapsulated content re-encode to the bytes received.
        if !si.sets_in_der_order {
            return Err(VerifyError::NotDer("SignerInfo".into()));
        }
        same_der(&digests, received.digest_algorithms, "digestAlgorithms")?;
        same_der(&encap, received.encap_content_info, "encapContentInfo")?;
        if encap.econtent_type != oid::DATA {
            return Err(VerifyError::WrongContentType);
        }
        // SignerInfo version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier; the
        // SignedData's version follows (id-data, no other certificate or CRL choices: 1 or 3).
        let expected_version = match si.sid.tag {
            0x30 => CmsVersion::V1,
            _ => CmsVersion::V3,
        };
        if si_version != expected_version || version != expected_version {
            return Err(VerifyError::Malformed(
                "version does not match the signer identifier".into(),
            ));
        }

        // Every certificate parses and is DER; the signer's is found among them by its
        // identifier. Anything in `crls` parses and is DER too (never used: revocation comes
        // from the service's own CRLs).
        let mut signer = None;
        for c in &received.certificates {
            if c.tag != 0x30 {
                return Err(VerifyError::Malformed(
                    "a certificate choice other than a certificate".into(),
                ));
            }
            let x509 = x509_cert::Certificate::from_der(c.whole).map_err(malformed)?;
            same_der_len(
                &x509,
                c.whole,
                raw::certificate_sets_in_der_order(c.whole),
                "certificate",
            )?;
            if signer.is_none() && matches_sid(c.whole, &x509, si.sid)? {
                let cert = JpkiCertificate::from_decoded(c.whole, x509).map_err(malformed)?;
                signer = Some((c.whole, cert));
            }
        }
        for c in &received.crls {
            if c.tag != 0x30 {
                return Err(VerifyError::Malformed(
                    "a revocation choice other than a CRL".into(),
                ));
            }
            let crl = x509_cert::crl::CertificateList::from_der(c.whole).map_err(malformed)?;
            same_der(&crl, c.whole, "crls")?;
        }
        let (signer_der, certificate) = signer
            .ok_or_else(|| VerifyError::Malformed("signer certificate not included".into()))?;
        let signer = certificate.x509();
        // The certificate's profile first: no work is spent on a key or extension refused.
        strict::check_certificate(&certificate)?;

        // content-type and message-digest.
        let ct = attribute(attrs, oid::CONTENT_TYPE)?
            .ok_or_else(|| VerifyError::Malformed("no content-type attribute".into()))?;
        let ct: der::oid::ObjectIdentifier = ct.decode_as().map_err(malformed)?;
        if ct != encap.econtent_type {
            return Err(VerifyError::Malformed(
                "content-type attribute mismatch".into(),
            ));
        }
        let md = attribute(attrs, oid::MESSAGE_DIGEST)?
            .ok_or_else(|| VerifyError::Malformed("no message-digest attribute".into()))?;
        let md: OctetString = md.decode_as().map_err(malformed)?;
        if digest_for(&digest_alg.oid, &content)? != md.as_bytes() {
            return Err(VerifyError::DigestMismatch);
        }

        // The signature over the signed attributes exactly as received (re-tagged SET OF).
        let signed = &signed_attributes.der[..];
        let signed_attributes_sha256: [u8; 32] = sha2::Sha256::digest(signed).into();
        if !verify_signature(
            &signer.tbs_certificate.subject_public_key_info,
            &signature_alg,
            Some(&digest_alg),
            signed,
            si.signature,
        ) {
            return Err(VerifyError::SignatureMismatch);
        }

        // ESS signing-certificate-v2 binds the certificate, hashed as received.
        let ess_attr = attribute(attrs, ess::ID_AA_SIGNING_CERTIFICATE_V2)?
            .ok_or(VerifyError::CertificateNotBound)?;
        let ess_der = ess_attr.to_der().map_err(malformed)?;
        let ess = ess::SigningCertificateV2Ref::from_der(&ess_der)
            .map_err(|_| VerifyError::CertificateNotBound)?;
        same_der(&ess, &ess_der, "signingCertificateV2")?;
        let first = ess.certs.first().ok_or(VerifyError::CertificateNotBound)?;
        let hash_alg = first
            .hash_algorithm
            .as_ref()
            .map(|a| a.oid)
            .unwrap_or(oid::SHA256);
        let expected =
            digest_for(&hash_alg, signer_der).map_err(|_| VerifyError::CertificateNotBound)?;
        if first.cert_hash.as_bytes() != expected.as_slice() {
            return Err(VerifyError::CertificateNotBound);
        }
        if let Some(is) = &first.issuer_serial {
            let names_issuer = names_issuer(
                is.issuer,
                raw::certificate_issuer_and_serial(signer_der)?.0,
                &signer.tbs_certificate.issuer,
            )?;
            if !names_issuer || is.serial_number != signer.tbs_certificate.serial_number {
                return Err(VerifyError::CertificateNotBound);
            }
        }
        // The other certificates the attribute names (rare) are held to the same form: their
        // GeneralNames decode and are DER, as when the whole attribute was decoded.
        for other in ess.certs.iter().skip(1) {
            if let Some(is) = &other.issuer_serial {
                general_names_der(is.issuer)?;
            }
        }

        // Content hints (required by verify_consent, optional here).
        let content_description = match attribute(attrs, ess::ID_AA_CONTENT_HINT)? {
            None => None,
            Some(v) => {
                let hints: ess::ContentHints = v.decode_as().map_err(malformed)?;
                same_der(&hints, &v.to_der().map_err(malformed)?, "contentHints")?;
                if hints.content_type != encap.econtent_type {
                    return Err(VerifyError::WrongContentType);
                }
                hints.content_description
            }
        };

        // Time: the receipt time is the evaluation time; the signer's claim must agree.
        let st = attribute(attrs, oid::SIGNING_TIME)?
            .ok_or_else(|| VerifyError::Malformed("no signing-time attribute".into()))?;
        let st = Time::from_der(&st.to_der().map_err(malformed)?).map_err(malformed)?;
        // RFC 5652 11.3: UTCTime for 1950 to 2049, GeneralizedTime only outside.
        if let Time::GeneralTime(g) = st {
            if (1950..2050).contains(&g.to_date_time().year()) {
                return Err(VerifyError::NotDer(
                    "signing time in GeneralizedTime for a year UTCTime covers".into(),
                ));
            }
        }
        let signing_time = st.to_system_time();
        let at = check.received_at.unwrap_or_else(SystemTime::now);
        if !close(signing_time, at, self.max_skew) {
            return Err(VerifyError::SigningTimeSkew);
        }

        // The chain (to a signature-family root), validity, purpose and revocation.
        let chain = self.check_chain(
            &certificate,
            CertificatePurpose::Signature,
            at,
            check.ocsp_response.as_deref(),
            check.ocsp_nonce.as_deref(),
        )?;
        let (root, revocation) = (chain.root, chain.revocation);
        Ok(VerifiedSignature {
            content,
            certificate,
            root,
            signing_time,
            evaluated_at: at,
            revocation,
            content_description,
            signed_attributes_sha256,
        })
    }

    /// Accepts `cert` for `purpose` at the time of `check`: its profile
    /// ([`strict`](super) key and extensions; [`CertificatePurpose::check`]: keyUsage, policy
    /// allow-list, extendedKeyUsage), the chain to a trusted root **of the purpose's family**
    /// ([`VerifyError::WrongRootFamily`] otherwise; a genuine certificate of the other family
    /// is [`VerifyError::AuthenticationCertificateForSignature`] or
    /// [`VerifyError::SignatureCertificateForLogin`]), the validity of both at that time, and
    /// revocation (the verifier's CRLs, or the OCSP response of `check`), required unless
    /// the verifier allows it unchecked. The consent verification uses it for the signer
    /// certificate (with [`CertificatePurpose::Signature`]); a login uses it for an
    /// authentication certificate.
    pub fn verify_certificate(
        &self,
        cert: &JpkiCertificate,
        purpose: CertificatePurpose,
        check: &CertificateCheck,
    ) -> Result<VerifiedCertificate, VerifyError> {
        strict::check_certificate(cert)?;
        let at = check.at.unwrap_or_else(SystemTime::now);
        self.check_chain(
            cert,
            purpose,
            at,
            check.ocsp_response.as_deref(),
            check.ocsp_nonce.as_deref(),
        )
    }

    fn check_chain(
        &self,
        certificate: &JpkiCertificate,
        purpose: CertificatePurpose,
        at: SystemTime,
        ocsp_response: Option<&[u8]>,
        ocsp_nonce: Option<&[u8]>,
    ) -> Result<VerifiedCertificate, VerifyError> {
        let root_index = self
            .trust
            .issuer_index_of(certificate)
            .ok_or(VerifyError::UntrustedChain)?;
        let family = self.trust.families()[root_index];
        if family != purpose {
            // A genuine certificate of the other family (its own kind, under its own root)
            // used for the wrong purpose says so; any other mix is a wrong family.
            return Err(match (purpose, family, certificate.kind()) {
                (
                    CertificatePurpose::Signature,
                    CertificatePurpose::Authentication,
                    CertificateKind::Authentication,
                ) => VerifyError::AuthenticationCertificateForSignature,
                (
                    CertificatePurpose::Authentication,
                    CertificatePurpose::Signature,
                    CertificateKind::Signature,
                ) => VerifyError::SignatureCertificateForLogin,
                _ => VerifyError::WrongRootFamily,
            });
        }
        let root = &self.trust.roots()[root_index];
        strict::check_certificate(root)?;
        let v = &certificate.x509().tbs_certificate.validity;
        let rv = &root.x509().tbs_certificate.validity;
        if !within(at, &v.not_before, &v.not_after) || !within(at, &rv.not_before, &rv.not_after) {
            return Err(VerifyError::NotValidAtTime);
        }
        purpose.check(certificate)?;

        // Revocation at the time. A CRL listing the certificate refuses it whatever an OCSP
        // response says; a good, fresh OCSP response establishes it even when the service's
        // CRL is stale or absent; without one, a CRL must be current.
        let serial = certificate.serial_bytes();
        let by_crl = revocation::check(&self.crls, root_index, serial, at);
        let revocation = match (ocsp_response, by_crl) {
            (_, Err(VerifyError::Revoked)) => return Err(VerifyError::Revoked),
            (Some(response), _) => ocsp::check(
                response,
                certificate,
                &ocsp::Context {
                    root,
                    root_index,
                    crls: &self.crls,
                    at,
                    skew: self.max_skew,
                    nonce: ocsp_nonce,
                },
            )?,
            (None, by_crl) => by_crl?.unwrap_or(RevocationStatus::NotChecked),
        };
        if self.require_revocation && revocation == RevocationStatus::NotChecked {
            return Err(VerifyError::RevocationNotChecked);
        }
        Ok(VerifiedCertificate {
            root: root.clone(),
            evaluated_at: at,
            revocation,
        })
    }
}
