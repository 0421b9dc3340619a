use zeroize::Zeroizing;

/// Everything an emulated card holds, as bytes and keys. Built from a persona; the card
/// itself ([`super::EmulatedCard`]) serves it over APDUs.
#[derive(Clone)]
pub struct CardImage {
    /// The JPKI token label (EF `0006`), e.g. `JPKIAPICCTOKEN2`; padded with spaces to 32
    /// bytes when served.
    pub token_label: String,
    /// EF `0001`: the signature certificate (DER), or `None` for a card without one.
    pub signature_certificate: Option<Vec<u8>>,
    /// EF `0002`: the CA certificate that issued the signature certificate (DER).
    pub signature_ca_certificate: Vec<u8>,
    /// EF `000A`: the user-authentication certificate (DER).
    pub authentication_certificate: Vec<u8>,
    /// EF `000B`: the CA certificate that issued the authentication certificate (DER).
    pub authentication_ca_certificate: Vec<u8>,
    /// EF `001A`: the signature private key.
    pub signature_key: rsa::RsaPrivateKey,
    /// EF `0017`: the user-authentication private key.
    pub authentication_key: rsa::RsaPrivateKey,
    /// EF `001B`: the signature password (ASCII, uppercase).
    pub signature_password: Zeroizing<Vec<u8>>,
    /// EF `0018`: the user-authentication PIN (4 ASCII digits).
    pub authentication_pin: Zeroizing<Vec<u8>>,
    /// Whether reading EF `000A` needs the authentication PIN (true on the smartphone
    /// profiles).
    pub authentication_certificate_needs_pin: bool,
    /// The card-info input support application, absent on smartphone profiles.
    pub card_info: Option<CardInfoImage>,
}

impl core::fmt::Debug for CardImage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CardImage")
            .field("token_label", &self.token_label)
            .field(
                "has_signature_certificate",
                &self.signature_certificate.is_some(),
            )
            .finish_non_exhaustive()
    }
}

/// The card-info input support application's contents.
#[derive(Clone)]
pub struct CardInfoImage {
    /// EF `0001`: the My Number, 12 ASCII digits (served as `FF 10 0C` + digits + `FF FF`).
    pub my_number: Zeroizing<String>,
    /// EF `0002`: the basic four attributes record, encoded as the card holds it.
    pub attributes_record: Vec<u8>,
    /// EF `0011`: the 4-digit PIN.
    pub pin: Zeroizing<Vec<u8>>,
    /// Key reference `0015`: 照合番号B, 14 ASCII digits printed on the card (the date of birth
    /// as an era year `YYMMDD`, the card's expiry year, its 4-digit security code). Key
    /// reference `0014`, 照合番号A, is the My Number itself.
    pub collation_b: Zeroizing<Vec<u8>>,
    /// The application's own key (EF `0007`, the presence answer), generated on first use.
    pub key: super::CardInfoKey,
    /// What EF `0003` and `0004` say: as issued, or one of the refusals to test.
    pub integrity: super::CardInfoIntegrity,
}
