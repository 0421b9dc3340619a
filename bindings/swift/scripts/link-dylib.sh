#!/usr/bin/env bash
# Links a Rust static library into the dynamic library an app ships: every symbol local except
# the uniffi entry points (names starting with `uniffi_` or `ffi_`, the functions the generated
# header declares). Rust's standard library inside (rust_eh_personality, __rdl_alloc, std's
# statics) is then private to the library, so an app can link it beside another Rust library
# (another uniffi SDK, static or dynamic) without duplicate symbols.
#
#   link-dylib.sh TARGET STATIC_LIB OUT [INSTALL_NAME]
#
# TARGET is a Rust target triple:
#   aarch64-apple-ios, aarch64-apple-ios-sim, x86_64-apple-ios, aarch64-apple-darwin:
#       a Mach-O dylib, linked by LLVM's ld64.lld (`ld64.lld`, or the `rust-lld` every Rust
#       toolchain ships, as `rust-lld -flavor darwin`) against a text stub of libSystem
#       (scripts/libsystem-symbols.txt), so no Apple SDK or Xcode is needed;
#   host: the same link for this Linux machine (an ELF shared object, `cc -shared` with a
#       version script), used by test-link.sh to show the shipped form on Linux.
# INSTALL_NAME (Mach-O only) defaults to @rpath/mynasignFFI.framework/mynasignFFI.
# VERSION (environment, Mach-O only) is recorded as the dylib's current version.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 TARGET STATIC_LIB OUT [INSTALL_NAME]" >&2; exit 2; }
target="$1"
lib="$2"
out="$3"
install_name="${4:-@rpath/mynasignFFI.framework/mynasignFFI}"
here="$(cd "$(dirname "$0")" && pwd)"
[ -f "$lib" ] || { echo "link-dylib: no static library at $lib" >&2; exit 1; }

# The one rule of what the library exports (the prefixes of uniffi's C functions).
prefixes=(uniffi_ ffi_)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

if [ "$target" = host ]; then
  {
    echo "{"
    printf '  global:'
    for p in "${prefixes[@]}"; do printf ' %s*;' "$p"; done
    echo
    echo "  local: *;"
    echo "};"
  } >"$work/exports.map"
  # --whole-archive: the entry points are only referenced from outside, so no archive member
  # would be pulled in otherwise; --gc-sections drops what no entry point reaches.
  cc -shared -o "$out" -Wl,--whole-archive "$lib" -Wl,--no-whole-archive \
    -Wl,--version-script="$work/exports.map" -Wl,--gc-sections -lpthread -ldl -lm
  exit 0
fi

# Mach-O. The platform and deployment target per Rust target (ld64's -platform_version
# PLATFORM MIN SDK; the SDK version is recorded only and set to the minimum); the minimums are
# Package.swift's (.iOS(.v15), .macOS(.v12)).
case "$target" in
  aarch64-apple-ios) arch=arm64 platform=ios min=15.0 tbd_target=arm64-ios ;;
  aarch64-apple-ios-sim) arch=arm64 platform=ios-simulator min=15.0 tbd_target=arm64-ios-simulator ;;
  x86_64-apple-ios) arch=x86_64 platform=ios-simulator min=15.0 tbd_target=x86_64-ios-simulator ;;
  aarch64-apple-darwin) arch=arm64 platform=macos min=12.0 tbd_target=arm64-macos ;;
  *) echo "link-dylib: unknown target $target" >&2; exit 2 ;;
esac

if command -v ld64.lld >/dev/null 2>&1; then
  ld=(ld64.lld)
else
  rust_lld="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
  [ -x "$rust_lld" ] || { echo "link-dylib: neither ld64.lld nor rust-lld found" >&2; exit 1; }
  ld=("$rust_lld" -flavor darwin)
fi

# libSystem as a text-based stub (TAPI .tbd, format version 4, the format of the stubs in
# Apple's SDKs, e.g. usr/lib/libSystem.B.tbd of the iOS 14 SDK), naming only the symbols the
# library uses, each checked against that SDK's stub (see libsystem-symbols.txt). The
# library then records /usr/lib/libSystem.B.dylib as its one dependency, as any iOS binary
# does; dyld resolves the symbols through libSystem's re-exported libraries at run time.
# A symbol the list lacks fails the link here, instead of being found only on a device.
symbols="$(grep -v '^#' "$here/libsystem-symbols.txt" | grep -v '^[[:space:]]*$' | sed "s/.*/'&'/" | paste -sd, - | sed 's/,/, /g')"
mkdir -p "$work/sdk/usr/lib"
cat >"$work/sdk/usr/lib/libSystem.tbd" <<EOF
--- !tapi-tbd
tbd-version:     4
targets:         [ $tbd_target ]
install-name:    '/usr/lib/libSystem.B.dylib'
current-version: 1311
exports:
  - targets:         [ $tbd_target ]
    symbols:         [ $symbols ]
...
EOF

for p in "${prefixes[@]}"; do echo "_$p*"; done >"$work/exports.txt"
version="${VERSION:-0.1.0}"
# -force_load: the entry points are only referenced from outside (see above); -dead_strip
# drops what none reaches; -x drops local symbol names (the release-ffi profile's strip).
"${ld[@]}" -arch "$arch" -platform_version "$platform" "$min" "$min" -dylib \
  -install_name "$install_name" -current_version "$version" -compatibility_version "$version" \
  -syslibroot "$work/sdk" -lSystem \
  -force_load "$lib" -exported_symbols_list "$work/exports.txt" -dead_strip -x \
  -o "$out"
