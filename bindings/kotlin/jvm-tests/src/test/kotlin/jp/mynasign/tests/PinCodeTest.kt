package jp.mynasign.tests

import java.nio.ByteBuffer
import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.JpkiCard
import jp.mynasign.MynaException
import jp.mynasign.PinType
import jp.mynasign.SignOptions
import jp.mynasign.pinCode
import jp.mynasign.signConsent
import jp.mynasign.verifyPin
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** PINs cross the FFI as a `PinCode`, made from a direct buffer that is zero-filled after. */
class PinCodeTest {
    private val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)

    private fun zeroed(b: ByteBuffer) = (0 until b.capacity()).all { b.get(it) == 0.toByte() }

    @Test
    fun `the direct buffer is zero-filled, the value used by one flow and wiped`() = runBlocking {
        val password = emu.signaturePassword()
        val scratch = ByteBuffer.allocateDirect(password.size)
        val code = pinCode(PinType.SIGNATURE_PASSWORD, password, scratch)
        assertTrue(zeroed(scratch), "the direct buffer the PIN passed through is wiped")
        assertTrue(password.any { it != 0.toByte() }, "the caller's array is the caller's")
        assertFalse(code.isWiped())
        val link = ForwardingLink(emu)
        signConsent(link, addressChange(), code, SignOptions())
        assertTrue(code.isWiped(), "the flow used the value and wiped it")
        val sent = link.commands.size
        val e = assertThrows<MynaException.InvalidInput> {
            runBlocking { signConsent(link, addressChange(), code, SignOptions()) }
        }
        assertEquals(ErrorCode.INVALID_INPUT, e.code())
        assertEquals(sent, link.commands.size, "a second use sends nothing")
        code.close()
    }

    @Test
    fun `a wrong format is typed, and the buffer is wiped then too`() {
        for ((kind, text) in listOf(
            PinType.SIGNATURE_PASSWORD to "ABC12",
            PinType.SIGNATURE_PASSWORD to "ABC12!",
            PinType.CARD_INFO_PIN to "12a4",
            PinType.AUTHENTICATION_PIN to "12345",
        )) {
            val scratch = ByteBuffer.allocateDirect(16)
            val e = assertThrows<MynaException.InvalidPinFormat> { pinCode(kind, text.toByteArray(), scratch) }
            assertEquals(kind, e.pin)
            assertTrue(zeroed(scratch))
        }
        assertThrows<IllegalArgumentException> {
            pinCode(PinType.CARD_INFO_PIN, "1234".toByteArray(), ByteBuffer.allocate(4))
        }
    }

    @Test
    fun `wipe, another kind, and the printed form`() = runBlocking {
        val code = pinCode(PinType.SIGNATURE_PASSWORD, "pw4x9q2z".toByteArray())
        assertEquals("PinCode(signature password, ***)", code.toString())
        assertEquals("PinCode(signature password, ***)", "$code")
        assertEquals(PinType.SIGNATURE_PASSWORD, code.pinType())
        code.wipe()
        assertTrue(code.isWiped())
        val link = ForwardingLink(emu)
        assertThrows<MynaException.InvalidInput> {
            runBlocking { signConsent(link, addressChange(), code, SignOptions()) }
        }
        // JpkiCard.verifyPin: a PinCode of another kind is refused before any VERIFY.
        JpkiCard.open(link).use { card ->
            val info = pinCode(PinType.CARD_INFO_PIN, emu.cardInfoPin())
            assertThrows<MynaException.InvalidInput> {
                runBlocking { card.verifyPin(PinType.SIGNATURE_PASSWORD, info) }
            }
            assertTrue(info.isWiped())
            // The ByteArray form makes and releases its own PinCode.
            assertEquals(5, card.verifyPin(PinType.SIGNATURE_PASSWORD, emu.signaturePassword()).remaining)
        }
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
        code.close()
    }
}
