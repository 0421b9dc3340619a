// The hand-written Swift layer over the uniffi-generated MynaSign.swift (same module).
//
// uniffi's Swift `async` functions do not notice Task cancellation: `Myna` wraps each flow in
// `withTaskCancellationHandler` with a `CancelHandle`, so cancelling the Task stops the Rust
// flow within one exchange (the link's `close()` unblocks a pending `transceive`; a PIN VERIFY
// already sent completes first) and the call throws `MynaError.Cancelled`. The `…Events`
// forms report progress as an `AsyncThrowingStream`; ending the stream cancels the flow.
// `MynaError` is a `LocalizedError` with the holder's text in Japanese or English.

import Foundation
#if canImport(MynaSignCore)
// The generated Swift, a module of its own where the package builds it so (Swift 5 mode, this
// layer Swift 6): re-exported, so that `import MynaSign` gives the whole API.
@_exported import MynaSignCore
#endif

/// The library's progress record (`MynaSign.Progress`), under a name that does not collide
/// with `Foundation.Progress` in files importing both.
#if canImport(MynaSignCore)
public typealias FlowProgress = MynaSignCore.Progress
#else
public typealias FlowProgress = MynaSign.Progress
#endif

/// What a flow's event stream yields: the steps in order, then the result once.
public enum CardFlowEvent<T> {
    /// A step starts (show `progress.messageJa` on the NFC sheet).
    case step(FlowProgress)
    /// The flow finished with this result (the last event).
    case done(T)
}

extension CardFlowEvent: Sendable where T: Sendable {}

/// The card flows as Swift concurrency: `async throws` calls that stop when their Task is
/// cancelled, and event streams. PINs are UTF-8 bytes (`[UInt8]` or `Data`), read in place
/// into a `PinCode` (no copy on the heap; see `PinCode.of`) that the flow wipes when it ends;
/// the caller's own array is the caller's to wipe.
public enum Myna {
    // MARK: One call per flow

    /// Signs `document` on the card over `link` (open, PIN status, VERIFY with the
    /// last-attempt guard, certificate, channel rule, sign). Cancelling the Task cancels the
    /// flow: it throws `MynaError.Cancelled`.
    public static func signConsent(
        link: CardLink, document: ConsentDocument, password: [UInt8],
        options: SignOptions = SignOptions()
    ) async throws -> SignedConsent {
        try await signConsent(
            link: link, document: document, code: try PinCode.of(.signaturePassword, password), options: options)
    }

    /// `signConsent` with the password as `Data`.
    public static func signConsent(
        link: CardLink, document: ConsentDocument, password: Data,
        options: SignOptions = SignOptions()
    ) async throws -> SignedConsent {
        try await signConsent(
            link: link, document: document, code: try PinCode(pin: .signaturePassword, value: password),
            options: options)
    }

    private static func signConsent(
        link: CardLink, document: ConsentDocument, code: PinCode, options: SignOptions
    ) async throws -> SignedConsent {
        try await cancellable { handle in
            try await Core.signConsent(
                link: link, document: document, password: code, options: options,
                listener: nil, cancel: handle)
        }
    }

    /// Reads the basic four attributes with the card-info PIN (4 digits). Cancellable.
    public static func readBasicAttributes(
        link: CardLink, pin: [UInt8], options: PinOptions = PinOptions()
    ) async throws -> BasicAttributes {
        try await readBasicAttributes(link: link, code: try PinCode.of(.cardInfoPin, pin), options: options)
    }

    /// `readBasicAttributes` with the PIN as `Data`.
    public static func readBasicAttributes(
        link: CardLink, pin: Data, options: PinOptions = PinOptions()
    ) async throws -> BasicAttributes {
        try await readBasicAttributes(link: link, code: try PinCode(pin: .cardInfoPin, value: pin), options: options)
    }

    private static func readBasicAttributes(
        link: CardLink, code: PinCode, options: PinOptions
    ) async throws -> BasicAttributes {
        try await cancellable { handle in
            try await Core.readBasicAttributes(
                link: link, pin: code, options: options, listener: nil, cancel: handle)
        }
    }

    /// Reads the basic four with what proves them (the card-info integrity record and
    /// certificate and, with `challenge`, the card's answer to the receiver's challenge) and
    /// verifies them under `trust`; a failed check is `.VerificationFailed` naming it. Send
    /// `evidenceJson()` to the back end (personal data). Cancellable.
    public static func readAuthenticBasicAttributes(
        link: CardLink, pin: [UInt8], trust: CardInfoTrust, challenge: Data? = nil,
        options: PinOptions = PinOptions()
    ) async throws -> AuthenticBasicAttributes {
        let code = try PinCode.of(.cardInfoPin, pin)
        return try await cancellable { handle in
            try await MynaSign.readAuthenticBasicAttributes(
                link: link, pin: code, trust: trust, challenge: challenge, options: options,
                listener: nil, cancel: handle)
        }
    }

    /// Reads every PIN's retry counter without spending an attempt. Cancellable.
    public static func readPinStatus(link: CardLink) async throws -> PinStatusReport {
        try await cancellable { handle in
            try await Core.readPinStatus(link: link, listener: nil, cancel: handle)
        }
    }

    /// The Mynaportal linkage check on a card (card-info PIN, then signature password).
    /// Cancellable.
    public static func checkLinkage(
        link: CardLink, cardInfoPin: [UInt8], signaturePassword: [UInt8],
        options: PinOptions = PinOptions()
    ) async throws -> LinkageResult {
        let info = try PinCode.of(.cardInfoPin, cardInfoPin)
        defer { info.wipe() }  // the password's format may be wrong: then no flow takes `info`
        return try await checkLinkage(
            link: link, info: info, password: try PinCode.of(.signaturePassword, signaturePassword),
            options: options)
    }

    /// `checkLinkage` with the PINs as `Data`.
    public static func checkLinkage(
        link: CardLink, cardInfoPin: Data, signaturePassword: Data,
        options: PinOptions = PinOptions()
    ) async throws -> LinkageResult {
        let info = try PinCode(pin: .cardInfoPin, value: cardInfoPin)
        defer { info.wipe() }
        return try await checkLinkage(
            link: link, info: info, password: try PinCode(pin: .signaturePassword, value: signaturePassword),
            options: options)
    }

    private static func checkLinkage(
        link: CardLink, info: PinCode, password: PinCode, options: PinOptions
    ) async throws -> LinkageResult {
        try await cancellable { handle in
            try await Core.checkLinkage(
                link: link, cardInfoPin: info, signaturePassword: password,
                options: options, listener: nil, cancel: handle)
        }
    }

    /// Signs `document` with a key the app holds (a smartphone certificate's key in the
    /// Secure Enclave). A cancellation cannot interrupt the signer; the call then throws
    /// `MynaError.Cancelled` once it returns.
    public static func signConsentWithSigner(
        signer: KeystoreSigner, source: CertificateSource, document: ConsentDocument,
        options: SignOptions = SignOptions()
    ) async throws -> SignedConsent {
        try await cancellable { handle in
            try await Core.signConsentWithSigner(
                signer: signer, source: source, document: document, options: options,
                listener: nil, cancel: handle)
        }
    }

    // MARK: Event streams

    /// `signConsent` as a stream: `.step` for each step in order, then `.done`. Ending the
    /// iteration early (or cancelling its Task) cancels the flow.
    public static func signConsentEvents(
        link: CardLink, document: ConsentDocument, password: [UInt8],
        options: SignOptions = SignOptions()
    ) -> AsyncThrowingStream<CardFlowEvent<SignedConsent>, Error> {
        signConsentEvents(link: link, document: document, code: Result { try PinCode.of(.signaturePassword, password) }, options: options)
    }

    /// `signConsentEvents` with the password as `Data`.
    public static func signConsentEvents(
        link: CardLink, document: ConsentDocument, password: Data,
        options: SignOptions = SignOptions()
    ) -> AsyncThrowingStream<CardFlowEvent<SignedConsent>, Error> {
        signConsentEvents(link: link, document: document, code: Result { try PinCode(pin: .signaturePassword, value: password) }, options: options)
    }

    private static func signConsentEvents(
        link: CardLink, document: ConsentDocument, code: Result<PinCode, Error>, options: SignOptions
    ) -> AsyncThrowingStream<CardFlowEvent<SignedConsent>, Error> {
        events(pins: [code]) { pins, listener, handle in
            try await Core.signConsent(
                link: link, document: document, password: pins[0], options: options,
                listener: listener, cancel: handle)
        }
    }

    /// `readBasicAttributes` as a stream of steps and the result.
    public static func readBasicAttributesEvents(
        link: CardLink, pin: [UInt8], options: PinOptions = PinOptions()
    ) -> AsyncThrowingStream<CardFlowEvent<BasicAttributes>, Error> {
        events(pins: [Result { try PinCode.of(.cardInfoPin, pin) }]) { pins, listener, handle in
            try await Core.readBasicAttributes(
                link: link, pin: pins[0], options: options, listener: listener, cancel: handle)
        }
    }

    /// `readPinStatus` as a stream of steps and the result.
    public static func readPinStatusEvents(link: CardLink) -> AsyncThrowingStream<CardFlowEvent<PinStatusReport>, Error> {
        events(pins: []) { _, listener, handle in
            try await Core.readPinStatus(link: link, listener: listener, cancel: handle)
        }
    }

    /// `checkLinkage` as a stream of steps and the result.
    public static func checkLinkageEvents(
        link: CardLink, cardInfoPin: [UInt8], signaturePassword: [UInt8],
        options: PinOptions = PinOptions()
    ) -> AsyncThrowingStream<CardFlowEvent<LinkageResult>, Error> {
        events(pins: [
            Result { try PinCode.of(.cardInfoPin, cardInfoPin) },
            Result { try PinCode.of(.signaturePassword, signaturePassword) },
        ]) { pins, listener, handle in
            try await Core.checkLinkage(
                link: link, cardInfoPin: pins[0], signaturePassword: pins[1], options: options,
                listener: listener, cancel: handle)
        }
    }

    /// `signConsentWithSigner` as a stream of steps and the result.
    public static func signConsentWithSignerEvents(
        signer: KeystoreSigner, source: CertificateSource, document: ConsentDocument,
        options: SignOptions = SignOptions()
    ) -> AsyncThrowingStream<CardFlowEvent<SignedConsent>, Error> {
        events(pins: []) { _, listener, handle in
            try await Core.signConsentWithSigner(
                signer: signer, source: source, document: document, options: options,
                listener: listener, cancel: handle)
        }
    }

    // MARK: Language of the error texts

    /// The language `MynaError`'s `LocalizedError` texts use: `nil` (the default) follows
    /// `Locale.preferredLanguages.first`; set `"ja"` or `"en"` to override (tests, an in-app
    /// language switch). Japanese for any `ja…` code, English otherwise.
    public static var language: String? {
        get { languageOverride.value }
        set { languageOverride.value = newValue }
    }

    /// Whether the error texts are in Japanese now.
    public static var usesJapanese: Bool {
        let code = language ?? Locale.preferredLanguages.first ?? "en"
        return code.lowercased().hasPrefix("ja")
    }

    // MARK: Plumbing

    private static let languageOverride = LockedValue<String?>(nil)

    /// Runs `body` with a handle that Task cancellation cancels.
    private static func cancellable<T>(_ body: (CancelHandle) async throws -> T) async throws -> T {
        let handle = CancelHandle()
        return try await withTaskCancellationHandler {
            try await body(handle)
        } onCancel: {
            handle.cancel()
        }
    }

    /// A stream over a flow: the listener yields the steps (on the flow's thread, in order),
    /// the result comes last. The flow is cancelled when the consumer's Task is cancelled
    /// (the inner stream terminates) or when the consumer lets go of the stream before its
    /// end (leaving the `for try await` loop releases the `FlowRun`).
    private static func events<T>(
        pins: [Result<PinCode, Error>],
        _ body: @escaping @Sendable ([PinCode], ProgressListener, CancelHandle) async throws -> T
    ) -> AsyncThrowingStream<CardFlowEvent<T>, Error> {
        let handle = CancelHandle()
        let inner = AsyncThrowingStream<CardFlowEvent<T>, Error> { continuation in
            let listener = StreamListener { continuation.yield(.step($0)) }
            let task = Task {
                // Made when the stream was (the caller's bytes are read then); a format error
                // is the stream's. Whatever the flow did not take is wiped here.
                defer { for case .success(let code) in pins { code.wipe() } }
                do {
                    let codes = try pins.map { try $0.get() }
                    let result = try await body(codes, listener, handle)
                    continuation.yield(.done(result))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { termination in
                if case .cancelled = termination {
                    handle.cancel()
                    task.cancel()
                }
            }
        }
        let run = FlowRun(inner.makeAsyncIterator(), handle: handle)
        return AsyncThrowingStream { try await run.next() }
    }
}

/// The consumer's side of an event stream: cancels the flow when released before the end.
// @unchecked: the iterator and `finished` are used by one consumer at a time (`for try await`
// calls `next()` sequentially) and by `deinit` after its last use.
private final class FlowRun<T>: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<CardFlowEvent<T>, Error>.Iterator
    private let handle: CancelHandle
    private var finished = false

    init(_ iterator: AsyncThrowingStream<CardFlowEvent<T>, Error>.Iterator, handle: CancelHandle) {
        self.iterator = iterator
        self.handle = handle
    }

    /// The next event (called by one consumer at a time, as `for try await` does).
    func next() async throws -> CardFlowEvent<T>? {
        do {
            let event = try await iterator.next()
            if event == nil { finished = true }
            return event
        } catch {
            finished = true
            throw error
        }
    }

    deinit {
        if !finished { handle.cancel() }
    }
}

/// Forwards the flow's progress into a stream.
private final class StreamListener: ProgressListener, Sendable {
    private let yield: @Sendable (FlowProgress) -> Void

    init(_ yield: @escaping @Sendable (FlowProgress) -> Void) {
        self.yield = yield
    }

    func onProgress(progress: FlowProgress) throws {
        yield(progress)
    }
}

/// A value behind a lock.
// @unchecked: `stored` is read and written only behind `lock`.
private final class LockedValue<V>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: V

    init(_ value: V) {
        stored = value
    }

    var value: V {
        get { lock.locked { stored } }
        set { lock.locked { stored = newValue } }
    }
}

extension NSLock {
    /// Runs `body` holding the lock (Foundation's `withLock` needs iOS 16; the package
    /// supports iOS 15).
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// `description` (generated from the Rust `Display`) is the English message, not a field dump.
extension MynaError: CustomStringConvertible {}

extension MynaError: LocalizedError {
    /// What happened, for the holder, in `Myna.language` (Japanese or English).
    public var errorDescription: String? {
        Myna.usesJapanese ? failureJa() : failureEn()
    }

    /// What to do, for the holder; `nil` when nothing helps.
    public var recoverySuggestion: String? {
        Myna.usesJapanese ? recoveryJa() : recoveryEn()
    }
}
