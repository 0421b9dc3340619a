package jp.mynasign.sample

import java.time.Instant
import jp.mynasign.CancelHandle
import jp.mynasign.CardLink
import jp.mynasign.ErrorCode
import jp.mynasign.FlowStep
import jp.mynasign.LoginResult
import jp.mynasign.MynaException
import jp.mynasign.MynaSignException
import jp.mynasign.PinOptions
import jp.mynasign.Progress
import jp.mynasign.ProgressListener
import jp.mynasign.loginOnCard
import jp.mynasign.toMynaSign
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch

/**
 * The app's calls to the service it logs in to. In a real app these are its HTTP calls: the
 * service issues the challenge with its `LoginVerifier.issueChallenge` (tied to the app's
 * session there) and verifies the response with `LoginVerifier.verify`, OCSP included. The
 * debug build has one standing in for the service on the phone (`VerifyingLoginService` in
 * flow/src/debug); the release build has a placeholder to replace with the app's own calls
 * (app/src/release).
 */
interface LoginService {
    /**
     * The service as the app knows it (its configured origin): what a bound challenge is
     * answered for. Never taken from the challenge, so a response relayed elsewhere is refused.
     */
    val service: String

    /** Asks the service for a login challenge (its JSON). */
    suspend fun challenge(): String

    /**
     * Sends the login response ([LoginResult.responseJson]) to the service, which verifies it;
     * returns what the service recognised. Throws [LoginServiceException] (or the library's
     * [MynaSignException]) when it refuses.
     */
    suspend fun submit(result: LoginResult): LoginAccount
}

/** The service's refusal (or absence), with the texts to show. */
class LoginServiceException(val text: ErrorText) : Exception(text.code)

/**
 * What the service recognised: the authentication certificate (it names nobody), by serial,
 * key id and expiry. Never personal data.
 */
class LoginAccount(
    /** The certificate's serial number, hex. */
    val certificateSerial: String,
    /** Its subject key identifier, hex, if it has one. */
    val keyId: String?,
    /** When it expires. */
    val notAfter: Instant,
)

/** The login screens; no state ever carries a PIN or personal data. */
sealed interface LoginState {
    /**
     * The 4-digit authentication PIN. [remaining] is null until the card told it (the login
     * reads the counter before VERIFY); with [lastAttempt], show the warning and have the
     * holder confirm.
     */
    data class EnterPin(val remaining: Int?, val lastAttempt: Boolean, val error: ErrorText? = null) : LoginState

    /** "Hold your card against the phone" ([message]: why we ask again). */
    data class WaitingForCard(val message: ErrorText? = null) : LoginState

    /** The card is working: keep it in place ([step] null until the first step starts). */
    data class LoggingIn(
        val step: FlowStep?,
        val index: Int,
        val total: Int,
        val messageJa: String = "",
        val messageEn: String = "",
    ) : LoginState

    /** The service is checking the response. */
    data object Checking : LoginState

    /** Logged in: what the service recognised, and the exchanges with the card. */
    data class Done(val account: LoginAccount, val exchanges: Int) : LoginState

    /** The authentication PIN is locked. */
    data class Blocked(val info: ErrorText) : LoginState

    /** Cancelled by the holder (or the screen went away). */
    data object Cancelled : LoginState

    /** Failed; [info] has the messages to show. */
    data class Failed(val info: ErrorText) : LoginState
}

/**
 * Drives the login, independent of Android: authentication PIN (4 digits, checked here before
 * any card work) → card → the library's login flow (challenge from [service], counter read
 * without spending an attempt, VERIFY with the last-attempt guard, the authentication
 * certificate, signature; with progress and cancel) → the service's check → result.
 *
 * Card work runs as a coroutine in [scope], like [ConsentFlowController]'s; [cancel] cancels
 * its [CancelHandle] (nothing more is sent once it returns) and its coroutine.
 */
class LoginFlowController(
    private val service: LoginService,
    private val scope: CoroutineScope,
    private val onState: (LoginState) -> Unit,
) {
    private val lock = Any()

    @Volatile
    var state: LoginState = LoginState.EnterPin(null, false)
        private set

    private var pin: ByteArray? = null
    private var allowLastAttempt = false
    private var job: Job? = null
    private var handle: CancelHandle? = null

    private fun move(next: LoginState) {
        synchronized(lock) { state = next }
        onState(next)
    }

    /**
     * The holder entered the authentication PIN (ASCII digits; the controller takes the array
     * and wipes it after use). Anything but 4 digits stays on the PIN screen with an error,
     * before the card is asked for. With one attempt left, [allowLastAttempt] says the holder
     * saw the warning and confirmed.
     */
    fun submitPin(value: ByteArray, allowLastAttempt: Boolean) {
        val s = state as? LoginState.EnterPin
        if (s == null) {
            value.fill(0)
            return
        }
        if (value.size != PIN_LENGTH || value.any { it < '0'.code.toByte() || it > '9'.code.toByte() }) {
            value.fill(0)
            move(s.copy(error = INVALID_PIN))
            return
        }
        synchronized(lock) {
            pin?.fill(0)
            pin = value
            this.allowLastAttempt = allowLastAttempt
        }
        move(LoginState.WaitingForCard())
    }

    /**
     * A card (or the emulator) is in the field: log in if the flow waits for it. Returns the
     * card work's job (null when the card is not wanted now; its link is closed).
     */
    fun onCardPresented(link: CardLink): Job? {
        val started = synchronized(lock) {
            if (state !is LoginState.WaitingForCard || job?.isActive == true) {
                null
            } else {
                val h = CancelHandle()
                handle = h
                scope.launch(start = CoroutineStart.LAZY) { work(link, h) }.also { job = it }
            }
        }
        if (started == null) closeQuietly(link) else started.start()
        return started
    }

    /** Cancels: the card work stops within one exchange; a waiting screen ends at once. */
    fun cancel() {
        val (running, h) = synchronized(lock) { job?.takeIf { it.isActive } to handle }
        if (running != null) {
            h?.cancel()
            running.cancel()
        } else if (state !is LoginState.Done) {
            forgetPin()
            move(LoginState.Cancelled)
        }
    }

    private suspend fun work(link: CardLink, handle: CancelHandle) {
        try {
            logIn(link, handle)
        } catch (e: CancellationException) {
            forgetPin()
            move(LoginState.Cancelled)
            throw e
        } finally {
            closeQuietly(link)
        }
    }

    private suspend fun logIn(link: CardLink, handle: CancelHandle) {
        val (p, allowLast) = synchronized(lock) { pin?.copyOf() to allowLastAttempt }
        if (p == null) {
            move(LoginState.EnterPin(null, false))
            return
        }
        move(LoginState.LoggingIn(null, 0, 0))
        try {
            val challenge = service.challenge()
            // The library's login flow (MynaSign.logIn), here with a progress listener for the
            // screen's steps.
            // The listener is called on the library's worker thread, which may report a step
            // after a cancel has ended the flow: only a flow still logging in moves on.
            val progress = object : ProgressListener {
                override fun onProgress(progress: Progress) {
                    val next = LoginState.LoggingIn(progress.step, progress.index, progress.total, progress.messageJa, progress.messageEn)
                    val moved = synchronized(lock) {
                        (state is LoginState.LoggingIn && !handle.isCancelled()).also { if (it) state = next }
                    }
                    if (moved) onState(next)
                }
            }
            val result = try {
                loginOnCard(link, challenge, service.service, p, PinOptions(allowLastAttempt = allowLast), progress, handle)
            } catch (e: MynaException) {
                throw e.toMynaSign()
            }
            forgetPin()
            move(LoginState.Checking)
            val account = service.submit(result)
            move(LoginState.Done(account, result.exchanges.toInt()))
        } catch (e: MynaSignException) {
            fail(e)
        } catch (e: LoginServiceException) {
            forgetPin()
            move(LoginState.Failed(e.text))
        } finally {
            p.fill(0)
        }
    }

    private fun fail(e: MynaSignException) {
        val text = e.errorText
        when (e.code) {
            ErrorCode.WRONG_PIN -> {
                forgetPin()
                val r = (e.error as? MynaException.WrongPin)?.remaining ?: 0
                move(LoginState.EnterPin(r, r == 1, text))
            }
            ErrorCode.LAST_ATTEMPT -> {
                forgetPin()
                move(LoginState.EnterPin(1, true, text))
            }
            ErrorCode.PIN_NOW_BLOCKED, ErrorCode.PIN_BLOCKED -> {
                forgetPin()
                move(LoginState.Blocked(text))
            }
            ErrorCode.CANCELLED -> {
                forgetPin()
                move(LoginState.Cancelled)
            }
            ErrorCode.TAG_LOST, ErrorCode.TAG_LOST_DURING_VERIFY, ErrorCode.TIMEOUT, ErrorCode.LINK_FAILED -> {
                // A VERIFY in flight may have been counted: ask for the PIN again (the next
                // login reads the counter before VERIFY). Otherwise the card again, same PIN.
                if (e.pinCounterUncertain) {
                    forgetPin()
                    move(LoginState.EnterPin(null, false, text))
                } else {
                    move(LoginState.WaitingForCard(text))
                }
            }
            else -> {
                forgetPin()
                move(LoginState.Failed(text))
            }
        }
    }

    private fun forgetPin() = synchronized(lock) {
        pin?.fill(0)
        pin = null
        allowLastAttempt = false
    }

    private companion object {
        const val PIN_LENGTH = 4
        val INVALID_PIN = ErrorText(
            "INVALID_PIN_FORMAT",
            "利用者証明用電子証明書の暗証番号は数字4桁です。",
            "The authentication PIN is 4 digits.",
        )
    }
}
