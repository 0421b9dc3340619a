package jp.mynasign.android

import android.app.Activity
import android.app.Application
import android.content.Context
import android.content.Intent
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.os.Bundle
import android.provider.Settings
import jp.mynasign.LinkException
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/** Why [MynaCardReader.awaitCard] gave no card. */
sealed class CardReaderException(message: String) : Exception(message) {
    /** The device has no NFC hardware: offer another way (the smartphone certificate). */
    class NoNfc : CardReaderException("this device has no NFC")

    /** NFC is switched off: [settingsIntent] opens the NFC settings (`startActivity(it)`). */
    class NfcOff(val settingsIntent: Intent) : CardReaderException("NFC is switched off")

    /**
     * The tapped tag is not a My Number Card: [kind] says why. Call `awaitCard()` again to wait
     * for the next tag.
     */
    class NotMyNumberCard(val kind: Kind) : CardReaderException(
        when (kind) {
            Kind.NOT_ISO_DEP -> "the tag does not speak ISO-DEP"
            Kind.NO_JPKI -> "the card has no JPKI application"
            Kind.LOST -> "the card left before it could be read"
        },
    ) {
        /** Why the tag is not taken. */
        enum class Kind {
            /** Not an ISO 14443-4 tag (a transit card's FeliCa, a sticker). */
            NOT_ISO_DEP,

            /** ISO-DEP, but it refused the JPKI application (another IC card). */
            NO_JPKI,

            /** It left the field during the check. */
            LOST,
        }
    }
}

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
 * [attach] each Activity instance from its `onCreate`, and call [awaitCard] from the
 * ViewModel's scope.
 *
 * - Reader mode (`FLAG_READER_NFC_B or FLAG_READER_SKIP_NDEF_CHECK`, presence-check delay
 *   [presenceCheckDelayMillis]) is on only while an [awaitCard] waits and the attached
 *   Activity is resumed; it is switched off when the card is found, when the wait is
 *   cancelled, and when the Activity pauses.
 * - Lifecycle: the reader follows the attached Activity through `Application`
 *   activity-lifecycle callbacks and forgets it when it is destroyed. A configuration change
 *   destroys the Activity but not the ViewModel: the wait (and a signing started from the
 *   ViewModel's scope) goes on, and the new Activity's [attach] resumes reader mode.
 * - Outcomes: a connected [IsoDepLink], or [CardReaderException.NoNfc],
 *   [CardReaderException.NfcOff] (with the settings intent), or
 *   [CardReaderException.NotMyNumberCard].
 *
 * [isoDepOf] turns a discovered tag into its ISO-DEP transport ([IsoDepLike.of] by default;
 * tests pass a fake). With [checkJpki], a tag is taken only when it accepts a SELECT of the
 * JPKI application (the flow selects it again).
 */
class MynaCardReader(
    context: Context,
    private val timeoutMillis: Int = IsoDepLink.DEFAULT_TIMEOUT_MILLIS,
    private val presenceCheckDelayMillis: Int = DEFAULT_PRESENCE_CHECK_DELAY_MILLIS,
    private val checkJpki: Boolean = true,
    private val isoDepOf: (Tag) -> IsoDepLike? = IsoDepLike::of,
) {
    private val application: Application = context.applicationContext as Application
    private val adapter: NfcAdapter? = NfcAdapter.getDefaultAdapter(application)
    private val lock = Any()
    private var activity: Activity? = null
    private var resumed = false
    private var readerModeOn: Activity? = null
    private var waiter: CancellableContinuation<IsoDepLink>? = null
    private var callbacksRegistered = false

    private val callbacks = object : Application.ActivityLifecycleCallbacks {
        override fun onActivityResumed(activity: Activity) = lifecycle(activity) { resumed = true }
        override fun onActivityPaused(activity: Activity) = lifecycle(activity) { resumed = false }
        override fun onActivityDestroyed(activity: Activity) = lifecycle(activity) {
            resumed = false
            this@MynaCardReader.activity = null
        }
        override fun onActivityCreated(activity: Activity, savedInstanceState: Bundle?) = Unit
        override fun onActivityStarted(activity: Activity) = Unit
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
     * The Activity that shows the screen (call from `onCreate`, each new instance after a
     * configuration change). The reader keeps it only until it is destroyed.
     */
    fun attach(activity: Activity) {
        synchronized(lock) {
            if (!callbacksRegistered) {
                application.registerActivityLifecycleCallbacks(callbacks)
                callbacksRegistered = true
            }
            if (this.activity !== activity) {
                this.activity = activity
                resumed = false
            }
        }
        update()
    }

    /** Stops following the Activity (the screen is left for good). Cancels nothing. */
    fun detach() {
        synchronized(lock) {
            activity = null
            resumed = false
            if (callbacksRegistered) {
                application.unregisterActivityLifecycleCallbacks(callbacks)
                callbacksRegistered = false
            }
        }
        update()
    }

    /** Whether reader mode is on now (for tests and diagnostics). */
    val isReaderModeOn: Boolean get() = synchronized(lock) { readerModeOn != null }

    /**
     * Suspends until a My Number Card is tapped, and returns its link (connected, timeout
     * raised). Cancelling the caller's coroutine switches reader mode off. One wait at a time.
     */
    suspend fun awaitCard(): IsoDepLink {
        when (val a = availability()) {
            NfcAvailability.NoNfc -> throw CardReaderException.NoNfc()
            is NfcAvailability.Off -> throw CardReaderException.NfcOff(a.settingsIntent)
            NfcAvailability.Ready -> Unit
        }
        return suspendCancellableCoroutine { cont ->
            synchronized(lock) {
                check(waiter == null) { "awaitCard() is already waiting" }
                waiter = cont
            }
            cont.invokeOnCancellation {
                synchronized(lock) { if (waiter === cont) waiter = null }
                update()
            }
            update()
        }
    }

    private fun onTagDiscovered(tag: Tag) {
        val cont = synchronized(lock) { waiter.also { waiter = null } } ?: return
        update()
        val result = runCatching { linkOf(tag) }
        result.fold(
            onSuccess = { link ->
                cont.resume(link) { _, _, _ -> link.closeLink() }
            },
            onFailure = { cont.resumeWithException(it) },
        )
    }

    private fun linkOf(tag: Tag): IsoDepLink {
        val isoDep = isoDepOf(tag)
            ?: throw CardReaderException.NotMyNumberCard(CardReaderException.NotMyNumberCard.Kind.NOT_ISO_DEP)
        val link = try {
            IsoDepLink(isoDep, timeoutMillis)
        } catch (e: LinkException) {
            throw CardReaderException.NotMyNumberCard(CardReaderException.NotMyNumberCard.Kind.LOST)
        }
        if (!checkJpki) return link
        val answer = try {
            link.transceive(SELECT_JPKI)
        } catch (e: LinkException) {
            link.closeLink()
            throw CardReaderException.NotMyNumberCard(CardReaderException.NotMyNumberCard.Kind.LOST)
        }
        val ok = answer.size >= 2 && answer[answer.size - 2] == 0x90.toByte() && answer[answer.size - 1] == 0.toByte()
        if (!ok) {
            link.closeLink()
            throw CardReaderException.NotMyNumberCard(CardReaderException.NotMyNumberCard.Kind.NO_JPKI)
        }
        return link
    }

    private inline fun lifecycle(activity: Activity, change: () -> Unit) {
        synchronized(lock) {
            if (activity !== this.activity) return
            change()
        }
        update()
    }

    /** Reader mode on exactly while a wait is pending and the attached Activity is resumed. */
    private fun update() {
        val nfc = adapter ?: return
        var disable: Activity? = null
        var enable: Activity? = null
        synchronized(lock) {
            val want = if (waiter != null && resumed) activity else null
            if (want === readerModeOn) return
            disable = readerModeOn
            enable = want
            readerModeOn = want
        }
        disable?.let { runCatching { nfc.disableReaderMode(it) } }
        enable?.let {
            nfc.enableReaderMode(
                it,
                readerCallback,
                NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK,
                Bundle().apply { putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, presenceCheckDelayMillis) },
            )
        }
    }

    companion object {
        /** The presence-check delay of reader mode, in milliseconds. */
        const val DEFAULT_PRESENCE_CHECK_DELAY_MILLIS: Int = 1000

        /** SELECT of the JPKI application by DF name, no FCI (the library's own first command). */
        internal val SELECT_JPKI: ByteArray = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x0A) + OmapiLink.JPKI_AID
    }
}
