#!/usr/bin/env bash
# Shows, on this machine, why the XCFramework ships a dynamic framework: two Rust static
# libraries in one app clash, and the form we ship (scripts/link-dylib.sh: a dynamic library
# exporting only the uniffi functions) does not.
#
#   bash bindings/swift/test-link.sh [STATIC_LIB] [GENERATED_SWIFT]
#
# STATIC_LIB: our library as a static library for this machine (default target/debug/
# libmynasign_ffi.a, which uniffi/generate.sh builds); GENERATED_SWIFT: the Swift generated from
# it (default bindings/swift/generated/bindings/MynaSign.swift), for the contract version.
#
# 1. Linux (ELF): a C app linking ours and another Rust SDK (link-check/other_sdk.rs, a fat-LTO
#    static library) fails with duplicate `rust_eh_personality`; the same app linking ours in
#    the shipped form (link-dylib.sh host) beside the other, still static, links and runs, and
#    calls into both. The shipped form exports nothing but uniffi_/ffi_ functions.
# 2. Apple (Mach-O, the link step the XCFramework uses: ld64.lld and the libSystem stub): two
#    Rust static libraries for aarch64-apple-ios linked into one image give duplicate symbols;
#    with one of them in the shipped form, the link succeeds and that dylib exports only its
#    uniffi function.
# Fails if the shipped form regresses (a std symbol exported, a clash in the shipped link).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
ours="${1:-$target_dir/debug/libmynasign_ffi.a}"
swift="${2:-$here/generated/bindings/MynaSign.swift}"
check="$here/scripts/link-check"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test-link: $*" >&2; exit 1; }
[ -f "$ours" ] || fail "no static library at $ours (run uniffi/generate.sh or make test-build)"
start=$SECONDS

# A static Rust library as an SDK ships it: fat LTO, one object with the standard library.
sdk() { # OUT [rustc args]
  local o="$1"
  shift
  rustc --edition 2021 --crate-type staticlib -C opt-level=s -C lto=fat -C codegen-units=1 \
    "$check/other_sdk.rs" -o "$o" "$@"
}

# --- 1. ELF -------------------------------------------------------------------------------
if [ "$(uname -s)" = Linux ]; then
  sdk "$work/libother_sdk.a"
  cc -c "$check/app.c" -o "$work/app.o"
  if cc "$work/app.o" "$ours" "$work/libother_sdk.a" -o "$work/app-static" -lpthread -ldl -lm >"$work/static.log" 2>&1; then
    fail "two Rust static libraries linked into one app without a clash: the demonstration is void"
  fi
  grep -q "multiple definition of \`rust_eh_personality'" "$work/static.log" \
    || { cat "$work/static.log" >&2; fail "the static link failed, but not with the duplicate Rust runtime"; }
  echo "ELF, ours static + another Rust SDK static: duplicate rust_eh_personality (as expected)"

  bash "$here/scripts/link-dylib.sh" host "$ours" "$work/libmynasign_ffi.so"
  stray="$(nm -D --defined-only "$work/libmynasign_ffi.so" | awk '{print $3}' | grep -Ev '^(uniffi_|ffi_)' || true)"
  [ -z "$stray" ] || fail "the shipped form exports more than the uniffi functions: $(echo "$stray" | head -5 | tr '\n' ' ')"
  cc "$work/app.o" -L"$work" -lmynasign_ffi "$work/libother_sdk.a" -Wl,-rpath,"$work" \
    -o "$work/app-shipped" -lpthread -ldl -lm
  want_contract="$(sed -n 's/.*let bindings_contract_version = \([0-9]*\).*/\1/p' "$swift")"
  [ -n "$want_contract" ] || fail "no contract version in $swift"
  got="$("$work/app-shipped")"
  [ "$got" = "mynasign contract $want_contract, other SDK 42" ] || fail "the app printed: $got"
  echo "ELF, ours shipped form + another Rust SDK static: links and runs ($got)"
else
  echo "not Linux: the ELF part is skipped"
fi

# --- 2. Mach-O ----------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx aarch64-apple-ios; then
  rustup target add aarch64-apple-ios >&2
fi
sdk "$work/libother_ios.a" --target aarch64-apple-ios
sdk "$work/libsecond_ios.a" --target aarch64-apple-ios --cfg second
lld="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
command -v ld64.lld >/dev/null 2>&1 && lld_cmd=(ld64.lld) || lld_cmd=("$lld" -flavor darwin)
# The shipped link of the second SDK (its libSystem needs are a subset of ours).
bash "$here/scripts/link-dylib.sh" aarch64-apple-ios "$work/libsecond_ios.a" "$work/second.framework/second" \
  @rpath/second.framework/second
# An image using both, as an app does (each entry point referenced), linked as a dylib
# (nothing here provides `main`); libSystem's symbols are left to dyld (the image never runs).
app_link() { # OUT INPUTS...
  local o="$1"
  shift
  "${lld_cmd[@]}" -arch arm64 -platform_version ios 15.0 15.0 -dylib -o "$o" \
    -u _uniffi_othersdk_fn_func_answer -u _uniffi_secondsdk_fn_func_answer "$@" \
    -undefined dynamic_lookup
}
if app_link "$work/app-static.dylib" "$work/libother_ios.a" "$work/libsecond_ios.a" >"$work/macho-static.log" 2>&1; then
  fail "Mach-O: two Rust static libraries linked into one image without a clash"
fi
grep -q "duplicate symbol: _rust_eh_personality" "$work/macho-static.log" \
  || { cat "$work/macho-static.log" >&2; fail "Mach-O: the static link failed, but not with the duplicate Rust runtime"; }
echo "Mach-O (aarch64-apple-ios, ld64.lld), two Rust SDKs static: duplicate _rust_eh_personality (as expected)"
app_link "$work/app-shipped.dylib" "$work/libother_ios.a" "$work/second.framework/second" >"$work/macho-shipped.log" 2>&1 \
  || { cat "$work/macho-shipped.log" >&2; fail "Mach-O: the link with the shipped form failed"; }
python3 - "$here/scripts/xcframework.py" "$work/second.framework/second" <<'PY' || fail "Mach-O: the shipped form's exports"
import importlib.util, sys
spec = importlib.util.spec_from_file_location("xcf", sys.argv[1])
xcf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(xcf)
(img,) = xcf.read_binary(sys.argv[2])
assert img["filetype"] == xcf.MH_DYLIB and img["arch"] == "arm64" and img["platform"] == 2, img
assert img["exports"] == {"_uniffi_secondsdk_fn_func_answer"}, sorted(img["exports"])[:8]
assert img["dylibs"] == ["/usr/lib/libSystem.B.dylib"], img["dylibs"]
PY
echo "Mach-O, one SDK static + one in the shipped form: links; the dylib exports only its uniffi function"
echo "link check: passed in $((SECONDS - start)) s"
