// The sample's NFCSessionConnector, i.e. the library's MynaNFCSession behind the flow
// controller, with a sheet double that presents the emulated card (or is cancelled by the
// holder) each time a phase begins its reader session.

import Foundation
import MynaSign
import SignFlow
import XCTest

/// The NFC sheet: on `begin` the holder either presents the card or taps Cancel.
final class SheetDouble: NFCReaderDriving, @unchecked Sendable {
    private let events: NFCReaderEvents
    private let card: NFCCardTag?
    private let sheet: SheetRecord

    init(events: NFCReaderEvents, card: NFCCardTag?, sheet: SheetRecord) {
        self.events = events
        self.card = card
        self.sheet = sheet
    }

    var alertMessage: String {
        get { "" }
        set { sheet.add("text: \(newValue)") }
    }

    func begin() {
        sheet.add("begin")
        let events = events, card = card
        DispatchQueue.global().async {
            if let card { events.readerDidDetect([card]) } else { events.readerDidInvalidate(.userCanceled) }
        }
    }

    func restartPolling() {}
    func connect(to tag: NFCCardTag) async throws {}

    func invalidate(errorMessage: String?) {
        sheet.add(errorMessage.map { "failed: \($0)" } ?? "succeeded")
    }
}

/// What the sheets showed, across the phases.
final class SheetRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func add(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}

/// The emulated card as the tag CoreNFC would hand over.
final class EmulatedCardTag: NFCCardTag, @unchecked Sendable {
    let emulator: Emulator
    init(_ emulator: Emulator) { self.emulator = emulator }
    var isISO7816: Bool { true }
    func sendCommand(_ apdu: Data) async throws -> Data { try emulator.transceive(command: apdu) }
}

final class NFCSessionConnectorTests: XCTestCase {
    // The sheet speaks Myna.language (the device's by default): these tests read it in Japanese.
    override func setUp() {
        Myna.language = "ja"
    }

    override func tearDown() {
        Myna.language = nil
    }

    func controller(card: NFCCardTag?, sheet: SheetRecord, emulator: Emulator) throws -> SignFlowController {
        let session = MynaNFCSession { events in SheetDouble(events: events, card: card, sheet: sheet) }
        return try SignFlowController(
            connector: NFCSessionConnector(session: session),
            termsId: "t", termsVersion: "1", termsText: "規約", nonce: "n-1",
            check: SignFlowController.verifying(VerifyConsentOptions(rootsDer: emulator.rootCertificatesDer(), crls: [emulator.crl()])))
    }

    func testTheSampleSignsThroughTheLibrarysSession() async throws {
        let emulator = Emulator(seed: 7, profile: .myNumberCard)
        let sheet = SheetRecord()
        let flow = try controller(card: EmulatedCardTag(emulator), sheet: sheet, emulator: emulator)
        await flow.agreeAndReadCard()
        guard case .pinEntry = flow.state else { return XCTFail("got \(flow.state)") }
        await flow.sign(password: [UInt8](emulator.signaturePassword()), confirmLastAttempt: false)
        guard case .done = flow.state else { return XCTFail("got \(flow.state)") }
        let lines = sheet.all
        XCTAssertEqual(lines.filter { $0 == "begin" }.count, 2, "one reader session per phase")
        XCTAssertEqual(lines.filter { $0 == "succeeded" }.count, 2)
        XCTAssertTrue(lines.contains("text: 署名しています。カードを動かさないでください"), "\(lines)")
        XCTAssertEqual(lines.first, "text: カードを読み取ります。カードを当ててください。")
    }

    func testCancelOnTheSheetIsACancellationInTheSample() async throws {
        let emulator = Emulator(seed: 7, profile: .myNumberCard)
        let flow = try controller(card: nil, sheet: SheetRecord(), emulator: emulator)
        await flow.agreeAndReadCard()
        XCTAssertEqual(flow.state, .cancelled)
    }
}
