package jp.mynasign.sample

import java.util.concurrent.CopyOnWriteArrayList
import jp.mynasign.CardLink
import jp.mynasign.CardProfile
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.FlowStep
import jp.mynasign.HolderStatus
import jp.mynasign.LinkException
import jp.mynasign.PinType
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.termsFromText
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

private const val TERMS = "住所変更ワンストップサービスの利用規約（見本）"

class ConsentFlowControllerTest {
    private val emu = Emulator(7uL, CardProfile.MY_NUMBER_CARD)
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val states = CopyOnWriteArrayList<FlowState>()
    private val options = VerifyingChecker(VerifyConsentOptions(rootsDer = emu.rootCertificatesDer(), crls = listOf(emu.crl())))
    private val controller = ConsentFlowController(
        ConsentRequest(
            "address-change-terms", "2025-03", TERMS, ConsentChannel.LICENCE_CENTRE_KIOSK,
            HolderStatus.MY_NUMBER_LICENCE_ONLY, "kiosk-0001", options,
        ),
        scope,
    ) { states.add(it) }

    @AfterEach
    fun stop() {
        scope.cancel()
    }

    /** Presents the card and waits until the controller finished with it. */
    private fun present(link: CardLink = EmulatorLink(emu), to: ConsentFlowController = controller) = runBlocking {
        withTimeout(60_000) { to.onCardPresented(link)?.join() }
    }

    private inline fun <reified T : FlowState> current(): T {
        val s = controller.state
        assertTrue(s is T, "state is $s")
        return s as T
    }

    private fun pw(s: String) = s.toByteArray()

    @Test
    fun `the whole flow ends with a verified consent`() {
        val review = current<FlowState.ReviewConsent>()
        assertEquals(termsFromText("address-change-terms", "2025-03", TERMS).sha256Hex, review.termsSha256Hex)
        controller.selectItems(setOf(ConsentItem.NAME, ConsentItem.ADDRESS))
        controller.acceptConsent()
        assertEquals(CardPurpose.READ_PIN_STATUS, current<FlowState.WaitingForCard>().purpose)
        present()
        val pin = current<FlowState.EnterPin>()
        assertEquals(5, pin.remaining)
        assertFalse(pin.lastAttempt)
        val password = emu.signaturePassword()
        controller.submitPin(password, allowLastAttempt = false)
        assertEquals(CardPurpose.SIGN, current<FlowState.WaitingForCard>().purpose)
        present()
        val done = current<FlowState.Done>()
        assertEquals(6, done.result.exchanges)
        assertTrue(done.result.documentJson.contains("kiosk-0001"))
        // Items in the document's order, whatever order they were ticked in.
        assertTrue(done.result.documentJson.indexOf("address") < done.result.documentJson.indexOf("name"), done.result.documentJson)
        val signing = states.filterIsInstance<FlowState.Signing>().filter { it.step != null }
        assertEquals(
            listOf(FlowStep.CONNECTING, FlowStep.CHECKING_PIN, FlowStep.VERIFYING_PIN, FlowStep.READING_CERTIFICATE, FlowStep.SIGNING),
            signing.map { it.step },
        )
        assertTrue(signing.all { it.messageJa.isNotEmpty() && it.messageEn.isNotEmpty() })
        assertTrue(states.contains(FlowState.Verifying))
        assertTrue(password.all { it == 0.toByte() }, "the controller wiped the password array")
        val text = String(emu.signaturePassword())
        assertFalse(states.any { it.toString().contains(text) }, "no state shows the password")
    }

    /**
     * Without a check (the release build: the shipped artifact has no verifier, the receiving
     * service verifies), the flow ends with the signed consent as the card gave it: no
     * Verifying step, the signer's issuance number from its certificate, no signing time.
     */
    @Test
    fun `without a check the flow ends with the signed consent unverified`() {
        val unchecked = ConsentFlowController(
            ConsentRequest(
                "address-change-terms", "2025-03", TERMS, ConsentChannel.MYNAPORTAL,
                HolderStatus.MY_NUMBER_LICENCE_ONLY, "app-0001", null,
            ),
            scope,
        ) { states.add(it) }
        unchecked.acceptConsent()
        present(to = unchecked)
        unchecked.submitPin(emu.signaturePassword(), allowLastAttempt = false)
        present(to = unchecked)
        val done = unchecked.state as? FlowState.Done ?: throw AssertionError("state is ${unchecked.state}")
        assertFalse(states.contains(FlowState.Verifying))
        assertEquals(null, done.result.signingTime)
        val verified = options.check(done.result.cms)
        assertEquals(verified.issuanceNumber, done.result.issuanceNumber)
        assertEquals(verified.documentJson, done.result.documentJson)
        assertTrue(done.result.documentJson.contains("app-0001"))
    }

    @Test
    fun `an empty selection is refused on the review screen`() {
        controller.selectItems(emptySet())
        controller.acceptConsent()
        assertEquals("EMPTY_SELECTION", current<FlowState.ReviewConsent>().error?.code)
    }

    @Test
    fun `a wrong password goes back to the PIN screen, then warns before the last attempt`() {
        controller.acceptConsent()
        present()
        repeat(3) { i ->
            controller.submitPin(pw("WRONG${i}X"), allowLastAttempt = false)
            present()
            val pin = current<FlowState.EnterPin>()
            assertEquals(4 - i, pin.remaining)
            assertEquals("WRONG_PIN", pin.error?.code)
        }
        controller.submitPin(pw("WRONG9X"), allowLastAttempt = false)
        present()
        val warn = current<FlowState.EnterPin>()
        assertEquals(1, warn.remaining)
        assertTrue(warn.lastAttempt, "the UI must show the last-attempt warning")
        // Not confirmed: the library refuses before VERIFY, the counter stays at 1.
        controller.submitPin(pw("WRONG8X"), allowLastAttempt = false)
        present()
        assertEquals("LAST_ATTEMPT", current<FlowState.EnterPin>().error?.code)
        assertEquals(1, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
        // Confirmed with the right password: signed, and the counter is reset.
        controller.submitPin(emu.signaturePassword(), allowLastAttempt = true)
        present()
        current<FlowState.Done>()
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `a locked password ends on the blocked screen`() {
        controller.acceptConsent()
        present()
        repeat(5) {
            controller.submitPin(pw("WRONG0X"), allowLastAttempt = true)
            present()
        }
        assertEquals("PIN_NOW_BLOCKED", current<FlowState.Blocked>().info.code)
        // A later tap reads the status as blocked.
        val again = ConsentFlowController(
            ConsentRequest("t", "1", "x", ConsentChannel.MYNAPORTAL, HolderStatus.MY_NUMBER_LICENCE_ONLY, "n", options),
            scope,
        ) {}
        again.acceptConsent()
        present(to = again)
        assertEquals("PIN_BLOCKED", (again.state as FlowState.Blocked).info.code)
    }

    @Test
    fun `cancel during the signature leaves the counter untouched`() {
        controller.acceptConsent()
        present()
        controller.submitPin(pw("WRONG0X"), allowLastAttempt = false)
        // Cancel as soon as the card starts working (from the library's worker thread).
        val link = object : CardLink {
            override fun transceive(command: ByteArray): ByteArray {
                controller.cancel()
                return emu.transceive(command)
            }
            override fun supportsExtendedLength() = true
            override fun maxTransceiveLength() = 0
            override fun closeLink() {}
        }
        present(link)
        current<FlowState.Cancelled>()
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `a lost card asks for it again, re-reading the status after a VERIFY`() {
        controller.acceptConsent()
        present(object : CardLink {
            override fun transceive(command: ByteArray): ByteArray = throw LinkException.TagLost()
            override fun supportsExtendedLength() = true
            override fun maxTransceiveLength() = 0
            override fun closeLink() {}
        })
        val retry = current<FlowState.WaitingForCard>()
        assertEquals(CardPurpose.READ_PIN_STATUS, retry.purpose)
        assertEquals("TAG_LOST", retry.message?.code)
        present()
        controller.submitPin(emu.signaturePassword(), allowLastAttempt = false)
        present(object : CardLink {
            override fun transceive(command: ByteArray): ByteArray {
                if (command.size > 5 && command[1] == 0x20.toByte()) throw LinkException.TagLost() // VERIFY with the PIN
                return emu.transceive(command)
            }
            override fun supportsExtendedLength() = true
            override fun maxTransceiveLength() = 0
            override fun closeLink() {}
        })
        val afterVerify = current<FlowState.WaitingForCard>()
        assertEquals(CardPurpose.READ_PIN_STATUS, afterVerify.purpose)
        assertEquals("TAG_LOST_DURING_VERIFY", afterVerify.message?.code)
        present()
        current<FlowState.EnterPin>()
    }

    @Test
    fun `cancel while waiting for the card ends at once`() {
        controller.acceptConsent()
        controller.cancel()
        current<FlowState.Cancelled>()
        present()
        current<FlowState.Cancelled>()
    }
}
