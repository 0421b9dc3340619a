//! The error apps see: typed per platform (a Kotlin exception, a Swift error, a Python
//! exception), each with a stable code and a message for the holder in Japanese and English.
//! No message ever contains a PIN or personal data.

use mynasign::consent::ConsentError;
use mynasign::pin::PinKind;
use mynasign::transport::TransportError;
use mynasign::verify::VerifyError;
use mynasign::Error;

use crate::records::PinType;

/// A stable code and the messages to show.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ErrorInfo {
    /// Stable, machine-readable: e.g. `WRONG_PIN`, `PIN_BLOCKED`, `TAG_LOST`.
    pub code: String,
    /// For the holder, in English.
    pub message_en: String,
    /// For the holder, in Japanese.
    pub message_ja: String,
}

fn info(code: &str, en: impl Into<String>, ja: impl Into<String>) -> ErrorInfo {
    ErrorInfo {
        code: code.to_string(),
        message_en: en.into(),
        message_ja: ja.into(),
    }
}

/// Everything that can go wrong, as apps see it. `info` carries the stable code and the
/// holder-facing messages; the other fields are for the app's logic.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum MynaError {
    /// The PIN's format is wrong; nothing was sent, no attempt used.
    #[error("{}", info.message_en)]
    InvalidPinFormat {
        /// Code and messages.
        info: ErrorInfo,
        /// Which PIN.
        pin: PinType,
    },
    /// The card rejected the PIN.
    #[error("{}", info.message_en)]
    WrongPin {
        /// Code and messages.
        info: ErrorInfo,
        /// Which PIN.
        pin: PinType,
        /// Attempts left (0: now locked).
        remaining: u8,
    },
    /// The PIN is locked.
    #[error("{}", info.message_en)]
    PinBlocked {
        /// Code and messages.
        info: ErrorInfo,
        /// Which PIN.
        pin: PinType,
    },
    /// One attempt left and the app did not allow using it: warn the holder, then retry with
    /// `allow_last_attempt`. Nothing was sent.
    #[error("{}", info.message_en)]
    LastAttemptGuard {
        /// Code and messages.
        info: ErrorInfo,
        /// Which PIN.
        pin: PinType,
    },
    /// The operation needs a PIN verified first.
    #[error("{}", info.message_en)]
    PinNotVerified {
        /// Code and messages.
        info: ErrorInfo,
        /// Which PIN.
        pin: PinType,
    },
    /// The card was moved away. When `during_verify`, the attempt may have been counted:
    /// read the PIN status again before retrying.
    #[error("{}", info.message_en)]
    TagLost {
        /// Code and messages.
        info: ErrorInfo,
        /// Whether a VERIFY was in flight.
        during_verify: bool,
    },
    /// The card did not answer in time.
    #[error("{}", info.message_en)]
    Timeout {
        /// Code and messages.
        info: ErrorInfo,
    },
    /// This is not a My Number Card.
    #[error("{}", info.message_en)]
    NotMyNumberCard {
        /// Code and messages.
        info: ErrorInfo,
    },
    /// No signature certificate on this card (for example a holder under 15).
    #[error("{}", info.message_en)]
    NoSignatureCertificate {
        /// Code and messages.
        info: ErrorInfo,
    },
    /// Cancelled from the UI.
    #[error("{}", info.message_en)]
    Cancelled {
        /// Code and messages.
        info: ErrorInfo,
    },
    /// The document may not be signed with this certificate through this channel.
    #[error("{}", info.message_en)]
    ChannelRule {
        /// Code and messages.
        info: ErrorInfo,
    },
    /// The attributes differ from the certificate's (the fields are named, never their values).
    #[error("{}", info.message_en)]
    AttributeMismatch {
        /// Code and messages.
        info: ErrorInfo,
        /// `name`, `address`, `date_of_birth`, `sex`.
        fields: Vec<String>,
    },
    /// A signature did not verify; `reason` is a stable code (`DIGEST_MISMATCH`,
    /// `UNTRUSTED_CHAIN`, `NOT_VALID_AT_TIME`, ...).
    #[error("{}", info.message_en)]
    VerificationFailed {
        /// Code and messages.
        info: ErrorInfo,
        /// The reason code.
        reason: String,
    },
    /// An argument is not acceptable (a document field, a date).
    #[error("{}", info.message_en)]
    InvalidInput {
        /// Code and messages.
        info: ErrorInfo,
        /// The field.
        field: String,
    },
    /// The card answered something unexpected, or a link failure other than the above.
    #[error("{}", info.message_en)]
    CardError {
        /// Code and messages.
        info: ErrorInfo,
        /// Technical detail (status word, what was malformed), never personal data.
        detail: String,
    },
}

fn pin_name_ja(p: PinKind) -> &'static str {
    match p {
        PinKind::SignaturePassword => "署名用パスワード",
        PinKind::AuthenticationPin => "利用者証明用暗証番号",
        PinKind::CardInfoPin => "券面事項入力補助用暗証番号",
    }
}

fn pin_name_en(p: PinKind) -> &'static str {
    match p {
        PinKind::SignaturePassword => "signature password",
        PinKind::AuthenticationPin => "user-authentication PIN",
        PinKind::CardInfoPin => "card-info PIN",
    }
}

impl MynaError {
    /// The stable code.
    pub fn code(&self) -> &str {
        &self.info().code
    }

    /// Code and messages.
    pub fn info(&self) -> &ErrorInfo {
        match self {
            MynaError::InvalidPinFormat { info, .. }
            | MynaError::WrongPin { info, .. }
            | MynaError::PinBlocked { info, .. }
            | MynaError::LastAttemptGuard { info, .. }
            | MynaError::PinNotVerified { info, .. }
            | MynaError::TagLost { info, .. }
            | MynaError::Timeout { info }
            | MynaError::NotMyNumberCard { info }
            | MynaError::NoSignatureCertificate { info }
            | MynaError::Cancelled { info }
            | MynaError::ChannelRule { info }
            | MynaError::AttributeMismatch { info, .. }
            | MynaError::VerificationFailed { info, .. }
            | MynaError::InvalidInput { info, .. }
            | MynaError::CardError { info, .. } => info,
        }
    }

    pub(crate) fn invalid_input(field: &str) -> Self {
        MynaError::InvalidInput {
            info: info(
                "INVALID_INPUT",
                format!("invalid value for {field}"),
                format!("{field} の値が正しくありません。"),
            ),
            field: field.to_string(),
        }
    }

    pub(crate) fn invalid_pin_format(pin: PinKind) -> Self {
        let (en, ja) = match pin {
            PinKind::SignaturePassword => (
                "The signature password is 6 to 16 capital letters (A-Z) and digits.",
                "署名用パスワードは英大文字（A〜Z）と数字の6〜16文字です。",
            ),
            _ => ("The PIN is 4 digits.", "暗証番号は数字4桁です。"),
        };
        MynaError::InvalidPinFormat {
            info: info("INVALID_PIN_FORMAT", en, ja),
            pin: pin.into(),
        }
    }

    fn card(code: &str, detail: String) -> Self {
        MynaError::CardError {
            info: info(
                code,
                "The card could not be read. Hold it still and try again.",
                "カードを読み取れませんでした。カードを動かさずにもう一度お試しください。",
            ),
            detail,
        }
    }
}

fn verify_reason(e: &VerifyError) -> &'static str {
    match e {
        VerifyError::Malformed(_) => "MALFORMED",
        VerifyError::DigestMismatch => "DIGEST_MISMATCH",
        VerifyError::SignatureMismatch => "SIGNATURE_MISMATCH",
        VerifyError::CertificateNotBound => "CERTIFICATE_NOT_BOUND",
        VerifyError::UntrustedChain => "UNTRUSTED_CHAIN",
        VerifyError::NotValidAtTime => "NOT_VALID_AT_TIME",
        VerifyError::Revoked => "REVOKED",
        VerifyError::WrongKeyUsage => "WRONG_KEY_USAGE",
        VerifyError::WrongPolicy => "WRONG_POLICY",
        VerifyError::ChannelRule(_) => "CHANNEL_RULE",
        VerifyError::UnknownDocumentVersion => "UNKNOWN_DOCUMENT_VERSION",
        VerifyError::AttributesMismatch(_) => "ATTRIBUTES_MISMATCH",
        VerifyError::InvalidDocument(_) => "INVALID_DOCUMENT",
        VerifyError::BadCrl(_) => "BAD_CRL",
        VerifyError::TooLarge { .. }
        | VerifyError::CrlTooLarge { .. }
        | VerifyError::OcspResponseTooLarge { .. } => "TOO_LARGE",
        VerifyError::SigningTimeSkew => "SIGNING_TIME_SKEW",
        VerifyError::TimestampMismatch => "TIMESTAMP_MISMATCH",
        VerifyError::UnknownCriticalExtension(_) => "UNKNOWN_CRITICAL_EXTENSION",
        VerifyError::WeakKey(_) => "WEAK_KEY",
        VerifyError::RevocationNotChecked => "REVOCATION_NOT_CHECKED",
        VerifyError::MissingSignatureAttributes => "MISSING_SIGNATURE_ATTRIBUTES",
        VerifyError::WrongContentType => "WRONG_CONTENT_TYPE",
        VerifyError::NonceMismatch => "NONCE_MISMATCH",
        VerifyError::ChannelMismatch => "CHANNEL_MISMATCH",
        VerifyError::CrlNotCurrent => "CRL_NOT_CURRENT",
        VerifyError::UnsupportedCrl(_) => "UNSUPPORTED_CRL",
        VerifyError::BadOcspResponse(_) => "BAD_OCSP_RESPONSE",
        VerifyError::OcspNotCurrent => "OCSP_NOT_CURRENT",
        VerifyError::OcspNonceMismatch => "OCSP_NONCE_MISMATCH",
        VerifyError::OcspUnknown => "OCSP_UNKNOWN",
        _ => "OTHER",
    }
}

impl From<VerifyError> for MynaError {
    fn from(e: VerifyError) -> Self {
        let reason = verify_reason(&e);
        MynaError::VerificationFailed {
            info: info(
                "VERIFICATION_FAILED",
                format!("The signature is not valid: {e}."),
                "署名を検証できませんでした。",
            ),
            reason: reason.to_string(),
        }
    }
}

impl From<ConsentError> for MynaError {
    fn from(e: ConsentError) -> Self {
        match e {
            ConsentError::ChannelRule { .. } => MynaError::ChannelRule {
                info: info(
                    "CHANNEL_RULE",
                    format!("This procedure does not accept this certificate here: {e}."),
                    "この手続きでは、この電子証明書は使えません（免許センターでは個人番号カードの署名用電子証明書のみ）。",
                ),
            },
            ConsentError::AttributeMismatch { fields } => MynaError::AttributeMismatch {
                info: info(
                    "ATTRIBUTE_MISMATCH",
                    "The card's details differ from the signature certificate's.",
                    "券面事項入力補助の基本4情報と署名用電子証明書の基本4情報が一致しません。",
                ),
                fields: fields.iter().map(|f| f.as_str().to_string()).collect(),
            },
            ConsentError::EmptySelection => MynaError::InvalidInput {
                info: info(
                    "EMPTY_SELECTION",
                    "Choose at least one of address, name and date of birth.",
                    "住所・氏名・生年月日のうち少なくとも一つを選んでください。",
                ),
                field: "items".into(),
            },
            ConsentError::InvalidNonce => MynaError::invalid_input("nonce"),
            ConsentError::InvalidField { field } | ConsentError::MissingField { field } => {
                MynaError::invalid_input(field)
            }
            other => MynaError::invalid_input(&other.to_string()),
        }
    }
}

impl From<Error> for MynaError {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidPinFormat { pin, .. } => MynaError::invalid_pin_format(pin),
            Error::WrongPin { pin, remaining } => {
                let (en, ja) = if remaining == 0 {
                    (
                        format!("Wrong {}: it is now locked. Reset it at your municipality or a convenience-store kiosk.", pin_name_en(pin)),
                        format!("{}が違います。ロックされました。市区町村の窓口またはコンビニのキオスク端末で初期化してください。", pin_name_ja(pin)),
                    )
                } else {
                    (
                        format!("Wrong {}, {remaining} attempts left.", pin_name_en(pin)),
                        format!("{}が違います。残り{remaining}回です。", pin_name_ja(pin)),
                    )
                };
                MynaError::WrongPin {
                    info: info("WRONG_PIN", en, ja),
                    pin: pin.into(),
                    remaining,
                }
            }
            // The FFI keeps its case for "wrong, now locked": WrongPin with remaining 0, whose
            // message carries the reset advice.
            Error::PinNowBlocked { pin } => MynaError::from(Error::WrongPin { pin, remaining: 0 }),
            Error::PinBlocked { pin } => MynaError::PinBlocked {
                info: info(
                    "PIN_BLOCKED",
                    format!("The {} is locked: reset it at your municipality or a convenience-store kiosk.", pin_name_en(pin)),
                    format!("{}がロックされています。市区町村の窓口またはコンビニのキオスク端末で初期化してください。", pin_name_ja(pin)),
                ),
                pin: pin.into(),
            },
            Error::LastAttemptGuard { pin } => MynaError::LastAttemptGuard {
                info: info(
                    "LAST_ATTEMPT",
                    format!("Only one attempt is left for the {}: a wrong entry locks it. Check it, then confirm to continue.", pin_name_en(pin)),
                    format!("{}の残り回数は1回です。間違えるとロックされます。確認のうえ、続行してください。", pin_name_ja(pin)),
                ),
                pin: pin.into(),
            },
            Error::PinNotVerified { pin } | Error::PinNotForApplication { pin } => {
                MynaError::PinNotVerified {
                    info: info(
                        "PIN_NOT_VERIFIED",
                        format!("Enter the {} first.", pin_name_en(pin)),
                        format!("先に{}を入力してください。", pin_name_ja(pin)),
                    ),
                    pin: pin.into(),
                }
            }
            Error::LinkLostDuringVerify { .. } => MynaError::TagLost {
                info: info(
                    "TAG_LOST_DURING_VERIFY",
                    "The card was moved away while checking the password: the attempt may have been counted. Hold it still and check the attempts left.",
                    "暗証番号の確認中にカードが離れました。入力回数が数えられた可能性があります。カードを動かさずに、残り回数を確認してください。",
                ),
                during_verify: true,
            },
            Error::Transport(TransportError::TagLost) => MynaError::TagLost {
                info: info(
                    "TAG_LOST",
                    "The card was moved away: hold it still and try again.",
                    "カードが離れました。カードを動かさずにもう一度お試しください。",
                ),
                during_verify: false,
            },
            Error::Transport(TransportError::Timeout) => MynaError::Timeout {
                info: info(
                    "TIMEOUT",
                    "The card did not answer in time: hold it still and try again.",
                    "カードの応答がありませんでした。カードを動かさずにもう一度お試しください。",
                ),
            },
            Error::Transport(TransportError::Other(detail)) => MynaError::CardError {
                info: info(
                    "LINK_ERROR",
                    "The connection to the card failed: hold it still and try again.",
                    "カードとの通信に失敗しました。カードを動かさずにもう一度お試しください。",
                ),
                detail,
            },
            Error::NotMyNumberCard { .. } => MynaError::NotMyNumberCard {
                info: info(
                    "NOT_MY_NUMBER_CARD",
                    "This is not a My Number Card.",
                    "マイナンバーカードではありません。",
                ),
            },
            Error::NoSignatureCertificate => MynaError::NoSignatureCertificate {
                info: info(
                    "NO_SIGNATURE_CERTIFICATE",
                    "No signature certificate on this card.",
                    "このカードには署名用電子証明書が搭載されていません。",
                ),
            },
            Error::Cancelled => MynaError::Cancelled {
                info: info("CANCELLED", "Cancelled.", "中止しました。"),
            },
            Error::Consent(c) => c.into(),
            Error::Verify(v) => v.into(),
            Error::NotSignatureCertificate => MynaError::card(
                "NOT_SIGNATURE_CERTIFICATE",
                "not a signature certificate".into(),
            ),
            other => MynaError::card("CARD_ERROR", other.to_string()),
        }
    }
}
