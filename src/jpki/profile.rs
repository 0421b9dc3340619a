/// What answers as the JPKI application, told by its token label (EF `0006`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// A My Number Card (`JPKIAPICCTOKEN2`).
    MyNumberCard,
    /// The older resident registry card (`JPKIAPICCTOKEN`).
    LegacyResidentCard,
    /// An Android smartphone certificate in the secure element (`JPKIAPGPSETOKEN`): even the
    /// authentication certificate needs the authentication PIN.
    AndroidSmartphone,
    /// An iPhone smartphone certificate (`JPKIAPIOSTOKEN`).
    IPhone,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 4] = [
        Profile::MyNumberCard,
        Profile::LegacyResidentCard,
        Profile::AndroidSmartphone,
        Profile::IPhone,
    ];

    /// The token label, without padding.
    pub const fn token_label(self) -> &'static str {
        match self {
            Profile::MyNumberCard => "JPKIAPICCTOKEN2",
            Profile::LegacyResidentCard => "JPKIAPICCTOKEN",
            Profile::AndroidSmartphone => "JPKIAPGPSETOKEN",
            Profile::IPhone => "JPKIAPIOSTOKEN",
        }
    }

    /// The profile of a token label as read from EF `0006` (trailing spaces and NULs
    /// ignored); `None` for an unknown token.
    pub fn from_token(raw: &[u8]) -> Option<Self> {
        let end = raw
            .iter()
            .rposition(|&b| b != b' ' && b != 0)
            .map_or(0, |i| i + 1);
        let label = &raw[..end];
        Profile::ALL
            .into_iter()
            .find(|p| p.token_label().as_bytes() == label)
    }

    /// Whether this is a smartphone certificate rather than a card.
    pub const fn is_smartphone(self) -> bool {
        matches!(self, Profile::AndroidSmartphone | Profile::IPhone)
    }

    /// Whether reading the authentication certificate needs the authentication PIN.
    pub const fn authentication_certificate_needs_pin(self) -> bool {
        self.is_smartphone()
    }

    /// `card`, `legacy_card`, `android`, `iphone`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::MyNumberCard => "card",
            Profile::LegacyResidentCard => "legacy_card",
            Profile::AndroidSmartphone => "android",
            Profile::IPhone => "iphone",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        let mut raw = *b"JPKIAPICCTOKEN2                 ";
        assert_eq!(Profile::from_token(&raw), Some(Profile::MyNumberCard));
        raw[14] = b' ';
        assert_eq!(Profile::from_token(&raw), Some(Profile::LegacyResidentCard));
        assert_eq!(
            Profile::from_token(b"JPKIAPGPSETOKEN\0\0"),
            Some(Profile::AndroidSmartphone)
        );
        assert_eq!(
            Profile::from_token(b"JPKIAPIOSTOKEN"),
            Some(Profile::IPhone)
        );
        assert_eq!(Profile::from_token(b"JPKIAPICCTOKEN3"), None);
        assert_eq!(Profile::from_token(b"  "), None);
        assert_eq!(Profile::from_token(b""), None);
    }
}
