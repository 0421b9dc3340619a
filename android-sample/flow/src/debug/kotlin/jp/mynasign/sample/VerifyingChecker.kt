package jp.mynasign.sample

import jp.mynasign.MynaSign
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.verifyConsent

/**
 * Checks the consent with the library's verifier (the `verify` feature: the testing artifact,
 * the debug build and the receiving services; not what a phone app ships).
 */
class VerifyingChecker(private val options: VerifyConsentOptions) : ConsentChecker {
    override fun check(cms: ByteArray): CheckedConsent {
        val verified = MynaSign.verifyConsent(cms, options)
        return CheckedConsent(verified.documentJson(), verified.signer().issuanceNumber(), verified.signingTime())
    }
}
