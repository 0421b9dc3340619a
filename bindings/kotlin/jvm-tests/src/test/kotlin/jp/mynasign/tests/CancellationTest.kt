package jp.mynasign.tests

import java.util.concurrent.TimeUnit
import jp.mynasign.CancelHandle
import jp.mynasign.CardFlowEvent
import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.FlowStep
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.PinType
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Issue 9: cancelling the coroutine cancels the card flow. The link blocks in `transceive` on
 * COMPUTE DIGITAL SIGNATURE (INS 2A) until `close()`, as `IsoDep.transceive` does while the
 * card computes; the library must close it so the worker is freed, and send nothing after.
 */
class CancellationTest {
    private val emu = Emulator(11uL, CardProfile.MY_NUMBER_CARD)

    private fun BlockingLink.assertStoppedWithinOneExchange() {
        assertTrue(closeCalled.await(10, TimeUnit.SECONDS), "close() was called")
        assertTrue(returned.await(10, TimeUnit.SECONDS), "the blocked transceive returned")
        Thread.sleep(300) // room for a command that should not come
        assertEquals(0, sentAfterReturn.get(), "no command after the blocked one")
        assertEquals(INS_COMPUTE_DIGITAL_SIGNATURE, ins(commands.last()), "the signature command was the last sent")
        assertEquals(1, closed.get(), "closed once")
    }

    @Test
    fun `cancelling the coroutine closes the link and ends the job cancelled`() = runBlocking {
        val link = BlockingLink(emu, INS_COMPUTE_DIGITAL_SIGNATURE)
        var thrown: Throwable? = null
        val job = launch(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
            try {
                MynaSign.signConsent(link, addressChange(), emu.signaturePassword())
            } catch (e: Throwable) {
                thrown = e
                throw e
            }
        }
        assertTrue(link.blocked.await(30, TimeUnit.SECONDS), "the card reached the signature")
        job.cancel()
        withTimeout(10_000) { job.join() }
        assertTrue(job.isCancelled, "the job ended cancelled")
        assertTrue(thrown is CancellationException, "the coroutine saw its CancellationException, not a MynaSignException: $thrown")
        link.assertStoppedWithinOneExchange()
        // The VERIFY before it was correct: the counter is full.
        assertEquals(5, emu.pinAttemptsLeft(PinType.SIGNATURE_PASSWORD))
    }

    @Test
    fun `an explicit CancelHandle ends the call with CANCELLED`() = runBlocking {
        val link = BlockingLink(emu, INS_COMPUTE_DIGITAL_SIGNATURE)
        val handle = CancelHandle()
        val call = async(Dispatchers.Default) {
            runCatching { MynaSign.signConsent(link, addressChange(), emu.signaturePassword(), cancel = handle) }
        }
        assertTrue(link.blocked.await(30, TimeUnit.SECONDS))
        handle.cancel()
        val e = withTimeout(10_000) { call.await() }.exceptionOrNull()
        assertTrue(e is MynaSignException, "$e")
        e as MynaSignException
        assertEquals(ErrorCode.CANCELLED, e.code)
        assertTrue(e.retrySafe)
        assertTrue(handle.isCancelled())
        link.assertStoppedWithinOneExchange()
    }

    @Test
    fun `a CancelHandle cancelled before the call sends nothing`() {
        val link = ForwardingLink(emu)
        val handle = CancelHandle().also { it.cancel() }
        val e = assertThrows<MynaSignException> {
            runBlocking { MynaSign.signConsent(link, addressChange(), emu.signaturePassword(), cancel = handle) }
        }
        assertEquals(ErrorCode.CANCELLED, e.code)
        assertTrue(link.commands.isEmpty(), "${link.commands.size} commands")
    }

    @Test
    fun `a collector that stops at the signing step cancels the card flow`() = runBlocking {
        val link = BlockingLink(emu, INS_COMPUTE_DIGITAL_SIGNATURE)
        val signing = withTimeout(30_000) {
            MynaSign.signConsentFlow(link, addressChange(), emu.signaturePassword()).first {
                it is CardFlowEvent.Step && it.progress.step == FlowStep.SIGNING
            }
        }
        assertTrue(signing is CardFlowEvent.Step)
        // The collector is gone; the flow was cancelled whether or not the card got the command.
        assertTrue(link.closeCalled.await(10, TimeUnit.SECONDS), "close() was called")
        if (link.blocked.count == 0L) link.assertStoppedWithinOneExchange()
        Unit
    }

    @Test
    fun `cancelling the collecting coroutine cancels the flow`() = runBlocking {
        val link = BlockingLink(emu, INS_COMPUTE_DIGITAL_SIGNATURE)
        val seen = mutableListOf<FlowStep>()
        val job = launch(Dispatchers.Default) {
            MynaSign.signConsentFlow(link, addressChange(), emu.signaturePassword()).collect { event ->
                if (event is CardFlowEvent.Step) synchronized(seen) { seen.add(event.progress.step) }
            }
        }
        assertTrue(link.blocked.await(30, TimeUnit.SECONDS))
        // The signing step was announced before the command; wait until the collector has it.
        withTimeout(10_000) { while (synchronized(seen) { FlowStep.SIGNING !in seen }) delay(10) }
        job.cancel()
        withTimeout(10_000) { job.join() }
        assertTrue(job.isCancelled)
        link.assertStoppedWithinOneExchange()
    }
}
