package jp.mynasign.sample

import jp.mynasign.MynaSignException

/**
 * What a screen shows for a failure: a stable [code] (an `ErrorCode` name for the library's
 * errors, or the controller's own) and the holder-facing texts. Never a PIN or personal data.
 */
data class ErrorText(val code: String, val messageJa: String, val messageEn: String)

/** The code and texts of a library error. */
val MynaSignException.errorText: ErrorText
    get() = ErrorText(code.name, messageJa, messageEn)
