package jp.mynasign.android

import android.app.Activity
import android.app.Application
import android.content.Context
import android.content.Intent
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.provider.Settings
import java.io.Closeable
import java.util.concurrent.CompletableFuture
import jp.mynasign.LinkException
import jp.mynasign.MynaException
import jp.mynasign.MynaSignException
import jp.mynasign.NfcUnavailableReason
import jp.mynasign.toMynaSign
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.future.future
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * The intent that opens the NFC settings when this error is "NFC is switched off"
 * ([MynaException.NfcUnavailable] with [NfcUnavailableReason.NFC_OFF]); null otherwise.
 * (`startActivity(it)`.)
 */
val MynaSignException.nfcSettingsIntent: Intent?
    get() = (error as? MynaException.NfcUnavailable)
        ?.takeIf { it.reason == NfcUnavailableReason.NFC_OFF }
        ?.let { Intent(Settings.ACTION_NFC_SETTINGS) }

private fun nfcUnavailable(reason: NfcUnavailableReason) = MynaException.NfcUnavailable(reason).toMynaSign()

/** A tag that is not a My Number Card (no ISO-DEP, or no JPKI application). */
private fun notMyNumberCard() = MynaException.NotMyNumberCard().toMynaSign()

/** The tag left during the reader's check. */
private fun lostDuringCheck() = MynaException.TagLost(false).toMynaSign()

/** Whether this device can read a card now. */
sealed class NfcAvailability {
    /** NFC is on. */
    data object Ready : NfcAvailability()

    /** No NFC hardware. */
    data object NoNfc : NfcAvailability()

    /** NFC is off; [settingsIntent] opens its settings. */
    class Off(val settingsIntent: Intent) : NfcAvailability()
}

/**
 * NFC reader mode for the My Number Card, for a screen: keep one in the screen's ViewModel,
 * [attach] each Activity instance (from `onCreate`, or later: an Activity already resumed
 * works), call [awaitCard] from the ViewModel's scope, and [close] it when the screen is left
 * for good (`onCleared`).
 *
 * - Reader mode (`FLAG_READER_NFC_B or FLAG_READER_SKIP_NDEF_CHECK`, presence-check delay
 *   [presenceCheckDelayMillis]) is requested from [awaitCard] until the link it returned is
 *   closed: switching it off would make Android's NFC service stop presence checking and
 *   disconnect the card in use (`NfcService.setReaderMode` with flags 0). While a link is
 *   open another tag is not taken; a new card is looked for only when [awaitCard] is called.
 * - Android itself switches reader mode off while the Activity is paused and back on when it
 *   resumes (`NfcActivityManager`): a card in use is lost when the screen is left (another
 *   Activity on top, the app in the background); the flow then ends with a lost-card error.
 * - Reader-mode changes are made on the main thread (posted there from any other thread), in
 *   order, from the reader's current state.
 * - Lifecycle: the reader forgets an Activity when it is destroyed. A configuration change
 *   destroys the Activity but not the ViewModel: the wait (and a signing started from the
 *   ViewModel's scope) goes on, and the new Activity's [attach] takes reader mode over.
 * - Outcomes: a connected [IsoDepLink], or the library's one error type, [MynaSignException]
 *   (code, Japanese and English text, retry-safe): [MynaException.NfcUnavailable] (no NFC,
 *   NFC off: [nfcSettingsIntent] opens the settings; no permission, reader mode refused, the
 *   screen closed), [MynaException.NotMyNumberCard] (no ISO-DEP or no JPKI application: call
 *   [awaitCard] again for the next tag) or [MynaException.TagLost] (it left during the
 *   check); no platform exception leaves [awaitCard].
 *
 * [isoDepOf] turns a discovered tag into its ISO-DEP transport ([IsoDepLike.of] by default).
 * With [checkJpki], a tag is taken only when it accepts a SELECT of the JPKI application (the
 * flow selects it again). [timeoutMillis] is the IsoDep timeout of the links
 * ([IsoDepLink.DEFAULT_TIMEOUT_MILLIS] by default).
 */
class MynaCardReader(
    context: Context,
    private val timeoutMillis: Int = IsoDepLink.DEFAULT_TIMEOUT_MILLIS,
    private val presenceCheckDelayMillis: Int = DEFAULT_PRESENCE_CHECK_DELAY_MILLIS,
    private val checkJpki: Boolean = true,
    private val isoDepOf: (Tag) -> IsoDepLike? = IsoDepLike::of,
) : Closeable {
    private val application: Application = context.applicationContext as Application
    private val adapter: NfcAdapter? = NfcAdapter.getDefaultAdapter(application)
    private val main = Handler(Looper.getMainLooper())
    private val lock = Any()
    private val futures = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    // Guarded by lock.
    private var activity: Activity? = null
    private var waiter: CancellableContinuation<IsoDepLink>? = null
    private var inUse: IsoDepLink? = null
    private var callbacksRegistered = false
    private var closed = false

    // Main thread only: the Activity reader mode was last requested for.
    private var applied: Activity? = null
    @Volatile private var appliedOn = false

    private val callbacks = object : Application.ActivityLifecycleCallbacks {
        override fun onActivityDestroyed(activity: Activity) {
            // Android forgets the destroyed Activity's reader mode itself
            // (NfcActivityManager.onActivityDestroyed); so does the reader.
            if (applied === activity) {
                applied = null
                appliedOn = false
            }
            synchronized(lock) { if (this@MynaCardReader.activity === activity) this@MynaCardReader.activity = null }
            update()
        }
        override fun onActivityCreated(activity: Activity, savedInstanceState: Bundle?) = Unit
        override fun onActivityStarted(activity: Activity) = Unit
        override fun onActivityResumed(activity: Activity) = Unit
        override fun onActivityPaused(activity: Activity) = Unit
        override fun onActivityStopped(activity: Activity) = Unit
        override fun onActivitySaveInstanceState(activity: Activity, outState: Bundle) = Unit
    }

    private val readerCallback = NfcAdapter.ReaderCallback { tag -> onTagDiscovered(tag) }

    /** Whether a card can be read now: no NFC, NFC off, or ready. */
    fun availability(): NfcAvailability = when {
        adapter == null -> NfcAvailability.NoNfc
        !adapter.isEnabled -> NfcAvailability.Off(Intent(Settings.ACTION_NFC_SETTINGS))
        else -> NfcAvailability.Ready
    }

    /**
     * The Activity that shows the screen (each new instance after a configuration change;
     * from `onCreate` or later). The reader keeps it only until it is destroyed.
     */
    fun attach(activity: Activity) {
        synchronized(lock) {
            if (!callbacksRegistered) {
                application.registerActivityLifecycleCallbacks(callbacks)
                callbacksRegistered = true
            }
            this.activity = activity
        }
        update()
    }

    /** Stops following the Activity (reader mode off). Cancels nothing. */
    fun detach() {
        synchronized(lock) {
            activity = null
            unregister()
        }
        update()
    }

    /**
     * The screen is left for good: a pending [awaitCard] is cancelled, reader mode switched
     * off and the lifecycle callbacks removed. A link already returned stays its owner's to
     * close. Later calls of [awaitCard] are cancelled at once.
     */
    override fun close() {
        val pending = synchronized(lock) {
            closed = true
            activity = null
            unregister()
            waiter.also { waiter = null }
        }
        pending?.cancel()
        futures.cancel()
        update()
    }

    private fun unregister() {
        if (callbacksRegistered) {
            application.unregisterActivityLifecycleCallbacks(callbacks)
            callbacksRegistered = false
        }
    }

    /** Whether the reader has reader mode requested now (for tests and diagnostics). */
    val isReaderModeOn: Boolean get() = appliedOn

    /**
     * Suspends until a My Number Card is tapped, and returns its link (connected, timeout
     * raised); reader mode stays on until that link is closed. Cancelling the caller's
     * coroutine ends the wait. One wait at a time.
     */
    suspend fun awaitCard(): IsoDepLink {
        when (val a = availability()) {
            NfcAvailability.NoNfc -> throw nfcUnavailable(NfcUnavailableReason.NO_NFC)
            is NfcAvailability.Off -> throw nfcUnavailable(NfcUnavailableReason.NFC_OFF)
            NfcAvailability.Ready -> Unit
        }
        return suspendCancellableCoroutine { cont ->
            val refused = synchronized(lock) {
                when {
                    closed -> true
                    waiter != null -> throw IllegalStateException("awaitCard() is already waiting")
                    else -> {
                        waiter = cont
                        false
                    }
                }
            }
            if (refused) {
                cont.cancel()
                return@suspendCancellableCoroutine
            }
            cont.invokeOnCancellation {
                synchronized(lock) { if (waiter === cont) waiter = null }
                update()
            }
            update()
        }
    }

    /**
     * [awaitCard] for Java callers: completes with the link, or exceptionally with a
     * [MynaSignException]; `cancel(true)` ends the wait (as does [close]).
     */
    fun awaitCardFuture(): CompletableFuture<IsoDepLink> = futures.future { awaitCard() }

    /** NfcAdapter.ReaderCallback: on a binder thread. */
    private fun onTagDiscovered(tag: Tag) {
        // A card is in use, or nobody asked: the tag is not taken.
        val cont = synchronized(lock) { if (inUse != null) null else waiter } ?: return
        val result = runCatching { linkOf(tag) }
        val taken = synchronized(lock) {
            if (waiter !== cont) {
                false
            } else {
                waiter = null
                inUse = result.getOrNull()
                true
            }
        }
        if (!taken) {
            // The wait was cancelled meanwhile.
            result.getOrNull()?.closeLink()
            return
        }
        result.fold(
            onSuccess = { link -> cont.resume(link) { _, _, _ -> link.closeLink() } },
            onFailure = { cont.resumeWithException(it) },
        )
        update()
    }

    private fun onLinkClosed(link: IsoDepLink) {
        synchronized(lock) { if (inUse === link) inUse = null }
        update()
    }

    private fun linkOf(tag: Tag): IsoDepLink {
        val isoDep = try {
            isoDepOf(tag)
        } catch (e: RuntimeException) {
            // IsoDep.get of an out-of-date tag (SecurityException): it is gone.
            throw lostDuringCheck()
        } ?: throw notMyNumberCard()
        val link = try {
            IsoDepLink(isoDep, timeoutMillis, ::onLinkClosed)
        } catch (e: LinkException) {
            throw lostDuringCheck()
        } catch (e: RuntimeException) {
            throw lostDuringCheck()
        }
        if (!checkJpki) return link
        val answer = try {
            link.transceive(SELECT_JPKI)
        } catch (e: LinkException) {
            link.closeLink()
            throw lostDuringCheck()
        }
        val ok = answer.size >= 2 && answer[answer.size - 2] == 0x90.toByte() && answer[answer.size - 1] == 0.toByte()
        if (!ok) {
            link.closeLink()
            throw notMyNumberCard()
        }
        return link
    }

    /** Brings reader mode in line with the state, on the main thread. */
    private fun update() {
        if (Looper.myLooper() === Looper.getMainLooper()) apply() else main.post(::apply)
    }

    /**
     * Reader mode requested for the attached Activity exactly while a wait is pending or a
     * link is open. Main thread only: each call reads the state as it is now, so changes are
     * applied in order and a later one is never overtaken by an earlier one.
     */
    private fun apply() {
        val nfc = adapter ?: return
        val want = synchronized(lock) { if (!closed && (waiter != null || inUse != null)) activity else null }
        val current = applied
        if (want === current) return
        if (current != null && !current.isDestroyed) {
            // Nothing to do if Android refuses: it forgets the Activity's reader mode itself.
            runCatching { nfc.disableReaderMode(current) }
        }
        applied = null
        appliedOn = false
        if (want == null) return
        val extras = Bundle().apply { putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, presenceCheckDelayMillis) }
        val refusal = try {
            nfc.enableReaderMode(want, readerCallback, NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK, extras)
            applied = want
            appliedOn = true
            null
        } catch (e: SecurityException) {
            // No android.permission.NFC in the app's manifest.
            nfcUnavailable(NfcUnavailableReason.NO_PERMISSION)
        } catch (e: UnsupportedOperationException) {
            nfcUnavailable(NfcUnavailableReason.READER_MODE_UNSUPPORTED)
        } catch (e: IllegalStateException) {
            // The Activity is already destroyed.
            nfcUnavailable(NfcUnavailableReason.SCREEN_CLOSED)
        }
        if (refusal != null) {
            val cont = synchronized(lock) { waiter.also { waiter = null } }
            cont?.resumeWithException(refusal)
        }
    }

    companion object {
        /** The presence-check delay of reader mode, in milliseconds. */
        const val DEFAULT_PRESENCE_CHECK_DELAY_MILLIS: Int = 1000

        /** SELECT of the JPKI application by DF name, no FCI (the library's own first command). */
        internal val SELECT_JPKI: ByteArray = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A) + OmapiLink.JPKI_AID
    }
}
