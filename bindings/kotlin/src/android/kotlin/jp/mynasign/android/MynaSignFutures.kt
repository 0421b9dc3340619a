package jp.mynasign.android

import java.util.concurrent.CompletableFuture
import jp.mynasign.BasicAttributes
import jp.mynasign.CancelHandle
import jp.mynasign.CardLink
import jp.mynasign.ConsentDocument
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.PinOptions
import jp.mynasign.PinStatusReport
import jp.mynasign.SignOptions
import jp.mynasign.SignedConsent
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.future.future

/**
 * The card flows of [MynaSign] for Java callers on Android, as `CompletableFuture`s (static
 * methods; with [MynaCardReader.awaitCardFuture] and [OmapiLink.connectFuture]):
 *
 * ```java
 * MynaSignFutures.signConsent(link, document, password)
 *     .whenComplete((signed, error) -> { ... });   // error: a MynaSignException
 * ```
 *
 * Each future completes with the result or exceptionally with a [MynaSignException];
 * `future.cancel(true)` cancels the flow as cancelling the coroutine does (after the exchange
 * in flight; nothing more is sent). The flows run on the library's worker thread: the future
 * never blocks the thread that started it.
 */
object MynaSignFutures {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** [MynaSign.signConsent]. */
    @JvmStatic
    @JvmOverloads
    fun signConsent(
        link: CardLink,
        document: ConsentDocument,
        password: ByteArray,
        options: SignOptions = SignOptions(),
        cancel: CancelHandle? = null,
    ): CompletableFuture<SignedConsent> = scope.future { MynaSign.signConsent(link, document, password, options, cancel) }

    /** [MynaSign.readPinStatus]. */
    @JvmStatic
    @JvmOverloads
    fun readPinStatus(link: CardLink, cancel: CancelHandle? = null): CompletableFuture<PinStatusReport> =
        scope.future { MynaSign.readPinStatus(link, cancel) }

    /** [MynaSign.readBasicAttributes]. */
    @JvmStatic
    @JvmOverloads
    fun readBasicAttributes(
        link: CardLink,
        pin: ByteArray,
        options: PinOptions = PinOptions(),
        cancel: CancelHandle? = null,
    ): CompletableFuture<BasicAttributes> = scope.future { MynaSign.readBasicAttributes(link, pin, options, cancel) }
}
