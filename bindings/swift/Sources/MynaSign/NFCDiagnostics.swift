// Field diagnostics of the NFC session: the core's redacted `SessionDiagnostics` report of the
// exchanges (headers, lengths, status words, times; never data, not even a VERIFY's Lc),
// plus what only the iOS side knows: the CoreNFC error codes seen (the session's end, failed
// exchanges), how often polling restarted and why, the largest frames sent and received, and
// the extended-length policy before and after. Off unless the app opts in
// (`MynaNFCSession.diagnostics`); with `.log` it is also written to the unified log.

import Foundation
#if canImport(MynaSignCore)
import MynaSignCore  // the generated Swift, a module of its own where the package builds it so
#endif
#if canImport(os)
import os
#endif

/// Whether a `MynaNFCSession` keeps a field report, and whether it logs it.
public enum NFCDiagnosticsMode: Sendable {
    /// No report (the default).
    case off
    /// A report of each reader session, in `MynaNFCSession.lastDiagnostics`.
    case collect
    /// The same, also written to the unified log (`os.Logger`, subsystem `jp.mynasign`,
    /// category `nfc`) where the platform has it.
    case log
}

/// What the reader session counted (the iOS side of the report).
struct NFCRunFacts: Sendable {
    /// The `NFCReaderError` code CoreNFC ended the session with (nil: the app ended it).
    var sessionEnd: Int?
    /// The `NFCReaderError` codes of failed exchanges, in order.
    var exchangeErrors: [Int] = []
    var wrongTagRestarts = 0
    var severalTagRestarts = 0
    var connectRestarts = 0
    var lostFrameRestarts = 0
}

/// The redacted report of one reader session, for a support ticket: the core's
/// `SessionReport` with the iOS facts added (names under `ios.`), and the same as text.
public struct NFCDiagnosticsReport: Sendable, CustomStringConvertible {
    /// Facts and every exchange (header, lengths, status word, time; no data).
    public let report: SessionReport
    /// The report as plain text, one line per fact and per exchange.
    public let text: String

    init(_ diagnostics: SessionDiagnostics, facts: NFCRunFacts, startPolicy: LengthPolicy, endPolicy: LengthPolicy) {
        let exchanges = diagnostics.report().exchanges
        var added: [(String, String)] = [
            ("ios.length_policy.start", startPolicy.storedName),
            ("ios.length_policy.end", endPolicy.storedName),
            ("ios.corenfc.session_end", facts.sessionEnd.map(String.init) ?? "none (ended by the app)"),
            ("ios.corenfc.exchange_errors", facts.exchangeErrors.isEmpty ? "none" : facts.exchangeErrors.map(String.init).joined(separator: ",")),
            ("ios.restarts.wrong_tag", String(facts.wrongTagRestarts)),
            ("ios.restarts.several_tags", String(facts.severalTagRestarts)),
            ("ios.restarts.connect_failed", String(facts.connectRestarts)),
            ("ios.restarts.lost_large_frame", String(facts.lostFrameRestarts)),
            ("ios.frames.largest_command_bytes", String(exchanges.map(\.commandLength).max() ?? 0)),
            // The response with SW1 SW2, as the tag delivered it.
            ("ios.frames.largest_response_bytes", String(exchanges.compactMap(\.responseDataLength).map { $0 + 2 }.max() ?? 0)),
            ("os.version", ProcessInfo.processInfo.operatingSystemVersionString),
        ]
        added.sort { $0.0 < $1.0 }
        for (name, value) in added { diagnostics.addFact(name: name, value: value) }
        report = diagnostics.report()
        text = diagnostics.reportText()
    }

    /// The text (codes, counts, lengths, status words and times only).
    public var description: String { text }

    /// The lines written to the log, one per fact and per exchange.
    public var lines: [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// Writes the report to the unified log. Each line is `.public`: it holds only codes,
    /// counts, lengths, status words and times, which the tests check (no PIN, no
    /// certificate byte, no attribute); nothing else is logged.
    func writeToLog() {
        #if canImport(os)
        if #available(iOS 14.0, macOS 11.0, *) {
            let logger = Logger(subsystem: "jp.mynasign", category: "nfc")
            for line in lines {
                logger.info("\(line, privacy: .public)")
            }
        }
        #endif
    }
}

extension LengthPolicy {
    /// A name to store the policy under (in the app's settings): `auto`, `extended`, `short`.
    public var storedName: String {
        switch self {
        case .auto: return "auto"
        case .extended: return "extended"
        case .short: return "short"
        }
    }

    /// The policy stored as `storedName`; nil for anything else.
    public init?(storedName: String) {
        switch storedName {
        case "auto": self = .auto
        case "extended": self = .extended
        case "short": self = .short
        default: return nil
        }
    }
}
