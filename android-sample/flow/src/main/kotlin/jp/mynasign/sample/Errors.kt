package jp.mynasign.sample

import jp.mynasign.ErrorInfo
import jp.mynasign.MynaException

/** The stable code and the holder-facing messages of any [MynaException]. */
val MynaException.errorInfo: ErrorInfo
    get() = when (this) {
        is MynaException.InvalidPinFormat -> info
        is MynaException.WrongPin -> info
        is MynaException.PinBlocked -> info
        is MynaException.LastAttemptGuard -> info
        is MynaException.PinNotVerified -> info
        is MynaException.TagLost -> info
        is MynaException.Timeout -> info
        is MynaException.NotMyNumberCard -> info
        is MynaException.NoSignatureCertificate -> info
        is MynaException.Cancelled -> info
        is MynaException.ChannelRule -> info
        is MynaException.AttributeMismatch -> info
        is MynaException.VerificationFailed -> info
        is MynaException.InvalidInput -> info
        is MynaException.CardException -> info
    }
