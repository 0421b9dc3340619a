//! JPKI certificates: a typed view over `x509-cert`.

/// A certificate that could not be parsed or does not follow the JPKI profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// Not DER or not an X.509 certificate.
    #[error("not a valid X.509 certificate: {0}")]
    Malformed(String),
}
