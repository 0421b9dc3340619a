package jp.mynasign.sample

import jp.mynasign.CardLink
import jp.mynasign.Emulator

/**
 * A [CardLink] written in Kotlin that forwards every APDU to the emulated card, so the whole
 * UI runs without a card (the app's emulator switch) and the tests exercise the real
 * callback path from Rust into Kotlin and back. In flow/src/debug: the emulator is in the
 * testing artifact and the debug build only, never in what an app ships.
 */
class EmulatorLink(private val emulator: Emulator, private val extended: Boolean = true) : CardLink {
    override fun transceive(command: ByteArray): ByteArray = emulator.transceive(command)

    override fun supportsExtendedLength(): Boolean = extended && emulator.supportsExtendedLength()

    override fun maxTransceiveLength(): Int = 0

    /** Nothing to close: the emulator answers at once. */
    override fun closeLink() {}
}
