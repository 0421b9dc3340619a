// The sample's login (issue 26), in plain Swift like SignFlowController, so it is compiled and
// tested on Linux against the emulator (bindings/swift/test.sh):
//
//   pinEntry ──logIn──▶ loggingIn ──▶ checking ──▶ done
//     ▲   │ (format)       │ wrong PIN / last attempt ─▶ pinEntry
//     └───┘                ▼ cancel / tag lost / error / the service refuses
//                      cancelled / failed / pinBlocked
//
// The 4-digit authentication PIN is checked here before the card is asked for; the card phase
// is one NFC reader session of the library (`CardConnector.connect(for: .logIn, …)`), in which
// `Myna.logIn` reads the counter without spending an attempt, VERIFYs with the last-attempt
// guard and signs the service's challenge.

import Foundation
import MynaSign

/// The app's calls to the service it logs in to. In a real app, its HTTP calls: the service
/// issues the challenge with its `LoginVerifier.issueChallenge` (tied to the app's session
/// there) and verifies the response with `LoginVerifier.verify`, OCSP included. Debug builds
/// have one standing in for the service on the phone (`VerifyingLoginService`); the release
/// build a placeholder to replace (`ServiceLogin`).
public protocol LoginService: AnyObject, Sendable {
    /// The service as the app knows it (its configured origin): what a bound challenge is
    /// answered for, never taken from the challenge (a response relayed elsewhere is refused).
    var service: String { get }
    /// Asks the service for a login challenge (its JSON).
    func challenge() async throws -> String
    /// Sends `result.responseJson` to the service, which verifies it; returns what it
    /// recognised. Throws `LoginServiceError` (or the library's `MynaError`) when it refuses.
    func submit(_ result: LoginResult) async throws -> LoginAccount
}

/// The service's refusal (or absence), with the texts to show.
public struct LoginServiceError: Error, Equatable, Sendable {
    /// What to show.
    public let message: FlowMessage

    /// From the message.
    public init(_ message: FlowMessage) {
        self.message = message
    }
}

/// What the service recognised: the authentication certificate, which names nobody.
public struct LoginAccount: Equatable, Sendable {
    /// The certificate's serial number, hex.
    public let certificateSerial: String
    /// Its subject key identifier, hex, if it has one.
    public let keyId: String?
    /// When it expires.
    public let notAfter: Date

    /// From parts.
    public init(certificateSerial: String, keyId: String?, notAfter: Date) {
        self.certificateSerial = certificateSerial
        self.keyId = keyId
        self.notAfter = notAfter
    }
}

/// What the login's PIN screen shows.
public struct LoginPinPrompt: Equatable, Sendable {
    /// Attempts left, once the card told it (nil before the first try).
    public let remaining: Int32?
    /// The next wrong entry locks the PIN: warn and ask the holder to confirm.
    public let lastAttempt: Bool
    /// Why the screen is shown again, if it is.
    public let notice: FlowMessage?

    /// From parts.
    public init(remaining: Int32?, lastAttempt: Bool, notice: FlowMessage?) {
        self.remaining = remaining
        self.lastAttempt = lastAttempt
        self.notice = notice
    }
}

/// The login screens.
public enum LoginFlowState: Equatable, Sendable {
    /// The 4-digit authentication PIN.
    case pinEntry(LoginPinPrompt)
    /// The card works (hold it still).
    case loggingIn
    /// The service checks the response.
    case checking
    /// Logged in: what the service recognised, and the exchanges with the card.
    case done(LoginAccount, exchanges: UInt32)
    /// The authentication PIN is locked.
    case pinBlocked(FlowMessage)
    /// Stopped by the holder.
    case cancelled
    /// Something went wrong; `pinStatusUncertain` when the card left during VERIFY.
    case failed(FlowMessage, pinStatusUncertain: Bool)
}

/// The login as a state machine over a `CardConnector` and a `LoginService`. Thread-safe.
public final class LoginFlowController: @unchecked Sendable {
    private let connector: CardConnector
    private let service: LoginService
    private let observer: (@Sendable (LoginFlowState) -> Void)?
    private let lock = NSLock()
    private var current: LoginFlowState = .pinEntry(LoginPinPrompt(remaining: nil, lastAttempt: false, notice: nil))
    private var running: Task<LoginResult, Error>?

    /// A login through `connector` with `service`; `onChange` is called on the thread that
    /// changed the state.
    public init(connector: CardConnector, service: LoginService, onChange: (@Sendable (LoginFlowState) -> Void)? = nil) {
        self.connector = connector
        self.service = service
        self.observer = onChange
    }

    /// The current screen.
    public var state: LoginFlowState {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Logs in with `pin` (ASCII digits, wiped here afterwards). Anything but 4 digits stays
    /// on the PIN screen before the card is asked for; with one attempt left nothing is sent
    /// unless `confirmLastAttempt`.
    public func logIn(pin: [UInt8], confirmLastAttempt: Bool) async {
        var pin = pin
        defer { for i in pin.indices { pin[i] = 0 } }
        guard case let .pinEntry(prompt) = state else { return }
        guard pin.count == 4, pin.allSatisfy({ (0x30...0x39).contains($0) }) else {
            set(.pinEntry(LoginPinPrompt(remaining: prompt.remaining, lastAttempt: prompt.lastAttempt, notice: Self.invalidPin)))
            return
        }
        if prompt.lastAttempt && !confirmLastAttempt {
            set(.pinEntry(LoginPinPrompt(
                remaining: prompt.remaining, lastAttempt: true,
                notice: FlowMessage(MynaError.LastAttemptGuard(pin: .authenticationPin)))))
            return
        }
        set(.loggingIn)
        let result: LoginResult
        do {
            let challenge = try await service.challenge()
            let link = try await connector.connect(
                for: .logIn,
                prompt: Myna.usesJapanese ? "ログインします。カードを当ててください。" : "Logging in: hold the card to the top of the iPhone.")
            let name = service.service
            let options = PinOptions(allowLastAttempt: confirmLastAttempt)
            let copy = pin
            // Its own Task, so that cancel() can cancel it from any thread (Myna.logIn stops
            // the card flow when its Task is cancelled).
            let task = Task { () throws -> LoginResult in
                try await Myna.logIn(link: link, challengeJson: challenge, service: name, pin: copy, options: options)
            }
            setRunning(task)
            defer { setRunning(nil) }
            do {
                result = try await task.value
            } catch {
                throw connector.disconnect(error: error) ?? error
            }
            _ = connector.disconnect(error: nil)
        } catch {
            fail(error)
            return
        }
        set(.checking)
        do {
            let account = try await service.submit(result)
            set(.done(account, exchanges: result.exchanges))
        } catch {
            fail(error)
        }
    }

    /// Stops the card work (from any thread): the flow stops before its next exchange.
    public func cancel() {
        lock.lock()
        let task = running
        lock.unlock()
        task?.cancel()
    }

    /// Back to the PIN screen.
    public func reset() {
        set(.pinEntry(LoginPinPrompt(remaining: nil, lastAttempt: false, notice: nil)))
    }

    private func setRunning(_ task: Task<LoginResult, Error>?) {
        lock.lock()
        running = task
        lock.unlock()
    }

    private func set(_ next: LoginFlowState) {
        lock.lock()
        current = next
        lock.unlock()
        observer?(next)
    }

    private func fail(_ error: Error) {
        if let refused = error as? LoginServiceError {
            set(.failed(refused.message, pinStatusUncertain: false))
            return
        }
        guard let e = error as? MynaError else {
            set(.failed(SignFlowController.message(for: error), pinStatusUncertain: false))
            return
        }
        switch e {
        case let .WrongPin(_, remaining):
            set(.pinEntry(LoginPinPrompt(remaining: remaining, lastAttempt: remaining == 1, notice: FlowMessage(e))))
        case .PinNowBlocked, .PinBlocked:
            set(.pinBlocked(FlowMessage(e)))
        case .LastAttemptGuard:
            set(.pinEntry(LoginPinPrompt(remaining: 1, lastAttempt: true, notice: FlowMessage(e))))
        case .InvalidPinFormat:
            set(.pinEntry(LoginPinPrompt(remaining: nil, lastAttempt: false, notice: FlowMessage(e))))
        case .Cancelled where !e.pinCounterUncertain():
            set(.cancelled)
        default:
            set(.failed(FlowMessage(e), pinStatusUncertain: e.pinCounterUncertain()))
        }
    }

    static let invalidPin = FlowMessage(
        code: "invalidPinFormat",
        ja: "利用者証明用電子証明書の暗証番号は数字4桁です。",
        en: "The authentication PIN is 4 digits.")
}

/// The release build's login service: a placeholder for the app's own calls to its service.
/// Replace `challenge()` with a request to the service (its `LoginVerifier.issueChallenge` for
/// the app's session) and `submit(_:)` with posting `result.responseJson` there (verified with
/// `LoginVerifier.verify`, OCSP included). Until then every login ends in `noLoginService`
/// before the card is asked for: no PIN attempt is spent.
public final class ServiceLogin: LoginService, @unchecked Sendable {
    public let service: String

    /// For the service at `service` (its origin, as the app is configured with it).
    public init(service: String) {
        self.service = service
    }

    public func challenge() async throws -> String {
        throw LoginServiceError(Self.notConfigured)
    }

    public func submit(_ result: LoginResult) async throws -> LoginAccount {
        throw LoginServiceError(Self.notConfigured)
    }

    static let notConfigured = FlowMessage(
        code: "noLoginService",
        ja: "ログイン先のサービスが設定されていません。",
        en: "No login service is configured in this app.")
}

#if DEBUG
// The service side on the phone: the testing library's LoginVerifier (debug builds only).
/// Stands in for the service in debug builds (like `SignFlowController.verifying` for the
/// consent): the library's `LoginVerifier` issues the challenge for one session of its own and
/// verifies the response; `ocsp` gives the OCSP response for the authentication certificate
/// (the emulator's responder with the emulated card), or nil.
public final class VerifyingLoginService: LoginService, @unchecked Sendable {
    public let service: String
    private let verifier: LoginVerifier
    private let ocsp: (@Sendable (Data) throws -> Data)?
    private let session = UUID().uuidString

    /// Over `verifier`, answering for `service`.
    public init(verifier: LoginVerifier, service: String, ocsp: (@Sendable (Data) throws -> Data)? = nil) {
        self.verifier = verifier
        self.service = service
        self.ocsp = ocsp
    }

    public func challenge() async throws -> String {
        try verifier.issueChallenge(session: session, raw: false)
    }

    public func submit(_ result: LoginResult) async throws -> LoginAccount {
        let check = LoginCheck(receivedAt: nil, ocspResponse: try ocsp?(result.certificateDer), ocspNonce: nil)
        let v = try verifier.verify(session: session, responseJson: result.responseJson, check: check)
        return LoginAccount(certificateSerial: v.certificateSerial, keyId: v.keyId, notAfter: v.notAfter)
    }
}
#endif
