package jp.mynasign

import java.util.Locale
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.SendChannel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow

/**
 * What a card flow emits as a [Flow]: each [Step] as it starts, in order, then one [Done] with
 * the result. A failure ends the flow with a [MynaSignException] instead of [Done].
 */
sealed interface CardFlowEvent<out T> {
    /** A step starts: show [Progress.messageJa] / [Progress.messageEn] ("keep the card in place"). */
    data class Step(val progress: Progress) : CardFlowEvent<Nothing>

    /** The flow finished with [result]; always the last event. */
    data class Done<T>(val result: T) : CardFlowEvent<T>
}

/**
 * The one exception type of the Kotlin API: a [MynaException] of the generated bindings (its
 * [cause], also in [error]) with the holder-facing texts. [message] is the text in the
 * device's language (Japanese when `Locale.getDefault().language` is `ja`, English otherwise).
 * No text contains a PIN or personal data.
 */
class MynaSignException(
    /** The generated error, for its typed fields (`remaining`, `fields`, `reason`, ...). */
    val error: MynaException,
) : Exception(null, error) {
    /** The stable code (for analytics, support and `when` branches). */
    val code: ErrorCode = error.code()

    /** What happened and what to do, in Japanese. */
    val messageJa: String = error.messageJa()

    /** What happened and what to do, in English. */
    val messageEn: String = error.messageEn()

    private val recoveryJa: String? = error.recoveryJa()
    private val recoveryEn: String? = error.recoveryEn()

    /** What to do, in the device's language; null when nothing the holder does helps. */
    val recovery: String?
        get() = if (japanese()) recoveryJa else recoveryEn

    /**
     * Whether repeating the same call (after the holder follows the advice) can neither cost a
     * PIN attempt the app does not know about nor fail the same way for certain.
     */
    val retrySafe: Boolean = error.retrySafe()

    /**
     * Whether the card may have counted a PIN attempt nobody saw (the link was lost or the
     * flow cancelled while a VERIFY was in flight): read the PIN status again before asking
     * for the PIN.
     */
    val pinCounterUncertain: Boolean = error.pinCounterUncertain()

    /** The holder's text in the device's language: [messageJa] or [messageEn]. */
    override val message: String
        get() = if (japanese()) messageJa else messageEn

    private companion object {
        fun japanese() = Locale.getDefault().language == "ja"
    }
}

/** This error as the Kotlin API's [MynaSignException]. */
fun MynaException.toMynaSign(): MynaSignException = MynaSignException(this)

/** Runs [block], turning the generated [MynaException] into a [MynaSignException]. */
private inline fun <T> mapped(block: () -> T): T =
    try {
        block()
    } catch (e: MynaException) {
        throw e.toMynaSign()
    }

/**
 * The card flows as suspend functions, and as [Flow]s of [CardFlowEvent]s.
 *
 * Each flow runs on the library's own worker thread: call it from any dispatcher, including
 * `Dispatchers.Main`. Cancelling the calling coroutine (or the collector of a `Flow` variant)
 * cancels the card flow within one exchange: nothing more is sent and [CardLink.closeLink] is
 * called so that a blocked `transceive` returns (a PIN VERIFY already sent completes first,
 * so its attempt is accounted for); the coroutine then ends with its `CancellationException`,
 * as structured concurrency wants. An explicit [CancelHandle] ends the call with a
 * [MynaSignException] of code [ErrorCode.CANCELLED] instead. Every other failure is a
 * [MynaSignException].
 *
 * PINs are `ByteArray`s (UTF-8), handed to the library by reference through a direct buffer
 * that is zero-filled at once (see [pinCode]); the library wipes its copy when the call ends,
 * the caller wipes its own array.
 */
object MynaSign {
    /**
     * Signs [document] on the card or smartphone over [link] with the signature [password]:
     * PIN status, VERIFY (refused on the last attempt unless [SignOptions.allowLastAttempt]),
     * signature certificate, channel rule (and for a linkage the attributes), signature.
     */
    suspend fun signConsent(
        link: CardLink,
        document: ConsentDocument,
        password: ByteArray,
        options: SignOptions = SignOptions(),
        cancel: CancelHandle? = null,
    ): SignedConsent = mapped { jp.mynasign.signConsent(link, document, password, options, null, cancel) }

    /** Reads the basic four attributes with the 4-digit card-info [pin] (same PIN rules). */
    suspend fun readBasicAttributes(
        link: CardLink,
        pin: ByteArray,
        options: PinOptions = PinOptions(),
        cancel: CancelHandle? = null,
    ): BasicAttributes = mapped { jp.mynasign.readBasicAttributes(link, pin, options, null, cancel) }

    /**
     * Reads the basic four with what proves them (the card-info integrity record and
     * certificate and, with [challenge], the card's answer to the receiver's challenge) and
     * verifies them under [trust]; a failed check is [ErrorCode.VERIFICATION_FAILED] naming
     * it. Send [AuthenticBasicAttributes.evidenceJson] to the back end (personal data).
     */
    suspend fun readAuthenticBasicAttributes(
        link: CardLink,
        pin: ByteArray,
        trust: CardInfoTrust,
        challenge: ByteArray? = null,
        options: PinOptions = PinOptions(),
        cancel: CancelHandle? = null,
    ): AuthenticBasicAttributes =
        mapped { jp.mynasign.readAuthenticBasicAttributes(link, pin, trust, challenge, options, null, cancel) }

    /** The back end's check of an evidence object an app sent (see [readAuthenticBasicAttributes]). */
    fun verifyCardInfoEvidence(
        evidenceJson: String,
        trust: CardInfoTrust,
        challenge: ByteArray? = null,
    ): AuthenticBasicAttributes = mapped { jp.mynasign.verifyCardInfoEvidence(evidenceJson, trust, challenge) }

    /** Reads every PIN's retry counter without spending an attempt. */
    suspend fun readPinStatus(link: CardLink, cancel: CancelHandle? = null): PinStatusReport =
        mapped { jp.mynasign.readPinStatus(link, null, cancel) }

    /**
     * The Mynaportal linkage check: reads the card-info attributes and the signature
     * certificate and names the fields that differ (never their values).
     */
    suspend fun checkLinkage(
        link: CardLink,
        cardInfoPin: ByteArray,
        signaturePassword: ByteArray,
        options: PinOptions = PinOptions(),
        cancel: CancelHandle? = null,
    ): LinkageResult = mapped {
        jp.mynasign.checkLinkage(link, cardInfoPin, signaturePassword, options, null, cancel)
    }

    /**
     * Signs [document] with a key the app holds ([signer]: a smartphone certificate's key in
     * the Android Keystore), after the same checks as on a card. A failure of the signer is
     * [ErrorCode.KEYSTORE_FAILED]. Only [SignOptions.signingTime] applies.
     */
    suspend fun signConsentWithSigner(
        signer: KeystoreSigner,
        source: CertificateSource,
        document: ConsentDocument,
        options: SignOptions = SignOptions(),
        cancel: CancelHandle? = null,
    ): SignedConsent = mapped {
        jp.mynasign.signConsentWithSigner(signer, source, document, options, null, cancel)
    }

    /** [signConsent] as a [Flow]: its steps, then [CardFlowEvent.Done] with the signed consent. */
    fun signConsentFlow(
        link: CardLink,
        document: ConsentDocument,
        password: ByteArray,
        options: SignOptions = SignOptions(),
        cancel: CancelHandle? = null,
    ): Flow<CardFlowEvent<SignedConsent>> = events { listener ->
        jp.mynasign.signConsent(link, document, password, options, listener, cancel)
    }

    /** [readBasicAttributes] as a [Flow]. */
    fun readBasicAttributesFlow(
        link: CardLink,
        pin: ByteArray,
        options: PinOptions = PinOptions(),
        cancel: CancelHandle? = null,
    ): Flow<CardFlowEvent<BasicAttributes>> = events { listener ->
        jp.mynasign.readBasicAttributes(link, pin, options, listener, cancel)
    }

    /** [readPinStatus] as a [Flow]. */
    fun readPinStatusFlow(link: CardLink, cancel: CancelHandle? = null): Flow<CardFlowEvent<PinStatusReport>> =
        events { listener -> jp.mynasign.readPinStatus(link, listener, cancel) }

    /** [checkLinkage] as a [Flow]. */
    fun checkLinkageFlow(
        link: CardLink,
        cardInfoPin: ByteArray,
        signaturePassword: ByteArray,
        options: PinOptions = PinOptions(),
        cancel: CancelHandle? = null,
    ): Flow<CardFlowEvent<LinkageResult>> = events { listener ->
        jp.mynasign.checkLinkage(link, cardInfoPin, signaturePassword, options, listener, cancel)
    }

    /**
     * A cold flow running [call] with a listener that emits each step; unlimited buffering so
     * the library's worker thread never waits for the collector (a flow has a handful of
     * steps). Cancelling the collector cancels the producer, hence the call.
     */
    private fun <T> events(call: suspend (ProgressListener) -> T): Flow<CardFlowEvent<T>> =
        channelFlow {
            // A failure closes the channel with it, after the steps already sent: had it
            // failed the producer instead, the collector's scope would be cancelled and steps
            // still buffered lost (seen under load: a wrong PIN's flow with no steps).
            val result = try {
                mapped { call(StepSender(this)) }
            } catch (e: MynaSignException) {
                close(e)
                return@channelFlow
            }
            send(CardFlowEvent.Done(result))
        }.buffer(Channel.UNLIMITED)

    private class StepSender(private val events: SendChannel<CardFlowEvent<Nothing>>) : ProgressListener {
        override fun onProgress(progress: Progress) {
            events.trySend(CardFlowEvent.Step(progress))
        }
    }
}
