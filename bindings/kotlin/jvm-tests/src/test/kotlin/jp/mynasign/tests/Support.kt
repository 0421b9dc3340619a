package jp.mynasign.tests

import java.io.File
import java.util.Collections
import java.util.Locale
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.atomic.AtomicInteger
import jp.mynasign.CardLink
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.HolderStatus
import jp.mynasign.KeyAlgorithm
import jp.mynasign.KeystoreSigner
import jp.mynasign.LinkException
import jp.mynasign.SignerException
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.termsFromText

const val INS_VERIFY = 0x20
const val INS_COMPUTE_DIGITAL_SIGNATURE = 0x2A
val WRONG_PASSWORD: ByteArray get() = "ZZZZZZ".toByteArray()

fun hasJapanese(s: String) = s.any { it.code in 0x3040..0x30ff || it.code in 0x4e00..0x9fff }

/** The INS byte of a command APDU. */
fun ins(command: ByteArray): Int = command[1].toInt() and 0xff

/** A persona file of examples/personas (the directory comes from pom.xml). */
fun personaJson(name: String): String {
    val dir = System.getProperty("mynasign.personas") ?: error("mynasign.personas is not set (run test.sh)")
    return File(dir, name).readText()
}

fun persona(name: String): Emulator = Emulator.fromPersonaJson(personaJson(name))

/** Verification options trusting the emulator, with its current CRL. */
fun trusting(emu: Emulator) = VerifyConsentOptions(rootsDer = emu.rootCertificatesDer(), crls = listOf(emu.crl()))

fun addressChange(nonce: String = "n1", channel: ConsentChannel = ConsentChannel.LICENCE_CENTRE_KIOSK) =
    ConsentDocument.addressChange(
        items = listOf(ConsentItem.ADDRESS),
        holderStatus = HolderStatus.MY_NUMBER_LICENCE_ONLY,
        terms = termsFromText("terms", "1", "利用規約の本文"),
        channel = channel,
        nonce = nonce,
    )

/** Runs [block] with [locale] as the default, restoring the previous default after. */
fun <T> withLocale(locale: Locale, block: () -> T): T {
    val before = Locale.getDefault()
    Locale.setDefault(locale)
    try {
        return block()
    } finally {
        Locale.setDefault(before)
    }
}

/** An app-held key, as the Android Keystore holds a smartphone certificate's key. */
class EmulatedKeystore(
    private val emulator: Emulator,
    private val failure: (() -> Exception)? = null,
) : KeystoreSigner {
    val signed = AtomicInteger()
    override fun certificateDer(): ByteArray = emulator.keystoreCertificateDer()
    override fun algorithm(): KeyAlgorithm = KeyAlgorithm.RSA_PKCS1_SHA256
    override fun sign(message: ByteArray): ByteArray {
        failure?.let { throw it() }
        signed.incrementAndGet()
        return emulator.keystoreSign(message)
    }
}

/** The transport written in Kotlin: every APDU crosses Rust → Kotlin → Rust. */
open class ForwardingLink(private val emulator: Emulator, private val extended: Boolean = true) : CardLink {
    val commands: MutableList<ByteArray> = CopyOnWriteArrayList()
    val threads: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())
    val closed = AtomicInteger()

    override fun transceive(command: ByteArray): ByteArray {
        commands.add(command.copyOf())
        threads.add(Thread.currentThread().name)
        return emulator.transceive(command)
    }

    override fun supportsExtendedLength(): Boolean = extended

    override fun maxTransceiveLength(): Int = if (extended) 0 else 261

    override fun closeLink() {
        closed.incrementAndGet()
    }
}

/**
 * Throws [failure] on the first command whose INS is [ins] and that carries data (so for
 * VERIFY the PIN check, not the retry-counter query), or on any command when [ins] is null.
 */
class FailingLink(
    emulator: Emulator,
    private val ins: Int?,
    private val failure: () -> Exception,
) : ForwardingLink(emulator) {
    override fun transceive(command: ByteArray): ByteArray {
        if (ins == null || (command.size > 5 && ins(command) == ins)) throw failure()
        return super.transceive(command)
    }
}

/**
 * Blocks in `transceive` on the first command with INS [blockOn] until [closeLink] is called (as
 * `IsoDep.transceive` does until `IsoDep.close()`), then throws `TagLost`. Records every
 * command and what happened when.
 */
class BlockingLink(emulator: Emulator, private val blockOn: Int) : ForwardingLink(emulator) {
    /** Counted down when the blocking command reached the link. */
    val blocked = CountDownLatch(1)
    /** Counted down by closeLink(). */
    val closeCalled = CountDownLatch(1)
    /** Counted down when the blocked transceive returned (by throwing). */
    val returned = CountDownLatch(1)
    /** Commands received after the blocked one returned. */
    val sentAfterReturn = AtomicInteger()

    override fun transceive(command: ByteArray): ByteArray {
        if (returned.count == 0L) sentAfterReturn.incrementAndGet()
        if (ins(command) == blockOn && blocked.count > 0) {
            commands.add(command.copyOf())
            blocked.countDown()
            try {
                closeCalled.await()
            } finally {
                returned.countDown()
            }
            throw LinkException.TagLost()
        }
        return super.transceive(command)
    }

    override fun closeLink() {
        super.closeLink()
        closeCalled.countDown()
    }
}

/** A signer failing with [SignerException.Failed]. */
fun failingSigner(emu: Emulator) = EmulatedKeystore(emu) { SignerException.Failed("key invalidated") }
