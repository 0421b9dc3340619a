// The login screen (issue 26), reached from the consent screen: one view per state of the
// shared LoginFlowController. The 4-digit authentication PIN in a SecureField, the card through
// the library's NFC session (`.logIn`: one reader session), the service's check, and what it
// recognised: the authentication certificate's serial (`.privacySensitive()`), key id and
// expiry; an authentication certificate names nobody.
//
// The service: with the NFC reader, the app's own calls to its service (`ServiceLogin`, a
// placeholder to replace); in debug builds with the emulator, the testing library's
// LoginVerifier on the phone, trusting the emulator's roots and asking its OCSP responder.
// Every literal is a key of the String Catalog (Japanese, English), checked by test.sh.

import MynaSign
import SwiftUI

/// The service the sample logs in to, as the app is configured with it (its origin).
enum LoginSample {
    static let service = "https://login.example.jp"
}

@MainActor
final class LoginViewModel: ObservableObject {
    @Published private(set) var state: LoginFlowState = .pinEntry(LoginPinPrompt(remaining: nil, lastAttempt: false, notice: nil))
    @Published private(set) var busy = false
    /// The emulator's PIN, shown on the PIN screen in emulator mode only (debug builds).
    let pinHint: String?
    /// Whether the app's own Cancel button can be reached (not under iOS's reading sheet).
    let ownCancelReachable: Bool
    private var flow: LoginFlowController?

    init(emulated: Bool) {
        let (connector, service, hint, ownCancel) = Self.card(emulated: emulated)
        pinHint = hint
        ownCancelReachable = ownCancel
        flow = LoginFlowController(connector: connector, service: service, onChange: { [weak self] _ in
            // Called on the flow's thread: hop to the main actor and show the latest state.
            Task { @MainActor in self?.refresh() }
        })
    }

    /// The NFC reader and the app's service (`ServiceLogin`), or in debug builds with the
    /// emulator switch on, the emulated card; the PIN hint; whether the app's Cancel is reachable.
    private static func card(emulated: Bool) -> (CardConnector, LoginService, String?, Bool) {
        #if DEBUG
        if emulated, let demo = try? emulatedCard() {
            return (demo.0, demo.1, demo.2, true)
        }
        #endif
        return (NFCSessionConnector(), ServiceLogin(service: LoginSample.service), nil, false)
    }

    #if DEBUG
    /// The emulated card (persona 1) and the library's LoginVerifier standing in for the
    /// service: the emulator's roots, its OCSP responder (revocation checked).
    private static func emulatedCard() throws -> (CardConnector, LoginService, String) {
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let options = VerifierOptions(
            trust: nil, rootsDer: emulator.rootCertificatesDer(), crls: [], maxSkewSeconds: nil,
            allowUncheckedRevocation: false, signatureRootsDer: [], authenticationRootsDer: [])
        let verifier = try LoginVerifier(verifier: try Verifier(options: options), service: LoginSample.service, lifetimeSeconds: nil)
        let service = VerifyingLoginService(verifier: verifier, service: LoginSample.service) { der in
            try emulatorOcspResponse(certificateDer: der, revokedAt: nil, nonce: nil)
        }
        let pin = String(decoding: emulator.authenticationPin(), as: UTF8.self)
        return (FixedLinkConnector(link: EmulatorLink(emulator: emulator)), service, pin)
    }
    #endif

    private func refresh() {
        if let flow { state = flow.state }
    }

    /// `pin` is handed to the flow as bytes (wiped there) and not kept here.
    func logIn(pin: String, confirmLastAttempt: Bool) {
        guard let flow, !busy else { return }
        let bytes = Array(pin.utf8)
        busy = true
        Task.detached(priority: .userInitiated) {
            await flow.logIn(pin: bytes, confirmLastAttempt: confirmLastAttempt)
            await MainActor.run { self.busy = false }
        }
    }

    func cancel() {
        flow?.cancel()
    }

    func reset() {
        flow?.reset()
    }
}

extension SignViewModel {
    /// Whether the login screen uses the emulated card (debug builds, emulator switch on).
    var emulatedForLogin: Bool {
        #if DEBUG
        return useEmulator
        #else
        return false
        #endif
    }
}

struct LoginView: View {
    @StateObject private var model: LoginViewModel

    init(emulated: Bool) {
        _model = StateObject(wrappedValue: LoginViewModel(emulated: emulated))
    }

    var body: some View {
        Group {
            switch model.state {
            case let .pinEntry(prompt):
                LoginPinScreen(model: model, prompt: prompt)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text("暗証番号の入力"))
            case .loggingIn:
                ProgressScreen(title: "ログインしています", detail: "カードを動かさないでください。", step: nil,
                               cancel: model.ownCancelReachable ? model.cancel : nil)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text("ログインしています"))
            case .checking:
                ProgressScreen(title: "サービスが確認しています", detail: "", step: nil, cancel: nil)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text("サービスが確認しています"))
            case let .done(account, exchanges):
                LoginResultScreen(account: account, exchanges: exchanges)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text("ログインしました"))
            case let .pinBlocked(message):
                MessageScreen(title: "ロックされています", message: message, actionTitle: "やり直す", action: model.reset)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text("利用者証明用電子証明書の暗証番号がロックされています"))
            case .cancelled:
                MessageScreen(title: "中止しました", message: nil, actionTitle: "やり直す", action: model.reset)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text("中止しました"))
            case let .failed(message, uncertain):
                MessageScreen(
                    title: uncertain ? "残り回数を確認してください" : "エラー", message: message,
                    actionTitle: "やり直す", action: model.reset)
                    .accessibilityElement(children: .contain)
                    .accessibilityLabel(Text(uncertain ? LocalizedStringKey("残り回数を確認してください") : LocalizedStringKey("エラー")))
            }
        }
        .padding()
        .navigationTitle("ログイン（サンプル）")
    }
}

struct LoginPinScreen: View {
    @ObservedObject var model: LoginViewModel
    let prompt: LoginPinPrompt
    @State private var pin = ""
    @State private var confirmed = false

    var body: some View {
        Form {
            Section("利用者証明用電子証明書の暗証番号（数字4桁）") {
                SecureField("暗証番号", text: $pin)
                    .keyboardType(.numberPad)
                    .autocorrectionDisabled()
                if let remaining = prompt.remaining { Text("残り\(Int(remaining))回") }
                if let hint = model.pinHint { Text("エミュレータ: \(hint)").font(.caption) }
            }
            if prompt.lastAttempt { LastAttemptSection(confirmed: $confirmed) }
            if let notice = prompt.notice { Text(notice.text).foregroundStyle(.red) }
            Button("ログインする") {
                let value = pin
                pin = ""
                model.logIn(pin: value, confirmLastAttempt: confirmed)
            }
            .disabled(model.busy || pin.isEmpty || (prompt.lastAttempt && !confirmed))
        }
    }
}

struct LoginResultScreen: View {
    let account: LoginAccount
    let exchanges: UInt32

    var body: some View {
        Form {
            Section("ログインしました") {
                LabeledContent("シリアル番号", value: account.certificateSerial)
                    .privacySensitive()
                LabeledContent("鍵識別子", value: account.keyId ?? String(localized: "なし"))
                    .privacySensitive()
                LabeledContent("有効期限", value: account.notAfter.formatted(date: .long, time: .omitted))
                LabeledContent("通信回数", value: "\(exchanges)")
            }
        }
    }
}
