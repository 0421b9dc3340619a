package jp.mynasign.tests

import jp.mynasign.CardLink
import jp.mynasign.CardProfile
import jp.mynasign.ConsentDocument
import jp.mynasign.Emulator
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.tests.readme.readmeSnippets
import jp.mynasign.verifyConsent
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The free names of README.md's Kotlin snippets (each snippet is the body of an extension
 * function on this class, written by extract-readme.sh), backed by the emulator.
 */
class ReadmeScope(val emulator: Emulator, val password: ByteArray = emulator.signaturePassword()) {
    val link: CardLink = ForwardingLink(emulator)
    val document: ConsentDocument = addressChange(nonce = "readme")
    var sheetText: String = ""
    val submitted = mutableListOf<ByteArray>()
    val errors = mutableListOf<String>()
    var refreshed = 0

    fun submit(cms: ByteArray) {
        submitted.add(cms)
    }

    fun showError(message: String) {
        errors.add(message)
    }

    suspend fun refreshPinStatus() {
        MynaSign.readPinStatus(link)
        refreshed++
    }
}

/** The README's Kotlin snippets compile (they are in this build) and run against the emulator. */
class ReadmeSnippetsTest {
    @Test
    fun `the README snippets sign a consent that verifies`() = runBlocking {
        assertTrue(readmeSnippets.size >= 2, "${readmeSnippets.size} snippets")
        for ((name, snippet) in readmeSnippets) {
            val scope = ReadmeScope(Emulator(21uL, CardProfile.MY_NUMBER_CARD))
            scope.snippet()
            assertEquals(1, scope.submitted.size, "$name submitted the CMS")
            MynaSign.verifyConsent(scope.submitted.single(), trusting(scope.emulator))
            assertTrue(scope.errors.isEmpty(), "$name: ${scope.errors}")
        }
        assertTrue(readmeSnippets.any { (_, s) -> ReadmeScope(Emulator(22uL, CardProfile.MY_NUMBER_CARD)).also { it.s() }.sheetText.isNotEmpty() },
            "a snippet shows the progress text")
    }

    @Test
    fun `with a wrong password each snippet throws or shows the error`() = runBlocking {
        for ((name, snippet) in readmeSnippets) {
            val scope = ReadmeScope(Emulator(23uL, CardProfile.MY_NUMBER_CARD), WRONG_PASSWORD)
            val thrown = runCatching { scope.snippet() }.exceptionOrNull()
            if (thrown != null) {
                assertTrue(thrown is MynaSignException, "$name: $thrown")
            } else {
                assertEquals(1, scope.errors.size, "$name: showError called")
                assertTrue(scope.errors.single().isNotBlank())
            }
            assertTrue(scope.submitted.isEmpty(), name)
        }
    }
}
