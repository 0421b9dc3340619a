// The async link (`AsyncCardLink`, given to a flow as `cardLinkFromAsync(link:)`) from Swift:
// the library awaits a Swift `async` transceive; cancelling the flow makes the library stop
// awaiting a call the link never answers and cancel it; the NFC session's link (async too)
// resumes an exchange the tag never answers when the session ends, and many sessions over
// suspending tags run at once without holding a thread of the concurrency pool each.

import Foundation
import MynaSign
import XCTest

/// An async link over the emulator, each answer after a suspension. With `holdSign`, COMPUTE
/// DIGITAL SIGNATURE (INS 2A) is answered only by the cancellation of the call, and `close()`
/// does not answer it (the worst app).
final class AsyncEmulatorLink: AsyncCardLink, @unchecked Sendable {
    let emulator: Emulator
    private let holdSign: Bool
    private let lock = NSLock()
    private var held: CheckedContinuation<Void, Never>?
    private var holding = false
    private var cancelled = false
    private var closes = 0
    private var count = 0

    init(_ emulator: Emulator, holdSign: Bool = false) {
        self.emulator = emulator
        self.holdSign = holdSign
    }

    var isHolding: Bool { locked { holding } }
    /// Whether the held call was cancelled (by the library, which stopped awaiting it).
    var heldCallCancelled: Bool { locked { cancelled } }
    var closeCalls: Int { locked { closes } }
    var sent: Int { locked { count } }

    func transceive(command: Data) async throws -> Data {
        let hold = locked { () -> Bool in
            count += 1
            return holdSign && command.count > 1 && command[command.startIndex + 1] == 0x2A
        }
        if hold {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    locked {
                        held = c
                        holding = true
                    }
                    if Task.isCancelled { cancelHeld() }
                }
            } onCancel: {
                self.cancelHeld()
            }
            throw LinkError.TagLost
        }
        try await Task.sleep(nanoseconds: 1_000_000)
        return try emulator.transceive(command: command)
    }

    private func cancelHeld() {
        let c: CheckedContinuation<Void, Never>? = locked {
            cancelled = true
            defer { held = nil }
            return held
        }
        c?.resume()
    }

    func supportsExtendedLength() -> Bool { emulator.supportsExtendedLength() }
    func maxTransceiveLength() -> Int32 { 0 }
    func close() { locked { closes += 1 } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// A tag whose answers come after a suspension (a radio round trip).
final class SuspendingTag: NFCCardTag, @unchecked Sendable {
    let emulator: Emulator
    init(_ emulator: Emulator) { self.emulator = emulator }
    var isISO7816: Bool { true }
    func sendCommand(_ apdu: Data) async throws -> Data {
        try await Task.sleep(nanoseconds: 2_000_000)
        return try emulator.transceive(command: apdu)
    }
}

/// A tag that never answers COMPUTE DIGITAL SIGNATURE, not even when the session ends (until
/// the test lets it go).
final class DeafTag: NFCCardTag, @unchecked Sendable {
    let emulator: Emulator
    private let lock = NSLock()
    private var held: CheckedContinuation<Void, Never>?

    init(_ emulator: Emulator) { self.emulator = emulator }
    var isISO7816: Bool { true }
    var isHolding: Bool {
        lock.lock()
        defer { lock.unlock() }
        return held != nil
    }

    func sendCommand(_ apdu: Data) async throws -> Data {
        if apdu.count > 1, apdu[apdu.startIndex + 1] == 0x2A {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                lock.lock()
                held = c
                lock.unlock()
            }
            throw LinkError.TagLost
        }
        return try emulator.transceive(command: apdu)
    }

    /// Ends the held command (the test's cleanup).
    func letGo() {
        lock.lock()
        let c = held
        held = nil
        lock.unlock()
        c?.resume()
    }
}

final class AsyncLinkTests: XCTestCase {
    func testAFlowAwaitsASwiftAsyncLink() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let link = AsyncEmulatorLink(emulator)
        let signed = try await Myna.signConsent(
            link: cardLinkFromAsync(link: link), document: try consentDocument(), password: emulator.password)
        XCTAssertNoThrow(try verifyConsent(cms: signed.cms(), options: trustEmulator(emulator)))
        XCTAssertEqual(link.sent, Int(signed.counts().exchanges))
        XCTAssertEqual(link.closeCalls, 0)
    }

    func testCancellingAFlowCancelsTheCallTheLinkNeverAnswers() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let link = AsyncEmulatorLink(emulator, holdSign: true)
        let document = try consentDocument()
        let password = emulator.password
        let task = Task { try await Myna.signConsent(link: cardLinkFromAsync(link: link), document: document, password: password) }
        await waitUntil { link.isHolding }
        task.cancel()
        let e = await mynaError { try await task.value }
        guard case .Cancelled(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(link.closeCalls, 1, "the library closed the link")
        await waitUntil { link.heldCallCancelled }
        XCTAssertTrue(link.heldCallCancelled, "the library stopped awaiting the held call and cancelled it")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    func testTheSessionEndResumesAnExchangeTheTagNeverAnswers() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let tag = DeafTag(emulator)
        defer { tag.letGo() }
        let log = ReaderLog()
        let s = MynaNFCSession { log.add(FakeReader(events: $0, polls: [.tags([tag])])) }
        let document = try consentDocument()
        let password = emulator.password
        let task = Task { try await s.signConsent(document: document, password: password) }
        await waitUntil { tag.isHolding }
        log.first?.end(.sessionTimeout)
        let e = await mynaError { try await task.value }
        guard case .Timeout? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertTrue(tag.isHolding, "the tag still has not answered")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    /// More sessions than the concurrency pool has threads, each tag suspending for every
    /// answer: if a session's link held a pool thread while waiting for its card, the pool
    /// would deadlock (the tags could not answer) and this fails at its deadline (a
    /// synchronous test, so that the wait itself needs no pool thread).
    func testManySessionsSignAtOnceOverSuspendingTags() throws {
        let flows = 3 * max(2, ProcessInfo.processInfo.activeProcessorCount)
        let done = expectation(description: "every session signed")
        let outcome = Outcome()
        Task.detached {
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for seed in 1...flows {
                        group.addTask {
                            let emulator = Emulator(seed: UInt64(seed), profile: .myNumberCard)
                            let tag = SuspendingTag(emulator)
                            let s = MynaNFCSession { FakeReader(events: $0, polls: [.tags([tag])]) }
                            let signed = try await s.signConsent(document: try consentDocument(), password: emulator.password)
                            _ = try verifyConsent(cms: signed.cms(), options: trustEmulator(emulator))
                            outcome.add(nil)
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                outcome.add(error)
            }
            done.fulfill()
        }
        wait(for: [done], timeout: 60)
        XCTAssertEqual(outcome.signed, flows)
        XCTAssertEqual(outcome.failures, [])
    }
}

/// What the concurrent sessions did.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var errors: [String] = []

    func add(_ error: Error?) {
        lock.lock()
        if let error { errors.append("\(error)") } else { count += 1 }
        lock.unlock()
    }

    var signed: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    var failures: [String] {
        lock.lock()
        defer { lock.unlock() }
        return errors
    }
}
