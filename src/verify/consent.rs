use crate::attributes::BasicFourAttributes;
use crate::cert::oid::{CARD_SIGNATURE_POLICIES, SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER};
use crate::cert::{CertificateKind, JpkiCertificate};
use crate::consent::{check_channel_rule, CertificateSource, ConsentError, Document, MEDIA_TYPE};

use super::verifier::close;
use super::{ConsentCheck, VerifiedSignature, Verifier, VerifyError, VerifyOptions};

/// A consent whose signature, certificate and rules all verified.
///
/// Its identity: the document (which carries the service's nonce), signed by the
/// certificate, at the signing time, as bound by the signed attributes.
/// [`consent_id`](Self::consent_id) names exactly that, for deduplication. `Debug` prints no
/// personal data (the document's own `Debug` redacts it, the signed bytes are summarised).
#[derive(Debug, Clone)]
pub struct VerifiedConsent {
    /// The document, decoded.
    pub document: Document,
    /// The signature details (content, certificate, root, signing time, revocation).
    pub signature: VerifiedSignature,
    /// Card or smartphone certificate; `None` when the certificate's policy is neither a
    /// known card policy nor the smartphone one (only rules that accept either passed).
    pub source: Option<CertificateSource>,
}

impl VerifiedConsent {
    /// A stable identifier of what was signed, for a service to deduplicate on
    /// ([`VerifiedSignature::consent_id`](super::VerifiedSignature::consent_id)): 64 lowercase
    /// hex digits, the same for every submission of the same signed consent whatever else
    /// differs in its CMS.
    pub fn consent_id(&self) -> String {
        self.signature.consent_id()
    }

    /// The signer certificate's issuance number (発行番号).
    pub fn issuance_number(&self) -> String {
        self.signature.certificate.issuance_number()
    }

    /// The signer certificate's kind (always [`CertificateKind::Signature`] here).
    pub fn certificate_kind(&self) -> CertificateKind {
        self.signature.certificate.kind()
    }

    /// The signer's basic four attributes, from the certificate.
    pub fn signer_attributes(&self) -> Option<&BasicFourAttributes> {
        self.signature
            .certificate
            .signature_attributes()
            .map(|a| &a.attributes)
    }
}

/// Card or smartphone, from the certificate's policy, failing closed: a card's only for a
/// policy in [`CARD_SIGNATURE_POLICIES`] (production, JPKI-TEST; the emulator issues card
/// certificates with the production policy), a smartphone's only for
/// [`SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER`] (the production smartphone policy is not
/// public), and otherwise **neither** (`None`), so that a card-only rule refuses it.
pub fn certificate_source(cert: &JpkiCertificate) -> Option<CertificateSource> {
    let policies = cert.policy_oids();
    let has = |oid: &der::oid::ObjectIdentifier| policies.contains(oid);
    let card = CARD_SIGNATURE_POLICIES.iter().any(has);
    let smartphone = has(&SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER);
    match (card, smartphone) {
        (true, false) => Some(CertificateSource::Card),
        (false, true) => Some(CertificateSource::Smartphone),
        _ => None,
    }
}

impl Verifier {
    /// Verifies a signed consent: the CMS and the certificate as
    /// [`verify_signed_data`](Self::verify_signed_data) does, then that it is bound to the
    /// consent content type (signed content hints), that the signer holds a signature
    /// certificate with the basic four attributes, decodes the document, checks that its
    /// timestamp agrees with the signing time, its nonce and channel are the ones of
    /// `check`, its channel rule (and, for the Mynaportal linkage, that the submitted
    /// attributes are the certificate's).
    pub fn verify_consent(
        &self,
        cms_der: &[u8],
        check: &ConsentCheck,
    ) -> Result<VerifiedConsent, VerifyError> {
        let signature = self.verify_signed_data(cms_der, check)?;
        if signature.content_description.as_deref() != Some(MEDIA_TYPE) {
            return Err(VerifyError::WrongContentType);
        }
        if signature.certificate.kind() != CertificateKind::Signature {
            return Err(VerifyError::WrongKeyUsage);
        }
        let attrs = signature
            .certificate
            .signature_attributes()
            .ok_or(VerifyError::MissingSignatureAttributes)?;
        let document = Document::decode(&signature.content).map_err(|e| match e {
            ConsentError::UnknownVersion { .. } => VerifyError::UnknownDocumentVersion,
            other => VerifyError::InvalidDocument(other.to_string()),
        })?;
        let stamped = u64::try_from(document.timestamp().unix_seconds())
            .map(|s| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s))
            .map_err(|_| VerifyError::TimestampMismatch)?;
        if !close(stamped, signature.signing_time, self.max_skew()) {
            return Err(VerifyError::TimestampMismatch);
        }
        if let Some(nonce) = &check.nonce {
            if document.nonce().as_str() != nonce {
                return Err(VerifyError::NonceMismatch);
            }
        }
        if let Some(channel) = check.channel {
            if document.channel() != channel {
                return Err(VerifyError::ChannelMismatch);
            }
        }
        let source = certificate_source(&signature.certificate);
        // Neither card nor smartphone: only a rule that accepts both passes.
        let sources = match source {
            Some(s) => vec![s],
            None => vec![CertificateSource::Card, CertificateSource::Smartphone],
        };
        for s in sources {
            check_channel_rule(&document, s)
                .map_err(|e| VerifyError::ChannelRule(e.to_string()))?;
        }
        if let Document::MynaportalLinkageSubmission(linkage) = &document {
            linkage
                .check_certificate_attributes(&attrs.attributes)
                .map_err(|e| VerifyError::AttributesMismatch(e.to_string()))?;
        }
        Ok(VerifiedConsent {
            document,
            signature,
            source,
        })
    }
}

/// Verifies a signed consent with a [`Verifier`] built from `options` for this one call (a
/// service verifying many consents builds its `Verifier` once instead).
pub fn verify_consent(
    cms_der: &[u8],
    options: &VerifyOptions,
) -> Result<VerifiedConsent, VerifyError> {
    let (verifier, check) = options.split()?;
    verifier.verify_consent(cms_der, &check)
}
