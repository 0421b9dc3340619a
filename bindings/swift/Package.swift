// swift-tools-version:5.9
// The MynaSign Swift package for local development: module `MynaSign` = the hand-written layer
// (Sources/MynaSign: `Myna`, `MynaNFCSession` and its CoreNFC adapter, `MynaError:
// LocalizedError`, the privacy manifest) plus the uniffi-generated Swift, over the Rust library
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
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "MynaSign", targets: ["MynaSign"]),
    ],
    targets: [
        .binaryTarget(name: "mynasignFFI", path: "generated/mynasignFFI.xcframework"),
        .target(
            name: "MynaSign",
            dependencies: ["mynasignFFI"],
            path: "Sources/MynaSign",
            resources: [.copy("PrivacyInfo.xcprivacy")],
            linkerSettings: [.linkedFramework("CoreNFC", .when(platforms: [.iOS]))]
        ),
        // The same XCTests as on Linux, on the Mac slice of the XCFramework (`swift test`).
        .testTarget(
            name: "MynaSignTests",
            dependencies: ["MynaSign"],
            path: "Tests/MynaSignTests"
        ),
    ]
)
