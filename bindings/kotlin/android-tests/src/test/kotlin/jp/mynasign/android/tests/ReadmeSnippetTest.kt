package jp.mynasign.android.tests

import android.content.Intent
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

/** README-android.md's lines, as written there: rotate while waiting, tap, sign, and the NFC-off path. */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class ReadmeSnippetTest {
    private val app get() = RuntimeEnvironment.getApplication()

    @Test
    fun theReadmeScreenSignsWithTheReaderAndOpensNfcSettingsWhenOff() {
        val adapter = nfcOn()
        val service = NfcServiceModel.install()
        val card = newCard()
        val signed = CompletableFuture<SignedConsent>()
        val settings = CompletableFuture<Intent>()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            val vm = ReadmeViewModel(app, scope, { signed.complete(it) }, { settings.complete(it) }, { signed.completeExceptionally(AssertionError(it)) })
            ReadmeViewModel.current = vm
            val controller = Robolectric.buildActivity(ReadmeActivity::class.java).setup()
            // The snippet's reader uses the platform's IsoDep, answered by the NFC service
            // model and the emulated card: kept across a rotation while waiting, then signing.
            vm.sign(consentDocument(), card.signaturePassword())
            waitUntil { vm.reader.isReaderModeOn && service.readerModeOn }
            controller.recreate()
            waitUntil { vm.reader.isReaderModeOn && service.readerModeOn }
            service.tap(card)
            waitUntil { signed.isDone }
            verifyConsent(signed.get().cms(), trustEmulator(card))
            waitUntil { !service.readerModeOn }
            shadowOf(adapter).setEnabled(false)
            vm.sign(consentDocument(), card.signaturePassword())
            assertEquals(android.provider.Settings.ACTION_NFC_SETTINGS, settings.get(30, TimeUnit.SECONDS).action)
        } finally {
            scope.cancel()
            ReadmeViewModel.current = null
        }
    }
}
