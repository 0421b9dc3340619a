package jp.mynasign.sample.android

import jp.mynasign.sample.ConsentChecker
import jp.mynasign.sample.LoginService
import jp.mynasign.sample.ServiceLogin

/**
 * The release build: the artifact an app ships (the library without features). No emulated
 * card, and no verifier: the app sends the signed consent and the receiving service verifies
 * it (with revocation).
 */
val buildVariant: SampleVariant = object : SampleVariant {
    override val demoCard: DemoCard? = null

    override val cardCheck: ConsentChecker? = null

    /** The app's calls to its service: a placeholder to replace ([ServiceLogin]). */
    override val cardLogin: LoginService = ServiceLogin(LOGIN_SERVICE)
}
