// Extended length on iOS (the core's `LengthPolicy` through `MynaNFCSession.lengthPolicy`) and
// the session's field report (`MynaNFCSession.diagnostics`), on the reader double of
// NFCSessionTests.swift with a tag that loses large frames.

import Foundation
import MynaSign
import XCTest
#if MYNASIGN_CORENFC_STUB
import os  // the stub of os.Logger (Tests/Stubs/os), which records what Console would show
#endif

/// Whether `apdu` is an extended-length command (Lc or Le in three bytes, `00` first: ISO/IEC
/// 7816-4 5.1).
func isExtended(_ apdu: Data) -> Bool {
    apdu.count >= 7 && apdu[apdu.startIndex + 4] == 0
}

/// A card on an iPhone that cannot carry large frames: the card answers, but a response longer
/// than `maxResponse` bytes (data and SW1 SW2) never arrives. CoreNFC then reports the tag
/// lost (`NFCReaderError` 100, `readerTransceiveErrorTagConnectionLost`, which the adapter
/// makes `LinkError.TagLost`, CoreNFCReader.swift `CoreNFCTag.linkError`), and the RF field
/// no longer powers the card: its security status is gone (the emulator taken out of the
/// field and put back, PROTOCOL.md 3a), and this tag object is dead (Apple's
/// `restartPolling()` documentation: tags returned before "will become invalid").
final class LargeFrameDroppingTag: NFCCardTag, @unchecked Sendable {
    let emulator: Emulator
    let maxResponse: Int
    private let lock = NSLock()
    private var commands: [Data] = []
    private var dead = false

    init(_ emulator: Emulator, maxResponse: Int = 258) {
        self.emulator = emulator
        self.maxResponse = maxResponse
    }

    var isISO7816: Bool { true }
    var sent: [Data] { lock.locked { commands } }
    var lost: Bool { lock.locked { dead } }

    func sendCommand(_ apdu: Data) async throws -> Data {
        try lock.locked {
            if dead { throw LinkError.TagLost }
            commands.append(apdu)
        }
        let response = try emulator.transceive(command: apdu)
        if response.count > maxResponse {
            lock.locked { dead = true }
            emulator.setPresent(present: false)
            emulator.setPresent(present: true)
            throw LinkError.TagLost
        }
        return response
    }
}

extension NSLock {
    fileprivate func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

final class NFCLengthAndDiagnosticsTests: XCTestCase {
    var emulator: Emulator!
    var log = ReaderLog()

    override func setUp() {
        Myna.language = "ja"
        emulator = Emulator(seed: 1, profile: .myNumberCard)
        log = ReaderLog()
    }

    override func tearDown() {
        Myna.language = nil
    }

    /// A session whose every reader follows `polls`; no real waits.
    func session(_ polls: [FakeReader.Poll]) -> MynaNFCSession {
        let log = self.log
        return MynaNFCSession(sleeper: { _ in }) { events in log.add(FakeReader(events: events, polls: polls)) }
    }

    var reader: FakeReader { log.all.last! }

    let readingAgainJa = "もう一度読み取ります。カードをそのまま当てていてください。"

    /// `.auto`: the first large frame is lost; within the same reader session polling restarts,
    /// the card is read again and the flow runs over short APDUs (its VERIFY again: the card
    /// lost its security status), signs, and the policy is `.short` for the app to save. The
    /// next flow starts short.
    func testALostLargeFrameReadsAgainShortInTheSameSession() async throws {
        let first = LargeFrameDroppingTag(emulator)
        let again = LargeFrameDroppingTag(emulator)
        let s = session([.tags([first]), .tags([again])])
        XCTAssertEqual(s.lengthPolicy, .auto)
        let signed = try await s.signConsent(document: try consentDocument(), password: emulator.password)
        XCTAssertNoThrow(try verifyConsent(cms: signed.cms(), options: trustEmulator(emulator)))
        XCTAssertTrue(first.lost)
        XCTAssertEqual(first.sent.filter(isExtended).count, 1, "one large frame tried, and lost")
        XCTAssertTrue(isExtended(first.sent.last!), "the lost frame was the extended one")
        XCTAssertFalse(again.sent.isEmpty)
        XCTAssertTrue(again.sent.allSatisfy { !isExtended($0) }, "short APDUs only after the loss")
        XCTAssertEqual(reader.begins, 1, "one reader session")
        XCTAssertEqual(reader.restarts, 1, "polling restarted once")
        XCTAssertTrue(reader.alerts.contains(readingAgainJa))
        XCTAssertEqual(reader.invalidations, [nil])
        XCTAssertEqual(s.lengthPolicy, .short, "learned, for the app to save")
        XCTAssertEqual(emulator.pinAttemptsLeft(pin: .signaturePassword), 5)

        // The next flow (a new reader session) starts short.
        let next = LargeFrameDroppingTag(emulator)
        let s2 = session([.tags([next])])
        s2.lengthPolicy = s.lengthPolicy
        _ = try await s2.signConsent(document: try consentDocument(), password: emulator.password)
        XCTAssertTrue(next.sent.allSatisfy { !isExtended($0) })
        XCTAssertEqual(reader.restarts, 0)
        XCTAssertEqual(s2.lengthPolicy, .short)
    }

    /// The policy is a value the app can store and read back.
    func testThePolicyCanBeStored() {
        for policy in [LengthPolicy.auto, .extended, .short] {
            XCTAssertEqual(LengthPolicy(storedName: policy.storedName), policy)
        }
        XCTAssertNil(LengthPolicy(storedName: "long"))
    }

    /// `.extended` never learns: the lost frame ends the flow as a lost tag, no second read.
    func testTheExtendedPolicyNeverReadsAgain() async throws {
        let first = LargeFrameDroppingTag(emulator)
        let s = session([.tags([first]), .tags([LargeFrameDroppingTag(emulator)])])
        s.lengthPolicy = .extended
        let e = await mynaError { try await s.signConsent(document: try consentDocument(), password: self.emulator.password) }
        guard case .TagLost(duringVerify: false)? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(reader.restarts, 0)
        XCTAssertEqual(s.lengthPolicy, .extended)
    }

    /// A step-by-step body is the app's and is not run twice: the lost frame is a lost tag,
    /// and the policy is learned for the next session.
    func testWithCardLearnsButDoesNotRunTheBodyTwice() async throws {
        let first = LargeFrameDroppingTag(emulator)
        let s = session([.tags([first]), .tags([LargeFrameDroppingTag(emulator)])])
        let runs = Counter()
        let document = try consentDocument()
        let password = Data(emulator.password)
        let e = await mynaError {
            try await s.withCard(for: .signConsent) { link, cancel in
                runs.add()
                return try await signConsent(link: link, document: document, password: try PinCode(pin: .signaturePassword, value: password), options: SignOptions(), listener: nil, cancel: cancel)
            }
        }
        guard case .TagLost? = e else { return XCTFail("got \(String(describing: e))") }
        XCTAssertEqual(runs.value, 1)
        XCTAssertEqual(s.lengthPolicy, .short)
    }

    /// The field report: the iOS facts (restarts by cause, the policy before and after, the
    /// largest frames, the session's end) with the core's exchanges, and no personal data
    /// however it is printed.
    func testTheFieldReportHoldsTheIOSFactsAndNoData() async throws {
        let first = LargeFrameDroppingTag(emulator)
        let again = LargeFrameDroppingTag(emulator)
        let s = session([.tags([OtherTag()]), .tags([first]), .tags([again])])
        XCTAssertNil(s.lastDiagnostics)
        s.diagnostics = .collect
        #if MYNASIGN_CORENFC_STUB
        OSLogStub.reset()
        defer { XCTAssertEqual(OSLogStub.entries, [], ".collect writes nothing to the log") }
        #endif
        let password = emulator.password
        let signed = try await s.signConsent(document: try consentDocument(), password: password)
        let d = try XCTUnwrap(s.lastDiagnostics)
        let facts = d.report.facts
        XCTAssertEqual(facts["ios.restarts.wrong_tag"], "1")
        XCTAssertEqual(facts["ios.restarts.lost_large_frame"], "1")
        XCTAssertEqual(facts["ios.restarts.several_tags"], "0")
        XCTAssertEqual(facts["ios.length_policy.start"], "auto")
        XCTAssertEqual(facts["ios.length_policy.end"], "short")
        XCTAssertEqual(facts["ios.corenfc.session_end"], "none (ended by the app)")
        // The link's own answer (CoreNFC carries extended length); the policy is its own fact.
        XCTAssertEqual(facts["link.supports_extended_length"], "true")
        XCTAssertTrue(d.report.extendedLengthUsed)
        XCTAssertTrue(d.report.extendedLengthRefused)
        XCTAssertEqual(d.report.exchanges.count, first.sent.count + again.sent.count, "every exchange that reached the card")
        XCTAssertEqual(d.report.exchanges.filter { $0.failure != nil }.count, 1, "the lost frame")
        let largest = try XCTUnwrap(Int(facts["ios.frames.largest_response_bytes"] ?? ""))
        XCTAssertGreaterThan(largest, 2)
        XCTAssertLessThanOrEqual(largest, 258, "no response over what the tag carries arrived")
        XCTAssertTrue(d.text.contains("ios.restarts.lost_large_frame: 1"))
        XCTAssertEqual(d.description, d.text)
        print("field report of a session with a wrong tag and a lost large frame:\n\(d.text)")

        // No personal data: the password, the certificate's bytes, the holder's attributes.
        let printed = [d.text, "\(d.report)", String(describing: d), d.lines.joined(separator: "\n")]
        let cert = [UInt8](signed.certificate().der())
        for p in printed {
            XCTAssertFalse(p.contains(String(decoding: password, as: UTF8.self)), "the password")
            XCTAssertFalse(p.contains(password.map { String(format: "%02X", $0) }.joined()), "the password in hex")
            XCTAssertFalse(p.contains(password.map { String(format: "%02X", $0) }.joined(separator: " ")), "the password in hex")
            for start in stride(from: 0, to: cert.count - 8, by: 97) {
                let w = cert[start..<start + 8]
                XCTAssertFalse(p.contains(w.map { String(format: "%02X", $0) }.joined(separator: " ")), "certificate bytes")
                XCTAssertFalse(p.contains(w.map { String(format: "%02X", $0) }.joined()), "certificate bytes")
                XCTAssertFalse(p.contains(w.map { String($0) }.joined(separator: ", ")), "certificate bytes")
            }
        }
        let holder = try XCTUnwrap(signed.certificate().attributes())
        for value in [holder.name(), holder.address(), holder.dateOfBirth()] where !value.isEmpty {
            for p in printed { XCTAssertFalse(p.contains(value), "an attribute") }
        }
    }

    /// The report records how CoreNFC ended the session; `.log` writes each of its lines to
    /// the unified log, public (they hold codes, counts and lengths only), and nothing else.
    func testTheFieldReportNamesThePlatformEndAndIsLogged() async throws {
        #if MYNASIGN_CORENFC_STUB
        OSLogStub.reset()
        #endif
        let s = session([.tags([OtherTag()]), .tags([EmulatorTag(emulator)])])
        s.diagnostics = .log
        _ = try await s.readPinStatus()
        let ended = session([.tags([OtherTag()]), .end(.sessionTimeout)])
        ended.diagnostics = .collect
        _ = await mynaError { try await ended.readPinStatus() }
        let facts = try XCTUnwrap(ended.lastDiagnostics).report.facts
        XCTAssertEqual(facts["ios.corenfc.session_end"], "201")
        XCTAssertEqual(facts["ios.restarts.wrong_tag"], "1")
        #if MYNASIGN_CORENFC_STUB
        let report = try XCTUnwrap(s.lastDiagnostics)
        let entries = OSLogStub.entries
        XCTAssertEqual(entries.map(\.shown), report.lines)
        XCTAssertGreaterThan(entries.count, 12, "the facts and every exchange")
        XCTAssertTrue(entries.allSatisfy { $0.subsystem == "jp.mynasign" && $0.category == "nfc" })
        XCTAssertFalse(entries.contains { $0.shown.contains("<private>") })
        #endif
    }
}

/// A count, from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    var value: Int { lock.locked { n } }
    func add() { lock.locked { n += 1 } }
}
