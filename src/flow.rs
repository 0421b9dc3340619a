//! The end-to-end flows an app calls: sign a consent document on a card (one call: open, PIN
//! status, verify, read the signature certificate, sign) or with a signer the app provides.

use std::sync::Arc;
use std::time::SystemTime;

use crate::card::{ExchangeStats, SessionOptions};
use crate::cert::{CertificateKind, JpkiCertificate};
use crate::cms::{self, CardContentSigner, ContentSigner, SignOptions};
use crate::consent::{check_channel_rule, CertificateSource, Document};
use crate::error::{Error, Result};
use crate::jpki::{CertificateSlot, JpkiSession, LastAttempt, Profile};
use crate::pin::{Pin, PinKind, PinStatus};
use crate::transport::CardTransport;

/// Options of [`sign_consent_on_card`].
#[derive(Debug, Clone)]
pub struct CardSignOptions {
    /// How to talk to the card.
    pub session: SessionOptions,
    /// Whether VERIFY may use the last remaining attempt (the app asked the holder).
    pub last_attempt: LastAttempt,
    /// Also read the issuing CA certificate from the card and include it (one more read).
    pub include_ca_certificate: bool,
    /// The signing-time attribute; default now.
    pub signing_time: Option<SystemTime>,
}

impl Default for CardSignOptions {
    fn default() -> Self {
        Self {
            session: SessionOptions::default(),
            last_attempt: LastAttempt::Refuse,
            include_ca_certificate: false,
            signing_time: None,
        }
    }
}

/// A signed consent.
#[derive(Debug, Clone)]
pub struct SignedConsent {
    /// The CMS `SignedData` (DER), CAdES-BES.
    pub cms: Vec<u8>,
    /// The signer certificate.
    pub certificate: JpkiCertificate,
    /// Card or smartphone.
    pub source: CertificateSource,
    /// The signature password's retry counter before VERIFY (`None` for a non-card signer).
    pub pin_status: Option<PinStatus>,
    /// The profile that answered (`None` for a non-card signer).
    pub profile: Option<Profile>,
    /// Exchanges with the card (zero for a non-card signer).
    pub stats: ExchangeStats,
}

/// Card or smartphone, from the profile that answered.
pub fn source_of(profile: Profile) -> CertificateSource {
    if profile.is_smartphone() {
        CertificateSource::Smartphone
    } else {
        CertificateSource::Card
    }
}

/// Checks what must hold before a document is signed with `certificate` from `source`: the
/// channel rule, the certificate is a signature certificate, and for the Mynaportal linkage
/// that the submitted attributes match the certificate's (field names only on mismatch).
pub fn check_before_signing(
    document: &Document,
    certificate: &JpkiCertificate,
    source: CertificateSource,
) -> Result<()> {
    check_channel_rule(document, source)?;
    if certificate.kind() != CertificateKind::Signature {
        return Err(Error::NotSignatureCertificate);
    }
    if let Document::MynaportalLinkageSubmission(linkage) = document {
        let attrs = certificate
            .signature_attributes()
            .ok_or(Error::NotSignatureCertificate)?;
        linkage.check_certificate_attributes(&attrs.attributes)?;
    }
    Ok(())
}

/// Signs `document` on a card or smartphone over `transport`, in one call: open (select and
/// token), PIN status, VERIFY with the safety rules, read the signature certificate, check the
/// channel rule (and for the linkage the attributes), sign. On the emulator this takes 6
/// exchanges with extended length and the shortcuts, 16 without; the result says how many.
pub fn sign_consent_on_card(
    transport: Arc<dyn CardTransport>,
    document: &Document,
    password: &Pin,
    options: &CardSignOptions,
) -> Result<SignedConsent> {
    if password.kind() != PinKind::SignaturePassword {
        return Err(Error::PinNotForApplication {
            pin: password.kind(),
        });
    }
    let mut session = JpkiSession::open_with(transport, options.session)?;
    let source = source_of(session.profile());
    // The channel rule needs only the profile: fail before the PIN is touched.
    check_channel_rule(document, source)?;
    let status: PinStatus = session.pin_status(PinKind::SignaturePassword)?;
    if status.is_blocked() {
        return Err(Error::PinBlocked {
            pin: PinKind::SignaturePassword,
        });
    }
    session.verify(password, options.last_attempt)?;
    let der = session.read_certificate_der(CertificateSlot::Signature)?;
    let certificate = JpkiCertificate::from_der(&der)?;
    check_before_signing(document, &certificate, source)?;
    let mut extra = Vec::new();
    if options.include_ca_certificate {
        extra.push(session.read_certificate_der(CertificateSlot::SignatureCa)?);
    }
    let content = document.encode();
    let sign_options = SignOptions {
        signing_time: options.signing_time.unwrap_or_else(SystemTime::now),
        extra_certificates: extra,
    };
    let cms = {
        let mut signer = CardContentSigner::new(&mut session, der);
        cms::sign(&content, &mut signer, &sign_options)?
    };
    Ok(SignedConsent {
        cms,
        certificate,
        source,
        pin_status: Some(status),
        profile: Some(session.profile()),
        stats: session.stats(),
    })
}

/// Signs `document` with a signer the app provides (for example a smartphone key in a platform
/// keystore), after the same checks as on a card.
pub fn sign_consent_with(
    signer: &mut dyn ContentSigner,
    source: CertificateSource,
    document: &Document,
    options: &SignOptions,
) -> Result<SignedConsent> {
    let certificate = JpkiCertificate::from_der(&signer.certificate_der())?;
    check_before_signing(document, &certificate, source)?;
    let cms = cms::sign(&document.encode(), signer, options)?;
    Ok(SignedConsent {
        cms,
        certificate,
        source,
        pin_status: None,
        profile: None,
        stats: ExchangeStats::default(),
    })
}
