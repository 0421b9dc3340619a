#!/usr/bin/env bash
# Builds mynasignFFI.xcframework and the generated Swift for Package.swift. Needs a Mac with
# Xcode (xcodebuild, lipo) and rustup; it cannot run on Linux.
#
#   iOS device          aarch64-apple-ios
#   iOS simulator       aarch64-apple-ios-sim + x86_64-apple-ios (one fat library)
#   macOS               aarch64-apple-darwin (for `swift test` on the Mac)
#
# The bindings are generated from the unstripped host (macOS) library in library mode, then
# the release static libraries are packed with the generated header and modulemap.
# FEATURES applies to both, so they expose the same symbols: the default, none, is what an app
# ships (no emulator, no verifier); the iOS sample's emulator switch needs
# FEATURES="emulator verify" (the testing artifact).
set -euo pipefail
features="${FEATURES-}"
export FEATURES="$features"

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gen="$here/generated"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin)

[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "xcodebuild not found: install Xcode" >&2; exit 1; }

rustup target add "${targets[@]}"
for t in "${targets[@]}"; do
  cargo build --release -p mynasign-ffi --lib --features "$features" --target "$t" \
    --manifest-path "$root/Cargo.toml"
done

# The Swift, header and modulemap, from the unstripped debug library of this Mac.
rm -rf "$gen/bindings"
bash "$root/uniffi/generate.sh" swift "$gen/bindings" >/dev/null
# Next to the hand-written layer, in the package's MynaSign target (git-ignored).
mkdir -p "$here/Sources/MynaSign/Generated"
cp "$gen/bindings/MynaSign.swift" "$here/Sources/MynaSign/Generated/MynaSign.swift"

# One headers directory for every slice, with the header and the modulemap (named
# module.modulemap, as Xcode looks for it) in a folder of their own, Headers/mynasignFFI/:
# Xcode copies every XCFramework's Headers into one include directory, where a module.modulemap
# at the root would collide with any other uniffi SDK in the same app.
headers="$gen/xcframework-headers"
rm -rf "$headers"
mkdir -p "$headers/mynasignFFI"
cp "$gen/bindings/mynasignFFI.h" "$headers/mynasignFFI/"
cp "$gen/bindings/mynasignFFI.modulemap" "$headers/mynasignFFI/module.modulemap"

# The two simulator architectures in one library (an XCFramework takes one per platform).
sim="$gen/ios-simulator"
mkdir -p "$sim"
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/release/libmynasign_ffi.a" \
  "$target_dir/x86_64-apple-ios/release/libmynasign_ffi.a" \
  -output "$sim/libmynasign_ffi.a"

rm -rf "$gen/mynasignFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/release/libmynasign_ffi.a" -headers "$headers" \
  -library "$sim/libmynasign_ffi.a" -headers "$headers" \
  -library "$target_dir/aarch64-apple-darwin/release/libmynasign_ffi.a" -headers "$headers" \
  -output "$gen/mynasignFFI.xcframework"

echo "$gen/mynasignFFI.xcframework"
