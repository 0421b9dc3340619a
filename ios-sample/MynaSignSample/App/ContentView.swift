// The screens, one per state of the shared SignFlowController: consent, PIN entry (attempts
// left, warning before the last one), progress while the card is held, result.

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
                case .readingCard:
                    ProgressScreen(title: "カードを読み取っています", detail: "カードを動かさないでください。", step: nil, cancel: nil)
                case let .pinEntry(prompt):
                    PinScreen(model: model, prompt: prompt)
                case let .pinBlocked(message):
                    MessageScreen(title: "ロックされています", message: message, actionTitle: "最初に戻る", action: model.restart)
                case let .signing(progress):
                    ProgressScreen(title: "署名しています", detail: "カードを動かさないでください。", step: progress, cancel: model.cancel)
                case .verifyingResult:
                    ProgressScreen(title: "署名を確認しています", detail: "", step: nil, cancel: nil)
                case let .done(result):
                    ResultScreen(result: result, restart: model.restart)
                case .cancelled:
                    MessageScreen(title: "中止しました", message: nil, actionTitle: "カードを読み直す", action: model.agree)
                case let .failed(message, uncertain):
                    MessageScreen(
                        title: uncertain ? "残り回数を確認してください" : "エラー", message: message,
                        actionTitle: "カードを読み直す", action: model.agree)
                }
            }
            .padding()
            .navigationTitle("署名（サンプル）")
            .toolbar {
                ToolbarItem(placement: .bottomBar) {
                    Toggle("エミュレータ", isOn: $model.useEmulator).disabled(model.busy)
                }
            }
        }
    }
}

struct ConsentScreen: View {
    @ObservedObject var model: SignViewModel
    let notice: FlowMessage?

    private static func label(_ item: ConsentItem) -> String {
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
                ScrollView { Text(SampleTerms.text).font(.footnote) }.frame(minHeight: 160)
                Text("SHA-256: \(model.termsHash)").font(.caption2.monospaced()).textSelection(.enabled)
            }
            if let notice { Text(notice.ja).foregroundStyle(.red) }
            Button("同意してカードを読み取る", action: model.agree).disabled(model.busy || model.selected.isEmpty)
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
                Text("残り\(prompt.remaining)回（最大\(prompt.maxAttempts)回）")
                if let hint = model.emulatorPasswordHint { Text("エミュレータ: \(hint)").font(.caption) }
            }
            if prompt.lastAttempt {
                Section {
                    Label("残り1回です。間違えるとロックされ、市区町村の窓口での初期化が必要です。", systemImage: "exclamationmark.triangle.fill")
                        .foregroundStyle(.red)
                    Toggle("確認しました。続行します", isOn: $confirmed)
                }
            }
            if let notice = prompt.notice { Text(notice.ja).foregroundStyle(.red) }
            Button("署名する") {
                let value = password
                password = ""
                model.sign(password: value, confirmLastAttempt: confirmed)
            }
            .disabled(model.busy || password.isEmpty || (prompt.lastAttempt && !confirmed))
        }
    }
}

struct ProgressScreen: View {
    let title: String
    let detail: String
    let step: SignProgress?
    let cancel: (@MainActor () -> Void)?

    var body: some View {
        VStack(spacing: 16) {
            Text(title).font(.title2)
            if let step, step.total > 0 {
                ProgressView(value: Double(step.index), total: Double(step.total))
                Text(Self.label(step))
            } else {
                ProgressView()
            }
            Text(detail).foregroundStyle(.secondary)
            if let cancel { Button("中止", role: .cancel, action: cancel) }
        }
    }

    /// The library's own text for the step (Japanese).
    static func label(_ p: SignProgress) -> String {
        p.messageJa
    }
}

struct ResultScreen: View {
    let result: SignFlowResult
    let restart: @MainActor () -> Void

    var body: some View {
        Form {
            Section("署名しました（検証済み）") {
                LabeledContent("電子証明書", value: result.source == .card ? "カード" : "スマートフォン")
                LabeledContent("発行番号", value: result.issuanceNumber)
                LabeledContent("署名日時", value: result.signingTime.formatted())
                LabeledContent("通信回数", value: "\(result.exchanges)")
                LabeledContent("CMS", value: "\(result.cms.count) バイト")
            }
            Section("署名した内容") {
                Text(result.documentJson).font(.caption.monospaced()).textSelection(.enabled)
            }
            Button("最初に戻る", action: restart)
        }
    }
}

struct MessageScreen: View {
    let title: String
    let message: FlowMessage?
    let actionTitle: String
    let action: @MainActor () -> Void

    var body: some View {
        VStack(spacing: 16) {
            Text(title).font(.title2)
            if let message {
                Text(message.ja)
                Text(message.code).font(.caption.monospaced()).foregroundStyle(.secondary)
            }
            Button(actionTitle, action: action)
        }
    }
}
