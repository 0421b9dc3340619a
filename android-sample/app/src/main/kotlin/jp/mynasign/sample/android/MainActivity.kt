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
import jp.mynasign.sample.FlowState

/**
 * The thin Android layer: draws the flow's state with plain Views. The flow, the NFC reader
 * (the library's `MynaCardReader`) and the card work belong to [SigningViewModel], which this
 * Activity hands to its next instance across a configuration change
 * (`onRetainNonConfigurationInstance`) and clears only when it finishes: a rotation
 * mid-signature cancels nothing. With the emulator switch on, "Hold the card" is answered by
 * the emulated card, so the app runs without one.
 *
 * A screen a bank would ship: sizes in dp, content kept clear of the system bars and the
 * keyboard (edge-to-edge is the default from Android 15), the PIN screen with FLAG_SECURE (no
 * screenshots, no recents thumbnail) and autofill off for the password, and TalkBack told of
 * "hold the card still" and of errors (live regions). (Strings in resources, ja and en, need the
 * Gradle build's resource compiler, which the JVM tests here do not run: the texts stay inline.)
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
        viewModel.attach(this) { state -> runOnUiThread { render(state) } }
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
                title(if (state.purpose == CardPurpose.READ_PIN_STATUS) "カードをかざしてください（残り回数を確認します）" else "カードをかざしてください（署名します）", announce = true)
                state.message?.let { note(it.messageJa, Color.RED) }
                renderNotice(viewModel.notice)
                if (viewModel.useEmulator) {
                    button("エミュレータのカードを使う") { viewModel.presentEmulator() }
                } else {
                    button("スマホ用電子証明書を使う") { viewModel.useSecureElement() }
                }
                button("中止") { viewModel.cancel() }
            }
            FlowState.ReadingCard -> { title("読み取り中…"); root.addView(ProgressBar(this)) }
            is FlowState.EnterPin -> renderPin(state)
            is FlowState.Signing -> {
                title("署名中です。カードを動かさないでください。", announce = true)
                val bar = ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal)
                bar.max = maxOf(state.total, 1); bar.progress = state.index
                root.addView(bar)
                note(state.messageJa.ifEmpty { "接続中" })
                button("中止") { viewModel.cancel() }
            }
            FlowState.Verifying -> { title("署名を検証しています…"); root.addView(ProgressBar(this)) }
            is FlowState.Done -> {
                title("署名しました")
                note("発行番号: ${state.result.issuanceNumber}")
                note("CMS: ${state.result.cms.size} バイト, 通信 ${state.result.exchanges} 回")
                note(state.result.documentJson)
                button("最初から") { viewModel.newFlow() }
            }
            is FlowState.Blocked -> { title("ロックされています"); note(state.info.messageJa, Color.RED); button("最初から") { viewModel.newFlow() } }
            FlowState.Cancelled -> { title("中止しました"); button("最初から") { viewModel.newFlow() } }
            is FlowState.Failed -> { title("エラー"); note(state.info.messageJa, Color.RED); button("最初から") { viewModel.newFlow() } }
        }
    }

    private fun renderReview(state: FlowState.ReviewConsent) {
        title("同意内容の確認")
        root.addView(Switch(this).apply {
            text = "エミュレータ（カードなしで試す）"
            isChecked = viewModel.useEmulator
            isEnabled = viewModel.reader.availability() != NfcAvailability.NoNfc
            setOnCheckedChangeListener { _, on -> viewModel.setUseEmulator(on) }
        })
        note(state.termsText)
        note("規約のSHA-256: ${state.termsSha256Hex.take(16)}…", Color.GRAY)
        val labels = listOf(ConsentItem.ADDRESS to "住所", ConsentItem.NAME to "氏名", ConsentItem.DATE_OF_BIRTH to "生年月日")
        for ((item, label) in labels) {
            root.addView(CheckBox(this).apply {
                text = label
                isChecked = item in state.selected
                setOnCheckedChangeListener { _, on ->
                    viewModel.controller.selectItems(if (on) state.selected + item else state.selected - item)
                }
            })
        }
        state.error?.let { note(it.messageJa, Color.RED) }
        button("同意して次へ") { viewModel.controller.acceptConsent() }
    }

    private fun renderPin(state: FlowState.EnterPin) {
        title("署名用パスワード（英大文字と数字 6〜16文字）")
        note("残り ${state.remaining} 回 / ${state.maxAttempts} 回")
        if (viewModel.useEmulator) note("エミュレータのパスワード: ${String(viewModel.emulator.signaturePassword())}", Color.GRAY)
        state.error?.let { note(it.messageJa, Color.RED) }
        val input = EditText(this).apply {
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD or
                InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS
            hint = "パスワード"
            // Never offered to, or saved by, an autofill service.
            importantForAutofill = View.IMPORTANT_FOR_AUTOFILL_NO_EXCLUDE_DESCENDANTS
        }
        root.addView(input)
        var confirm: CheckBox? = null
        if (state.lastAttempt) {
            note("残り1回です。間違えるとロックされ、市区町村の窓口での初期化が必要になります。", Color.RED)
            confirm = CheckBox(this).apply { text = "理解したうえで入力します" }
            root.addView(confirm)
        }
        button("次へ") {
            if (state.lastAttempt && confirm?.isChecked != true) return@button
            // The PIN as bytes: the controller wipes the array after use.
            viewModel.controller.submitPin(input.text.toString().toByteArray(), allowLastAttempt = state.lastAttempt)
            input.text.clear()
        }
        button("中止") { viewModel.cancel() }
    }

    private fun renderNotice(notice: ReaderNotice?) {
        when (notice) {
            null -> Unit
            is ReaderNotice.NfcOff -> {
                note("NFCがオフになっています。設定でオンにしてください。", Color.RED)
                button("NFCの設定を開く") { startActivity(notice.settingsIntent) }
            }
            ReaderNotice.NoNfc -> note("この端末はNFCに対応していません。", Color.RED)
            is ReaderNotice.Unavailable -> note(notice.messageJa, Color.RED)
            ReaderNotice.NotMyNumberCard -> note("マイナンバーカードではありません。カードをかざし直してください。", Color.RED)
            ReaderNotice.NoSecureElement -> note("スマホ用電子証明書を利用できません。", Color.RED)
            ReaderNotice.SecureElementNotAllowed -> note("このアプリはスマホ用電子証明書の利用を許可されていません。", Color.RED)
        }
    }

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

    private fun button(text: String, onClick: (View) -> Unit) =
        root.addView(Button(this).apply { this.text = text; setOnClickListener(onClick) })
}
