package jp.mynasign.sample.android

import android.app.Activity
import android.graphics.Color
import android.os.Build
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.view.WindowInsets
import android.view.WindowManager
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ProgressBar
import android.widget.ScrollView
import android.widget.Switch
import android.widget.TextView
import jp.mynasign.ConsentItem
import jp.mynasign.android.NfcAvailability
import jp.mynasign.sample.CardPurpose
import jp.mynasign.sample.ErrorText
import jp.mynasign.sample.FlowState
import jp.mynasign.sample.LoginState

/**
 * The thin Android layer: draws the flow's state with plain Views. The flow, the NFC reader
 * (the library's `MynaCardReader`) and the card work belong to [SigningViewModel], which this
 * Activity hands to its next instance across a configuration change
 * (`onRetainNonConfigurationInstance`) and clears only when it finishes: a rotation
 * mid-signature cancels nothing. In the debug build, with the emulator switch on, "Hold the
 * card" is answered by the emulated card, so the app runs without one; the release build has
 * no emulator ([SampleVariant]).
 *
 * A screen a bank would ship: sizes in dp, content kept clear of the system bars and the
 * keyboard (edge-to-edge is the default from Android 15), the PIN screen with FLAG_SECURE (no
 * screenshots, no recents thumbnail) and autofill off for the password, and TalkBack told of
 * "hold the card still" and of errors (live regions). Every text is a string resource
 * (res/values: English, res/values-ja: Japanese); the library's own texts (errors, signing
 * steps) come in both languages and the one shown follows the same resources
 * (`library_text_language`).
 */
class MainActivity : Activity() {
    private lateinit var viewModel: SigningViewModel
    private lateinit var root: LinearLayout

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        viewModel = lastNonConfigurationInstance as? SigningViewModel ?: SigningViewModel(application)
        root = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; setPadding(dp(16), dp(16), dp(16), dp(16)) }
        val scroll = ScrollView(this).apply { addView(root) }
        // Edge-to-edge: pad by the system bars and the keyboard.
        scroll.setOnApplyWindowInsetsListener { v, insets ->
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
                val bars = insets.getInsets(WindowInsets.Type.systemBars() or WindowInsets.Type.ime())
                v.setPadding(bars.left, bars.top, bars.right, bars.bottom)
            } else {
                @Suppress("DEPRECATION")
                v.setPadding(insets.systemWindowInsetLeft, insets.systemWindowInsetTop, insets.systemWindowInsetRight, insets.systemWindowInsetBottom)
            }
            insets
        }
        setContentView(scroll)
        // States arrive from several threads (the library reports progress on its worker
        // thread; results come back on the main thread): a state posted from another thread
        // can reach the main thread after a later state was drawn in place (seen under load:
        // a progress step drawn over the wrong-PIN screen). Each change therefore draws the
        // flow's state as it is when the drawing runs, so the last drawing is the last state
        // (and only the flow on screen is drawn: the login's while there is one).
        viewModel.renderLogin = { runOnUiThread { viewModel.login?.let { renderLogin(it.state) } } }
        viewModel.attach(this) {
            runOnUiThread { if (viewModel.login == null) render(viewModel.controller.state) }
        }
    }

    /** The ViewModel outlives this instance when it is recreated for a configuration change. */
    override fun onRetainNonConfigurationInstance(): Any = viewModel

    override fun onResume() {
        super.onResume()
        // Back from the NFC settings: wait for the card again.
        if (viewModel.notice is ReaderNotice.NfcOff) viewModel.retryReader()
    }

    override fun onDestroy() {
        viewModel.detachView()
        if (isFinishing) viewModel.clear()
        super.onDestroy()
    }

    private fun render(state: FlowState) {
        root.removeAllViews()
        // The PIN screen: no screenshots, screen recording or recents thumbnail.
        if (state is FlowState.EnterPin) {
            window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        } else {
            window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE)
        }
        when (state) {
            is FlowState.ReviewConsent -> renderReview(state)
            is FlowState.WaitingForCard -> {
                title(getString(if (state.purpose == CardPurpose.READ_PIN_STATUS) R.string.hold_card_pin_status else R.string.hold_card_sign), announce = true)
                state.message?.let { note(text(it), Color.RED) }
                renderNotice(viewModel.notice)
                if (viewModel.useEmulator) {
                    button(R.string.use_emulated_card) { viewModel.presentEmulator() }
                } else {
                    button(R.string.use_smartphone_certificate) { viewModel.useSecureElement() }
                }
                button(R.string.cancel) { viewModel.cancel() }
            }
            FlowState.ReadingCard -> { title(getString(R.string.reading_card)); root.addView(ProgressBar(this)) }
            is FlowState.EnterPin -> renderPin(state)
            is FlowState.Signing -> {
                title(getString(R.string.signing_hold_still), announce = true)
                val bar = ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal)
                bar.max = maxOf(state.total, 1); bar.progress = state.index
                root.addView(bar)
                note((if (japanese) state.messageJa else state.messageEn).ifEmpty { getString(R.string.connecting) })
                button(R.string.cancel) { viewModel.cancel() }
            }
            FlowState.Verifying -> { title(getString(R.string.verifying)); root.addView(ProgressBar(this)) }
            is FlowState.Done -> {
                title(getString(R.string.signed))
                note(getString(R.string.issuance_number, state.result.issuanceNumber))
                note(getString(R.string.result_summary, state.result.cms.size, state.result.exchanges))
                note(state.result.documentJson)
                button(R.string.start_over) { viewModel.newFlow() }
            }
            is FlowState.Blocked -> { title(getString(R.string.blocked)); note(text(state.info), Color.RED); button(R.string.start_over) { viewModel.newFlow() } }
            FlowState.Cancelled -> { title(getString(R.string.cancelled)); button(R.string.start_over) { viewModel.newFlow() } }
            is FlowState.Failed -> { title(getString(R.string.error)); note(text(state.info), Color.RED); button(R.string.start_over) { viewModel.newFlow() } }
        }
    }

    private fun renderReview(state: FlowState.ReviewConsent) {
        title(getString(R.string.review_title))
        // The emulator switch: debug builds only (the release build has no emulated card).
        if (viewModel.demoCard != null) {
            root.addView(Switch(this).apply {
                setText(R.string.emulator_switch)
                isChecked = viewModel.useEmulator
                isEnabled = viewModel.reader.availability() != NfcAvailability.NoNfc
                setOnCheckedChangeListener { _, on -> viewModel.setUseEmulator(on) }
            })
        }
        note(state.termsText)
        note(getString(R.string.terms_sha256, state.termsSha256Hex.take(16)), Color.GRAY)
        val labels = listOf(ConsentItem.ADDRESS to R.string.item_address, ConsentItem.NAME to R.string.item_name, ConsentItem.DATE_OF_BIRTH to R.string.item_date_of_birth)
        for ((item, label) in labels) {
            root.addView(CheckBox(this).apply {
                setText(label)
                isChecked = item in state.selected
                setOnCheckedChangeListener { _, on ->
                    viewModel.controller.selectItems(if (on) state.selected + item else state.selected - item)
                }
            })
        }
        state.error?.let { note(text(it), Color.RED) }
        button(R.string.accept_and_continue) { viewModel.controller.acceptConsent() }
        // The login screen (the authentication certificate) is reached from the start.
        button(R.string.login_open) { viewModel.startLogin() }
    }

    /**
     * The login screens: the 4-digit authentication PIN (FLAG_SECURE, autofill off, like the
     * signature password), "hold the card", the steps, the service's check and its result:
     * the certificate's serial, key id and expiry (an authentication certificate names nobody).
     */
    private fun renderLogin(state: LoginState) {
        root.removeAllViews()
        if (state is LoginState.EnterPin) {
            window.addFlags(WindowManager.LayoutParams.FLAG_SECURE)
        } else {
            window.clearFlags(WindowManager.LayoutParams.FLAG_SECURE)
        }
        when (state) {
            is LoginState.EnterPin -> renderLoginPin(state)
            is LoginState.WaitingForCard -> {
                title(getString(R.string.hold_card_login), announce = true)
                state.message?.let { note(text(it), Color.RED) }
                renderNotice(viewModel.notice)
                if (viewModel.useEmulator) {
                    button(R.string.use_emulated_card) { viewModel.presentEmulator() }
                } else {
                    button(R.string.use_smartphone_certificate) { viewModel.useSecureElement() }
                }
                button(R.string.cancel) { viewModel.cancel() }
            }
            is LoginState.LoggingIn -> {
                title(getString(R.string.logging_in_hold_still), announce = true)
                val bar = ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal)
                bar.max = maxOf(state.total, 1); bar.progress = state.index
                root.addView(bar)
                note((if (japanese) state.messageJa else state.messageEn).ifEmpty { getString(R.string.connecting) })
                button(R.string.cancel) { viewModel.cancel() }
            }
            LoginState.Checking -> { title(getString(R.string.login_checking)); root.addView(ProgressBar(this)) }
            is LoginState.Done -> {
                title(getString(R.string.logged_in), announce = true)
                note(getString(R.string.login_serial, state.account.certificateSerial))
                note(getString(R.string.login_key_id, state.account.keyId ?: getString(R.string.login_no_key_id)))
                val expiry = java.text.DateFormat.getDateInstance(java.text.DateFormat.LONG).format(java.util.Date.from(state.account.notAfter))
                note(getString(R.string.login_expiry, expiry))
                note(getString(R.string.login_exchanges, state.exchanges), Color.GRAY)
                button(R.string.back_to_start) { viewModel.leaveLogin() }
            }
            is LoginState.Blocked -> { title(getString(R.string.login_blocked)); note(text(state.info), Color.RED); button(R.string.back_to_start) { viewModel.leaveLogin() } }
            LoginState.Cancelled -> { title(getString(R.string.cancelled)); button(R.string.back_to_start) { viewModel.leaveLogin() } }
            is LoginState.Failed -> { title(getString(R.string.error)); note(text(state.info), Color.RED); button(R.string.back_to_start) { viewModel.leaveLogin() } }
        }
    }

    private fun renderLoginPin(state: LoginState.EnterPin) {
        title(getString(R.string.login_pin_title))
        state.remaining?.let { note(getString(R.string.login_attempts_left, it)) }
        val demo = viewModel.demoCard
        if (viewModel.useEmulator && demo != null) note(getString(R.string.emulator_auth_pin, String(demo.authenticationPin())), Color.GRAY)
        state.error?.let { note(text(it), Color.RED) }
        pinEntry(state.lastAttempt, R.string.login_last_attempt_warning, { pin, allowLast ->
            viewModel.login?.submitPin(pin, allowLastAttempt = allowLast)
        }) {
            inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD
            filters = arrayOf(android.text.InputFilter.LengthFilter(4))
            setHint(R.string.login_pin_hint)
        }
    }

    private fun renderPin(state: FlowState.EnterPin) {
        title(getString(R.string.pin_title))
        note(getString(R.string.attempts_left, state.remaining, state.maxAttempts))
        val demo = viewModel.demoCard
        if (viewModel.useEmulator && demo != null) note(getString(R.string.emulator_password, String(demo.password())), Color.GRAY)
        state.error?.let { note(text(it), Color.RED) }
        pinEntry(state.lastAttempt, R.string.last_attempt_warning, { pin, allowLast ->
            viewModel.controller.submitPin(pin, allowLastAttempt = allowLast)
        }) {
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD or
                InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS
            setHint(R.string.password_hint)
        }
    }

    /**
     * The rest of a PIN screen: the field ([field] sets its type and hint; never offered to, or
     * saved by, an autofill service), with [lastAttempt] the [warning] and the confirmation
     * Next waits for, Next (the PIN to [submit] as bytes: the controller wipes the array after
     * use) and Cancel.
     */
    private fun pinEntry(lastAttempt: Boolean, warning: Int, submit: (ByteArray, Boolean) -> Unit, field: EditText.() -> Unit) {
        val input = EditText(this).apply {
            field()
            importantForAutofill = View.IMPORTANT_FOR_AUTOFILL_NO_EXCLUDE_DESCENDANTS
        }
        root.addView(input)
        var confirm: CheckBox? = null
        if (lastAttempt) {
            note(getString(warning), Color.RED)
            confirm = CheckBox(this).apply { setText(R.string.last_attempt_confirm) }
            root.addView(confirm)
        }
        button(R.string.next) {
            if (lastAttempt && confirm?.isChecked != true) return@button
            submit(input.text.toString().toByteArray(), lastAttempt)
            input.text.clear()
        }
        button(R.string.cancel) { viewModel.cancel() }
    }

    private fun renderNotice(notice: ReaderNotice?) {
        when (notice) {
            null -> Unit
            is ReaderNotice.NfcOff -> {
                note(getString(R.string.nfc_off), Color.RED)
                button(R.string.open_nfc_settings) { startActivity(notice.settingsIntent) }
            }
            ReaderNotice.NoNfc -> note(getString(R.string.no_nfc), Color.RED)
            is ReaderNotice.Unavailable -> note(text(notice.text), Color.RED)
            ReaderNotice.NotMyNumberCard -> note(getString(R.string.not_my_number_card), Color.RED)
            ReaderNotice.NoSecureElement -> note(getString(R.string.no_secure_element), Color.RED)
            ReaderNotice.SecureElementNotAllowed -> note(getString(R.string.secure_element_not_allowed), Color.RED)
        }
    }

    /** The library's texts come in Japanese and English: the resources say which to show. */
    private val japanese: Boolean get() = getString(R.string.library_text_language) == "ja"

    private fun text(t: ErrorText): String = if (japanese) t.messageJa else t.messageEn

    private fun dp(value: Int): Int = (value * resources.displayMetrics.density + 0.5f).toInt()

    /** A heading; [announce]: TalkBack reads it when it appears ("hold the card still"). */
    private fun title(text: String, announce: Boolean = false) = root.addView(TextView(this).apply {
        this.text = text
        textSize = 20f // sp
        isAccessibilityHeading = true
        if (announce) accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
    })

    /** A line of text; errors (red) are announced by TalkBack at once. */
    private fun note(text: String, color: Int = Color.BLACK) = root.addView(TextView(this).apply {
        this.text = text
        setTextColor(color)
        setPadding(0, dp(8), 0, dp(8))
        if (color == Color.RED) accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_ASSERTIVE
    })

    private fun button(text: Int, onClick: (View) -> Unit) =
        root.addView(Button(this).apply { setText(text); setOnClickListener(onClick) })
}
