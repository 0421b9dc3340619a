#!/usr/bin/env bash
# Builds libmynasign_ffi.so for arm64-v8a without the Android NDK (opt-in: not run by
# `make test`; test-android.sh runs it with ANDROID_ZIG=1): Rust's aarch64-linux-android
# target, linked by lib/android-link.sh (rust-lld against stand-ins for bionic's libc, libm,
# libdl and liblog, and LLVM's libunwind as Zig builds it: `pip install ziglang`).
#   build-android-zig.sh OUT_JNI_DIR [CLASSES_DIR]
# Writes OUT_JNI_DIR/arm64-v8a/libmynasign_ffi.so (profile release-ffi, no features: what an app
# ships, 16 KB pages) and checks it: an AArch64 ELF shared object whose DT_NEEDED are only
# bionic's libc.so, libm.so, libdl.so and liblog.so, every PT_LOAD 16 KB aligned
# (scripts/check-16k-pages.sh), no emulator symbol, and, with CLASSES_DIR (the classes compiled
# on the bindings without features), every native function they declare exported
# (scripts/check-native-symbols.sh). FEATURES as in build-android.sh (default none).
# What it cannot show: that the library loads and runs on a phone. A stand-in has no code; the
# names it defines are resolved in bionic at load time, which only a device run shows.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ "$#" -ge 1 ] || { echo "usage: $0 OUT_JNI_DIR [CLASSES_DIR]" >&2; exit 2; }
out="$1"
classes="${2:-}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
features="${FEATURES-}"
profile="${PROFILE:-release-ffi}"

rustup target list --installed | grep -qx aarch64-linux-android || rustup target add aarch64-linux-android >&2
# Zig from PyPI (the ziglang package), in a virtual environment under target/.
venv="$target_dir/zig-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -m ziglang version >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q ziglang >&2
fi
export MYNASIGN_ZIG="$venv/bin/python -m ziglang"
export MYNASIGN_STUBS="$target_dir/aarch64-linux-android/bionic-stand-ins"
rm -rf "$MYNASIGN_STUBS"
export CARGO_TARGET_AARCH64_LINUX_ANDROID_LINKER="$here/lib/android-link.sh"
export CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS="-C linker-flavor=ld.lld -C link-arg=-zmax-page-size=16384"
(cd "$root" && cargo build -p mynasign-ffi --lib --target aarch64-linux-android --profile "$profile" \
  ${features:+--features "$features"}) >&2
dir="$profile"; [ "$profile" = "dev" ] && dir=debug
lib="$target_dir/aarch64-linux-android/$dir/libmynasign_ffi.so"
mkdir -p "$out/arm64-v8a"
cp "$lib" "$out/arm64-v8a/libmynasign_ffi.so"
so="$out/arm64-v8a/libmynasign_ffi.so"

fail() { echo "build-android-zig: $*" >&2; exit 1; }
readelf -hW "$so" | grep -q 'Type: *DYN' || fail "not a shared object"
readelf -hW "$so" | grep -q 'Machine: *AArch64' || fail "not AArch64"
needed="$(readelf -dW "$so" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p' | sort | tr '\n' ' ')"
for n in $needed; do
  case "$n" in libc.so | libm.so | libdl.so | liblog.so) ;; *) fail "needs $n, which is not bionic's" ;; esac
done
printf '%s\n' $needed | grep -qx libc.so || fail "does not need libc.so"
bash "$root/scripts/check-16k-pages.sh" "$out" >&2 || fail "not 16 KB aligned"
if [ -z "$features" ] && readelf --dyn-syms -W "$so" | grep -qE '_emulator|_verifier|_verify_consent'; then
  fail "the library without features exports emulator or verifier functions"
fi
if [ -n "$classes" ]; then
  bash "$root/scripts/check-native-symbols.sh" "$classes" "$so" >&2 || fail "the classes and the library do not match"
fi
echo "arm64-v8a: $(stat -c %s "$so") bytes, DT_NEEDED: ${needed% }, $(readelf --dyn-syms -W "$so" | awk '$7 == "UND" && $8 != ""' | wc -l) symbols from bionic" >&2
echo "$so"
