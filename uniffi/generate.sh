#!/usr/bin/env bash
# Generates the bindings for LANGUAGE (kotlin, swift or python) into OUT_DIR from the built,
# unstripped library, in library mode. Builds the library first (debug unless PROFILE=release;
# a no-op when `make test-build` or an earlier run built it) and the generator (the
# `mynasign-bindgen` crate, a debug build of its own that leaves the library's features alone).
# Set FEATURES="" for the release artifact (no emulator).
# Prints the path of the built library on its last line.
set -euo pipefail
lang="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
profile="${PROFILE:-debug}"
cargo_profile_flag=""
[ "$profile" = "release" ] && cargo_profile_flag="--release"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

# FEATURES: the testing artifact carries the emulator and the verifier (the default here, for
# the tests and samples); FEATURES="" builds what a phone app ships, FEATURES=verify what a
# receiving service uses.
features="${FEATURES-emulator verify}"
cargo build --quiet -p mynasign-bindgen --manifest-path "$root/Cargo.toml" >&2
cargo build --quiet -p mynasign-ffi --lib --features "$features" $cargo_profile_flag --manifest-path "$root/Cargo.toml" >&2

case "$(uname -s)" in
  Darwin) lib="$target_dir/$profile/libmynasign_ffi.dylib" ;;
  *) lib="$target_dir/$profile/libmynasign_ffi.so" ;;
esac
mkdir -p "$out"
"$target_dir/debug/uniffi-bindgen" generate --library "$lib" --language "$lang" \
  --out-dir "$out" --config "$here/bindgen.toml" --no-format >&2
echo "$lib"
