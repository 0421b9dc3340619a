package jp.mynasign.tests

import java.security.MessageDigest
import java.time.Instant
import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.KeyAlgorithm
import jp.mynasign.KeystoreSigner
import jp.mynasign.LinkException
import jp.mynasign.LoginCheck
import jp.mynasign.LoginResult
import jp.mynasign.LoginVerifier
import jp.mynasign.MynaException
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.PinType
import jp.mynasign.Verifier
import jp.mynasign.VerifierOptions
import jp.mynasign.VerifyFailure
import jp.mynasign.CertificateSource
import jp.mynasign.ConsentChannel
import jp.mynasign.emulatorOcspResponse
import jp.mynasign.logIn
import jp.mynasign.logInWithSigner
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Issue 26: login with the user-authentication certificate, app and service, on the emulator. */
class LoginTest {
    private val service = "https://login.example.jp"

    private fun verifier(emu: Emulator, allowUnchecked: Boolean = false) = LoginVerifier(
        Verifier(VerifierOptions(rootsDer = emu.rootCertificatesDer(), allowUncheckedRevocation = allowUnchecked)),
        service,
    )

    private fun ocsp(result: LoginResult, revokedAt: Instant? = null) =
        LoginCheck(ocspResponse = emulatorOcspResponse(result.certificateDer, revokedAt))

    private fun logIn(emu: Emulator, challenge: String, link: ForwardingLink = ForwardingLink(emu), as_: String = service, pin: ByteArray = emu.authenticationPin()) =
        runBlocking { MynaSign.logIn(link, challenge, as_, pin) }

    private fun refused(reason: VerifyFailure, block: () -> Unit) {
        val e = assertThrows<MynaException.VerificationFailed> { block() }
        assertEquals(reason, e.reason)
    }

    @Test
    fun `log in on a card and on an Android phone, accepted with the emulator's OCSP`() {
        for (profile in listOf(CardProfile.MY_NUMBER_CARD, CardProfile.ANDROID_SMARTPHONE)) {
            val emu = Emulator(1uL, profile)
            val login = verifier(emu)
            val link = ForwardingLink(emu)
            val result = logIn(emu, login.issueChallenge("s"), link)
            assertEquals(6u, result.exchanges)
            assertEquals(6, link.commands.size)
            assertEquals(3, result.pinRemainingBefore)
            val v = login.verify("s", result.responseJson, ocsp(result))
            assertEquals(result.certificateSerial, v.certificateSerial)
            assertFalse(v.rawForm)
        }
    }

    @Test
    fun `replayed, expired and relayed challenges are refused`() {
        val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)
        val login = verifier(emu)
        val ok = logIn(emu, login.issueChallenge("s"))
        login.verify("s", ok.responseJson, ocsp(ok))
        refused(VerifyFailure.CHALLENGE_REPLAYED) { login.verify("s", ok.responseJson, ocsp(ok)) }
        val late = logIn(emu, login.issueChallengeAt("s", Instant.now().minusSeconds(600)))
        refused(VerifyFailure.CHALLENGE_EXPIRED) { login.verify("s", late.responseJson, ocsp(late)) }
        val relayed = logIn(emu, login.issueChallenge("s"), as_ = "https://phish.example")
        refused(VerifyFailure.RELAYED_RESPONSE) { login.verify("s", relayed.responseJson, ocsp(relayed)) }
    }

    @Test
    fun `a certificate revoked by the emulator's OCSP is refused`() {
        val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)
        val login = verifier(emu)
        val r = logIn(emu, login.issueChallenge("s"))
        refused(VerifyFailure.REVOKED) { login.verify("s", r.responseJson, ocsp(r, Instant.now().minusSeconds(86_400))) }
    }

    /** The card's authentication key as a "keystore": APDUs on the emulated card (SELECT the
     *  JPKI application, VERIFY PIN 0018, COMPUTE DIGITAL SIGNATURE with key 0017 over the
     *  SHA-256 DigestInfo; PROTOCOL.md section 4). */
    private class AuthenticationKeystore(private val emu: Emulator, private val certificate: ByteArray) : KeystoreSigner {
        var signed = 0
        override fun certificateDer() = certificate
        override fun algorithm() = KeyAlgorithm.RSA_PKCS1_SHA256
        override fun sign(message: ByteArray): ByteArray {
            signed++
            val prefix = "3031300d060960864801650304020105000420".chunked(2).map { it.toInt(16).toByte() }.toByteArray()
            val digestInfo = prefix + MessageDigest.getInstance("SHA-256").digest(message)
            emu.transceive("00a4040c0ad392f000260100000001".chunked(2).map { it.toInt(16).toByte() }.toByteArray())
            val pin = emu.authenticationPin()
            emu.transceive(byteArrayOf(0x00, 0x20, 0x00, 0x98.toByte(), pin.size.toByte()) + pin)
            val answer = emu.transceive(byteArrayOf(0x80.toByte(), 0x2A, 0x00, 0x97.toByte(), digestInfo.size.toByte()) + digestInfo + byteArrayOf(0))
            return answer.copyOf(answer.size - 2)
        }
    }

    @Test
    fun `a signature certificate never logs in, an authentication certificate never signs a consent`() {
        val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)
        val login = verifier(emu, allowUnchecked = true)
        // The signature key and certificate (the emulated keystore's) answering a login.
        val forged = runBlocking { MynaSign.logInWithSigner(EmulatedKeystore(emu), login.issueChallenge("s"), service) }
        refused(VerifyFailure.SIGNATURE_CERTIFICATE_FOR_LOGIN) { login.verify("s", forged, LoginCheck()) }
        // The authentication key offered for a consent: refused before it is asked to sign.
        val cert = logIn(emu, login.issueChallenge("s")).certificateDer
        val keystore = AuthenticationKeystore(emu, cert)
        val e = assertThrows<MynaSignException> {
            runBlocking {
                MynaSign.signConsentWithSigner(keystore, CertificateSource.CARD, addressChange(channel = ConsentChannel.MYNAPORTAL))
            }
        }
        assertEquals(ErrorCode.NOT_SIGNATURE_CERTIFICATE, e.code)
        assertEquals(0, keystore.signed)
        // What it is for: a login.
        val response = runBlocking { MynaSign.logInWithSigner(keystore, login.issueChallenge("s"), service) }
        assertEquals(1, keystore.signed)
        login.verify("s", response, LoginCheck())
    }

    @Test
    fun `a wrong PIN counts down, a link lost during VERIFY is reported`() {
        val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)
        val login = verifier(emu)
        val challenge = login.issueChallenge("s")
        val bad = assertThrows<MynaSignException> { logIn(emu, challenge, pin = "12a4".toByteArray()) }
        assertEquals(ErrorCode.INVALID_PIN_FORMAT, bad.code)
        val wrongPin = if (String(emu.authenticationPin()) == "9999") "1111" else "9999"
        val wrong = assertThrows<MynaSignException> { logIn(emu, challenge, pin = wrongPin.toByteArray()) }
        assertEquals(ErrorCode.WRONG_PIN, wrong.code)
        assertEquals(2, (wrong.error as MynaException.WrongPin).remaining)
        assertEquals(2, emu.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))
        val lost = assertThrows<MynaSignException> {
            logIn(emu, challenge, FailingLink(emu, INS_VERIFY) { LinkException.TagLost() })
        }
        assertEquals(ErrorCode.TAG_LOST_DURING_VERIFY, lost.code)
        assertTrue(lost.pinCounterUncertain)
    }
}
