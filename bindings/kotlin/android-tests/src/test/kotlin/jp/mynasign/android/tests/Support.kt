package jp.mynasign.android.tests

import android.nfc.TagLostException
import java.io.IOException
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import jp.mynasign.CardProfile
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.HolderStatus
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.android.IsoDepLike
import jp.mynasign.termsFromText

/** A fresh emulated My Number Card (the same persona for a seed). */
fun newCard(): Emulator = Emulator(1uL, CardProfile.MY_NUMBER_CARD)

/** An address-change consent to sign. */
fun consentDocument(): ConsentDocument = ConsentDocument.addressChange(
    listOf(ConsentItem.ADDRESS, ConsentItem.NAME),
    HolderStatus.MY_NUMBER_LICENCE_ONLY,
    termsFromText("address-change-onestop", "2025-03", "住所変更ワンストップサービス等の利用開始に同意します。（見本）"),
    ConsentChannel.MYNAPORTAL,
    "nonce-android-tests",
)

/** Verification trusting the emulator's roots (no revocation data in these tests). */
fun trustEmulator(card: Emulator) =
    VerifyConsentOptions(rootsDer = card.rootCertificatesDer(), allowUncheckedRevocation = true)

/** Whether [c] is an extended-length command APDU (Lc or Le in three bytes). */
fun isExtended(c: ByteArray): Boolean = c.size >= 7 && c[4] == 0.toByte()

/**
 * An IsoDep whose transceive is answered by the emulated card through the FFI, as
 * `IsoDep.transceive` would be by a real one, with the failures a phone sees on demand.
 */
class EmulatedIsoDep(
    private val card: Emulator,
    override val isExtendedLengthApduSupported: Boolean = true,
    override val maxTransceiveLength: Int = 65_279,
) : IsoDepLike {
    @Volatile override var isConnected: Boolean = false
    @Volatile override var timeout: Int = 618

    /** Every command received, in order. */
    val commands: MutableList<ByteArray> = Collections.synchronizedList(mutableListOf())

    /** Throw `TagLostException` (with the tag id in its text, as Android does) at this command. */
    @Volatile var loseAt: Int = -1

    /** Throw a plain IOException naming the tag at this command. */
    @Volatile var ioErrorAt: Int = -1

    /** Block at this command until [close] (a card held still but never answering). */
    @Volatile var blockAt: Int = -1

    /** Hold this command until [release] is counted down (a slow card). */
    @Volatile var holdAt: Int = -1
    val held = CountDownLatch(1)
    val release = CountDownLatch(1)

    /** The card refuses extended-length commands with 6700 (wrong length). */
    @Volatile var refuseExtended: Boolean = false
    @Volatile var refusals: Int = 0

    val blocked = CountDownLatch(1)
    private val closedLatch = CountDownLatch(1)
    @Volatile var closeCalls: Int = 0

    override fun connect() {
        isConnected = true
    }

    override fun transceive(command: ByteArray): ByteArray {
        check(isConnected) { "Call connect() first!" }
        val n = synchronized(commands) { commands.add(command.copyOf()); commands.size - 1 }
        if (n == loseAt) throw TagLostException("Tag 04A1B2C3D4E5F6 is out of date")
        if (n == ioErrorAt) throw IOException("Transceive failed on tag 04A1B2C3D4E5F6")
        if (n == blockAt) {
            blocked.countDown()
            closedLatch.await(30, TimeUnit.SECONDS)
            throw IOException("Transceive failed")
        }
        if (n == holdAt) {
            held.countDown()
            release.await(30, TimeUnit.SECONDS)
        }
        if (refuseExtended && isExtended(command)) {
            refusals++
            return byteArrayOf(0x67, 0x00)
        }
        return card.transceive(command)
    }

    override fun close() {
        closeCalls++
        isConnected = false
        closedLatch.countDown()
    }
}
