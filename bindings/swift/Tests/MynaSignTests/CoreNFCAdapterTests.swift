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

    init(_ emulator: Emulator, failing failure: NFCReaderError.Code? = nil) {
        self.emulator = emulator
        self.failure = failure
    }

    func sendCommand(apdu: NFCISO7816APDU, completionHandler: @escaping (Data, UInt8, UInt8, Error?) -> Void) {
        if let failure { return completionHandler(Data(), 0, 0, NFCReaderError(failure)) }
        do {
            let response = try emulator.transceive(command: apdu.data)
            completionHandler(response.dropLast(2), response[response.endIndex - 2], response[response.endIndex - 1], nil)
        } catch {
            completionHandler(Data(), 0, 0, NFCReaderError(.readerTransceiveErrorTagConnectionLost))
        }
    }
}

/// A FeliCa tag.
final class StubFeliCaTag: NSObject, NFCFeliCaTag {}

final class CoreNFCAdapterTests: XCTestCase {
    override func setUp() {
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

    func testCoreNFCSessionErrorsMapToTheSessionEnds() async throws {
        let cases: [(NFCReaderError.Code, ErrorCode)] = [
            (.readerSessionInvalidationErrorUserCanceled, .cancelled),
            (.readerSessionInvalidationErrorSessionTimeout, .timeout),
            (.readerSessionInvalidationErrorSystemIsBusy, .timeout),
            (.readerSessionInvalidationErrorSessionTerminatedUnexpectedly, .linkFailed),
        ]
        for (code, expected) in cases {
            NFCStub.reset()
            let (task, session) = try await beginRead()
            session.delegate?.tagReaderSession(session, didInvalidateWithError: NFCReaderError(code))
            let e = await mynaError { try await task.value }
            XCTAssertEqual(e?.code(), expected, "\(code)")
            XCTAssertFalse(NFCStub.log.contains { $0.hasPrefix("invalidate") }, "iOS already closed the sheet")
        }
    }

    func testCoreNFCTransceiveErrorsMapToLinkErrors() async throws {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let cases: [(NFCReaderError.Code, ErrorCode)] = [
            (.readerTransceiveErrorTagConnectionLost, .tagLost),
            (.readerTransceiveErrorRetryExceeded, .timeout),
            (.readerTransceiveErrorTagResponseError, .linkFailed),
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
