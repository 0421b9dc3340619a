// The CoreNFC adapter (Sources/MynaSign/CoreNFCReader.swift) on Linux, against the CoreNFC
// stub (Tests/Stubs/CoreNFC): the delegate callbacks and NFCReaderError codes a real session
// would deliver, played by the test, reach the session state machine as they should. Only in
// the Linux test package (MYNASIGN_CORENFC_STUB); on a Mac the adapter is not compiled.

#if MYNASIGN_CORENFC_STUB
import CoreNFC
import Foundation
import MynaSign
import XCTest

/// An ISO 7816 tag answering from the emulator, or failing with a CoreNFC error code.
final class StubCardTag: NSObject, NFCISO7816Tag, @unchecked Sendable {
    let emulator: Emulator
    let failure: NFCReaderError.Code?
    /// Responses longer than this (data and SW1 SW2) are lost: CoreNFC reports 100
    /// (TagConnectionLost) and the card, out of power, loses its security status.
    let maxResponse: Int?

    init(_ emulator: Emulator, failing failure: NFCReaderError.Code? = nil, maxResponse: Int? = nil) {
        self.emulator = emulator
        self.failure = failure
        self.maxResponse = maxResponse
    }

    func sendCommand(apdu: NFCISO7816APDU, completionHandler: @escaping (Data, UInt8, UInt8, Error?) -> Void) {
        if let failure { return completionHandler(Data(), 0, 0, NFCReaderError(failure)) }
        do {
            let response = try emulator.transceive(command: apdu.data)
            if let maxResponse, response.count > maxResponse {
                emulator.setPresent(present: false)
                emulator.setPresent(present: true)
                return completionHandler(Data(), 0, 0, NFCReaderError(.readerTransceiveErrorTagConnectionLost))
            }
            completionHandler(response.dropLast(2), response[response.endIndex - 2], response[response.endIndex - 1], nil)
        } catch {
            completionHandler(Data(), 0, 0, NFCReaderError(.readerTransceiveErrorTagConnectionLost))
        }
    }
}

/// A flag set once, read from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}

/// A FeliCa tag.
final class StubFeliCaTag: NSObject, NFCFeliCaTag {}

final class CoreNFCAdapterTests: XCTestCase {
    override func setUp() {
        Myna.language = "ja"
        NFCStub.reset()
        NFCStub.readingAvailable = true
    }

    override func tearDown() {
        NFCStub.readingAvailable = false
        Myna.language = nil
    }

    /// Starts a PIN-status read on the platform session and returns the CoreNFC session once
    /// it began.
    func beginRead() async throws -> (Task<PinStatusReport, Error>, NFCTagReaderSession) {
        let task = Task { try await MynaNFCSession().readPinStatus() }
        await waitUntil { NFCStub.log.contains("begin") }
        let session = try XCTUnwrap(NFCStub.session)
        XCTAssertTrue(MynaNFCSession.isAvailable)
        return (task, session)
    }

    func testAFlowThroughTheAdapter() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let (task, session) = try await beginRead()
        session.delegate?.tagReaderSessionDidBecomeActive(session)
        session.delegate?.tagReaderSession(session, didDetect: [.feliCa(StubFeliCaTag())])
        await waitUntil { NFCStub.log.contains("restartPolling") }
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator))])
        let report = try await task.value
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        let log = NFCStub.log
        XCTAssertEqual(log.first, "alert: マイナンバーカードをiPhoneの上部に当ててください。")
        XCTAssertEqual(log[1...3], ["begin", "alert: マイナンバーカードではありません。マイナンバーカードを当ててください。", "restartPolling"])
        XCTAssertTrue(log.contains("connect"))
        XCTAssertTrue(log.contains("alert: 残り回数を確認しています"), "\(log)")
        XCTAssertEqual(log.suffix(2), ["alert: 完了しました。", "invalidate"])
        // CoreNFC then reports the app's own invalidation: nothing more happens.
        session.delegate?.tagReaderSession(session, didInvalidateWithError: NFCReaderError(.readerSessionInvalidationErrorUserCanceled))
        XCTAssertEqual(NFCStub.log.count, log.count)
    }

    enum Outcome {
        case myna(ErrorCode)
        case nfc(MynaNFCError)
    }

    /// Every `NFCReaderError` code that ends a session, played by the stub, and the outcome the
    /// flow throws, with its text in both languages (for `MynaError`, the library's texts: the
    /// Japanese failure and the English failure or advice).
    func testCoreNFCSessionErrorsMapToTheSessionEnds() async throws {
        let misconfigured = ("このアプリはカードを読み取れるように設定されていません。アプリの提供元にお問い合わせください。",
                             "This app is not set up to read the card. Contact the app's provider.")
        let cases: [(NFCReaderError.Code, Bool, Outcome, String?, String)] = [
            (.readerSessionInvalidationErrorUserCanceled, true, .myna(.cancelled), "中止しました。", "Cancelled."),
            (.readerSessionInvalidationErrorSessionTimeout, true, .myna(.timeout), nil, "Hold the card still against the phone and try again."),
            (.readerSessionInvalidationErrorSystemIsBusy, false, .nfc(.systemBusy),
             "iPhoneが別の読み取りを行っているため、始められませんでした。少し待ってから、もう一度お試しください。",
             "The iPhone is busy with another reading and could not start. Wait a moment and try again."),
            (.readerSessionInvalidationErrorSessionTerminatedUnexpectedly, false, .nfc(.misconfigured(code: 202)), misconfigured.0, misconfigured.1),
            (.readerSessionInvalidationErrorSessionTerminatedUnexpectedly, true, .nfc(.interrupted),
             "読み取りが中断されました。アプリを開いたまま、もう一度お試しください。", "Reading was interrupted. Keep the app open and try again."),
            (.readerErrorUnsupportedFeature, false, .nfc(.misconfigured(code: 1)), misconfigured.0, misconfigured.1),
            (.readerErrorSecurityViolation, false, .nfc(.misconfigured(code: 2)), misconfigured.0, misconfigured.1),
        ]
        for (code, active, expected, ja, en) in cases {
            NFCStub.reset()
            let (task, session) = try await beginRead()
            if active { session.delegate?.tagReaderSessionDidBecomeActive(session) }
            session.delegate?.tagReaderSession(session, didInvalidateWithError: NFCReaderError(code))
            let name = "\(code) (active: \(active))"
            switch (await task.result, expected) {
            case let (.failure(e as MynaNFCError), .nfc(want)):
                XCTAssertEqual(e, want, name)
                XCTAssertEqual(e.messageJa(), ja, name)
                XCTAssertEqual(e.messageEn(), en, name)
            case let (.failure(e as MynaError), .myna(want)):
                XCTAssertEqual(e.code(), want, name)
                if let ja { XCTAssertEqual(e.failureJa(), ja, name) }
                XCTAssertTrue(isJapanese(e.messageJa()), name)
                XCTAssertTrue(e.failureEn() == en || e.recoveryEn() == en, "\(name): \(e.messageEn())")
            case let (result, _):
                XCTFail("\(name): got \(result)")
            }
            XCTAssertFalse(NFCStub.log.contains { $0.hasPrefix("invalidate") }, "iOS already closed the sheet")
        }
    }

    func testCoreNFCTransceiveErrorsMapToLinkErrors() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let cases: [(NFCReaderError.Code, ErrorCode)] = [
            (.readerTransceiveErrorTagConnectionLost, .tagLost),
            (.readerTransceiveErrorRetryExceeded, .timeout),
            // Devices report 102 when the card is pulled away mid-exchange.
            (.readerTransceiveErrorTagResponseError, .tagLost),
        ]
        for (code, expected) in cases {
            NFCStub.reset()
            let (task, session) = try await beginRead()
            session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator, failing: code))])
            let e = await mynaError { try await task.value }
            XCTAssertEqual(e?.code(), expected, "\(code)")
            XCTAssertEqual(NFCStub.log.last?.hasPrefix("invalidate: "), true, "the sheet shows the error: \(NFCStub.log)")
        }
    }

    /// CoreNFC runs one reader session at a time: a second `MynaNFCSession()` (another object)
    /// cannot start while the first runs, and can once it ended.
    func testOnePlatformSessionAtATimeAcrossObjects() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let (task, session) = try await beginRead()
        let e = await refusedPromptly(MynaNFCSession())
        guard case .InvalidInput? = e else { return XCTFail("got \(String(describing: e))") }
        session.delegate?.tagReaderSession(session, didInvalidateWithError: NFCReaderError(.readerSessionInvalidationErrorUserCanceled))
        _ = await task.result
        NFCStub.reset()
        let (again, next) = try await beginRead()
        next.delegate?.tagReaderSession(next, didDetect: [.iso7816(StubCardTag(emulator))])
        let report = try await again.value
        XCTAssertEqual(report.signaturePassword.remaining, 5)
    }

    /// Step by step, an app that never calls `finish` after iOS ended the session (Cancel on
    /// the sheet) does not keep every other session object from starting.
    func testAnEndedSessionDoesNotHoldThePlatformSlot() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let first = MynaNFCSession()
        let connecting = Task { _ = try await first.connect(for: .readPinStatus) }
        await waitUntil { NFCStub.log.contains("begin") }
        let session = try XCTUnwrap(NFCStub.session)
        session.delegate?.tagReaderSessionDidBecomeActive(session)
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator))])
        try await connecting.value
        let e = await refusedPromptly(MynaNFCSession())
        guard case .InvalidInput? = e else { return XCTFail("a connected session holds the slot: \(String(describing: e))") }
        session.delegate?.tagReaderSession(session, didInvalidateWithError: NFCReaderError(.readerSessionInvalidationErrorUserCanceled))
        NFCStub.reset()
        let (again, next) = try await beginRead()
        next.delegate?.tagReaderSession(next, didDetect: [.iso7816(StubCardTag(emulator))])
        let report = try await again.value
        XCTAssertEqual(report.signaturePassword.remaining, 5)
        first.finish(nil)  // late: ends nothing more
    }

    /// The error `session`'s PIN-status read throws, if it ends within the wait; if it began a
    /// reader session instead (no guard), it is cancelled, so that the test fails, not hangs.
    func refusedPromptly(_ session: MynaNFCSession) async -> MynaError? {
        let ended = Flag()
        let task = Task { () -> Error? in
            defer { ended.set() }
            do {
                _ = try await session.readPinStatus()
                return nil
            } catch {
                return error
            }
        }
        await waitUntil { ended.isSet || NFCStub.log.filter { $0 == "begin" }.count > 1 }
        if !ended.isSet {
            XCTFail("a second reader session began")
            session.cancel()
        }
        return await task.value as? MynaError
    }

    /// Through the adapter: the first large frame is lost (CoreNFC 100); the session restarts
    /// polling, the card detected again signs over short APDUs, the policy is `.short`, and
    /// the field report names the CoreNFC code.
    func testALostLargeFrameThroughTheAdapter() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let s = MynaNFCSession()
        s.diagnostics = .collect
        let document = try consentDocument()
        let task = Task { try await s.signConsent(document: document, password: emulator.password) }
        await waitUntil { NFCStub.log.contains("begin") }
        let session = try XCTUnwrap(NFCStub.session)
        session.delegate?.tagReaderSessionDidBecomeActive(session)
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator, maxResponse: 258))])
        await waitUntil { NFCStub.log.contains("restartPolling") }
        XCTAssertTrue(NFCStub.log.contains("alert: もう一度読み取ります。カードをそのまま当てていてください。"))
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator, maxResponse: 258))])
        let signed = try await task.value
        XCTAssertNoThrow(try verifyConsent(cms: signed.cms(), options: trustEmulator(emulator)))
        XCTAssertEqual(s.lengthPolicy, .short)
        XCTAssertEqual(NFCStub.log.filter { $0 == "begin" }.count, 1, "one reader session")
        let facts = try XCTUnwrap(s.lastDiagnostics).report.facts
        XCTAssertEqual(facts["ios.corenfc.exchange_errors"], "100")
        XCTAssertEqual(facts["ios.restarts.lost_large_frame"], "1")
    }

    /// The field report keeps the code of a failed exchange as CoreNFC gave it.
    func testTheFieldReportKeepsTheCoreNFCCode() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let s = MynaNFCSession()
        s.diagnostics = .collect
        let task = Task { try await s.readPinStatus() }
        await waitUntil { NFCStub.log.contains("begin") }
        let session = try XCTUnwrap(NFCStub.session)
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator, failing: .readerTransceiveErrorTagResponseError))])
        _ = await task.result
        XCTAssertEqual(try XCTUnwrap(s.lastDiagnostics).report.facts["ios.corenfc.exchange_errors"], "102")
    }

    func testAFailedConnectionRestartsPolling() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let (task, session) = try await beginRead()
        session.connectError = NFCReaderError(.readerTransceiveErrorTagConnectionLost)
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator))])
        await waitUntil { NFCStub.log.contains("restartPolling") }
        session.delegate?.tagReaderSession(session, didDetect: [.iso7816(StubCardTag(emulator))])
        _ = try await task.value
        XCTAssertEqual(NFCStub.log.filter { $0 == "connect" }.count, 2)
    }
}
#endif
