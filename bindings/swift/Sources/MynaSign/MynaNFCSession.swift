// The library's NFC session: one reader session per flow, driven as a state machine over the
// small reader protocols of NFCReader.swift (CoreNFC on iOS, a test double elsewhere).
//
//   begin → (tags detected: one ISO 7816 tag → connect; several tags, or one tag of another
//   kind → its message and restart polling after `restartDelay`, as often as it takes: only the
//   session's own limit ends it, as `Timeout`) → the time left (counted from when the session
//   became active) is checked against the flow's budget → the flow runs over the tag
//   (progress on the sheet) → invalidate with success or with the error's text.
//
// Every way the platform ends the session is mapped: Cancel on the sheet → Cancelled; the
// session limit → Timeout; a busy system → MynaNFCError.systemBusy; terminated before the
// session became active (or codes 1, 2) → MynaNFCError.misconfigured; terminated later →
// MynaNFCError.interrupted.
// No Swift code waits on a thread: waiting for a card is a continuation, and so is waiting for
// the card's answer. The link is async (`AsyncCardLink`): its `transceive` awaits the tag's
// `sendCommand`, and the library's own worker thread (a Rust thread, never one of Swift's
// concurrency pool) drives that call, parked until it is answered.

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore  // the generated Swift, a module of its own where the package builds it so
#endif

/// Reads a My Number Card over NFC: shows the system's NFC sheet, waits for the card, runs
/// one card flow with its progress on the sheet, and ends the sheet with the outcome.
///
/// ```swift
/// let signed = try await MynaNFCSession().signConsent(document: document, password: password)
/// ```
///
/// One flow at a time, each with its own reader session; sessions over the platform reader
/// (`MynaNFCSession()`) share one process-wide slot, as CoreNFC runs one reader session at a
/// time. `cancel()` (or cancelling the calling Task) ends the flow: while waiting for the card
/// at once, during an exchange within one exchange (a PIN VERIFY in flight completes first).
// @unchecked: its mutable state (the running flow, the length policy, the diagnostics mode and
// report, the app's texts) is read and written only behind `lock`.
public final class MynaNFCSession: @unchecked Sendable {
    /// The language of the sheet's texts.
    public enum Language: Sendable {
        case japanese
        case english

        /// The language of `Myna.language` (the device's by default): the one the errors'
        /// `LocalizedError` texts use.
        public static var current: Language { Myna.usesJapanese ? .japanese : .english }
    }

    /// Texts of the app's own for the sheet, in place of the library's: its messages (by
    /// `MynaText` key: `.sheetPrompt`, `.sheetSeveralCards`, `.sheetNotMyNumberCard`,
    /// `.sheetConnectFailed`, `.sheetReadingAgain`, `.sheetDone`, `.sheetUnknownFailure`),
    /// each step of the flows (by `FlowStep`), and the failure shown when a flow ends with an
    /// error (return nil for the library's text). Written in the app's language: the library
    /// shows them as they are.
    public struct SheetTexts: Sendable {
        public var messages: [MynaText: String]
        public var steps: [FlowStep: String]
        public var failure: (@Sendable (Error) -> String?)?

        public init(messages: [MynaText: String] = [:], steps: [FlowStep: String] = [:],
                    failure: (@Sendable (Error) -> String?)? = nil) {
            self.messages = messages
            self.steps = steps
            self.failure = failure
        }
    }

    /// Monotonic seconds (`ProcessInfo.systemUptime` by default; tests inject their own).
    public typealias Clock = @Sendable () -> TimeInterval
    /// Makes the reader session of one flow, reporting to `events`; `nil` when the device
    /// cannot read NFC.
    public typealias ReaderFactory = @Sendable (NFCReaderEvents) -> NFCReaderDriving?
    /// Waits the given seconds (`Task.sleep` by default; tests inject their own so that they
    /// do not really wait).
    public typealias Sleeper = @Sendable (TimeInterval) async -> Void

    /// How long the session waits before polling again after a wrong tag or several tags:
    /// half a second, as Apple's sample does (Apple's "Building an NFC Tag-Reader App",
    /// `readerSession(_:didDetect:)`: "Restart polling in 500 milliseconds"), so that a card
    /// the holder is taking away is not detected again at once.
    public static let restartDelay: TimeInterval = 0.5

    /// The sheet's language; nil (the default) follows `Myna.language`, the device's language
    /// unless the app set one, so that the sheet and the errors speak the same language.
    public let language: Language?
    private let clock: Clock
    private let sleeper: Sleeper
    private let makeReader: ReaderFactory
    /// Whether this session uses the platform's reader, which CoreNFC runs one at a time.
    private let processWide: Bool
    private let lock = NSLock()
    private var current: NFCRun?
    private var policy = LengthPolicy.auto
    private var diagnosticsMode = NFCDiagnosticsMode.off
    private var lastReport: NFCDiagnosticsReport?
    private var customTexts = SheetTexts()

    /// The app's own texts for the sheet (none by default).
    public var sheetTexts: SheetTexts {
        get { lock.locked { customTexts } }
        set { lock.locked { customTexts = newValue } }
    }

    /// How this device's NFC link uses extended-length APDUs (the core's `LengthPolicy`):
    /// `.auto` (the default) sends extended length until a large frame is refused or lost
    /// once, then `.short`; `.short` never does; `.extended` always does. Set the value the app
    /// saved for this device before a flow, and save it after: the session updates it when it
    /// learns (see `MynaNFCSession.swift`, "Extended length").
    public var lengthPolicy: LengthPolicy {
        get { lock.locked { policy } }
        set { lock.locked { policy = newValue } }
    }

    /// Whether the session keeps a redacted field report of each reader session (`.collect`)
    /// and also writes it to the unified log (`.log`, `os.Logger`, subsystem `jp.mynasign`):
    /// off by default. The report holds codes, counts, lengths, status words and times, never
    /// data (see NFCDiagnostics.swift).
    public var diagnostics: NFCDiagnosticsMode {
        get { lock.locked { diagnosticsMode } }
        set { lock.locked { diagnosticsMode = newValue } }
    }

    /// The field report of the last reader session, when `diagnostics` is not `.off`.
    public var lastDiagnostics: NFCDiagnosticsReport? { lock.locked { lastReport } }

    /// A session over the platform's NFC reader (CoreNFC on iOS; on other platforms every
    /// flow throws `MynaNFCError.nfcUnavailable`).
    public convenience init(language: Language? = nil) {
        self.init(language: language, clock: MynaNFCSession.uptime, sleeper: MynaNFCSession.taskSleep,
                  reader: MynaNFCSession.platformReader, processWide: true)
    }

    /// A session over any reader (tests, another NFC stack), with its own clock and sleeper.
    /// One flow at a time per object (the process-wide slot is the platform reader's).
    public convenience init(language: Language? = nil, clock: @escaping Clock = MynaNFCSession.uptime,
                            sleeper: @escaping Sleeper = MynaNFCSession.taskSleep, reader: @escaping ReaderFactory) {
        self.init(language: language, clock: clock, sleeper: sleeper, reader: reader, processWide: false)
    }

    private init(language: Language?, clock: @escaping Clock, sleeper: @escaping Sleeper,
                 reader: @escaping ReaderFactory, processWide: Bool) {
        self.language = language
        self.clock = clock
        self.sleeper = sleeper
        self.makeReader = reader
        self.processWide = processWide
    }

    /// The default clock.
    public static let uptime: Clock = { ProcessInfo.processInfo.systemUptime }
    /// The default sleeper.
    public static let taskSleep: Sleeper = { seconds in
        try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }

    // MARK: The flows

    /// Signs `document` on the card (see `Myna.signConsent`). The password's copy made here
    /// (a run may repeat on the card read again, and each run's `PinCode` is used once) is
    /// wiped after the call.
    public func signConsent(
        document: ConsentDocument, password: [UInt8], options: SignOptions = SignOptions(),
        onProgress: (@MainActor @Sendable (FlowProgress) -> Void)? = nil
    ) async throws -> SignedConsent {
        var pin = Data(password)
        defer { pin.resetBytes(in: 0..<pin.count) }
        let kind: NFCFlowKind = options.includeCaCertificate ? .signConsentWithCaCertificate : .signConsent
        return try await run(kind, onProgress: onProgress) { link, listener, handle in
            try await Core.signConsent(
                link: link, document: document, password: try PinCode(pin: .signaturePassword, value: pin),
                options: options,
                listener: listener, cancel: handle)
        }
    }

    /// Reads every PIN's retry counter without spending an attempt.
    public func readPinStatus(onProgress: (@MainActor @Sendable (FlowProgress) -> Void)? = nil) async throws -> PinStatusReport {
        try await run(.readPinStatus, onProgress: onProgress) { link, listener, handle in
            try await Core.readPinStatus(link: link, listener: listener, cancel: handle)
        }
    }

    /// Reads the basic four attributes with the card-info PIN.
    public func readBasicAttributes(
        pin: [UInt8], options: PinOptions = PinOptions(),
        onProgress: (@MainActor @Sendable (FlowProgress) -> Void)? = nil
    ) async throws -> BasicAttributes {
        var data = Data(pin)
        defer { data.resetBytes(in: 0..<data.count) }
        return try await run(.readBasicAttributes, onProgress: onProgress) { link, listener, handle in
            try await Core.readBasicAttributes(
                link: link, pin: try PinCode(pin: .cardInfoPin, value: data), options: options,
                listener: listener, cancel: handle)
        }
    }

    /// Any flow of the library over the session's link: `flow` gets the link, the listener
    /// that puts progress on the sheet, and the handle `cancel()` cancels.
    ///
    /// `flow` runs once more, on the card read again within the same reader session, when the
    /// first large (extended-length) frame of a device under `.auto` was lost: it must be
    /// safe to run twice (the library's flows are: they start from SELECT, and a PIN they
    /// send again was accepted by the card the first time).
    public func run<T>(
        _ kind: NFCFlowKind, onProgress: (@MainActor @Sendable (FlowProgress) -> Void)? = nil,
        _ flow: (CardLink, ProgressListener, CancelHandle) async throws -> T
    ) async throws -> T {
        try await scoped(kind, prompt: nil, onProgress: onProgress, rerunnable: true, flow)
    }

    // MARK: Step by step (an app running its own flows over the link)

    /// Begins a reader session for `kind`, waits for a My Number Card with enough time left,
    /// runs `body` over the card's link, and ends the session: with success when `body`
    /// returns, with the error's text when it throws (the error, as the holder should see it,
    /// is rethrown). The session is always released, so the next flow can start. Pass `cancel`
    /// to the library's flows (`Myna.…(link:…, cancel: cancel)`) so that `cancel()` and the
    /// Task's cancellation stop them after the exchange in flight; show steps with
    /// `show(_:)`.
    ///
    /// ```swift
    /// let report = try await session.withCard(for: .readPinStatus) { link, cancel in
    ///     try await readPinStatus(link: link, listener: nil, cancel: cancel)
    /// }
    /// ```
    public func withCard<T>(
        for kind: NFCFlowKind, prompt: String? = nil,
        _ body: (CardLink, CancelHandle) async throws -> T
    ) async throws -> T {
        try await scoped(kind, prompt: prompt, onProgress: nil, rerunnable: false) { link, _, handle in try await body(link, handle) }
    }

    private func scoped<T>(
        _ kind: NFCFlowKind, prompt: String?, onProgress: (@MainActor @Sendable (FlowProgress) -> Void)?,
        rerunnable: Bool, _ flow: (CardLink, ProgressListener, CancelHandle) async throws -> T
    ) async throws -> T {
        let run = try start(kind, prompt: prompt)
        let handle = CancelHandle()
        run.attach(handle)
        do {
            var link = run.cardLink(try await run.waitForCard())
            let listener = SheetListener(run: run, forward: onProgress)
            var result: T?
            while result == nil {
                do {
                    result = try await withTaskCancellationHandler {
                        try await flow(link, listener, handle)
                    } onCancel: {
                        handle.cancel()
                    }
                } catch where rerunnable && run.readsAgainShort(after: error) {
                    // The first large frame was lost (the policy is now `.short`): poll again
                    // within the same reader session and run the flow over short APDUs.
                    link = run.cardLink(try await run.pollAgain())
                }
            }
            guard let result else { throw MynaError.Cancelled(duringVerify: false) }
            run.finish(nil)
            release(run)
            return result
        } catch {
            let outcome = run.finish(error)
            release(run)
            throw outcome ?? error
        }
    }

    /// Begins a reader session for `kind` and returns the card's link once a My Number Card
    /// is connected and the time left suffices. Run one flow over it (`Myna.…(link:)`), show
    /// its steps with `show(_:)`, then call `finish(_:)`, which releases the session: until
    /// then no other flow can start. `withCard(for:_:)` does all of this and always releases.
    public func connect(for kind: NFCFlowKind, prompt: String? = nil) async throws -> CardLink {
        let run = try start(kind, prompt: prompt)
        do {
            return run.cardLink(try await run.waitForCard())
        } catch {
            let outcome = run.finish(error)
            release(run)
            throw outcome ?? error
        }
    }

    /// Shows a step of the running flow on the sheet.
    public func show(_ progress: FlowProgress) {
        currentRun()?.show(progress)
    }

    /// Ends the reader session: success when `error` is nil, else the error's text on the
    /// sheet. Returns the error as the session saw it (Cancel on the sheet during an exchange
    /// is `Cancelled`, the session limit `Timeout`).
    @discardableResult
    public func finish(_ error: Error?) -> Error? {
        guard let run = currentRun() else { return error }
        let outcome = run.finish(error)
        release(run)
        return outcome
    }

    /// Cancels the running flow, at every step: while waiting for the card the sheet closes
    /// and the flow throws `Cancelled`; once connected the flow stops within one exchange (an
    /// exchange in flight, a PIN VERIFY included, completes first and its answer reaches the
    /// flow), the sheet closes, and the flow's error is `Cancelled`. From any thread.
    public func cancel() {
        currentRun()?.cancel()
    }

    // MARK: Plumbing

    /// The platform reader's one slot (CoreNFC runs one reader session at a time per app).
    private static let platformSlot = NFCSlot()

    private func start(_ kind: NFCFlowKind, prompt: String?) throws -> NFCRun {
        let (policy, mode, custom) = lock.locked { (self.policy, diagnosticsMode, customTexts) }
        let texts = NFCSheetTexts(language ?? .current, custom: custom)
        let run = NFCRun(kind: kind, texts: texts, clock: clock, sleeper: sleeper,
                         lengthPolicy: policy, diagnostics: mode == .off ? nil : SessionDiagnostics())
        let busy: Bool = lock.locked {
            if current != nil { return true }
            current = run
            return false
        }
        if busy { throw MynaError.InvalidInput(field: "another NFC flow is running on this session") }
        if processWide, !MynaNFCSession.platformSlot.claim(run) {
            lock.locked { if current === run { current = nil } }
            throw MynaError.InvalidInput(field: "another NFC flow is running (iOS runs one NFC reader session at a time)")
        }
        guard let reader = makeReader(run) else {
            release(run)
            throw MynaNFCError.nfcUnavailable
        }
        run.begin(reader, prompt: prompt)
        return run
    }

    private func currentRun() -> NFCRun? {
        lock.locked { current }
    }

    private func release(_ run: NFCRun) {
        let (mine, mode): (Bool, NFCDiagnosticsMode) = lock.locked {
            guard current === run else { return (false, diagnosticsMode) }
            current = nil
            // What the run learned about extended length, for the app to save.
            policy = run.memory.policy()
            return (true, diagnosticsMode)
        }
        if mine, let report = run.diagnosticsReport() {
            lock.locked { lastReport = report }
            if mode == .log { report.writeToLog() }
        }
        if processWide { MynaNFCSession.platformSlot.release(run) }
    }
}

/// The one reader session the platform runs at a time. A flow whose reader session is over
/// (ended by iOS, cancelled, failed) does not hold it, even if its app never called
/// `finish(_:)` after `connect(for:)`: another session object can start.
private final class NFCSlot: @unchecked Sendable {  // mutable state behind `lock`
    private let lock = NSLock()
    private weak var holder: NFCRun?

    func claim(_ run: NFCRun) -> Bool {
        lock.locked {
            if let holder, !holder.isOver { return false }
            holder = run
            return true
        }
    }

    func release(_ run: NFCRun) {
        lock.locked { if holder === run { holder = nil } }
    }
}

/// The sheet's texts in one language, the app's own first.
struct NFCSheetTexts: Sendable {
    let japanese: Bool
    let custom: MynaNFCSession.SheetTexts

    init(_ language: MynaNFCSession.Language, custom: MynaNFCSession.SheetTexts = MynaNFCSession.SheetTexts()) {
        japanese = language == .japanese
        self.custom = custom
    }

    private func t(_ text: MynaText) -> String { custom.messages[text] ?? text.text(japanese: japanese) }

    var prompt: String { t(.sheetPrompt) }
    var severalCards: String { t(.sheetSeveralCards) }
    var notMyNumberCard: String { t(.sheetNotMyNumberCard) }
    var connectFailed: String { t(.sheetConnectFailed) }
    var readingAgain: String { t(.sheetReadingAgain) }
    var done: String { t(.sheetDone) }

    func progress(_ p: FlowProgress) -> String { custom.steps[p.step] ?? (japanese ? p.messageJa : p.messageEn) }

    func failure(_ error: Error) -> String {
        if let text = custom.failure?(error) { return text }
        switch error {
        case let e as MynaError: return japanese ? e.failureJa() : e.failureEn()
        case let e as MynaNFCError: return japanese ? e.failureJa() : e.failureEn()
        default: return t(.sheetUnknownFailure)
        }
    }
}

/// Puts each step on the sheet (and forwards it to the app).
private final class SheetListener: ProgressListener, Sendable {
    private let run: NFCRun
    private let forward: (@MainActor @Sendable (FlowProgress) -> Void)?

    init(run: NFCRun, forward: (@MainActor @Sendable (FlowProgress) -> Void)?) {
        self.run = run
        self.forward = forward
    }

    /// Called on the library's worker thread: the sheet's text is set there (CoreNFC takes it
    /// from any thread), the app's callback runs on the main actor, in order (the main queue
    /// is serial), so that it can touch the UI. The worker does not wait for it.
    func onProgress(progress: FlowProgress) throws {
        run.show(progress)
        guard let forward else { return }
        DispatchQueue.main.async {
            MainActor.assumeIsolated { forward(progress) }
        }
    }
}

/// One flow's reader session: the state machine.
// @unchecked: every mutable property is read and written behind `lock`; `LengthMemory` and
// `SessionDiagnostics` are the core's thread-safe objects.
final class NFCRun: NFCReaderEvents, @unchecked Sendable {
    private enum Phase {
        case polling, connecting, connected, ended
    }

    let kind: NFCFlowKind
    let texts: NFCSheetTexts
    private let clock: MynaNFCSession.Clock
    private let sleeper: MynaNFCSession.Sleeper
    private let lock = NSLock()
    private var phase = Phase.polling
    private var reader: NFCReaderDriving?
    /// When the session's time began: when it became active (iOS may queue a session after
    /// `begin`), or `begin` until then.
    private var began: TimeInterval = 0
    private var active = false
    private var platformEnd: NFCSessionEnd?
    private var cancelled = false
    private var detected: NFCCardTag?
    private var waiter: CheckedContinuation<NFCCardTag, Error>?
    private var failure: Error?
    private var link: NFCSessionLink?
    private var handle: CancelHandle?
    /// The device's extended-length policy for this reader session (learns from lost frames).
    let memory: LengthMemory
    private let startPolicy: LengthPolicy
    private var readAgain = false
    /// The priority of the task that started the flow: the tasks that send its commands run
    /// at it, not below (they are made from the library's worker thread, where no task runs).
    let priority: TaskPriority
    /// The field report, when the app asked for one; and the CoreNFC facts it gets.
    private let diagnostics: SessionDiagnostics?
    private var facts = NFCRunFacts()

    init(kind: NFCFlowKind, texts: NFCSheetTexts, clock: @escaping MynaNFCSession.Clock,
         sleeper: @escaping MynaNFCSession.Sleeper, lengthPolicy: LengthPolicy = .auto,
         diagnostics: SessionDiagnostics? = nil) {
        self.kind = kind
        self.texts = texts
        self.clock = clock
        self.sleeper = sleeper
        self.memory = LengthMemory(policy: lengthPolicy)
        self.startPolicy = lengthPolicy
        self.priority = Task.currentPriority
        self.diagnostics = diagnostics
    }

    /// The card's link as the flows take it: recorded into the field report (what reaches
    /// the card), under the device's extended-length policy.
    func cardLink(_ link: NFCSessionLink) -> CardLink {
        let raw = cardLinkFromAsync(link: link)
        return memory.wrap(link: diagnostics?.wrap(link: raw) ?? raw)
    }

    // MARK: Extended length
    //
    // CoreNFC itself carries extended-length APDUs: `NFCISO7816APDU`'s expectedResponseLength
    // takes 1 to 65,536 (65,536 sends the extended Le `0000`) and its data up to the ISO
    // extended Lc of 65,535 bytes (Apple's NFCISO7816Tag.h, as mirrored in the objc2-core-nfc
    // documentation of `initWithInstructionClass:...expectedResponseLength:`; AndyQ/
    // NFCPassportReader `TagReader.doInternalAuthentication` sends Le 65,536). So the link
    // reports no maximum (`maxTransceiveLength() = 0`): whether a given iPhone and card carry
    // such a frame is only known by sending one. NFCPassportReader reads 0xA0 bytes at a time
    // because some chips do not take more (`TagReader.maxDataLengthToRead`). Under `.auto` the
    // first large frame that is lost (the card seen as gone, 100 or 102) turns the policy to
    // `.short`; the session then polls again (`restartPolling()`: "tags returned previously
    // ... become invalid", Apple's NFCTagReaderSession documentation) and runs the flow once
    // more over short APDUs, on the card read again.

    /// Whether `error` ended the flow because the first large frame was lost, so that the
    /// flow may run again over short APDUs within this reader session (once per session).
    func readsAgainShort(after error: Error) -> Bool {
        guard case MynaError.TagLost(duringVerify: false)? = error as? MynaError,
              startPolicy == .auto, memory.policy() == .short else { return false }
        return lock.locked {
            guard phase == .connected, !readAgain, !cancelled else { return false }
            readAgain = true
            return true
        }
    }

    /// Polls again within the session after a lost frame and returns the card's new link.
    func pollAgain() async throws -> NFCSessionLink {
        let (reader, old): (NFCReaderDriving?, NFCSessionLink?) = lock.locked {
            guard phase == .connected else { return (nil, nil) }
            phase = .polling
            detected = nil
            facts.lostFrameRestarts += 1
            defer { link = nil }
            return (self.reader, link)
        }
        old?.shutDown(for: nil)
        guard let reader else { throw failureOrCancelled() }
        reader.alertMessage = texts.readingAgain
        reader.restartPolling()
        return try await waitForCard()
    }

    private func failureOrCancelled() -> Error {
        lock.locked { failure ?? MynaError.Cancelled(duringVerify: false) }
    }

    // MARK: Field diagnostics

    /// A CoreNFC exchange failed with `code` (`NFCReaderError`).
    func readerDidFailExchange(code: Int) {
        lock.locked { facts.exchangeErrors.append(code) }
    }

    /// The field report of this reader session (nil when the app did not ask for one).
    func diagnosticsReport() -> NFCDiagnosticsReport? {
        guard let diagnostics else { return nil }
        let facts = lock.locked { self.facts }
        return NFCDiagnosticsReport(diagnostics, facts: facts, startPolicy: startPolicy, endPolicy: memory.policy())
    }

    /// Whether the reader session ended (the flow may still be unwinding).
    var isOver: Bool { lock.locked { phase == .ended } }

    func attach(_ handle: CancelHandle) {
        lock.locked { self.handle = handle }
    }

    func begin(_ reader: NFCReaderDriving, prompt: String?) {
        lock.locked {
            self.reader = reader
            began = clock()
        }
        reader.alertMessage = prompt ?? texts.prompt
        reader.begin()
    }

    // MARK: Waiting for the card

    /// Waits for a My Number Card, connects, checks the time left: returns the link.
    func waitForCard() async throws -> NFCSessionLink {
        while true {
            let tag = try await withTaskCancellationHandler {
                try await self.nextTag()
            } onCancel: {
                self.cancel()
            }
            guard let reader = lock.locked({ self.reader }) else { throw MynaError.Cancelled(duringVerify: false) }
            do {
                try await reader.connect(to: tag)
            } catch {
                if let end = lock.locked({ phase == .ended ? (failure ?? MynaError.Cancelled(duringVerify: false)) : nil }) {
                    throw end
                }
                lock.locked {
                    phase = .polling
                    facts.connectRestarts += 1
                }
                reader.alertMessage = texts.connectFailed
                reader.restartPolling()
                continue
            }
            let left = NFCTiming.sessionLimitSeconds - (clock() - lock.locked { began })
            if left < kind.budgetSeconds {
                throw MynaNFCError.sessionTimeTooShort(
                    secondsLeft: max(0, Int(left.rounded(.down))), secondsNeeded: Int(kind.budgetSeconds.rounded(.up)))
            }
            let link = NFCSessionLink(tag: tag, run: self)
            let ended: Error? = lock.locked {
                if phase == .ended { return failure ?? MynaError.Cancelled(duringVerify: false) }
                phase = .connected
                self.link = link
                return nil
            }
            if let ended { throw ended }
            return link
        }
    }

    private func nextTag() async throws -> NFCCardTag {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<NFCCardTag, Error>) in
            let ready: Result<NFCCardTag, Error>? = lock.locked {
                if phase == .ended { return .failure(failure ?? MynaError.Cancelled(duringVerify: false)) }
                if let tag = detected {
                    detected = nil
                    phase = .connecting
                    return .success(tag)
                }
                waiter = c
                return nil
            }
            if let ready { c.resume(with: ready) }
        }
    }

    // MARK: NFCReaderEvents

    func readerDidBecomeActive() {
        lock.locked {
            guard !active else { return }
            active = true
            began = clock()
        }
    }

    func readerDidDetect(_ tags: [NFCCardTag]) {
        enum Next { case ignore, retry(String), take(CheckedContinuation<NFCCardTag, Error>?, NFCCardTag) }
        // A reader that reports tags without reporting itself active first was active.
        readerDidBecomeActive()
        let next: Next = lock.locked {
            guard phase == .polling, detected == nil else { return .ignore }
            if tags.count == 1, tags[0].isISO7816 {
                guard let w = waiter else {
                    detected = tags[0]
                    return .ignore
                }
                waiter = nil
                phase = .connecting
                return .take(w, tags[0])
            }
            // Several tags (a transit card in the same case), or a tag of another kind (a
            // FeliCa transit card held first): the sheet says what to do and polling restarts,
            // however often; only the session's own limit ends the session (`Timeout`).
            if tags.count > 1 {
                facts.severalTagRestarts += 1
                return .retry(texts.severalCards)
            }
            facts.wrongTagRestarts += 1
            return .retry(texts.notMyNumberCard)
        }
        switch next {
        case .ignore:
            return
        case let .take(waiter, tag):
            waiter?.resume(returning: tag)
        case let .retry(message):
            guard let reader = lock.locked({ self.reader }) else { return }
            reader.alertMessage = message
            Task {
                await self.sleeper(MynaNFCSession.restartDelay)
                guard self.lock.locked({ self.phase == .polling }) else { return }
                reader.restartPolling()
            }
        }
    }

    func readerDidInvalidate(_ end: NFCSessionEnd) {
        let (waiter, link): (CheckedContinuation<NFCCardTag, Error>?, NFCSessionLink?) = lock.locked {
            guard phase != .ended else { return (nil, nil) }
            facts.sessionEnd = end.code
            platformEnd = end
            failure = error(for: end)
            phase = .ended
            defer { self.waiter = nil }
            return (self.waiter, self.link)
        }
        if let waiter, let failure = lock.locked({ failure }) { waiter.resume(throwing: failure) }
        link?.shutDown(for: end)
    }

    /// The error a platform end means for a flow that has not started yet (under `lock`).
    private func error(for end: NFCSessionEnd) -> Error {
        switch end {
        case .userCanceled: return MynaError.Cancelled(duringVerify: false)
        case .sessionTimeout: return MynaError.Timeout
        case .systemBusy: return MynaNFCError.systemBusy
        case .terminatedUnexpectedly: return active ? MynaNFCError.interrupted : NFCRun.misconfigured(202)
        case .unsupportedFeature: return NFCRun.misconfigured(1)
        case .securityViolation: return NFCRun.misconfigured(2)
        case let .other(code): return MynaError.LinkFailed(detail: "the NFC session ended (code \(code))")
        }
    }

    /// The app's set-up is wrong: in debug builds the diagnostic goes to the console at once,
    /// as it is the first thing every integrator hits.
    private static func misconfigured(_ code: Int) -> MynaNFCError {
        let error = MynaNFCError.misconfigured(code: code)
        #if DEBUG
        if let diagnostic = error.diagnostic {
            FileHandle.standardError.write(Data((diagnostic + "\n").utf8))
        }
        #endif
        return error
    }

    // MARK: Ending

    /// Ends the session from the app's side (before the flow), with `error`.
    private func end(with error: Error, sheet: String) {
        let (reader, waiter): (NFCReaderDriving?, CheckedContinuation<NFCCardTag, Error>?) = lock.locked {
            guard phase != .ended else { return (nil, nil) }
            phase = .ended
            failure = error
            defer { self.waiter = nil }
            return (self.reader, self.waiter)
        }
        reader?.invalidate(errorMessage: sheet)
        waiter?.resume(throwing: error)
    }

    func cancel() {
        let (running, handle, link): (Bool, CancelHandle?, NFCSessionLink?) = lock.locked {
            cancelled = true
            return (phase == .connected, self.handle, self.link)
        }
        if running {
            // The library stops before its next exchange and closes the link (`linkClosed`),
            // after a VERIFY in flight.
            handle?.cancel()
            // A flow without the handle (step by step), or app code between flows: the link
            // ends once the exchange in flight is answered (its answer reaches the flow), and
            // the sheet closes.
            link?.close(afterPending: { [weak self] in self?.linkClosed() })
        } else {
            end(with: MynaError.Cancelled(duringVerify: false), sheet: texts.failure(MynaError.Cancelled(duringVerify: false)))
        }
    }

    /// The library closed the link (the flow was cancelled): the sheet closes now.
    func linkClosed() {
        let reader: NFCReaderDriving? = lock.locked {
            guard phase != .ended else { return nil }
            phase = .ended
            failure = MynaError.Cancelled(duringVerify: false)
            return self.reader
        }
        reader?.invalidate(errorMessage: texts.failure(MynaError.Cancelled(duringVerify: false)))
    }

    func show(_ progress: FlowProgress) {
        guard let reader = lock.locked({ phase == .ended ? nil : self.reader }) else { return }
        reader.alertMessage = texts.progress(progress)
    }

    /// The flow ended with `error` (nil: success): invalidates the session with the right
    /// text unless it already ended, and returns the error as the holder should see it.
    @discardableResult
    func finish(_ error: Error?) -> Error? {
        let (reader, end, link, cancelled, mapped): (NFCReaderDriving?, NFCSessionEnd?, NFCSessionLink?, Bool, Error?) = lock.locked {
            defer {
                phase = .ended
                self.reader = nil
            }
            return (phase == .ended ? nil : self.reader, platformEnd, self.link, self.cancelled, platformEnd == nil ? nil : failure)
        }
        let outcome = error.map { map($0, end: end, endError: mapped, cancelled: cancelled) }
        if let reader {
            if let outcome {
                reader.invalidate(errorMessage: texts.failure(outcome))
            } else {
                reader.alertMessage = texts.done
                reader.invalidate(errorMessage: nil)
            }
        }
        link?.shutDown(for: nil)
        return outcome
    }

    /// A flow's error seen through how the session ended: a lost tag because the holder tapped
    /// Cancel, or the app called `cancel()`, is a cancellation; because the session ran out, a
    /// timeout; because iOS interrupted it, an interruption (`endError`: what the platform's
    /// end means by itself).
    private func map(_ error: Error, end: NFCSessionEnd?, endError: Error?, cancelled: Bool) -> Error {
        guard let e = error as? MynaError else { return error }
        let duringVerify: Bool
        switch e {
        case let .TagLost(v), let .Cancelled(v): duringVerify = v
        case .LinkFailed, .Timeout: duringVerify = false
        default: return error
        }
        guard let end, let endError else {
            return cancelled ? MynaError.Cancelled(duringVerify: duringVerify) : error
        }
        switch end {
        case .userCanceled: return MynaError.Cancelled(duringVerify: duringVerify)
        case .other: return error
        // The counter may have moved: keep the error that says so.
        case .sessionTimeout, .systemBusy, .terminatedUnexpectedly, .unsupportedFeature, .securityViolation:
            return duringVerify ? MynaError.TagLost(duringVerify: true) : endError
        }
    }
}

/// The card as the library's `AsyncCardLink`; the flows get it as `cardLinkFromAsync(link:)`.
/// Each `transceive` awaits the tag's async `sendCommand` through a continuation that the tag's
/// answer or the session's end resumes, whichever comes first: no Swift thread waits for the
/// card. (The library's worker thread, a Rust thread, never one of Swift's concurrency pool,
/// drives the call, parked until it is answered; when the library closes the link it stops
/// awaiting and cancels the call, which then resumes with `TagLost`.)
// @unchecked: `pending`, `ended`, `closing` and `count` are read and written behind `lock`.
final class NFCSessionLink: AsyncCardLink, @unchecked Sendable {
    private let tag: NFCCardTag
    private let run: NFCRun
    private let lock = NSLock()
    /// The exchange awaiting its answer, by number.
    private var pending: (exchange: Int, answer: CheckedContinuation<Data, Error>)?
    private var ended: NFCSessionEnd??
    /// Runs once the exchange in flight is answered, the link then ended (`close(afterPending:)`).
    private var closing: (@Sendable () -> Void)?
    private var count = 0

    init(tag: NFCCardTag, run: NFCRun) {
        self.tag = tag
        self.run = run
    }

    func transceive(command: Data) async throws -> Data {
        let exchange: Int = try lock.locked {
            if let ended { throw NFCSessionLink.error(for: ended) }
            count += 1
            return count
        }
        let tag = self.tag
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Data, Error>) in
                let end: NFCSessionEnd?? = lock.locked {
                    if ended == nil { pending = (exchange, answer) }
                    return ended
                }
                if let end { return answer.resume(throwing: NFCSessionLink.error(for: end)) }
                // Cancelled before the continuation was stored: the handler found nothing.
                if Task.isCancelled { return self.answer(exchange, .failure(LinkError.TagLost)) }
                Task(priority: run.priority) {
                    let result: Result<Data, Error>
                    do {
                        result = .success(try await tag.sendCommand(command))
                    } catch let e as LinkError {
                        result = .failure(e)
                    } catch {
                        result = .failure(LinkError.Other(detail: "the tag threw \(type(of: error))"))
                    }
                    self.answer(exchange, result)
                }
            }
        } onCancel: {
            // The library stopped awaiting (it closed the link).
            self.answer(exchange, .failure(LinkError.TagLost))
        }
    }

    /// Resumes `exchange` with `result` if it still awaits (the first answer wins).
    private func answer(_ exchange: Int, _ result: Result<Data, Error>) {
        let (waiting, closer): (CheckedContinuation<Data, Error>?, (@Sendable () -> Void)?) = lock.locked {
            guard let p = pending, p.exchange == exchange else { return (nil, nil) }
            pending = nil
            let closer = closing
            closing = nil
            if closer != nil, ended == nil { ended = .some(nil) }
            return (p.answer, closer)
        }
        waiting?.resume(with: result)
        closer?()
    }

    /// Ends the link once the exchange in flight (if any) is answered, then runs `then`: no
    /// exchange is sent after it, and none in flight is cut off (a VERIFY's answer reaches
    /// the flow, which accounts for the attempt).
    func close(afterPending then: @escaping @Sendable () -> Void) {
        let now: Bool = lock.locked {
            if ended != nil { return false }
            if pending == nil {
                ended = .some(nil)
                return true
            }
            closing = then
            return false
        }
        if now { then() }
    }

    func supportsExtendedLength() -> Bool {
        // CoreNFC carries extended-length APDUs; the library falls back if the card refuses.
        true
    }

    func maxTransceiveLength() -> Int32 {
        0
    }

    func close() {
        shutDown(for: nil)
        run.linkClosed()
    }

    /// The session ended (`end`: how the platform ended it, nil: the app did): a pending
    /// exchange resumes at once and no other is sent.
    func shutDown(for end: NFCSessionEnd?) {
        let waiting: CheckedContinuation<Data, Error>? = lock.locked {
            if ended == nil { ended = .some(end) }
            closing = nil
            defer { pending = nil }
            return pending?.answer
        }
        waiting?.resume(throwing: NFCSessionLink.error(for: end))
    }

    private static func error(for end: NFCSessionEnd?) -> LinkError {
        switch end {
        case .sessionTimeout?, .systemBusy?: return .Timeout
        default: return .TagLost
        }
    }
}
