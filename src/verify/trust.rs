use std::sync::Arc;

use crate::cert::JpkiCertificate;
use crate::error::Result;

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
/// Issuers are found by name and then decided by signature: the three generations of each
/// J-LIS root share one name.
#[derive(Clone)]
pub struct TrustStore {
    roots: Arc<Vec<JpkiCertificate>>,
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

fn parse_all(ders: &[&[u8]]) -> Vec<JpkiCertificate> {
    // Compiled-in roots are tested to parse; a failure would drop the root, not panic.
    ders.iter()
        .filter_map(|d| JpkiCertificate::from_der(d).ok())
        .collect()
}

impl TrustStore {
    /// The J-LIS production roots.
    pub fn production() -> Self {
        Self {
            roots: Arc::new(parse_all(&PRODUCTION)),
            level: TrustLevel::Production,
        }
    }

    /// The `JPKI-TEST` roots: only when the caller explicitly works with test cards.
    pub fn jpki_test() -> Self {
        Self {
            roots: Arc::new(parse_all(&TEST)),
            level: TrustLevel::Test,
        }
    }

    /// The emulator's roots: only when the caller explicitly works with the emulator.
    #[cfg(feature = "emulator")]
    pub fn emulator() -> Self {
        let ca = crate::emulator::EmulatorCa::shared();
        Self {
            roots: Arc::new(parse_all(&[
                ca.signature_ca_der(),
                ca.authentication_ca_der(),
            ])),
            level: TrustLevel::Emulator,
        }
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

    /// A store of the caller's own roots (DER).
    pub fn custom(roots: Vec<Vec<u8>>) -> Result<Self> {
        let roots = roots
            .iter()
            .map(|d| JpkiCertificate::from_der(d))
            .collect::<core::result::Result<Vec<_>, _>>()?;
        Ok(Self {
            roots: Arc::new(roots),
            level: TrustLevel::Custom,
        })
    }

    fn empty(level: TrustLevel) -> Self {
        Self {
            roots: Arc::new(Vec::new()),
            level,
        }
    }

    /// Which hierarchy this is.
    pub fn level(&self) -> TrustLevel {
        self.level
    }

    /// The roots.
    pub fn roots(&self) -> &[JpkiCertificate] {
        &self.roots
    }

    /// The root that issued `cert`: same name as its issuer, and its signature verifies.
    pub fn issuer_of(&self, cert: &JpkiCertificate) -> Option<&JpkiCertificate> {
        let issuer = &cert.x509().tbs_certificate.issuer;
        self.roots
            .iter()
            .filter(|r| &r.x509().tbs_certificate.subject == issuer)
            .find(|r| cert.verify_issued_by(r).is_ok())
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
