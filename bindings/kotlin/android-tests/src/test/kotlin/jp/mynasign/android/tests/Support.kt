package jp.mynasign.android.tests

import android.app.Activity
import android.content.pm.PackageManager
import android.nfc.NfcAdapter
import android.nfc.tech.IsoDep
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.TextView
import java.util.concurrent.TimeUnit
import jp.mynasign.CardProfile
import jp.mynasign.ConsentChannel
import jp.mynasign.ConsentDocument
import jp.mynasign.ConsentItem
import jp.mynasign.Emulator
import jp.mynasign.HolderStatus
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.android.IsoDepLink
import jp.mynasign.termsFromText
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf

/** A fresh emulated My Number Card (the same persona for a seed). */
fun newCard(): Emulator = Emulator(1uL, CardProfile.MY_NUMBER_CARD)

/** An address-change consent to sign. */
fun consentDocument(): ConsentDocument = ConsentDocument.addressChange(
    listOf(ConsentItem.ADDRESS, ConsentItem.NAME),
    HolderStatus.MY_NUMBER_LICENCE_ONLY,
    termsFromText("address-change-onestop", "2025-03", "住所変更ワンストップサービス等の利用開始に同意します。（見本）"),
    ConsentChannel.MYNAPORTAL,
    "nonce-android-tests",
)

/** Verification trusting the emulator's roots (no revocation data in these tests). */
fun trustEmulator(card: Emulator) =
    VerifyConsentOptions(rootsDer = card.rootCertificatesDer(), allowUncheckedRevocation = true)

/** Whether [c] is an extended-length command APDU (Lc or Le in three bytes). */
fun isExtended(c: ByteArray): Boolean = c.size >= 7 && c[4] == 0.toByte()

/** Robolectric's device with the NFC feature and NFC on; the adapter. */
fun nfcOn(): NfcAdapter {
    val app = RuntimeEnvironment.getApplication()
    shadowOf(app.packageManager).setSystemFeature(PackageManager.FEATURE_NFC, true)
    val adapter = NfcAdapter.getDefaultAdapter(app)
    shadowOf(adapter).setEnabled(true)
    return adapter
}

/**
 * Runs the main looper's due tasks (the test thread is Robolectric's main thread: what other
 * threads post there runs here) until [condition] holds; fails after [seconds].
 */
fun waitUntil(seconds: Long = 20, describe: () -> String = { "" }, condition: () -> Boolean) {
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)
    while (true) {
        shadowOf(Looper.getMainLooper()).idle()
        if (condition()) return
        check(System.nanoTime() < deadline) { "timed out ${describe()}".trimEnd() }
        Thread.sleep(2)
    }
}

/** The platform IsoDep of [card] discovered by [model], as a link (no reader involved). */
fun platformLink(model: NfcServiceModel, card: Emulator, timeoutMillis: Int = IsoDepLink.DEFAULT_TIMEOUT_MILLIS): IsoDepLink =
    IsoDepLink(IsoDep.get(checkNotNull(model.discover(card)) { "NFC is off" }), timeoutMillis)

/** Every view of [activity]'s window, depth first. */
fun views(activity: Activity): List<View> {
    val out = mutableListOf<View>()
    fun walk(v: View) {
        out.add(v)
        if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(activity.window.decorView)
    return out
}

/** The texts [activity] shows (every TextView's, buttons included). */
fun texts(activity: Activity): List<String> = views(activity).filterIsInstance<TextView>().map { it.text.toString() }

/** The button of [activity] showing [text]. */
fun button(activity: Activity, text: String): Button =
    views(activity).filterIsInstance<Button>().first { it.text == text }
