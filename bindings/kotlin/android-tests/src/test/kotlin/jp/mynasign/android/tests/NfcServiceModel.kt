package jp.mynasign.android.tests

import android.app.Activity
import android.app.Application
import android.nfc.ErrorCodes
import android.nfc.INfcTag
import android.nfc.NdefMessage
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TransceiveResult
import android.nfc.tech.IsoDep
import android.nfc.tech.NfcB
import android.nfc.tech.TagTechnology
import android.os.Bundle
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import jp.mynasign.Emulator
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Implementation
import org.robolectric.annotation.Implements
import org.robolectric.shadows.ShadowNfcAdapter

/*
 * A model of Android's NFC service, behind the framework's own android.nfc classes.
 *
 * What runs for real (android-all 15, the framework code an app calls): Tag (getTagService's
 * cookie check), IsoDep and BasicTagTechnology (connect, transceive, close = resetTimeouts +
 * reconnect, setTimeout, getMaxTransceiveLength, isExtendedLengthApduSupported) and
 * TransceiveResult.getResponseOrThrow (TagLostException, "Transceive length exceeds supported
 * maximum", "Transceive failed"). Robolectric's own ShadowIsoDep and ShadowBasicTagTechnology,
 * which answer those calls themselves, are replaced by the empty shadows below
 * (src/test/resources/robolectric.properties), so the framework code reaches the model's
 * INfcTag binder, [NfcServiceModel.TagService].
 *
 * What is modelled, each from the AOSP source named at the method (read in LineageOS
 * android_packages_apps_Nfc, lineage-21.0 = Android 14, and the framework classes of
 * android-all 15 read with javap):
 *   - NfcService.TagService (src/com/android/nfc/NfcService.java): connect, reconnect,
 *     transceive (the length check against getMaxTransceiveLength), isPresent, setTimeout,
 *     resetTimeouts, isTagUpToDate; NFC off and reader mode off answered as the service does.
 *   - NativeNfcTag (nci/src/com/android/nfc/dhimpl/NativeNfcTag.java): connect, reconnect and
 *     transceive `synchronized` on the tag (one at a time), stopPresenceChecking, the presence
 *     check watchdog that disconnects a removed tag; nativeNfcTag_doTransceive
 *     (nci/jni/NativeNfcTag.cpp): a tag not active, or no answer within the timeout read at
 *     entry, is "target lost".
 *   - NfcService.setReaderMode with flags 0: mReaderModeParams = null, StopPresenceChecking().
 *   - NfcActivityManager (android-all's android.nfc.NfcActivityManager): reader mode is kept
 *     per Activity, applied only while that Activity is resumed, switched off at onPause and
 *     back on at onResume with the same flags; a tag goes to the resumed Activity's callback
 *     (onTagDiscovered -> findResumedActivityState).
 *   - NativeNfcManager.getMaxTransceiveLength(ISO_DEP) = the ISO_DEP_MAX_TRANSCEIVE setting
 *     (261 when unset, 65,279 on PN553+/ST54J configurations) and
 *     getExtendedLengthApdusSupported() = max > 261
 *     (nci/src/com/android/nfc/dhimpl/NativeNfcManager.java).
 *   - NfcTag::resetAllTransceiveTimeouts (nci/jni/NfcTag.cpp): ISO-DEP 618 ms;
 *     nfcManager_doSetTimeout (nci/jni/NativeNfcManager.cpp): a timeout <= 0 is refused.
 *
 * Time is the model's: a card that does not answer ends the exchange as the timeout would
 * (target lost) without the test waiting for it; a card held by [NfcServiceModel.holdNext]
 * keeps the tag's lock until the test releases it, as a long RSA signature would.
 */

/** Robolectric's IsoDep, un-shadowed: the framework's own code runs (it reaches the model's binder). */
@Implements(IsoDep::class)
class FrameworkIsoDep

/** Robolectric's BasicTagTechnology, un-shadowed, as [FrameworkIsoDep]. */
@Implements(className = "android.nfc.tech.BasicTagTechnology")
class FrameworkBasicTagTechnology

/**
 * NfcAdapter's reader mode as NfcActivityManager applies it, over Robolectric's adapter shadow
 * (which gives getDefaultAdapter, isEnabled and the hardware switch).
 */
@Implements(NfcAdapter::class)
class ModelNfcAdapter : ShadowNfcAdapter() {
    /** NfcAdapter.enableReaderMode -> NfcActivityManager.enableReaderMode. */
    @Implementation
    override fun enableReaderMode(activity: Activity, callback: NfcAdapter.ReaderCallback, flags: Int, extras: Bundle?) {
        super.enableReaderMode(activity, callback, flags, extras)
        NfcServiceModel.current?.activityManagerEnable(activity, callback, flags, extras)
    }

    /** NfcAdapter.disableReaderMode -> NfcActivityManager.disableReaderMode. */
    @Implementation
    override fun disableReaderMode(activity: Activity) {
        super.disableReaderMode(activity)
        NfcServiceModel.current?.activityManagerDisable(activity)
    }

    /** NFC switched on or off in the settings (NfcService.enableInternal / disableInternal). */
    override fun setEnabled(enabled: Boolean) {
        super.setEnabled(enabled)
        NfcServiceModel.current?.nfcSwitched(enabled)
    }
}

/**
 * The NFC service and controller, one card at a time. Install with [install] before the
 * Activity is built (it follows Activities through the Application's lifecycle callbacks, as
 * NfcActivityManager does).
 */
class NfcServiceModel(
    /** `ISO_DEP_MAX_TRANSCEIVE`: 261 (unset, older controllers) or 65,279. */
    val isoDepMaxTransceive: Int = 65_279,
    /**
     * A controller that loses frames (command or response) longer than this (the RF link
     * breaks: target lost, the tag deactivated) although its configuration admits them; null:
     * none. Not from AOSP: the behaviour reported for controllers whose ISO_DEP_MAX_TRANSCEIVE
     * says more than their RF buffer carries (issue 21), as nativeNfcTag_doTransceive would
     * report it (targetLost).
     */
    val dropsFramesLongerThan: Int? = null,
) {
    /** Every exchange the controller carried, in order (commands as sent). */
    val commands: MutableList<ByteArray> = Collections.synchronizedList(mutableListOf())

    /** The ISO-DEP timeout each transceive read at entry (nativeNfcTag_doTransceive). */
    val timeoutsSeen: MutableList<Int> = Collections.synchronizedList(mutableListOf())

    /** Log of what the service did (for the note and for assertions). */
    val events: MutableList<String> = Collections.synchronizedList(mutableListOf())

    /** Frames refused with RESULT_EXCEEDED_LENGTH. */
    @Volatile var refusedOverLength: Int = 0

    /** The command index [holdAt] armed: that transceive waits (the tag's lock held); bounded. */
    @Volatile private var holdIndex = -1
    /** Whether [holdAt] holds before the tag's lock (between exchanges) rather than inside it. */
    @Volatile private var holdBetween = false
    private val calls = java.util.concurrent.atomic.AtomicInteger(0)
    @Volatile private var releaseLatch = CountDownLatch(0)
    @Volatile private var holdingLatch = CountDownLatch(1)

    /** The card leaves the field just before this command index reaches it ([remove]). */
    @Volatile var removeAt: Int = -1

    /** NFC is switched off in the settings just before this command index reaches the card. */
    @Volatile var nfcOffAt: Int = -1

    /** The card (or the link) answers `67 00` to extended-length commands. */
    @Volatile var refuseExtended: Boolean = false

    /** The card stops answering from this command index on (timeouts). */
    @Volatile var silentFrom: Int = -1

    private val lock = Any()
    private var nfcOn = true
    private var readerModeOwner: Activity? = null
    private var readerModeDelay = 0
    @Volatile private var isoDepTimeout = DEFAULT_ISO_DEP_TIMEOUT
    private var cookieUpToDate = -1L
    private var nextHandle = 1
    @Volatile private var endpoint: Endpoint? = null

    private class ActivityState(var resumed: Boolean) {
        var callback: NfcAdapter.ReaderCallback? = null
        var flags = 0
        var extras: Bundle? = null
    }
    private val activities = HashMap<Activity, ActivityState>()

    /** One discovered tag: NativeNfcTag. */
    private inner class Endpoint(val handle: Int, val card: Emulator) {
        /** NativeNfcTag.mIsPresent. */
        @Volatile var present = true
        /** NfcTag::getActivationState() == Active. */
        @Volatile var active = true
        /** The card is still in the field (the presence check asks it). */
        @Volatile var inField = true
    }

    /** The service's binder for tags: NfcService.TagService. */
    val tagService: TagService = TagService()

    /** Whether the service has reader mode on (mReaderModeParams != null). */
    val readerModeOn: Boolean get() = synchronized(lock) { readerModeOwner != null }

    /** The reader-mode presence-check delay the app asked for (EXTRA_READER_PRESENCE_CHECK_DELAY). */
    val presenceCheckDelay: Int get() = synchronized(lock) { readerModeDelay }

    private val lifecycle = object : Application.ActivityLifecycleCallbacks {
        override fun onActivityResumed(activity: Activity) = activityResumed(activity)
        override fun onActivityPaused(activity: Activity) = activityPaused(activity)
        override fun onActivityDestroyed(activity: Activity) {
            synchronized(lock) { activities.remove(activity) }
        }
        override fun onActivityCreated(activity: Activity, savedInstanceState: Bundle?) = Unit
        override fun onActivityStarted(activity: Activity) = Unit
        override fun onActivityStopped(activity: Activity) = Unit
        override fun onActivitySaveInstanceState(activity: Activity, outState: Bundle) = Unit
    }

    /**
     * A card enters the field while reader mode is on: NfcService's tag dispatch
     * (onRemoteEndpointDiscovered -> dispatchTagEndpoint in reader mode): a new cookie (every
     * older Tag is now out of date), presence checking started, the Tag built with the real
     * constructor and handed to the resumed Activity's callback (NfcActivityManager
     * .onTagDiscovered), on the calling thread (a binder thread on a phone). Returns the Tag,
     * or null when no reader mode is on (the tag then goes to the tag dispatcher, not the app).
     */
    fun tap(card: Emulator): Tag? {
        val callback = synchronized(lock) {
            if (!nfcOn || readerModeOwner == null) {
                events.add("tap ignored: reader mode off")
                return null
            }
            val state = activities[readerModeOwner] ?: return null
            if (!state.resumed) return null
            state.callback
        }
        val tag = discover(card) ?: return null
        callback?.onTagDiscovered(tag)
        return tag
    }

    /**
     * The discovery itself (NfcService.onRemoteEndpointDiscovered): the Tag of [card], without
     * handing it to an app (the tag-dispatch path, or a test of the link alone). Null when NFC
     * is off.
     */
    fun discover(card: Emulator): Tag? {
        return synchronized(lock) {
            if (!nfcOn) return null
            val e = Endpoint(nextHandle++, card)
            endpoint = e
            cookieUpToDate = (cookieUpToDate + 1) and Long.MAX_VALUE
            val extras = arrayOf(
                Bundle().apply {
                    putByteArray(NfcB.EXTRA_APPDATA, byteArrayOf(0, 0, 0, 0))
                    putByteArray(NfcB.EXTRA_PROTINFO, byteArrayOf(0, 0x81.toByte(), 0x81.toByte()))
                },
                Bundle().apply { putByteArray(IsoDep.EXTRA_HI_LAYER_RESP, byteArrayOf()) },
            )
            val t = Tag(
                byteArrayOf(0x12, 0x34, 0x56, 0x78),
                intArrayOf(TagTechnology.NFC_B, TagTechnology.ISO_DEP),
                extras,
                e.handle,
                cookieUpToDate,
                tagService,
            )
            events.add("tag discovered")
            t
        }
    }

    /**
     * The card leaves the field: the controller deactivates it (a transceive now ends as target
     * lost, nativeNfcTag_doTransceive). NativeNfcTag.mIsPresent stays true until the presence
     * check runs ([presenceCheck]), as on a phone.
     */
    fun remove() {
        endpoint?.let { it.inField = false; it.active = false }
        events.add("card removed")
    }

    /**
     * One round of NativeNfcTag.PresenceCheckWatchdog.run (every presence-check delay while no
     * exchange runs): a card gone from the field ends the watchdog, which sets mIsPresent =
     * false, logs "Tag lost, restarting polling loop" and calls doDisconnect().
     */
    fun presenceCheck() {
        val e = endpoint ?: return
        synchronized(e) { if (!e.inField && e.present) disconnect(e, "presence check: tag lost") }
    }

    /**
     * Holds the transceive of command [index] (counted over the model's life, from 0) with the
     * tag's lock taken until [release], as a long RSA signature would; see [awaitHeld]. With
     * [betweenExchanges], it is held before the service takes the tag's lock (the tag idle
     * between two exchanges).
     */
    fun holdAt(index: Int, betweenExchanges: Boolean = false) {
        releaseLatch = CountDownLatch(1)
        holdingLatch = CountDownLatch(1)
        holdBetween = betweenExchanges
        holdIndex = index
    }

    /** Waits until a held transceive has started. */
    fun awaitHeld(seconds: Long = 20): Boolean = holdingLatch.await(seconds, TimeUnit.SECONDS)

    /** Lets the held transceive answer. */
    fun release() = releaseLatch.countDown()

    /**
     * NfcService.setReaderMode with flags 0 (also from pausing): mReaderModeParams = null,
     * then StopPresenceChecking(). Called with [lock] held; returns the tag to stop, which the
     * caller stops with [stopPresenceChecking] after releasing [lock].
     */
    private fun serviceReaderModeOff(why: String): Endpoint? {
        if (readerModeOwner == null) return null
        readerModeOwner = null
        events.add("reader mode off ($why)")
        return endpoint
    }

    /**
     * NativeNfcTag.stopPresenceChecking (synchronized on the tag: it waits for an exchange in
     * flight): mIsPresent = false, watchdog.end(true); the watchdog's run() then ends with
     * doDisconnect().
     */
    private fun stopPresenceChecking(e: Endpoint?, why: String) {
        if (e == null) return
        synchronized(e) { disconnect(e, why) }
    }

    private fun serviceReaderModeOn(activity: Activity, state: ActivityState) {
        readerModeOwner = activity
        readerModeDelay = state.extras?.getInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, DEFAULT_PRESENCE_CHECK_DELAY)
            ?: DEFAULT_PRESENCE_CHECK_DELAY
        events.add("reader mode on")
    }

    private fun disconnect(e: Endpoint, why: String) {
        e.present = false
        e.active = false
        events.add("tag disconnected ($why)")
    }

    /** NfcActivityManager.enableReaderMode: kept for the Activity; applied if it is resumed. */
    internal fun activityManagerEnable(activity: Activity, callback: NfcAdapter.ReaderCallback, flags: Int, extras: Bundle?) {
        synchronized(lock) {
            // NfcActivityState's constructor: an already destroyed Activity is refused.
            check(!activity.isDestroyed) { "activity is already destroyed" }
            val state = activities.getOrPut(activity) { ActivityState(activity.isResumed) }
            state.callback = callback
            state.flags = flags
            state.extras = extras
            if (state.resumed && nfcOn) serviceReaderModeOn(activity, state)
        }
    }

    /** NfcActivityManager.disableReaderMode: forgotten; the service told if the Activity is resumed. */
    internal fun activityManagerDisable(activity: Activity) {
        val stop = synchronized(lock) {
            check(!activity.isDestroyed) { "activity is already destroyed" }
            val state = activities.getOrPut(activity) { ActivityState(activity.isResumed) }
            state.callback = null
            state.flags = 0
            state.extras = null
            if (state.resumed && readerModeOwner === activity) serviceReaderModeOff("disableReaderMode") else null
        }
        stopPresenceChecking(stop, "stopPresenceChecking")
    }

    /** NfcActivityManager.onActivityResumed: reader mode set again with the kept flags. */
    private fun activityResumed(activity: Activity) {
        synchronized(lock) {
            val state = activities[activity] ?: return
            state.resumed = true
            if (state.flags != 0 && nfcOn) serviceReaderModeOn(activity, state)
        }
    }

    /** NfcActivityManager.onActivityPaused: setReaderMode(token, 0, null) when it had reader mode. */
    private fun activityPaused(activity: Activity) {
        val stop = synchronized(lock) {
            val state = activities[activity] ?: return
            state.resumed = false
            if (state.flags != 0 && readerModeOwner === activity) serviceReaderModeOff("activity paused") else null
        }
        stopPresenceChecking(stop, "stopPresenceChecking")
    }

    /** NfcService.disableInternal (maybeDisconnectTarget) / enableInternal. */
    internal fun nfcSwitched(on: Boolean) {
        val stop = synchronized(lock) {
            nfcOn = on
            if (on) return
            readerModeOwner = null
            events.add("NFC off")
            endpoint
        }
        // The controller is switched off: the tag is deactivated at once (an exchange in
        // flight ends as target lost), then disconnected (maybeDisconnectTarget).
        stop?.active = false
        stopPresenceChecking(stop, "NFC off")
    }

    /** NfcService.TagService: the binder behind every Tag the model discovers. */
    inner class TagService : INfcTag.Stub() {
        private fun find(handle: Int): Endpoint? = synchronized(lock) { endpoint?.takeIf { it.handle == handle } }

        /** TagService's guard: isNfcEnabled() and isReaderOptionEnabled() (reader option on). */
        private fun serviceUp(): Boolean = synchronized(lock) { nfcOn }

        override fun connect(nativeHandle: Int, technology: Int): Int {
            if (!serviceUp()) return ErrorCodes.ERROR_NOT_INITIALIZED
            val tag = find(nativeHandle) ?: return ErrorCodes.ERROR_DISCONNECT
            // NativeNfcTag.connect is synchronized on the tag.
            synchronized(tag) {
                if (!tag.present) return ErrorCodes.ERROR_DISCONNECT
                if (technology != TagTechnology.ISO_DEP && technology != TagTechnology.NFC_B) return ErrorCodes.ERROR_DISCONNECT
                return if (tag.active) ErrorCodes.SUCCESS else ErrorCodes.ERROR_DISCONNECT
            }
        }

        /** IsoDep.close() -> BasicTagTechnology.close() -> reconnect: NativeNfcTag.reconnect, synchronized. */
        override fun reconnect(nativeHandle: Int): Int {
            if (!serviceUp()) return ErrorCodes.ERROR_NOT_INITIALIZED
            val tag = find(nativeHandle) ?: return ErrorCodes.ERROR_DISCONNECT
            synchronized(tag) {
                events.add("reconnect")
                // doReconnect re-activates the card if it is still in the field (the
                // emulated card keeps its state across it: not modelled).
                return if (tag.active) ErrorCodes.SUCCESS else ErrorCodes.ERROR_DISCONNECT
            }
        }

        override fun isPresent(nativeHandle: Int): Boolean {
            if (!serviceUp()) return false
            return find(nativeHandle)?.present ?: false
        }

        override fun transceive(nativeHandle: Int, data: ByteArray, raw: Boolean): TransceiveResult? {
            if (!serviceUp()) return null
            val tag = find(nativeHandle) ?: return null
            // TagService.transceive: the length is checked before the controller is asked.
            if (data.size > getMaxTransceiveLength(TagTechnology.ISO_DEP)) {
                refusedOverLength++
                events.add("transceive refused: ${data.size} > max")
                return TransceiveResult(TransceiveResult.RESULT_EXCEEDED_LENGTH, null)
            }
            // Held between exchanges ([holdAt] with betweenExchanges): the app is busy, the tag
            // idle, its lock free.
            val call = calls.getAndIncrement()
            if (holdBetween && call == holdIndex) {
                holdingLatch.countDown()
                releaseLatch.await(HOLD_BOUND_SECONDS, TimeUnit.SECONDS)
            }
            // NativeNfcTag.transceive is synchronized on the tag: close/reconnect waits.
            synchronized(tag) {
                timeoutsSeen.add(isoDepTimeout)
                val n = synchronized(commands) { commands.add(data.copyOf()); commands.size - 1 }
                if (n == removeAt) remove()
                if (n == nfcOffAt) {
                    // The settings switch, through Robolectric's adapter (ModelNfcAdapter.setEnabled).
                    org.robolectric.Shadows.shadowOf(NfcAdapter.getDefaultAdapter(RuntimeEnvironment.getApplication())).setEnabled(false)
                }
                if (!holdBetween && n == holdIndex) {
                    holdingLatch.countDown()
                    // A long exchange; bounded so that a broken test cannot hang.
                    releaseLatch.await(HOLD_BOUND_SECONDS, TimeUnit.SECONDS)
                }
                // nativeNfcTag_doTransceive: not active -> target lost.
                if (!tag.active) return TransceiveResult(TransceiveResult.RESULT_TAGLOST, null)
                // No answer within the timeout read at entry -> target lost.
                if (silentFrom in 0..n) return TransceiveResult(TransceiveResult.RESULT_TAGLOST, null)
                if (refuseExtended && data.size >= 7 && data[4] == 0.toByte()) {
                    return TransceiveResult(TransceiveResult.RESULT_SUCCESS, byteArrayOf(0x67, 0x00))
                }
                val response = tag.card.transceive(data)
                val drop = dropsFramesLongerThan
                if (drop != null && (data.size > drop || response.size > drop)) {
                    // The frame (either way) breaks the RF link: target lost, tag deactivated.
                    tag.active = false
                    events.add("frame of ${maxOf(data.size, response.size)} bytes lost by the controller")
                    return TransceiveResult(TransceiveResult.RESULT_TAGLOST, null)
                }
                return TransceiveResult(TransceiveResult.RESULT_SUCCESS, response)
            }
        }

        /** NfcService.TagService.setTimeout -> nfcManager_doSetTimeout: <= 0 refused. */
        override fun setTimeout(technology: Int, timeout: Int): Int {
            if (timeout <= 0) return ErrorCodes.ERROR_INVALID_PARAM
            if (technology == TagTechnology.ISO_DEP) isoDepTimeout = timeout
            return ErrorCodes.SUCCESS
        }

        override fun getTimeout(technology: Int): Int =
            if (technology == TagTechnology.ISO_DEP) isoDepTimeout else 1000

        /** NfcTag::resetAllTransceiveTimeouts. */
        override fun resetTimeouts() {
            isoDepTimeout = DEFAULT_ISO_DEP_TIMEOUT
        }

        override fun getMaxTransceiveLength(technology: Int): Int = when (technology) {
            TagTechnology.ISO_DEP -> isoDepMaxTransceive
            TagTechnology.NFC_B -> 253
            else -> 0
        }

        override fun getExtendedLengthApdusSupported(): Boolean = isoDepMaxTransceive > 261

        /** TagService.isTagUpToDate: only the last discovered tag's cookie. */
        override fun isTagUpToDate(cookie: Long): Boolean = synchronized(lock) { cookieUpToDate != -1L && cookie == cookieUpToDate }

        override fun getTechList(nativeHandle: Int): IntArray? = intArrayOf(TagTechnology.NFC_B, TagTechnology.ISO_DEP)
        override fun isNdef(nativeHandle: Int): Boolean = false
        override fun ndefRead(nativeHandle: Int): NdefMessage? = null
        override fun ndefWrite(nativeHandle: Int, msg: NdefMessage?): Int = ErrorCodes.ERROR_IO
        override fun ndefMakeReadOnly(nativeHandle: Int): Int = ErrorCodes.ERROR_IO
        override fun ndefIsWritable(nativeHandle: Int): Boolean = throw UnsupportedOperationException()
        override fun formatNdef(nativeHandle: Int, key: ByteArray?): Int = ErrorCodes.ERROR_IO
        override fun rediscover(nativeHandle: Int): Tag? = null
        override fun canMakeReadOnly(ndefType: Int): Boolean = false
    }

    companion object {
        /** NfcTag::resetAllTransceiveTimeouts: ISO-DEP 618 ms. */
        const val DEFAULT_ISO_DEP_TIMEOUT: Int = 618

        /** NfcService.DEFAULT_PRESENCE_CHECK_DELAY. */
        const val DEFAULT_PRESENCE_CHECK_DELAY: Int = 125

        private const val HOLD_BOUND_SECONDS = 20L

        /** The model the adapter shadow talks to. */
        @Volatile var current: NfcServiceModel? = null

        /** Makes [model] the phone's NFC service (NFC on). */
        fun install(model: NfcServiceModel = NfcServiceModel()): NfcServiceModel {
            current?.uninstall()
            current = model
            RuntimeEnvironment.getApplication().registerActivityLifecycleCallbacks(model.lifecycle)
            return model
        }
    }

    private fun uninstall() {
        RuntimeEnvironment.getApplication().unregisterActivityLifecycleCallbacks(lifecycle)
    }
}
