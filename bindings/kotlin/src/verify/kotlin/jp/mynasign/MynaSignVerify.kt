// The verifier, for JVM receiving services and the tests. Not in the Android module: the
// library a phone ships is built without the FFI's `verify` feature, so the generated Kotlin
// it comes with has no `verifyConsent` or `Verifier` to call.
package jp.mynasign

/**
 * Verifies a signed consent ([cms], DER). The default options are a receiving service's:
 * production roots, now, and a CRL or OCSP response required in [options]. A service that
 * verifies many consents builds one [Verifier] instead.
 */
fun MynaSign.verifyConsent(
    cms: ByteArray,
    options: VerifyConsentOptions = VerifyConsentOptions(),
): VerifiedConsent =
    try {
        jp.mynasign.verifyConsent(cms, options)
    } catch (e: MynaException) {
        throw e.toMynaSign()
    }
