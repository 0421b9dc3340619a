package jp.mynasign.android

import android.nfc.Tag
import android.nfc.tech.IsoDep

/**
 * What [IsoDepLink] needs of `android.nfc.tech.IsoDep`: the seam that lets the link be tested
 * on the JVM (an IsoDep's transceive cannot be answered by a test) and lets an app wrap another
 * ISO 14443-4 transport. [of] gives the platform's IsoDep of a tag.
 */
interface IsoDepLike {
    /** Whether the tag is connected (`IsoDep.isConnected`). */
    val isConnected: Boolean

    /** `IsoDep.timeout`, in milliseconds. */
    var timeout: Int

    /** `IsoDep.isExtendedLengthApduSupported`. */
    val isExtendedLengthApduSupported: Boolean

    /** `IsoDep.maxTransceiveLength`. */
    val maxTransceiveLength: Int

    /** `IsoDep.connect()`; throws `java.io.IOException`. */
    fun connect()

    /** `IsoDep.transceive`; throws `android.nfc.TagLostException` or `java.io.IOException`. */
    fun transceive(command: ByteArray): ByteArray

    /** `IsoDep.close()`: a pending [transceive] returns. */
    fun close()

    companion object {
        /** The platform's IsoDep of [tag], or null when the tag does not speak ISO-DEP. */
        fun of(tag: Tag): IsoDepLike? = IsoDep.get(tag)?.let(::PlatformIsoDep)
    }
}

/** [IsoDepLike] over the platform's `IsoDep`. */
class PlatformIsoDep(private val isoDep: IsoDep) : IsoDepLike {
    override val isConnected: Boolean get() = isoDep.isConnected
    override var timeout: Int
        get() = isoDep.timeout
        set(value) {
            isoDep.timeout = value
        }
    override val isExtendedLengthApduSupported: Boolean get() = isoDep.isExtendedLengthApduSupported
    override val maxTransceiveLength: Int get() = isoDep.maxTransceiveLength
    override fun connect() = isoDep.connect()
    override fun transceive(command: ByteArray): ByteArray = isoDep.transceive(command)
    override fun close() = isoDep.close()
}
