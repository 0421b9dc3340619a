//! What a certificate may be used for: a signature certificate signs documents, an
//! authentication certificate authenticates its holder. [`CertificatePurpose::check`] checks
//! a certificate's own profile for a purpose; [`super::Verifier::verify_certificate`] adds the
//! chain (to a root of the same family), validity and revocation.

use const_oid::db::rfc5280;
use const_oid::ObjectIdentifier;

use crate::cert::oid::{
    AUTHENTICATION_POLICY, CARD_SIGNATURE_POLICY, SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER,
    TEST_AUTHENTICATION_POLICY, TEST_CARD_SIGNATURE_POLICY,
};
use crate::cert::{CertificateKind, JpkiCertificate};

use super::VerifyError;

/// The certificate policies of signature certificates (an allow-list, not a prefix):
/// production `1.2.392.200149.8.5.1.1.20`, JPKI-TEST `1.2.392.200149.8.5.1.0.20`
/// (PROTOCOL.md section 8), and the smartphone placeholder the emulator issues
/// ([`SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER`]; the production smartphone policy is not
/// public, section 9).
pub const SIGNATURE_POLICIES: [ObjectIdentifier; 3] = [
    CARD_SIGNATURE_POLICY,
    TEST_CARD_SIGNATURE_POLICY,
    SMARTPHONE_SIGNATURE_POLICY_PLACEHOLDER,
];

/// The certificate policies of user-authentication certificates: production
/// `1.2.392.200149.8.5.1.3.30` and JPKI-TEST `1.2.392.200149.8.5.1.0.30`.
pub const AUTHENTICATION_POLICIES: [ObjectIdentifier; 2] =
    [AUTHENTICATION_POLICY, TEST_AUTHENTICATION_POLICY];

/// `anyExtendedKeyUsage` (RFC 5280 4.2.1.12).
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// `id-kp-documentSigning` (RFC 9336).
const DOCUMENT_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.36");
/// Microsoft's document signing EKU (`szOID_KP_DOCUMENT_SIGNING`).
const MS_DOCUMENT_SIGNING: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.12");
/// Adobe's Authentic Documents Trust EKU.
const ADOBE_AUTHENTIC_DOCUMENTS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.5");

/// The extended key usages that allow signing documents (any one suffices): any purpose,
/// document signing (RFC 9336, Microsoft's, Adobe's) and e-mail protection (S/MIME signing,
/// RFC 5280 4.2.1.12). A JPKI signature certificate has no extendedKeyUsage at all
/// (PROTOCOL.md section 8); one that has, say, serverAuth or OCSPSigning only was made for
/// something else.
const DOCUMENT_SIGNING_EKUS: [ObjectIdentifier; 5] = [
    ANY_EXTENDED_KEY_USAGE,
    DOCUMENT_SIGNING,
    MS_DOCUMENT_SIGNING,
    ADOBE_AUTHENTIC_DOCUMENTS,
    rfc5280::ID_KP_EMAIL_PROTECTION,
];

/// The extended key usages that allow authenticating the holder: any purpose, clientAuth
/// (which JPKI authentication certificates carry, PROTOCOL.md section 8).
const AUTHENTICATION_EKUS: [ObjectIdentifier; 2] =
    [ANY_EXTENDED_KEY_USAGE, rfc5280::ID_KP_CLIENT_AUTH];

/// What a certificate is used for, and the family of root that may issue it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificatePurpose {
    /// Signing documents (署名用電子証明書; consents): keyUsage nonRepudiation, a signature
    /// policy ([`SIGNATURE_POLICIES`]), an extendedKeyUsage (if any) that allows signing
    /// documents, issued by a signature-family root.
    Signature,
    /// Authenticating the holder (利用者証明用電子証明書; login): keyUsage
    /// digitalSignature, an authentication policy ([`AUTHENTICATION_POLICIES`]), an
    /// extendedKeyUsage (if any) with clientAuth, issued by an authentication-family root.
    Authentication,
}

impl CertificatePurpose {
    /// The family a root's name gives: an OU ending `for digital signature` or `for user
    /// authentication`, as the J-LIS roots (and the emulator's) are named; `None` otherwise.
    pub fn of_root_name(root: &JpkiCertificate) -> Option<Self> {
        match root.kind() {
            CertificateKind::SignatureCa => Some(Self::Signature),
            CertificateKind::AuthenticationCa => Some(Self::Authentication),
            _ => None,
        }
    }

    /// The certificate policies allowed for this purpose (one must be present).
    pub fn policies(self) -> &'static [ObjectIdentifier] {
        match self {
            Self::Signature => &SIGNATURE_POLICIES,
            Self::Authentication => &AUTHENTICATION_POLICIES,
        }
    }

    /// Checks `cert`'s own profile for this purpose: keyUsage ([`VerifyError::WrongKeyUsage`]),
    /// policy ([`VerifyError::WrongPolicy`]), extendedKeyUsage
    /// ([`VerifyError::WrongExtendedKeyUsage`]). Not the chain: see
    /// [`super::Verifier::verify_certificate`].
    pub fn check(self, cert: &JpkiCertificate) -> Result<(), VerifyError> {
        let ku = cert.key_usage().ok_or(VerifyError::WrongKeyUsage)?;
        let usable = match self {
            Self::Signature => ku.non_repudiation,
            Self::Authentication => ku.digital_signature,
        };
        if !usable {
            return Err(VerifyError::WrongKeyUsage);
        }
        let allowed = self.policies();
        if !cert.policy_oids().iter().any(|p| allowed.contains(p)) {
            return Err(VerifyError::WrongPolicy);
        }
        if let Some(ekus) = cert.extended_key_usage() {
            let wanted: &[ObjectIdentifier] = match self {
                Self::Signature => &DOCUMENT_SIGNING_EKUS,
                Self::Authentication => &AUTHENTICATION_EKUS,
            };
            if !ekus.iter().any(|e| wanted.contains(e)) {
                return Err(VerifyError::WrongExtendedKeyUsage);
            }
        }
        Ok(())
    }
}
