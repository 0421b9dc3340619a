package jp.mynasign.android.tests

import android.app.Activity
import android.content.pm.PackageManager
import android.nfc.NfcAdapter
import android.os.Bundle
import android.provider.Settings
import java.util.concurrent.TimeUnit
import jp.mynasign.MynaException
import jp.mynasign.android.CardReaderException
import jp.mynasign.android.IsoDepLike
import jp.mynasign.android.MynaCardReader
import jp.mynasign.android.NfcAvailability
import jp.mynasign.signConsent
import jp.mynasign.verifyConsent
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.shadows.ShadowNfcAdapter

/** The screen: attaches itself to the reader its "ViewModel" ([ScreenModel]) keeps. */
class SigningActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        ScreenModel.current?.reader?.attach(this)
    }
}

/** What a ViewModel holds: the reader and a scope that outlives configuration changes. */
class ScreenModel(isoDepOf: (android.nfc.Tag) -> IsoDepLike?) {
    val reader = MynaCardReader(RuntimeEnvironment.getApplication(), isoDepOf = isoDepOf)
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    companion object {
        var current: ScreenModel? = null
    }
}

@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class MynaCardReaderTest {
    private lateinit var card: jp.mynasign.Emulator
    private lateinit var fake: EmulatedIsoDep
    private lateinit var model: ScreenModel
    private lateinit var controller: ActivityController<SigningActivity>

    private val adapter: NfcAdapter get() = NfcAdapter.getDefaultAdapter(RuntimeEnvironment.getApplication())

    @Before
    fun setUp() {
        // Robolectric's device has no NFC feature unless told; the shadow adapter is on.
        shadowOf(RuntimeEnvironment.getApplication().packageManager).setSystemFeature(PackageManager.FEATURE_NFC, true)
        card = newCard()
        fake = EmulatedIsoDep(card)
        model = ScreenModel { fake }
        ScreenModel.current = model
        shadowOf(adapter).setEnabled(true)
        controller = Robolectric.buildActivity(SigningActivity::class.java).setup()
    }

    @After
    fun tearDown() {
        model.scope.cancel()
        ScreenModel.current = null
    }

    /** Waits (off the test thread) until reader mode is on, then taps a tag. */
    private fun tap() {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (!model.reader.isReaderModeOn || !shadowOf(adapter).isInReaderMode) {
            check(System.nanoTime() < deadline) { "reader mode never switched on" }
            Thread.sleep(5)
        }
        shadowOf(adapter).dispatchTagDiscovered(ShadowNfcAdapter.createMockTag())
    }

    @Test
    fun readerModeIsOffOnceTheCardIsFound() {
        val wait = model.scope.async { model.reader.awaitCard() }
        tap()
        runBlocking { withTimeout(10_000) { wait.await() } }.close()
        assertFalse("reader mode off once the card is found", model.reader.isReaderModeOn)
        assertFalse(shadowOf(adapter).isInReaderMode)
    }

    /** The few lines an app writes (README-android.md): tap, sign, verify. */
    @Test
    fun fullConsentSigningThroughTheReader() {
        val result = model.scope.async {
            model.reader.awaitCard().use { link -> signConsent(link, consentDocument(), card.signaturePassword()) }
        }
        tap()
        val signed = runBlocking { withTimeout(60_000) { result.await() } }
        verifyConsent(signed.cms(), trustEmulator(card))
        assertEquals("the reader's JPKI check is the first command", 0xA4.toByte(), fake.commands[0][1])
        assertFalse(model.reader.isReaderModeOn)
    }

    @Test
    fun tagLostDuringSigningThroughTheReader() {
        fake.loseAt = 4
        val result = model.scope.async {
            model.reader.awaitCard().use { link -> signConsent(link, consentDocument(), card.signaturePassword()) }
        }
        tap()
        try {
            runBlocking { withTimeout(60_000) { result.await() } }
            fail("signed although the tag was lost")
        } catch (e: MynaException.TagLost) {
            assertEquals(5, fake.commands.size)
        }
    }

    @Test
    fun nfcOffGivesTheSettingsIntent() {
        shadowOf(adapter).setEnabled(false)
        val a = model.reader.availability()
        assertTrue(a is NfcAvailability.Off)
        try {
            runBlocking { model.reader.awaitCard() }
            fail("a card although NFC is off")
        } catch (e: CardReaderException.NfcOff) {
            assertEquals(Settings.ACTION_NFC_SETTINGS, e.settingsIntent.action)
        }
        assertFalse(model.reader.isReaderModeOn)
    }

    @Test
    fun noNfcHardware() {
        ShadowNfcAdapter.setNfcHardwareExists(false)
        try {
            val reader = MynaCardReader(RuntimeEnvironment.getApplication())
            assertEquals(NfcAvailability.NoNfc, reader.availability())
            try {
                runBlocking { reader.awaitCard() }
                fail("a card without NFC")
            } catch (e: CardReaderException.NoNfc) {
                assertNotNull(e.message)
            }
        } finally {
            ShadowNfcAdapter.setNfcHardwareExists(true)
        }
    }

    @Test
    fun tagWithoutIsoDepIsNotAMyNumberCard() {
        model = ScreenModel(IsoDepLike::of) // the platform's IsoDep.get: a mock tag has none
        ScreenModel.current = model
        model.reader.attach(controller.get())
        controller.pause().resume()
        val wait = model.scope.async { model.reader.awaitCard() }
        tap()
        try {
            runBlocking { withTimeout(10_000) { wait.await() } }
            fail("took a tag without ISO-DEP")
        } catch (e: CardReaderException.NotMyNumberCard) {
            assertEquals(CardReaderException.NotMyNumberCard.Kind.NOT_ISO_DEP, e.kind)
        }
    }

    @Test
    fun isoDepCardWithoutJpkiIsNotAMyNumberCard() {
        val other = object : IsoDepLike by fake {
            override fun transceive(command: ByteArray): ByteArray = byteArrayOf(0x6A, 0x82.toByte())
        }
        model = ScreenModel { other }
        ScreenModel.current = model
        model.reader.attach(controller.get())
        controller.pause().resume()
        val wait = model.scope.async { model.reader.awaitCard() }
        tap()
        try {
            runBlocking { withTimeout(10_000) { wait.await() } }
            fail("took a card without JPKI")
        } catch (e: CardReaderException.NotMyNumberCard) {
            assertEquals(CardReaderException.NotMyNumberCard.Kind.NO_JPKI, e.kind)
        }
        assertTrue("the other card's link was closed", fake.closeCalls > 0)
    }

    @Test
    fun cancellingTheWaitSwitchesReaderModeOff() {
        val wait = model.scope.async { model.reader.awaitCard() }
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (!model.reader.isReaderModeOn) {
            check(System.nanoTime() < deadline); Thread.sleep(5)
        }
        wait.cancel()
        runBlocking { withTimeout(10_000) { runCatching { wait.await() } } }
        assertFalse(model.reader.isReaderModeOn)
        assertFalse(shadowOf(adapter).isInReaderMode)
    }

    @Test
    fun pausedActivityHasNoReaderModeAndResumingRestoresIt() {
        val wait = model.scope.async { model.reader.awaitCard() }
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (!model.reader.isReaderModeOn) {
            check(System.nanoTime() < deadline); Thread.sleep(5)
        }
        controller.pause()
        assertFalse(model.reader.isReaderModeOn)
        controller.resume()
        assertTrue(model.reader.isReaderModeOn)
        wait.cancel()
    }

    /** Coroutine cancellation while the card never answers: close() unblocks transceive. */
    @Test
    fun cancellationDuringABlockedTransceive() {
        fake.blockAt = 3
        val result = model.scope.async {
            model.reader.awaitCard().use { link -> signConsent(link, consentDocument(), card.signaturePassword()) }
        }
        tap()
        assertTrue("transceive blocked", fake.blocked.await(30, TimeUnit.SECONDS))
        result.cancel()
        val outcome = runBlocking { withTimeout(10_000) { runCatching { result.await() } } }
        assertTrue(outcome.exceptionOrNull() is CancellationException)
        // The library closed the link from the cancelling thread; the blocked call returned.
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (fake.closeCalls == 0) {
            check(System.nanoTime() < deadline) { "the link was never closed" }; Thread.sleep(5)
        }
        assertFalse(fake.isConnected)
        assertEquals("nothing sent after the cancellation", 4, fake.commands.size)
    }

    /** Rotation while waiting for the card, then again while signing: the flow completes. */
    @Test
    fun configurationChangeMidFlow() {
        fake.holdAt = 6
        val result = model.scope.async {
            model.reader.awaitCard().use { link -> signConsent(link, consentDocument(), card.signaturePassword()) }
        }
        val first = controller.get()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (!model.reader.isReaderModeOn) {
            check(System.nanoTime() < deadline); Thread.sleep(5)
        }
        controller.recreate()
        assertTrue("a new activity", controller.get() !== first)
        assertTrue("reader mode on for the new activity", model.reader.isReaderModeOn)
        tap()
        assertTrue(fake.held.await(30, TimeUnit.SECONDS))
        controller.recreate()
        assertFalse(result.isCompleted)
        fake.release.countDown()
        val signed = runBlocking { withTimeout(60_000) { result.await() } }
        verifyConsent(signed.cms(), trustEmulator(card))
    }
}
