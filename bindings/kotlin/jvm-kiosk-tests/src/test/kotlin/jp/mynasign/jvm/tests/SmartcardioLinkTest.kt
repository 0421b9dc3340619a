package jp.mynasign.jvm.tests

import com.sun.jna.Library
import com.sun.jna.Native
import com.sun.jna.NativeLong
import com.sun.jna.ptr.NativeLongByReference
import jp.mynasign.CardProfile
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.HolderStatus
import jp.mynasign.LinkException
import jp.mynasign.MynaSign
import jp.mynasign.RevocationMethod
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.jvm.SmartcardioLink
import jp.mynasign.termsFromText
import jp.mynasign.verifyConsent
import javax.smartcardio.CardChannel
import javax.smartcardio.CommandAPDU
import javax.smartcardio.TerminalFactory
import kotlinx.coroutines.runBlocking
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * [SmartcardioLink] against the card `mynasign emulator serve` puts behind vpcd, run by
 * tests/pcsc/jvm.sh (from tests/pcsc/run.sh) with pcscd running. The reader's name and the
 * served persona's seed come as system properties; the persona's secrets from an in-process
 * twin emulator with the same seed.
 */
class SmartcardioLinkTest {
    private val reader = System.getProperty("mynasign.reader") ?: error("-Dmynasign.reader is not set")
    private val twin = Emulator(System.getProperty("mynasign.seed").toULong(), CardProfile.MY_NUMBER_CARD)

    private fun document(nonce: String) = ConsentDocument.addressChange(
        listOf(ConsentItem.ADDRESS), HolderStatus.MY_NUMBER_LICENCE_ONLY,
        termsFromText("address-change-one-stop", "1", "terms"), ConsentChannel.LICENCE_CENTRE_KIOSK, nonce,
    )

    @Test
    fun `signs a consent over javax smartcardio that verifies`() = runBlocking {
        assertContains(SmartcardioLink.readerNames(), reader)
        val signed = SmartcardioLink.open(reader).use { link ->
            assertEquals(reader, link.readerName)
            MynaSign.signConsent(link, document("jvm-pcsc-1"), twin.signaturePassword())
        }
        assertEquals(6, signed.counts().exchanges)
        val verified = MynaSign.verifyConsent(
            signed.cms(),
            VerifyConsentOptions(rootsDer = twin.rootCertificatesDer(), crls = listOf(twin.crl())),
        )
        assertEquals(RevocationMethod.CRL, verified.revocation().method)
        assertEquals("jvm-pcsc-1", verified.document().nonce())
    }

    @Test
    fun `the card is the link's alone while it is open`() {
        val other: CompletableFuture<Long>
        SmartcardioLink.open(reader).use { link ->
            // Another application asking for the card exclusively: PC/SC holds it back (its
            // SCardConnect waits) for as long as the link's transaction lasts.
            other = CompletableFuture.supplyAsync { Pcsc.connectExclusive(reader) }
            assertThrows<TimeoutException> { other.get(2, TimeUnit.SECONDS) }
            // Another link in this JVM is refused at once.
            assertThrows<LinkException.Other> { SmartcardioLink.open(reader) }
            // The link itself still works.
            runBlocking { MynaSign.readPinStatus(link) }
            assertTrue(!other.isDone, "the other application got the card while the link was open")
        }
        // Closed: the waiting application gets the card.
        assertEquals(0L, other.get(20, TimeUnit.SECONDS))
    }

    /**
     * Issue 22: once a flow over the link is over, the next program (here a second PC/SC
     * connection that selects the JPKI application and reads EF 0001, which needs the signature
     * password) finds the PIN not verified. The control shows the check can fail: a program
     * that verifies and ends with a warm reset leaves it verified (PROTOCOL.md 3a).
     */
    @Test
    fun `no PIN stays verified for the next program`() = runBlocking {
        val password = twin.signaturePassword()
        val verify = byteArrayOf(0x00, 0x20, 0x00, 0x9B.toByte(), password.size.toByte()) + password
        rawProgram(reset = true) { channel ->
            assertEquals(0x9000, channel.transmit(CommandAPDU(SELECT_JPKI)).sw)
            assertEquals(0x9000, channel.transmit(CommandAPDU(verify)).sw)
        }
        assertEquals(0x9000, nextProgramReadsSignatureCertificate(), "a warm reset keeps the status")
        SmartcardioLink.open(reader).use { link ->
            MynaSign.signConsent(link, document("jvm-pcsc-2"), password)
        }
        assertEquals(0x6982, nextProgramReadsSignatureCertificate(), "after a flow over the link")
    }

    /** A second program: its own connection, `block` on its channel, then a disconnect. */
    private fun rawProgram(reset: Boolean, block: (CardChannel) -> Unit) {
        val card = TerminalFactory.getDefault().terminals().getTerminal(reader).connect("T=1")
        try {
            block(card.basicChannel)
        } finally {
            card.disconnect(reset)
        }
    }

    /** SELECT JPKI (re-selecting keeps a status), then READ BINARY of EF 0001: its SW. */
    private fun nextProgramReadsSignatureCertificate(): Int {
        var sw = 0
        rawProgram(reset = false) { channel ->
            assertEquals(0x9000, channel.transmit(CommandAPDU(SELECT_JPKI)).sw)
            sw = channel.transmit(CommandAPDU(byteArrayOf(0x00, 0xB0.toByte(), 0x81.toByte(), 0x00, 0x02))).sw
        }
        return sw
    }

    @Test
    fun `a closed link fails as a lost card and the first reader with a card is found`() {
        val link = SmartcardioLink.open()
        assertEquals(reader, link.readerName)
        assertEquals(0x3B, link.atr[0].toInt())
        link.closeLink()
        assertTrue(link.isClosed)
        assertThrows<LinkException.TagLost> { link.transceive(byteArrayOf(0, 0xA4.toByte(), 4, 0)) }
        link.closeLink() // twice is harmless
        val error = assertThrows<LinkException.Other> { SmartcardioLink.open("No Such Reader") }
        assertContains(error.detail, "No Such Reader")
    }

    @Test
    fun `an empty reader has no card`() {
        // vpcd lists a second slot that holds nothing.
        val empty = SmartcardioLink.readerNames().first { it != reader }
        assertThrows<LinkException.TagLost> { SmartcardioLink.open(empty) }
    }

    private companion object {
        val SELECT_JPKI = byteArrayOf(
            0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A,
            0xD3.toByte(), 0x92.toByte(), 0xF0.toByte(), 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
        )
    }

    /** A second application, through libpcsclite directly (JNA). */
    private object Pcsc {
        @Suppress("FunctionName")
        interface WinSCard : Library {
            fun SCardEstablishContext(scope: NativeLong, r1: Long, r2: Long, context: NativeLongByReference): NativeLong
            fun SCardReleaseContext(context: NativeLong): NativeLong
            fun SCardConnect(
                context: NativeLong, reader: String, shareMode: NativeLong, protocols: NativeLong,
                card: NativeLongByReference, active: NativeLongByReference,
            ): NativeLong
            fun SCardDisconnect(card: NativeLong, disposition: NativeLong): NativeLong
        }

        private val lib: WinSCard = Native.load(
            System.getProperty(SmartcardioLink.LIBRARY_PROPERTY) ?: "pcsclite", WinSCard::class.java,
        )

        /** SCardConnect(SCARD_SHARE_EXCLUSIVE, T=1): 0 when granted (then disconnected), else the error code. */
        fun connectExclusive(reader: String): Long {
            val ctx = NativeLongByReference()
            check(lib.SCardEstablishContext(NativeLong(2), 0, 0, ctx).toLong() == 0L)
            try {
                val card = NativeLongByReference()
                val rc = lib.SCardConnect(ctx.value, reader, NativeLong(1), NativeLong(2), card, NativeLongByReference())
                    .toLong() and 0xFFFFFFFFL
                if (rc == 0L) lib.SCardDisconnect(card.value, NativeLong(0))
                return rc
            } finally {
                lib.SCardReleaseContext(ctx.value)
            }
        }
    }

}
