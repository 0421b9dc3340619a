package jp.mynasign.android.tests

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.tech.IsoDep
import android.os.Bundle
import android.provider.Settings
import java.util.concurrent.TimeUnit
import jp.mynasign.CancelHandle
import jp.mynasign.MynaException
import jp.mynasign.ErrorCode
import jp.mynasign.MynaSignException
import jp.mynasign.NfcUnavailableReason
import jp.mynasign.android.nfcSettingsIntent
import jp.mynasign.android.IsoDepLike
import jp.mynasign.android.MynaCardReader
import jp.mynasign.android.NfcAvailability
import jp.mynasign.android.PlatformIsoDep
import jp.mynasign.signConsent
import jp.mynasign.verifyConsent
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
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
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowNfcAdapter

/** The screen: attaches itself to the reader its "ViewModel" ([ScreenModel]) keeps. */
class SigningActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        ScreenModel.current?.reader?.attach(this)
    }
}

/** What a ViewModel holds: the reader and a scope that outlives configuration changes. */
class ScreenModel(isoDepOf: (android.nfc.Tag) -> IsoDepLike? = IsoDepLike::of) {
    val reader = MynaCardReader(RuntimeEnvironment.getApplication(), isoDepOf = isoDepOf)
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    companion object {
        var current: ScreenModel? = null
    }
}

/**
 * MynaCardReader on the model of Android's NFC service (NfcServiceModel): the platform's own
 * IsoDep, reader mode as NfcActivityManager and NfcService apply it, the emulated card.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class MynaCardReaderTest {
    private lateinit var card: jp.mynasign.Emulator
    private lateinit var nfc: NfcServiceModel
    private lateinit var model: ScreenModel
    private lateinit var controller: ActivityController<SigningActivity>
    private lateinit var adapter: NfcAdapter

    @Before
    fun setUp() {
        adapter = nfcOn()
        nfc = NfcServiceModel.install()
        card = newCard()
        model = ScreenModel()
        ScreenModel.current = model
        controller = Robolectric.buildActivity(SigningActivity::class.java).setup()
    }

    @After
    fun tearDown() {
        nfc.release()
        model.scope.cancel()
        model.reader.close()
        ScreenModel.current = null
    }

    /** Waits until the service has reader mode on, then the card enters the field. */
    private fun tap() {
        waitUntil { nfc.readerModeOn }
        assertNotNull("the tag reached the app", nfc.tap(card))
    }

    private fun signing(cancel: CancelHandle? = null): Deferred<jp.mynasign.SignedConsent> = model.scope.async {
        model.reader.awaitCard().use { link ->
            signConsent(link, consentDocument(), card.signaturePassword(), jp.mynasign.SignOptions(), null, cancel)
        }
    }

    private fun <T> await(d: Deferred<T>): T = runBlocking { withTimeout(60_000) { d.await() } }

    /** The few lines an app writes (README-android.md): tap, sign, verify; reader mode kept throughout. */
    @Test
    fun fullConsentSigningThroughTheReader() {
        val result = signing()
        tap()
        val signed = await(result)
        verifyConsent(signed.cms(), trustEmulator(card))
        assertEquals("the reader's JPKI check is the first command", 0xA4.toByte(), nfc.commands[0][1])
        assertEquals("the reader's presence-check delay reached the service", MynaCardReader.DEFAULT_PRESENCE_CHECK_DELAY_MILLIS, nfc.presenceCheckDelay)
        assertEquals("the consent's 6 exchanges after the reader's SELECT", 7, nfc.commands.size)
        assertFalse("the card was never disconnected", nfc.events.any { it.startsWith("tag disconnected") })
        // The link is closed: reader mode goes off.
        waitUntil { !nfc.readerModeOn }
        assertFalse(model.reader.isReaderModeOn)
    }

    @Test
    fun readerModeStaysOnWhileTheLinkIsOpen() {
        val wait = model.scope.async { model.reader.awaitCard() }
        tap()
        val link = await(wait)
        repeat(5) { shadowOf(android.os.Looper.getMainLooper()).idle() }
        assertTrue("reader mode on while the link is open", nfc.readerModeOn)
        assertTrue(model.reader.isReaderModeOn)
        link.close()
        waitUntil { !nfc.readerModeOn }
        assertEquals(listOf("tag discovered", "reader mode off (disableReaderMode)"), nfc.events.filter { !it.startsWith("reader mode on") && it != "reconnect" }.take(2))
    }

    /** The Activity paused mid-flow (another Activity on top): Android disconnects the card. */
    @Test
    fun pausingMidFlowLosesTheCardAsOnAPhone() {
        // Paused between two exchanges (onPause -> NfcActivityManager -> setReaderMode(0) ->
        // stopPresenceChecking; with an exchange in flight it would wait for it first).
        nfc.holdAt(3, betweenExchanges = true)
        val result = signing()
        tap()
        assertTrue(nfc.awaitHeld())
        controller.pause()
        assertFalse(nfc.readerModeOn)
        nfc.release()
        try {
            await(result)
            fail("signed although the Activity was paused")
        } catch (e: MynaException.TagLost) {
            assertTrue(nfc.events.contains("tag disconnected (stopPresenceChecking)"))
        }
    }

    @Test
    fun tagLostDuringSigningThroughTheReader() {
        nfc.removeAt = 4
        val result = signing()
        tap()
        try {
            await(result)
            fail("signed although the tag was lost")
        } catch (e: MynaException.TagLost) {
            assertEquals(5, nfc.commands.size)
        }
        nfc.presenceCheck()
        assertTrue(nfc.events.contains("tag disconnected (presence check: tag lost)"))
    }

    /** NFC switched off in the settings mid-flow: a typed error, and the reader says NFC is off. */
    @Test
    fun nfcOffMidFlowIsATypedError() {
        nfc.nfcOffAt = 4
        val result = signing()
        tap()
        val error = runCatching { await(result) }.exceptionOrNull()
        assertTrue("a typed error: $error", error is MynaException)
        assertEquals(5, nfc.commands.size)
        assertTrue(model.reader.availability() is NfcAvailability.Off)
    }

    @Test
    fun nfcOffGivesTheSettingsIntent() {
        shadowOf(adapter).setEnabled(false)
        val a = model.reader.availability()
        assertTrue(a is NfcAvailability.Off)
        try {
            runBlocking { model.reader.awaitCard() }
            fail("a card although NFC is off")
        } catch (e: MynaSignException) {
            assertEquals(ErrorCode.NFC_UNAVAILABLE, e.code)
            assertEquals(NfcUnavailableReason.NFC_OFF, (e.error as MynaException.NfcUnavailable).reason)
            assertEquals(Settings.ACTION_NFC_SETTINGS, e.nfcSettingsIntent?.action)
            assertTrue("retry-safe once NFC is on", e.retrySafe)
            assertTrue(e.messageJa.contains("NFC") && e.messageEn.contains("NFC"))
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
            } catch (e: MynaSignException) {
                assertEquals(NfcUnavailableReason.NO_NFC, (e.error as MynaException.NfcUnavailable).reason)
                assertEquals(null, e.nfcSettingsIntent)
                assertNotNull(e.message)
            }
        } finally {
            ShadowNfcAdapter.setNfcHardwareExists(true)
        }
    }

    @Test
    fun tagWithoutIsoDepIsNotAMyNumberCard() {
        val wait = model.scope.async { model.reader.awaitCard() }
        waitUntil { nfc.readerModeOn }
        // A tag with no ISO-DEP technology (Robolectric's mock tag), to the reader's callback.
        shadowOf(adapter).dispatchTagDiscovered(ShadowNfcAdapter.createMockTag())
        try {
            await(wait)
            fail("took a tag without ISO-DEP")
        } catch (e: MynaSignException) {
            assertEquals(ErrorCode.NOT_MY_NUMBER_CARD, e.code)
        }
    }

    @Test
    fun isoDepCardWithoutJpkiIsNotAMyNumberCard() {
        var other: IsoDepLike? = null
        model.reader.close()
        model = ScreenModel { tag ->
            object : IsoDepLike by PlatformIsoDep(IsoDep.get(tag)) {
                override fun transceive(command: ByteArray): ByteArray = byteArrayOf(0x6A, 0x82.toByte())
            }.also { other = it }
        }
        ScreenModel.current = model
        model.reader.attach(controller.get())
        val wait = model.scope.async { model.reader.awaitCard() }
        tap()
        try {
            await(wait)
            fail("took a card without JPKI")
        } catch (e: MynaSignException) {
            assertEquals(ErrorCode.NOT_MY_NUMBER_CARD, e.code)
        }
        waitUntil { other?.isConnected == false }
        waitUntil { !nfc.readerModeOn }
    }

    @Test
    fun cancellingTheWaitSwitchesReaderModeOff() {
        val wait = model.scope.async { model.reader.awaitCard() }
        waitUntil { nfc.readerModeOn && model.reader.isReaderModeOn }
        wait.cancel()
        runBlocking { withTimeout(10_000) { runCatching { wait.await() } } }
        waitUntil { !nfc.readerModeOn }
        assertFalse(model.reader.isReaderModeOn)
    }

    /** Android switches reader mode off at onPause and back on at onResume while the reader waits. */
    @Test
    fun pausedActivityHasNoReaderModeAndResumingRestoresIt() {
        val wait = model.scope.async { model.reader.awaitCard() }
        waitUntil { nfc.readerModeOn }
        controller.pause()
        assertFalse(nfc.readerModeOn)
        assertEquals("no tag reaches a paused Activity", null, nfc.tap(card))
        controller.resume()
        assertTrue(nfc.readerModeOn)
        wait.cancel()
    }

    /** A reader created after its Activity is resumed (Compose, Navigation, Fragments). */
    @Test
    fun lateAttachToAResumedActivity() {
        model.reader.close()
        val late = MynaCardReader(RuntimeEnvironment.getApplication())
        try {
            late.attach(controller.get())
            val result = model.scope.async {
                late.awaitCard().use { signConsent(it, consentDocument(), card.signaturePassword()) }
            }
            tap()
            verifyConsent(await(result).cms(), trustEmulator(card))
        } finally {
            late.close()
        }
    }

    /**
     * Cancel on the main thread while the card works on an exchange (held for seconds by the
     * model, the tag's lock taken as NativeNfcTag.transceive does): cancel() returns at once;
     * the IsoDep's close (the service's reconnect) completes after the exchange.
     */
    @Test
    fun cancelReturnsAtOnceOnTheMainThreadWhileATransceiveIsHeld() {
        nfc.holdAt(3)
        val handle = CancelHandle()
        val result = signing(handle)
        tap()
        assertTrue("transceive held", nfc.awaitHeld())
        assertTrue(android.os.Looper.myLooper() === android.os.Looper.getMainLooper())
        val started = System.nanoTime()
        handle.cancel()
        val tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
        assertTrue("cancel() blocked the main thread for $tookMillis ms", tookMillis < 1_000)
        assertFalse("the close waits for the exchange in flight", nfc.events.contains("reconnect"))
        nfc.release()
        val error = runCatching { await(result) }.exceptionOrNull()
        assertTrue("cancelled: $error", error is MynaException.Cancelled)
        assertEquals("nothing sent after the cancellation", 4, nfc.commands.size)
        waitUntil { nfc.events.contains("reconnect") && !nfc.readerModeOn }
    }

    /** Coroutine cancellation while an exchange is held: the same, through structured concurrency. */
    @Test
    fun coroutineCancellationDuringAHeldTransceive() {
        nfc.holdAt(3)
        val result = signing()
        tap()
        assertTrue(nfc.awaitHeld())
        result.cancel()
        // The coroutine ends while the exchange is still held (uniffi frees the Rust future,
        // which cancels the flow and closes the link without waiting for the card).
        val outcome = runBlocking { withTimeout(10_000) { runCatching { result.await() } } }
        assertTrue(outcome.exceptionOrNull() is CancellationException)
        nfc.release()
        waitUntil { nfc.events.contains("reconnect") && !nfc.readerModeOn }
        assertEquals("nothing sent after the cancellation", 4, nfc.commands.size)
    }

    /**
     * Rotation while waiting: reader mode moves to the new Activity and the card is read.
     * Rotation while signing pauses the Activity, and Android disconnects the card: the flow
     * ends with TagLost (an app keeps the Activity through configuration changes during a
     * signature, or asks for the card again).
     */
    @Test
    fun configurationChangeWhileWaitingAndWhileSigning() {
        val result = signing()
        val first = controller.get()
        waitUntil { nfc.readerModeOn }
        controller.recreate()
        assertTrue("a new activity", controller.get() !== first)
        waitUntil { nfc.readerModeOn && model.reader.isReaderModeOn }
        // Held at the PIN status, with the VERIFY, the certificate and the signature to come
        // (an exchange in flight completes before Android's disconnect).
        nfc.holdAt(3, betweenExchanges = true)
        tap()
        assertTrue(nfc.awaitHeld())
        controller.recreate()
        nfc.release()
        val error = runCatching { await(result) }.exceptionOrNull()
        assertTrue("the card is lost with the paused Activity: $error", error is MynaException.TagLost)
    }

    @Test
    fun closedReaderCancelsItsWait() {
        val wait = model.scope.async { model.reader.awaitCard() }
        waitUntil { nfc.readerModeOn }
        model.reader.close()
        val outcome = runBlocking { withTimeout(10_000) { runCatching { wait.await() } } }
        assertTrue(outcome.exceptionOrNull() is CancellationException)
        waitUntil { !nfc.readerModeOn }
    }

    /** The Java way in: CompletableFuture variants of awaitCard and the flows. */
    @Test
    fun javaCallersSignThroughFutures() {
        val pending = model.reader.awaitCardFuture()
        tap()
        val link = pending.get(30, TimeUnit.SECONDS)
        val signed = jp.mynasign.android.MynaSignFutures.signConsent(link, consentDocument(), card.signaturePassword())
            .get(60, TimeUnit.SECONDS)
        link.close()
        verifyConsent(signed.cms(), trustEmulator(card))
        waitUntil { !nfc.readerModeOn }
        val waiting = model.reader.awaitCardFuture()
        waitUntil { nfc.readerModeOn }
        assertTrue(waiting.cancel(true))
        waitUntil { !nfc.readerModeOn }
    }
}
