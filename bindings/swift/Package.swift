// swift-tools-version:5.9
// The MynaSign Swift package apps use: the uniffi-generated Swift (module `MynaSign`) over the
// Rust library shipped as an XCFramework (module `mynasignFFI`). Neither is committed: run
// `bash bindings/swift/build-xcframework.sh` on a Mac first; it writes both under generated/.
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
            path: "generated/Sources/MynaSign"
        ),
        // The same XCTests as on Linux, on the Mac slice of the XCFramework (`swift test`).
        .testTarget(
            name: "MynaSignTests",
            dependencies: ["MynaSign"],
            path: "Tests/MynaSignTests"
        ),
    ]
)
