package jp.mynasign.android

import android.content.Context
import android.os.Build
import android.se.omapi.Channel
import android.se.omapi.Reader
import android.se.omapi.SEService
import android.se.omapi.Session
import java.io.IOException
import java.util.NoSuchElementException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean
import androidx.annotation.RequiresApi
import jp.mynasign.CardLink
import jp.mynasign.LinkException
import jp.mynasign.MynaException
import jp.mynasign.MynaSignException
import jp.mynasign.SecureElementReason
import jp.mynasign.toMynaSign
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.future.future
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import kotlin.coroutines.resume

/**
 * Why [OmapiLink.connect] or [OmapiLink.open] gave no link: the library's one error type,
 * [MynaException.SecureElementUnavailable] with its [SecureElementReason]. `ACCESS_DENIED` is
 * the normal outcome for an app that is not registered with the secure element's access rules
 * (the smartphone certificate's ARA-M lists the apps allowed to use it by signing
 * certificate): it is not "no secure element", and the holder cannot change it.
 */
private fun se(reason: SecureElementReason): MynaSignException =
    MynaException.SecureElementUnavailable(reason).toMynaSign()

/**
 * The smartphone certificate (移動端末設備用電子証明書) in the phone's embedded secure element,
 * over Open Mobile API (`android.se.omapi`, API 28), as the library's [CardLink].
 *
 * OMAPI refuses a SELECT by DF name through `transmit`: the channel is opened on the JPKI AID
 * ([JPKI_AID]) and the library's SELECT of that AID is answered here with `90 00`; its other
 * commands (SELECT of EFs by file id, VERIFY, READ BINARY, COMPUTE DIGITAL SIGNATURE) go to the
 * secure element. [closeLink] / [close] close the channel and the session and always shut the
 * service down. Access-rule refusals while exchanging become [LinkException.Other] without
 * detail of the platform's text.
 */
@RequiresApi(Build.VERSION_CODES.P)
class OmapiLink private constructor(
    private val service: OmapiService,
    private val session: OmapiSession,
    private val channel: OmapiChannel,
) : CardLink, AutoCloseable {
    private val closed = AtomicBoolean(false)

    override fun transceive(command: ByteArray): ByteArray {
        if (closed.get()) throw LinkException.TagLost()
        if (isSelectJpki(command)) return byteArrayOf(0x90.toByte(), 0x00)
        return try {
            channel.transmit(command)
        } catch (e: IOException) {
            if (closed.get()) throw LinkException.TagLost()
            throw LinkException.Other("OMAPI: ${e.javaClass.simpleName}")
        } catch (e: IllegalStateException) {
            // The channel or the service was closed.
            throw LinkException.TagLost()
        } catch (e: SecurityException) {
            throw LinkException.Other("OMAPI: command refused by the access rules")
        }
    }

    override fun supportsExtendedLength(): Boolean = true

    override fun maxTransceiveLength(): Int = 0

    override fun closeLink() {
        if (!closed.compareAndSet(false, true)) return
        try {
            runCatching { channel.close() }
            runCatching { session.close() }
        } finally {
            service.shutdown()
        }
    }

    override fun close() = closeLink()

    companion object {
        /** The JPKI application's AID. */
        val JPKI_AID: ByteArray = byteArrayOf(
            0xD3.toByte(), 0x92.toByte(), 0xF0.toByte(), 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
        )

        /** The reader name prefix of the embedded secure element. */
        const val ESE_READER_PREFIX: String = "eSE"

        private fun isSelectJpki(c: ByteArray): Boolean =
            c.size >= 5 + JPKI_AID.size && c[1] == 0xA4.toByte() && c[2] == 0x04.toByte() &&
                c[4].toInt() == JPKI_AID.size && c.copyOfRange(5, 5 + JPKI_AID.size).contentEquals(JPKI_AID)

        /**
         * Binds the secure-element service, waits up to [timeoutMillis] for it, and opens the
         * JPKI channel ([open]) on [Dispatchers.IO]. Never blocks the calling thread (call it
         * from any dispatcher, `Dispatchers.Main` included): the service's connection callback
         * is taken on the binder thread that delivers it. Every failure is a
         * [MynaSignException] ([MynaException.SecureElementUnavailable]); on Android older than 9 its reason is `OS_TOO_OLD`.
         */
        suspend fun connect(context: Context, timeoutMillis: Long = 5_000): OmapiLink {
            if (Build.VERSION.SDK_INT < Build.VERSION_CODES.P) throw se(SecureElementReason.OS_TOO_OLD)
            var created: SEService? = null
            val connected = withTimeoutOrNull(timeoutMillis) {
                suspendCancellableCoroutine { cont ->
                    // The callback runs where it is delivered: never on a thread this call
                    // could be blocking.
                    val direct = Executor { it.run() }
                    created = try {
                        SEService(context.applicationContext, direct) { if (cont.isActive) cont.resume(Unit) }
                    } catch (e: RuntimeException) {
                        // No OMAPI service on this build (SecurityException, IllegalStateException).
                        null
                    }
                    if (created == null) cont.resume(Unit)
                }
            }
            val service = created ?: throw se(SecureElementReason.SERVICE_UNAVAILABLE)
            if (connected == null || !service.isConnected) {
                runCatching { service.shutdown() }
                throw se(SecureElementReason.SERVICE_UNAVAILABLE)
            }
            return withContext(Dispatchers.IO) { open(PlatformSeService(service)) }
        }

        /**
         * [connect] for Java callers: completes with the link or exceptionally with an
         * [MynaSignException]; never blocks the calling thread.
         */
        @JvmStatic
        @JvmOverloads
        fun connectFuture(context: Context, timeoutMillis: Long = 5_000): CompletableFuture<OmapiLink> =
            CoroutineScope(Dispatchers.Default).future { connect(context, timeoutMillis) }

        /**
         * Opens a logical channel on the JPKI AID on the first "eSE" reader that has it. On any
         * failure the service is shut down and a [MynaSignException] thrown ([MynaException.SecureElementUnavailable]).
         */
        @JvmStatic
        fun open(service: OmapiService): OmapiLink {
            var failure: MynaSignException? = null
            try {
                if (!service.isConnected) throw se(SecureElementReason.SERVICE_UNAVAILABLE)
                val readers = service.readers.filter { it.name.startsWith(ESE_READER_PREFIX) && it.isSecureElementPresent }
                if (readers.isEmpty()) throw se(SecureElementReason.NO_SECURE_ELEMENT)
                for (reader in readers) {
                    val session = try {
                        reader.openSession()
                    } catch (e: IOException) {
                        failure = se(SecureElementReason.IO)
                        continue
                    } catch (e: SecurityException) {
                        failure = se(SecureElementReason.ACCESS_DENIED)
                        continue
                    } catch (e: RuntimeException) {
                        // IllegalStateException (the service went away), UnsupportedOperationException.
                        failure = se(SecureElementReason.UNSUPPORTED)
                        continue
                    }
                    val channel = try {
                        session.openLogicalChannel(JPKI_AID, 0x00)
                    } catch (e: SecurityException) {
                        failure = se(SecureElementReason.ACCESS_DENIED)
                        null
                    } catch (e: NoSuchElementException) {
                        null
                    } catch (e: IOException) {
                        failure = se(SecureElementReason.IO)
                        null
                    } catch (e: RuntimeException) {
                        // UnsupportedOperationException (P2 or logical channels not supported),
                        // IllegalStateException (session closed), IllegalArgumentException.
                        failure = se(SecureElementReason.UNSUPPORTED)
                        null
                    }
                    if (channel != null) return OmapiLink(service, session, channel)
                    runCatching { session.close() }
                }
                throw failure ?: se(SecureElementReason.NO_JPKI_APPLICATION)
            } catch (e: Throwable) {
                runCatching { service.shutdown() }
                if (e is MynaSignException) throw e
                if (e is SecurityException) throw se(SecureElementReason.ACCESS_DENIED)
                // The service's readers list and the like: IllegalStateException once the
                // service is gone.
                if (e is RuntimeException) throw se(SecureElementReason.SERVICE_UNAVAILABLE)
                throw e
            }
        }
    }
}

/** What [OmapiLink] needs of `SEService`: the seam for tests ([PlatformSeService] in apps). */
interface OmapiService {
    val isConnected: Boolean
    val readers: List<OmapiReader>
    fun shutdown()
}

/** What [OmapiLink] needs of `Reader`. */
interface OmapiReader {
    val name: String
    val isSecureElementPresent: Boolean
    fun openSession(): OmapiSession
}

/** What [OmapiLink] needs of `Session`. */
interface OmapiSession {
    /** `Session.openLogicalChannel`: null when the applet is not there. */
    fun openLogicalChannel(aid: ByteArray, p2: Byte): OmapiChannel?
    fun close()
}

/** What [OmapiLink] needs of `Channel`. */
interface OmapiChannel {
    fun transmit(command: ByteArray): ByteArray
    fun close()
}

/** [OmapiService] over the platform's `SEService` (already connected). */
@RequiresApi(Build.VERSION_CODES.P)
class PlatformSeService(private val service: SEService) : OmapiService {
    override val isConnected: Boolean get() = service.isConnected
    override val readers: List<OmapiReader> get() = service.readers.map(::PlatformReader)
    override fun shutdown() = service.shutdown()
}

@RequiresApi(Build.VERSION_CODES.P)
private class PlatformReader(private val reader: Reader) : OmapiReader {
    override val name: String get() = reader.name
    override val isSecureElementPresent: Boolean get() = reader.isSecureElementPresent
    override fun openSession(): OmapiSession = PlatformSession(reader.openSession())
}

@RequiresApi(Build.VERSION_CODES.P)
private class PlatformSession(private val session: Session) : OmapiSession {
    override fun openLogicalChannel(aid: ByteArray, p2: Byte): OmapiChannel? =
        session.openLogicalChannel(aid, p2)?.let(::PlatformChannel)
    override fun close() = session.close()
}

@RequiresApi(Build.VERSION_CODES.P)
private class PlatformChannel(private val channel: Channel) : OmapiChannel {
    override fun transmit(command: ByteArray): ByteArray = channel.transmit(command)
    override fun close() = channel.close()
}
