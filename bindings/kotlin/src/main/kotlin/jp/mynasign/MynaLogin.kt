package jp.mynasign

/**
 * Login with the user-authentication certificate (Mynaportal style): answers the service's
 * challenge ([challengeJson], from its `LoginVerifier.issueChallenge`) with the card's or
 * smartphone's user-authentication key over [link], after the 4-digit authentication [pin]
 * (format checked before anything is sent; the counter read without spending an attempt; the
 * last attempt refused unless [PinOptions.allowLastAttempt]). [service] is the app's own idea
 * of the service it talks to (its configured origin), never taken from the challenge: a
 * response relayed to another service is refused there. 6 exchanges with extended length.
 * Send [LoginResult.responseJson] to the service. Cancellation and errors as in
 * [MynaSign.signConsent] (a [MynaSignException]).
 */
suspend fun MynaSign.logIn(
    link: CardLink,
    challengeJson: String,
    service: String,
    pin: ByteArray,
    options: PinOptions = PinOptions(),
    cancel: CancelHandle? = null,
): LoginResult =
    try {
        loginOnCard(link, challengeJson, service, pin, options, null, cancel)
    } catch (e: MynaException) {
        throw e.toMynaSign()
    }

/**
 * Answers a bound login challenge with a key the app holds ([signer]: a smartphone
 * certificate's authentication key in the Android Keystore); returns the response JSON. A
 * raw challenge is refused (`INVALID_INPUT`): a keystore signs messages, not bare digests.
 */
suspend fun MynaSign.logInWithSigner(
    signer: KeystoreSigner,
    challengeJson: String,
    service: String,
    cancel: CancelHandle? = null,
): String =
    try {
        loginWithSigner(signer, challengeJson, service, cancel)
    } catch (e: MynaException) {
        throw e.toMynaSign()
    }
