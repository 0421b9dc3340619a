// The sample's flow, in plain Swift (Foundation and MynaSign only: no SwiftUI, no CoreNFC), so
// it is compiled and tested on Linux against the emulator (bindings/swift/test.sh). The app's
// view model drives it from a Task and mirrors its state on the main actor.
//
//   consent ──agree──▶ readingCard ──▶ pinEntry ──sign──▶ signing(step) ──▶ verifyingResult ──▶ done
//                          │              ▲  │                 │
//                          ▼              │  ▼ (wrong PIN)     ▼ cancel / tag lost / error
//                      pinBlocked         └──┘             cancelled / failed ──retry──▶ readingCard
//
// The card calls are `async` (the library runs them on its own worker thread); `cancel()`
// cancels the signing Task, which cancels the card flow (the link is closed).

import Foundation
import MynaSign

/// Gives the flow a link to the card for one phase and takes it back afterwards. On iOS each
/// phase is one NFC reader session of the library (`NFCSessionConnector` over
/// `MynaNFCSession`: the system sheet covers the app, so the PIN is typed between two
/// sessions); with the emulator the link is simply there.
public protocol CardConnector: AnyObject, Sendable {
    /// Returns once a card is present for a flow of `kind`; `prompt` is shown while waiting
    /// (the NFC sheet).
    func connect(for kind: NFCFlowKind, prompt: String) async throws -> CardLink
    /// Shows a step of the running flow (on the NFC sheet).
    func show(_ progress: FlowProgress)
    /// Ends the phase (success when `error` is nil) and returns the error as the holder should
    /// see it (Cancel on the NFC sheet is `Cancelled`, the session limit `Timeout`).
    func disconnect(error: Error?) -> Error?
}

/// The library's NFC session as a connector: one reader session per phase.
public final class NFCSessionConnector: CardConnector, @unchecked Sendable {
    private let session: MynaNFCSession

    /// Over `session` (the device's NFC reader by default).
    public init(session: MynaNFCSession = MynaNFCSession()) {
        self.session = session
    }

    public func connect(for kind: NFCFlowKind, prompt: String) async throws -> CardLink {
        try await session.connect(for: kind, prompt: prompt)
    }

    public func show(_ progress: FlowProgress) {
        session.show(progress)
    }

    public func disconnect(error: Error?) -> Error? {
        session.finish(error)
    }
}

/// A connector that always has the same link: the emulator, a USB reader.
public final class FixedLinkConnector: CardConnector, @unchecked Sendable {
    private let link: CardLink

    /// Uses `link` for every phase.
    public init(link: CardLink) {
        self.link = link
    }

    public func connect(for kind: NFCFlowKind, prompt: String) async throws -> CardLink {
        link
    }

    public func show(_ progress: FlowProgress) {}

    public func disconnect(error: Error?) -> Error? {
        error
    }
}

#if DEBUG
// The emulated card is in the testing library only (debug builds): an app that ships has none.
/// The emulated card as a `CardLink`: the app's own transport class, forwarding each APDU to
/// `Emulator.transceive` (the callback path is the same as with a real card).
public final class EmulatorLink: CardLink, @unchecked Sendable {
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

    public func maxTransceiveLength() -> Int32 {
        0
    }

    /// Nothing to close: the emulator answers at once.
    public func close() {}
}

extension SignFlowController {
    /// Checks the consent on the phone with the testing library's verifier (debug builds):
    /// `options` with the emulator's roots and its CRL, so that revocation is checked too.
    public static func verifying(_ options: VerifyConsentOptions) -> ConsentCheck {
        { signed in
            let verified = try verifyConsent(cms: signed.cms(), options: options)
            return SignFlowResult(
                cms: signed.cms(), documentJson: verified.documentJson(),
                issuanceNumber: verified.signer().issuanceNumber(), source: signed.source(),
                exchanges: signed.counts().exchanges, signingTime: verified.signingTime(), verifiedOnThePhone: true)
        }
    }
}
#endif

/// A message for the holder, with the library's stable code.
public struct FlowMessage: Equatable, Sendable {
    /// Stable code (`wrongPin`, `tagLost`, ...: the `ErrorCode` case, or the sample's own).
    public let code: String
    /// Japanese text.
    public let ja: String
    /// English text.
    public let en: String

    /// The text in the language of the sheet and the errors (`Myna.language`).
    public var text: String { Myna.usesJapanese ? ja : en }

    /// From a library error.
    public init(_ error: MynaError) {
        self.init(code: "\(error.code())", ja: error.messageJa(), en: error.messageEn())
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
    public let remaining: Int32
    /// Attempts when fresh (5 for the signature password).
    public let maxAttempts: Int32
    /// The next wrong entry locks the password: show a clear warning and ask the holder to
    /// confirm before sending anything.
    public let lastAttempt: Bool
    /// Why the screen is shown again (a wrong password, a missing confirmation), if it is.
    public let notice: FlowMessage?

    /// From parts.
    public init(remaining: Int32, maxAttempts: Int32, lastAttempt: Bool, notice: FlowMessage?) {
        self.remaining = remaining
        self.maxAttempts = maxAttempts
        self.lastAttempt = lastAttempt
        self.notice = notice
    }
}

/// Where the signing is.
public struct SignProgress: Equatable, Sendable {
    /// The step.
    public let step: FlowStep
    /// 1-based (0 before the first step).
    public let index: Int32
    /// Steps in all (0 before the first step).
    public let total: Int32
    /// The library's short text for the NFC sheet, Japanese.
    public let messageJa: String
    /// The same, English.
    public let messageEn: String

    /// From parts.
    public init(step: FlowStep, index: Int32, total: Int32, messageJa: String, messageEn: String = "") {
        self.step = step
        self.index = index
        self.total = total
        self.messageJa = messageJa
        self.messageEn = messageEn
    }
}

/// How the app checks the consent it made before submitting it. An app that ships has no
/// verifier on the phone (the library it ships is built without one): it passes nil, and the
/// receiving service verifies on receipt, revocation included. The debug build, with the
/// testing library, can check it on the phone (`SignFlowController.verifying`).
public typealias ConsentCheck = @Sendable (SignedConsent) throws -> SignFlowResult

/// The signed consent, verified on the phone or not.
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
    public let exchanges: Int32
    /// When it was signed.
    public let signingTime: Date
    /// Whether the phone verified it (debug builds with the testing library); otherwise the
    /// receiving service does.
    public let verifiedOnThePhone: Bool

    /// From parts.
    public init(cms: Data, documentJson: String, issuanceNumber: String, source: CertificateSource,
                exchanges: Int32, signingTime: Date, verifiedOnThePhone: Bool) {
        self.cms = cms
        self.documentJson = documentJson
        self.issuanceNumber = issuanceNumber
        self.source = source
        self.exchanges = exchanges
        self.signingTime = signingTime
        self.verifiedOnThePhone = verifiedOnThePhone
    }

    /// What the signed consent itself says (not verified here: the service verifies it).
    public init(unverified signed: SignedConsent, signedAt: Date) {
        self.init(cms: signed.cms(), documentJson: signed.documentJson(),
                  issuanceNumber: signed.certificate().issuanceNumber(), source: signed.source(),
                  exchanges: signed.counts().exchanges, signingTime: signedAt, verifiedOnThePhone: false)
    }
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
/// signature verified. Thread-safe.
public final class SignFlowController: @unchecked Sendable {
    /// The terms shown, and their hash as signed.
    public let termsText: String
    /// `termsText` hashed by the library.
    public let terms: TermsInfo

    private let connector: CardConnector
    private let channel: ConsentChannel
    private let holderStatus: HolderStatus
    private let check: ConsentCheck?
    private let nonce: String
    private let lock = NSLock()
    private var current: SignFlowState = .consent(notice: nil)
    private var items: Set<ConsentItem> = [.address]
    private var signing: Task<SignedConsent, Error>?
    private let observer: (@Sendable (SignFlowState) -> Void)?

    /// A flow for the terms `termsText` (identified by `termsId` and `termsVersion`) and the
    /// receiving service's `nonce`. `check`: how the app checks the consent it made before
    /// submitting (nil in an app that ships: the service verifies it; see `ConsentCheck`).
    /// `onChange` is called on the thread that changed the state.
    public init(
        connector: CardConnector,
        termsId: String,
        termsVersion: String,
        termsText: String,
        nonce: String,
        channel: ConsentChannel = .licenceCentreKiosk,
        holderStatus: HolderStatus = .myNumberLicenceOnly,
        check: ConsentCheck? = nil,
        onChange: (@Sendable (SignFlowState) -> Void)? = nil
    ) throws {
        self.connector = connector
        self.termsText = termsText
        self.terms = try termsFromText(id: termsId, version: termsVersion, text: termsText)
        self.nonce = nonce
        self.channel = channel
        self.holderStatus = holderStatus
        self.check = check
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

    /// The holder agreed: reads the password's retry counter. Also the way back after a
    /// failure, a cancellation or a tag lost during VERIFY.
    public func agreeAndReadCard() async {
        if selectedItems.isEmpty {
            set(.consent(notice: FlowMessage(
                code: "emptySelection",
                ja: "住所・氏名・生年月日のうち少なくとも一つを選んでください。",
                en: "Choose at least one of address, name and date of birth.")))
            return
        }
        set(.readingCard)
        do {
            let link = try await connector.connect(for: .readPinStatus, prompt: Myna.usesJapanese ? "カードを読み取ります。カードを当ててください。" : "Reading the card: hold it to the top of the iPhone.")
            let report: PinStatusReport
            do {
                report = try await Myna.readPinStatus(link: link)
            } catch {
                throw connector.disconnect(error: error) ?? error
            }
            _ = connector.disconnect(error: nil)
            let status = report.signaturePassword
            if status.blocked {
                set(.pinBlocked(FlowMessage(MynaError.PinBlocked(pin: .signaturePassword))))
            } else {
                set(.pinEntry(PinPrompt(
                    remaining: status.remaining, maxAttempts: status.maxAttempts,
                    lastAttempt: status.lastAttempt, notice: nil)))
            }
        } catch {
            fail(error, prompt: nil)
        }
    }

    /// Verifies `password` (UTF-8 bytes, wiped here afterwards) and signs, then verifies the
    /// signature. With one attempt left nothing is sent unless `confirmLastAttempt`: the
    /// screen must have shown the warning.
    public func sign(password: [UInt8], confirmLastAttempt: Bool) async {
        var password = password
        defer { for i in password.indices { password[i] = 0 } }
        guard case let .pinEntry(prompt) = state else { return }
        if prompt.lastAttempt && !confirmLastAttempt {
            set(.pinEntry(PinPrompt(
                remaining: prompt.remaining, maxAttempts: prompt.maxAttempts, lastAttempt: true,
                notice: FlowMessage(MynaError.LastAttemptGuard(pin: .signaturePassword)))))
            return
        }
        let chosen = ConsentItem.allOrdered.filter { selectedItems.contains($0) }
        set(.signing(SignProgress(step: .connecting, index: 0, total: 0, messageJa: "")))
        let signed: SignedConsent
        do {
            let document = try ConsentDocument.addressChange(
                items: chosen, holderStatus: holderStatus, terms: terms, channel: channel,
                nonce: nonce, timestamp: nil)
            let options = SignOptions(allowLastAttempt: confirmLastAttempt)
            let link = try await connector.connect(for: .signConsent, prompt: Myna.usesJapanese ? "署名します。カードを当ててください。" : "Signing: hold the card to the top of the iPhone.")
            let connector = self.connector
            let pin = password
            // Its own Task, so that cancel() can cancel it from any thread: cancelling the
            // Task ends the event stream, which cancels the card flow.
            let task = Task { [weak self] () throws -> SignedConsent in
                for try await event in Myna.signConsentEvents(link: link, document: document, password: pin, options: options) {
                    switch event {
                    case let .step(p):
                        connector.show(p)
                        self?.set(.signing(SignProgress(step: p.step, index: p.index, total: p.total, messageJa: p.messageJa, messageEn: p.messageEn)))
                    case let .done(result):
                        return result
                    }
                }
                // The stream ended without a result: its Task was cancelled.
                throw MynaError.Cancelled(duringVerify: false)
            }
            setSigning(task)
            defer { setSigning(nil) }
            do {
                signed = try await task.value
            } catch {
                throw connector.disconnect(error: error) ?? error
            }
            _ = connector.disconnect(error: nil)
        } catch {
            fail(error, prompt: prompt)
            return
        }
        guard let check else {
            set(.done(SignFlowResult(unverified: signed, signedAt: Date())))
            return
        }
        set(.verifyingResult)
        do {
            set(.done(try check(signed)))
        } catch {
            fail(error, prompt: nil)
        }
    }

    /// Stops the signing (from any thread, e.g. the main actor): the card flow stops before
    /// its next exchange and the link is closed; a VERIFY already sent completes first.
    public func cancel() {
        lock.lock()
        let task = signing
        lock.unlock()
        task?.cancel()
    }

    /// Back to the consent screen.
    public func reset() {
        set(.consent(notice: nil))
    }

    private func setSigning(_ task: Task<SignedConsent, Error>?) {
        lock.lock()
        signing = task
        lock.unlock()
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
        case let .WrongPin(_, remaining):
            set(.pinEntry(PinPrompt(
                remaining: remaining, maxAttempts: prompt?.maxAttempts ?? 5,
                lastAttempt: remaining == 1, notice: FlowMessage(e))))
        case .PinNowBlocked, .PinBlocked:
            set(.pinBlocked(FlowMessage(e)))
        case .LastAttemptGuard:
            set(.pinEntry(PinPrompt(
                remaining: 1, maxAttempts: prompt?.maxAttempts ?? 5, lastAttempt: true,
                notice: FlowMessage(e))))
        case .InvalidPinFormat:
            if let prompt {
                set(.pinEntry(PinPrompt(
                    remaining: prompt.remaining, maxAttempts: prompt.maxAttempts,
                    lastAttempt: prompt.lastAttempt, notice: FlowMessage(e))))
            } else {
                set(.failed(FlowMessage(e), pinStatusUncertain: false))
            }
        case .Cancelled where !e.pinCounterUncertain():
            set(.cancelled)
        default:
            set(.failed(FlowMessage(e), pinStatusUncertain: e.pinCounterUncertain()))
        }
    }

    /// The holder-facing message of any error.
    public static func message(for error: Error) -> FlowMessage {
        if let e = error as? MynaError {
            return FlowMessage(e)
        }
        return FlowMessage(
            code: "linkFailed",
            ja: "カードとの通信に失敗しました。もう一度お試しください。",
            en: "The connection to the card failed: try again.")
    }
}

extension ConsentItem {
    /// The items in the order the consent screen lists them.
    public static let allOrdered: [ConsentItem] = [.address, .name, .dateOfBirth]
}
