// The Swift layer's own texts (the NFC sheet's messages and `MynaNFCError`), one key each, in
// Japanese and English. Their source of truth is the String Catalog Localizable.xcstrings next
// to this file (a resource of the package, compiled by Xcode into ja.lproj and en.lproj): on
// Apple platforms a text is read from it in the language asked for; elsewhere (the Linux
// tests, where SwiftPM does not compile String Catalogs) the copy below is used, and a test
// (MynaTextTests) checks that every key is in the catalog with both languages and that the
// copies here say the same. The card flows' own texts (steps, `MynaError`) come from the Rust
// core in both languages.

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore  // the generated Swift, a module of its own where the package builds it so
#endif

/// A text of the Swift layer, by its key in Localizable.xcstrings.
public enum MynaText: String, CaseIterable, Sendable {
    case sheetPrompt = "sheet.prompt"
    case sheetSeveralCards = "sheet.severalCards"
    case sheetNotMyNumberCard = "sheet.notMyNumberCard"
    case sheetConnectFailed = "sheet.connectFailed"
    case sheetReadingAgain = "sheet.readingAgain"
    case sheetDone = "sheet.done"
    case sheetUnknownFailure = "sheet.unknownFailure"
    case nfcUnavailable = "error.nfcUnavailable"
    case nfcUnavailableRecovery = "error.nfcUnavailable.recovery"
    case sessionTimeTooShort = "error.sessionTimeTooShort"
    case sessionTimeTooShortRecovery = "error.sessionTimeTooShort.recovery"
    case misconfigured = "error.misconfigured"
    case misconfiguredRecovery = "error.misconfigured.recovery"
    case interrupted = "error.interrupted"
    case interruptedRecovery = "error.interrupted.recovery"
    case systemBusy = "error.systemBusy"
    case systemBusyRecovery = "error.systemBusy.recovery"

    /// The key in the String Catalog.
    public var key: String { rawValue }

    /// The Japanese text as this file carries it (the catalog's, checked by the tests).
    /// `%lld` stands for a number (`text(japanese:_:)` fills it in).
    public var japanese: String {
        switch self {
        case .sheetPrompt: return "マイナンバーカードをiPhoneの上部に当ててください。"
        case .sheetSeveralCards: return "カードが複数あります。マイナンバーカード1枚だけを当ててください。"
        case .sheetNotMyNumberCard: return "マイナンバーカードではありません。マイナンバーカードを当ててください。"
        case .sheetConnectFailed: return "カードに接続できませんでした。もう一度当ててください。"
        case .sheetReadingAgain: return "もう一度読み取ります。カードをそのまま当てていてください。"
        case .sheetDone: return "完了しました。"
        case .sheetUnknownFailure: return "カードを読み取れませんでした。"
        case .nfcUnavailable: return "この端末ではカードを読み取れません。"
        case .nfcUnavailableRecovery: return "NFCに対応したiPhoneをお使いください。"
        case .sessionTimeTooShort: return "読み取りの残り時間（約%lld秒）では、この処理（約%lld秒）を終えられないため、始めませんでした。"
        case .sessionTimeTooShortRecovery: return "もう一度始めて、すぐにカードをiPhoneの上部に当ててください。"
        case .misconfigured: return "このアプリはカードを読み取れるように設定されていません。"
        case .misconfiguredRecovery: return "アプリの提供元にお問い合わせください。"
        case .interrupted: return "読み取りが中断されました。"
        case .interruptedRecovery: return "アプリを開いたまま、もう一度お試しください。"
        case .systemBusy: return "iPhoneが別の読み取りを行っているため、始められませんでした。"
        case .systemBusyRecovery: return "少し待ってから、もう一度お試しください。"
        }
    }

    /// The English text as this file carries it.
    public var english: String {
        switch self {
        case .sheetPrompt: return "Hold your My Number Card to the top of the iPhone."
        case .sheetSeveralCards: return "Several cards found: hold only your My Number Card."
        case .sheetNotMyNumberCard: return "This is not a My Number Card: hold your My Number Card."
        case .sheetConnectFailed: return "Could not connect to the card: hold it again."
        case .sheetReadingAgain: return "Reading again: keep holding the card."
        case .sheetDone: return "Done."
        case .sheetUnknownFailure: return "The card could not be read."
        case .nfcUnavailable: return "This device cannot read the card."
        case .nfcUnavailableRecovery: return "Use an iPhone that reads NFC."
        case .sessionTimeTooShort: return "Not started: the reading session has about %lld s left, and this takes about %lld s."
        case .sessionTimeTooShortRecovery: return "Start again and hold the card to the top of the iPhone straight away."
        case .misconfigured: return "This app is not set up to read the card."
        case .misconfiguredRecovery: return "Contact the app's provider."
        case .interrupted: return "Reading was interrupted."
        case .interruptedRecovery: return "Keep the app open and try again."
        case .systemBusy: return "The iPhone is busy with another reading and could not start."
        case .systemBusyRecovery: return "Wait a moment and try again."
        }
    }

    /// The text in Japanese or English, with `numbers` in place of its `%lld`s: from the
    /// package's String Catalog where the platform compiled it, else this file's copy.
    public func text(japanese: Bool, _ numbers: Int...) -> String {
        let format = MynaText.catalog(key, japanese: japanese) ?? (japanese ? self.japanese : english)
        if numbers.isEmpty { return format }
        return String(format: format, arguments: numbers.map { Int64($0) as CVarArg })
    }

    /// The catalog's text for `key` in the language asked for (not the device's), if the
    /// package's resources hold it (Xcode compiles Localizable.xcstrings into ja.lproj and
    /// en.lproj of the package's bundle).
    private static func catalog(_ key: String, japanese: Bool) -> String? {
        #if canImport(Darwin) && SWIFT_PACKAGE
        guard let path = Bundle.module.path(forResource: japanese ? "ja" : "en", ofType: "lproj"),
              let bundle = Bundle(path: path) else { return nil }
        let value = bundle.localizedString(forKey: key, value: nil, table: nil)
        return value == key ? nil : value
        #else
        return nil
        #endif
    }
}
