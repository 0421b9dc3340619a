// The thin main-actor layer over the shared SignFlowController: it mirrors the controller's
// state for SwiftUI and runs the async card calls in Tasks (the library does the card I/O on
// its own worker thread, never on the main actor).

import Foundation
import MynaSign
import SwiftUI

/// The terms the consent screen shows; their SHA-256 is what the document signs.
enum SampleTerms {
    static let id = "address-change-terms"
    static let version = "1"
    static let text = """
        住所変更ワンストップサービス等の利用開始に関する同意事項（サンプル）

        1. 住所・氏名・生年月日の変更情報を、選択した手続きに提供することに同意します。
        2. 同意の有効期間は同意日の翌日から10年間です。いつでも取り消すことができます。
        3. このサンプルはデモ用であり、実際の手続きには使われません。
        """
}

@MainActor
final class SignViewModel: ObservableObject {
    @Published private(set) var state: SignFlowState = .consent(notice: nil)
    #if DEBUG
    /// Debug builds only (they link the testing library, which has the emulated card): the
    /// emulator instead of the NFC reader. An app that ships has no emulator.
    @Published var useEmulator: Bool = !MynaNFCSession.isAvailable {
        didSet { rebuild() }
    }
    private var emulator: Emulator?
    #endif
    @Published var selected: Set<ConsentItem> = [.address]
    @Published var busy = false

    private var flow: SignFlowController?

    init() {
        rebuild()
    }

    var termsHash: String {
        flow?.terms.sha256Hex ?? ""
    }

    /// A fresh controller for the card: the NFC reader, whose consent the receiving service
    /// verifies (revocation included: the library an app ships has no verifier); in debug
    /// builds optionally the emulator (persona 1), checked on the phone against the emulator's
    /// roots and its CRL, revocation included.
    private func rebuild() {
        #if DEBUG
        let (connector, check) = debugCard()
        #else
        let connector: CardConnector = NFCSessionConnector()
        let check: ConsentCheck? = nil
        #endif
        flow = try? SignFlowController(
            connector: connector, termsId: SampleTerms.id, termsVersion: SampleTerms.version,
            termsText: SampleTerms.text, nonce: UUID().uuidString, check: check,
            onChange: { [weak self] _ in
                // Called on the flow's thread: hop to the main actor and show the latest state.
                Task { @MainActor in self?.refresh() }
            })
        selected = [.address]
        state = .consent(notice: nil)
    }

    private func refresh() {
        if let flow { state = flow.state }
    }

    #if DEBUG
    /// The emulator or the NFC reader, and how the consent is checked.
    private func debugCard() -> (CardConnector, ConsentCheck?) {
        guard useEmulator else {
            emulator = nil
            return (NFCSessionConnector(), nil)
        }
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        self.emulator = emulator
        let check = SignFlowController.verifying(
            VerifyConsentOptions(rootsDer: emulator.rootCertificatesDer(), crls: [emulator.crl()]))
        return (FixedLinkConnector(link: EmulatorLink(emulator: emulator)), check)
    }
    #endif

    /// The emulator's password, shown as a hint on the PIN screen in emulator mode only.
    var emulatorPasswordHint: String? {
        #if DEBUG
        return emulator.map { String(decoding: $0.signaturePassword(), as: UTF8.self) }
        #else
        return nil
        #endif
    }

    /// Whether the app's own Cancel button can be reached: with the NFC reader, iOS's reading
    /// sheet covers the app while the card is read, and its own Cancel button stops the flow
    /// (the library reports it as a cancellation); the app's button is only shown without it.
    var ownCancelReachable: Bool {
        #if DEBUG
        return useEmulator
        #else
        return false
        #endif
    }

    func toggle(_ item: ConsentItem) {
        if selected.contains(item) { selected.remove(item) } else { selected.insert(item) }
        flow?.setItem(item, selected: selected.contains(item))
    }

    func agree() {
        run { await $0.agreeAndReadCard() }
    }

    /// `password` is handed to the flow as bytes (wiped there) and not kept here.
    func sign(password: String, confirmLastAttempt: Bool) {
        let bytes = Array(password.utf8)
        run { await $0.sign(password: bytes, confirmLastAttempt: confirmLastAttempt) }
    }

    func cancel() {
        flow?.cancel()
    }

    func restart() {
        rebuild()
    }

    /// Runs a step of the flow in a Task; `cancel()` reaches the card flow through the
    /// controller (Task cancellation closes the link).
    private func run(_ body: @escaping @Sendable (SignFlowController) async -> Void) {
        guard let flow, !busy else { return }
        busy = true
        Task.detached(priority: .userInitiated) {
            await body(flow)
            await MainActor.run { self.busy = false }
        }
    }
}
