#!/usr/bin/env bash
# The size of the FFI library an app ships, stripped, built with the size-tuned `release-ffi`
# profile for the host (x86-64 Linux here: the proxy for the Android and iOS slices, which need
# their NDK and Xcode): without features (what a phone app ships), with the verifier (a
# receiving service) and with the emulator and the verifier (the testing artifact), side by
# side with the budget. Prints figures; fails only if a build fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
budget=1500000
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

build() { # name features
  # Only the cdylib: built next to the rlib and staticlib in one rustc run, it came out 0.45 MB
  # larger (the exported surface of a mixed-crate-type build is wider).
  cargo rustc --quiet -p mynasign-ffi --lib --crate-type cdylib --profile release-ffi \
    --features "$2" --manifest-path "$root/Cargo.toml" >&2
  cp "$target/release-ffi/libmynasign_ffi.so" "$out/$1.so"
  # The profile strips already; strip again in case a toolchain ignores the setting.
  if command -v strip >/dev/null; then strip -s "$out/$1.so"; fi
  stat -c %s "$out/$1.so"
}

release=$(build release "")
service=$(build service "verify")
testing=$(build testing "emulator verify")
emulator_symbols=$(grep -c -a 'EmulatorCa\|emulator_new\|uniffi_mynasign_ffi_fn_constructor_emulator' "$out/release.so" || true)

printf '%-44s %10s %8s\n' "libmynasign_ffi.so (x86-64 Linux, stripped)" "bytes" "budget"
printf '%-44s %10d %7d%%\n' "phone release (no features: what an app ships)" "$release" $((release * 100 / budget))
printf '%-44s %10d %7d%%\n' "service (verify)" "$service" $((service * 100 / budget))
printf '%-44s %10d %7d%%\n' "testing artifact (emulator, verify)" "$testing" $((testing * 100 / budget))
printf '%-44s %10d\n' "budget" "$budget"
printf '%-44s %10d\n' "emulator symbols in the release library" "$emulator_symbols"
