package jp.mynasign.sample.android

import android.content.Context
import android.se.omapi.Channel
import android.se.omapi.SEService
import android.se.omapi.Session
import java.io.IOException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executor
import java.util.concurrent.TimeUnit
import jp.mynasign.CardLink
import jp.mynasign.LinkException

/**
 * The smartphone certificate (移動端末設備用署名用電子証明書) in the phone's secure element, over
 * Open Mobile API. The secure element's access rules admit only approved apps; elsewhere
 * [open] fails with a SecurityException.
 *
 * OMAPI forbids SELECT by DF name through `transmit`: the channel is opened on the JPKI AID,
 * and the library's SELECT of that AID is answered here with the channel's select response.
 * Its other SELECTs (EFs, by file id) go to the secure element as usual.
 */
class OmapiLink private constructor(
    private val service: SEService,
    private val session: Session,
    private val channel: Channel,
) : CardLink, AutoCloseable {

    override fun transceive(command: ByteArray): ByteArray {
        if (isSelectJpki(command)) {
            val r = channel.selectResponse
            return if (r != null && r.size >= 2) r.copyOfRange(r.size - 2, r.size) else OK
        }
        return try {
            channel.transmit(command)
        } catch (e: IOException) {
            throw LinkException.Other("OMAPI: ${e.javaClass.simpleName}")
        } catch (e: SecurityException) {
            throw LinkException.Other("OMAPI: command refused by the access rules")
        }
    }

    override fun supportsExtendedLength(): Boolean = true

    override fun maxTransceiveLength(): Int = 0

    /** The library's cancellation: the same as [close]. */
    override fun closeLink() = close()

    /** Closing twice is harmless. */
    override fun close() {
        channel.close()
        session.close()
        service.shutdown()
    }

    companion object {
        /** The JPKI application. */
        val JPKI_AID = byteArrayOf(
            0xD3.toByte(), 0x92.toByte(), 0xF0.toByte(), 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
        )
        private val OK = byteArrayOf(0x90.toByte(), 0x00)

        private fun isSelectJpki(c: ByteArray): Boolean =
            c.size >= 5 + JPKI_AID.size && c[1] == 0xA4.toByte() && c[2] == 0x04.toByte() &&
                c.copyOfRange(5, 5 + JPKI_AID.size).contentEquals(JPKI_AID)

        /**
         * Connects to the eSE and opens a logical channel on the JPKI AID. Blocking: call it
         * off the main thread (`withContext(Dispatchers.IO)`). Throws [LinkException] when no reader carries the application.
         */
        fun open(context: Context, callbacks: Executor): OmapiLink {
            val connected = CountDownLatch(1)
            val service = SEService(context, callbacks) { connected.countDown() }
            if (!connected.await(5, TimeUnit.SECONDS) || !service.isConnected) {
                service.shutdown()
                throw LinkException.Other("OMAPI: service not connected")
            }
            for (reader in service.readers) {
                if (!reader.isSecureElementPresent || !reader.name.startsWith("eSE")) continue
                val session = try { reader.openSession() } catch (e: IOException) { continue }
                val channel = try {
                    session.openLogicalChannel(JPKI_AID, 0x00)
                } catch (e: Exception) {
                    null
                }
                if (channel != null) return OmapiLink(service, session, channel)
                session.close()
            }
            service.shutdown()
            throw LinkException.Other("OMAPI: no secure element carries the JPKI application")
        }
    }
}
