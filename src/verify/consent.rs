use crate::attributes::BasicFourAttributes;
use crate::cert::{CertificateKind, JpkiCertificate};
use crate::consent::{check_channel_rule, CertificateSource, ConsentError, Document};

use super::{verify_signed_data, VerifiedSignature, VerifyError, VerifyOptions};

/// A consent whose signature, certificate and rules all verified.
#[derive(Debug, Clone)]
pub struct VerifiedConsent {
    /// The document, decoded.
    pub document: Document,
    /// The signature details (content, certificate, root, signing time).
    pub signature: VerifiedSignature,
    /// Card or smartphone certificate.
    pub source: CertificateSource,
}

impl VerifiedConsent {
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

/// Card or smartphone, from the certificate's policy. The smartphone signature certificate
/// (移動端末設備用署名用電子証明書) is told by its policy OID; the production OID is not
/// publicly documented, so only the emulator's is known here and any other JPKI signature
/// policy is taken for a card's.
pub fn certificate_source(cert: &JpkiCertificate) -> CertificateSource {
    let smartphone = crate::cert::oid::SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER.to_string();
    if cert.policies().contains(&smartphone) {
        CertificateSource::Smartphone
    } else {
        CertificateSource::Card
    }
}

/// Verifies a signed consent: the CMS and the certificate as [`verify_signed_data`] does,
/// then that the signer holds a signature certificate, decodes the document, and checks its
/// channel rule (and, for the Mynaportal linkage, that the submitted attributes are the
/// certificate's).
pub fn verify_consent(
    cms_der: &[u8],
    options: &VerifyOptions,
) -> Result<VerifiedConsent, VerifyError> {
    let signature = verify_signed_data(cms_der, options)?;
    if signature.certificate.kind() != CertificateKind::Signature {
        return Err(VerifyError::WrongKeyUsage);
    }
    let document = Document::decode(&signature.content).map_err(|e| match e {
        ConsentError::UnknownVersion { .. } => VerifyError::UnknownDocumentVersion,
        other => VerifyError::InvalidDocument(other.to_string()),
    })?;
    let source = certificate_source(&signature.certificate);
    check_channel_rule(&document, source).map_err(|e| VerifyError::ChannelRule(e.to_string()))?;
    if let Document::MynaportalLinkageSubmission(linkage) = &document {
        let attrs = signature
            .certificate
            .signature_attributes()
            .ok_or(VerifyError::WrongKeyUsage)?;
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
