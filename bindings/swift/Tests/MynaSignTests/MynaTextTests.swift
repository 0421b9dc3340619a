// The Swift layer's texts (`MynaText`) against their String Catalog
// (Sources/MynaSign/Localizable.xcstrings), one language for the sheet and the errors, and the
// app's own sheet texts.

import Foundation
import MynaSign
import XCTest

final class MynaTextTests: XCTestCase {
    override func tearDown() {
        Myna.language = nil
    }

    /// The catalog, parsed: key → language → (state, value).
    func catalog() throws -> [String: [String: (String, String)]] {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let candidates = [
            here.appendingPathComponent("../../strings/Localizable.xcstrings"),  // the Linux test package
            here.appendingPathComponent("../../Sources/MynaSign/Localizable.xcstrings"),  // bindings/swift on a Mac
        ]
        let url = try XCTUnwrap(candidates.first { FileManager.default.fileExists(atPath: $0.path) }, "no Localizable.xcstrings")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        XCTAssertEqual(json["sourceLanguage"] as? String, "ja")
        let strings = try XCTUnwrap(json["strings"] as? [String: Any])
        var out: [String: [String: (String, String)]] = [:]
        for (key, entry) in strings {
            let localizations = (entry as? [String: Any])?["localizations"] as? [String: Any] ?? [:]
            for (language, l) in localizations {
                let unit = (l as? [String: Any])?["stringUnit"] as? [String: Any] ?? [:]
                out[key, default: [:]][language] = (unit["state"] as? String ?? "", unit["value"] as? String ?? "")
            }
        }
        return out
    }

    /// Every key the code uses is in the catalog, translated in Japanese and English, with the
    /// code's copy word for word; and the catalog has no key the code does not use.
    func testEveryTextIsInTheCatalogInBothLanguages() throws {
        let catalog = try catalog()
        for text in MynaText.allCases {
            let entry = try XCTUnwrap(catalog[text.key], "\(text.key) is not in Localizable.xcstrings")
            XCTAssertEqual(entry["ja"]?.0, "translated", text.key)
            XCTAssertEqual(entry["en"]?.0, "translated", text.key)
            XCTAssertEqual(entry["ja"]?.1, text.japanese, text.key)
            XCTAssertEqual(entry["en"]?.1, text.english, text.key)
            XCTAssertTrue(isJapanese(text.japanese), text.key)
            XCTAssertFalse(isJapanese(text.english), text.key)
            XCTAssertEqual(text.japanese.components(separatedBy: "%lld").count, text.english.components(separatedBy: "%lld").count, "\(text.key): the same numbers")
        }
        XCTAssertEqual(Set(catalog.keys), Set(MynaText.allCases.map(\.key)), "keys in the catalog that the code does not use")
    }

    /// One language for the sheet and the errors: `Myna.language` (the device's by default).
    func testTheSheetAndTheErrorsSpeakOneLanguage() async throws {
        for (code, japanese) in [("en", false), ("ja-JP", true)] {
            Myna.language = code
            let emulator = Emulator(seed: 1, profile: .myNumberCard)
            let readers = ReaderLog()
            let s = MynaNFCSession(sleeper: { _ in }) { events in
                readers.add(FakeReader(events: events, polls: [.tags([OtherTag()]), .tags([EmulatorTag(emulator)])]))
            }
            let e = await mynaError { try await s.signConsent(document: try consentDocument(), password: Array("WRONG1".utf8)) }
            let error = try XCTUnwrap(e)
            let sheet = try XCTUnwrap(readers.first)
            XCTAssertEqual(sheet.alerts.first, japanese ? MynaText.sheetPrompt.japanese : MynaText.sheetPrompt.english, code)
            XCTAssertEqual(sheet.alerts[1], MynaText.sheetNotMyNumberCard.text(japanese: japanese), code)
            XCTAssertEqual(sheet.invalidations, [error.localizedDescription], "\(code): the sheet ends with the error's own text")
            XCTAssertEqual(isJapanese(error.localizedDescription), japanese, code)
            XCTAssertEqual(sheet.alerts.dropFirst(2).allSatisfy { isJapanese($0) == japanese }, true, "\(code): \(sheet.alerts)")
            _ = try await MynaNFCSession(reader: { FakeReader(events: $0, polls: [.tags([EmulatorTag(emulator)])]) })
                .signConsent(document: try consentDocument(), password: emulator.password)  // resets the counter
        }
        // An explicit sheet language still wins for the sheet.
        Myna.language = "en"
        let session = MynaNFCSession(language: .japanese, reader: { _ in nil })
        XCTAssertEqual(session.language, .japanese)
        XCTAssertNil(MynaNFCSession(reader: { _ in nil }).language)
    }

    /// The app's own texts for every message and step, and for the failure.
    func testTheAppsOwnSheetTexts() async throws {
        Myna.language = "ja"
        let emulator = Emulator(seed: 1, profile: .myNumberCard)
        let readers = ReaderLog()
        let s = MynaNFCSession(sleeper: { _ in }) { events in
            readers.add(FakeReader(events: events, polls: [.tags([EmulatorTag(emulator), OtherTag()]), .tags([OtherTag()]), .tags([EmulatorTag(emulator)])]))
        }
        var custom = MynaNFCSession.SheetTexts()
        for text in MynaText.allCases where text.key.hasPrefix("sheet.") { custom.messages[text] = "app: \(text.key)" }
        for step in [FlowStep.connecting, .checkingPin, .verifyingPin, .readingCertificate, .signing] { custom.steps[step] = "app step: \(step)" }
        custom.failure = { _ in "app failure" }
        s.sheetTexts = custom
        let signed = try await s.signConsent(document: try consentDocument(), password: emulator.password)
        XCTAssertNotNil(signed)
        let alerts = try XCTUnwrap(readers.first).alerts
        XCTAssertEqual(Array(alerts.prefix(3)), ["app: sheet.prompt", "app: sheet.severalCards", "app: sheet.notMyNumberCard"])
        XCTAssertEqual(alerts.last, "app: sheet.done")
        let steps = alerts.dropFirst(3).dropLast()
        XCTAssertFalse(steps.isEmpty)
        XCTAssertTrue(steps.allSatisfy { $0.hasPrefix("app step: ") }, "\(steps)")

        let failing = MynaNFCSession(sleeper: { _ in }) { events in
            readers.add(FakeReader(events: events, polls: [.tags([EmulatorTag(emulator)])]))
        }
        failing.sheetTexts = custom
        _ = await mynaError { try await failing.signConsent(document: try consentDocument(), password: Array("WRONG1".utf8)) }
        XCTAssertEqual(readers.all.last?.invalidations, ["app failure"])
        _ = try await MynaNFCSession(reader: { FakeReader(events: $0, polls: [.tags([EmulatorTag(emulator)])]) })
            .signConsent(document: try consentDocument(), password: emulator.password)  // resets the counter
    }
}
