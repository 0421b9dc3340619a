package jp.mynasign.sample

import java.time.Instant
import jp.mynasign.CancelHandle
import jp.mynasign.CardFlowEvent
import jp.mynasign.CardLink
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.ErrorCode
import jp.mynasign.FlowStep
import jp.mynasign.HolderStatus
import jp.mynasign.MynaException
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.SignOptions
import jp.mynasign.SignedConsent
import jp.mynasign.TermsInfo
import jp.mynasign.termsFromText
import jp.mynasign.toMynaSign
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch

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
    /**
     * How the app checks the result before sending it, or null: the receiving service
     * verifies. The artifact an app ships has no verifier (no `verify` feature), so the
     * release build passes null; the debug build and the tests check with the verifier
     * ([VerifyingChecker] in flow/src/debug: the emulator's roots with the emulated card;
     * unchecked revocation, which the receiving service checks).
     */
    val check: ConsentChecker?,
)

/** Checks a signed consent's CMS before the app sends it; throws the library's error if it fails. */
fun interface ConsentChecker {
    fun check(cms: ByteArray): CheckedConsent
}

/** What a [ConsentChecker] found: the verified document and signer. */
class CheckedConsent(
    /** The signed canonical JSON, as verified. */
    val documentJson: String,
    /** The signer certificate's issuance number. */
    val issuanceNumber: String,
    /** The signing time in the CMS. */
    val signingTime: Instant,
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
    /** The signing time, when the app checked the consent ([ConsentRequest.check]). */
    val signingTime: Instant?,
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
        val error: ErrorText? = null,
    ) : FlowState

    /** "Hold your card against the phone" ([message]: why we ask again, e.g. the card moved). */
    data class WaitingForCard(val purpose: CardPurpose, val message: ErrorText? = null) : FlowState

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
        val error: ErrorText? = null,
    ) : FlowState

    /**
     * The card is working: keep it in place. [step] is null until the first step starts;
     * [messageJa] and [messageEn] are the library's texts for it.
     */
    data class Signing(
        val step: FlowStep?,
        val index: Int,
        val total: Int,
        val messageJa: String = "",
        val messageEn: String = "",
    ) : FlowState

    /** Checking the signature. */
    data object Verifying : FlowState

    /** Signed (and verified, when the app checks: [ConsentRequest.check]). */
    data class Done(val result: ConsentResult) : FlowState

    /** The password is locked: only a municipal office or a kiosk can reset it. */
    data class Blocked(val info: ErrorText) : FlowState

    /** Cancelled by the holder (or the screen went away). */
    data object Cancelled : FlowState

    /** Failed; [info] has the messages to show. */
    data class Failed(val info: ErrorText) : FlowState
}

/**
 * Drives the consent flow, independent of Android: consent review → card (PIN status) →
 * password (with the last-attempt warning) → card (VERIFY and signature, with progress and
 * cancel) → verification → result.
 *
 * Card work runs as a coroutine in [scope] (an Android ViewModel's `viewModelScope`, so
 * leaving the screen cancels it); the library runs the card exchanges on its own worker
 * thread. [onState] is called from [scope]'s dispatcher or the caller's thread. [cancel]
 * cancels the card work's [CancelHandle] (synchronous: nothing more is sent once it returns)
 * and its coroutine; cancelling [scope] alone also stops the card, within one exchange of the
 * coroutine processing its cancellation, and closes the link.
 */
class ConsentFlowController(
    private val request: ConsentRequest,
    private val scope: CoroutineScope,
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
    private var password: ByteArray? = null
    private var allowLastAttempt = false
    private var maxAttempts = DEFAULT_MAX_ATTEMPTS
    private var job: Job? = null
    private var handle: CancelHandle? = null

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
            move(s.copy(error = ErrorText(
                "EMPTY_SELECTION",
                "住所・氏名・生年月日のうち少なくとも一つを選んでください。",
                "Choose at least one of address, name and date of birth.",
            )))
            return
        }
        // The document's order is the enum's, whatever order the holder ticked them in.
        items = ConsentItem.entries.filter { it in s.selected }
        move(FlowState.WaitingForCard(CardPurpose.READ_PIN_STATUS))
    }

    /**
     * The holder entered the password (UTF-8 bytes; the controller takes the array and wipes
     * it after use). With one attempt left, [allowLastAttempt] must say the holder saw the
     * warning and confirmed; otherwise the library refuses before VERIFY.
     */
    fun submitPin(value: ByteArray, allowLastAttempt: Boolean) {
        if (state !is FlowState.EnterPin) {
            value.fill(0)
            return
        }
        synchronized(lock) {
            password?.fill(0)
            password = value
            this.allowLastAttempt = allowLastAttempt
        }
        move(FlowState.WaitingForCard(CardPurpose.SIGN))
    }

    /**
     * A card (or the emulator) is in the field: do what the current state waits for. Returns
     * the card work's job (null when the card is not wanted now; its link is closed).
     */
    fun onCardPresented(link: CardLink): Job? {
        val waiting = state as? FlowState.WaitingForCard
        val started = synchronized(lock) {
            if (waiting == null || job?.isActive == true) {
                null
            } else {
                val h = CancelHandle()
                handle = h
                scope.launch(start = CoroutineStart.LAZY) { work(waiting.purpose, link, h) }.also { job = it }
            }
        }
        if (started == null) closeQuietly(link) else started.start()
        return started
    }

    private suspend fun work(purpose: CardPurpose, link: CardLink, handle: CancelHandle) {
        try {
            when (purpose) {
                CardPurpose.READ_PIN_STATUS -> readPinStatus(link, handle)
                CardPurpose.SIGN -> sign(link, handle)
            }
        } catch (e: CancellationException) {
            // The holder cancelled or the screen went away: the library stopped the card.
            forgetPassword()
            move(FlowState.Cancelled)
            throw e
        } finally {
            closeQuietly(link)
        }
    }

    /** Cancels: the card work stops within one exchange; a waiting screen ends at once. */
    fun cancel() {
        val (running, h) = synchronized(lock) { job?.takeIf { it.isActive } to handle }
        if (running != null) {
            // The handle stops the card at once (the flow then ends with CANCELLED); the job's
            // cancellation ends the coroutine.
            h?.cancel()
            running.cancel()
        } else if (state !is FlowState.Done) {
            forgetPassword()
            move(FlowState.Cancelled)
        }
    }

    private fun forgetPassword() = synchronized(lock) {
        password?.fill(0)
        password = null
        allowLastAttempt = false
    }

    private suspend fun readPinStatus(link: CardLink, handle: CancelHandle) {
        move(FlowState.ReadingCard)
        try {
            val status = MynaSign.readPinStatus(link, handle).signaturePassword
            maxAttempts = status.maxAttempts
            if (status.blocked) {
                move(FlowState.Blocked(BLOCKED))
            } else {
                move(FlowState.EnterPin(status.remaining, status.maxAttempts, status.lastAttempt))
            }
        } catch (e: MynaSignException) {
            fail(e, CardPurpose.READ_PIN_STATUS)
        }
    }

    private suspend fun sign(link: CardLink, handle: CancelHandle) {
        val (pw, allowLast) = synchronized(lock) { password?.copyOf() to allowLastAttempt }
        if (pw == null) {
            move(FlowState.Failed(ErrorText("NO_PASSWORD", "先に署名用パスワードを入力してください。", "Enter the password first.")))
            return
        }
        move(FlowState.Signing(null, 0, 0))
        try {
            val document = try {
                ConsentDocument.addressChange(items, request.holderStatus, terms, request.channel, request.nonce)
            } catch (e: MynaException) {
                throw e.toMynaSign()
            }
            var result: SignedConsent? = null
            MynaSign.signConsentFlow(link, document, pw, SignOptions(allowLastAttempt = allowLast), handle).collect { event ->
                when (event) {
                    is CardFlowEvent.Step -> event.progress.let {
                        move(FlowState.Signing(it.step, it.index, it.total, it.messageJa, it.messageEn))
                    }
                    is CardFlowEvent.Done -> result = event.result
                }
            }
            val signed = checkNotNull(result)
            forgetPassword()
            val check = request.check
            val done = if (check != null) {
                move(FlowState.Verifying)
                val verified = check.check(signed.cms())
                ConsentResult(
                    signed.cms(), verified.documentJson, verified.issuanceNumber,
                    verified.signingTime, signed.counts().exchanges,
                )
            } else {
                ConsentResult(
                    signed.cms(), signed.documentJson(), signed.certificate().issuanceNumber(),
                    null, signed.counts().exchanges,
                )
            }
            move(FlowState.Done(done))
        } catch (e: MynaSignException) {
            fail(e, CardPurpose.SIGN)
        } finally {
            pw.fill(0)
        }
    }

    private fun fail(e: MynaSignException, purpose: CardPurpose) {
        val text = e.errorText
        when (e.code) {
            ErrorCode.WRONG_PIN -> {
                forgetPassword()
                val r = (e.error as? MynaException.WrongPin)?.remaining ?: 0
                move(FlowState.EnterPin(r, maxAttempts, r == 1, text))
            }
            ErrorCode.LAST_ATTEMPT -> {
                forgetPassword()
                move(FlowState.EnterPin(1, maxAttempts, true, text))
            }
            ErrorCode.PIN_NOW_BLOCKED, ErrorCode.PIN_BLOCKED -> {
                forgetPassword()
                move(FlowState.Blocked(text))
            }
            ErrorCode.CANCELLED -> {
                forgetPassword()
                move(FlowState.Cancelled)
            }
            ErrorCode.TAG_LOST, ErrorCode.TAG_LOST_DURING_VERIFY, ErrorCode.TIMEOUT, ErrorCode.LINK_FAILED -> {
                // A VERIFY in flight may have been counted: forget the password and read the
                // attempts left again. Otherwise ask for the card again, keeping the password.
                if (e.pinCounterUncertain) forgetPassword()
                val next = if (e.pinCounterUncertain) CardPurpose.READ_PIN_STATUS else purpose
                move(FlowState.WaitingForCard(next, text))
            }
            else -> {
                forgetPassword()
                move(FlowState.Failed(text))
            }
        }
    }

    private companion object {
        const val DEFAULT_MAX_ATTEMPTS = 5
        val BLOCKED = ErrorText(
            "PIN_BLOCKED",
            "署名用パスワードがロックされています。市区町村の窓口またはコンビニのキオスク端末で初期化してください。",
            "The signature password is locked: reset it at your municipality or a convenience-store kiosk.",
        )
    }
}
