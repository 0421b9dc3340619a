// The CoreNFC side: an NFC reader session per card phase, and the tag as a blocking CardLink.
// Needs Xcode and an iPhone (CoreNFC does not exist on Linux or in the simulator).

import CoreNFC
import Foundation
import MynaSign

/// `NFCISO7816Tag.sendCommand` as the library's blocking `transceive`. The library calls it on
/// the flow's background thread; the completion handler arrives on the session's queue, so a
/// semaphore bridges the two. Never call it on the main thread: it would block the UI (and
/// deadlock if the session's queue were the main queue).
final class CoreNFCLink: CardLink, @unchecked Sendable {
    private let tag: NFCISO7816Tag
    private let invalidated: () -> Bool
    private let timeout: DispatchTimeInterval

    /// `invalidated` tells whether the session has ended (then every exchange is a lost tag).
    init(tag: NFCISO7816Tag, invalidated: @escaping () -> Bool, timeout: DispatchTimeInterval = .seconds(20)) {
        self.tag = tag
        self.invalidated = invalidated
        self.timeout = timeout
    }

    func transceive(command: Data) throws -> Data {
        precondition(!Thread.isMainThread, "CardLink.transceive blocks: call the flow off the main thread")
        guard !invalidated(), tag.isAvailable else { throw LinkError.TagLost }
        guard let apdu = NFCISO7816APDU(data: command) else {
            throw LinkError.Other(message: "malformed command APDU")
        }
        let done = DispatchSemaphore(value: 0)
        let box = ResponseBox()
        tag.sendCommand(apdu: apdu) { data, sw1, sw2, error in
            if let error {
                box.set(.failure(Self.linkError(error)))
            } else {
                var response = data
                response.append(contentsOf: [sw1, sw2])
                box.set(.success(response))
            }
            done.signal()
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            throw LinkError.Timeout
        }
        return try box.get()
    }

    /// CoreNFC carries extended-length APDUs to ISO 7816 tags; the library falls back to short
    /// ones if the card refuses.
    func supportsExtendedLength() -> Bool {
        true
    }

    func maxTransceiveLength() -> UInt32 {
        0
    }

    private static func linkError(_ error: Error) -> LinkError {
        guard let nfc = error as? NFCReaderError else {
            return .Other(message: "CoreNFC: \(type(of: error))")
        }
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected,
             .readerSessionInvalidationErrorUserCanceled, .readerSessionInvalidationErrorSessionTimeout,
             .readerSessionInvalidationErrorSessionTerminatedUnexpectedly,
             .readerSessionInvalidationErrorSystemIsBusy:
            return .TagLost
        case .readerTransceiveErrorRetryExceeded:
            return .Timeout
        default:
            return .Other(message: "CoreNFC error \(nfc.code.rawValue)")
        }
    }
}

/// The answer handed from the session's queue to the waiting thread.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Data, LinkError> = .failure(.Timeout)

    func set(_ r: Result<Data, LinkError>) {
        lock.lock()
        result = r
        lock.unlock()
    }

    func get() throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        return try result.get()
    }
}

/// One `NFCTagReaderSession` per phase (reading the counter, signing): `connect` starts it and
/// blocks the calling background thread until an ISO 7816 tag is connected, `disconnect` ends
/// it with a success or an error message on the system sheet.
final class NFCCardConnector: NSObject, CardConnector, NFCTagReaderSessionDelegate, @unchecked Sendable {
    private let queue = DispatchQueue(label: "jp.mynasign.sample.nfc")
    private let lock = NSLock()
    private var session: NFCTagReaderSession?
    private var ended = false
    private var waiting: DispatchSemaphore?
    private var outcome: Result<CardLink, Error>?

    /// When a session has been invalidated, user cancellation included.
    struct SessionEnded: Error {}

    static var isAvailable: Bool {
        NFCTagReaderSession.readingAvailable
    }

    func connect(prompt: String) throws -> CardLink {
        precondition(!Thread.isMainThread, "connect blocks until a card is presented")
        let ready = DispatchSemaphore(value: 0)
        lock.lock()
        ended = false
        outcome = nil
        waiting = ready
        lock.unlock()
        guard let session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue) else {
            throw LinkError.Other(message: "NFC is not available")
        }
        session.alertMessage = prompt
        lock.lock()
        self.session = session
        lock.unlock()
        session.begin()
        ready.wait()
        lock.lock()
        let result = outcome
        lock.unlock()
        guard let result else { throw LinkError.TagLost }
        return try result.get()
    }

    func disconnect(errorMessage: String?) {
        lock.lock()
        let session = self.session
        self.session = nil
        lock.unlock()
        if let errorMessage {
            session?.invalidate(errorMessage: errorMessage)
        } else {
            session?.alertMessage = "完了しました。"
            session?.invalidate()
        }
    }

    private func finish(_ result: Result<CardLink, Error>) {
        lock.lock()
        let ready = waiting
        waiting = nil
        if outcome == nil { outcome = result }
        lock.unlock()
        ready?.signal()
    }

    private var isEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    // MARK: NFCTagReaderSessionDelegate (called on `queue`)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        lock.lock()
        ended = true
        lock.unlock()
        // Before a tag: the holder cancelled or the session timed out. After: the link's next
        // exchange sees `ended` and reports a lost tag.
        finish(.failure(LinkError.TagLost))
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard let first = tags.first else { return }
        if tags.count > 1 {
            session.alertMessage = "カードを1枚だけ置いてください。"
            session.restartPolling()
            return
        }
        guard case let .iso7816(tag) = first else {
            session.invalidate(errorMessage: "マイナンバーカードではありません。")
            return
        }
        session.connect(to: first) { [weak self] error in
            guard let self else { return }
            if error != nil {
                session.invalidate(errorMessage: "カードに接続できませんでした。")
                self.finish(.failure(LinkError.TagLost))
                return
            }
            self.finish(.success(CoreNFCLink(tag: tag, invalidated: { [weak self] in self?.isEnded ?? true })))
        }
    }
}
