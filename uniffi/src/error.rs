//! The error apps see: one enum, typed per platform (a Kotlin exception, a Swift error, a
//! Python exception). Every case answers, without app code: a stable [`ErrorCode`], the
//! holder-facing text in Japanese and English (what happened, and what to do), whether
//! repeating the call is safe, and whether a PIN attempt may have been counted.
//!
//! No message, field or printed form ever contains a PIN or personal data: the cases carry
//! kinds, counts, enums and technical details only.

use mynasign::cms::CmsError;
use mynasign::consent::ConsentError;
use mynasign::pin::PinKind;
use mynasign::transport::TransportError;
use mynasign::verify::VerifyError;
use mynasign::Error;

use crate::records::{AttributeField, PinType};

/// A stable, machine-readable code for every error (for analytics, support and tests; the
/// names never change once published).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorCode {
    /// The PIN's format is wrong; nothing was sent.
    InvalidPinFormat,
    /// The card rejected the PIN; attempts remain.
    WrongPin,
    /// The card rejected the PIN and that was the last attempt: it is now locked.
    PinNowBlocked,
    /// The PIN was already locked; nothing was sent.
    PinBlocked,
    /// One attempt left and the app did not allow using it; nothing was sent.
    LastAttempt,
    /// The operation needs a PIN verified first.
    PinNotVerified,
    /// The card left the field (outside a PIN check).
    TagLost,
    /// The card left the field while a PIN was being checked.
    TagLostDuringVerify,
    /// The card did not answer in time.
    Timeout,
    /// The app's link to the card failed in another way.
    LinkFailed,
    /// Not a My Number Card.
    NotMyNumberCard,
    /// No signature certificate on the card.
    NoSignatureCertificate,
    /// The certificate is not a signature certificate.
    NotSignatureCertificate,
    /// Cancelled by the app or the holder.
    Cancelled,
    /// The procedure does not accept this certificate through this channel.
    ChannelRule,
    /// The card-info attributes differ from the signature certificate's.
    AttributeMismatch,
    /// A signature or certificate did not verify.
    VerificationFailed,
    /// An argument was not acceptable.
    InvalidInput,
    /// The app's keystore signer failed.
    KeystoreFailed,
    /// A callback the app provided (progress listener, link method) threw.
    CallbackFailed,
    /// The card answered something unexpected.
    CardError,
    /// A defect in this library (reported, never a crash).
    Internal,
    /// The phone's NFC cannot read a card now (no NFC, switched off, not permitted).
    NfcUnavailable,
    /// The smartphone certificate's secure element cannot be used by this app.
    SecureElementUnavailable,
}

/// Why the phone's NFC cannot read a card (Android's reader; iOS has its own session errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum NfcUnavailableReason {
    /// The device has no NFC: offer another way (the smartphone certificate).
    NoNfc,
    /// NFC is switched off: the app opens the NFC settings.
    NfcOff,
    /// The app is not permitted to use NFC (Android: `android.permission.NFC` missing).
    NoPermission,
    /// The system refused reader mode.
    ReaderModeUnsupported,
    /// The screen that asked for the card was closed.
    ScreenClosed,
}

/// Why the smartphone certificate's secure element cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum SecureElementReason {
    /// The OS is too old for the secure-element API (Android before 9).
    OsTooOld,
    /// The secure-element service is missing or did not answer.
    ServiceUnavailable,
    /// No embedded secure element.
    NoSecureElement,
    /// The secure element holds no smartphone certificate (JPKI application).
    NoJpkiApplication,
    /// The secure element's access rules do not list this app: what an app not registered
    /// with the smartphone certificate's access rules gets. Not the holder's to fix.
    AccessDenied,
    /// The secure element refused the request in another way.
    Unsupported,
    /// The secure element could not be reached (I/O).
    Io,
}

/// Why a signature or certificate did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum VerifyFailure {
    /// Not a CMS `SignedData` this library can read.
    Malformed,
    /// The content does not match the signed digest.
    DigestMismatch,
    /// The signature value does not verify with the certificate's key.
    SignatureMismatch,
    /// The signer certificate is not bound by the signed attributes.
    CertificateNotBound,
    /// The certificate does not chain to a trusted root.
    UntrustedChain,
    /// The certificate was not valid at the receipt time.
    NotValidAtTime,
    /// The certificate was revoked.
    Revoked,
    /// The key usage does not allow signing consents.
    WrongKeyUsage,
    /// The certificate policy is not a signature policy.
    WrongPolicy,
    /// The channel rule refuses this certificate for the document.
    ChannelRule,
    /// The document's version is unknown.
    UnknownDocumentVersion,
    /// The linkage attributes differ from the certificate's.
    AttributesMismatch,
    /// The signed document is not a valid consent document.
    InvalidDocument,
    /// A CRL could not be read or did not verify.
    BadCrl,
    /// The input is larger than a consent can be.
    TooLarge,
    /// Signing time and receipt time differ by more than allowed.
    SigningTimeSkew,
    /// The document's timestamp disagrees with the signing time.
    TimestampMismatch,
    /// A critical extension this verifier does not know.
    UnknownCriticalExtension,
    /// A key too weak to accept.
    WeakKey,
    /// No CRL or OCSP response applied and unchecked revocation was not allowed.
    RevocationNotChecked,
    /// The signed attributes are missing.
    MissingSignatureAttributes,
    /// The content type is not the consent type.
    WrongContentType,
    /// The document's nonce is not the one the service issued.
    NonceMismatch,
    /// The document's channel is not the procedure's.
    ChannelMismatch,
    /// The CRL was not current at the receipt time.
    CrlNotCurrent,
    /// The CRL uses a feature this verifier refuses.
    UnsupportedCrl,
    /// The OCSP response could not be read or did not verify.
    BadOcspResponse,
    /// The OCSP response was not fresh at the receipt time.
    OcspNotCurrent,
    /// The OCSP response's nonce is not the request's.
    OcspNonceMismatch,
    /// The OCSP responder did not know the certificate.
    OcspUnknown,
    /// Card-info evidence: a file or the evidence object is malformed.
    CardInfoMalformed,
    /// Card-info evidence: EF 0004 names a CA key that is not trusted (or of the other
    /// hierarchy: production and JPKI-TEST are never mixed).
    CardInfoUntrustedAuthority,
    /// Card-info evidence: EF 0004's signature does not verify under its CA key.
    CardInfoCertificateSignature,
    /// Card-info evidence: the integrity record's signature does not verify.
    CardInfoRecordSignature,
    /// Card-info evidence: the basic four are not the ones the integrity record vouches for.
    CardInfoAttributesDigest,
    /// Card-info evidence: the signature over the application's key (EF 0007) does not verify.
    CardInfoKeySignature,
    /// Presence: no answer, though a challenge was given.
    PresenceMissing,
    /// Presence: the answer is for another challenge (a replay).
    PresenceChallengeMismatch,
    /// Presence: the card's answer does not verify.
    PresenceSignature,
    /// A login: the challenge was not issued by this verifier (or was forgotten).
    UnknownChallenge,
    /// A login: the challenge was already used (a replay).
    ChallengeReplayed,
    /// A login: the challenge expired before the response was received.
    ChallengeExpired,
    /// A login: the challenge was issued to another session.
    SessionMismatch,
    /// A login: the response's form (bound or raw) is not the challenge's.
    FormMismatch,
    /// A login: the bound response was made for another service (relayed).
    RelayedResponse,
    /// A signature certificate was offered for a login.
    SignatureCertificateForLogin,
    /// An authentication certificate signed a consent.
    AuthenticationCertificateForSignature,
    /// Another reason.
    Other,
}

/// Everything that can go wrong, as apps see it. The methods give the code and the texts;
/// the fields are for the app's logic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum MynaError {
    /// The PIN's format is wrong; nothing was sent, no attempt used.
    #[error("{}", self.message_en())]
    InvalidPinFormat {
        /// Which PIN.
        pin: PinType,
    },
    /// The card rejected the PIN; `remaining` attempts are left (at least 1).
    #[error("{}", self.message_en())]
    WrongPin {
        /// Which PIN.
        pin: PinType,
        /// Attempts left.
        remaining: i32,
    },
    /// The card rejected the PIN and that attempt was the last one: it is now locked.
    #[error("{}", self.message_en())]
    PinNowBlocked {
        /// Which PIN.
        pin: PinType,
    },
    /// The PIN is locked; nothing was sent.
    #[error("{}", self.message_en())]
    PinBlocked {
        /// Which PIN.
        pin: PinType,
    },
    /// One attempt left and the app did not allow using it: warn the holder, then retry with
    /// `allow_last_attempt`. Nothing was sent.
    #[error("{}", self.message_en())]
    LastAttemptGuard {
        /// Which PIN.
        pin: PinType,
    },
    /// The operation needs a PIN verified first.
    #[error("{}", self.message_en())]
    PinNotVerified {
        /// Which PIN.
        pin: PinType,
    },
    /// The card was moved away. When `during_verify`, the attempt may have been counted:
    /// read the PIN status again before retrying.
    #[error("{}", self.message_en())]
    TagLost {
        /// Whether a VERIFY was in flight.
        during_verify: bool,
    },
    /// The card did not answer in time.
    #[error("{}", self.message_en())]
    Timeout,
    /// The app's link failed in another way (`detail` is technical, for logs).
    #[error("{}", self.message_en())]
    LinkFailed {
        /// What the link reported.
        detail: String,
    },
    /// This is not a My Number Card.
    #[error("{}", self.message_en())]
    NotMyNumberCard,
    /// No signature certificate on this card (for example a holder under 15).
    #[error("{}", self.message_en())]
    NoSignatureCertificate,
    /// The certificate given is not a signature certificate.
    #[error("{}", self.message_en())]
    NotSignatureCertificate,
    /// Cancelled (the app's cancel handle, the coroutine or Task, or the holder). When
    /// `during_verify`, the link was lost while a PIN was being checked: read the PIN status
    /// again before retrying.
    #[error("{}", self.message_en())]
    Cancelled {
        /// Whether a VERIFY was in flight when the flow ended.
        during_verify: bool,
    },
    /// The document may not be signed with this certificate through this channel.
    #[error("{}", self.message_en())]
    ChannelRule,
    /// The attributes differ from the certificate's (the fields are named, never their
    /// values).
    #[error("{}", self.message_en())]
    AttributeMismatch {
        /// The differing fields.
        fields: Vec<AttributeField>,
    },
    /// A signature did not verify.
    #[error("{}", self.message_en())]
    VerificationFailed {
        /// Why.
        reason: VerifyFailure,
    },
    /// An argument is not acceptable (`field` names it, for developers).
    #[error("{}", self.message_en())]
    InvalidInput {
        /// The argument or document field.
        field: String,
    },
    /// The app's keystore signer failed (`detail` is what it reported, for logs).
    #[error("{}", self.message_en())]
    KeystoreFailed {
        /// What the signer reported.
        detail: String,
    },
    /// A callback the app provided threw (`callback` names it, `detail` is what it threw).
    #[error("{}", self.message_en())]
    CallbackFailed {
        /// `progress`, `link` or `signer`.
        callback: String,
        /// What it threw.
        detail: String,
    },
    /// The card answered something unexpected (`detail`: status word or what was malformed).
    #[error("{}", self.message_en())]
    CardError {
        /// Technical detail, never personal data.
        detail: String,
    },
    /// A defect in this library, reported instead of crashing the app.
    #[error("{}", self.message_en())]
    Internal {
        /// What went wrong.
        detail: String,
    },
    /// The phone's NFC cannot read a card now (`reason` says why; on Android, for `NfcOff`,
    /// `MynaSignException.nfcSettingsIntent` opens the settings).
    #[error("{}", self.message_en())]
    NfcUnavailable {
        /// Why.
        reason: NfcUnavailableReason,
    },
    /// The smartphone certificate's secure element cannot be used (`reason` says why).
    #[error("{}", self.message_en())]
    SecureElementUnavailable {
        /// Why.
        reason: SecureElementReason,
    },
}

fn pin_ja(p: PinType) -> &'static str {
    match p {
        PinType::SignaturePassword => "署名用パスワード",
        PinType::AuthenticationPin => "利用者証明用暗証番号",
        PinType::CardInfoPin => "券面事項入力補助用暗証番号",
    }
}

fn pin_en(p: PinType) -> &'static str {
    match p {
        PinType::SignaturePassword => "signature password",
        PinType::AuthenticationPin => "user-authentication PIN",
        PinType::CardInfoPin => "card-info PIN",
    }
}

const RESET_EN: &str = "It can be reset at your municipal office or a convenience-store kiosk.";
const RESET_JA: &str = "市区町村の窓口またはコンビニのキオスク端末で初期化できます。";
const HOLD_EN: &str = "Hold the card still against the phone and try again.";
const HOLD_JA: &str = "カードを動かさずにスマートフォンに当て、もう一度お試しください。";
const CHECK_EN: &str = "Hold the card still and check the attempts left before trying again.";
const CHECK_JA: &str = "カードを動かさずに当て、残り回数を確認してからもう一度お試しください。";

/// (what happened, what to do), in one language.
struct Text {
    what: String,
    todo: Option<String>,
}

fn t(what: impl Into<String>, todo: Option<&str>) -> Text {
    Text {
        what: what.into(),
        todo: todo.map(str::to_string),
    }
}

impl MynaError {
    fn text(&self, ja: bool) -> Text {
        use MynaError as E;
        let l = |en: &str, jp: &str| if ja { jp.to_string() } else { en.to_string() };
        match self {
            E::InvalidPinFormat { pin } => match pin {
                PinType::SignaturePassword => t(
                    l(
                        "The signature password is 6 to 16 capital letters (A-Z) and digits.",
                        "署名用パスワードは英大文字（A〜Z）と数字の6〜16文字です。",
                    ),
                    Some(if ja {
                        "入力を確認してください。"
                    } else {
                        "Check what you entered."
                    }),
                ),
                p => t(
                    if ja {
                        format!("{}は数字4桁です。", pin_ja(*p))
                    } else {
                        format!("The {} is 4 digits.", pin_en(*p))
                    },
                    Some(if ja {
                        "入力を確認してください。"
                    } else {
                        "Check what you entered."
                    }),
                ),
            },
            E::WrongPin { pin, remaining } => t(
                if ja {
                    format!("{}が違います。残り{remaining}回です。", pin_ja(*pin))
                } else if *remaining == 1 {
                    format!("Wrong {}: 1 attempt left.", pin_en(*pin))
                } else {
                    format!("Wrong {}: {remaining} attempts left.", pin_en(*pin))
                },
                Some(if ja {
                    "間違えるとロックされることがあります。確認してから入力してください。"
                } else {
                    "Check it before entering it again: too many wrong entries lock it."
                }),
            ),
            E::PinNowBlocked { pin } => t(
                if ja {
                    format!("{}が違います。回数の上限に達したため、ロックされました。", pin_ja(*pin))
                } else {
                    format!(
                        "Wrong {}: that was the last attempt, and it is now locked.",
                        pin_en(*pin)
                    )
                },
                Some(if ja { RESET_JA } else { RESET_EN }),
            ),
            E::PinBlocked { pin } => t(
                if ja {
                    format!("{}はロックされています。", pin_ja(*pin))
                } else {
                    format!("The {} is locked.", pin_en(*pin))
                },
                Some(if ja { RESET_JA } else { RESET_EN }),
            ),
            E::LastAttemptGuard { pin } => t(
                if ja {
                    format!(
                        "{}の残り回数は1回です。間違えるとロックされます。",
                        pin_ja(*pin)
                    )
                } else {
                    format!(
                        "Only one attempt is left for the {}: a wrong entry locks it.",
                        pin_en(*pin)
                    )
                },
                Some(if ja {
                    "確認のうえ、続行してください。"
                } else {
                    "Check it, then confirm to continue."
                }),
            ),
            E::PinNotVerified { pin } => t(
                if ja {
                    format!("先に{}の入力が必要です。", pin_ja(*pin))
                } else {
                    format!("The {} must be entered first.", pin_en(*pin))
                },
                None,
            ),
            E::TagLost {
                during_verify: false,
            } => t(
                l(
                    "The card was moved away.",
                    "カードが離れました。",
                ),
                Some(if ja { HOLD_JA } else { HOLD_EN }),
            ),
            E::TagLost {
                during_verify: true,
            } => t(
                l(
                    "The card was moved away while the password was being checked: the attempt may have been counted.",
                    "暗証番号の確認中にカードが離れました。入力回数が数えられた可能性があります。",
                ),
                Some(if ja { CHECK_JA } else { CHECK_EN }),
            ),
            E::Timeout => t(
                l("The card did not answer in time.", "カードの応答がありませんでした。"),
                Some(if ja { HOLD_JA } else { HOLD_EN }),
            ),
            E::LinkFailed { .. } => t(
                l(
                    "The connection to the card failed.",
                    "カードとの通信に失敗しました。",
                ),
                Some(if ja { HOLD_JA } else { HOLD_EN }),
            ),
            E::NotMyNumberCard => t(
                l("This is not a My Number Card.", "マイナンバーカードではありません。"),
                Some(if ja {
                    "マイナンバーカードを当ててください。"
                } else {
                    "Hold a My Number Card to the phone."
                }),
            ),
            E::NoSignatureCertificate => t(
                l(
                    "This card has no signature certificate.",
                    "このカードには署名用電子証明書が搭載されていません。",
                ),
                Some(if ja {
                    "市区町村の窓口で発行を申請できます。"
                } else {
                    "One can be issued at your municipal office."
                }),
            ),
            E::NotSignatureCertificate => t(
                l(
                    "This certificate cannot sign the procedure.",
                    "この電子証明書では署名できません。",
                ),
                None,
            ),
            E::Cancelled {
                during_verify: false,
            } => t(l("Cancelled.", "中止しました。"), None),
            E::Cancelled {
                during_verify: true,
            } => t(
                l(
                    "Cancelled while the password was being checked: the attempt may have been counted.",
                    "暗証番号の確認中に中止しました。入力回数が数えられた可能性があります。",
                ),
                Some(if ja {
                    "もう一度行う前に、残り回数を確認してください。"
                } else {
                    "Check the attempts left before trying again."
                }),
            ),
            E::ChannelRule => t(
                l(
                    "This procedure does not accept this certificate here.",
                    "この手続きでは、この電子証明書は使えません。",
                ),
                Some(if ja {
                    "運転免許センターでは、マイナンバーカードの署名用電子証明書をお使いください。"
                } else {
                    "At a licence centre, use the signature certificate of your My Number Card."
                }),
            ),
            E::AttributeMismatch { .. } => t(
                l(
                    "The details on the card differ from those in its signature certificate.",
                    "カードの券面事項と署名用電子証明書の記載事項が一致しません。",
                ),
                Some(if ja {
                    "住所などを変更した場合は、市区町村の窓口で電子証明書の更新が必要です。"
                } else {
                    "If your address or name changed, the certificate must be renewed at your municipal office."
                }),
            ),
            E::VerificationFailed { .. } => t(
                l(
                    "The signature could not be verified.",
                    "署名を検証できませんでした。",
                ),
                None,
            ),
            E::InvalidInput { .. } => t(
                l(
                    "The request could not be processed.",
                    "要求を処理できませんでした。",
                ),
                Some(if ja {
                    "アプリの提供元にお問い合わせください。"
                } else {
                    "Contact the app's provider."
                }),
            ),
            E::KeystoreFailed { .. } => t(
                l(
                    "The phone could not sign with its stored certificate.",
                    "スマートフォンに保存された電子証明書で署名できませんでした。",
                ),
                Some(if ja {
                    "画面のロックを解除して、もう一度お試しください。"
                } else {
                    "Unlock the phone and try again."
                }),
            ),
            E::CallbackFailed { .. } | E::Internal { .. } => t(
                l(
                    "Something went wrong in the app.",
                    "アプリで問題が発生しました。",
                ),
                Some(if ja {
                    "もう一度お試しください。"
                } else {
                    "Try again."
                }),
            ),
            E::CardError { .. } => t(
                l("The card could not be read.", "カードを読み取れませんでした。"),
                Some(if ja { HOLD_JA } else { HOLD_EN }),
            ),
            E::NfcUnavailable { reason } => {
                use NfcUnavailableReason as R;
                match reason {
                    R::NoNfc => t(
                        l(
                            "This phone has no NFC.",
                            "このスマートフォンはNFCに対応していません。",
                        ),
                        Some(if ja {
                            "スマホ用電子証明書など、別の方法をお使いください。"
                        } else {
                            "Use another way, such as the smartphone certificate."
                        }),
                    ),
                    R::NfcOff => t(
                        l("NFC is switched off.", "NFCがオフになっています。"),
                        Some(if ja {
                            "設定でNFCをオンにして、もう一度お試しください。"
                        } else {
                            "Switch NFC on in the settings and try again."
                        }),
                    ),
                    R::NoPermission | R::ReaderModeUnsupported => t(
                        l(
                            "This app cannot use NFC on this phone.",
                            "このアプリはこのスマートフォンでNFCを利用できません。",
                        ),
                        None,
                    ),
                    R::ScreenClosed => t(
                        l(
                            "The screen was closed before the card was read.",
                            "カードを読み取る前に画面が閉じられました。",
                        ),
                        Some(if ja {
                            "もう一度お試しください。"
                        } else {
                            "Try again."
                        }),
                    ),
                }
            }
            E::SecureElementUnavailable { reason } => {
                use SecureElementReason as R;
                match reason {
                    R::AccessDenied => t(
                        l(
                            "This app is not allowed to use the smartphone certificate.",
                            "このアプリはスマホ用電子証明書の利用を許可されていません。",
                        ),
                        None,
                    ),
                    R::NoJpkiApplication => t(
                        l(
                            "This phone holds no smartphone certificate.",
                            "このスマートフォンにはスマホ用電子証明書が搭載されていません。",
                        ),
                        Some(if ja {
                            "マイナンバーカードをお使いください。"
                        } else {
                            "Use the My Number Card."
                        }),
                    ),
                    R::OsTooOld | R::NoSecureElement | R::Unsupported => t(
                        l(
                            "The smartphone certificate cannot be used on this phone.",
                            "このスマートフォンではスマホ用電子証明書を利用できません。",
                        ),
                        Some(if ja {
                            "マイナンバーカードをお使いください。"
                        } else {
                            "Use the My Number Card."
                        }),
                    ),
                    R::ServiceUnavailable | R::Io => t(
                        l(
                            "The smartphone certificate could not be reached.",
                            "スマホ用電子証明書にアクセスできませんでした。",
                        ),
                        Some(if ja {
                            "もう一度お試しください。"
                        } else {
                            "Try again."
                        }),
                    ),
                }
            }
        }
    }

    fn full(&self, ja: bool) -> String {
        let text = self.text(ja);
        match text.todo {
            Some(todo) if ja => format!("{}{}", text.what, todo),
            Some(todo) => format!("{} {}", text.what, todo),
            None => text.what,
        }
    }

    pub(crate) fn invalid_input(field: &str) -> Self {
        MynaError::InvalidInput {
            field: field.to_string(),
        }
    }

    pub(crate) fn invalid_pin_format(pin: PinKind) -> Self {
        MynaError::InvalidPinFormat { pin: pin.into() }
    }

    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        MynaError::Internal {
            detail: detail.into(),
        }
    }
}

#[uniffi::export]
impl MynaError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        use MynaError as E;
        match self {
            E::InvalidPinFormat { .. } => ErrorCode::InvalidPinFormat,
            E::WrongPin { .. } => ErrorCode::WrongPin,
            E::PinNowBlocked { .. } => ErrorCode::PinNowBlocked,
            E::PinBlocked { .. } => ErrorCode::PinBlocked,
            E::LastAttemptGuard { .. } => ErrorCode::LastAttempt,
            E::PinNotVerified { .. } => ErrorCode::PinNotVerified,
            E::TagLost {
                during_verify: false,
            } => ErrorCode::TagLost,
            E::TagLost {
                during_verify: true,
            } => ErrorCode::TagLostDuringVerify,
            E::Timeout => ErrorCode::Timeout,
            E::LinkFailed { .. } => ErrorCode::LinkFailed,
            E::NotMyNumberCard => ErrorCode::NotMyNumberCard,
            E::NoSignatureCertificate => ErrorCode::NoSignatureCertificate,
            E::NotSignatureCertificate => ErrorCode::NotSignatureCertificate,
            E::Cancelled { .. } => ErrorCode::Cancelled,
            E::ChannelRule => ErrorCode::ChannelRule,
            E::AttributeMismatch { .. } => ErrorCode::AttributeMismatch,
            E::VerificationFailed { .. } => ErrorCode::VerificationFailed,
            E::InvalidInput { .. } => ErrorCode::InvalidInput,
            E::KeystoreFailed { .. } => ErrorCode::KeystoreFailed,
            E::CallbackFailed { .. } => ErrorCode::CallbackFailed,
            E::CardError { .. } => ErrorCode::CardError,
            E::Internal { .. } => ErrorCode::Internal,
            E::NfcUnavailable { .. } => ErrorCode::NfcUnavailable,
            E::SecureElementUnavailable { .. } => ErrorCode::SecureElementUnavailable,
        }
    }

    /// For the holder, in Japanese: what happened and what to do.
    pub fn message_ja(&self) -> String {
        self.full(true)
    }

    /// For the holder, in English: what happened and what to do.
    pub fn message_en(&self) -> String {
        self.full(false)
    }

    /// What happened only, in Japanese (Swift's `errorDescription`).
    pub fn failure_ja(&self) -> String {
        self.text(true).what
    }

    /// What happened only, in English.
    pub fn failure_en(&self) -> String {
        self.text(false).what
    }

    /// What to do, in Japanese (Swift's `recoverySuggestion`); `null` when nothing helps.
    pub fn recovery_ja(&self) -> Option<String> {
        self.text(true).todo
    }

    /// What to do, in English.
    pub fn recovery_en(&self) -> Option<String> {
        self.text(false).todo
    }

    /// The text in `language` (an ISO 639 code such as `ja` or `en`; Japanese for `ja`,
    /// English otherwise).
    pub fn message_for(&self, language: String) -> String {
        self.full(language.trim().to_ascii_lowercase().starts_with("ja"))
    }

    /// Whether repeating the same call (after the holder follows the advice) can neither cost
    /// a PIN attempt the app does not know about nor fail the same way for certain: true for a
    /// lost link outside VERIFY, a timeout, a cancellation outside VERIFY, a card error.
    pub fn retry_safe(&self) -> bool {
        use MynaError as E;
        matches!(
            self,
            E::TagLost {
                during_verify: false
            } | E::Timeout
                | E::LinkFailed { .. }
                | E::Cancelled {
                    during_verify: false
                }
                | E::CardError { .. }
                | E::KeystoreFailed { .. }
                | E::NfcUnavailable {
                    reason: NfcUnavailableReason::NfcOff | NfcUnavailableReason::ScreenClosed
                }
                | E::SecureElementUnavailable {
                    reason: SecureElementReason::ServiceUnavailable | SecureElementReason::Io
                }
        )
    }

    /// Whether the card may have counted a PIN attempt the app could not observe (the link
    /// was lost or the flow cancelled while a VERIFY was in flight): read the PIN status
    /// again before asking for the PIN.
    pub fn pin_counter_uncertain(&self) -> bool {
        matches!(
            self,
            MynaError::TagLost {
                during_verify: true
            } | MynaError::Cancelled {
                during_verify: true
            }
        )
    }
}

fn verify_reason(e: &VerifyError) -> VerifyFailure {
    use VerifyFailure as F;
    match e {
        VerifyError::Malformed(_) => F::Malformed,
        VerifyError::DigestMismatch => F::DigestMismatch,
        VerifyError::SignatureMismatch => F::SignatureMismatch,
        VerifyError::CertificateNotBound => F::CertificateNotBound,
        VerifyError::UntrustedChain => F::UntrustedChain,
        VerifyError::NotValidAtTime => F::NotValidAtTime,
        VerifyError::Revoked => F::Revoked,
        VerifyError::WrongKeyUsage => F::WrongKeyUsage,
        VerifyError::WrongPolicy => F::WrongPolicy,
        VerifyError::ChannelRule(_) => F::ChannelRule,
        VerifyError::UnknownDocumentVersion => F::UnknownDocumentVersion,
        VerifyError::AttributesMismatch(_) => F::AttributesMismatch,
        VerifyError::InvalidDocument(_) => F::InvalidDocument,
        VerifyError::BadCrl(_) => F::BadCrl,
        VerifyError::TooLarge { .. }
        | VerifyError::CrlTooLarge { .. }
        | VerifyError::OcspResponseTooLarge { .. } => F::TooLarge,
        VerifyError::SigningTimeSkew => F::SigningTimeSkew,
        VerifyError::TimestampMismatch => F::TimestampMismatch,
        VerifyError::UnknownCriticalExtension(_) => F::UnknownCriticalExtension,
        VerifyError::WeakKey(_) => F::WeakKey,
        VerifyError::RevocationNotChecked => F::RevocationNotChecked,
        VerifyError::MissingSignatureAttributes => F::MissingSignatureAttributes,
        VerifyError::WrongContentType => F::WrongContentType,
        VerifyError::NonceMismatch => F::NonceMismatch,
        VerifyError::ChannelMismatch => F::ChannelMismatch,
        VerifyError::CrlNotCurrent => F::CrlNotCurrent,
        VerifyError::UnsupportedCrl(_) => F::UnsupportedCrl,
        VerifyError::BadOcspResponse(_) => F::BadOcspResponse,
        VerifyError::OcspNotCurrent => F::OcspNotCurrent,
        VerifyError::OcspNonceMismatch => F::OcspNonceMismatch,
        VerifyError::OcspUnknown => F::OcspUnknown,
        // Issue 24's finer reasons, in the nearest existing category (the message says
        // which): the responder's own certificate, conflicting answers; the extended key
        // usage; a root of the other family; a CMS not in its DER form.
        VerifyError::OcspResponderRevoked
        | VerifyError::OcspResponderNotChecked
        | VerifyError::OcspResponderNotAuthorised(_)
        | VerifyError::OcspConflictingAnswers => F::BadOcspResponse,
        VerifyError::WrongExtendedKeyUsage => F::WrongKeyUsage,
        VerifyError::WrongRootFamily => F::UntrustedChain,
        VerifyError::NotDer(_) => F::Malformed,
        VerifyError::SignatureCertificateForLogin => F::SignatureCertificateForLogin,
        VerifyError::AuthenticationCertificateForSignature => {
            F::AuthenticationCertificateForSignature
        }
        _ => F::Other,
    }
}

impl From<VerifyError> for MynaError {
    fn from(e: VerifyError) -> Self {
        MynaError::VerificationFailed {
            reason: verify_reason(&e),
        }
    }
}

impl From<mynasign::evidence::AuthenticityError> for MynaError {
    fn from(e: mynasign::evidence::AuthenticityError) -> Self {
        use mynasign::evidence::AuthenticityError as A;
        use VerifyFailure as F;
        let reason = match e {
            A::UnknownAuthority { .. } | A::WrongHierarchy { .. } => F::CardInfoUntrustedAuthority,
            A::CertificateSignature => F::CardInfoCertificateSignature,
            A::RecordSignature => F::CardInfoRecordSignature,
            A::AttributesDigest => F::CardInfoAttributesDigest,
            A::ApKeySignature => F::CardInfoKeySignature,
            A::PresenceMissing => F::PresenceMissing,
            A::ChallengeMismatch => F::PresenceChallengeMismatch,
            A::PresenceSignature => F::PresenceSignature,
            A::ChallengeLength => return MynaError::invalid_input("challenge"),
            _ => F::CardInfoMalformed,
        };
        MynaError::VerificationFailed { reason }
    }
}

impl From<ConsentError> for MynaError {
    fn from(e: ConsentError) -> Self {
        match e {
            ConsentError::ChannelRule { .. } => MynaError::ChannelRule,
            ConsentError::AttributeMismatch { fields } => MynaError::AttributeMismatch {
                fields: fields.iter().map(|&f| f.into()).collect(),
            },
            ConsentError::EmptySelection => MynaError::invalid_input("items"),
            ConsentError::InvalidNonce => MynaError::invalid_input("nonce"),
            ConsentError::InvalidField { field } | ConsentError::MissingField { field } => {
                MynaError::invalid_input(field)
            }
            other => MynaError::invalid_input(&other.to_string()),
        }
    }
}

impl From<CmsError> for MynaError {
    fn from(e: CmsError) -> Self {
        // Building the CMS around a signature fails only on a certificate that is not one or
        // an encoder failure: never the holder's doing, never personal data in the text.
        MynaError::internal(e.to_string())
    }
}

impl From<Error> for MynaError {
    fn from(e: Error) -> Self {
        match e {
            Error::InvalidPinFormat { pin, .. } => MynaError::invalid_pin_format(pin),
            Error::WrongPin { pin, remaining } => MynaError::WrongPin {
                pin: pin.into(),
                remaining: i32::from(remaining),
            },
            Error::PinNowBlocked { pin } => MynaError::PinNowBlocked { pin: pin.into() },
            Error::PinBlocked { pin } => MynaError::PinBlocked { pin: pin.into() },
            Error::LastAttemptGuard { pin } => MynaError::LastAttemptGuard { pin: pin.into() },
            Error::PinNotVerified { pin } | Error::PinNotForApplication { pin } => {
                MynaError::PinNotVerified { pin: pin.into() }
            }
            Error::LinkLostDuringVerify { .. } => MynaError::TagLost {
                during_verify: true,
            },
            Error::Transport(TransportError::TagLost) => MynaError::TagLost {
                during_verify: false,
            },
            Error::Transport(TransportError::Timeout) => MynaError::Timeout,
            Error::Transport(TransportError::Other(detail)) => MynaError::LinkFailed { detail },
            Error::NotMyNumberCard { .. } => MynaError::NotMyNumberCard,
            Error::NoSignatureCertificate => MynaError::NoSignatureCertificate,
            Error::NotSignatureCertificate => MynaError::NotSignatureCertificate,
            Error::Cancelled => MynaError::Cancelled {
                during_verify: false,
            },
            Error::Consent(c) => c.into(),
            Error::Cms(c) => c.into(),
            Error::Verify(v) => v.into(),
            Error::Authenticity(a) => a.into(),
            Error::Login(l) => l.into(),
            other => MynaError::CardError {
                detail: other.to_string(),
            },
        }
    }
}
