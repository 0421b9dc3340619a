// The library's NFC session (`MynaNFCSession`) driven by a reader double that behaves like
// CoreNFC's `NFCTagReaderSession` (events on its own queue, a report after the app's own
// invalidate, pending commands failing when the session ends) and a tag that forwards each APDU
// to the emulated card: every way a session ends, cancellation, the sheet's texts and the time
// budget.

import Foundation
import MynaSign
import XCTest

/// A tag forwarding to the emulator; it can block a command until released or until the
/// session ends (as a card that does not answer).
final class EmulatorTag: NFCCardTag, @unchecked Sendable {
    let emulator: Emulator
    private let lock = NSLock()
    private var commands: [Data] = []
    private var blockOn: UInt8?
    private var waiting: CheckedContinuation<Void, Never>?
    private var ended = false

    init(_ emulator: Emulator) {
        self.emulator = emulator
    }

    var isISO7816: Bool { true }

    /// The next command with instruction byte `ins` (and data, for VERIFY) waits.
    func block(ins: UInt8) {
        locked { blockOn = ins }
    }

    var sent: [Data] { locked { commands } }
    var isBlocked: Bool { locked { waiting != nil } }

    /// Lets a blocked command reach the card.
    func release() {
        let w: CheckedContinuation<Void, Never>? = locked {
            defer { waiting = nil }
            return waiting
        }
        w?.resume()
    }

    /// The reader session ended: a pending command fails (CoreNFC: session invalidated).
    func sessionEnded() {
        locked { ended = true }
        release()
    }

    func sendCommand(_ apdu: Data) async throws -> Data {
        let ins = apdu.count > 1 ? apdu[apdu.startIndex + 1] : 0
        let blocks = locked { () -> Bool in
            if ended { return false }
            if blockOn == ins, ins != 0x20 || apdu.count > 5 {
                blockOn = nil
                return true
            }
            return false
        }
        if blocks {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                locked { waiting = c }
            }
        }
        if locked({ ended }) { throw LinkError.TagLost }
        locked { commands.append(apdu) }
        return try emulator.transceive(command: apdu)
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// A tag forwarding to the emulator that records the priority each command is sent at.
final class PriorityTag: NFCCardTag, @unchecked Sendable {
    let emulator: Emulator
    private let lock = NSLock()
    private var seen: [TaskPriority] = []

    init(_ emulator: Emulator) {
        self.emulator = emulator
    }

    var isISO7816: Bool { true }
    var priorities: [TaskPriority] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    func sendCommand(_ apdu: Data) async throws -> Data {
        record(Task.currentPriority)
        return try emulator.transceive(command: apdu)
    }

    private func record(_ priority: TaskPriority) {
        lock.lock()
        seen.append(priority)
        lock.unlock()
    }
}

/// A FeliCa or MIFARE tag: not ISO 7816.
final class OtherTag: NFCCardTag, @unchecked Sendable {
    var isISO7816: Bool { false }
    func sendCommand(_ apdu: Data) async throws -> Data { throw LinkError.TagLost }
}

/// An ISO 7816 card without the JPKI application (a credit card): every command is answered
/// 6A82, "file or application not found" (ISO/IEC 7816-4, the SELECT of an absent AID).
final class ForeignCardTag: NFCCardTag, @unchecked Sendable {
    var isISO7816: Bool { true }
    func sendCommand(_ apdu: Data) async throws -> Data { Data([0x6A, 0x82]) }
}

/// A reader behaving like `NFCTagReaderSession`: it becomes active once after `begin` (unless
/// told it never does, as a session iOS refuses), and each poll (`begin`, `restartPolling`)
/// takes the next scripted outcome, delivered on the reader's own queue.
final class FakeReader: NFCReaderDriving, @unchecked Sendable {
    enum Poll {
        case tags([NFCCardTag])
        case end(NFCSessionEnd)
        case wait
    }

    private weak var events: NFCReaderEvents?
    private let queue = DispatchQueue(label: "fake-reader")
    private let lock = NSLock()
    private var polls: [Poll]
    private var texts: [String] = []
    private var ends: [String?] = []
    private var beginCount = 0
    private var restartCount = 0
    private var connectFailures: Int
    private var tags: [EmulatorTag] = []

    private let onBegin: (@Sendable () -> Void)?
    private let beforeActive: (@Sendable () -> Void)?
    private let activates: Bool

    /// `beforeActive` runs between `begin` and the session becoming active (iOS queued the
    /// session), `onBegin` once it is active, before the first poll (a test moves its clock).
    init(events: NFCReaderEvents, polls: [Poll], connectFailures: Int = 0, activates: Bool = true,
         beforeActive: (@Sendable () -> Void)? = nil, onBegin: (@Sendable () -> Void)? = nil) {
        self.events = events
        self.polls = polls
        self.connectFailures = connectFailures
        self.activates = activates
        self.beforeActive = beforeActive
        self.onBegin = onBegin
    }

    var alertMessage: String {
        get { locked { texts.last ?? "" } }
        set { locked { texts.append(newValue) } }
    }

    /// Every text the sheet showed, in order.
    var alerts: [String] { locked { texts } }
    /// The app's invalidations: nil for success, else the error message.
    var invalidations: [String?] { locked { ends } }
    var begins: Int { locked { beginCount } }
    var restarts: Int { locked { restartCount } }

    func begin() {
        locked { beginCount += 1 }
        beforeActive?()
        if activates { queue.sync { self.events?.readerDidBecomeActive() } }
        onBegin?()
        poll()
    }

    func restartPolling() {
        locked { restartCount += 1 }
        poll()
    }

    func connect(to tag: NFCCardTag) async throws {
        let fail = locked { () -> Bool in
            if connectFailures > 0 {
                connectFailures -= 1
                return true
            }
            return false
        }
        if fail { throw LinkError.TagLost }
    }

    func invalidate(errorMessage: String?) {
        let detected = locked { () -> [EmulatorTag] in
            ends.append(errorMessage)
            return tags
        }
        detected.forEach { $0.sessionEnded() }
        // CoreNFC reports the app's own invalidation to the delegate too.
        queue.async { self.events?.readerDidInvalidate(.userCanceled) }
    }

    /// The platform ends the session (Cancel on the sheet, the time limit, a busy system).
    func end(_ reason: NFCSessionEnd) {
        let detected = locked { tags }
        queue.async {
            self.events?.readerDidInvalidate(reason)
            detected.forEach { $0.sessionEnded() }
        }
    }

    private func poll() {
        let next: Poll = locked { polls.isEmpty ? .wait : polls.removeFirst() }
        switch next {
        case .wait:
            return
        case let .end(reason):
            end(reason)
        case let .tags(found):
            locked { tags += found.compactMap { $0 as? EmulatorTag } }
            queue.async { self.events?.readerDidDetect(found) }
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// A clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: TimeInterval = 1000

    var now: TimeInterval {
        lock.lock()
        defer { lock.unlock() }
        return seconds
    }

    func advance(_ s: TimeInterval) {
        lock.lock()
        seconds += s
        lock.unlock()
    }
}

final class NFCSessionTests: XCTestCase {
    var emulator: Emulator!
    var tag: EmulatorTag!
    var clock: TestClock!
    var log = ReaderLog()
    var sleeps = SleepLog()

    override func setUp() {
        // The sheet follows Myna.language (the device's by default): the tests fix it.
        Myna.language = "ja"
        emulator = Emulator(seed: 1, profile: .myNumberCard)
        tag = EmulatorTag(emulator)
        clock = TestClock()
        log = ReaderLog()
        sleeps = SleepLog()
    }

    override func tearDown() {
        Myna.language = nil
    }

    /// A session whose readers follow `polls` (a fresh log: `reader` is its first reader); its
    /// waits before polling again go to `sleeps`, which answers at once unless gated.
    func session(_ polls: [FakeReader.Poll], language: MynaNFCSession.Language = .japanese,
                 connectFailures: Int = 0, activates: Bool = true, beforeActive: (@Sendable () -> Void)? = nil,
                 onBegin: (@Sendable () -> Void)? = nil) -> MynaNFCSession {
        let clock = self.clock!
        let log = ReaderLog()
        let sleeps = self.sleeps
        self.log = log
        return MynaNFCSession(language: language, clock: { clock.now }, sleeper: { await sleeps.sleep($0) }) { events in
            log.add(FakeReader(events: events, polls: polls, connectFailures: connectFailures, activates: activates,
                               beforeActive: beforeActive, onBegin: onBegin))
        }
    }

    var reader: FakeReader { log.first! }

    func document() throws -> ConsentDocument {
        try consentDocument()
    }

    let ja = NFCSheetTextsForTests(japanese: true)
    let en = NFCSheetTextsForTests(japanese: false)

    // MARK: Success, progress on the sheet

    func testSignsAConsentWithEachStepOnTheSheet() async throws {
        let s = session([.tags([tag])])
        let steps = StepLog()
        let signed = try await s.signConsent(document: try document(), password: emulator.password) { steps.add($0) }
        XCTAssertNoThrow(try verifyConsent(cms: signed.cms(), options: trustEmulator(emulator)))
        await MainActor.run {}  // the steps reach the app on the main queue, in order: after them
        let progress = steps.all
        XCTAssertEqual(progress.map { $0.step }.last, .signing)
        XCTAssertGreaterThanOrEqual(progress.count, 4)
        XCTAssertEqual(reader.alerts, [ja.prompt] + progress.map { $0.messageJa } + [ja.done])
        XCTAssertEqual(reader.invalidations, [nil], "success: invalidate() without an error message")
        XCTAssertEqual(reader.begins, 1)
        XCTAssertEqual(tag.sent.count, Int(signed.counts().exchanges))
    }

    func testTheSheetSpeaksEnglishWhenAsked() async throws {
        let s = session([.tags([tag])], language: .english)
        let steps = StepLog()
        let report = try await s.readPinStatus { steps.add($0) }
        await MainActor.run {}
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        XCTAssertEqual(reader.alerts, [en.prompt] + steps.all.map { $0.messageEn } + [en.done])
        XCTAssertFalse(reader.alerts.contains(where: isJapanese))
    }

    func testAFailureEndsTheSheetWithTheErrorText() async throws {
        for language in [MynaNFCSession.Language.japanese, .english] {
            let s = session([.tags([EmulatorTag(emulator)])], language: language)
            let e = await mynaError { try await s.signConsent(document: try self.document(), password: Array("WRONG1".utf8)) }
            guard case .WrongPin(pin: .signaturePassword, remaining: 4)? = e else { return XCTFail("got \(String(describing: e))") }
            let expected = language == .japanese ? "署名用パスワードが違います。残り4回です。" : "Wrong signature password: 4 attempts left."
            XCTAssertEqual(reader.invalidations, [expected])
            let fresh = EmulatorTag(emulator)
            _ = try await MynaNFCSession(reader: { FakeReader(events: $0, polls: [.tags([fresh])]) })
                .signConsent(document: try document(), password: emulator.password)  // resets the counter
        }
    }

    /// The app's progress callback runs on the main actor (it may touch the UI), each step in
    /// order, and the tasks sending the commands run at the caller's priority, not below.
    func testProgressOnTheMainActorAndTheCallersPriority() async throws {
        let tag = PriorityTag(emulator)
        let s = session([.tags([tag])])
        let offMain = Counter()
        let steps = StepLog()
        let task = Task(priority: .userInitiated) {
            try await s.signConsent(document: try self.document(), password: self.emulator.password) { step in
                if !Thread.isMainThread { offMain.add() }
                steps.add(step)
            }
        }
        _ = try await task.value
        await MainActor.run {}
        XCTAssertEqual(offMain.value, 0, "every step on the main thread")
        XCTAssertEqual(steps.all.map(\.index), Array(1...Int32(steps.all.count)), "in order")
        XCTAssertEqual(steps.all.last?.step, .signing)
        XCTAssertFalse(tag.priorities.isEmpty)
        XCTAssertTrue(tag.priorities.allSatisfy { $0 >= .userInitiated }, "\(tag.priorities.map(\.rawValue))")
    }

    // MARK: How the platform ends a session

    func testCancelOnTheSheetWhileWaitingIsCancelled() async throws {
        let s = session([.end(.userCanceled)])
        let e = await mynaError { try await s.signConsent(document: try self.document(), password: self.emulator.password) }
        guard case .Cancelled(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(reader.invalidations, [], "the platform closed the sheet itself")
        XCTAssertTrue(tag.sent.isEmpty)
    }

    func testCancelOnTheSheetDuringAnExchangeIsCancelledNotTagLost() async throws {
        let (_, task) = try await signingHeldAtTheSignature()
        reader.end(.userCanceled)
        let e = await mynaError { try await task.value }
        guard case .Cancelled(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertFalse(tag.sent.contains { $0.count > 1 && $0[1] == 0x2A }, "the signature command never reached the card")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    func testSessionTimeoutIsTimeoutWithAdvice() async throws {
        let s = session([.end(.sessionTimeout)])
        let e = await mynaError { try await s.readPinStatus() }
        guard case .Timeout? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertNotNil(e?.recoveryJa())
        XCTAssertNotNil(e?.recoveryEn())
        XCTAssertTrue(e?.retrySafe() ?? false)
    }

    /// Each way iOS ends a session before the card is read is its own outcome, with its own
    /// text in both languages; the sheet was closed by iOS, so the app does not invalidate it.
    func testEachSessionEndIsItsOwnOutcome() async throws {
        let cases: [(String, NFCSessionEnd, Bool, MynaNFCError, String, String)] = [
            ("202 before active", .terminatedUnexpectedly, false, .misconfigured(code: 202),
             "このアプリはカードを読み取れるように設定されていません。アプリの提供元にお問い合わせください。",
             "This app is not set up to read the card. Contact the app's provider."),
            ("1", .unsupportedFeature, false, .misconfigured(code: 1),
             "このアプリはカードを読み取れるように設定されていません。アプリの提供元にお問い合わせください。",
             "This app is not set up to read the card. Contact the app's provider."),
            ("2", .securityViolation, false, .misconfigured(code: 2),
             "このアプリはカードを読み取れるように設定されていません。アプリの提供元にお問い合わせください。",
             "This app is not set up to read the card. Contact the app's provider."),
            ("202 once active", .terminatedUnexpectedly, true, .interrupted,
             "読み取りが中断されました。アプリを開いたまま、もう一度お試しください。",
             "Reading was interrupted. Keep the app open and try again."),
            ("203", .systemBusy, true, .systemBusy,
             "iPhoneが別の読み取りを行っているため、始められませんでした。少し待ってから、もう一度お試しください。",
             "The iPhone is busy with another reading and could not start. Wait a moment and try again."),
        ]
        for (name, end, activates, expected, ja, en) in cases {
            let s = session([.end(end)], activates: activates)
            do {
                _ = try await s.readPinStatus()
                XCTFail("\(name): read a card")
            } catch let e as MynaNFCError {
                XCTAssertEqual(e, expected, name)
                XCTAssertEqual(e.messageJa(), ja, name)
                XCTAssertEqual(e.messageEn(), en, name)
            }
            XCTAssertEqual(reader.invalidations, [], "\(name): iOS closed the sheet itself")
        }
        let diagnostic = try XCTUnwrap(MynaNFCError.misconfigured(code: 202).diagnostic)
        for name in ["com.apple.developer.nfc.readersession.formats", "NFCReaderUsageDescription",
                     "com.apple.developer.nfc.readersession.iso7816.select-identifiers"] {
            XCTAssertTrue(diagnostic.contains(name), name)
        }
        XCTAssertNil(MynaNFCError.interrupted.diagnostic)
        // The holder's text never shows the developer's diagnostic.
        XCTAssertFalse(MynaNFCError.misconfigured(code: 202).messageEn().contains("Info.plist"))
    }

    func testAnInterruptionDuringAnExchangeIsAnInterruption() async throws {
        tag.block(ins: 0xB0)
        let s = session([.tags([tag])])
        let pin = [UInt8](emulator.cardInfoPin())
        let task = Task { try await s.readBasicAttributes(pin: pin) }
        await waitUntil { self.tag.isBlocked }
        reader.end(.terminatedUnexpectedly)
        do {
            _ = try await task.value
            XCTFail("read the attributes")
        } catch let e as MynaNFCError {
            XCTAssertEqual(e, .interrupted)
        }
    }

    func testSessionTimeoutDuringAnExchangeIsTimeout() async throws {
        tag.block(ins: 0xB0)
        let s = session([.tags([tag])])
        let pin = [UInt8](emulator.cardInfoPin())
        let task = Task { try await s.readBasicAttributes(pin: pin) }
        await waitUntil { self.tag.isBlocked }
        reader.end(.sessionTimeout)
        let e = await mynaError { try await task.value }
        guard case .Timeout? = e else { return XCTFail("got \(String(describing: e))") }
    }

    // MARK: Wrong tags

    func testAWrongTagRestartsPollingWithAMessage() async throws {
        let s = session([.tags([OtherTag()]), .tags([tag])])
        let report = try await s.readPinStatus()
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        XCTAssertEqual(reader.restarts, 1)
        XCTAssertEqual(reader.alerts[1], ja.notMyNumberCard)
        XCTAssertEqual(reader.invalidations, [nil])
    }

    /// Wrong tags never end the session: however many, each shows its message and polling
    /// restarts; the right card then reads.
    func testWrongTagsNeverEndTheSession() async throws {
        let wrong = Array(repeating: FakeReader.Poll.tags([OtherTag()]), count: 5)
        let s = session(wrong + [.tags([tag])])
        let report = try await s.readPinStatus()
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        XCTAssertEqual(reader.restarts, wrong.count)
        XCTAssertEqual(reader.alerts.filter { $0 == ja.notMyNumberCard }.count, wrong.count)
        XCTAssertEqual(reader.invalidations, [nil])
    }

    /// Only the session's own limit ends a session of wrong tags, and it is a timeout.
    func testWrongTagsUntilTheSessionLimitIsATimeout() async throws {
        let wrong = Array(repeating: FakeReader.Poll.tags([OtherTag()]), count: 4)
        let s = session(wrong + [.end(.sessionTimeout)])
        let e = await mynaError { try await s.readPinStatus() }
        guard case .Timeout? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(reader.restarts, wrong.count)
        XCTAssertEqual(reader.invalidations, [], "iOS closed the sheet itself")
        XCTAssertTrue(tag.sent.isEmpty)
    }

    func testATimeoutAfterAWrongTagIsATimeout() async throws {
        let s = session([.tags([OtherTag()]), .end(.sessionTimeout)])
        let e = await mynaError { try await s.readPinStatus() }
        guard case .Timeout? = e else { return XCTFail("got \(String(describing: e))") }
    }

    func testPollingRestartsOnlyAfterTheDelay() async throws {
        sleeps.gate()
        let s = session([.tags([OtherTag()]), .tags([tag])])
        let task = Task { try await s.readPinStatus() }
        await waitUntil { self.sleeps.requested.count == 1 }
        XCTAssertEqual(sleeps.requested, [MynaNFCSession.restartDelay])
        XCTAssertEqual(MynaNFCSession.restartDelay, 0.5)
        XCTAssertEqual(reader.restarts, 0, "not while the delay runs")
        XCTAssertEqual(reader.alerts.last, ja.notMyNumberCard, "the message shows during the delay")
        sleeps.open()
        _ = try await task.value
        XCTAssertEqual(reader.restarts, 1)
    }

    func testSeveralTagsRestartPollingWithAMessage() async throws {
        let s = session([.tags([tag, OtherTag()]), .tags([tag])], language: .english)
        _ = try await s.readPinStatus()
        XCTAssertEqual(reader.restarts, 1)
        XCTAssertEqual(reader.alerts[1], en.severalCards)
        XCTAssertEqual(reader.invalidations, [nil])
        XCTAssertEqual(sleeps.requested, [MynaNFCSession.restartDelay])
    }

    /// A transit card in the same case: found together with the My Number Card, again and
    /// again, until the holder takes the right card alone. No strike, however often.
    func testSeveralTagsAreNoStrike() async throws {
        let many = Array(repeating: FakeReader.Poll.tags([EmulatorTag(emulator), OtherTag()]), count: 6)
        let s = session(many + [.tags([tag])])
        let report = try await s.readPinStatus()
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        XCTAssertEqual(reader.restarts, many.count)
    }

    func testSeveralTagsUntilTheSessionLimitIsATimeout() async throws {
        let s = session([.tags([tag, OtherTag()]), .tags([tag, OtherTag()]), .end(.sessionTimeout)])
        let e = await mynaError { try await s.readPinStatus() }
        guard case .Timeout? = e else { return XCTFail("got \(String(describing: e))") }
    }

    func testAFailedConnectionPollsAgain() async throws {
        let s = session([.tags([tag]), .tags([tag])], connectFailures: 1)
        _ = try await s.readPinStatus()
        XCTAssertEqual(reader.restarts, 1)
        XCTAssertEqual(reader.alerts[1], ja.connectFailed)
    }

    // MARK: Cancellation by the app

    /// Waits until the sheet is up, cancels with `cancel`, expects `Cancelled` and the sheet
    /// closed with the cancellation text.
    func assertCancelledWhileWaiting(_ cancel: (MynaNFCSession, Task<PinStatusReport, Error>) -> Void,
                                     file: StaticString = #filePath, line: UInt = #line) async {
        let s = session([.wait])
        let task = Task { try await s.readPinStatus() }
        await waitUntil { (self.log.first?.begins ?? 0) == 1 }
        cancel(s, task)
        let e = await mynaError { try await task.value }
        guard case .Cancelled(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))", file: file, line: line) }
        XCTAssertEqual(reader.invalidations, [ja.cancelled], file: file, line: line)
        XCTAssertTrue(tag.sent.isEmpty, file: file, line: line)
    }

    func testCancelWhileWaitingForACard() async throws {
        await assertCancelledWhileWaiting { session, _ in session.cancel() }
    }

    func testTaskCancellationWhileWaitingForACard() async throws {
        await assertCancelledWhileWaiting { _, task in task.cancel() }
    }

    /// Starts a signing whose COMPUTE DIGITAL SIGNATURE the card holds unanswered, and returns
    /// once it is held.
    func signingHeldAtTheSignature() async throws -> (MynaNFCSession, Task<SignedConsent, Error>) {
        tag.block(ins: 0x2A)
        let s = session([.tags([tag])])
        let document = try document()
        let password = emulator.password
        let task = Task { try await s.signConsent(document: document, password: password) }
        await waitUntil { self.tag.isBlocked }
        return (s, task)
    }

    /// Blocks the card's signature, cancels with `cancel`, expects `Cancelled`, nothing sent
    /// after it, the sheet closed with the cancellation text, the counter untouched.
    func assertCancelledDuringAnExchange(_ cancel: (MynaNFCSession, Task<SignedConsent, Error>) -> Void,
                                         file: StaticString = #filePath, line: UInt = #line) async throws {
        let (s, task) = try await signingHeldAtTheSignature()
        let before = tag.sent.count
        cancel(s, task)
        let e = await mynaError { try await task.value }
        guard case .Cancelled(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))", file: file, line: line) }
        XCTAssertEqual(tag.sent.count, before, "nothing sent after the cancellation", file: file, line: line)
        XCTAssertEqual(reader.invalidations, [ja.cancelled], file: file, line: line)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5, file: file, line: line)
    }

    func testTaskCancellationDuringAnExchange() async throws {
        try await assertCancelledDuringAnExchange { _, task in task.cancel() }
    }

    func testCancelDuringAnExchange() async throws {
        try await assertCancelledDuringAnExchange { session, _ in session.cancel() }
    }

    func testCancelDuringVerifyLetsTheVerifyComplete() async throws {
        tag.block(ins: 0x20)
        let s = session([.tags([tag])])
        let document = try document()
        let task = Task { try await s.signConsent(document: document, password: Array("WRONG1".utf8)) }
        await waitUntil { self.tag.isBlocked }
        s.cancel()
        try await Task.sleep(nanoseconds: 100_000_000)
        XCTAssertEqual(reader.invalidations, [], "the session stays open while the VERIFY is in flight")
        tag.release()
        let e = await mynaError { try await task.value }
        XCTAssertNotNil(e)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 4, "the VERIFY reached the card and was counted")
        XCTAssertFalse(tag.sent.contains { $0.count > 1 && $0[1] == 0x2A }, "nothing signed after the cancellation")
        XCTAssertEqual(reader.invalidations.count, 1)
    }

    // MARK: The time budget

    func testAFlowThatCannotFinishInTheTimeLeftIsNotStarted() async throws {
        let clock = self.clock!
        let needed = NFCFlowKind.signConsent.budgetSeconds
        // The holder found the antenna spot after the session had only `needed - 1` s left.
        let s = session([.tags([tag])], onBegin: { clock.advance(NFCTiming.sessionLimitSeconds - needed + 1) })
        do {
            _ = try await s.signConsent(document: try document(), password: emulator.password)
            XCTFail("started a flow that cannot finish")
        } catch let e as MynaNFCError {
            XCTAssertEqual(e, .sessionTimeTooShort(secondsLeft: Int((needed - 1).rounded(.down)), secondsNeeded: Int(needed.rounded(.up))))
            XCTAssertEqual(reader.invalidations, [e.failureJa()])
        }
        XCTAssertTrue(tag.sent.isEmpty, "nothing sent to the card")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)

        // With the budget left, the same flow runs.
        let enough = session([.tags([EmulatorTag(emulator)])], onBegin: { clock.advance(NFCTiming.sessionLimitSeconds - needed - 1) })
        _ = try await enough.signConsent(document: try document(), password: emulator.password)
        XCTAssertEqual(reader.invalidations, [nil])
    }

    func testTheBudgetCountsFromWhenTheSessionBecameActive() async throws {
        let clock = self.clock!
        let needed = NFCFlowKind.signConsent.budgetSeconds
        // iOS queued the session: it became active so long after `begin` that, counted from
        // `begin`, the flow would not fit; the card came at once.
        let s = session([.tags([tag])], beforeActive: { clock.advance(NFCTiming.sessionLimitSeconds - needed + 1) })
        _ = try await s.signConsent(document: try document(), password: emulator.password)
        XCTAssertEqual(reader.invalidations, [nil])
    }

    func testBudgetsCoverTheMeasuredExchanges() async throws {
        var measured: [String] = []
        for plain in [false, true] {
            let card = plain ? Emulator.newPlain(seed: 1, profile: .myNumberCard) : Emulator(seed: 1, profile: .myNumberCard)
            func count(_ kind: NFCFlowKind, _ body: (MynaNFCSession) async throws -> Void) async throws {
                let tag = EmulatorTag(card)
                try await body(MynaNFCSession(reader: { FakeReader(events: $0, polls: [.tags([tag])]) }))
                XCTAssertLessThanOrEqual(tag.sent.count, kind.maxExchanges, "\(kind) sent \(tag.sent.count) (plain: \(plain))")
                measured.append("\(kind.rawValue)\(plain ? " (short APDUs)" : ""): \(tag.sent.count)")
            }
            let document = try consentDocument()
            try await count(.readPinStatus) { _ = try await $0.readPinStatus() }
            try await count(.signConsent) { _ = try await $0.signConsent(document: document, password: card.password) }
            try await count(.signConsentWithCaCertificate) {
                _ = try await $0.signConsent(document: document, password: card.password, options: SignOptions(includeCaCertificate: true))
            }
            try await count(.readBasicAttributes) { _ = try await $0.readBasicAttributes(pin: [UInt8](card.cardInfoPin())) }
            try await count(.checkLinkage) { session in
                _ = try await session.run(.checkLinkage) { link, listener, handle in
                    try await checkLinkage(
                        link: link, cardInfoPin: try PinCode(pin: .cardInfoPin, value: card.cardInfoPin()),
                        signaturePassword: try PinCode.of(.signaturePassword, card.password),
                        options: PinOptions(), listener: listener, cancel: handle)
                }
            }
            let login = try LoginVerifier(
                verifier: try Verifier(options: VerifierOptions(
                    trust: nil, rootsDer: card.rootCertificatesDer(), crls: [], maxSkewSeconds: nil,
                    allowUncheckedRevocation: true, signatureRootsDer: [], authenticationRootsDer: [])),
                service: "https://login.example.jp", lifetimeSeconds: nil)
            try await count(.logIn) { session in
                _ = try await session.run(.logIn) { link, listener, handle in
                    try await loginOnCard(
                        link: link, challengeJson: try login.issueChallenge(session: "s", raw: false),
                        service: "https://login.example.jp",
                        pin: try PinCode(pin: .authenticationPin, value: card.authenticationPin()),
                        options: PinOptions(), listener: listener, cancel: handle)
                }
            }
        }
        print("exchanges per flow on the emulated card: \(measured.joined(separator: "; "))")
        for kind in NFCFlowKind.allCases {
            XCTAssertLessThan(kind.budgetSeconds, NFCTiming.sessionLimitSeconds / 2, "\(kind) leaves the holder half the session")
        }
    }

    // MARK: Texts

    func testErrorDescriptionsInBothLanguages() async throws {
        let tooShort = MynaNFCError.sessionTimeTooShort(secondsLeft: 8, secondsNeeded: 13)
        Myna.language = "ja"
        XCTAssertEqual(tooShort.errorDescription, "読み取りの残り時間（約8秒）では、この処理（約13秒）を終えられないため、始めませんでした。")
        XCTAssertEqual(tooShort.recoverySuggestion, "もう一度始めて、すぐにカードをiPhoneの上部に当ててください。")
        XCTAssertEqual(MynaNFCError.nfcUnavailable.localizedDescription, "この端末ではカードを読み取れません。")
        Myna.language = "en"
        XCTAssertEqual(tooShort.errorDescription, "Not started: the reading session has about 8 s left, and this takes about 13 s.")
        XCTAssertEqual(tooShort.recoverySuggestion, "Start again and hold the card to the top of the iPhone straight away.")
        XCTAssertEqual("\(tooShort)", tooShort.messageEn())
        XCTAssertFalse("\(tooShort)".contains("MynaNFCError"))

        // The errors a session produces, as the holder reads them.
        var produced: [(String, MynaError)] = []
        for (name, polls) in [("cancel", [FakeReader.Poll.end(.userCanceled)]), ("timeout", [.end(.sessionTimeout)]),
                              ("another ISO 7816 card", [.tags([ForeignCardTag()])])] {
            if let e = await mynaError({ try await self.session(polls).readPinStatus() }) { produced.append((name, e)) }
        }
        XCTAssertEqual(produced.map { $0.1.code() }, [.cancelled, .timeout, .notMyNumberCard])
        for (name, e) in produced {
            Myna.language = "ja"
            XCTAssertTrue(isJapanese(e.localizedDescription), name)
            Myna.language = "en"
            XCTAssertFalse(isJapanese(e.localizedDescription), name)
        }
        Myna.language = "en"
        XCTAssertEqual(produced[0].1.localizedDescription, "Cancelled.")
        XCTAssertEqual(produced[1].1.recoverySuggestion, "Hold the card still against the phone and try again.")
        XCTAssertEqual(produced[2].1.localizedDescription, "This is not a My Number Card.")
        Myna.language = nil
    }

    func testWithoutAnNFCReaderEveryFlowSaysSo() async throws {
        // Linux has no CoreNFC reader (the adapter is compiled against a stub that reports none).
        do {
            _ = try await MynaNFCSession().readPinStatus()
            XCTFail("read a card without a reader")
        } catch let e as MynaNFCError {
            XCTAssertEqual(e, .nfcUnavailable)
        }
    }

    // MARK: Step by step

    func testWithCardReleasesTheSessionWhenTheBodyThrows() async throws {
        struct Refused: Error {}
        let emulator = self.emulator!
        let log = ReaderLog()
        let s = MynaNFCSession(sleeper: { _ in }) { events in log.add(FakeReader(events: events, polls: [.tags([EmulatorTag(emulator)])])) }
        do {
            _ = try await s.withCard(for: .readPinStatus) { link, cancel in
                _ = try await readPinStatus(link: link, cancel: cancel)
                throw Refused()
            }
            XCTFail("the body's error was lost")
        } catch is Refused {}
        XCTAssertEqual(log.first?.invalidations, ["カードを読み取れませんでした。"])
        let report = try await s.withCard(for: .readPinStatus) { link, cancel in
            try await readPinStatus(link: link, cancel: cancel)
        }
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        XCTAssertEqual(log.all.count, 2, "a second reader session: the first was released")
        XCTAssertEqual(log.all.last?.invalidations, [nil])
    }

    func testCancelInsideWithCardIsCancelled() async throws {
        tag.block(ins: 0x2A)
        let s = session([.tags([tag])])
        let document = try document()
        let password = Data(emulator.password)
        let task = Task {
            try await s.withCard(for: .signConsent) { link, cancel in
                try await signConsent(link: link, document: document, password: try PinCode(pin: .signaturePassword, value: password), options: SignOptions(), listener: nil, cancel: cancel)
            }
        }
        await waitUntil { self.tag.isBlocked }
        s.cancel()
        let e = await mynaError { try await task.value }
        guard case .Cancelled(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(reader.invalidations, [ja.cancelled])
        XCTAssertFalse(tag.sent.contains { $0.count > 1 && $0[1] == 0x2A }, "the signature command never reached the card")
    }

    func testCancelAfterConnectingClosesTheSheet() async throws {
        let s = session([.tags([tag])])
        let link = try await s.connect(for: .readPinStatus)
        s.cancel()
        XCTAssertEqual(reader.invalidations, [ja.cancelled], "the sheet closes at once")
        let e = await mynaError { try await readPinStatus(link: link) }
        guard case .Cancelled? = s.finish(e) as? MynaError else { return XCTFail("got \(String(describing: e))") }
        XCTAssertTrue(tag.sent.isEmpty)
        XCTAssertEqual(reader.invalidations, [ja.cancelled])
    }

    func testCancelStepByStepDuringAVerifyLetsItsAnswerReachTheFlow() async throws {
        tag.block(ins: 0x20)
        let s = session([.tags([tag])])
        let link = try await s.connect(for: .readBasicAttributes)
        let wrong = emulator.cardInfoPin() == Data("0000".utf8) ? Data("1111".utf8) : Data("0000".utf8)
        // A flow the app runs without the session's cancel handle.
        let code = try PinCode(pin: .cardInfoPin, value: wrong)
        let task = Task { try await readBasicAttributes(link: link, pin: code, options: PinOptions(), listener: nil, cancel: nil) }
        await waitUntil { self.tag.isBlocked }
        s.cancel()
        XCTAssertEqual(reader.invalidations, [], "the sheet stays while the VERIFY is in flight")
        tag.release()
        let e = await mynaError { try await task.value }
        guard case .WrongPin(pin: .cardInfoPin, remaining: _)? = e else { return XCTFail("got \(String(describing: e))") }
        // The session closes the sheet once the exchange's answer is handed on, on its own
        // thread: the flow's result can arrive first. Wait for it (bounded), then assert.
        await waitUntil { self.reader.invalidations == [self.ja.cancelled] }
        XCTAssertEqual(reader.invalidations, [ja.cancelled], "then it closes")
        guard case .WrongPin? = s.finish(e) as? MynaError else { return XCTFail("the attempt was not reported") }
        XCTAssertEqual(reader.invalidations, [ja.cancelled])
    }

    func testOneFlowAtATime() async throws {
        let s = session([.wait])
        let task = Task { try await s.readPinStatus() }
        await waitUntil { self.log.first != nil }
        let e = await mynaError { try await s.readPinStatus() }
        guard case .InvalidInput? = e else { return XCTFail("got \(String(describing: e))") }
        s.cancel()
        _ = await task.result
    }
}

/// An address-change consent to sign.
func consentDocument() throws -> ConsentDocument {
    let terms = try termsFromText(id: "t", version: "1", text: "利用規約の本文")
    return try ConsentDocument.addressChange(
        items: [.address], holderStatus: .myNumberLicenceOnly, terms: terms, channel: .licenceCentreKiosk,
        nonce: "nonce-0001", timestamp: nil)
}

/// The readers a session made.
final class ReaderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var readers: [FakeReader] = []

    func add(_ reader: FakeReader) -> FakeReader {
        lock.lock()
        readers.append(reader)
        lock.unlock()
        return reader
    }

    var first: FakeReader? {
        lock.lock()
        defer { lock.unlock() }
        return readers.first
    }

    var all: [FakeReader] {
        lock.lock()
        defer { lock.unlock() }
        return readers
    }
}

/// The waits a session asked for before polling again; answers at once, or, once gated, when
/// opened.
final class SleepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var durations: [TimeInterval] = []
    private var gated = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    var requested: [TimeInterval] { locked { durations } }

    func gate() { locked { gated = true } }

    func open() {
        let waiting: [CheckedContinuation<Void, Never>] = locked {
            gated = false
            defer { waiters = [] }
            return waiters
        }
        waiting.forEach { $0.resume() }
    }

    func sleep(_ seconds: TimeInterval) async {
        locked { durations.append(seconds) }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Bool = locked {
                if gated { waiters.append(c) }
                return !gated
            }
            if now { c.resume() }
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// The steps a flow reported.
final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [FlowProgress] = []

    func add(_ p: FlowProgress) {
        lock.lock()
        steps.append(p)
        lock.unlock()
    }

    var all: [FlowProgress] {
        lock.lock()
        defer { lock.unlock() }
        return steps
    }
}

/// The sheet texts the tests expect, written out (not read from the library).
struct NFCSheetTextsForTests {
    let japanese: Bool

    var prompt: String { japanese ? "マイナンバーカードをiPhoneの上部に当ててください。" : "Hold your My Number Card to the top of the iPhone." }
    var done: String { japanese ? "完了しました。" : "Done." }
    var notMyNumberCard: String { japanese ? "マイナンバーカードではありません。マイナンバーカードを当ててください。" : "This is not a My Number Card: hold your My Number Card." }
    var severalCards: String { japanese ? "カードが複数あります。マイナンバーカード1枚だけを当ててください。" : "Several cards found: hold only your My Number Card." }
    var connectFailed: String { japanese ? "カードに接続できませんでした。もう一度当ててください。" : "Could not connect to the card: hold it again." }
    var cancelled: String { japanese ? "中止しました。" : "Cancelled." }
}
