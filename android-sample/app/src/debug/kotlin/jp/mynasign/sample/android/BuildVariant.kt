package jp.mynasign.sample.android

import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.LoginVerifier
import jp.mynasign.Verifier
import jp.mynasign.VerifierOptions
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.emulatorOcspResponse
import jp.mynasign.sample.ConsentChecker
import jp.mynasign.sample.EmulatorLink
import jp.mynasign.sample.LoginService
import jp.mynasign.sample.VerifyingChecker
import jp.mynasign.sample.VerifyingLoginService

/**
 * The debug build: the testing artifact (the library with the `emulator` and `verify`
 * features). The emulator switch answers with an emulated card, and the app checks each signed
 * consent (the emulated card's roots for it, the real JPKI roots for a real card; revocation
 * unchecked, which the receiving service checks). The login screen's service is the library's
 * LoginVerifier on the phone: trusting the emulated card's roots with the emulator's OCSP
 * responder, or the real JPKI roots (revocation unchecked) for a real card.
 */
val buildVariant: SampleVariant = object : SampleVariant {
    override val demoCard: DemoCard = object : DemoCard {
        private val emulator: Emulator by lazy { Emulator(1uL, CardProfile.MY_NUMBER_CARD) }

        override fun link() = EmulatorLink(emulator)

        override fun password(): ByteArray = emulator.signaturePassword()

        override val check: ConsentChecker by lazy {
            VerifyingChecker(VerifyConsentOptions(rootsDer = emulator.rootCertificatesDer(), allowUncheckedRevocation = true))
        }

        override fun authenticationPin(): ByteArray = emulator.authenticationPin()

        override val login: LoginService by lazy {
            val verifier = Verifier(VerifierOptions(rootsDer = emulator.rootCertificatesDer()))
            VerifyingLoginService(LoginVerifier(verifier, LOGIN_SERVICE), LOGIN_SERVICE) { der -> emulatorOcspResponse(der) }
        }
    }

    override val cardCheck: ConsentChecker = VerifyingChecker(VerifyConsentOptions(allowUncheckedRevocation = true))

    override val cardLogin: LoginService by lazy {
        val verifier = Verifier(VerifierOptions(allowUncheckedRevocation = true))
        VerifyingLoginService(LoginVerifier(verifier, LOGIN_SERVICE), LOGIN_SERVICE)
    }
}
