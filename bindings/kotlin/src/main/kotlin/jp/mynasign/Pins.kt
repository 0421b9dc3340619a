package jp.mynasign

import java.nio.ByteBuffer

// PINs as `ByteArray`s (UTF-8), everywhere a generated function takes a `PinCode`.
//
// A `PinCode` is made by a synchronous call that reads the PIN by reference (uniffi 0.32's
// `&[u8]` argument: `FfiConverterByRefBytes.lower` hands Rust the address of a *direct*
// `ByteBuffer` through JNA's `Native.getDirectBufferPointer`, and no `RustBuffer` is
// allocated). So the bytes pass through one direct buffer, zero-filled here before it is
// released; the Rust side keeps them only in its zeroizing `Pin`, which the call that uses
// the `PinCode` wipes when it ends. The caller's `ByteArray` is the caller's to wipe.

/**
 * A [PinCode] of kind [pin] from the UTF-8 bytes in [value]: its format is checked now (a
 * [MynaException.InvalidPinFormat], nothing sent). The bytes pass through [scratch] (a direct
 * buffer of at least `value.size` bytes; a new one by default), zero-filled before this
 * returns or throws. [value] is not changed: wipe it yourself (`value.fill(0)`).
 */
fun pinCode(pin: PinType, value: ByteArray, scratch: ByteBuffer = ByteBuffer.allocateDirect(value.size)): PinCode {
    require(scratch.isDirect) { "scratch must be a direct ByteBuffer" }
    require(scratch.capacity() >= value.size) { "scratch is smaller than the PIN" }
    try {
        scratch.clear()
        scratch.put(value).flip()
        return PinCode(pin, scratch)
    } finally {
        scratch.clear()
        while (scratch.hasRemaining()) scratch.put(0)
        scratch.clear()
    }
}

/** Runs [block] with a [PinCode] of [value], and releases it after (its value is wiped by then). */
private inline fun <T> withPinCode(pin: PinType, value: ByteArray, block: (PinCode) -> T): T =
    pinCode(pin, value).use(block)

/** [signConsent] with the signature [password] as UTF-8 bytes (see [pinCode]). */
suspend fun signConsent(
    link: CardLink,
    document: ConsentDocument,
    password: ByteArray,
    options: SignOptions = SignOptions(),
    listener: ProgressListener? = null,
    cancel: CancelHandle? = null,
): SignedConsent = withPinCode(PinType.SIGNATURE_PASSWORD, password) {
    signConsent(link, document, it, options, listener, cancel)
}

/** [readBasicAttributes] with the card-info [pin] as UTF-8 bytes (see [pinCode]). */
suspend fun readBasicAttributes(
    link: CardLink,
    pin: ByteArray,
    options: PinOptions = PinOptions(),
    listener: ProgressListener? = null,
    cancel: CancelHandle? = null,
): BasicAttributes = withPinCode(PinType.CARD_INFO_PIN, pin) {
    readBasicAttributes(link, it, options, listener, cancel)
}

/** [readAuthenticBasicAttributes] with the card-info [pin] as UTF-8 bytes (see [pinCode]). */
suspend fun readAuthenticBasicAttributes(
    link: CardLink,
    pin: ByteArray,
    trust: CardInfoTrust,
    challenge: ByteArray? = null,
    options: PinOptions = PinOptions(),
    listener: ProgressListener? = null,
    cancel: CancelHandle? = null,
): AuthenticBasicAttributes = withPinCode(PinType.CARD_INFO_PIN, pin) {
    readAuthenticBasicAttributes(link, it, trust, challenge, options, listener, cancel)
}

/** [checkLinkage] with both PINs as UTF-8 bytes (see [pinCode]). */
suspend fun checkLinkage(
    link: CardLink,
    cardInfoPin: ByteArray,
    signaturePassword: ByteArray,
    options: PinOptions = PinOptions(),
    listener: ProgressListener? = null,
    cancel: CancelHandle? = null,
): LinkageResult = withPinCode(PinType.CARD_INFO_PIN, cardInfoPin) { info ->
    withPinCode(PinType.SIGNATURE_PASSWORD, signaturePassword) { password ->
        checkLinkage(link, info, password, options, listener, cancel)
    }
}

/** [loginOnCard] with the authentication [pin] as UTF-8 bytes (see [pinCode]). */
suspend fun loginOnCard(
    link: CardLink,
    challengeJson: String,
    service: String,
    pin: ByteArray,
    options: PinOptions = PinOptions(),
    listener: ProgressListener? = null,
    cancel: CancelHandle? = null,
): LoginResult = withPinCode(PinType.AUTHENTICATION_PIN, pin) {
    loginOnCard(link, challengeJson, service, it, options, listener, cancel)
}

/** [JpkiCard.verifyPin] with the PIN as UTF-8 bytes (see [pinCode]). */
suspend fun JpkiCard.verifyPin(pin: PinType, value: ByteArray, allowLastAttempt: Boolean = false): PinState =
    withPinCode(pin, value) { verifyPin(pin, it, allowLastAttempt) }
