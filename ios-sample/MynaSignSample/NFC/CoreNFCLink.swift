// The CoreNFC side: an NFC reader session per card phase, and the tag as a blocking CardLink.
// Needs Xcode and an iPhone (CoreNFC does not exist on Linux or in the simulator).

import CoreNFC
import Foundation
import MynaSign

/// `NFCISO7816Tag.sendCommand` as the library's blocking `transceive`. The library calls it on
/// the flow's worker thread; the completion handler arrives on the session's queue, so a
/// semaphore bridges the two. A cancelled flow calls `close()` (from the cancelling thread):
/// the session is invalidated and a pending `transceive` returns at once with `TagLost`.
final class CoreNFCLink: CardLink, @unchecked Sendable {
    private let tag: NFCISO7816Tag
    private let invalidated: () -> Bool
    private let onClose: () -> Void
    private let timeout: DispatchTimeInterval
    private let lock = NSLock()
    private var pending: DispatchSemaphore?
    private var closed = false

    /// `invalidated` tells whether the session has ended (then every exchange is a lost tag);
    /// `onClose` invalidates the session.
    init(tag: NFCISO7816Tag, invalidated: @escaping () -> Bool, onClose: @escaping () -> Void,
         timeout: DispatchTimeInterval = .seconds(20)) {
        self.tag = tag
        self.invalidated = invalidated
        self.onClose = onClose
        self.timeout = timeout
    }

    private var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    func transceive(command: Data) throws -> Data {
        precondition(!Thread.isMainThread, "CardLink.transceive blocks: the library calls it on its worker thread")
        guard !isClosed, !invalidated(), tag.isAvailable else { throw LinkError.TagLost }
        guard let apdu = NFCISO7816APDU(data: command) else {
            throw LinkError.Other(detail: "malformed command APDU")
        }
        let done = DispatchSemaphore(value: 0)
        lock.lock()
        pending = done
        lock.unlock()
        defer {
            lock.lock()
            pending = nil
            lock.unlock()
        }
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
        if isClosed { throw LinkError.TagLost }
        return try box.get()
    }

    /// The flow was cancelled: wake a pending exchange and end the reader session.
    func close() {
        lock.lock()
        closed = true
        let waiting = pending
        lock.unlock()
        waiting?.signal()
        onClose()
    }

    /// CoreNFC carries extended-length APDUs to ISO 7816 tags; the library falls back to short
    /// ones if the card refuses.
    func supportsExtendedLength() -> Bool {
        true
    }

    func maxTransceiveLength() -> Int32 {
        0
    }

    private static func linkError(_ error: Error) -> LinkError {
        guard let nfc = error as? NFCReaderError else {
            return .Other(detail: "CoreNFC: \(type(of: error))")
        }
        switch nfc.code {
        case .readerTransceiveErrorTagConnectionLost, .readerTransceiveErrorTagNotConnected,
             .readerTransceiveErrorSessionInvalidated,
             .readerSessionInvalidationErrorUserCanceled, .readerSessionInvalidationErrorSessionTimeout,
             .readerSessionInvalidationErrorSessionTerminatedUnexpectedly,
             .readerSessionInvalidationErrorSystemIsBusy:
            return .TagLost
        case .readerTransceiveErrorRetryExceeded:
            return .Timeout
        default:
            return .Other(detail: "CoreNFC error \(nfc.code.rawValue)")
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

/// One reader session: its outcome (a link, or why there is none) and whether it has ended.
private final class Phase: @unchecked Sendable {
    let ready = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var outcome: Result<CardLink, Error>?
    private var ended = false

    /// The first outcome wins; the waiting thread is woken once.
    func finish(_ result: Result<CardLink, Error>) {
        lock.lock()
        let first = outcome == nil
        if first { outcome = result }
        lock.unlock()
        if first { ready.signal() }
    }

    /// The session was invalidated: before a tag the holder cancelled or it timed out; after,
    /// the link's next exchange reports a lost tag.
    func end() {
        lock.lock()
        ended = true
        lock.unlock()
        finish(.failure(LinkError.TagLost))
    }

    var isEnded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    func result() throws -> CardLink {
        lock.lock()
        defer { lock.unlock() }
        guard let outcome else { throw LinkError.TagLost }
        return try outcome.get()
    }
}

/// One `NFCTagReaderSession` per phase (reading the counter, signing): `connect` starts it and
/// returns once an ISO 7816 tag is connected (it waits on a background queue), `disconnect` ends
/// it with a success or an error message on the system sheet. Each session has its own state,
/// so a late callback of the previous session cannot disturb the next one.
final class NFCCardConnector: NSObject, CardConnector, NFCTagReaderSessionDelegate, @unchecked Sendable {
    private let queue = DispatchQueue(label: "jp.mynasign.sample.nfc")
    private let lock = NSLock()
    private var current: NFCTagReaderSession?
    private var phases: [ObjectIdentifier: Phase] = [:]

    static var isAvailable: Bool {
        NFCTagReaderSession.readingAvailable
    }

    func connect(prompt: String) async throws -> CardLink {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try self.waitForCard(prompt: prompt) })
            }
        }
    }

    /// Blocks a background thread until the session has a tag (or ended).
    private func waitForCard(prompt: String) throws -> CardLink {
        precondition(!Thread.isMainThread, "waits until a card is presented")
        guard let session = NFCTagReaderSession(pollingOption: .iso14443, delegate: self, queue: queue) else {
            throw LinkError.Other(detail: "NFC is not available")
        }
        let phase = Phase()
        lock.lock()
        current = session
        phases[ObjectIdentifier(session)] = phase
        lock.unlock()
        session.alertMessage = prompt
        session.begin()
        phase.ready.wait()
        return try phase.result()
    }

    func disconnect(errorMessage: String?) {
        lock.lock()
        let session = current
        current = nil
        lock.unlock()
        if let errorMessage {
            session?.invalidate(errorMessage: errorMessage)
        } else {
            session?.alertMessage = "完了しました。"
            session?.invalidate()
        }
    }

    private func phase(of session: NFCTagReaderSession) -> Phase? {
        lock.lock()
        defer { lock.unlock() }
        return phases[ObjectIdentifier(session)]
    }

    // MARK: NFCTagReaderSessionDelegate (called on `queue`)

    func tagReaderSessionDidBecomeActive(_ session: NFCTagReaderSession) {}

    func tagReaderSession(_ session: NFCTagReaderSession, didInvalidateWithError error: Error) {
        lock.lock()
        let phase = phases.removeValue(forKey: ObjectIdentifier(session))
        if current === session { current = nil }
        lock.unlock()
        phase?.end()
    }

    func tagReaderSession(_ session: NFCTagReaderSession, didDetect tags: [NFCTag]) {
        guard let first = tags.first, let phase = phase(of: session) else { return }
        if tags.count > 1 {
            session.alertMessage = "カードを1枚だけ置いてください。"
            session.restartPolling()
            return
        }
        guard case let .iso7816(tag) = first else {
            session.invalidate(errorMessage: "マイナンバーカードではありません。")
            return
        }
        session.connect(to: first) { error in
            if error != nil {
                session.invalidate(errorMessage: "カードに接続できませんでした。")
                phase.finish(.failure(LinkError.TagLost))
                return
            }
            phase.finish(.success(CoreNFCLink(
                tag: tag, invalidated: { phase.isEnded },
                onClose: { session.invalidate(errorMessage: "中止しました。") })))
        }
    }
}
