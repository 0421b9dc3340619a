package jp.mynasign.sample.android

import android.app.Activity
import android.graphics.Color
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.tech.IsoDep
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ProgressBar
import android.widget.ScrollView
import android.widget.Switch
import android.widget.TextView
import jp.mynasign.CardProfile
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.HolderStatus
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.sample.CardPurpose
import jp.mynasign.sample.ConsentFlowController
import jp.mynasign.sample.ConsentRequest
import jp.mynasign.sample.EmulatorLink
import jp.mynasign.sample.FlowState
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The thin Android layer: NFC reader mode hands each tag to the flow controller (shared,
 * plain Kotlin), and [render] draws its state with plain Views. With the emulator switch on,
 * "Hold the card" is answered by the emulated card, so the app runs without one.
 *
 * The controller's card work runs in [scope] (the main dispatcher: the library runs the card
 * exchanges on its own worker thread); destroying the activity cancels it, which stops the
 * card within one exchange and closes the link.
 */
class MainActivity : Activity(), NfcAdapter.ReaderCallback {
    private val scope = MainScope()
    private var nfc: NfcAdapter? = null
    private var useEmulator = false
    private val emulator by lazy { Emulator(1uL, CardProfile.MY_NUMBER_CARD) }
    private lateinit var controller: ConsentFlowController
    private lateinit var root: LinearLayout

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        nfc = NfcAdapter.getDefaultAdapter(this)
        useEmulator = nfc == null
        root = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; setPadding(48, 48, 48, 48) }
        setContentView(ScrollView(this).apply { addView(root) })
        newController()
    }

    private fun newController() {
        controller = ConsentFlowController(
            ConsentRequest(
                termsId = "address-change-onestop",
                termsVersion = "2025-03",
                termsText = getTermsText(),
                channel = ConsentChannel.MYNAPORTAL,
                holderStatus = HolderStatus.MY_NUMBER_LICENCE_ONLY,
                nonce = java.util.UUID.randomUUID().toString(),
                // The app checks its own consent before sending it; the receiving service
                // checks revocation.
                verifyOptions = if (useEmulator) {
                    VerifyConsentOptions(rootsDer = emulator.rootCertificatesDer(), allowUncheckedRevocation = true)
                } else {
                    VerifyConsentOptions(allowUncheckedRevocation = true)
                },
            ),
            scope,
        ) { state -> runOnUiThread { render(state) } }
        render(controller.state)
    }

    private fun getTermsText() =
        "住所変更ワンストップサービス等の利用開始に同意します。\n" +
            "選択した項目（住所・氏名・生年月日）の変更情報が警察に提供されます。（見本）"

    override fun onResume() {
        super.onResume()
        // Reader mode: the activity gets the tag directly, no NDEF dispatch, no sound delay.
        nfc?.enableReaderMode(
            this, this,
            NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK,
            Bundle().apply { putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, 1000) },
        )
    }

    override fun onPause() {
        nfc?.disableReaderMode(this)
        super.onPause()
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    /** Called on an NFC binder thread: the controller runs the card work in its scope. */
    override fun onTagDiscovered(tag: Tag) {
        if (useEmulator) return
        val isoDep = IsoDep.get(tag) ?: return
        val link = try { IsoDepLink(isoDep) } catch (e: java.io.IOException) { return }
        controller.onCardPresented(link)
    }

    private fun render(state: FlowState) {
        root.removeAllViews()
        when (state) {
            is FlowState.ReviewConsent -> renderReview(state)
            is FlowState.WaitingForCard -> {
                title(if (state.purpose == CardPurpose.READ_PIN_STATUS) "カードをかざしてください（残り回数を確認します）" else "カードをかざしてください（署名します）")
                state.message?.let { note(it.messageJa, Color.RED) }
                if (useEmulator) {
                    button("エミュレータのカードを使う") { controller.onCardPresented(EmulatorLink(emulator)) }
                } else {
                    button("スマホ用電子証明書を使う") {
                        scope.launch {
                            val link = withContext(Dispatchers.IO) {
                                try { OmapiLink.open(this@MainActivity, mainExecutor) } catch (e: Exception) { null }
                            }
                            if (link != null) controller.onCardPresented(link)
                            else note("スマホ用電子証明書を利用できません。", Color.RED)
                        }
                    }
                }
                button("中止") { controller.cancel() }
            }
            FlowState.ReadingCard -> { title("読み取り中…"); root.addView(ProgressBar(this)) }
            is FlowState.EnterPin -> renderPin(state)
            is FlowState.Signing -> {
                title("署名中です。カードを動かさないでください。")
                val bar = ProgressBar(this, null, android.R.attr.progressBarStyleHorizontal)
                bar.max = maxOf(state.total, 1); bar.progress = state.index
                root.addView(bar)
                note(state.messageJa.ifEmpty { "接続中" })
                button("中止") { controller.cancel() }
            }
            FlowState.Verifying -> { title("署名を検証しています…"); root.addView(ProgressBar(this)) }
            is FlowState.Done -> {
                title("署名しました")
                note("発行番号: ${state.result.issuanceNumber}")
                note("CMS: ${state.result.cms.size} バイト, 通信 ${state.result.exchanges} 回")
                note(state.result.documentJson)
                button("最初から") { newController() }
            }
            is FlowState.Blocked -> { title("ロックされています"); note(state.info.messageJa, Color.RED); button("最初から") { newController() } }
            FlowState.Cancelled -> { title("中止しました"); button("最初から") { newController() } }
            is FlowState.Failed -> { title("エラー"); note(state.info.messageJa, Color.RED); button("最初から") { newController() } }
        }
    }

    private fun renderReview(state: FlowState.ReviewConsent) {
        title("同意内容の確認")
        root.addView(Switch(this).apply {
            text = "エミュレータ（カードなしで試す）"
            isChecked = useEmulator
            isEnabled = nfc != null
            setOnCheckedChangeListener { _, on -> useEmulator = on; newController() }
        })
        note(state.termsText)
        note("規約のSHA-256: ${state.termsSha256Hex.take(16)}…", Color.GRAY)
        val labels = listOf(ConsentItem.ADDRESS to "住所", ConsentItem.NAME to "氏名", ConsentItem.DATE_OF_BIRTH to "生年月日")
        for ((item, label) in labels) {
            root.addView(CheckBox(this).apply {
                text = label
                isChecked = item in state.selected
                setOnCheckedChangeListener { _, on ->
                    controller.selectItems(if (on) state.selected + item else state.selected - item)
                }
            })
        }
        state.error?.let { note(it.messageJa, Color.RED) }
        button("同意して次へ") { controller.acceptConsent() }
    }

    private fun renderPin(state: FlowState.EnterPin) {
        title("署名用パスワード（英大文字と数字 6〜16文字）")
        note("残り ${state.remaining} 回 / ${state.maxAttempts} 回")
        if (useEmulator) note("エミュレータのパスワード: ${String(emulator.signaturePassword())}", Color.GRAY)
        state.error?.let { note(it.messageJa, Color.RED) }
        val input = EditText(this).apply {
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD or
                InputType.TYPE_TEXT_FLAG_CAP_CHARACTERS
            hint = "パスワード"
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
            controller.submitPin(input.text.toString().toByteArray(), allowLastAttempt = state.lastAttempt)
            input.text.clear()
        }
        button("中止") { controller.cancel() }
    }

    private fun title(text: String) = root.addView(TextView(this).apply { this.text = text; textSize = 20f })

    private fun note(text: String, color: Int = Color.BLACK) =
        root.addView(TextView(this).apply { this.text = text; setTextColor(color); setPadding(0, 16, 0, 16) })

    private fun button(text: String, onClick: (View) -> Unit) =
        root.addView(Button(this).apply { this.text = text; setOnClickListener(onClick) })
}
