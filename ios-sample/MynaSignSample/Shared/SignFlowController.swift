// The sample's flow, in plain Swift (Foundation and MynaSign only: no SwiftUI, no CoreNFC), so
// it is compiled and tested on Linux against the emulator (bindings/swift/test.sh). The app's
// view model drives it from a background task and mirrors its state on the main actor.
//
//   consent ──agree──▶ readingCard ──▶ pinEntry ──sign──▶ signing(step) ──▶ verifyingResult ──▶ done
//                          │              ▲  │                 │
//                          ▼              │  ▼ (wrong PIN)     ▼ cancel / tag lost / error
//                      pinBlocked         └──┘             cancelled / failed ──retry──▶ readingCard
//
// Every method that talks to the card blocks: call it off the main thread.

import Foundation
import MynaSign

/// Gives the flow a link to the card for one phase and takes it back afterwards. On iOS each
/// phase is one NFC reader session (the system sheet covers the app, so the PIN is typed
/// between two sessions); with the emulator the link is simply there.
public protocol CardConnector: AnyObject {
    /// Blocks until a card is present; `prompt` is shown while waiting (the NFC sheet).
    func connect(prompt: String) throws -> CardLink
    /// Ends the phase: `errorMessage` nil for success.
    func disconnect(errorMessage: String?)
}

/// A connector that always has the same link: the emulator, a USB reader.
public final class FixedLinkConnector: CardConnector {
    private let link: CardLink

    /// Uses `link` for every phase.
    public init(link: CardLink) {
        self.link = link
    }

    public func connect(prompt: String) throws -> CardLink {
        link
    }

    public func disconnect(errorMessage: String?) {}
}

/// The emulated card as a `CardLink`: the app's own transport class, forwarding each APDU to
/// `Emulator.transceive` (the callback path is the same as with a real card).
public final class EmulatorLink: CardLink {
    /// The emulated card.
    public let emulator: Emulator

    /// Wraps `emulator`.
    public init(emulator: Emulator) {
        self.emulator = emulator
    }

    public func transceive(command: Data) throws -> Data {
        try emulator.transceive(command: command)
    }

    public func supportsExtendedLength() -> Bool {
        emulator.supportsExtendedLength()
    }

    public func maxTransceiveLength() -> UInt32 {
        0
    }
}

/// A message for the holder, with the library's stable code.
public struct FlowMessage: Equatable, Sendable {
    /// Stable code (`WRONG_PIN`, `TAG_LOST`, ...).
    public let code: String
    /// Japanese text.
    public let ja: String
    /// English text.
    public let en: String

    /// From a library error.
    public init(_ info: ErrorInfo) {
        self.init(code: info.code, ja: info.messageJa, en: info.messageEn)
    }

    /// From parts.
    public init(code: String, ja: String, en: String) {
        self.code = code
        self.ja = ja
        self.en = en
    }
}

/// What the PIN entry screen shows.
public struct PinPrompt: Equatable, Sendable {
    /// Attempts left.
    public let remaining: UInt8
    /// Attempts when fresh (5 for the signature password).
    public let maxAttempts: UInt8
    /// The next wrong entry locks the password: show a clear warning and ask the holder to
    /// confirm before sending anything.
    public let lastAttempt: Bool
    /// Why the screen is shown again (a wrong password, a missing confirmation), if it is.
    public let notice: FlowMessage?

    /// From parts.
    public init(remaining: UInt8, maxAttempts: UInt8, lastAttempt: Bool, notice: FlowMessage?) {
        self.remaining = remaining
        self.maxAttempts = maxAttempts
        self.lastAttempt = lastAttempt
        self.notice = notice
    }
}

/// Where the signing is.
public struct SignProgress: Equatable, Sendable {
    /// The step.
    public let step: SignStep
    /// 1-based.
    public let index: UInt32
    /// Steps in all.
    public let total: UInt32
}

/// The signed and verified consent.
public struct SignFlowResult: Equatable, Sendable {
    /// The CMS to submit.
    public let cms: Data
    /// The signed content (canonical JSON).
    public let documentJson: String
    /// The signer certificate's issuance number.
    public let issuanceNumber: String
    /// Card or smartphone certificate.
    public let source: CertificateSource
    /// Round trips with the card.
    public let exchanges: UInt32
    /// When it was signed.
    public let signingTime: Date
}

/// The screens.
public enum SignFlowState: Equatable, Sendable {
    /// Choosing the items and reading the terms; `notice` if agreeing was refused.
    case consent(notice: FlowMessage?)
    /// Reading the password's retry counter (hold the card).
    case readingCard
    /// Entering the signature password.
    case pinEntry(PinPrompt)
    /// The password is locked: only a municipal office or a kiosk can reset it.
    case pinBlocked(FlowMessage)
    /// The card works (hold it still).
    case signing(SignProgress)
    /// Checking the signature the card made.
    case verifyingResult
    /// Finished.
    case done(SignFlowResult)
    /// Stopped by the holder.
    case cancelled
    /// Something went wrong; `pinStatusUncertain` when the card left during VERIFY (the
    /// attempt may have counted: read the card again before retrying).
    case failed(FlowMessage, pinStatusUncertain: Bool)
}

/// The address-change consent flow as a state machine over a `CardConnector`: consent → PIN
/// status → warning on the last attempt → VERIFY and sign with progress and cancel → the
/// signature verified. Thread-safe; the card methods block.
public final class SignFlowController: @unchecked Sendable {
    /// The terms shown, and their hash as signed.
    public let termsText: String
    /// `termsText` hashed by the library.
    public let terms: TermsInfo

    private let connector: CardConnector
    private let channel: ConsentChannel
    private let holderStatus: HolderStatus
    private let trust: TrustAnchors
    private let nonce: String
    private let lock = NSLock()
    private var current: SignFlowState = .consent(notice: nil)
    private var items: Set<ConsentItem> = [.address]
    private var cancelHandle: CancelHandle?
    private let observer: (@Sendable (SignFlowState) -> Void)?

    /// A flow for the terms `termsText` (identified by `termsId` and `termsVersion`) and the
    /// receiving service's `nonce`. `onChange` is called on the thread that changed the state.
    public init(
        connector: CardConnector,
        termsId: String,
        termsVersion: String,
        termsText: String,
        nonce: String,
        channel: ConsentChannel = .licenceCentreKiosk,
        holderStatus: HolderStatus = .myNumberLicenceOnly,
        trust: TrustAnchors = .production,
        onChange: (@Sendable (SignFlowState) -> Void)? = nil
    ) throws {
        self.connector = connector
        self.termsText = termsText
        self.terms = try termsFromText(id: termsId, version: termsVersion, text: termsText)
        self.nonce = nonce
        self.channel = channel
        self.holderStatus = holderStatus
        self.trust = trust
        self.observer = onChange
    }

    /// The current screen.
    public var state: SignFlowState {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// The items selected on the consent screen.
    public var selectedItems: Set<ConsentItem> {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    /// Selects or deselects an item on the consent screen.
    public func setItem(_ item: ConsentItem, selected: Bool) {
        lock.lock()
        if selected { items.insert(item) } else { items.remove(item) }
        lock.unlock()
    }

    /// The holder agreed: reads the password's retry counter (blocks on the card). Also the
    /// way back after a failure, a cancellation or a tag lost during VERIFY.
    public func agreeAndReadCard() {
        if selectedItems.isEmpty {
            set(.consent(notice: FlowMessage(
                code: "EMPTY_SELECTION",
                ja: "住所・氏名・生年月日のうち少なくとも一つを選んでください。",
                en: "Choose at least one of address, name and date of birth.")))
            return
        }
        set(.readingCard)
        do {
            let link = try connector.connect(prompt: "カードを読み取ります。カードを置いてください。")
            let status: PinState
            do {
                let card = try JpkiCard.open(link: link)
                status = try card.pinStatus(pin: .signaturePassword)
            } catch {
                connector.disconnect(errorMessage: Self.message(for: error).ja)
                throw error
            }
            connector.disconnect(errorMessage: nil)
            if status.blocked {
                set(.pinBlocked(FlowMessage(
                    code: "PIN_BLOCKED",
                    ja: "署名用パスワードがロックされています。市区町村の窓口またはコンビニのキオスク端末で初期化してください。",
                    en: "The signature password is locked: reset it at your municipality or a convenience-store kiosk.")))
            } else {
                set(.pinEntry(PinPrompt(
                    remaining: status.remaining, maxAttempts: status.maxAttempts,
                    lastAttempt: status.lastAttempt, notice: nil)))
            }
        } catch {
            fail(error, prompt: nil)
        }
    }

    /// Verifies `password` and signs (blocks on the card, about a second of it signing), then
    /// verifies the signature. With one attempt left nothing is sent unless
    /// `confirmLastAttempt`: the screen must have shown the warning.
    public func sign(password: String, confirmLastAttempt: Bool) {
        guard case let .pinEntry(prompt) = state else { return }
        if prompt.lastAttempt && !confirmLastAttempt {
            set(.pinEntry(PinPrompt(
                remaining: prompt.remaining, maxAttempts: prompt.maxAttempts, lastAttempt: true,
                notice: FlowMessage(
                    code: "LAST_ATTEMPT",
                    ja: "残り1回です。間違えるとロックされます。確認のうえ、続行してください。",
                    en: "One attempt left: a wrong entry locks it. Confirm to continue."))))
            return
        }
        let cancel = CancelHandle()
        lock.lock()
        cancelHandle = cancel
        let chosen = ConsentItem.allOrdered.filter { items.contains($0) }
        lock.unlock()
        defer {
            lock.lock()
            cancelHandle = nil
            lock.unlock()
        }
        let document = ConsentDocument.addressChange(
            items: chosen, holderStatus: holderStatus, terms: terms, channel: channel,
            nonce: nonce, timestampUnix: nil)
        set(.signing(SignProgress(step: .connecting, index: 0, total: 0)))
        let signed: SignedConsentInfo
        do {
            let link = try connector.connect(prompt: "署名します。カードを動かさないでください。")
            do {
                signed = try signConsent(
                    link: link, document: document, password: password,
                    allowLastAttempt: confirmLastAttempt, includeCaCertificate: false,
                    progress: ProgressForwarder { [weak self] step, index, total in
                        self?.set(.signing(SignProgress(step: step, index: index, total: total)))
                    },
                    cancel: cancel)
            } catch {
                connector.disconnect(errorMessage: Self.message(for: error).ja)
                throw error
            }
            connector.disconnect(errorMessage: nil)
        } catch {
            fail(error, prompt: prompt)
            return
        }
        set(.verifyingResult)
        do {
            let verified = try verifyConsent(cms: signed.cms, trust: trust, atUnix: nil)
            set(.done(SignFlowResult(
                cms: signed.cms, documentJson: verified.documentJson,
                issuanceNumber: verified.signer.issuanceNumber, source: signed.source,
                exchanges: signed.counts.exchanges,
                signingTime: Date(timeIntervalSince1970: TimeInterval(verified.signingTimeUnix)))))
        } catch {
            fail(error, prompt: nil)
        }
    }

    /// Stops the signing before its next exchange (from any thread, e.g. the main actor).
    public func cancel() {
        lock.lock()
        let handle = cancelHandle
        lock.unlock()
        handle?.cancel()
    }

    /// Back to the consent screen.
    public func reset() {
        set(.consent(notice: nil))
    }

    private func set(_ next: SignFlowState) {
        lock.lock()
        current = next
        lock.unlock()
        observer?(next)
    }

    private func fail(_ error: Error, prompt: PinPrompt?) {
        guard let e = error as? MynaError else {
            set(.failed(Self.message(for: error), pinStatusUncertain: false))
            return
        }
        switch e {
        case let .WrongPin(info, _, remaining):
            if remaining == 0 {
                set(.pinBlocked(FlowMessage(info)))
            } else {
                set(.pinEntry(PinPrompt(
                    remaining: remaining, maxAttempts: prompt?.maxAttempts ?? 5,
                    lastAttempt: remaining == 1, notice: FlowMessage(info))))
            }
        case let .PinBlocked(info, _):
            set(.pinBlocked(FlowMessage(info)))
        case let .LastAttemptGuard(info, _):
            set(.pinEntry(PinPrompt(
                remaining: 1, maxAttempts: prompt?.maxAttempts ?? 5, lastAttempt: true,
                notice: FlowMessage(info))))
        case let .InvalidPinFormat(info, _):
            if let prompt {
                set(.pinEntry(PinPrompt(
                    remaining: prompt.remaining, maxAttempts: prompt.maxAttempts,
                    lastAttempt: prompt.lastAttempt, notice: FlowMessage(info))))
            } else {
                set(.failed(FlowMessage(info), pinStatusUncertain: false))
            }
        case .Cancelled:
            set(.cancelled)
        case let .TagLost(info, duringVerify):
            set(.failed(FlowMessage(info), pinStatusUncertain: duringVerify))
        default:
            set(.failed(Self.message(for: e), pinStatusUncertain: false))
        }
    }

    /// The holder-facing message of any error.
    public static func message(for error: Error) -> FlowMessage {
        if let e = error as? MynaError {
            return FlowMessage(e.info)
        }
        return FlowMessage(
            code: "LINK_ERROR",
            ja: "カードとの通信に失敗しました。もう一度お試しください。",
            en: "The connection to the card failed: try again.")
    }
}

extension ConsentItem {
    /// The items in the order the consent screen lists them.
    public static let allOrdered: [ConsentItem] = [.address, .name, .dateOfBirth]
}

extension MynaError {
    /// The code and messages of any case.
    public var info: ErrorInfo {
        switch self {
        case let .InvalidPinFormat(info, _), let .WrongPin(info, _, _), let .PinBlocked(info, _),
            let .LastAttemptGuard(info, _), let .PinNotVerified(info, _), let .TagLost(info, _),
            let .Timeout(info), let .NotMyNumberCard(info), let .NoSignatureCertificate(info),
            let .Cancelled(info), let .ChannelRule(info), let .AttributeMismatch(info, _),
            let .VerificationFailed(info, _), let .InvalidInput(info, _), let .CardError(info, _):
            return info
        }
    }
}

/// Forwards the library's progress to a closure (called on the flow's thread).
final class ProgressForwarder: ProgressCallback {
    private let body: @Sendable (SignStep, UInt32, UInt32) -> Void

    init(_ body: @escaping @Sendable (SignStep, UInt32, UInt32) -> Void) {
        self.body = body
    }

    func onStep(step: SignStep, index: UInt32, total: UInt32) {
        body(step, index, total)
    }
}
