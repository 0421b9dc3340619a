package jp.mynasign.android.tests

import java.io.IOException
import jp.mynasign.LinkException
import jp.mynasign.MynaException
import jp.mynasign.android.IsoDepLink
import jp.mynasign.signConsent
import jp.mynasign.verifyConsent
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowIsoDep

/** IsoDepLink over Android's IsoDep (shadowed) and over the emulated card. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class IsoDepLinkTest {
    @Test
    fun platformIsoDepIsConnectedWithTheRsaTimeoutAndPassesItsCapabilitiesOn() {
        val isoDep = ShadowIsoDep.newInstance()
        val shadow = shadowOf(isoDep)
        shadow.setExtendedLengthApduSupported(false)
        shadow.setMaxTransceiveLength(261)
        shadow.setTransceiveResponse(byteArrayOf(0x90.toByte(), 0x00))
        val link = IsoDepLink(isoDep)
        assertTrue(isoDep.isConnected)
        assertEquals(20_000, isoDep.timeout)
        assertFalse(link.supportsExtendedLength())
        assertEquals(261, link.maxTransceiveLength())
        assertArrayEquals(byteArrayOf(0x90.toByte(), 0x00), link.transceive(byteArrayOf(0, 0xA4.toByte(), 4, 0x0C)))
        link.closeLink()
        assertFalse(isoDep.isConnected)
        assertTrue(runCatching { link.transceive(byteArrayOf(0, 0xB0.toByte(), 0, 0, 0)) }.exceptionOrNull() is LinkException.TagLost)
    }

    @Test
    fun timeoutIsConfigurable() {
        val isoDep = ShadowIsoDep.newInstance()
        IsoDepLink(isoDep, timeoutMillis = 5_000)
        assertEquals(5_000, isoDep.timeout)
        val fake = EmulatedIsoDep(newCard())
        val link = IsoDepLink(fake)
        assertTrue(fake.isConnected)
        assertEquals(IsoDepLink.DEFAULT_TIMEOUT_MILLIS, fake.timeout)
        assertEquals(65_279, link.maxTransceiveLength())
        assertTrue(link.supportsExtendedLength())
    }

    @Test
    fun ioErrorTextIsScrubbed() {
        val fake = EmulatedIsoDep(newCard()).apply { ioErrorAt = 0 }
        val link = IsoDepLink(fake)
        try {
            link.transceive(byteArrayOf(0, 0xB0.toByte(), 0, 0, 0))
            fail("no error")
        } catch (e: LinkException.Other) {
            assertEquals("IsoDep: IOException", e.detail)
            assertFalse(e.detail.contains("04A1B2C3"))
        }
    }

    @Test
    fun fullSigningOverTheLink() = runBlocking {
        val card = newCard()
        val fake = EmulatedIsoDep(card)
        val signed = IsoDepLink(fake).use { signConsent(it, consentDocument(), card.signaturePassword()) }
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue(fake.commands.isNotEmpty())
        assertTrue("extended length used", fake.commands.any(::isExtended))
        assertEquals(1, fake.closeCalls)
    }

    @Test
    fun cardRefusingExtendedLengthStillSigns() = runBlocking {
        val card = newCard()
        val fake = EmulatedIsoDep(card).apply { refuseExtended = true }
        val signed = signConsent(IsoDepLink(fake), consentDocument(), card.signaturePassword())
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue("the card refused an extended command", fake.refusals > 0)
        val afterRefusal = fake.commands.dropWhile { !isExtended(it) }.drop(1)
        assertTrue("short commands after the refusal", afterRefusal.isNotEmpty() && afterRefusal.none(::isExtended))
    }

    @Test
    fun noExtendedLengthWhenIsoDepSaysNo() = runBlocking {
        val card = newCard()
        val fake = EmulatedIsoDep(card, isExtendedLengthApduSupported = false, maxTransceiveLength = 261)
        val signed = signConsent(IsoDepLink(fake), consentDocument(), card.signaturePassword())
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue(fake.commands.none(::isExtended))
    }

    /** TagLostException at every exchange of a signing: always MynaException.TagLost. */
    @Test
    fun tagLostAtEachStep() = runBlocking {
        val reference = newCard()
        val full = EmulatedIsoDep(reference)
        signConsent(IsoDepLink(full), consentDocument(), reference.signaturePassword())
        val exchanges = full.commands.size
        assertTrue(exchanges >= 5)
        for (step in 0 until exchanges) {
            val card = newCard()
            val fake = EmulatedIsoDep(card).apply { loseAt = step }
            try {
                signConsent(IsoDepLink(fake), consentDocument(), card.signaturePassword())
                fail("step $step: signed although the tag was lost")
            } catch (e: MynaException.TagLost) {
                assertEquals("step $step: nothing sent after the loss", step + 1, fake.commands.size)
            } catch (e: IOException) {
                fail("step $step: raw IOException $e")
            }
        }
    }
}
