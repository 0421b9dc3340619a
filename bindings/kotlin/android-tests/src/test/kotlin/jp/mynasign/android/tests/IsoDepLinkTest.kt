package jp.mynasign.android.tests

import android.nfc.tech.IsoDep
import java.io.IOException
import jp.mynasign.LengthMemory
import jp.mynasign.LengthPolicy
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
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/** IsoDepLink over the framework's own IsoDep, answered by the NFC service model and the emulated card. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class IsoDepLinkTest {
    @Before
    fun setUp() {
        nfcOn()
    }

    private val selectJpki = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A) +
        byteArrayOf(0xD3.toByte(), 0x92.toByte(), 0xF0.toByte(), 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01)

    @Test
    fun platformIsoDepIsConnectedWithTheTimeoutAndPassesItsCapabilitiesOn() {
        val model = NfcServiceModel.install(NfcServiceModel(isoDepMaxTransceive = 261))
        val isoDep = IsoDep.get(model.discover(newCard()))
        val link = IsoDepLink(isoDep)
        assertTrue(isoDep.isConnected)
        assertEquals(IsoDepLink.DEFAULT_TIMEOUT_MILLIS, isoDep.timeout)
        assertFalse("NativeNfcManager: extended length only above 261", link.supportsExtendedLength())
        assertEquals(261, link.maxTransceiveLength())
        assertArrayEquals(byteArrayOf(0x90.toByte(), 0x00), link.transceive(selectJpki))
        assertEquals(listOf(IsoDepLink.DEFAULT_TIMEOUT_MILLIS), model.timeoutsSeen)
        link.closeLink()
        assertTrue(link.awaitClosed(10_000))
        assertTrue("IsoDep.close is the service's reconnect", model.events.contains("reconnect"))
        assertFalse(isoDep.isConnected)
        assertTrue(runCatching { link.transceive(byteArrayOf(0, 0xB0.toByte(), 0, 0, 0)) }.exceptionOrNull() is LinkException.TagLost)
    }

    @Test
    fun timeoutIsConfigurableAndReachesTheController() {
        val model = NfcServiceModel.install()
        val link = platformLink(model, newCard(), timeoutMillis = 5_000)
        link.transceive(selectJpki)
        assertEquals(listOf(5_000), model.timeoutsSeen)
        assertEquals(65_279, link.maxTransceiveLength())
        assertTrue(link.supportsExtendedLength())
        val refused = runCatching { platformLink(model, newCard(), timeoutMillis = 0) }.exceptionOrNull()
        assertTrue("a timeout <= 0 is a typed error: $refused", refused is LinkException.Other)
    }

    /** TagService.transceive refuses a frame over getMaxTransceiveLength; the link does not even send it. */
    @Test
    fun overLongFrameIsRefusedBeforeSending() {
        val model = NfcServiceModel.install(NfcServiceModel(isoDepMaxTransceive = 261))
        val tag = model.discover(newCard())
        val isoDep = IsoDep.get(tag)
        val link = IsoDepLink(isoDep)
        val long = ByteArray(300).also { it[1] = 0xB0.toByte() }
        try {
            link.transceive(long)
            fail("sent a frame over the maximum")
        } catch (e: LinkException.Other) {
            assertEquals(IsoDepLink.FRAME_TOO_LONG, e.detail)
        }
        assertEquals("nothing reached the service", 0, model.refusedOverLength)
        // The framework itself, for the record: the service's refusal as IsoDep reports it.
        try {
            isoDep.transceive(long)
            fail("the service took a frame over the maximum")
        } catch (e: IOException) {
            assertEquals("Transceive length exceeds supported maximum", e.message)
        }
        assertEquals(1, model.refusedOverLength)
        assertTrue(model.commands.isEmpty())
    }

    /** Errors: NFC off (the service answers null), an out-of-date Tag (its id in the platform text). */
    @Test
    fun platformErrorsAreTypedAndCarryNoTagId() {
        val model = NfcServiceModel.install()
        val link = platformLink(model, newCard())
        // Another tag discovered: the first Tag is out of date (SecurityException naming its id).
        model.discover(newCard())
        val stale = runCatching { link.transceive(selectJpki) }.exceptionOrNull()
        assertTrue("an out-of-date tag is gone: $stale", stale is LinkException.TagLost)
        val second = platformLink(model, newCard())
        nfcOffNow()
        try {
            second.transceive(selectJpki)
            fail("no error with NFC off")
        } catch (e: LinkException.Other) {
            assertEquals("IsoDep: IOException", e.detail)
            assertFalse(e.detail.contains("12345678"))
        }
    }

    private fun nfcOffNow() {
        org.robolectric.Shadows.shadowOf(android.nfc.NfcAdapter.getDefaultAdapter(org.robolectric.RuntimeEnvironment.getApplication())).setEnabled(false)
    }

    @Test
    fun fullSigningOverTheLink() = runBlocking {
        val model = NfcServiceModel.install()
        val card = newCard()
        val link = platformLink(model, card)
        val signed = link.use { signConsent(it, consentDocument(), card.signaturePassword()) }
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue("extended length used", model.commands.any(::isExtended))
        assertTrue(link.awaitClosed(10_000))
        assertEquals(1, model.events.count { it == "reconnect" })
    }

    @Test
    fun cardRefusingExtendedLengthStillSigns() = runBlocking {
        val model = NfcServiceModel.install().apply { refuseExtended = true }
        val card = newCard()
        val signed = signConsent(platformLink(model, card), consentDocument(), card.signaturePassword())
        verifyConsent(signed.cms(), trustEmulator(card))
        val afterRefusal = model.commands.dropWhile { !isExtended(it) }.drop(1)
        assertTrue("short commands after the refusal", afterRefusal.isNotEmpty() && afterRefusal.none(::isExtended))
    }

    /** A 261-byte controller (ISO_DEP_MAX_TRANSCEIVE unset): short APDUs only, none over 261. */
    @Test
    fun controllerOf261BytesSignsWithShortApdus() = runBlocking {
        val model = NfcServiceModel.install(NfcServiceModel(isoDepMaxTransceive = 261))
        val card = newCard()
        val signed = signConsent(platformLink(model, card), consentDocument(), card.signaturePassword())
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue(model.commands.none(::isExtended))
        assertTrue(model.commands.all { it.size <= 261 })
        assertEquals(0, model.refusedOverLength)
        assertEquals("the consent in short APDUs (256-byte reads)", 13, model.commands.size)
    }

    /**
     * A card that stops answering: nativeNfcTag_doTransceive's wait times out (with the timeout
     * read at entry, the link's) and reports the target lost; the flow ends with TagLost and
     * nothing more is sent.
     */
    @Test
    fun silentCardTimesOutAsALostTag() = runBlocking {
        val model = NfcServiceModel.install().apply { silentFrom = 2 }
        val card = newCard()
        try {
            signConsent(platformLink(model, card, timeoutMillis = 7_000), consentDocument(), card.signaturePassword())
            fail("signed with a silent card")
        } catch (e: MynaException.TagLost) {
            assertEquals(3, model.commands.size)
            assertEquals(listOf(7_000, 7_000, 7_000), model.timeoutsSeen)
        }
    }

    /** The card leaving the field before each exchange of a signing: always MynaException.TagLost. */
    @Test
    fun tagLostAtEachStep() = runBlocking {
        val reference = NfcServiceModel.install()
        val referenceCard = newCard()
        signConsent(platformLink(reference, referenceCard), consentDocument(), referenceCard.signaturePassword())
        val exchanges = reference.commands.size
        assertTrue(exchanges >= 5)
        for (step in 0 until exchanges) {
            val model = NfcServiceModel.install().apply { removeAt = step }
            val card = newCard()
            try {
                signConsent(platformLink(model, card), consentDocument(), card.signaturePassword())
                fail("step $step: signed although the tag was lost")
            } catch (e: MynaException.TagLost) {
                assertEquals("step $step: nothing sent after the loss", step + 1, model.commands.size)
            }
        }
    }

    /**
     * The redacted session report with the NFC facts: the controller's limits and every
     * exchange's header, lengths and status word; no byte of the password (VERIFY) or of the
     * certificate, however printed.
     */
    @Test
    fun sessionReportHasTheNfcFactsAndNoData() = runBlocking {
        val model = NfcServiceModel.install(NfcServiceModel(isoDepMaxTransceive = 261))
        val card = newCard()
        val link = platformLink(model, card)
        val diagnostics = link.diagnostics()
        val password = card.signaturePassword()
        val signed = signConsent(diagnostics.wrap(link), consentDocument(), password.copyOf())
        link.close()
        val report = diagnostics.report()
        assertEquals("261", report.facts["nfc.max_transceive_length"])
        assertEquals("false", report.facts["nfc.extended_length_apdu_supported"])
        assertEquals(IsoDepLink.DEFAULT_TIMEOUT_MILLIS.toString(), report.facts["nfc.timeout_millis"])
        assertEquals("35", report.facts["android.sdk"])
        assertFalse(report.extendedLengthUsed)
        assertEquals(model.commands.size, report.exchanges.size)
        val verify = report.exchanges.first { it.ins == 0x20.toUByte() && it.statusWord == 0x9000.toUShort() }
        assertEquals("no PIN length", null, verify.lc)
        assertTrue("no PIN length", report.exchanges.filter { it.ins == 0x20.toUByte() }.all { it.commandLength == 4u })
        val text = diagnostics.reportText()
        val printed = listOf(text, report.toString(), diagnostics.toString())
        val cert = signed.certificate().der()
        for (p in printed) {
            assertFalse("the password", p.contains(String(password)))
            assertFalse(p.contains(password.joinToString(" ") { "%02X".format(it) }))
            assertFalse(p.contains(password.joinToString("") { "%02X".format(it) }))
            for (start in cert.indices step 97) {
                val w = cert.copyOfRange(start, minOf(start + 8, cert.size))
                if (w.size < 8) continue
                assertFalse("certificate bytes", p.contains(w.joinToString(" ") { "%02X".format(it) }))
                assertFalse("certificate bytes", p.contains(w.joinToString("") { "%02X".format(it) }))
                assertFalse("certificate bytes", p.contains(w.joinToString(", ")))
            }
        }
        assertTrue(text, text.contains("nfc.max_transceive_length: 261"))
    }

    /**
     * A controller that says 65,279 but loses frames over 261 bytes: under LengthPolicy.AUTO
     * the first session loses the card at the first extended read and the policy becomes
     * SHORT; the next session (a new tap) started from it signs with short APDUs only.
     */
    @Test
    fun controllerDroppingLargeFramesLearnsShortForTheNextSession() = runBlocking {
        val model = NfcServiceModel.install(NfcServiceModel(dropsFramesLongerThan = 261))
        val card = newCard()
        val memory = LengthMemory(LengthPolicy.AUTO)
        val first = runCatching { signConsent(memory.wrap(platformLink(model, card)), consentDocument(), card.signaturePassword()) }
        assertTrue("the card is lost: ${first.exceptionOrNull()}", first.exceptionOrNull() is MynaException.TagLost)
        assertEquals(LengthPolicy.SHORT, memory.policy())
        val firstSession = model.commands.size
        val next = LengthMemory(memory.policy())
        val signed = signConsent(next.wrap(platformLink(model, card)), consentDocument(), card.signaturePassword())
        verifyConsent(signed.cms(), trustEmulator(card))
        assertTrue("short APDUs only", model.commands.drop(firstSession).none(::isExtended))
        assertEquals(LengthPolicy.SHORT, next.policy())
        // On the 261-byte controller AUTO sends nothing extended and learns nothing.
        val small = NfcServiceModel.install(NfcServiceModel(isoDepMaxTransceive = 261))
        val auto = LengthMemory(LengthPolicy.AUTO)
        signConsent(auto.wrap(platformLink(small, card)), consentDocument(), card.signaturePassword())
        assertTrue(small.commands.none(::isExtended))
        assertEquals(LengthPolicy.AUTO, auto.policy())
    }
}
