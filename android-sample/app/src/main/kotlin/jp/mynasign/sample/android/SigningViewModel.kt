package jp.mynasign.sample.android

import android.app.Activity
import android.app.Application
import android.content.Intent
import jp.mynasign.CardLink
import jp.mynasign.ErrorCode
import jp.mynasign.MynaException
import jp.mynasign.MynaSignException
import jp.mynasign.SecureElementReason
import jp.mynasign.ConsentChannel
import jp.mynasign.HolderStatus
import jp.mynasign.android.MynaCardReader
import jp.mynasign.android.nfcSettingsIntent
import jp.mynasign.android.OmapiLink
import jp.mynasign.sample.ConsentFlowController
import jp.mynasign.sample.ConsentRequest
import jp.mynasign.sample.ErrorText
import jp.mynasign.sample.FlowState
import jp.mynasign.sample.LoginFlowController
import jp.mynasign.sample.LoginState
import jp.mynasign.sample.errorText
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/** What the reader said instead of giving a card, for the screen to show. */
sealed interface ReaderNotice {
    /** NFC is off: [settingsIntent] opens its settings. */
    class NfcOff(val settingsIntent: Intent) : ReaderNotice

    /** The device has no NFC: only the emulator or the smartphone certificate. */
    data object NoNfc : ReaderNotice

    /** The reader cannot be used (no permission, reader mode refused): the library's texts. */
    class Unavailable(val text: ErrorText) : ReaderNotice

    /** The tapped tag was not a My Number Card; the reader waits for the next one. */
    data object NotMyNumberCard : ReaderNotice

    /** No secure element with the smartphone certificate on this phone. */
    data object NoSecureElement : ReaderNotice

    /** The secure element's access rules do not list this app (OmapiException.AccessDenied). */
    data object SecureElementNotAllowed : ReaderNotice
}

/**
 * The signing screen's state holder, outliving the Activity across configuration changes: it
 * owns the flow ([controller]), the library's [reader] and the [scope] all card work runs in,
 * so a rotation cancels nothing. Whenever the flow waits for a card it calls
 * [MynaCardReader.awaitCard] in [scope] and hands the link to the controller.
 *
 * Built on the platform alone, like the rest of the sample (MainActivity keeps it through
 * `onRetainNonConfigurationInstance`); with AndroidX it is an `androidx.lifecycle.ViewModel`
 * with `viewModelScope` for [scope] and [clear] in `onCleared`, nothing else changes.
 * [reader], [dispatcher] and [variant] are parameters for the tests (an emulator-backed
 * reader, a test dispatcher, a check trusting that emulator's roots); [variant] is the build
 * type's ([buildVariant]: the emulated card and the app's own check in debug, neither in
 * release).
 */
class SigningViewModel(
    private val application: Application,
    val reader: MynaCardReader = MynaCardReader(application),
    dispatcher: kotlinx.coroutines.CoroutineDispatcher = Dispatchers.Main.immediate,
    val variant: SampleVariant = buildVariant,
) {
    /** The ViewModel's scope: cancelled by [clear] only. */
    val scope: CoroutineScope = CoroutineScope(SupervisorJob() + dispatcher)
    /** The emulated card (debug builds only). */
    val demoCard: DemoCard? get() = variant.demoCard

    /** The emulator answers instead of a card (debug: the default on a device without NFC). */
    var useEmulator: Boolean = variant.demoCard != null && reader.availability() == jp.mynasign.android.NfcAvailability.NoNfc
        private set

    /** The last thing the reader reported, until the next flow or card. */
    @Volatile var notice: ReaderNotice? = null
        private set

    lateinit var controller: ConsentFlowController
        private set

    private var render: ((FlowState) -> Unit)? = null

    /**
     * The login screen's flow while it is shown (null: the consent flow), through the same
     * reader, emulator and secure element as the consent.
     */
    @Volatile var login: LoginFlowController? = null
        private set

    /** Draws the login screen (set by the Activity before [attach]). */
    var renderLogin: ((LoginState) -> Unit)? = null
    private var waiting: Job? = null

    init {
        newFlow()
    }

    /** The current Activity (each instance, from `onCreate`): draws the state from now on. */
    fun attach(activity: Activity, render: (FlowState) -> Unit) {
        reader.attach(activity)
        this.render = render
        redraw()
    }

    /** The Activity is going away (a rotation too): stop drawing into it. Cancels nothing. */
    fun detachView() {
        render = null
        renderLogin = null
    }

    /** Opens the login screen (from the start): the authentication PIN first. */
    fun startLogin() {
        waiting?.cancel()
        notice = null
        val service = variant.demoCard?.takeIf { useEmulator }?.login ?: variant.cardLogin
        val flow = LoginFlowController(service, scope) { state -> onLoginState(state) }
        login = flow
        onLoginState(flow.state)
    }

    /** Leaves the login screen for the start (the consent review). */
    fun leaveLogin() {
        login?.cancel()
        login = null
        newFlow()
    }

    /** Starts again from the consent review. */
    fun newFlow() {
        waiting?.cancel()
        notice = null
        login = null
        controller = ConsentFlowController(request(), scope) { state -> onState(state) }
        onState(controller.state)
    }

    /** The emulator switch (debug builds). */
    fun setUseEmulator(on: Boolean) {
        useEmulator = on && variant.demoCard != null
        newFlow()
    }

    /** Presents the emulated card (the emulator switch is on). */
    fun presentEmulator() {
        variant.demoCard?.let { deliver(it.link()) }
    }

    /**
     * Uses the smartphone certificate in the secure element instead of the card (Android 9+).
     * An app not listed in the secure element's access rules gets AccessDenied: shown apart
     * from "no secure element".
     */
    fun useSecureElement() {
        // minSdk 28: OMAPI is there.
        scope.launch {
            val link: CardLink = try {
                OmapiLink.connect(application)
            } catch (e: MynaSignException) {
                val reason = (e.error as? MynaException.SecureElementUnavailable)?.reason
                notice = if (reason == SecureElementReason.ACCESS_DENIED) ReaderNotice.SecureElementNotAllowed else ReaderNotice.NoSecureElement
                redraw()
                return@launch
            }
            waiting?.cancel()
            deliver(link)
        }
    }

    /** The holder cancels: the wait for a card and any card work. */
    fun cancel() {
        waiting?.cancel()
        val l = login
        if (l != null) l.cancel() else controller.cancel()
    }

    /** The screen is left for good (the Activity finishes): cancels everything. */
    fun clear() {
        scope.cancel()
        reader.close()
        render = null
        renderLogin = null
    }

    private fun onState(state: FlowState) {
        if (state is FlowState.WaitingForCard && !useEmulator) awaitCard()
        render?.invoke(state)
    }

    private fun onLoginState(state: LoginState) {
        if (state is LoginState.WaitingForCard && !useEmulator) awaitCard()
        renderLogin?.invoke(state)
    }

    /** The card goes to the flow on screen: the login's, or the consent's. */
    private fun deliver(link: CardLink) {
        val l = login
        if (l != null) l.onCardPresented(link) else controller.onCardPresented(link)
    }

    /** Draws the screen again (a new reader notice). */
    private fun redraw() {
        val l = login
        if (l != null) renderLogin?.invoke(l.state) else render?.invoke(controller.state)
    }

    private fun awaitCard() {
        if (waiting?.isActive == true) return
        waiting = scope.launch {
            while (true) {
                try {
                    val link = reader.awaitCard()
                    notice = null
                    deliver(link)
                    return@launch
                } catch (e: MynaSignException) {
                    val settings = e.nfcSettingsIntent
                    notice = when {
                        settings != null -> ReaderNotice.NfcOff(settings)
                        e.code == ErrorCode.NOT_MY_NUMBER_CARD || e.code == ErrorCode.TAG_LOST -> ReaderNotice.NotMyNumberCard
                        (e.error as? MynaException.NfcUnavailable)?.reason == jp.mynasign.NfcUnavailableReason.NO_NFC -> ReaderNotice.NoNfc
                        else -> ReaderNotice.Unavailable(e.errorText)
                    }
                    redraw()
                    // Not a My Number Card (or gone during the check): wait for the next tag.
                    if (notice !== ReaderNotice.NotMyNumberCard) return@launch
                }
            }
        }
    }

    /** Waits for a card again (after NFC was switched on in the settings). */
    fun retryReader() {
        notice = null
        val waitsForCard = login?.let { it.state is LoginState.WaitingForCard } ?: (controller.state is FlowState.WaitingForCard)
        if (waitsForCard && !useEmulator) awaitCard()
        redraw()
    }

    private fun request() = ConsentRequest(
        termsId = "address-change-onestop",
        termsVersion = "2025-03",
        termsText = application.getString(R.string.terms_text),
        channel = ConsentChannel.MYNAPORTAL,
        holderStatus = HolderStatus.MY_NUMBER_LICENCE_ONLY,
        nonce = java.util.UUID.randomUUID().toString(),
        // Debug: the app checks its own consent before sending it (the receiving service
        // checks revocation). Release: the receiving service verifies.
        check = variant.demoCard?.takeIf { useEmulator }?.check ?: variant.cardCheck,
    )
}
