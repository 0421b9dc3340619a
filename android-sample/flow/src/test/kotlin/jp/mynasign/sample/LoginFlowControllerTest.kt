package jp.mynasign.sample

import java.util.concurrent.CopyOnWriteArrayList
import jp.mynasign.CardLink
import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.LinkException
import jp.mynasign.LoginVerifier
import jp.mynasign.PinType
import jp.mynasign.Verifier
import jp.mynasign.VerifierOptions
import jp.mynasign.emulatorOcspResponse
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

private const val ORIGIN = "https://login.example.jp"

/** The sample's login flow (issue 26) on the emulated card, with the library's LoginVerifier as the service. */
class LoginFlowControllerTest {
    private val emu = Emulator(7uL, CardProfile.MY_NUMBER_CARD)
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val states = CopyOnWriteArrayList<LoginState>()
    private val verifier = LoginVerifier(Verifier(VerifierOptions(rootsDer = emu.rootCertificatesDer())), ORIGIN)

    /** The service as the app names it: [ORIGIN], or another (a relay). */
    private fun service(appSays: String = ORIGIN) = VerifyingLoginService(verifier, appSays) { der -> emulatorOcspResponse(der) }

    private val controller = LoginFlowController(service(), scope) { states.add(it) }

    @AfterEach
    fun stop() {
        scope.cancel()
    }

    private fun present(link: CardLink = EmulatorLink(emu), to: LoginFlowController = controller) = runBlocking {
        withTimeout(60_000) { to.onCardPresented(link)?.join() }
    }

    private inline fun <reified T : LoginState> current(c: LoginFlowController = controller): T {
        val s = c.state
        assertTrue(s is T, "state is $s")
        return s as T
    }

    private fun wrongPin() = (if (String(emu.authenticationPin()) == "9999") "1111" else "9999").toByteArray()

    private class Counting(private val emu: Emulator, private val extended: Boolean) : CardLink {
        var exchanges = 0
        override fun transceive(command: ByteArray): ByteArray = emu.transceive(command).also { exchanges++ }
        override fun supportsExtendedLength() = extended
        override fun maxTransceiveLength() = 0
        override fun closeLink() {}
    }

    @Test
    fun `a login with extended and with short APDUs ends with the certificate the service recognised`() {
        for (extended in listOf(true, false)) {
            val c = LoginFlowController(service(), scope) { states.add(it) }
            current<LoginState.EnterPin>(c)
            c.submitPin(emu.authenticationPin(), allowLastAttempt = false)
            current<LoginState.WaitingForCard>(c)
            val link = Counting(emu, extended)
            present(link, c)
            val done = current<LoginState.Done>(c)
            assertEquals(link.exchanges, done.exchanges)
            // The protocol floor: 6 with extended length; the certificate in short READ BINARY chunks otherwise.
            assertEquals(if (extended) 6 else SHORT_EXCHANGES, done.exchanges)
            assertTrue(done.account.keyId!!.isNotEmpty())
        }
        val steps = states.filterIsInstance<LoginState.LoggingIn>().filter { it.step != null }
        assertTrue(steps.isNotEmpty() && steps.all { it.total == 5 }, steps.toString())
        assertTrue(states.contains(LoginState.Checking))
        assertEquals(3, emu.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))
    }

    @Test
    fun `a PIN of the wrong format is refused before the card`() {
        controller.submitPin("12a4".toByteArray(), allowLastAttempt = false)
        assertEquals("INVALID_PIN_FORMAT", current<LoginState.EnterPin>().error?.code)
        controller.submitPin("12345".toByteArray(), allowLastAttempt = false)
        assertEquals("INVALID_PIN_FORMAT", current<LoginState.EnterPin>().error?.code)
        assertEquals(null, controller.onCardPresented(EmulatorLink(emu)))
    }

    @Test
    fun `wrong PINs count down, then the last attempt needs the holder's confirmation`() {
        controller.submitPin(wrongPin(), allowLastAttempt = false)
        present()
        val first = current<LoginState.EnterPin>()
        assertEquals(LoginState.EnterPin(2, false, first.error), first)
        assertEquals("WRONG_PIN", first.error?.code)
        controller.submitPin(wrongPin(), allowLastAttempt = false)
        present()
        assertEquals(1, current<LoginState.EnterPin>().remaining)
        assertTrue(current<LoginState.EnterPin>().lastAttempt)
        // The right PIN, but the warning not confirmed: refused before VERIFY.
        controller.submitPin(emu.authenticationPin(), allowLastAttempt = false)
        present()
        assertEquals("LAST_ATTEMPT", current<LoginState.EnterPin>().error?.code)
        assertEquals(1, emu.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))
        controller.submitPin(emu.authenticationPin(), allowLastAttempt = true)
        present()
        current<LoginState.Done>()
        assertEquals(3, emu.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))
    }

    @Test
    fun `a lost card asks for it again, and for the PIN again after a VERIFY`() {
        controller.submitPin(emu.authenticationPin(), allowLastAttempt = false)
        present(object : CardLink {
            override fun transceive(command: ByteArray): ByteArray = throw LinkException.TagLost()
            override fun supportsExtendedLength() = true
            override fun maxTransceiveLength() = 0
            override fun closeLink() {}
        })
        assertEquals("TAG_LOST", current<LoginState.WaitingForCard>().message?.code)
        present(object : CardLink {
            override fun transceive(command: ByteArray): ByteArray {
                if (command.size > 5 && command[1] == 0x20.toByte()) throw LinkException.TagLost() // VERIFY with the PIN
                return emu.transceive(command)
            }
            override fun supportsExtendedLength() = true
            override fun maxTransceiveLength() = 0
            override fun closeLink() {}
        })
        val again = current<LoginState.EnterPin>()
        assertEquals("TAG_LOST_DURING_VERIFY", again.error?.code)
        assertNull(again.remaining)
        controller.submitPin(emu.authenticationPin(), allowLastAttempt = false)
        present()
        current<LoginState.Done>()
    }

    @Test
    fun `a response the app answered for another service is refused by the service`() {
        val relayed = LoginFlowController(service("https://phish.example"), scope) { states.add(it) }
        relayed.submitPin(emu.authenticationPin(), allowLastAttempt = false)
        present(to = relayed)
        assertEquals("VERIFICATION_FAILED", current<LoginState.Failed>(relayed).info.code)
    }

    @Test
    fun `without a configured service nothing is sent to the card`() {
        val placeholder = LoginFlowController(ServiceLogin(ORIGIN), scope) { states.add(it) }
        placeholder.submitPin(emu.authenticationPin(), allowLastAttempt = false)
        val link = Counting(emu, true)
        present(link, placeholder)
        assertEquals("NO_LOGIN_SERVICE", current<LoginState.Failed>(placeholder).info.code)
        assertEquals(0, link.exchanges)
    }

    @Test
    fun `cancel while waiting for the card ends at once`() {
        controller.submitPin(emu.authenticationPin(), allowLastAttempt = false)
        controller.cancel()
        current<LoginState.Cancelled>()
        assertEquals(null, controller.onCardPresented(EmulatorLink(emu)))
        current<LoginState.Cancelled>()
    }

    private companion object {
        /** Short APDUs with the default short-EF shortcuts (16 without them: tests/integration/login.rs). */
        const val SHORT_EXCHANGES = 13
    }
}
