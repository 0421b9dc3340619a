// The thin main-actor layer over the shared SignFlowController: it mirrors the controller's
// state for SwiftUI and runs the blocking card calls in detached tasks, off the main actor.

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
    @Published var useEmulator: Bool = !NFCCardConnector.isAvailable {
        didSet { rebuild() }
    }
    @Published var selected: Set<ConsentItem> = [.address]
    @Published var busy = false

    private var flow: SignFlowController?
    private var emulator: Emulator?

    init() {
        rebuild()
    }

    var termsHash: String {
        flow?.terms.sha256Hex ?? ""
    }

    /// A fresh controller for the chosen card: the emulator (persona 1, trusted with the
    /// emulator roots) or the NFC reader (production roots).
    private func rebuild() {
        let connector: CardConnector
        let trust: TrustAnchors
        if useEmulator {
            let emulator = Emulator(seed: 1, profile: .myNumberCard)
            self.emulator = emulator
            connector = FixedLinkConnector(link: EmulatorLink(emulator: emulator))
            trust = .emulator
        } else {
            emulator = nil
            connector = NFCCardConnector()
            trust = .production
        }
        flow = try? SignFlowController(
            connector: connector, termsId: SampleTerms.id, termsVersion: SampleTerms.version,
            termsText: SampleTerms.text, nonce: UUID().uuidString, trust: trust,
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

    /// The emulator's password, shown as a hint on the PIN screen in emulator mode only.
    var emulatorPasswordHint: String? {
        emulator?.signaturePassword()
    }

    func toggle(_ item: ConsentItem) {
        if selected.contains(item) { selected.remove(item) } else { selected.insert(item) }
        flow?.setItem(item, selected: selected.contains(item))
    }

    func agree() {
        run { $0.agreeAndReadCard() }
    }

    /// `password` is handed to the flow and not kept here.
    func sign(password: String, confirmLastAttempt: Bool) {
        run { $0.sign(password: password, confirmLastAttempt: confirmLastAttempt) }
    }

    func cancel() {
        flow?.cancel()
    }

    func restart() {
        rebuild()
    }

    /// Runs a blocking step of the flow in a detached task: never on the main actor.
    private func run(_ body: @escaping @Sendable (SignFlowController) -> Void) {
        guard let flow, !busy else { return }
        busy = true
        Task.detached(priority: .userInitiated) {
            body(flow)
            await MainActor.run { self.busy = false }
        }
    }
}
