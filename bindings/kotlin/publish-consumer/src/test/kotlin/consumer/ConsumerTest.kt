package consumer

import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.MynaSign
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The published jar alone: its native library (from the jar) answers a flow on the emulated card. */
class ConsumerTest {
    @Test
    fun `reads the PIN status of the emulated card through the published jar`() = runBlocking {
        assertTrue(System.getProperty("jna.library.path").isNullOrEmpty())
        val emu = Emulator(1uL, CardProfile.MY_NUMBER_CARD)
        val status = MynaSign.readPinStatus(emu.link())
        assertEquals(5, status.signaturePassword.remaining)
    }
}
