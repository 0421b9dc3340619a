package jp.mynasign.sample.android

import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import java.io.IOException
import jp.mynasign.CardLink
import jp.mynasign.LinkException

/**
 * The card over NFC (ISO-DEP), for the library's blocking calls on a background thread.
 * RSA signing takes about a second on the card, far beyond IsoDep's default timeout.
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
            // The message may name the tag; keep only the kind of failure.
            throw LinkException.Other("IsoDep: ${e.javaClass.simpleName}")
        }

    override fun supportsExtendedLength(): Boolean = isoDep.isExtendedLengthApduSupported

    override fun maxTransceiveLength(): UInt = isoDep.maxTransceiveLength.coerceAtLeast(0).toUInt()

    override fun close() {
        try {
            isoDep.close()
        } catch (_: IOException) {
            // Already gone.
        }
    }
}
