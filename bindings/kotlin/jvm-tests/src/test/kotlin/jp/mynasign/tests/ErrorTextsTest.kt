package jp.mynasign.tests

import java.util.Locale
import jp.mynasign.BasicAttributes
import jp.mynasign.CancelHandle
import jp.mynasign.CardLink
import jp.mynasign.CardProfile
import jp.mynasign.CertificateSource
import jp.mynasign.CertificateType
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.JpkiCard
import jp.mynasign.LinkException
import jp.mynasign.MynaException
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.Progress
import jp.mynasign.ProgressListener
import jp.mynasign.SignOptions
import jp.mynasign.compareLinkage
import jp.mynasign.consentPeriod
import jp.mynasign.signConsent
import jp.mynasign.toMynaSign
import jp.mynasign.verifyConsent
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** Answers every command with one status word. */
private class StatusLink(private val sw: Int) : CardLink {
    override fun transceive(command: ByteArray) = byteArrayOf((sw shr 8).toByte(), sw.toByte())
    override fun supportsExtendedLength() = true
    override fun maxTransceiveLength() = 0
    override fun closeLink() {}
}

/**
 * Issue 9: every error case the Kotlin API can produce, with its code and its texts in both
 * languages, `message` following the device's Locale.
 */
class ErrorTextsTest {
    private val emu = Emulator(13uL, CardProfile.MY_NUMBER_CARD)

    /** Runs [block], which must fail with a MynaSignException, and returns it. */
    private fun failure(block: suspend () -> Unit): MynaSignException {
        try {
            runBlocking { block() }
        } catch (e: MynaSignException) {
            return e
        }
        throw AssertionError("no MynaSignException")
    }

    private fun sync(block: () -> Unit): MynaSignException {
        try {
            block()
        } catch (e: MynaException) {
            return e.toMynaSign()
        }
        throw AssertionError("no MynaException")
    }

    /** One failure per case, named. */
    private fun cases(): List<Pair<String, MynaSignException>> {
        val doc = addressChange()
        val pw = emu.signaturePassword()
        val lastOne = { persona("one-attempt-left.json") }
        return listOf(
            "invalid PIN format" to failure { MynaSign.signConsent(ForwardingLink(emu), doc, "abc".toByteArray()) },
            "wrong PIN" to failure { MynaSign.signConsent(ForwardingLink(emu), doc, WRONG_PASSWORD) },
            "last-attempt guard" to lastOne().let { p -> failure { MynaSign.signConsent(ForwardingLink(p), doc, WRONG_PASSWORD) } },
            "PIN now blocked" to lastOne().let { p ->
                failure { MynaSign.signConsent(ForwardingLink(p), doc, WRONG_PASSWORD, SignOptions(allowLastAttempt = true)) }
            },
            "PIN blocked" to persona("blocked-signature-password.json").let { p ->
                failure { MynaSign.signConsent(ForwardingLink(p), doc, p.signaturePassword()) }
            },
            "PIN not verified" to failure {
                JpkiCard.open(ForwardingLink(emu)).use { c ->
                    try {
                        c.readCertificate(CertificateType.SIGNATURE)
                    } catch (e: MynaException) {
                        throw e.toMynaSign()
                    }
                }
            },
            "tag lost" to failure { MynaSign.signConsent(FailingLink(emu, null) { LinkException.TagLost() }, doc, pw) },
            "tag lost during VERIFY" to failure { MynaSign.signConsent(FailingLink(emu, INS_VERIFY) { LinkException.TagLost() }, doc, pw) },
            "timeout" to failure { MynaSign.signConsent(FailingLink(emu, null) { LinkException.Timeout() }, doc, pw) },
            "link failed" to failure { MynaSign.signConsent(FailingLink(emu, null) { LinkException.Other("radio off") }, doc, pw) },
            "not a My Number Card" to failure { MynaSign.readPinStatus(StatusLink(0x6A82)) },
            "no signature certificate" to persona("under-15.json").let { p ->
                failure { MynaSign.signConsent(ForwardingLink(p), doc, p.signaturePassword()) }
            },
            "not a signature certificate" to sync {
                val auth = runBlocking { JpkiCard.open(ForwardingLink(emu)).use { it.readCertificate(CertificateType.AUTHENTICATION) } }
                compareLinkage(BasicAttributes("山田　太郎", "東京都", "1990-01-01", jp.mynasign.Sex.MALE), auth)
            },
            "cancelled" to failure { MynaSign.signConsent(ForwardingLink(emu), doc, pw, cancel = CancelHandle().also { it.cancel() }) },
            "channel rule" to Emulator(3uL, CardProfile.ANDROID_SMARTPHONE).let { p ->
                failure { MynaSign.signConsent(ForwardingLink(p), doc, p.signaturePassword()) }
            },
            "attribute mismatch" to failure {
                val attrs = MynaSign.readBasicAttributes(ForwardingLink(emu), emu.cardInfoPin())
                val moved = BasicAttributes(attrs.name(), attrs.address() + "１", attrs.dateOfBirth(), attrs.sex())
                MynaSign.signConsent(ForwardingLink(emu), ConsentDocument.mynaportalLinkage(moved, "n-m"), pw)
            },
            "verification failed" to failure {
                val signed = MynaSign.signConsent(ForwardingLink(emu), doc, pw)
                MynaSign.verifyConsent(signed.cms()) // production roots
            },
            "invalid input" to sync { consentPeriod("2028-02-30", "2028-03-01", 30) },
            "keystore failed" to Emulator(4uL, CardProfile.ANDROID_SMARTPHONE).let { p ->
                failure {
                    MynaSign.signConsentWithSigner(failingSigner(p), CertificateSource.SMARTPHONE, addressChange(channel = ConsentChannel.MYNAPORTAL))
                }
            },
            "callback failed" to failure {
                // The progress listener is the generated API's: the layer's own never throws.
                val throwing = object : ProgressListener {
                    override fun onProgress(progress: Progress) = throw IllegalStateException("UI gone")
                }
                try {
                    signConsent(ForwardingLink(emu), doc, pw, listener = throwing)
                } catch (e: MynaException) {
                    throw e.toMynaSign()
                }
            },
            "card error" to failure { MynaSign.readPinStatus(StatusLink(0x6F00)) },
            // Raised by the Android layer (MynaCardReader, OmapiLink), not by a flow.
            "NFC off" to MynaException.NfcUnavailable(jp.mynasign.NfcUnavailableReason.NFC_OFF).toMynaSign(),
            "secure element access denied" to
                MynaException.SecureElementUnavailable(jp.mynasign.SecureElementReason.ACCESS_DENIED).toMynaSign(),
        )
    }

    @Test
    fun `every reachable error code has texts in both languages and message follows the Locale`() {
        val cases = cases()
        val byCode = cases.groupBy({ it.second.code }, { it })
        // Every code but INTERNAL (a defect of the library, reported, never a crash).
        val reachable = ErrorCode.entries.filter { it != ErrorCode.INTERNAL }.toSet()
        assertEquals(reachable, byCode.keys.intersect(reachable), "missing: ${reachable - byCode.keys}")
        val secrets = listOf(emu.signaturePassword(), emu.cardInfoPin(), emu.authenticationPin(), WRONG_PASSWORD).map { String(it) }
        for ((name, e) in cases) {
            assertTrue(hasJapanese(e.messageJa), "$name: ${e.messageJa}")
            assertTrue(e.messageEn.isNotBlank() && !hasJapanese(e.messageEn), "$name: ${e.messageEn}")
            assertTrue(e.cause is MynaException, "$name: the cause is the generated exception")
            assertTrue(e.error === e.cause)
            withLocale(Locale.JAPAN) {
                assertEquals(e.messageJa, e.message, name)
                assertEquals(e.messageJa, e.localizedMessage, name)
                assertEquals(e.error.recoveryJa(), e.recovery, name)
            }
            withLocale(Locale.US) {
                assertEquals(e.messageEn, e.message, name)
                assertEquals(e.error.recoveryEn(), e.recovery, name)
                assertTrue(e.toString().contains(e.messageEn), "$name: $e")
            }
            withLocale(Locale.FRANCE) { assertEquals(e.messageEn, e.message, name) }
            for (s in secrets) {
                assertFalse(e.messageJa.contains(s) || e.messageEn.contains(s) || e.toString().contains(s), "$name shows a PIN")
            }
        }
    }

    @Test
    fun `the flags tell what a retry costs`() {
        val cases = cases().toMap()
        val during = cases.getValue("tag lost during VERIFY")
        assertEquals(ErrorCode.TAG_LOST_DURING_VERIFY, during.code)
        assertTrue(during.pinCounterUncertain)
        assertFalse(during.retrySafe)
        assertTrue(cases.getValue("tag lost").retrySafe)
        assertTrue(cases.getValue("cancelled").retrySafe)
        assertFalse(cases.getValue("wrong PIN").retrySafe)
        assertEquals(4, (cases.getValue("wrong PIN").error as MynaException.WrongPin).remaining)
        assertEquals(ErrorCode.LAST_ATTEMPT, cases.getValue("last-attempt guard").code)
        assertEquals(ErrorCode.PIN_NOW_BLOCKED, cases.getValue("PIN now blocked").code)
        assertEquals(ErrorCode.PIN_BLOCKED, cases.getValue("PIN blocked").code)
        assertEquals(ErrorCode.NO_SIGNATURE_CERTIFICATE, cases.getValue("no signature certificate").code)
        val keystore = cases.getValue("keystore failed")
        assertEquals(ErrorCode.KEYSTORE_FAILED, keystore.code)
        assertEquals("The phone could not sign with its stored certificate. Unlock the phone and try again.", keystore.messageEn)
        assertNotEquals(cases.getValue("card error").messageEn, keystore.messageEn, "the keystore's own text, not the card's")
    }
}
