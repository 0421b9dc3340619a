// Login with the user-authentication certificate (Mynaportal style) in the Swift layer: an
// `async throws` call that stops when its Task is cancelled, like the other flows of `Myna`.

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore
#endif

extension Myna {
    /// Answers the service's login challenge (`challengeJson`, from its
    /// `LoginVerifier.issueChallenge`) with the card's or smartphone's user-authentication key
    /// over `link`, after the 4-digit authentication `pin` (format checked before anything is
    /// sent; the counter read without spending an attempt; the last attempt refused unless
    /// `options.allowLastAttempt`). `service` is the app's own idea of the service it talks
    /// to (its configured origin), never taken from the challenge: a response relayed to
    /// another service is refused there. 6 exchanges with extended length. Send
    /// `responseJson` of the result to the service. Cancelling the Task cancels the flow
    /// (`MynaError.Cancelled`). `pin` is read in place (`PinCode.of`); wipe it after the call.
    public static func logIn(
        link: CardLink, challengeJson: String, service: String, pin: [UInt8],
        options: PinOptions = PinOptions()
    ) async throws -> LoginResult {
        try await logIn(
            link: link, challengeJson: challengeJson, service: service,
            code: try PinCode.of(.authenticationPin, pin), options: options)
    }

    /// `logIn` with the PIN as `Data`.
    public static func logIn(
        link: CardLink, challengeJson: String, service: String, pin: Data,
        options: PinOptions = PinOptions()
    ) async throws -> LoginResult {
        try await logIn(
            link: link, challengeJson: challengeJson, service: service,
            code: try PinCode(pin: .authenticationPin, value: pin), options: options)
    }

    private static func logIn(
        link: CardLink, challengeJson: String, service: String, code: PinCode, options: PinOptions
    ) async throws -> LoginResult {
        let handle = CancelHandle()
        return try await withTaskCancellationHandler {
            try await LoginCore.loginOnCard(
                link: link, challengeJson: challengeJson, service: service, pin: code,
                options: options, cancel: handle)
        } onCancel: {
            handle.cancel()
        }
    }

    /// Answers a bound login challenge with a key the app holds (`signer`: a smartphone
    /// certificate's authentication key in the Secure Enclave); returns the response JSON. A
    /// raw challenge is refused (`InvalidInput`): a keystore signs messages, not bare digests.
    public static func logInWithSigner(
        signer: KeystoreSigner, challengeJson: String, service: String
    ) async throws -> String {
        let handle = CancelHandle()
        return try await withTaskCancellationHandler {
            try await LoginCore.loginWithSigner(
                signer: signer, challengeJson: challengeJson, service: service, cancel: handle)
        } onCancel: {
            handle.cancel()
        }
    }
}

/// The generated login functions under one name whichever way the package is built (the
/// generated Swift as a module of its own, `MynaSignCore`, or one module with this layer).
enum LoginCore {
    static func loginOnCard(
        link: CardLink, challengeJson: String, service: String, pin: PinCode, options: PinOptions,
        cancel: CancelHandle
    ) async throws -> LoginResult {
        #if canImport(MynaSignCore)
        try await MynaSignCore.loginOnCard(
            link: link, challengeJson: challengeJson, service: service, pin: pin, options: options,
            listener: nil, cancel: cancel)
        #else
        try await MynaSign.loginOnCard(
            link: link, challengeJson: challengeJson, service: service, pin: pin, options: options,
            listener: nil, cancel: cancel)
        #endif
    }

    static func loginWithSigner(
        signer: KeystoreSigner, challengeJson: String, service: String, cancel: CancelHandle
    ) async throws -> String {
        #if canImport(MynaSignCore)
        try await MynaSignCore.loginWithSigner(
            signer: signer, challengeJson: challengeJson, service: service, cancel: cancel)
        #else
        try await MynaSign.loginWithSigner(
            signer: signer, challengeJson: challengeJson, service: service, cancel: cancel)
        #endif
    }
}
