package jp.mynasign.sample

import java.util.concurrent.Executor
import jp.mynasign.CancelHandle
import jp.mynasign.CardLink
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.ErrorInfo
import jp.mynasign.HolderStatus
import jp.mynasign.JpkiCard
import jp.mynasign.MynaException
import jp.mynasign.PinType
import jp.mynasign.ProgressCallback
import jp.mynasign.SignStep
import jp.mynasign.TermsInfo
import jp.mynasign.TrustAnchors
import jp.mynasign.termsFromText
import jp.mynasign.verifyConsent

/** What the holder is asked to consent to: the terms text shown, and where the consent goes. */
class ConsentRequest(
    /** Identifier of the terms. */
    val termsId: String,
    /** Version of the terms. */
    val termsVersion: String,
    /** The exact text shown to the holder; its SHA-256 goes into the signed document. */
    val termsText: String,
    /** Where the procedure is made. */
    val channel: ConsentChannel,
    /** The holder's status. */
    val holderStatus: HolderStatus,
    /** The receiving service's nonce or transaction id. */
    val nonce: String,
    /** Which roots the result is verified against (EMULATOR with the emulated card). */
    val trust: TrustAnchors,
)

/** Why the UI asks for the card: to read the attempts left, or to sign. */
enum class CardPurpose { READ_PIN_STATUS, SIGN }

/** The result shown at the end: the CMS to submit and what verification found. */
class ConsentResult(
    /** The CMS SignedData (DER). */
    val cms: ByteArray,
    /** The signed canonical JSON. */
    val documentJson: String,
    /** The signer certificate's issuance number (not personal data). */
    val issuanceNumber: String,
    /** The signing time, seconds since 1970. */
    val signingTimeUnix: Long,
    /** APDU round trips with the card. */
    val exchanges: Int,
) {
    override fun toString(): String =
        "ConsentResult(cms=${cms.size} bytes, exchanges=$exchanges)"
}

/**
 * The screens of the consent flow. The UI renders the current state and calls the
 * controller's methods; no state ever carries a PIN or personal data.
 */
sealed interface FlowState {
    /** Item selection and terms: [ConsentFlowController.acceptConsent] moves on. */
    data class ReviewConsent(
        val termsText: String,
        val termsSha256Hex: String,
        val selected: Set<ConsentItem>,
        val error: ErrorInfo? = null,
    ) : FlowState

    /** "Hold your card against the phone" ([message]: why we ask again, e.g. the card moved). */
    data class WaitingForCard(val purpose: CardPurpose, val message: ErrorInfo? = null) : FlowState

    /** Reading the attempts left. */
    data object ReadingCard : FlowState

    /**
     * The signature password screen. When [lastAttempt], show a clear warning (the next wrong
     * entry locks the password) and have the holder confirm before submitting.
     */
    data class EnterPin(
        val remaining: Int,
        val maxAttempts: Int,
        val lastAttempt: Boolean,
        val error: ErrorInfo? = null,
    ) : FlowState

    /** The card is working: keep it in place. [step] is null until the first step starts. */
    data class Signing(val step: SignStep?, val index: Int, val total: Int) : FlowState

    /** Checking the signature. */
    data object Verifying : FlowState

    /** Signed and verified. */
    data class Done(val result: ConsentResult) : FlowState

    /** The password is locked: only a municipal office or a kiosk can reset it. */
    data class Blocked(val info: ErrorInfo) : FlowState

    /** Cancelled by the holder. */
    data object Cancelled : FlowState

    /** Failed; [info] has the messages to show. */
    data class Failed(val info: ErrorInfo) : FlowState
}

/**
 * Drives the consent flow, independent of Android: consent review → card (PIN status) →
 * password (with the last-attempt warning) → card (VERIFY and signature, with progress and
 * cancel) → verification → result.
 *
 * Card work runs on [worker] (never the UI thread); [onState] is called from that thread or
 * from the caller's, so an Android UI posts it to the main thread. The link passed to
 * [onCardPresented] is closed after use when it is [AutoCloseable] (an IsoDep link).
 */
class ConsentFlowController(
    private val request: ConsentRequest,
    private val worker: Executor,
    private val onState: (FlowState) -> Unit,
) {
    private val lock = Any()
    private val terms: TermsInfo =
        termsFromText(request.termsId, request.termsVersion, request.termsText)

    @Volatile
    var state: FlowState = FlowState.ReviewConsent(
        request.termsText, terms.sha256Hex, setOf(ConsentItem.ADDRESS),
    )
        private set

    private var items: List<ConsentItem> = listOf(ConsentItem.ADDRESS)
    private var password: String? = null
    private var allowLastAttempt = false
    private var cancel: CancelHandle? = null
    private var busy = false

    private fun move(next: FlowState) {
        synchronized(lock) { state = next }
        onState(next)
    }

    /** Changes the selected items on the review screen. */
    fun selectItems(selected: Set<ConsentItem>) {
        val s = state as? FlowState.ReviewConsent ?: return
        move(s.copy(selected = selected, error = null))
    }

    /** The holder accepts the terms for the selected items: ask for the card. */
    fun acceptConsent() {
        val s = state as? FlowState.ReviewConsent ?: return
        if (s.selected.isEmpty()) {
            move(s.copy(error = ErrorInfo(
                "EMPTY_SELECTION",
                "Choose at least one of address, name and date of birth.",
                "住所・氏名・生年月日のうち少なくとも一つを選んでください。",
            )))
            return
        }
        // The document's order is the enum's, whatever order the holder ticked them in.
        items = ConsentItem.entries.filter { it in s.selected }
        move(FlowState.WaitingForCard(CardPurpose.READ_PIN_STATUS))
    }

    /**
     * The holder entered the password. With one attempt left, [allowLastAttempt] must say the
     * holder saw the warning and confirmed; otherwise the library refuses before VERIFY.
     */
    fun submitPin(value: String, allowLastAttempt: Boolean) {
        if (state !is FlowState.EnterPin) return
        synchronized(lock) {
            password = value
            this.allowLastAttempt = allowLastAttempt
        }
        move(FlowState.WaitingForCard(CardPurpose.SIGN))
    }

    /** A card (or the emulator) is in the field: do what the current state waits for. */
    fun onCardPresented(link: CardLink) {
        val waiting = state as? FlowState.WaitingForCard
        val handle = CancelHandle()
        val accepted = synchronized(lock) {
            if (waiting == null || busy) false else {
                busy = true
                cancel = handle
                true
            }
        }
        if (!accepted || waiting == null) {
            (link as? AutoCloseable)?.close()
            return
        }
        worker.execute {
            try {
                when (waiting.purpose) {
                    CardPurpose.READ_PIN_STATUS -> readPinStatus(link)
                    CardPurpose.SIGN -> sign(link, handle)
                }
            } finally {
                synchronized(lock) {
                    busy = false
                    cancel = null
                }
                (link as? AutoCloseable)?.close()
            }
        }
    }

    /** Cancels: the card work stops before its next exchange; a waiting screen ends at once. */
    fun cancel() {
        val running = synchronized(lock) { if (busy) cancel else null }
        if (running != null) {
            running.cancel()
        } else if (state !is FlowState.Done) {
            forgetPassword()
            move(FlowState.Cancelled)
        }
    }

    private fun forgetPassword() = synchronized(lock) {
        password = null
        allowLastAttempt = false
    }

    private fun readPinStatus(link: CardLink) {
        move(FlowState.ReadingCard)
        try {
            val status = JpkiCard.open(link).use { it.pinStatus(PinType.SIGNATURE_PASSWORD) }
            if (status.blocked) {
                move(FlowState.Blocked(blockedInfo()))
            } else {
                move(FlowState.EnterPin(
                    status.remaining.toInt(), status.maxAttempts.toInt(), status.lastAttempt,
                ))
            }
        } catch (e: MynaException) {
            fail(e, CardPurpose.READ_PIN_STATUS)
        }
    }

    private fun sign(link: CardLink, handle: CancelHandle) {
        val (pw, allowLast) = synchronized(lock) { password to allowLastAttempt }
        if (pw == null) {
            move(FlowState.Failed(ErrorInfo("NO_PASSWORD", "Enter the password first.", "先に署名用パスワードを入力してください。")))
            return
        }
        move(FlowState.Signing(null, 0, 0))
        val progress = object : ProgressCallback {
            override fun onStep(step: SignStep, index: UInt, total: UInt) {
                move(FlowState.Signing(step, index.toInt(), total.toInt()))
            }
        }
        val document = ConsentDocument.AddressChange(
            items, request.holderStatus, terms, request.channel, request.nonce, null,
        )
        try {
            val signed = jp.mynasign.signConsent(link, document, pw, allowLast, false, progress, handle)
            forgetPassword()
            move(FlowState.Verifying)
            val verified = verifyConsent(signed.cms, request.trust, null)
            move(FlowState.Done(ConsentResult(
                signed.cms, verified.documentJson, verified.signer.issuanceNumber,
                verified.signingTimeUnix, signed.counts.exchanges.toInt(),
            )))
        } catch (e: MynaException) {
            fail(e, CardPurpose.SIGN)
        }
    }

    private fun fail(e: MynaException, purpose: CardPurpose) {
        when (e) {
            is MynaException.WrongPin -> {
                forgetPassword()
                val r = e.remaining.toInt()
                move(if (r == 0) FlowState.Blocked(e.info) else FlowState.EnterPin(r, MAX_ATTEMPTS, r == 1, e.info))
            }
            is MynaException.LastAttemptGuard -> {
                forgetPassword()
                move(FlowState.EnterPin(1, MAX_ATTEMPTS, true, e.info))
            }
            is MynaException.PinBlocked -> { forgetPassword(); move(FlowState.Blocked(e.info)) }
            is MynaException.Cancelled -> { forgetPassword(); move(FlowState.Cancelled) }
            is MynaException.TagLost, is MynaException.Timeout -> {
                // A VERIFY in flight may have been counted: forget the password and read the
                // attempts left again. Otherwise ask for the card again, keeping the password.
                val duringVerify = (e as? MynaException.TagLost)?.duringVerify == true
                if (duringVerify) forgetPassword()
                val next = if (duringVerify) CardPurpose.READ_PIN_STATUS else purpose
                move(FlowState.WaitingForCard(next, e.errorInfo))
            }
            else -> { forgetPassword(); move(FlowState.Failed(e.errorInfo)) }
        }
    }

    private fun blockedInfo() = ErrorInfo(
        "PIN_BLOCKED",
        "The signature password is locked: reset it at your municipality or a convenience-store kiosk.",
        "署名用パスワードがロックされています。市区町村の窓口またはコンビニのキオスク端末で初期化してください。",
    )

    private companion object {
        const val MAX_ATTEMPTS = 5
    }
}
