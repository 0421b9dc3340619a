package jp.mynasign.sample

import java.util.UUID
import jp.mynasign.LoginCheck
import jp.mynasign.LoginResult
import jp.mynasign.LoginVerifier
import jp.mynasign.MynaException
import jp.mynasign.toMynaSign

/**
 * The service's side of the login on the phone, standing in for the service in the debug
 * build (like [VerifyingChecker] for the consent): the library's `LoginVerifier` (the `verify`
 * feature, not what a phone app ships) issues the challenge for one session of its own and
 * verifies the response. [ocsp] gives the OCSP response for the authentication certificate
 * (the emulator's responder with the emulated card), or null: the verifier's rule for
 * unchecked revocation applies.
 */
class VerifyingLoginService(
    private val verifier: LoginVerifier,
    override val service: String,
    private val ocsp: ((ByteArray) -> ByteArray)? = null,
) : LoginService {
    private val session = UUID.randomUUID().toString()

    override suspend fun challenge(): String = mapped { verifier.issueChallenge(session) }

    override suspend fun submit(result: LoginResult): LoginAccount = mapped {
        val v = verifier.verify(session, result.responseJson, LoginCheck(ocspResponse = ocsp?.invoke(result.certificateDer)))
        LoginAccount(v.certificateSerial, v.keyId, v.notAfter)
    }

    private inline fun <T> mapped(block: () -> T): T =
        try {
            block()
        } catch (e: MynaException) {
            throw e.toMynaSign()
        }
}
