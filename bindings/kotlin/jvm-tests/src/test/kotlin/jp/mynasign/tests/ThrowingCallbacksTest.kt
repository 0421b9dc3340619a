package jp.mynasign.tests

import jp.mynasign.CardProfile
import jp.mynasign.CertificateSource
import jp.mynasign.ConsentChannel
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.MynaException
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.PinType
import jp.mynasign.Progress
import jp.mynasign.ProgressListener
import jp.mynasign.SignerException
import jp.mynasign.signConsent
import jp.mynasign.toMynaSign
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Issue 9: whatever the app's callbacks throw comes back as a typed MynaSignException with
 * the right code, never the generated InternalException nor a crash.
 */
class ThrowingCallbacksTest {
    private val emu = Emulator(14uL, CardProfile.MY_NUMBER_CARD)
    private val phone = Emulator(15uL, CardProfile.ANDROID_SMARTPHONE)

    private fun thrown(block: suspend () -> Unit): MynaSignException =
        assertThrows<MynaSignException> { runBlocking { block() } }

    @Test
    fun `a RuntimeException from transceive is LINK_FAILED`() {
        val e = thrown {
            MynaSign.signConsent(FailingLink(emu, null) { IllegalStateException("radio off") }, addressChange(), emu.signaturePassword())
        }
        assertEquals(ErrorCode.LINK_FAILED, e.code)
        assertTrue(e.error is MynaException.LinkFailed)
        assertTrue(e.retrySafe)
        // During VERIFY: the PIN counter is not known to be untouched.
        val during = thrown {
            MynaSign.signConsent(FailingLink(emu, INS_VERIFY) { RuntimeException("boom") }, addressChange(), emu.signaturePassword())
        }
        assertTrue(during.code == ErrorCode.LINK_FAILED || during.code == ErrorCode.TAG_LOST_DURING_VERIFY, "${during.code}")
    }

    @Test
    fun `a RuntimeException from the link's capabilities is CALLBACK_FAILED`() {
        val link = object : ForwardingLink(emu) {
            override fun supportsExtendedLength(): Boolean = throw UnsupportedOperationException("no IsoDep")
        }
        val e = thrown { MynaSign.readPinStatus(link) }
        assertEquals(ErrorCode.CALLBACK_FAILED, e.code)
        assertEquals("link", (e.error as MynaException.CallbackFailed).callback)
        assertTrue(link.commands.isEmpty(), "nothing was sent")
    }

    @Test
    fun `a throwing progress listener is CALLBACK_FAILED and stops the flow`() {
        var calls = 0
        val listener = object : ProgressListener {
            override fun onProgress(progress: Progress) {
                calls++
                throw IllegalStateException("the screen is gone")
            }
        }
        val link = ForwardingLink(emu)
        val e = assertThrows<MynaException> {
            runBlocking { signConsent(link, addressChange(), emu.signaturePassword(), listener = listener) }
        }.toMynaSign()
        assertEquals(ErrorCode.CALLBACK_FAILED, e.code)
        assertEquals("progress", (e.error as MynaException.CallbackFailed).callback)
        assertEquals(1, calls, "the flow stopped at the first step")
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
        assertTrue(link.commands.none { ins(it) == INS_VERIFY && it.size > 5 }, "no VERIFY was sent")
    }

    @Test
    fun `a keystore signer failing with SignerException Failed is KEYSTORE_FAILED`() {
        val e = thrown {
            MynaSign.signConsentWithSigner(failingSigner(phone), CertificateSource.SMARTPHONE, addressChange(channel = ConsentChannel.MYNAPORTAL))
        }
        assertEquals(ErrorCode.KEYSTORE_FAILED, e.code)
        assertEquals("key invalidated", (e.error as MynaException.KeystoreFailed).detail)
        assertTrue(e.messageEn.startsWith("The phone could not sign"), e.messageEn)
    }

    @Test
    fun `a keystore signer throwing a RuntimeException is KEYSTORE_FAILED`() {
        val signer = EmulatedKeystore(phone) { IllegalStateException("KeyPermanentlyInvalidatedException") }
        val e = thrown {
            MynaSign.signConsentWithSigner(signer, CertificateSource.SMARTPHONE, addressChange(channel = ConsentChannel.MYNAPORTAL))
        }
        assertEquals(ErrorCode.KEYSTORE_FAILED, e.code)
        // Also when the certificate cannot be read.
        val noCert = object : jp.mynasign.KeystoreSigner by EmulatedKeystore(phone) {
            override fun certificateDer(): ByteArray = throw SecurityException("user not authenticated")
        }
        val c = thrown {
            MynaSign.signConsentWithSigner(noCert, CertificateSource.SMARTPHONE, addressChange(channel = ConsentChannel.MYNAPORTAL))
        }
        assertEquals(ErrorCode.KEYSTORE_FAILED, c.code)
        val cancelled = thrown {
            MynaSign.signConsentWithSigner(EmulatedKeystore(phone) { SignerException.Cancelled() }, CertificateSource.SMARTPHONE,
                addressChange(channel = ConsentChannel.MYNAPORTAL))
        }
        assertEquals(ErrorCode.CANCELLED, cancelled.code)
    }
}
