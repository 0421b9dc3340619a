package jp.mynasign.sample.android

import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import java.io.IOException
import jp.mynasign.CardLink
import jp.mynasign.LinkException

/**
 * The card over NFC (ISO-DEP). The library calls it on its own worker thread, where
 * `transceive` may block; RSA signing takes about a second on the card, far beyond IsoDep's
 * default timeout. On cancellation the library calls [closeLink] (from the cancelling
 * thread), which closes the IsoDep so that a pending `IsoDep.transceive` returns.
 */
class IsoDepLink(private val isoDep: IsoDep) : CardLink, AutoCloseable {
    init {
        if (!isoDep.isConnected) isoDep.connect()
        isoDep.timeout = 20_000
    }

    override fun transceive(command: ByteArray): ByteArray =
        try {
            isoDep.transceive(command)
        } catch (e: TagLostException) {
            throw LinkException.TagLost()
        } catch (e: IOException) {
            if (!isoDep.isConnected) throw LinkException.TagLost() // closed by a cancellation
            // The message may name the tag; keep only the kind of failure.
            throw LinkException.Other("IsoDep: ${e.javaClass.simpleName}")
        }

    override fun supportsExtendedLength(): Boolean = isoDep.isExtendedLengthApduSupported

    override fun maxTransceiveLength(): Int = isoDep.maxTransceiveLength.coerceAtLeast(0)

    /** The library's cancellation: the same as [close]. */
    override fun closeLink() = close()

    override fun close() {
        try {
            isoDep.close()
        } catch (_: IOException) {
            // Already gone.
        }
    }
}
