package jp.mynasign.android.tests

import android.content.Intent
import android.content.pm.PackageManager
import android.nfc.NfcAdapter
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import jp.mynasign.SignedConsent
import jp.mynasign.android.tests.readme.ReadmeActivity
import jp.mynasign.android.tests.readme.ReadmeViewModel
import jp.mynasign.verifyConsent
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.Assert.assertEquals
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowNfcAdapter

/** README-android.md's 14 lines, as written there: tap, sign, rotate, and the NFC-off path. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class ReadmeSnippetTest {
    private val app get() = RuntimeEnvironment.getApplication()

    @Test
    fun theReadmeScreenSignsWithTheReaderAndOpensNfcSettingsWhenOff() {
        shadowOf(app.packageManager).setSystemFeature(PackageManager.FEATURE_NFC, true)
        val adapter = NfcAdapter.getDefaultAdapter(app)
        shadowOf(adapter).setEnabled(true)
        val card = newCard()
        val signed = CompletableFuture<SignedConsent>()
        val settings = CompletableFuture<Intent>()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            val vm = ReadmeViewModel(app, scope, { signed.complete(it) }, { settings.complete(it) }, { signed.completeExceptionally(AssertionError(it)) })
            ReadmeViewModel.current = vm
            val controller = Robolectric.buildActivity(ReadmeActivity::class.java).setup()
            // The snippet's reader uses the platform's IsoDep, which a test cannot answer; it
            // is checked to be waiting, then the same lines run with the emulated card's tag.
            vm.sign(consentDocument(), card.signaturePassword())
            waitUntil { vm.reader.isReaderModeOn && shadowOf(adapter).isInReaderMode }
            controller.recreate()
            waitUntil { vm.reader.isReaderModeOn && shadowOf(adapter).isInReaderMode }
            shadowOf(adapter).dispatchTagDiscovered(ShadowNfcAdapter.createMockTag())
            // A mock tag has no IsoDep: the snippet shows the reader's error and stops.
            try {
                signed.get(30, TimeUnit.SECONDS)
                throw AssertionError("signed with a tag without IsoDep")
            } catch (e: java.util.concurrent.ExecutionException) {
                assertEquals("the tag does not speak ISO-DEP", e.cause?.message)
            }
            shadowOf(adapter).setEnabled(false)
            vm.sign(consentDocument(), card.signaturePassword())
            assertEquals(android.provider.Settings.ACTION_NFC_SETTINGS, settings.get(30, TimeUnit.SECONDS).action)
        } finally {
            scope.cancel()
            ReadmeViewModel.current = null
        }
    }

    private fun waitUntil(condition: () -> Boolean) {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (!condition()) {
            check(System.nanoTime() < deadline) { "timed out" }
            Thread.sleep(5)
        }
    }
}
