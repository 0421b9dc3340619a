#!/usr/bin/env bash
# Generates the Kotlin bindings of what an app ships (mynasign-ffi without features: no
# emulator, no verifier) into OUT_DIR, without touching the testing library the suites load
# (target/debug/libmynasign_ffi.so, built with the emulator): the FFI crate is built as an rlib
# only (`cargo rustc --crate-type rlib`), whose file name carries the feature set's hash, and
# uniffi-bindgen reads the metadata from a copy of it (an ar archive, as a static library is).
#   shipped-bindings.sh OUT_DIR
# Used by test-android.sh for the sample's release build.
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
cargo build --quiet -p mynasign-bindgen --manifest-path "$root/Cargo.toml" >&2
json="$(cargo rustc --quiet -p mynasign-ffi --lib --no-default-features --crate-type rlib \
  --message-format=json --manifest-path "$root/Cargo.toml")"
rmeta="$(printf '%s\n' "$json" | grep '"compiler-artifact"' | grep -oE '"[^"]*/libmynasign_ffi-[0-9a-f]+\.rmeta"' | tr -d '"' | tail -n 1)"
rlib="${rmeta%.rmeta}.rlib"
[ -f "$rlib" ] || { echo "shipped-bindings: the FFI crate's rlib was not found ($rmeta)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$rlib" "$work/libmynasign_ffi.a"
mkdir -p "$out"
"$target_dir/debug/uniffi-bindgen" generate --library "$work/libmynasign_ffi.a" --language kotlin \
  --out-dir "$out" --config "$root/uniffi/bindgen.toml" --no-format >&2
# The shipped surface: the bindings of a build without features have no emulator or verifier.
if grep -qE '^(public )?(open )?class (Emulator|Verifier)\b' "$out"/jp/mynasign/*.kt; then
  echo "shipped-bindings: the bindings without features have the emulator or the verifier" >&2; exit 1
fi
