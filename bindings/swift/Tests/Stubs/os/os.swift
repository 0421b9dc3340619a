// A stub of the part of Apple's unified logging API (`os.Logger`) that
// Sources/MynaSign/NFCDiagnostics.swift uses, written from Apple's documentation: `Logger`
// (`init(subsystem:category:)`, `info(_:)`), `OSLogMessage` built by string interpolation, and
// `OSLogPrivacy` on each interpolated value (`.public`, `.private`, `.auto`; a value not marked
// `.public` is shown as "<private>" outside a debugging session). It lets the Linux tests
// type-check the logging code and see each entry as Console would show it. Never linked into
// anything an app ships.

import Foundation

public struct OSLogPrivacy: Equatable, Sendable {
    let shown: Bool
    public static let `public` = OSLogPrivacy(shown: true)
    public static let `private` = OSLogPrivacy(shown: false)
    /// Dynamic strings are private by default (Apple: "Generating Log Messages from Your Code").
    public static let auto = OSLogPrivacy(shown: false)
}

public struct OSLogInterpolation: StringInterpolationProtocol {
    var shown = ""
    var full = ""

    public init(literalCapacity: Int, interpolationCount: Int) {}

    public mutating func appendLiteral(_ literal: String) {
        shown += literal
        full += literal
    }

    public mutating func appendInterpolation(_ value: @autoclosure @escaping () -> String, privacy: OSLogPrivacy = .auto) {
        let v = value()
        full += v
        shown += privacy.shown ? v : "<private>"
    }
}

public struct OSLogMessage: ExpressibleByStringInterpolation, ExpressibleByStringLiteral {
    let interpolation: OSLogInterpolation

    public init(stringInterpolation: OSLogInterpolation) {
        interpolation = stringInterpolation
    }

    public init(stringLiteral value: String) {
        var i = OSLogInterpolation(literalCapacity: value.count, interpolationCount: 0)
        i.appendLiteral(value)
        interpolation = i
    }
}

public struct Logger: Sendable {
    let subsystem: String
    let category: String

    public init(subsystem: String, category: String) {
        self.subsystem = subsystem
        self.category = category
    }

    public func info(_ message: OSLogMessage) {
        OSLogStub.record(OSLogStub.Entry(subsystem: subsystem, category: category, level: "info",
                                         shown: message.interpolation.shown))
    }
}

/// What was logged, as Console shows it to someone without the device's debug profile.
public enum OSLogStub {
    public struct Entry: Equatable, Sendable {
        public let subsystem: String
        public let category: String
        public let level: String
        public let shown: String
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var logged: [Entry] = []  // behind `lock`

    public static var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return logged
    }

    public static func reset() {
        lock.lock()
        logged = []
        lock.unlock()
    }

    static func record(_ entry: Entry) {
        lock.lock()
        logged.append(entry)
        lock.unlock()
    }
}
