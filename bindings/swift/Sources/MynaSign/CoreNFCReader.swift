// The CoreNFC adapter of `MynaNFCSession`: `NFCTagReaderSession` as `NFCReaderDriving`, its
// delegate as `NFCReaderEvents`, `NFCISO7816Tag` as `NFCCardTag`. Deliberately thin: every
// decision (wrong tags, cancel, timeout, texts, the time budget) is in MynaNFCSession.swift,
// which the Linux tests run. Compiled where CoreNFC has the tag reader: iOS (not macOS or Mac
// Catalyst, whose SDKs mark it unavailable). The Linux tests type-check this file against a
// stub of the CoreNFC API it uses (bindings/swift/Tests/Stubs/CoreNFC), in a test-only module
// built with MYNASIGN_CORENFC_STUB.

#if canImport(CoreNFC) && ((os(iOS) && !targetEnvironment(macCatalyst)) || MYNASIGN_CORENFC_STUB)
import CoreNFC
import Foundation
#if canImport(MynaSignCore)
import MynaSignCore  // the generated Swift, a module of its own where the package builds it so
#endif

extension MynaNFCSession {
    /// The platform's reader: CoreNFC's `NFCTagReaderSession` (ISO 14443), or `nil` where
    /// the device cannot read tags.
    public static let platformReader: ReaderFactory = { events in CoreNFCReader(events: events) }

    /// Whether this device reads NFC tags.
    public static var isAvailable: Bool { NFCTagReaderSession.readingAvailable }
}

/// One `NFCTagReaderSession` and its delegate.
// @unchecked: `NFCTagReaderSession` is not Sendable; `session` is set once in `init` and only
// its methods are called afterwards (from the session's flow and the delegate queue).
final class CoreNFCReader: NSObject, NFCReaderDriving, NFCTagReaderSessionDelegate, @unchecked Sendable {
    private let events: NFCReaderEvents
    private let queue = DispatchQueue(label: "jp.mynasign.nfc")
    private var session: NFCTagReaderSession?

    init?(events: NFCReaderEvents) {
        guard NFCTagReaderSession.readingAvailable else { return nil }
        self.events = events
        super.init()
        guard let session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue) else { return nil }
        self.session = session
    }

    var alertMessage: String {
        get { session?.alertMessage ?? "" }
        set { session?.alertMessage = newValue }
    }

    func begin() {
        session?.begin()
    }

    func restartPolling() {
        session?.restartPolling()
    }

    func connect(to tag: NFCCardTag) async throws {
        guard let session, let tag = tag as? CoreNFCTag else { throw LinkError.TagLost }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            session.connect(to: tag.tag) { error in
                if let error { c.resume(throwing: error) } else { c.resume() }
            }
        }
    }

    func invalidate(errorMessage: String?) {
        if let errorMessage {
            session?.invalidate(errorMessage: errorMessage)
        } else {
            session?.invalidate()
        }
    }

    // MARK: NFCTagReaderSessionDelegate (on `queue`)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {
        events.readerDidBecomeActive()
    }

    // The `NFCReaderError` codes and their meanings follow Apple's CoreNFC header NFCError.h
    // (`NFCReaderError`: 1 UnsupportedFeature, 2 SecurityViolation "missing required entitlement
    // and/or privacy settings", 100 TagConnectionLost, 101 RetryExceeded, 102 TagResponseError
    // "tag response is invalid or tag does not provide a response", 103 SessionInvalidated, 104
    // TagNotConnected, 200 UserCanceled, 201 SessionTimeout, 202 SessionTerminatedUnexpectedly,
    // 203 SystemIsBusy; read in ipasimulator/ipasim deps/headers/iPhoneOS11.1.sdk/.../CoreNFC
    // .framework/Headers/NFCError.h and the constants' documentation mirrored in
    // multi-os-engine/multi-os-engine apple/corenfc/enums/NFCReaderError.java). Whether 202
    // means a set-up problem or an interruption is decided by the session from whether it had
    // become active (MynaNFCSession.swift, `NFCRun.error(for:)`).
    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        events.readerDidInvalidate(CoreNFCReader.sessionEnd(error))
    }

    /// How CoreNFC's invalidation error ends the session.
    static func sessionEnd(_ error: Error) -> NFCSessionEnd {
        guard let code = (error as? NFCReaderError)?.code else { return .other(code: -1) }
        switch code {
        case .readerSessionInvalidationErrorUserCanceled: return .userCanceled
        case .readerSessionInvalidationErrorSessionTimeout: return .sessionTimeout
        case .readerSessionInvalidationErrorSystemIsBusy: return .systemBusy
        case .readerSessionInvalidationErrorSessionTerminatedUnexpectedly: return .terminatedUnexpectedly
        case .readerErrorUnsupportedFeature: return .unsupportedFeature
        case .readerErrorSecurityViolation: return .securityViolation
        default: return .other(code: code.rawValue)
        }
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        events.readerDidDetect(tags.map { CoreNFCTag($0, events: events) })
    }
}

/// A detected tag; APDUs go through `NFCISO7816Tag.sendCommand`.
// @unchecked: CoreNFC's `NFCTag` is not Sendable; `tag` is immutable and only its
// `sendCommand` is called, `events` is set once in `init`.
final class CoreNFCTag: NFCCardTag, @unchecked Sendable {
    let tag: NFCTag
    /// Told the CoreNFC code of each failed exchange (the field report).
    private weak var events: NFCReaderEvents?

    init(_ tag: NFCTag, events: NFCReaderEvents? = nil) {
        self.tag = tag
        self.events = events
    }

    var isISO7816: Bool {
        if case .iso7816 = tag { return true }
        return false
    }

    func sendCommand(_ apdu: Data) async throws -> Data {
        guard case let .iso7816(card) = tag else { throw LinkError.TagLost }
        guard let command = NFCISO7816APDU(data: apdu) else {
            throw LinkError.Other(detail: "malformed command APDU")
        }
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<Data, Error>) in
            card.sendCommand(apdu: command) { data, sw1, sw2, error in
                if let error {
                    if let code = (error as? NFCReaderError)?.code { self.events?.readerDidFailExchange(code: code.rawValue) }
                    c.resume(throwing: CoreNFCTag.linkError(error))
                } else {
                    c.resume(returning: data + [sw1, sw2])
                }
            }
        }
    }

    /// A failed exchange: the card left or the session ended → `TagLost` (the session maps a
    /// cancel or the session limit from its own end report), retries exhausted → `Timeout`.
    /// 102 (TagResponseError, "the tag does not provide a response") is what iPhones report
    /// when the card is pulled away mid-exchange, so it is a lost tag too.
    private static func linkError(_ error: Error) -> LinkError {
        guard let code = (error as? NFCReaderError)?.code else {
            return .Other(detail: "CoreNFC: \(type(of: error))")
        }
        switch code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagResponseError,
             .readerTransceiveErrorTagNotConnected, .readerTransceiveErrorSessionInvalidated:
            return .TagLost
        case .readerTransceiveErrorRetryExceeded:
            return .Timeout
        default:
            return .Other(detail: "CoreNFC error \(code.rawValue)")
        }
    }
}
#else
extension MynaNFCSession {
    /// No NFC reader on this platform: every flow throws `MynaNFCError.nfcUnavailable`.
    public static let platformReader: ReaderFactory = { _ in nil }

    /// Whether this device reads NFC tags: not on this platform.
    public static var isAvailable: Bool { false }
}
#endif
