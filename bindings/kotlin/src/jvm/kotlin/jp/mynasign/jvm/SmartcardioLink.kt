package jp.mynasign.jvm

import java.io.File
import java.nio.ByteBuffer
import java.util.concurrent.Callable
import java.util.concurrent.ExecutionException
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import java.util.concurrent.atomic.AtomicBoolean
import javax.smartcardio.Card
import javax.smartcardio.CardChannel
import javax.smartcardio.CardException
import javax.smartcardio.CardNotPresentException
import javax.smartcardio.CardTerminal
import javax.smartcardio.CardTerminals
import javax.smartcardio.TerminalFactory
import jp.mynasign.CardLink
import jp.mynasign.LinkException

/**
 * The My Number Card in a PC/SC reader, through the JDK's own `javax.smartcardio`, as the
 * library's [CardLink]: for a kiosk or a desktop application on the JVM.
 *
 * ```kotlin
 * SmartcardioLink.open("Virtual PCD 00 00").use { link ->
 *     val signed = MynaSign.signConsent(link, document, password)
 * }
 * ```
 *
 * - [open] connects with T=1 and holds the card with `Card.beginExclusive()` (a PC/SC
 *   transaction) until [closeLink]: no other application can send a command (a VERIFY of its
 *   own, say) between a flow's PIN status read and its VERIFY. pcsc-lite makes another
 *   application's exclusive connection or transaction wait until the link is closed; a second
 *   [open] of the same reader in this JVM fails at once.
 * - Commands go out as raw bytes (`CardChannel.transmit(ByteBuffer, ByteBuffer)`); the JDK
 *   answers `61xx` with GET RESPONSE and resends on `6Cxx` itself (its
 *   `sun.security.smartcardio.t1GetResponse` property). Responses are limited to the JDK's
 *   receive buffer, [MAX_TRANSCEIVE_LENGTH] bytes, which [maxTransceiveLength] reports.
 * - A `CardException` (card removed, reset, reader gone, pcscd stopped) or a use after
 *   [closeLink] becomes [LinkException.TagLost]; anything else becomes [LinkException.Other]
 *   naming only the kind of failure, never the platform's text.
 * - `javax.smartcardio` ties exclusive access to the thread that began it: every call to the
 *   card runs on this link's own thread, whichever thread the library calls from. [closeLink]
 *   (also [close], for `use { }`) waits for a pending exchange (PC/SC cannot interrupt one),
 *   then leaves the application (SELECT of the issuer security domain, `A0 00 00 01 51 00 00`,
 *   the card's MF state) while the card is still this link's alone, so no PIN verified here
 *   stays in effect for the next program, and disconnects leaving the card powered. On a real
 *   card neither a disconnect nor a warm reset clears a verified PIN; leaving the application
 *   does (PROTOCOL.md 3a, JICSAP 5.1.3 as measured by the `myna-card` crate, its `src/lib.rs`
 *   and `src/mf.rs` `MasterFile::select`). `javax.smartcardio` cannot unpower a card
 *   (`Card.disconnect` offers only `SCARD_RESET_CARD` and `SCARD_LEAVE_CARD`). [open] leaves the
 *   application too, so a PIN that a program which died left verified is not inherited. Neither
 *   SELECT is one of a flow's exchanges.
 * - The disconnect ends the PC/SC transaction itself (pcsc-lite `winscard.c`, `SCardDisconnect`:
 *   the lock is released, then the handle removed, with no card I/O between them for
 *   `SCARD_LEAVE_CARD`). Ending the transaction first (`endExclusive`), or resetting the card in
 *   the disconnect, would open a window in which an application waiting for the card
 *   exclusively wakes up (its `SCardConnect` waits for the lock), finds this link's handle still
 *   there and is refused with `SCARD_E_SHARING_VIOLATION`.
 *
 * On Linux the JDK looks for `libpcsclite.so`, which only the development package installs:
 * unless the `sun.security.smartcardio.library` system property is set, [open] sets it to the
 * first `libpcsclite.so.1` found in the usual library folders (before the JDK's PC/SC
 * provider is first used; pass `-Dsun.security.smartcardio.library=...` to choose).
 */
class SmartcardioLink private constructor(
    /** The reader's name, as PC/SC lists it. */
    val readerName: String,
    private val worker: ExecutorService,
    private val card: Card,
    private val channel: CardChannel,
) : CardLink, AutoCloseable {
    private val closed = AtomicBoolean(false)

    /** Whether [closeLink] or [close] was called. */
    val isClosed: Boolean get() = closed.get()

    /** The card's answer to reset. */
    val atr: ByteArray get() = card.atr.bytes

    override fun transceive(command: ByteArray): ByteArray {
        if (closed.get()) throw LinkException.TagLost()
        return onCard(worker) {
            if (closed.get()) throw LinkException.TagLost()
            val response = ByteBuffer.allocate(MAX_TRANSCEIVE_LENGTH)
            val n = channel.transmit(ByteBuffer.wrap(command), response)
            response.array().copyOf(n)
        }
    }

    /** PC/SC readers carry extended-length APDUs; the library falls back if the card refuses. */
    override fun supportsExtendedLength(): Boolean = true

    override fun maxTransceiveLength(): Int = MAX_TRANSCEIVE_LENGTH

    override fun closeLink() {
        if (!closed.compareAndSet(false, true)) return
        try {
            worker.submit {
                leaveApplication(channel)
                try {
                    card.disconnect(false)
                } catch (_: Exception) {
                    // Already disconnected (card gone: its power went with it).
                }
            }.get(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        } catch (_: Exception) {
            // A hung exchange or an interrupted caller: the worker is shut down below anyway.
        } finally {
            worker.shutdown()
        }
    }

    override fun close() = closeLink()

    companion object {
        /** The JDK's PC/SC receive buffer: the largest response `javax.smartcardio` returns. */
        const val MAX_TRANSCEIVE_LENGTH: Int = 8192

        /** The system property naming the PC/SC library the JDK loads. */
        const val LIBRARY_PROPERTY: String = "sun.security.smartcardio.library"

        private const val CLOSE_TIMEOUT_SECONDS = 30L

        /** SELECT of the issuer security domain: the MF state, out of every application. */
        private val LEAVE_APPLICATION = byteArrayOf(
            0x00, 0xA4.toByte(), 0x04, 0x0C, 0x07, 0xA0.toByte(), 0x00, 0x00, 0x01, 0x51, 0x00, 0x00,
        )

        /** Sends [LEAVE_APPLICATION]; a card that is gone has nothing left to leave. */
        private fun leaveApplication(channel: CardChannel) {
            try {
                channel.transmit(ByteBuffer.wrap(LEAVE_APPLICATION), ByteBuffer.allocate(258))
            } catch (_: Exception) {
                // Removed or reset by someone else: no status of ours is left either way.
            }
        }
        private val LIBRARY_DIRS = listOf(
            "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
            "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/local/lib",
        )

        /**
         * Connects to the reader named [readerName] (exactly as PC/SC lists it), or, when it
         * is null, to the first reader holding a card, with T=1, and begins exclusive access.
         *
         * @throws LinkException.TagLost when the reader holds no card.
         * @throws LinkException.Other when there is no such reader (or none with a card), the
         *   card is held by another application or another link, or PC/SC is unavailable.
         */
        @JvmStatic
        @JvmOverloads
        fun open(readerName: String? = null): SmartcardioLink {
            ensureLibrary()
            val worker = Executors.newSingleThreadExecutor { r ->
                Thread(r, "mynasign-smartcardio").apply { isDaemon = true }
            }
            try {
                val (terminal, card) = onCard(worker, opening = true) {
                    val terminal = findTerminal(readerName)
                    val card = try {
                        terminal.connect("T=1")
                    } catch (e: CardNotPresentException) {
                        throw LinkException.TagLost()
                    }
                    try {
                        card.beginExclusive()
                    } catch (e: CardException) {
                        // Held by another link of this JVM (same Card object), or gone.
                        throw LinkException.Other("smartcardio: the card is in use")
                    }
                    leaveApplication(card.basicChannel)
                    terminal to card
                }
                return SmartcardioLink(terminal.name, worker, card, card.basicChannel)
            } catch (e: Throwable) {
                worker.shutdownNow()
                throw e
            }
        }

        /** The readers PC/SC lists (empty when there are none). */
        @JvmStatic
        fun readerNames(): List<String> {
            ensureLibrary()
            return try {
                TerminalFactory.getDefault().terminals().list().map { it.name }
            } catch (_: CardException) {
                emptyList()
            }
        }

        private fun findTerminal(readerName: String?): CardTerminal {
            val terminals = TerminalFactory.getDefault().terminals()
            val list = try {
                if (readerName == null) {
                    terminals.list(CardTerminals.State.CARD_PRESENT)
                } else {
                    terminals.list()
                }
            } catch (_: CardException) {
                throw LinkException.Other("smartcardio: no reader (PC/SC unavailable or no reader attached)")
            }
            return if (readerName == null) {
                list.firstOrNull() ?: throw LinkException.Other("smartcardio: no reader holds a card")
            } else {
                list.firstOrNull { it.name == readerName }
                    ?: throw LinkException.Other("smartcardio: no reader named \"$readerName\"")
            }
        }

        /** Points the JDK at libpcsclite.so.1 unless told otherwise (see the class comment). */
        private fun ensureLibrary() {
            if (!System.getProperty("os.name").orEmpty().startsWith("Linux")) return
            if (!System.getProperty(LIBRARY_PROPERTY).isNullOrBlank()) return
            val found = LIBRARY_DIRS.asSequence()
                .flatMap { dir -> sequenceOf("$dir/libpcsclite.so.1", "$dir/libpcsclite.so") }
                .firstOrNull { File(it).isFile }
            if (found != null) System.setProperty(LIBRARY_PROPERTY, found)
        }

        /**
         * Runs [block] on [worker] (the thread holding exclusive access) and maps what it
         * throws to a [LinkException] without the platform's text.
         */
        private fun <T> onCard(worker: ExecutorService, opening: Boolean = false, block: () -> T): T {
            val future = try {
                worker.submit(Callable { block() })
            } catch (_: Exception) {
                // Shut down by closeLink.
                throw LinkException.TagLost()
            }
            val cause = try {
                return future.get()
            } catch (e: ExecutionException) {
                e.cause ?: e
            } catch (e: InterruptedException) {
                Thread.currentThread().interrupt()
                throw LinkException.Other("smartcardio: interrupted")
            } catch (_: TimeoutException) {
                throw LinkException.Other("smartcardio: timed out")
            }
            throw when (cause) {
                is LinkException -> cause
                // Removed, reset, reader gone, pcscd stopped: the card is no longer ours.
                is CardException ->
                    if (opening) LinkException.Other("smartcardio: connect failed") else LinkException.TagLost()
                // "Card has been removed" / "disconnected".
                is IllegalStateException -> LinkException.TagLost()
                is IllegalArgumentException -> LinkException.Other("smartcardio: command refused by the JDK")
                is SecurityException -> LinkException.Other("smartcardio: not permitted")
                else -> LinkException.Other("smartcardio: ${cause.javaClass.simpleName}")
            }
        }
    }
}
