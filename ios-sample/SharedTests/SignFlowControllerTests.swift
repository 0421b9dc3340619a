// The iOS sample's shared flow controller, run on Linux against the emulator: the same state
// machine the SwiftUI screens follow, with the emulator behind the sample's own EmulatorLink.

import Foundation
import MynaSign
import SignFlow
import XCTest

/// Collects the states the controller went through (called on the flow's thread).
final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [SignFlowState] = []
    var onSigning: (@Sendable (SignStep) -> Void)?

    func record(_ s: SignFlowState) {
        lock.lock()
        all.append(s)
        let hook = onSigning
        lock.unlock()
        if case let .signing(p) = s { hook?(p.step) }
    }

    var states: [SignFlowState] {
        lock.lock()
        defer { lock.unlock() }
        return all
    }

    var signingSteps: [SignStep] {
        states.compactMap {
            if case let .signing(p) = $0, p.index > 0 { return p.step }
            return nil
        }
    }
}

final class SignFlowControllerTests: XCTestCase {
    let termsText = "住所変更ワンストップサービスの利用規約（サンプル）"
    var emulator: Emulator!
    var log: StateLog!
    var flow: SignFlowController!

    override func setUpWithError() throws {
        try super.setUpWithError()
        emulator = Emulator(seed: 7, profile: .myNumberCard)
        log = StateLog()
        let log = self.log!
        flow = try SignFlowController(
            connector: FixedLinkConnector(link: EmulatorLink(emulator: emulator)),
            termsId: "address-change-terms", termsVersion: "1", termsText: termsText,
            nonce: "sample-nonce-1", trust: .emulator, onChange: { log.record($0) })
    }

    func prompt() -> PinPrompt? {
        if case let .pinEntry(p) = flow.state { return p }
        return nil
    }

    func testTheWholeFlowSignsAndVerifies() throws {
        XCTAssertEqual(flow.state, .consent(notice: nil))
        XCTAssertEqual(flow.terms, try termsFromText(id: "address-change-terms", version: "1", text: termsText))
        flow.setItem(.name, selected: true)
        XCTAssertEqual(flow.selectedItems, [.address, .name])

        flow.agreeAndReadCard()
        XCTAssertEqual(prompt(), PinPrompt(remaining: 5, maxAttempts: 5, lastAttempt: false, notice: nil))

        flow.sign(password: emulator.signaturePassword().lowercased(), confirmLastAttempt: false)
        guard case let .done(result) = flow.state else {
            return XCTFail("expected done, got \(flow.state)")
        }
        XCTAssertEqual(result.exchanges, 6)
        XCTAssertEqual(result.source, .card)
        XCTAssertTrue(result.documentJson.contains("sample-nonce-1"))
        XCTAssertTrue(result.documentJson.contains(flow.terms.sha256Hex))
        let verified = try verifyConsent(cms: result.cms, trust: .emulator, atUnix: nil)
        guard case let .addressChange(items, _, terms, _, _, _) = verified.document else {
            return XCTFail("expected an address change")
        }
        XCTAssertEqual(items, [.address, .name])
        XCTAssertEqual(terms, flow.terms)

        XCTAssertEqual(log.signingSteps, [.connecting, .checkingPin, .verifyingPin, .readingCertificate, .signing])
        let kinds = log.states.map(Self.kind)
        XCTAssertEqual(kinds.first, "readingCard")
        XCTAssertEqual(Array(kinds.suffix(2)), ["verifyingResult", "done"])
    }

    func testEmptySelectionIsRefusedBeforeTheCard() {
        flow.setItem(.address, selected: false)
        let before = emulator.commandsProcessed()
        flow.agreeAndReadCard()
        guard case let .consent(notice?) = flow.state else {
            return XCTFail("expected the consent screen with a notice, got \(flow.state)")
        }
        XCTAssertEqual(notice.code, "EMPTY_SELECTION")
        XCTAssertEqual(emulator.commandsProcessed(), before)
    }

    func testWrongPasswordCountsDownThenWarnsBeforeTheLastAttempt() throws {
        flow.agreeAndReadCard()
        for expected in stride(from: UInt8(4), through: 1, by: -1) {
            flow.sign(password: "WRONG1", confirmLastAttempt: true)
            let p = try XCTUnwrap(prompt(), "expected the PIN screen, got \(flow.state)")
            XCTAssertEqual(p.remaining, expected)
            XCTAssertEqual(p.lastAttempt, expected == 1)
            XCTAssertEqual(p.notice?.code, "WRONG_PIN")
            XCTAssertTrue(p.notice?.ja.contains("残り\(expected)回") ?? false)
        }
        // The last attempt: nothing is sent until the holder confirms.
        let before = emulator.commandsProcessed()
        flow.sign(password: emulator.signaturePassword(), confirmLastAttempt: false)
        let p = try XCTUnwrap(prompt())
        XCTAssertTrue(p.lastAttempt)
        XCTAssertEqual(p.notice?.code, "LAST_ATTEMPT")
        XCTAssertEqual(emulator.commandsProcessed(), before)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 1)

        flow.sign(password: emulator.signaturePassword(), confirmLastAttempt: true)
        guard case .done = flow.state else { return XCTFail("expected done, got \(flow.state)") }
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    func testTheLastWrongEntryLocksAndTheNextReadSaysSo() throws {
        flow.agreeAndReadCard()
        for _ in 0..<5 { flow.sign(password: "WRONG1", confirmLastAttempt: true) }
        guard case let .pinBlocked(message) = flow.state else {
            return XCTFail("expected blocked, got \(flow.state)")
        }
        XCTAssertEqual(message.code, "WRONG_PIN")
        flow.agreeAndReadCard()
        guard case let .pinBlocked(again) = flow.state else {
            return XCTFail("expected blocked, got \(flow.state)")
        }
        XCTAssertEqual(again.code, "PIN_BLOCKED")
    }

    func testCancelWhileSigningLeavesTheCounterAlone() throws {
        flow.agreeAndReadCard()
        let flow = self.flow!
        log.onSigning = { @Sendable step in
            if step == .verifyingPin { flow.cancel() }
        }
        flow.sign(password: emulator.signaturePassword(), confirmLastAttempt: false)
        XCTAssertEqual(flow.state, .cancelled)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
        // Back to the card: the PIN screen again.
        flow.agreeAndReadCard()
        XCTAssertEqual(prompt()?.remaining, 5)
    }

    func testCardLeavingDuringVerifyAsksForAFreshRead() throws {
        flow.agreeAndReadCard()
        let emulator = self.emulator!
        log.onSigning = { @Sendable step in
            if step == .verifyingPin { emulator.loseNextResponse() }
        }
        flow.sign(password: "WRONG1", confirmLastAttempt: false)
        guard case let .failed(message, uncertain) = flow.state else {
            return XCTFail("expected failed, got \(flow.state)")
        }
        XCTAssertEqual(message.code, "TAG_LOST_DURING_VERIFY")
        XCTAssertTrue(uncertain)
        log.onSigning = nil
        flow.agreeAndReadCard()
        XCTAssertEqual(prompt()?.remaining, 4, "the attempt did count: the fresh read says so")
    }

    func testRunsFromDetachedTasks() async throws {
        let flow = self.flow!
        let password = emulator.signaturePassword()
        await Task.detached { flow.agreeAndReadCard() }.value
        await Task.detached { flow.sign(password: password, confirmLastAttempt: false) }.value
        guard case .done = flow.state else { return XCTFail("expected done, got \(flow.state)") }
    }

    static func kind(_ s: SignFlowState) -> String {
        switch s {
        case .consent: return "consent"
        case .readingCard: return "readingCard"
        case .pinEntry: return "pinEntry"
        case .pinBlocked: return "pinBlocked"
        case .signing: return "signing"
        case .verifyingResult: return "verifyingResult"
        case .done: return "done"
        case .cancelled: return "cancelled"
        case .failed: return "failed"
        }
    }
}
