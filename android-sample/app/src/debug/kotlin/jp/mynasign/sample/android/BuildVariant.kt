package jp.mynasign.sample.android

import jp.mynasign.CardProfile
import jp.mynasign.Emulator
import jp.mynasign.VerifyConsentOptions
import jp.mynasign.sample.ConsentChecker
import jp.mynasign.sample.EmulatorLink
import jp.mynasign.sample.VerifyingChecker

/**
 * The debug build: the testing artifact (the library with the `emulator` and `verify`
 * features). The emulator switch answers with an emulated card, and the app checks each signed
 * consent (the emulated card's roots for it, the real JPKI roots for a real card; revocation
 * unchecked, which the receiving service checks).
 */
val buildVariant: SampleVariant = object : SampleVariant {
    override val demoCard: DemoCard = object : DemoCard {
        private val emulator: Emulator by lazy { Emulator(1uL, CardProfile.MY_NUMBER_CARD) }

        override fun link() = EmulatorLink(emulator)

        override fun password(): ByteArray = emulator.signaturePassword()

        override val check: ConsentChecker by lazy {
            VerifyingChecker(VerifyConsentOptions(rootsDer = emulator.rootCertificatesDer(), allowUncheckedRevocation = true))
        }
    }

    override val cardCheck: ConsentChecker = VerifyingChecker(VerifyConsentOptions(allowUncheckedRevocation = true))
}
