package jp.mynasign.android.tests

import android.app.Activity
import android.graphics.Color
import android.view.View
import android.view.WindowManager
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import java.time.Instant
import jp.mynasign.Emulator
import jp.mynasign.ErrorCode
import jp.mynasign.LoginVerifier
import jp.mynasign.PinType
import jp.mynasign.Verifier
import jp.mynasign.VerifierOptions
import jp.mynasign.emulatorOcspResponse
import jp.mynasign.android.MynaCardReader
import jp.mynasign.sample.ConsentChecker
import jp.mynasign.sample.LoginService
import jp.mynasign.sample.LoginState
import jp.mynasign.sample.VerifyingChecker
import jp.mynasign.sample.VerifyingLoginService
import jp.mynasign.sample.android.DemoCard
import jp.mynasign.sample.android.MainActivity
import jp.mynasign.sample.android.R
import jp.mynasign.sample.android.SampleVariant
import jp.mynasign.sample.android.SigningViewModel
import kotlinx.coroutines.Dispatchers
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/**
 * The sample's login screen (issue 26): the authentication PIN, the card through the
 * library's MynaCardReader on the NFC service model, the library's login flow and the service's
 * check (in these tests the library's LoginVerifier trusting the emulated card's roots, with
 * the emulator's OCSP responder, as the debug build does for its emulated card).
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35])
class SampleLoginTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val origin = "https://login.example.jp"

    /** No emulator switch; the login checked by a LoginVerifier trusting [card], OCSP [revokedAt]. */
    private fun loggingInWith(card: Emulator, revokedAt: Instant? = null): SampleVariant = object : SampleVariant {
        override val demoCard: DemoCard? = null
        override val cardCheck: ConsentChecker = VerifyingChecker(trustEmulator(card))
        override val cardLogin: LoginService = VerifyingLoginService(
            LoginVerifier(Verifier(VerifierOptions(rootsDer = card.rootCertificatesDer())), origin),
            origin,
        ) { der -> emulatorOcspResponse(der, revokedAt) }
    }

    private fun wrongPin(card: Emulator): String = if (String(card.authenticationPin()) == "9999") "1111" else "9999"

    @Test
    fun logsInOnTheEmulatedCardThroughTheReader() {
        nfcOn()
        val service = NfcServiceModel.install()
        val card = newCard()
        val reader = MynaCardReader(app)
        val vm = SigningViewModel(app, reader, Dispatchers.Default, loggingInWith(card))
        val states = mutableListOf<LoginState>()
        try {
            val activity = Robolectric.buildActivity(Activity::class.java).create()
            vm.renderLogin = { synchronized(states) { states.add(it) } }
            vm.attach(activity.get()) {}
            activity.start().resume()
            vm.startLogin()
            val login = checkNotNull(vm.login)
            assertEquals(LoginState.EnterPin(null, false), login.state)
            login.submitPin(card.authenticationPin(), allowLastAttempt = false)
            waitUntil { reader.isReaderModeOn && service.readerModeOn }
            service.tap(card)
            waitUntil { login.state.let { it is LoginState.Done || it is LoginState.Failed } }
            val done = login.state as? LoginState.Done ?: throw AssertionError("not logged in: ${login.state}")
            assertTrue(done.account.certificateSerial.isNotEmpty())
            assertNotNull(done.account.keyId)
            assertTrue(done.account.notAfter.isAfter(Instant.now()))
            // The protocol floor with extended length (the login's figure in LoginTest).
            assertEquals(6, done.exchanges)
            val steps = synchronized(states) { states.filterIsInstance<LoginState.LoggingIn>().filter { it.step != null } }
            assertTrue("the library's steps were shown", steps.isNotEmpty())
            assertTrue(steps.all { it.total == steps.first().total && it.messageEn.isNotEmpty() && it.messageJa.isNotEmpty() })
            assertTrue(synchronized(states) { states.contains(LoginState.Checking) })
            assertEquals(3, card.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))
        } finally {
            vm.clear()
        }
    }

    /** A certificate the emulator's OCSP responder says is revoked: the service's refusal is shown. */
    @Test
    fun aRevokedCertificateIsRefusedByTheService() {
        nfcOn()
        val service = NfcServiceModel.install()
        val card = newCard()
        val vm = SigningViewModel(app, MynaCardReader(app), Dispatchers.Default, loggingInWith(card, Instant.now().minusSeconds(86_400)))
        try {
            vm.attach(Robolectric.buildActivity(Activity::class.java).setup().get()) {}
            vm.startLogin()
            val login = checkNotNull(vm.login)
            login.submitPin(card.authenticationPin(), allowLastAttempt = false)
            waitUntil { service.readerModeOn }
            service.tap(card)
            waitUntil { login.state is LoginState.Failed || login.state is LoginState.Done }
            val failed = login.state as? LoginState.Failed ?: throw AssertionError("accepted: ${login.state}")
            assertEquals(ErrorCode.VERIFICATION_FAILED.name, failed.info.code)
        } finally {
            vm.clear()
        }
    }

    /**
     * The sample's Activity: the PIN screen is FLAG_SECURE with autofill off; a wrong PIN
     * spends one attempt on the card and comes back as the library's typed error (announced)
     * with the attempts left.
     */
    @Test
    @Config(qualifiers = "en")
    fun aWrongPinCountsDownAndIsShown() {
        nfcOn()
        val service = NfcServiceModel.install()
        val card = newCard()
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        val activity = controller.get()
        val secure = { activity.window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0 }
        try {
            assertFalse(secure())
            button(activity, activity.getString(R.string.login_open)).performClick()
            waitUntil { views(activity).any { it is EditText } }
            assertTrue("the PIN screen is FLAG_SECURE", secure())
            val input = views(activity).filterIsInstance<EditText>().single()
            assertEquals(View.IMPORTANT_FOR_AUTOFILL_NO_EXCLUDE_DESCENDANTS, input.importantForAutofill)
            input.setText(wrongPin(card))
            button(activity, activity.getString(R.string.next)).performClick()
            waitUntil { service.readerModeOn }
            assertFalse("FLAG_SECURE cleared once the PIN screen is left", secure())
            val hold = views(activity).filterIsInstance<TextView>().first { it.text == activity.getString(R.string.hold_card_login) }
            assertEquals(View.ACCESSIBILITY_LIVE_REGION_POLITE, hold.accessibilityLiveRegion)
            service.tap(card)
            val attempts = activity.getString(R.string.login_attempts_left, 2)
            waitUntil(describe = { "waiting for '$attempts'; on screen: ${texts(activity)}; NFC: ${service.events}" }) { texts(activity).contains(attempts) }
            assertTrue("back on the PIN screen, secure", secure())
            val error = views(activity).filterIsInstance<TextView>().first { it.currentTextColor == Color.RED }
            assertEquals(View.ACCESSIBILITY_LIVE_REGION_ASSERTIVE, error.accessibilityLiveRegion)
            assertTrue(error.text.toString(), error.text.isNotEmpty())
            assertEquals(2, card.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))

            // A progress step that reaches the main thread late (reported on the library's
            // worker thread, posted, and run after the wrong-PIN screen was drawn) draws the
            // login's state as it is then: the wrong-PIN screen stays.
            val vm = activity.onRetainNonConfigurationInstance() as SigningViewModel
            val late = Thread { vm.renderLogin?.invoke(LoginState.LoggingIn(null, 1, 5)) }
            late.start()
            late.join()
            org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idle()
            assertTrue(texts(activity).toString(), texts(activity).contains(attempts))
        } finally {
            controller.pause().stop().destroy()
        }
    }

    /**
     * The debug build's emulator on a device without NFC, through the Activity: the emulated
     * card's PIN shown, "use the emulated card", the login checked by the debug build's
     * VerifyingLoginService (the emulator's roots and OCSP responder), the certificate shown.
     */
    @Test
    @Config(qualifiers = "en")
    fun theDebugBuildLogsInWithTheEmulatedCard() {
        org.robolectric.Shadows.shadowOf(app.packageManager).setSystemFeature(android.content.pm.PackageManager.FEATURE_NFC, false)
        val card = newCard() // the same persona as the debug build's emulated card (seed 1)
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        val activity = controller.get()
        try {
            button(activity, activity.getString(R.string.login_open)).performClick()
            waitUntil { views(activity).any { it is EditText } }
            assertTrue(activity.getString(R.string.emulator_auth_pin, String(card.authenticationPin())) in texts(activity))
            views(activity).filterIsInstance<EditText>().single().setText(String(card.authenticationPin()))
            button(activity, activity.getString(R.string.next)).performClick()
            waitUntil { views(activity).any { it is Button && it.text == activity.getString(R.string.use_emulated_card) } }
            button(activity, activity.getString(R.string.use_emulated_card)).performClick()
            waitUntil { activity.getString(R.string.logged_in) in texts(activity) || activity.getString(R.string.error) in texts(activity) }
            assertTrue(texts(activity).toString(), activity.getString(R.string.logged_in) in texts(activity))
            assertTrue(texts(activity).any { it.startsWith(activity.getString(R.string.login_serial, "")) && it.length > activity.getString(R.string.login_serial, "").length })
            assertTrue(activity.getString(R.string.login_exchanges, 6) in texts(activity))
            button(activity, activity.getString(R.string.back_to_start)).performClick()
            waitUntil { activity.getString(R.string.review_title) in texts(activity) }
        } finally {
            controller.pause().stop().destroy()
        }
    }

    /** Cancel while waiting for the card, and during the card work: no PIN attempt is spent. */
    @Test
    fun cancelSpendsNoAttempt() {
        nfcOn()
        val service = NfcServiceModel.install()
        val card = newCard()
        val reader = MynaCardReader(app)
        val vm = SigningViewModel(app, reader, Dispatchers.Default, loggingInWith(card))
        try {
            vm.attach(Robolectric.buildActivity(Activity::class.java).setup().get()) {}
            vm.startLogin()
            var login = checkNotNull(vm.login)
            login.submitPin(card.authenticationPin(), allowLastAttempt = false)
            waitUntil { service.readerModeOn }
            vm.cancel()
            waitUntil { login.state == LoginState.Cancelled }
            waitUntil { !reader.isReaderModeOn && !service.readerModeOn }

            // Again, cancelled while the card works (held between two exchanges, before VERIFY).
            vm.startLogin()
            login = checkNotNull(vm.login)
            login.submitPin(card.authenticationPin(), allowLastAttempt = false)
            waitUntil { service.readerModeOn }
            service.holdAt(2, betweenExchanges = true)
            service.tap(card)
            assertTrue(service.awaitHeld())
            vm.cancel()
            service.release()
            // Cancelled, and it stays so: a step the library reports late does not move it back.
            waitUntil { login.state == LoginState.Cancelled }
            val verifyWithPin = synchronized(service.commands) { service.commands.any { it.size > 5 && it[1] == 0x20.toByte() } }
            assertFalse("no VERIFY with the PIN was sent", verifyWithPin)
            assertEquals(3, card.pinAttemptsLeft(PinType.AUTHENTICATION_PIN))
        } finally {
            vm.clear()
        }
    }

    @Test
    @Config(qualifiers = "ja")
    fun loginTextsAreJapaneseUnderAJaLocale() = loginTexts(
        open = "カードでログイン",
        title = "利用者証明用電子証明書の暗証番号（数字4桁）",
        next = "次へ",
        invalid = "利用者証明用電子証明書の暗証番号は数字4桁です。",
        holdCard = "カードをかざしてください（ログインします）",
        nfcOff = "NFCがオフになっています。設定でオンにしてください。",
    )

    @Test
    @Config(qualifiers = "en")
    fun loginTextsAreEnglishUnderAnEnLocale() = loginTexts(
        open = "Log in with the card",
        title = "Authentication PIN (4 digits)",
        next = "Next",
        invalid = "The authentication PIN is 4 digits.",
        holdCard = "Hold your card against the phone (to log in)",
        nfcOff = "NFC is off. Turn it on in the settings.",
    )

    /**
     * From the start to the login screen, a PIN of the wrong format refused before the card
     * (the flow's text in the locale's language), then "hold the card" with NFC off.
     */
    private fun loginTexts(open: String, title: String, next: String, invalid: String, holdCard: String, nfcOff: String) {
        val adapter = nfcOn()
        org.robolectric.Shadows.shadowOf(adapter).setEnabled(false)
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        val activity = controller.get()
        try {
            button(activity, open).performClick()
            waitUntil { title in texts(activity) }
            views(activity).filterIsInstance<EditText>().single().setText("12")
            button(activity, next).performClick()
            waitUntil { invalid in texts(activity) }
            views(activity).filterIsInstance<EditText>().single().setText("1234")
            button(activity, next).performClick()
            waitUntil { nfcOff in texts(activity) }
            assertTrue(texts(activity).toString(), holdCard in texts(activity))
        } finally {
            controller.pause().stop().destroy()
        }
    }
}
