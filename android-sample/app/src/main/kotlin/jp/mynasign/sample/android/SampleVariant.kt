package jp.mynasign.sample.android

import jp.mynasign.CardLink
import jp.mynasign.sample.ConsentChecker
import jp.mynasign.sample.LoginService

/**
 * What differs between the sample's two builds. The release build (src/release) is the app a
 * bank ships: it is built on the artifact an app ships (the library without features: no
 * emulator, no verifier), so it has no [demoCard] and leaves the verification to the receiving
 * service. The debug build (src/debug) adds the emulated card (the emulator switch) and the
 * app's own check of the signed consent, from the testing artifact. Each build type's source
 * folder defines [buildVariant]; nothing in src/main names the emulator or the verifier.
 */
interface SampleVariant {
    /** The emulated card behind the emulator switch, or null (release). */
    val demoCard: DemoCard?

    /** The app's check of a consent signed with a real card, or null: the service verifies. */
    val cardCheck: ConsentChecker?

    /**
     * The login screen's service with a real card: in debug the library's `LoginVerifier` on
     * the phone (the real JPKI roots), in release the app's own calls to its service (a
     * placeholder here to replace).
     */
    val cardLogin: LoginService
}

/**
 * An emulated card: its link, its password and authentication PIN (shown on the PIN screens),
 * a check that trusts it and a login service that trusts it (with the emulator's OCSP).
 */
interface DemoCard {
    fun link(): CardLink

    fun password(): ByteArray

    val check: ConsentChecker

    fun authenticationPin(): ByteArray

    val login: LoginService
}

/** The service the sample logs in to, as the app is configured with it (its origin). */
const val LOGIN_SERVICE: String = "https://login.example.jp"
