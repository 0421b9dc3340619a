package jp.mynasign.tests

import jp.mynasign.CardFlowEvent
import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.FlowStep
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.Progress
import jp.mynasign.SignOptions
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Issue 9: progress arrives as a Flow, in order, with both languages' texts. */
class ProgressFlowTest {
    private val emu = Emulator(12uL, CardProfile.MY_NUMBER_CARD)

    /** Collects [flow]; checks the steps count 1..n of n with texts, and one Done at the end. */
    private fun <T> steps(flow: Flow<CardFlowEvent<T>>): Pair<List<Progress>, T> = runBlocking {
        val events = flow.toList()
        val last = events.last()
        assertTrue(last is CardFlowEvent.Done, "the last event is Done: $last")
        val steps = events.dropLast(1).map {
            assertTrue(it is CardFlowEvent.Step, "only steps before Done: $it")
            (it as CardFlowEvent.Step).progress
        }
        assertTrue(steps.isNotEmpty())
        assertEquals((1..steps.size).toList(), steps.map { it.index }, "indices count up from 1: $steps")
        assertTrue(steps.all { it.total == steps.size }, "$steps")
        assertTrue(steps.all { hasJapanese(it.messageJa) && it.messageEn.isNotBlank() }, "$steps")
        @Suppress("UNCHECKED_CAST")
        steps to (last as CardFlowEvent.Done<T>).result
    }

    @Test
    fun `the signing steps come in order with both texts`() {
        val (steps, signed) = steps(MynaSign.signConsentFlow(ForwardingLink(emu), addressChange(), emu.signaturePassword()))
        assertEquals(
            listOf(FlowStep.CONNECTING, FlowStep.CHECKING_PIN, FlowStep.VERIFYING_PIN, FlowStep.READING_CERTIFICATE, FlowStep.SIGNING),
            steps.map { it.step },
        )
        assertEquals(6, signed.counts().exchanges)
        val (withCa, _) = steps(
            MynaSign.signConsentFlow(ForwardingLink(emu), addressChange(), emu.signaturePassword(), SignOptions(includeCaCertificate = true)),
        )
        assertEquals(6, withCa.size)
        assertTrue(FlowStep.READING_CA_CERTIFICATE in withCa.map { it.step })
    }

    @Test
    fun `the other flows report their steps the same way`() {
        val (attrSteps, attrs) = steps(MynaSign.readBasicAttributesFlow(ForwardingLink(emu), emu.cardInfoPin()))
        assertEquals(listOf(FlowStep.CONNECTING, FlowStep.CHECKING_PIN, FlowStep.VERIFYING_PIN, FlowStep.READING_ATTRIBUTES), attrSteps.map { it.step })
        assertTrue(attrs.name().isNotEmpty())
        val (pinSteps, report) = steps(MynaSign.readPinStatusFlow(ForwardingLink(emu)))
        assertEquals(4, pinSteps.size)
        assertEquals(5, report.signaturePassword.remaining)
        val (linkSteps, linkage) = steps(MynaSign.checkLinkageFlow(ForwardingLink(emu), emu.cardInfoPin(), emu.signaturePassword()))
        assertEquals(6, linkSteps.size)
        assertEquals(FlowStep.COMPARING, linkSteps.last().step)
        assertTrue(linkage.differingFields.isEmpty())
    }

    @Test
    fun `a failing flow ends with MynaSignException after its steps`() {
        val seen = mutableListOf<FlowStep>()
        val e = assertThrows<MynaSignException> {
            runBlocking {
                MynaSign.signConsentFlow(ForwardingLink(emu), addressChange(), WRONG_PASSWORD).collect {
                    if (it is CardFlowEvent.Step) seen.add(it.progress.step)
                }
            }
        }
        assertEquals(ErrorCode.WRONG_PIN, e.code)
        assertEquals(listOf(FlowStep.CONNECTING, FlowStep.CHECKING_PIN, FlowStep.VERIFYING_PIN), seen)
    }
}
