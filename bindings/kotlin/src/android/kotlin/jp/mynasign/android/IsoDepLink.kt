package jp.mynasign.android

import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import java.io.IOException
import java.util.concurrent.atomic.AtomicBoolean
import jp.mynasign.CardLink
import jp.mynasign.LinkException

/**
 * The My Number Card over NFC-B ISO-DEP, as the library's [CardLink].
 *
 * - The timeout is raised to [timeoutMillis] (20 s by default): the card's RSA signature takes
 *   about a second, far beyond IsoDep's default.
 * - Extended length and the maximum transceive length are the IsoDep's own; the library falls
 *   back to short APDUs when the card refuses extended ones.
 * - `TagLostException` becomes [LinkException.TagLost]; any other `IOException` becomes
 *   [LinkException.Other] naming only the kind of failure (the platform's text may carry the
 *   tag's identifier).
 * - [closeLink] (called by the library, from the cancelling thread, when the flow is cancelled)
 *   closes the IsoDep, so a pending `transceive` returns; every later call fails with
 *   [LinkException.TagLost]. [close] does the same, for `use { }`.
 *
 * The library calls the link on its own worker thread: `transceive` may block.
 */
class IsoDepLink(
    private val isoDep: IsoDepLike,
    val timeoutMillis: Int = DEFAULT_TIMEOUT_MILLIS,
) : CardLink, AutoCloseable {
    private val closed = AtomicBoolean(false)

    /** The platform's IsoDep (connected here when it is not yet). */
    constructor(isoDep: IsoDep, timeoutMillis: Int = DEFAULT_TIMEOUT_MILLIS) :
        this(PlatformIsoDep(isoDep), timeoutMillis)

    init {
        require(timeoutMillis > 0) { "timeoutMillis must be positive" }
        mapIo {
            if (!isoDep.isConnected) isoDep.connect()
            isoDep.timeout = timeoutMillis
        }
    }

    /** Whether [closeLink] or [close] was called. */
    val isClosed: Boolean get() = closed.get()

    override fun transceive(command: ByteArray): ByteArray {
        if (closed.get()) throw LinkException.TagLost()
        return mapIo { isoDep.transceive(command) }
    }

    override fun supportsExtendedLength(): Boolean = isoDep.isExtendedLengthApduSupported

    override fun maxTransceiveLength(): Int = isoDep.maxTransceiveLength.coerceAtLeast(0)

    override fun closeLink() {
        if (!closed.compareAndSet(false, true)) return
        try {
            isoDep.close()
        } catch (_: IOException) {
            // Already gone.
        }
    }

    override fun close() = closeLink()

    private inline fun <T> mapIo(block: () -> T): T =
        try {
            block()
        } catch (e: TagLostException) {
            throw LinkException.TagLost()
        } catch (e: IOException) {
            // Closed by a cancellation: the pending exchange ends as a lost tag.
            if (closed.get()) throw LinkException.TagLost()
            // The platform's message may name the tag; keep only the kind of failure.
            throw LinkException.Other("IsoDep: ${e.javaClass.simpleName}")
        } catch (e: IllegalStateException) {
            // IsoDep's "Call connect() first!" after a close.
            if (closed.get()) throw LinkException.TagLost()
            throw LinkException.Other("IsoDep: not connected")
        } catch (e: SecurityException) {
            // "Permission Denial" once the tag is out of date (another tag was discovered).
            throw LinkException.TagLost()
        }

    companion object {
        /** The default IsoDep timeout: RSA signing on the card takes about a second. */
        const val DEFAULT_TIMEOUT_MILLIS: Int = 20_000
    }
}
