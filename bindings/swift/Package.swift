// swift-tools-version:6.0
// The MynaSign Swift package for local development: module `MynaSign` = the hand-written layer
// (Sources/MynaSign: `Myna`, `MynaNFCSession` and its CoreNFC adapter, `MynaError:
// LocalizedError`, the privacy manifest, the String Catalog; Swift 6 language mode), which
// re-exports `MynaSignCore`, the uniffi-generated Swift (Swift 5 mode), over the Rust library
// as an XCFramework (module `mynasignFFI`).
//
// From a fresh checkout, one command (rustup and python3, on macOS or Linux) makes the two
// generated paths this manifest uses (neither is committed):
//
//     bash bindings/swift/build-xcframework.sh
//
// It writes generated/mynasignFFI.xcframework (a dynamic mynasignFFI.framework per platform,
// exporting only the uniffi functions, so it links beside other Rust SDKs) and
// Sources/MynaSign/Generated/MynaSign.swift.
// Apps that do not build Rust use a release instead: bindings/swift/release.sh makes a
// Package.swift that fetches the zipped XCFramework by URL and checksum.
//
// Linux has no XCFramework: there the tests build the same Swift against the generated header
// and modulemap and the host-built library, in a package that `bash bindings/swift/test.sh`
// lays out (generated/linux-test).
import Foundation
import PackageDescription

for generated in ["generated/mynasignFFI.xcframework", "Sources/MynaSign/Generated/MynaSign.swift"]
where !FileManager.default.fileExists(atPath: Context.packageDirectory + "/" + generated) {
    fatalError("bindings/swift/\(generated) is missing: run `bash bindings/swift/build-xcframework.sh` once (rustup, python3; macOS or Linux)")
}

let package = Package(
    name: "MynaSign",
    defaultLocalization: "ja",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "MynaSign", targets: ["MynaSign"]),
    ],
    targets: [
        .binaryTarget(name: "mynasignFFI", path: "generated/mynasignFFI.xcframework"),
        // The uniffi-generated Swift, a module of its own in Swift 5 language mode: uniffi 0.32's
        // generated Swift does not build in Swift 6 mode (its async foreign-trait calls send
        // non-Sendable closures to a Task: uniffi-rs issue #2929; Swift 6.0.3 even stops on an
        // assertion there). `MynaSign` re-exports it: apps `import MynaSign` as before.
        .target(
            name: "MynaSignCore",
            dependencies: ["mynasignFFI"],
            path: "Sources/MynaSign/Generated",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // The hand-written layer, in Swift 6 language mode (this manifest's default).
        .target(
            name: "MynaSign",
            dependencies: ["MynaSignCore"],
            path: "Sources/MynaSign",
            exclude: ["Generated"],
            resources: [.copy("PrivacyInfo.xcprivacy"), .process("Localizable.xcstrings")],
            linkerSettings: [.linkedFramework("CoreNFC", .when(platforms: [.iOS]))]
        ),
        // The same XCTests as on Linux, on the Mac slice of the XCFramework (`swift test`);
        // test code, in Swift 5 mode as on Linux.
        .testTarget(
            name: "MynaSignTests",
            dependencies: ["MynaSign"],
            path: "Tests/MynaSignTests",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
