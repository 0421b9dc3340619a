#!/usr/bin/env bash
# Builds mynasignFFI.xcframework and the generated Swift for Package.swift, on Linux or macOS:
# rustup and python3 are all it needs (no Xcode, no Apple SDK).
#
#   slice                        Rust targets                           what it holds
#   ios-arm64                    aarch64-apple-ios                      mynasignFFI.framework
#   ios-arm64_x86_64-simulator   aarch64-apple-ios-sim + x86_64-apple-ios   (one fat binary)
#   macos-arm64                  aarch64-apple-darwin (`swift test` on a Mac)
#
# Each slice is a dynamic framework: the Rust library, built with the size-tuned release-ffi
# profile as a static library, linked by scripts/link-dylib.sh (LLVM's ld64.lld) into a dylib
# that exports only the uniffi functions. Rust's standard library stays private to it, so an
# app can link another Rust library (another uniffi SDK) beside it without duplicate symbols
# (`rust_eh_personality`, `__rdl_alloc`, ...), which two static Rust libraries always have.
# Xcode embeds and signs the framework in the app ("Embed & Sign", automatic for a SwiftPM
# binary target).
#
# The Swift, header and module map are generated from the device slice's static library itself
# (uniffi library mode reads the metadata in it), so they match what ships. Every slice is then
# checked (scripts/xcframework.py check): architectures, platform and minimum OS, Mach-O dylib
# with the framework's install name, libSystem its only dependency, every function the header
# declares exported and nothing else.
#
# FEATURES applies to every slice: the default, none, is what an app ships (no emulator, no
# verifier); the iOS sample's emulator switch needs FEATURES="emulator verify" (the testing
# artifact). OUT (default bindings/swift/generated) is where mynasignFFI.xcframework goes.
#
# Where rustup has no prebuilt standard library for a target (this build machine's mirror has
# none for the two simulator targets), it is built from source (`-Z build-std`, the rust-src
# component, on the stable compiler with RUSTC_BOOTSTRAP=1, which enables that one nightly
# flag); elsewhere the prebuilt one is used.
set -euo pipefail
features="${FEATURES-}"

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${OUT:-$here/generated}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
version="$(cat "$here/VERSION")"
profile=release-ffi
work="$out/xcframework-work"
rm -rf "$work"
mkdir -p "$work"

# build TARGET: the static library of the FFI crate for TARGET; prints its path.
build() {
  local t="$1" deploy
  case "$t" in
    *-apple-ios*) deploy=(IPHONEOS_DEPLOYMENT_TARGET=15.0) ;;
    *-apple-darwin) deploy=(MACOSX_DEPLOYMENT_TARGET=12.0) ;;
  esac
  local std_flags=() dir="$target_dir"
  if ! rustup target list --installed | grep -qx "$t" && ! rustup target add "$t" >&2 2>/dev/null; then
    echo "build-xcframework: no prebuilt standard library for $t; building it from source" >&2
    rustup component add rust-src >&2
    std_flags=(-Z build-std=std,panic_unwind)
    # A target folder of its own: RUSTC_BOOTSTRAP is part of every crate's fingerprint, so
    # sharing one with the other targets would rebuild the host tools at each switch.
    deploy+=(RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$target_dir/build-std")
    dir="$target_dir/build-std"
  fi
  env "${deploy[@]}" cargo rustc --quiet -p mynasign-ffi --lib --no-default-features \
    ${features:+--features "$features"} --target "$t" --profile "$profile" --crate-type staticlib \
    "${std_flags[@]}" --manifest-path "$root/Cargo.toml" >&2
  echo "$dir/$t/$profile/libmynasign_ffi.a"
}

# The Mach-O dylib of each target.
ios_name="@rpath/mynasignFFI.framework/mynasignFFI"
mac_name="@rpath/mynasignFFI.framework/Versions/A/mynasignFFI"
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin; do
  lib="$(build "$t")"
  name="$ios_name"
  [ "$t" = aarch64-apple-darwin ] && name="$mac_name"
  VERSION="$version" bash "$here/scripts/link-dylib.sh" "$t" "$lib" "$work/$t/mynasignFFI" "$name"
done

# On a Mac with Xcode, the libSystem symbols the stub names are checked against the real SDKs
# (here, they were checked against a public copy of the iOS 14 SDK: libsystem-symbols.txt).
if command -v xcrun >/dev/null 2>&1 && sdk="$(xcrun --sdk iphoneos --show-sdk-path 2>/dev/null)"; then
  python3 "$here/scripts/xcframework.py" symbols "$sdk/usr/lib/libSystem.B.tbd" arm64-ios "$here/scripts/libsystem-symbols.txt" >&2
  sim_sdk="$(xcrun --sdk iphonesimulator --show-sdk-path)"
  for t in arm64-ios-simulator x86_64-ios-simulator; do
    python3 "$here/scripts/xcframework.py" symbols "$sim_sdk/usr/lib/libSystem.B.tbd" "$t" "$here/scripts/libsystem-symbols.txt" >&2
  done
  python3 "$here/scripts/xcframework.py" symbols "$(xcrun --sdk macosx --show-sdk-path)/usr/lib/libSystem.B.tbd" \
    arm64-macos "$here/scripts/libsystem-symbols.txt" >&2
fi

# The two simulator architectures in one binary (an XCFramework takes one per platform
# variant): lipo (macOS) or LLVM's llvm-lipo (Debian's llvm package).
lipo_tool=""
for c in lipo llvm-lipo llvm-lipo-{22..14}; do
  if command -v "$c" >/dev/null 2>&1; then lipo_tool="$c"; break; fi
done
[ -n "$lipo_tool" ] || { echo "build-xcframework: needs lipo or llvm-lipo (Debian: apt-get install llvm)" >&2; exit 1; }
"$lipo_tool" -create "$work/aarch64-apple-ios-sim/mynasignFFI" "$work/x86_64-apple-ios/mynasignFFI" \
  -output "$work/simulator-mynasignFFI"

# The Swift, header and module map, from the device slice's static library (a folder of their
# own: test.sh generates the testing artifact's into generated/bindings).
cargo build --quiet -p mynasign-bindgen --manifest-path "$root/Cargo.toml" >&2
bindings="$out/xcframework-bindings"
rm -rf "$bindings"
mkdir -p "$bindings"
"$target_dir/debug/uniffi-bindgen" generate --library "$target_dir/aarch64-apple-ios/$profile/libmynasign_ffi.a" \
  --language swift --out-dir "$bindings" --config "$root/uniffi/bindgen.toml" --no-format >&2
# What an app ships has no emulator: a build without the feature that still declares the
# emulator's constructor used a stale library.
case " $features " in
  *" emulator "*) ;;
  *) if grep -q "uniffi_mynasign_ffi_fn_constructor_emulator_new" "$bindings/mynasignFFI.h"; then
       echo "build-xcframework: the library has the emulator, but FEATURES does not ask for it" >&2; exit 1
     fi ;;
esac
# Next to the hand-written layer, in the package's MynaSign target (git-ignored).
mkdir -p "$here/Sources/MynaSign/Generated"
cp "$bindings/MynaSign.swift" "$here/Sources/MynaSign/Generated/MynaSign.swift"

python3 "$here/scripts/xcframework.py" assemble "$out/mynasignFFI.xcframework" \
  --header "$bindings/mynasignFFI.h" --modulemap "$bindings/mynasignFFI.modulemap" --version "$version" \
  "ios-arm64=$work/aarch64-apple-ios/mynasignFFI" \
  "ios-arm64_x86_64-simulator=$work/simulator-mynasignFFI" \
  "macos-arm64=$work/aarch64-apple-darwin/mynasignFFI"
python3 "$here/scripts/xcframework.py" check "$out/mynasignFFI.xcframework" \
  --header "$bindings/mynasignFFI.h" --swift "$bindings/MynaSign.swift" >&2
"$lipo_tool" -info "$out/mynasignFFI.xcframework"/*/mynasignFFI.framework/mynasignFFI >&2
rm -rf "$work"
echo "$out/mynasignFFI.xcframework"
