// The screens, one per state of the shared SignFlowController: consent, PIN entry (attempts
// left, warning before the last one), progress while the card is held, result.
//
// Every literal is a key of the app's String Catalog (Localizable.xcstrings: Japanese source,
// English), so the screens speak the device's language like the NFC sheet and the library's
// errors (`FlowMessage.text`, `Myna.language`); test.sh checks that each is in the catalog in
// both languages. Each state's root view has a VoiceOver label saying where the holder is; raw
// error codes and the terms' hash are not read out; the certificate's issuance number is
// `.privacySensitive()`.

import MynaSign
import SwiftUI

struct ContentView: View {
    @ObservedObject var model: SignViewModel

    var body: some View {
        NavigationStack {
            Group {
                switch model.state {
                case let .consent(notice):
                    ConsentScreen(model: model, notice: notice)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("同意画面"))
                case .readingCard:
                    ProgressScreen(title: "カードを読み取っています", detail: "カードを動かさないでください。", step: nil,
                                   cancel: model.ownCancelReachable ? model.cancel : nil)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("カードを読み取っています"))
                case let .pinEntry(prompt):
                    PinScreen(model: model, prompt: prompt)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("署名用パスワードの入力"))
                case let .pinBlocked(message):
                    MessageScreen(title: "ロックされています", message: message, actionTitle: "最初に戻る", action: model.restart)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("署名用パスワードがロックされています"))
                case let .signing(progress):
                    ProgressScreen(title: "署名しています", detail: "カードを動かさないでください。", step: progress,
                                   cancel: model.ownCancelReachable ? model.cancel : nil)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("署名しています"))
                case .verifyingResult:
                    ProgressScreen(title: "署名を確認しています", detail: "", step: nil, cancel: nil)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("署名を確認しています"))
                case let .done(result):
                    ResultScreen(result: result, restart: model.restart)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("署名しました"))
                case .cancelled:
                    MessageScreen(title: "中止しました", message: nil, actionTitle: "カードを読み直す", action: model.agree)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text("中止しました"))
                case let .failed(message, uncertain):
                    MessageScreen(
                        title: uncertain ? "残り回数を確認してください" : "エラー", message: message,
                        actionTitle: "カードを読み直す", action: model.agree)
                        .accessibilityElement(children: .contain)
                        .accessibilityLabel(Text(uncertain ? LocalizedStringKey("残り回数を確認してください") : LocalizedStringKey("エラー")))
                }
            }
            .padding()
            .navigationTitle("署名（サンプル）")
            #if DEBUG
            .toolbar {
                ToolbarItem(placement: .bottomBar) {
                    Toggle("エミュレータ", isOn: $model.useEmulator).disabled(model.busy)
                }
            }
            #endif
        }
    }
}

struct ConsentScreen: View {
    @ObservedObject var model: SignViewModel
    let notice: FlowMessage?

    private static func label(_ item: ConsentItem) -> LocalizedStringKey {
        switch item {
        case .address: return "住所"
        case .name: return "氏名"
        case .dateOfBirth: return "生年月日"
        }
    }

    var body: some View {
        Form {
            Section("提供する情報") {
                ForEach(ConsentItem.allOrdered, id: \.self) { item in
                    Toggle(Self.label(item), isOn: Binding(get: { model.selected.contains(item) }, set: { _ in model.toggle(item) }))
                }
            }
            Section("同意事項") {
                ScrollView { Text(verbatim: SampleTerms.text).font(.footnote) }.frame(minHeight: 160)
                Text(verbatim: "SHA-256: \(model.termsHash)").font(.caption2.monospaced()).textSelection(.enabled)
                    .accessibilityLabel(Text("同意事項のハッシュ値（SHA-256）"))
            }
            if let notice { Text(notice.text).foregroundStyle(.red) }
            Button("同意してカードを読み取る", action: model.agree).disabled(model.busy || model.selected.isEmpty)
            // The login with the authentication certificate (LoginView.swift).
            NavigationLink("カードでログイン") { LoginView(emulated: model.emulatedForLogin) }.disabled(model.busy)
        }
    }
}

struct PinScreen: View {
    @ObservedObject var model: SignViewModel
    let prompt: PinPrompt
    @State private var password = ""
    @State private var confirmed = false

    var body: some View {
        Form {
            Section("署名用パスワード（英大文字と数字 6〜16文字）") {
                SecureField("パスワード", text: $password)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                Text("残り\(Int(prompt.remaining))回（最大\(Int(prompt.maxAttempts))回）")
                if let hint = model.emulatorPasswordHint { Text("エミュレータ: \(hint)").font(.caption) }
            }
            if prompt.lastAttempt { LastAttemptSection(confirmed: $confirmed) }
            if let notice = prompt.notice { Text(notice.text).foregroundStyle(.red) }
            Button("署名する") {
                let value = password
                password = ""
                model.sign(password: value, confirmLastAttempt: confirmed)
            }
            .disabled(model.busy || password.isEmpty || (prompt.lastAttempt && !confirmed))
        }
    }
}

/// The last-attempt warning and the confirmation the PIN screens wait for before they send
/// the last attempt.
struct LastAttemptSection: View {
    @Binding var confirmed: Bool

    var body: some View {
        Section {
            Label("残り1回です。間違えるとロックされ、市区町村の窓口での初期化が必要です。", systemImage: "exclamationmark.triangle.fill")
                .foregroundStyle(.red)
            Toggle("確認しました。続行します", isOn: $confirmed)
        }
    }
}

struct ProgressScreen: View {
    let title: LocalizedStringKey
    let detail: LocalizedStringKey
    let step: SignProgress?
    let cancel: (@MainActor () -> Void)?

    var body: some View {
        VStack(spacing: 16) {
            Text(title).font(.title2).accessibilityAddTraits(.isHeader)
            if let step, step.total > 0 {
                ProgressView(value: Double(step.index), total: Double(step.total))
                    .accessibilityLabel(Text("手順 \(Int(step.index)) / \(Int(step.total))"))
                Text(verbatim: Self.label(step))
            } else {
                ProgressView().accessibilityLabel(Text("処理中"))
            }
            Text(detail).foregroundStyle(.secondary)
            if let cancel {
                Button("中止", role: .cancel, action: cancel)
            } else {
                // iOS's reading sheet covers the app: its own Cancel button stops the flow.
                Text("中止するには、読み取り画面の「キャンセル」を押してください。").font(.footnote).foregroundStyle(.secondary)
            }
        }
    }

    /// The library's own text for the step, in the language of the sheet and the errors.
    static func label(_ p: SignProgress) -> String {
        Myna.usesJapanese || p.messageEn.isEmpty ? p.messageJa : p.messageEn
    }
}

struct ResultScreen: View {
    let result: SignFlowResult
    let restart: @MainActor () -> Void

    var body: some View {
        Form {
            Section(result.verifiedOnThePhone ? LocalizedStringKey("署名しました（この端末で検証済み）") : LocalizedStringKey("署名しました（受け取ったサービスが検証します）")) {
                LabeledContent("電子証明書", value: result.source == .card ? String(localized: "カード") : String(localized: "スマートフォン"))
                LabeledContent("発行番号", value: result.issuanceNumber)
                    .privacySensitive()
                LabeledContent("署名日時", value: result.signingTime.formatted())
                LabeledContent("通信回数", value: "\(result.exchanges)")
                LabeledContent("CMS", value: String(localized: "\(result.cms.count) バイト"))
            }
            Section("署名した内容") {
                Text(verbatim: result.documentJson).font(.caption.monospaced()).textSelection(.enabled)
                    .privacySensitive()
            }
            Button("最初に戻る", action: restart)
        }
    }
}

struct MessageScreen: View {
    let title: LocalizedStringKey
    let message: FlowMessage?
    let actionTitle: LocalizedStringKey
    let action: @MainActor () -> Void

    var body: some View {
        VStack(spacing: 16) {
            Text(title).font(.title2).accessibilityAddTraits(.isHeader)
            if let message {
                Text(message.text)
                // The library's stable code, for support: shown, not read out.
                Text(verbatim: message.code).font(.caption.monospaced()).foregroundStyle(.secondary)
                    .accessibilityHidden(true)
            }
            Button(actionTitle, action: action)
        }
    }
}
