package jp.mynasign.android.tests

import jp.mynasign.Emulator
import jp.mynasign.LinkException
import jp.mynasign.android.OmapiChannel
import jp.mynasign.ErrorCode
import jp.mynasign.MynaException
import jp.mynasign.MynaSignException
import jp.mynasign.SecureElementReason
import jp.mynasign.android.OmapiLink
import jp.mynasign.android.OmapiReader
import jp.mynasign.android.OmapiService
import jp.mynasign.android.OmapiSession
import jp.mynasign.signConsent
import jp.mynasign.verifyConsent
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.RuntimeEnvironment

/**
 * A secure element holding the emulated JPKI application: opening a logical channel on the
 * JPKI AID selects it (as the SE does), and SELECT by DF name through transmit is refused
 * (as OMAPI does, with a SecurityException).
 */
class EmulatedSe(
    private val card: Emulator,
    var readerName: String = "eSE1",
    var present: Boolean = true,
    var connected: Boolean = true,
    var denyChannel: Boolean = false,
    var hasApplet: Boolean = true,
) : OmapiService {
    var shutdowns = 0
    var sessionsClosed = 0
    var channelsClosed = 0
    val transmitted = mutableListOf<ByteArray>()

    override val isConnected: Boolean get() = connected
    override val readers: List<OmapiReader>
        get() = listOf(object : OmapiReader {
            override val name: String get() = readerName
            override val isSecureElementPresent: Boolean get() = present
            override fun openSession(): OmapiSession = object : OmapiSession {
                override fun openLogicalChannel(aid: ByteArray, p2: Byte): OmapiChannel? {
                    if (denyChannel) throw SecurityException("Access denied for jp.example.app")
                    if (!hasApplet) return null
                    // The SE selects the applet when it opens the channel (no FCI asked here).
                    val select = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, aid.size.toByte()) + aid
                    val sw = card.transceive(select)
                    check(sw.takeLast(2) == listOf(0x90.toByte(), 0x00.toByte()))
                    return object : OmapiChannel {
                        override fun transmit(command: ByteArray): ByteArray {
                            if (command[1] == 0xA4.toByte() && command[2] == 0x04.toByte()) {
                                throw SecurityException("SELECT by DF name is not allowed")
                            }
                            transmitted += command
                            return card.transceive(command)
                        }
                        override fun close() {
                            channelsClosed++
                        }
                    }
                }
                override fun close() {
                    sessionsClosed++
                }
            }
        })

    override fun shutdown() {
        shutdowns++
        connected = false
    }
}

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class OmapiLinkTest {
    @Test
    fun signsOverTheSecureElementChannel() = runBlocking {
        val card = newCard()
        val se = EmulatedSe(card)
        val link = OmapiLink.open(se)
        assertArrayEquals(
            "the library's SELECT of the AID is answered locally",
            byteArrayOf(0x90.toByte(), 0x00),
            link.transceive(byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A) + OmapiLink.JPKI_AID),
        )
        val signed = link.use { signConsent(it, consentDocument(), card.signaturePassword()) }
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue(se.transmitted.isNotEmpty())
        assertEquals(1, se.shutdowns)
        assertEquals(1, se.channelsClosed)
        assertEquals(1, se.sessionsClosed)
        assertTrue(runCatching { link.transceive(byteArrayOf(0, 0xB0.toByte(), 0, 0, 0)) }.exceptionOrNull() is LinkException.TagLost)
        link.closeLink()
        assertEquals("closing twice shuts down once", 1, se.shutdowns)
    }

    @Test
    fun accessRulesRefusingTheAppIsTyped() {
        val se = EmulatedSe(newCard(), denyChannel = true)
        expectSe(SecureElementReason.ACCESS_DENIED) { OmapiLink.open(se) }
        assertEquals(1, se.shutdowns)
    }

    @Test
    fun missingServiceIsTyped() {
        val se = EmulatedSe(newCard(), connected = false)
        expectSe(SecureElementReason.SERVICE_UNAVAILABLE) { OmapiLink.open(se) }
        assertEquals(1, se.shutdowns)
    }

    @Test
    fun noEmbeddedSecureElementIsTyped() {
        val uiccOnly = EmulatedSe(newCard(), readerName = "SIM1")
        expectSe(SecureElementReason.NO_SECURE_ELEMENT) { OmapiLink.open(uiccOnly) }
        assertEquals(1, uiccOnly.shutdowns)
        val absent = EmulatedSe(newCard(), present = false)
        expectSe(SecureElementReason.NO_SECURE_ELEMENT) { OmapiLink.open(absent) }
        assertEquals(1, absent.shutdowns)
    }

    @Test
    fun noJpkiApplicationIsTyped() {
        val se = EmulatedSe(newCard(), hasApplet = false)
        expectSe(SecureElementReason.NO_JPKI_APPLICATION) { OmapiLink.open(se) }
        assertEquals(1, se.shutdowns)
        assertEquals(1, se.sessionsClosed)
    }

    /**
     * On a JVM without the platform's secure-element service, connect() fails typed, in time,
     * and never blocks the thread it runs on: another task on the same single thread runs
     * while connect() waits for the service.
     */
    @Test
    fun connectWithoutTheServiceFailsTypedWithoutBlockingItsThread() {
        val executor = java.util.concurrent.Executors.newSingleThreadExecutor()
        val one = executor.asCoroutineDispatcher()
        try {
            val started = System.nanoTime()
            val attempt = CoroutineScope(one).async {
                runCatching { OmapiLink.connect(RuntimeEnvironment.getApplication(), timeoutMillis = 2_000) }
            }
            val other = CoroutineScope(one).async { System.nanoTime() }
            val otherRanAt = runBlocking { withTimeout(10_000) { other.await() } }
            val outcome = runBlocking { withTimeout(10_000) { attempt.await() } }
            val e = outcome.exceptionOrNull()
            assertEquals("typed: $e", SecureElementReason.SERVICE_UNAVAILABLE, ((e as? MynaSignException)?.error as? MynaException.SecureElementUnavailable)?.reason)
            assertFalse(e?.message.isNullOrEmpty())
            assertTrue("the thread stayed free while connect waited", otherRanAt - started < 1_500_000_000L)
        } finally {
            one.close()
        }
    }

    /** Platform exceptions of openLogicalChannel are typed (UnsupportedOperationException, IllegalStateException). */
    @Test
    fun unsupportedChannelRequestIsTyped() {
        val se = object : OmapiService by EmulatedSe(newCard()) {
            override val readers: List<OmapiReader>
                get() = listOf(object : OmapiReader {
                    override val name = "eSE1"
                    override val isSecureElementPresent = true
                    override fun openSession(): OmapiSession = object : OmapiSession {
                        override fun openLogicalChannel(aid: ByteArray, p2: Byte): OmapiChannel? =
                            throw UnsupportedOperationException("P2 not supported")
                        override fun close() = Unit
                    }
                })
        }
        expectSe(SecureElementReason.UNSUPPORTED) { OmapiLink.open(se) }
    }

    /** [block] fails with the library's error SECURE_ELEMENT_UNAVAILABLE of [reason], with both texts. */
    private fun expectSe(reason: SecureElementReason, block: () -> Unit) {
        try {
            block()
            fail("no error")
        } catch (e: MynaSignException) {
            assertEquals(ErrorCode.SECURE_ELEMENT_UNAVAILABLE, e.code)
            assertEquals(reason, (e.error as MynaException.SecureElementUnavailable).reason)
            assertTrue(e.messageJa.isNotBlank() && e.messageEn.isNotBlank())
        }
    }
}
