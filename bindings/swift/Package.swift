// swift-tools-version:5.9
// The MynaSign Swift package apps use: module `MynaSign` = the hand-written layer
// (Sources/MynaSign/MynaSign+Async.swift: `Myna`, `CardFlowEvent`, `MynaError: LocalizedError`)
// plus the uniffi-generated Swift, over the Rust library shipped as an XCFramework (module
// `mynasignFFI`). The generated parts are not committed: run
// `bash bindings/swift/build-xcframework.sh` on a Mac first; it writes the XCFramework under
// generated/ and the generated Swift to Sources/MynaSign/Generated/ (git-ignored).
//
// Linux has no XCFramework: there the tests build the same generated Swift against the
// generated header and modulemap and the host-built library, in a package that
// `bash bindings/swift/test.sh` lays out (generated/linux-test).
import PackageDescription

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
            path: "Sources/MynaSign"
        ),
        // The same XCTests as on Linux, on the Mac slice of the XCFramework (`swift test`).
        .testTarget(
            name: "MynaSignTests",
            dependencies: ["MynaSign"],
            path: "Tests/MynaSignTests"
        ),
    ]
)
