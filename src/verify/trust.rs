use std::collections::HashMap;
use std::sync::Arc;

use crate::cert::{CertError, JpkiCertificate};

use super::purpose::CertificatePurpose;

/// The J-LIS production roots, compiled in: three generations each for signature and for
/// user authentication.
const PRODUCTION: [&[u8]; 6] = [
    include_bytes!("roots/production/signca01.cer"),
    include_bytes!("roots/production/signca02.cer"),
    include_bytes!("roots/production/signca03.cer"),
    include_bytes!("roots/production/authca01.cer"),
    include_bytes!("roots/production/authca02.cer"),
    include_bytes!("roots/production/authca03.cer"),
];

/// The `O=JPKI-TEST` roots read from J-LIS test cards.
const TEST: [&[u8]; 4] = [
    include_bytes!("roots/test/signca-test-2019.cer"),
    include_bytes!("roots/test/signca-test-2024.cer"),
    include_bytes!("roots/test/authca-test-2019.cer"),
    include_bytes!("roots/test/authca-test-2023.cer"),
];

/// Which hierarchy a verifier trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrustLevel {
    /// The J-LIS production roots only (the default).
    Production,
    /// The `JPKI-TEST` roots (test cards) only.
    Test,
    /// The emulator's roots only.
    Emulator,
    /// Roots the caller supplied ([`TrustStore::custom`]).
    Custom,
}

/// The roots a chain must end at. A certificate read from the same card is never a root.
///
/// The roots are parsed once, when the store is made, and indexed by subject key identifier:
/// a certificate whose authorityKeyIdentifier names a root's key costs one signature check.
/// Without a matching key identifier, issuers are found by name and then decided by
/// signature (the three generations of each J-LIS root share one name).
///
/// Each root carries its **family** ([`CertificatePurpose`]): a signature certificate must
/// chain to a signature-family root and an authentication certificate to an
/// authentication-family one. The production, test and emulator roots know theirs;
/// [`custom`](Self::custom) reads it from the root's name and
/// [`custom_with_families`](Self::custom_with_families) takes it from the caller.
#[derive(Clone)]
pub struct TrustStore {
    roots: Arc<Vec<JpkiCertificate>>,
    families: Arc<Vec<CertificatePurpose>>,
    by_key_id: Arc<HashMap<Vec<u8>, Vec<usize>>>,
    level: TrustLevel,
}

impl core::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrustStore")
            .field("level", &self.level)
            .field("roots", &self.roots.len())
            .finish()
    }
}

impl Default for TrustStore {
    fn default() -> Self {
        Self::production()
    }
}

fn index(roots: &[JpkiCertificate]) -> HashMap<Vec<u8>, Vec<usize>> {
    let mut by_key_id: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
    for (i, r) in roots.iter().enumerate() {
        if let Some(ski) = r.subject_key_identifier() {
            by_key_id.entry(ski.to_vec()).or_default().push(i);
        }
    }
    by_key_id
}

fn parse_all(ders: &[(&[u8], CertificatePurpose)]) -> Vec<(JpkiCertificate, CertificatePurpose)> {
    // Compiled-in roots are tested to parse; a failure would drop the root, not panic.
    ders.iter()
        .filter_map(|(d, family)| JpkiCertificate::from_der(d).ok().map(|c| (c, *family)))
        .collect()
}

impl TrustStore {
    /// The J-LIS production roots.
    pub fn production() -> Self {
        let families = [
            CertificatePurpose::Signature,
            CertificatePurpose::Signature,
            CertificatePurpose::Signature,
            CertificatePurpose::Authentication,
            CertificatePurpose::Authentication,
            CertificatePurpose::Authentication,
        ];
        let ders: Vec<_> = PRODUCTION.iter().copied().zip(families).collect();
        Self::of(parse_all(&ders), TrustLevel::Production)
    }

    /// The `JPKI-TEST` roots: only when the caller explicitly works with test cards.
    pub fn jpki_test() -> Self {
        let families = [
            CertificatePurpose::Signature,
            CertificatePurpose::Signature,
            CertificatePurpose::Authentication,
            CertificatePurpose::Authentication,
        ];
        let ders: Vec<_> = TEST.iter().copied().zip(families).collect();
        Self::of(parse_all(&ders), TrustLevel::Test)
    }

    /// The emulator's roots: only when the caller explicitly works with the emulator.
    #[cfg(feature = "emulator")]
    pub fn emulator() -> Self {
        let ca = crate::emulator::EmulatorCa::shared();
        Self::of(
            parse_all(&[
                (ca.signature_ca_der(), CertificatePurpose::Signature),
                (
                    ca.authentication_ca_der(),
                    CertificatePurpose::Authentication,
                ),
            ]),
            TrustLevel::Emulator,
        )
    }

    /// The store for `level`.
    pub fn for_level(level: TrustLevel) -> Self {
        match level {
            TrustLevel::Production => Self::production(),
            TrustLevel::Test => Self::jpki_test(),
            #[cfg(feature = "emulator")]
            TrustLevel::Emulator => Self::emulator(),
            // Without the emulator there is nothing to trust at that level; a custom store
            // starts empty.
            #[cfg(not(feature = "emulator"))]
            TrustLevel::Emulator => Self::empty(TrustLevel::Emulator),
            TrustLevel::Custom => Self::empty(TrustLevel::Custom),
        }
    }

    /// A store of the caller's own roots (DER). Each must be a CA certificate
    /// (basicConstraints cA): an end-entity certificate is refused
    /// ([`CertError::NotCaCertificate`]), so that a certificate read from a card can never
    /// be made a root by mistake. Each root's family is read from its name, as the J-LIS
    /// roots are named (an OU ending `for digital signature` or `for user authentication`);
    /// a root whose name says neither is refused ([`CertError::UnknownRootFamily`]): give its
    /// family with [`custom_with_families`](Self::custom_with_families).
    pub fn custom(roots: Vec<Vec<u8>>) -> Result<Self, CertError> {
        let parsed = roots
            .iter()
            .map(|d| JpkiCertificate::from_der(d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut with_families = Vec::with_capacity(parsed.len());
        for root in parsed {
            let family =
                CertificatePurpose::of_root_name(&root).ok_or(CertError::UnknownRootFamily)?;
            with_families.push((root, family));
        }
        Self::checked(with_families)
    }

    /// A store of the caller's own roots (DER), each with the family of certificates it
    /// issues (signature or authentication), for roots whose names do not say it. Each must
    /// be a CA certificate ([`CertError::NotCaCertificate`]).
    pub fn custom_with_families(
        roots: Vec<(Vec<u8>, CertificatePurpose)>,
    ) -> Result<Self, CertError> {
        let parsed = roots
            .iter()
            .map(|(d, family)| JpkiCertificate::from_der(d).map(|c| (c, *family)))
            .collect::<Result<Vec<_>, _>>()?;
        Self::checked(parsed)
    }

    fn checked(roots: Vec<(JpkiCertificate, CertificatePurpose)>) -> Result<Self, CertError> {
        if roots.iter().any(|(r, _)| !r.is_ca()) {
            return Err(CertError::NotCaCertificate);
        }
        Ok(Self::of(roots, TrustLevel::Custom))
    }

    fn of(roots: Vec<(JpkiCertificate, CertificatePurpose)>, level: TrustLevel) -> Self {
        let (roots, families): (Vec<_>, Vec<_>) = roots.into_iter().unzip();
        Self {
            by_key_id: Arc::new(index(&roots)),
            roots: Arc::new(roots),
            families: Arc::new(families),
            level,
        }
    }

    fn empty(level: TrustLevel) -> Self {
        Self::of(Vec::new(), level)
    }

    /// Which hierarchy this is.
    pub fn level(&self) -> TrustLevel {
        self.level
    }

    /// The roots.
    pub fn roots(&self) -> &[JpkiCertificate] {
        &self.roots
    }

    /// The family of each root (same order as [`roots`](Self::roots)): which certificates
    /// it may issue.
    pub fn families(&self) -> &[CertificatePurpose] {
        &self.families
    }

    /// The root that issued `cert`: same name as its issuer, and its signature verifies.
    pub fn issuer_of(&self, cert: &JpkiCertificate) -> Option<&JpkiCertificate> {
        self.issuer_index_of(cert).and_then(|i| self.roots.get(i))
    }

    /// The roots named `name` (DER-equal), in order.
    pub(crate) fn named<'a>(
        &'a self,
        name: &'a x509_cert::name::Name,
    ) -> impl Iterator<Item = (usize, &'a JpkiCertificate)> + 'a {
        self.roots
            .iter()
            .enumerate()
            .filter(move |(_, r)| &r.x509().tbs_certificate.subject == name)
    }

    /// The root with subject key identifier `key_id` and subject `name`, if any.
    pub(crate) fn by_key_id<'a>(
        &'a self,
        key_id: &[u8],
        name: &'a x509_cert::name::Name,
    ) -> impl Iterator<Item = usize> + 'a {
        self.by_key_id
            .get(key_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(move |&i| &self.roots[i].x509().tbs_certificate.subject == name)
    }

    /// The index in [`roots`](Self::roots) of the root that issued `cert`: first the roots
    /// whose subject key identifier is `cert`'s authority key identifier (one signature
    /// check), then, if none verifies, every root of the issuer's name.
    pub(crate) fn issuer_index_of(&self, cert: &JpkiCertificate) -> Option<usize> {
        let issuer = &cert.x509().tbs_certificate.issuer;
        let mut tried = Vec::new();
        if let Some(aki) = cert.authority_key_identifier() {
            for i in self.by_key_id(aki, issuer) {
                if cert.verify_issued_by(&self.roots[i]).is_ok() {
                    return Some(i);
                }
                tried.push(i);
            }
        }
        self.named(issuer)
            .filter(|(i, _)| !tried.contains(i))
            .find(|(_, r)| cert.verify_issued_by(r).is_ok())
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_in_roots_all_parse() {
        assert_eq!(TrustStore::production().roots().len(), PRODUCTION.len());
        assert_eq!(TrustStore::jpki_test().roots().len(), TEST.len());
        assert_eq!(TrustStore::default().level(), TrustLevel::Production);
        assert_eq!(
            TrustStore::custom(vec![PRODUCTION[0].to_vec()])
                .unwrap()
                .level(),
            TrustLevel::Custom
        );
    }

    #[test]
    fn generations_share_a_name_and_are_told_apart_by_signature() {
        let store = TrustStore::production();
        // Each root is its own issuer: found by name among three same-named generations, and
        // decided by signature.
        for root in store.roots() {
            let found = store.issuer_of(root).expect("a root issues itself");
            assert_eq!(found.der(), root.der());
        }
        let signature_roots: Vec<_> = store
            .roots()
            .iter()
            .filter(|r| r.subject() == store.roots()[0].subject())
            .collect();
        assert_eq!(signature_roots.len(), 3);
    }

    #[test]
    fn production_roots_do_not_trust_the_test_hierarchy() {
        let store = TrustStore::production();
        for test_root in TrustStore::jpki_test().roots() {
            assert!(store.issuer_of(test_root).is_none());
        }
    }
}
