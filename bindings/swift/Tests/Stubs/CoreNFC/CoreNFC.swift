// A stub of the part of Apple's CoreNFC API that Sources/MynaSign/CoreNFCReader.swift uses,
// written from Apple's documentation (names, optionality, error codes), so that the Linux
// tests can type-check the adapter. Never linked into anything an app ships; nothing here
// reads a card.

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
    open class var readingAvailable: Bool { false }
    open var alertMessage: String = ""
    open func begin() {}
    open func invalidate() {}
    open func invalidate(errorMessage: String) {}
}

public final class NFCISO7816APDU: NSObject {
    public init?(data: Data) {
        guard data.count >= 4 else { return nil }
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

    public init?(pollingOption: PollingOption, delegate: NFCTagReaderSessionDelegate, queue: DispatchQueue? = nil) {
        return nil
    }

    public func restartPolling() {}
    public func connect(to tag: NFCTag, completionHandler: @escaping (Error?) -> Void) {}
}
