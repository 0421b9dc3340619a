package jp.mynasign.android

import android.nfc.TagLostException
import android.os.Build
import android.nfc.tech.IsoDep
import java.io.IOException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executor
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import jp.mynasign.CardLink
import jp.mynasign.LinkException
import jp.mynasign.SessionDiagnostics

/**
 * The My Number Card over NFC-B ISO-DEP, as the library's [CardLink].
 *
 * - The timeout is raised to [timeoutMillis] ([DEFAULT_TIMEOUT_MILLIS] by default): the card's
 *   RSA signature takes far longer than IsoDep's 618 ms default. A timeout the platform
 *   refuses is [LinkException.Other] at construction.
 * - Extended length and the maximum transceive length are the IsoDep's own (the NFC service
 *   refuses a frame longer than `getMaxTransceiveLength()`; the library sizes its commands to
 *   it, and a longer frame is refused here without being sent).
 * - `TagLostException` becomes [LinkException.TagLost]; any other `IOException` becomes
 *   [LinkException.Other] naming only the kind of failure (the platform's text may carry the
 *   tag's identifier); `SecurityException` (the Tag is out of date: another tag was
 *   discovered) is [LinkException.TagLost].
 * - [closeLink] (called by the library from the thread that cancels, possibly the main thread)
 *   never blocks: every later call fails with [LinkException.TagLost] at once, and the
 *   IsoDep's own `close()` runs on a background thread. On Android's NFC service that close
 *   waits for the exchange in flight (`transceive` and `reconnect` of one tag are serialized
 *   in `NativeNfcTag`; the IsoDep javadoc's promise that close cancels a blocked call does not
 *   hold), so a cancel takes effect after the exchange in flight, within [timeoutMillis]; a
 *   PIN VERIFY in flight always completes. [close] does the same, for `use { }`.
 *
 * The library calls the link on its own worker thread: `transceive` may block.
 */
class IsoDepLink internal constructor(
    private val isoDep: IsoDepLike,
    val timeoutMillis: Int,
    private val onClosed: ((IsoDepLink) -> Unit)?,
) : CardLink, AutoCloseable {
    private val closed = AtomicBoolean(false)
    private val closeDone = CountDownLatch(1)

    /** A link over [isoDep] (connected here when it is not yet). */
    constructor(isoDep: IsoDepLike, timeoutMillis: Int = DEFAULT_TIMEOUT_MILLIS) : this(isoDep, timeoutMillis, null)

    /** The platform's IsoDep (connected here when it is not yet). */
    constructor(isoDep: IsoDep, timeoutMillis: Int = DEFAULT_TIMEOUT_MILLIS) :
        this(PlatformIsoDep(isoDep), timeoutMillis, null)

    /** `getMaxTransceiveLength()`, read once (0: unknown). */
    private val maxLength: Int

    init {
        if (timeoutMillis <= 0) throw LinkException.Other("IsoDep: timeout must be positive")
        maxLength = mapIo {
            if (!isoDep.isConnected) isoDep.connect()
            isoDep.timeout = timeoutMillis
            isoDep.maxTransceiveLength
        }.coerceAtLeast(0)
    }

    /** Whether the IsoDep says extended-length APDUs may be sent, read once. */
    private val extendedSupported: Boolean = mapIo { isoDep.isExtendedLengthApduSupported }

    /**
     * What this phone's NFC says, for a support ticket (no personal data): Android's SDK level,
     * the device's manufacturer and model, the IsoDep's maximum transceive length, whether it
     * takes extended-length APDUs, and the timeout in use.
     */
    fun nfcFacts(): Map<String, String> = mapOf(
        "android.sdk" to Build.VERSION.SDK_INT.toString(),
        "android.device" to "${Build.MANUFACTURER} ${Build.MODEL}",
        "nfc.technology" to "ISO-DEP (NFC-B)",
        "nfc.max_transceive_length" to maxLength.toString(),
        "nfc.extended_length_apdu_supported" to extendedSupported.toString(),
        "nfc.timeout_millis" to timeoutMillis.toString(),
    )

    /**
     * A redacted session report ([SessionDiagnostics]) holding [nfcFacts]: pass
     * `diagnostics.wrap(link)` to the flow, then attach `diagnostics.reportText()` to a
     * support ticket (headers, lengths, status words and times of the exchanges; never a
     * command's or a response's data).
     */
    fun diagnostics(): SessionDiagnostics =
        SessionDiagnostics().also { d -> nfcFacts().forEach { (k, v) -> d.addFact(k, v) } }

    /** Whether [closeLink] or [close] was called. */
    val isClosed: Boolean get() = closed.get()

    override fun transceive(command: ByteArray): ByteArray {
        if (closed.get()) throw LinkException.TagLost()
        // NfcService.TagService.transceive would refuse it (RESULT_EXCEEDED_LENGTH): not sent.
        if (maxLength > 0 && command.size > maxLength) throw LinkException.Other(FRAME_TOO_LONG)
        return mapIo { isoDep.transceive(command) }
    }

    override fun supportsExtendedLength(): Boolean = extendedSupported

    override fun maxTransceiveLength(): Int = maxLength

    override fun closeLink() {
        if (!closed.compareAndSet(false, true)) return
        closer.execute {
            try {
                isoDep.close()
            } catch (_: IOException) {
                // Already gone.
            } catch (_: RuntimeException) {
                // SecurityException (out of date), IllegalStateException: gone as well.
            } finally {
                closeDone.countDown()
                onClosed?.invoke(this)
            }
        }
    }

    override fun close() = closeLink()

    /**
     * Waits until the IsoDep's own close has returned (it waits for the exchange in flight);
     * true when it did within [timeoutMillis]. For tests and orderly shutdown, never the main
     * thread.
     */
    fun awaitClosed(timeoutMillis: Long): Boolean = closeDone.await(timeoutMillis, TimeUnit.MILLISECONDS)

    private inline fun <T> mapIo(block: () -> T): T =
        try {
            block()
        } catch (e: TagLostException) {
            throw LinkException.TagLost()
        } catch (e: IOException) {
            // Closed by a cancellation: the pending exchange ends as a lost tag.
            if (closed.get()) throw LinkException.TagLost()
            // TransceiveResult.getResponseOrThrow's RESULT_EXCEEDED_LENGTH text: keep its meaning.
            if (e.message == "Transceive length exceeds supported maximum") throw LinkException.Other(FRAME_TOO_LONG)
            // The platform's message may name the tag; keep only the kind of failure.
            throw LinkException.Other("IsoDep: ${e.javaClass.simpleName}")
        } catch (e: IllegalStateException) {
            // IsoDep's "Call connect() first!" after a close.
            if (closed.get()) throw LinkException.TagLost()
            throw LinkException.Other("IsoDep: not connected")
        } catch (e: IllegalArgumentException) {
            // IsoDep.setTimeout: "The supplied timeout is not valid".
            throw LinkException.Other("IsoDep: timeout refused")
        } catch (e: SecurityException) {
            // "Permission Denial" once the tag is out of date (another tag was discovered).
            throw LinkException.TagLost()
        }

    companion object {
        /**
         * The default IsoDep timeout, in milliseconds: 20 s, the top of the 5-20 s range apps
         * use for the card's RSA signature (PROTOCOL.md section 6; not yet measured on a card
         * here: see the README's "verified on devices" table). A cancel waits at most this
         * long behind an exchange that never answers, on the background closing thread.
         */
        const val DEFAULT_TIMEOUT_MILLIS: Int = 20_000

        /** [LinkException.Other]'s detail for a frame longer than `getMaxTransceiveLength()`. */
        const val FRAME_TOO_LONG: String = "IsoDep: frame longer than maxTransceiveLength"

        /** One background thread closes links (a close waits for the exchange in flight). */
        private val closer: Executor = Executors.newCachedThreadPool { r ->
            Thread(r, "mynasign-isodep-close").apply { isDaemon = true }
        }
    }
}
