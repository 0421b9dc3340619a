// What the library's NFC session (`MynaNFCSession`) needs from the platform, as three small
// protocols: the reader session (CoreNFC's `NFCTagReaderSession`), the tag it found
// (`NFCISO7816Tag`) and the reader's events (the session delegate's callbacks). The CoreNFC
// adapter (CoreNFCReader.swift, iOS only) implements them over CoreNFC; tests implement them
// over the emulated card, so the same state machine runs on Linux.

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore  // the generated Swift, a module of its own where the package builds it so
#endif

/// How the platform ended a reader session on its own (not because the app invalidated it).
/// The CoreNFC adapter maps `NFCReaderError` codes to these (CoreNFCReader.swift).
public enum NFCSessionEnd: Equatable, Sendable {
    /// The holder tapped Cancel on the NFC sheet (200).
    case userCanceled
    /// The system's session limit ran out (201; 60 seconds after the session became active).
    case sessionTimeout
    /// The system could not start the session: another reader session is running (203).
    case systemBusy
    /// The session ended unexpectedly (202): before it became active, the app is not set up
    /// for NFC (entitlement, Info.plist keys); once active, the app left the foreground or a
    /// call came in.
    case terminatedUnexpectedly
    /// CoreNFC does not support the request on this device (1).
    case unsupportedFeature
    /// The app lacks the entitlement or privacy settings CoreNFC requires (2).
    case securityViolation
    /// Another reason; `code` is the platform's, for logs.
    case other(code: Int)

    /// CoreNFC's `NFCReaderError` code for this end (for the field report).
    public var code: Int {
        switch self {
        case .userCanceled: return 200
        case .sessionTimeout: return 201
        case .systemBusy: return 203
        case .terminatedUnexpectedly: return 202
        case .unsupportedFeature: return 1
        case .securityViolation: return 2
        case let .other(code): return code
        }
    }
}

/// A tag the reader detected.
public protocol NFCCardTag: AnyObject, Sendable {
    /// Whether it speaks ISO 7816 APDUs (a My Number Card does; a FeliCa or MIFARE tag does
    /// not).
    var isISO7816: Bool { get }
    /// Sends one command APDU, returns the response: data, then SW1 SW2. Throws `LinkError`
    /// (`TagLost` when the card left, `Timeout`), or any other error (then `LinkFailed`).
    func sendCommand(_ apdu: Data) async throws -> Data
}

/// The platform's reader session, as `MynaNFCSession` drives it. A reader is used for one
/// flow: `begin` once, then `invalidate` once.
public protocol NFCReaderDriving: AnyObject, Sendable {
    /// The text on the NFC sheet.
    var alertMessage: String { get set }
    /// Starts polling for ISO 14443 tags (the sheet appears).
    func begin()
    /// Polls again after a tag that will not do (the sheet stays).
    func restartPolling()
    /// Connects to a detected tag.
    func connect(to tag: NFCCardTag) async throws
    /// Ends the session: `nil` shows success on the sheet, a message shows a failure.
    func invalidate(errorMessage: String?)
}

/// What the reader reports (CoreNFC's delegate callbacks), from any thread.
public protocol NFCReaderEvents: AnyObject, Sendable {
    /// The sheet is up and the reader polls.
    func readerDidBecomeActive()
    /// Tags were found (one or several).
    func readerDidDetect(_ tags: [NFCCardTag])
    /// The platform ended the session. (Reports after the app's own `invalidate` are
    /// ignored: CoreNFC reports those too.)
    func readerDidInvalidate(_ end: NFCSessionEnd)
    /// An exchange with the tag failed with the platform's error `code` (CoreNFC's
    /// `NFCReaderError` code), for the field report.
    func readerDidFailExchange(code: Int)
}

extension NFCReaderEvents {
    /// Nothing to record by default.
    public func readerDidFailExchange(code: Int) {}
}

/// Errors of the NFC session itself (the card flows throw `MynaError`).
public enum MynaNFCError: Error, Equatable, Sendable {
    /// This device cannot read NFC tags (no CoreNFC, the simulator, an iPad).
    case nfcUnavailable
    /// The card was found too late: the time left in the reader session (iOS ends it 60
    /// seconds after it became active) is shorter than the flow needs, so it was not started.
    case sessionTimeTooShort(secondsLeft: Int, secondsNeeded: Int)
    /// The app is not set up for NFC: CoreNFC ended the session before it became active (202),
    /// or reported a missing entitlement (2) or an unsupported feature (1). `code` is CoreNFC's
    /// `NFCReaderError` code; `diagnostic` names what to check (for developers, not holders).
    case misconfigured(code: Int)
    /// The session was interrupted once active (202): the app left the foreground, a call came
    /// in. Nothing is wrong with the card; start again.
    case interrupted
    /// The system is busy with another NFC session (203) and could not start this one.
    case systemBusy

    /// For developers: what to check in the app's set-up (`misconfigured` only). The library
    /// prints it in debug builds when the session ends this way.
    public var diagnostic: String? {
        guard case let .misconfigured(code) = self else { return nil }
        return "MynaSign: CoreNFC ended the reader session (NFCReaderError \(code)) before it became active. "
            + "Check the entitlement com.apple.developer.nfc.readersession.formats (with TAG) and the "
            + "Near Field Communication Tag Reading capability of the App ID, and the Info.plist keys "
            + "NFCReaderUsageDescription and com.apple.developer.nfc.readersession.iso7816.select-identifiers "
            + "(with the JPKI application's AID, see bindings/swift/README.md)."
    }

    /// What happened and what to do, in Japanese.
    public func messageJa() -> String { failureJa() + (recoveryJa() ?? "") }
    /// What happened and what to do, in English.
    public func messageEn() -> String { [failureEn(), recoveryEn()].compactMap { $0 }.joined(separator: " ") }

    /// What happened, in Japanese.
    public func failureJa() -> String { failure(japanese: true) }

    /// What happened, in English.
    public func failureEn() -> String { failure(japanese: false) }

    /// What to do, in Japanese.
    public func recoveryJa() -> String? { recovery(japanese: true) }

    /// What to do, in English.
    public func recoveryEn() -> String? { recovery(japanese: false) }

    /// The texts are `MynaText`s (Localizable.xcstrings).
    private func failure(japanese: Bool) -> String {
        switch self {
        case .nfcUnavailable: return MynaText.nfcUnavailable.text(japanese: japanese)
        case let .sessionTimeTooShort(left, needed): return MynaText.sessionTimeTooShort.text(japanese: japanese, left, needed)
        case .misconfigured: return MynaText.misconfigured.text(japanese: japanese)
        case .interrupted: return MynaText.interrupted.text(japanese: japanese)
        case .systemBusy: return MynaText.systemBusy.text(japanese: japanese)
        }
    }

    private func recovery(japanese: Bool) -> String? {
        switch self {
        case .nfcUnavailable: return MynaText.nfcUnavailableRecovery.text(japanese: japanese)
        case .sessionTimeTooShort: return MynaText.sessionTimeTooShortRecovery.text(japanese: japanese)
        case .misconfigured: return MynaText.misconfiguredRecovery.text(japanese: japanese)
        case .interrupted: return MynaText.interruptedRecovery.text(japanese: japanese)
        case .systemBusy: return MynaText.systemBusyRecovery.text(japanese: japanese)
        }
    }
}

extension MynaNFCError: LocalizedError {
    /// What happened, in `Myna.language`.
    public var errorDescription: String? { Myna.usesJapanese ? failureJa() : failureEn() }
    /// What to do, in `Myna.language`.
    public var recoverySuggestion: String? { Myna.usesJapanese ? recoveryJa() : recoveryEn() }
}

extension MynaNFCError: CustomStringConvertible {
    /// The English message.
    public var description: String { messageEn() }
}
