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

    func record(_ s: SignFlowState) {
        lock.lock()
        all.append(s)
        lock.unlock()
    }

    var states: [SignFlowState] {
        lock.lock()
        defer { lock.unlock() }
        return all
    }

    var signingSteps: [FlowStep] {
        states.compactMap {
            if case let .signing(p) = $0, p.index > 0 { return p.step }
            return nil
        }
    }
}

/// The emulator behind a link that can block the card's signature (INS 2A) until the flow
/// closes the link, or lose the answer to a VERIFY with data after the card processed it.
final class ControlledLink: CardLink, @unchecked Sendable {
    let emulator: Emulator
    private let lock = NSLock()
    private let closedSignal = DispatchSemaphore(value: 0)
    private var blockSign = false
    private var loseVerify = false
    private var blockedNow = false
    private var closed = false

    init(_ emulator: Emulator) {
        self.emulator = emulator
    }

    func blockTheSignature() { with { blockSign = true } }
    func loseTheNextVerifyAnswer() { with { loseVerify = true } }
    var isBlocked: Bool { with { blockedNow } }
    var wasClosed: Bool { with { closed } }

    func transceive(command: Data) throws -> Data {
        let ins = command[command.startIndex + 1]
        let (block, lose) = with { () -> (Bool, Bool) in
            let b = blockSign && ins == 0x2A
            if b { blockedNow = true }
            let l = loseVerify && ins == 0x20 && command.count > 5
            if l { loseVerify = false }
            return (b, l)
        }
        if block {
            _ = closedSignal.wait(timeout: .now() + 20)
            throw LinkError.TagLost
        }
        let response = try emulator.transceive(command: command)
        if lose { throw LinkError.TagLost }
        return response
    }

    func supportsExtendedLength() -> Bool { emulator.supportsExtendedLength() }
    func maxTransceiveLength() -> Int32 { 0 }
    func close() {
        with { closed = true }
        closedSignal.signal()
    }

    private func with<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

final class SignFlowControllerTests: XCTestCase {
    let termsText = "住所変更ワンストップサービスの利用規約（サンプル）"
    var emulator: Emulator!
    var link: ControlledLink!
    var log: StateLog!
    var flow: SignFlowController!

    override func setUpWithError() throws {
        try super.setUpWithError()
        emulator = Emulator(seed: 7, profile: .myNumberCard)
        link = ControlledLink(emulator)
        log = StateLog()
        let log = self.log!
        flow = try SignFlowController(
            connector: FixedLinkConnector(link: link),
            termsId: "address-change-terms", termsVersion: "1", termsText: termsText,
            nonce: "sample-nonce-1",
            check: SignFlowController.verifying(VerifyConsentOptions(rootsDer: emulator.rootCertificatesDer(), crls: [emulator.crl()])),
            onChange: { log.record($0) })
    }

    var password: [UInt8] { [UInt8](emulator.signaturePassword()) }

    func prompt() -> PinPrompt? {
        if case let .pinEntry(p) = flow.state { return p }
        return nil
    }

    /// As an app ships (no verifier on the phone): the consent is signed and handed on for the
    /// service to verify, with what the signed consent itself says; no verifying step.
    func testAShippingAppSignsAndLeavesVerificationToTheService() async throws {
        let log = StateLog()
        let shipping = try SignFlowController(
            connector: FixedLinkConnector(link: ControlledLink(emulator)),
            termsId: "address-change-terms", termsVersion: "1", termsText: termsText,
            nonce: "sample-nonce-2", onChange: { log.record($0) })
        await shipping.agreeAndReadCard()
        await shipping.sign(password: password, confirmLastAttempt: false)
        guard case let .done(result) = shipping.state else { return XCTFail("expected done, got \(shipping.state)") }
        XCTAssertFalse(result.verifiedOnThePhone)
        XCTAssertFalse(log.states.map(Self.kind).contains("verifyingResult"))
        // What the service finds on receipt (revocation checked against the card's CRL).
        let verified = try verifyConsent(
            cms: result.cms, options: VerifyConsentOptions(rootsDer: emulator.rootCertificatesDer(), crls: [emulator.crl()]))
        XCTAssertEqual(result.issuanceNumber, verified.signer().issuanceNumber())
        XCTAssertEqual(result.documentJson, verified.documentJson())
        XCTAssertTrue(result.documentJson.contains("sample-nonce-2"))
    }

    func testTheWholeFlowSignsAndVerifies() async throws {
        XCTAssertEqual(flow.state, .consent(notice: nil))
        XCTAssertEqual(flow.terms, try termsFromText(id: "address-change-terms", version: "1", text: termsText))
        flow.setItem(.name, selected: true)
        XCTAssertEqual(flow.selectedItems, [.address, .name])

        await flow.agreeAndReadCard()
        XCTAssertEqual(prompt(), PinPrompt(remaining: 5, maxAttempts: 5, lastAttempt: false, notice: nil))

        let lower = Array(String(decoding: password, as: UTF8.self).lowercased().utf8)
        await flow.sign(password: lower, confirmLastAttempt: false)
        guard case let .done(result) = flow.state else {
            return XCTFail("expected done, got \(flow.state)")
        }
        XCTAssertEqual(result.exchanges, 6)
        XCTAssertEqual(result.source, .card)
        XCTAssertTrue(result.verifiedOnThePhone, "checked with the emulator's roots and CRL")
        XCTAssertTrue(result.documentJson.contains("sample-nonce-1"))
        XCTAssertTrue(result.documentJson.contains(flow.terms.sha256Hex))
        let verified = try verifyConsent(
            cms: result.cms,
            options: VerifyConsentOptions(rootsDer: emulator.rootCertificatesDer(), crls: [emulator.crl()]))
        XCTAssertEqual(verified.document().addressChangeFields()?.items, [.address, .name])
        XCTAssertEqual(verified.document().addressChangeFields()?.terms, flow.terms)

        XCTAssertEqual(log.signingSteps, [.connecting, .checkingPin, .verifyingPin, .readingCertificate, .signing])
        let kinds = log.states.map(Self.kind)
        XCTAssertEqual(kinds.first, "readingCard")
        XCTAssertEqual(Array(kinds.suffix(2)), ["verifyingResult", "done"])
    }

    func testEmptySelectionIsRefusedBeforeTheCard() async {
        flow.setItem(.address, selected: false)
        let before = emulator.commandsProcessed()
        await flow.agreeAndReadCard()
        guard case let .consent(notice?) = flow.state else {
            return XCTFail("expected the consent screen with a notice, got \(flow.state)")
        }
        XCTAssertEqual(notice.code, "emptySelection")
        XCTAssertEqual(emulator.commandsProcessed(), before)
    }

    func testWrongPasswordCountsDownThenWarnsBeforeTheLastAttempt() async throws {
        await flow.agreeAndReadCard()
        for expected in stride(from: Int32(4), through: 1, by: -1) {
            await flow.sign(password: Array("WRONG1".utf8), confirmLastAttempt: true)
            let p = try XCTUnwrap(prompt(), "expected the PIN screen, got \(flow.state)")
            XCTAssertEqual(p.remaining, expected)
            XCTAssertEqual(p.lastAttempt, expected == 1)
            XCTAssertEqual(p.notice?.code, "wrongPin")
            XCTAssertTrue(p.notice?.ja.contains("残り\(expected)回") ?? false)
        }
        // The last attempt: nothing is sent until the holder confirms.
        let before = emulator.commandsProcessed()
        await flow.sign(password: password, confirmLastAttempt: false)
        let p = try XCTUnwrap(prompt())
        XCTAssertTrue(p.lastAttempt)
        XCTAssertEqual(p.notice?.code, "lastAttempt")
        XCTAssertEqual(emulator.commandsProcessed(), before)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 1)

        await flow.sign(password: password, confirmLastAttempt: true)
        guard case .done = flow.state else { return XCTFail("expected done, got \(flow.state)") }
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
    }

    func testTheLastWrongEntryLocksAndTheNextReadSaysSo() async throws {
        await flow.agreeAndReadCard()
        for _ in 0..<5 { await flow.sign(password: Array("WRONG1".utf8), confirmLastAttempt: true) }
        guard case let .pinBlocked(message) = flow.state else {
            return XCTFail("expected blocked, got \(flow.state)")
        }
        XCTAssertEqual(message.code, "pinNowBlocked")
        await flow.agreeAndReadCard()
        guard case let .pinBlocked(again) = flow.state else {
            return XCTFail("expected blocked, got \(flow.state)")
        }
        XCTAssertEqual(again.code, "pinBlocked")
    }

    func testCancelWhileTheCardSignsClosesTheLink() async throws {
        await flow.agreeAndReadCard()
        link.blockTheSignature()
        let flow = self.flow!
        let link = self.link!
        let signing = Task { await flow.sign(password: self.password, confirmLastAttempt: false) }
        for _ in 0..<1000 where !link.isBlocked { try await Task.sleep(nanoseconds: 10_000_000) }
        XCTAssertTrue(link.isBlocked)
        flow.cancel()
        await signing.value
        XCTAssertEqual(flow.state, .cancelled)
        XCTAssertTrue(link.wasClosed)
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)
        // Back to the card: the PIN screen again.
        await flow.agreeAndReadCard()
        XCTAssertEqual(prompt()?.remaining, 5)
    }

    func testCardLeavingDuringVerifyAsksForAFreshRead() async throws {
        await flow.agreeAndReadCard()
        link.loseTheNextVerifyAnswer()
        await flow.sign(password: Array("WRONG1".utf8), confirmLastAttempt: false)
        guard case let .failed(message, uncertain) = flow.state else {
            return XCTFail("expected failed, got \(flow.state)")
        }
        XCTAssertEqual(message.code, "tagLostDuringVerify")
        XCTAssertTrue(uncertain)
        await flow.agreeAndReadCard()
        XCTAssertEqual(prompt()?.remaining, 4, "the attempt did count: the fresh read says so")
    }

    func testRunsFromDetachedTasks() async throws {
        let flow = self.flow!
        let password = self.password
        await Task.detached { await flow.agreeAndReadCard() }.value
        await Task.detached { await flow.sign(password: password, confirmLastAttempt: false) }.value
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
