// A stub of the part of Apple's CoreNFC API that Sources/MynaSign/CoreNFCReader.swift uses,
// written from Apple's documentation (names, optionality, error codes), so that the Linux
// tests can type-check the adapter, and drive it (`NFCStub`: whether reading is available, a
// record of the calls, the last session for playing the delegate callbacks). Never linked into
// anything an app ships; nothing here reads a card.

import Foundation

public struct NFCReaderError: Error {
    public enum Code: Int {
        case readerErrorUnsupportedFeature = 1
        case readerErrorSecurityViolation = 2
        case readerTransceiveErrorTagConnectionLost = 100
        case readerTransceiveErrorRetryExceeded = 101
        case readerTransceiveErrorTagResponseError = 102
        case readerTransceiveErrorSessionInvalidated = 103
        case readerTransceiveErrorTagNotConnected = 104
        case readerSessionInvalidationErrorUserCanceled = 200
        case readerSessionInvalidationErrorSessionTimeout = 201
        case readerSessionInvalidationErrorSessionTerminatedUnexpectedly = 202
        case readerSessionInvalidationErrorSystemIsBusy = 203
        case readerSessionInvalidationErrorFirstNDEFTagRead = 204
    }

    public let code: Code

    public init(_ code: Code) {
        self.code = code
    }
}

open class NFCReaderSession: NSObject {
    open class var readingAvailable: Bool { NFCStub.readingAvailable }
    open var alertMessage: String = "" {
        didSet { NFCStub.record("alert: \(alertMessage)") }
    }
    open func begin() { NFCStub.record("begin") }
    open func invalidate() { NFCStub.record("invalidate") }
    open func invalidate(errorMessage: String) { NFCStub.record("invalidate: \(errorMessage)") }
}

/// The stub's controls and its record of what the adapter called (tests only).
public enum NFCStub {
    private static let lock = NSLock()
    private static var calls: [String] = []
    private static var available = false
    private static var lastSession: NFCTagReaderSession?

    /// What `readingAvailable` answers (false: as on a device without NFC).
    public static var readingAvailable: Bool {
        get { locked { available } }
        set { locked { available = newValue } }
    }

    /// The calls the adapter made, in order ("begin", "alert: …", "invalidate: …", …).
    public static var log: [String] { locked { calls } }
    /// The last session made, for a test to play the delegate callbacks.
    public static var session: NFCTagReaderSession? { locked { lastSession } }

    public static func reset() {
        locked {
            calls = []
            lastSession = nil
        }
    }

    static func record(_ call: String) { locked { calls.append(call) } }
    static func made(_ session: NFCTagReaderSession) { locked { lastSession = session } }

    private static func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

public final class NFCISO7816APDU: NSObject {
    public let data: Data
    public init?(data: Data) {
        guard data.count >= 4 else { return nil }
        self.data = data
    }
}

public protocol NFCNDEFTag: NSObjectProtocol {}
public protocol NFCFeliCaTag: NFCNDEFTag {}
public protocol NFCMiFareTag: NFCNDEFTag {}
public protocol NFCISO15693Tag: NFCNDEFTag {}

public protocol NFCISO7816Tag: NFCNDEFTag {
    func sendCommand(apdu: NFCISO7816APDU, completionHandler: @escaping (Data, UInt8, UInt8, Error?) -> Void)
}

public enum NFCTag {
    case feliCa(NFCFeliCaTag)
    case iso7816(NFCISO7816Tag)
    case iso15693(NFCISO15693Tag)
    case miFare(NFCMiFareTag)
}

public protocol NFCTagReaderSessionDelegate: NSObjectProtocol {
    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession)
    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error)
    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag])
}

public final class NFCTagReaderSession: NFCReaderSession {
    public struct PollingOption: OptionSet {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let iso14443 = PollingOption(rawValue: 1)
        public static let iso15693 = PollingOption(rawValue: 2)
        public static let iso18092 = PollingOption(rawValue: 4)
    }

    /// Held weakly, as CoreNFC does.
    public private(set) weak var delegate: NFCTagReaderSessionDelegate?
    /// The error the next `connect` completes with.
    public var connectError: Error?

    public init?(pollingOption: PollingOption, delegate: NFCTagReaderSessionDelegate, queue: DispatchQueue? = nil) {
        guard NFCStub.readingAvailable, pollingOption.contains(.iso14443) else { return nil }
        self.delegate = delegate
        super.init()
        NFCStub.made(self)
    }

    public func restartPolling() { NFCStub.record("restartPolling") }

    public func connect(to tag: NFCTag, completionHandler: @escaping (Error?) -> Void) {
        NFCStub.record("connect")
        let error = connectError
        connectError = nil
        DispatchQueue.global().async { completionHandler(error) }
    }
}
