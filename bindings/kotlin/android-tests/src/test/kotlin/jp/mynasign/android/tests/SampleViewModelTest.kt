package jp.mynasign.android.tests

import android.app.Activity
import android.graphics.Color
import android.view.View
import android.view.WindowManager
import android.widget.CheckBox
import android.widget.EditText
import android.widget.TextView
import android.nfc.NfcAdapter
import jp.mynasign.Emulator
import jp.mynasign.android.MynaCardReader
import jp.mynasign.sample.ConsentChecker
import jp.mynasign.sample.FlowState
import jp.mynasign.sample.LoginService
import jp.mynasign.sample.ServiceLogin
import jp.mynasign.sample.VerifyingChecker
import jp.mynasign.sample.android.DemoCard
import jp.mynasign.sample.android.MainActivity
import jp.mynasign.sample.android.R
import jp.mynasign.sample.android.ReaderNotice
import jp.mynasign.sample.android.SampleVariant
import jp.mynasign.sample.android.SigningViewModel
import kotlinx.coroutines.Dispatchers
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/**
 * The sample app's ViewModel (android-sample/app): the flow waits for the card through the
 * library's MynaCardReader, survives a recreation of the Activity between the PIN status and
 * the signature, and reports NFC off with the settings intent. The sample's texts are its
 * string resources (compiled by aapt in test-android.sh): Japanese under a ja locale, English
 * under en.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class SampleViewModelTest {
    private val app get() = RuntimeEnvironment.getApplication()

    private fun nfc(enabled: Boolean): NfcAdapter {
        val adapter = nfcOn()
        shadowOf(adapter).setEnabled(enabled)
        return adapter
    }

    @Test
    fun signsThroughTheReaderAcrossARecreatedActivity() {
        nfc(true)
        val service = NfcServiceModel.install()
        val card = newCard()
        val reader = MynaCardReader(app)
        val vm = SigningViewModel(app, reader, Dispatchers.Default, checkingWith(card))
        val states = mutableListOf<FlowState>()
        try {
            // attach from onCreate, as MainActivity does: created, attached, then resumed.
            val first = Robolectric.buildActivity(Activity::class.java).create()
            vm.attach(first.get()) { synchronized(states) { states.add(it) } }
            first.start().resume()
            assertFalse(vm.useEmulator)
            vm.controller.acceptConsent()
            waitUntil { reader.isReaderModeOn && service.readerModeOn }
            service.tap(card)
            waitUntil { vm.controller.state is FlowState.EnterPin }
            // The PIN status was read and the link closed: reader mode off until the next card.
            waitUntil { !reader.isReaderModeOn && !service.readerModeOn }

            // A rotation: the Activity is destroyed and recreated, the ViewModel kept.
            first.pause().stop()
            vm.detachView()
            first.destroy()
            val second = Robolectric.buildActivity(Activity::class.java).create()
            vm.attach(second.get()) { synchronized(states) { states.add(it) } }
            second.start().resume()
            vm.controller.submitPin(card.signaturePassword(), allowLastAttempt = false)
            waitUntil { reader.isReaderModeOn && service.readerModeOn }
            service.tap(card)
            waitUntil { vm.controller.state.let { it is FlowState.Done || it is FlowState.Failed } }
            val done = vm.controller.state as? FlowState.Done
                ?: throw AssertionError("not signed: ${vm.controller.state}")
            assertTrue(done.result.cms.isNotEmpty())
            assertTrue(synchronized(states) { states.any { it is FlowState.Signing } })
        } finally {
            vm.clear()
        }
    }

    @Test
    fun nfcOffIsANoticeWithTheSettingsIntent() {
        nfc(false)
        val vm = SigningViewModel(app, MynaCardReader(app), Dispatchers.Default)
        try {
            vm.attach(Robolectric.buildActivity(Activity::class.java).setup().get()) {}
            vm.controller.acceptConsent()
            waitUntil { vm.notice != null }
            val notice = vm.notice as ReaderNotice.NfcOff
            assertEquals(android.provider.Settings.ACTION_NFC_SETTINGS, notice.settingsIntent.action)
            assertTrue(vm.controller.state is FlowState.WaitingForCard)
        } finally {
            vm.clear()
        }
    }

    /**
     * The sample's Activity on the NFC service model: the PIN screen is FLAG_SECURE with
     * autofill off for the password, "hold the card" is a live region for TalkBack, and the
     * flag is cleared once the PIN screen is left. (The Activity's own ViewModel trusts the
     * real JPKI roots, so the emulated card's consent ends in a verification error, announced
     * as well.)
     */
    @Test
    fun mainActivityPinScreenIsSecureWithoutAutofillAndAnnouncesTheCard() {
        nfc(true)
        val service = NfcServiceModel.install()
        val card = newCard()
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        val activity = controller.get()
        val secure = { activity.window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0 }
        try {
            button(activity, activity.getString(R.string.accept_and_continue)).performClick()
            waitUntil { service.readerModeOn }
            val hold = views(activity).filterIsInstance<TextView>().first { it.text == activity.getString(R.string.hold_card_pin_status) }
            assertEquals(View.ACCESSIBILITY_LIVE_REGION_POLITE, hold.accessibilityLiveRegion)
            assertFalse(secure())
            service.tap(card)
            waitUntil { views(activity).any { it is EditText } }
            assertTrue("the PIN screen is FLAG_SECURE", secure())
            val input = views(activity).filterIsInstance<EditText>().single()
            assertEquals(View.IMPORTANT_FOR_AUTOFILL_NO_EXCLUDE_DESCENDANTS, input.importantForAutofill)
            input.setText(String(card.signaturePassword()))
            button(activity, activity.getString(R.string.next)).performClick()
            waitUntil { service.readerModeOn }
            assertFalse("FLAG_SECURE cleared once the PIN screen is left", secure())
            service.tap(card)
            // Signed, then refused by the verification against the real roots: an error screen.
            waitUntil { views(activity).any { it is TextView && it.text == activity.getString(R.string.error) } }
            val error = views(activity).filterIsInstance<TextView>().first { it.currentTextColor == Color.RED }
            assertEquals(View.ACCESSIBILITY_LIVE_REGION_ASSERTIVE, error.accessibilityLiveRegion)
            assertTrue("the card was signed with", service.commands.any { it.size > 1 && it[1] == 0x2A.toByte() })
        } finally {
            controller.pause().stop().destroy()
        }
    }

    /** Under a ja locale the sample speaks Japanese: its resources and the library's texts. */
    @Test
    @Config(qualifiers = "ja")
    fun sampleTextsAreJapaneseUnderAJaLocale() = sampleTexts(
        review = "同意内容の確認",
        accept = "同意して次へ",
        nfcOff = "NFCがオフになっています。設定でオンにしてください。",
        holdCard = "カードをかざしてください（残り回数を確認します）",
        emptySelection = "住所・氏名・生年月日のうち少なくとも一つを選んでください。",
    )

    /** Under an en locale, English. */
    @Test
    @Config(qualifiers = "en")
    fun sampleTextsAreEnglishUnderAnEnLocale() = sampleTexts(
        review = "Review the consent",
        accept = "Accept and continue",
        nfcOff = "NFC is off. Turn it on in the settings.",
        holdCard = "Hold your card against the phone (to read the attempts left)",
        emptySelection = "Choose at least one of address, name and date of birth.",
    )

    /**
     * The review screen and, with NFC off, the waiting screen: each text as the locale's
     * strings.xml has it, and the terms (what is signed) the same in every locale. A text that
     * comes in both languages (an ErrorText: the flow's, or the library's messageJa/messageEn)
     * is shown in the locale's one ([emptySelection]: the flow's refusal of no item).
     */
    private fun sampleTexts(review: String, accept: String, nfcOff: String, holdCard: String, emptySelection: String) {
        nfc(false)
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        val activity = controller.get()
        try {
            val texts = { texts(activity) }
            assertTrue(texts().toString(), review in texts())
            assertTrue("the terms are shown as signed", texts().any { it.startsWith("住所変更ワンストップサービス") })
            while (true) views(activity).filterIsInstance<CheckBox>().firstOrNull { it.isChecked }?.performClick() ?: break
            button(activity, accept).performClick()
            waitUntil { emptySelection in texts() }
            views(activity).filterIsInstance<CheckBox>().first().performClick()
            button(activity, accept).performClick()
            waitUntil { nfcOff in texts() }
            assertTrue(texts().toString(), holdCard in texts())
        } finally {
            controller.pause().stop().destroy()
        }
    }

    /** The sample's variant for a test: no emulator switch, the consent checked against [card]'s roots. */
    private fun checkingWith(card: Emulator): SampleVariant = object : SampleVariant {
        override val demoCard: DemoCard? = null
        override val cardCheck: ConsentChecker = VerifyingChecker(trustEmulator(card))
        override val cardLogin: LoginService = ServiceLogin("https://login.example.jp")
    }
}
