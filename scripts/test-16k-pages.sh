#!/usr/bin/env bash
# Tests scripts/check-16k-pages.sh on shared libraries built here by the host's C compiler:
# one linked with -Wl,-z,max-page-size=16384 must pass, one with max-page-size=4096 and a
# file that is not ELF must fail, and a directory holding a failing one must fail.
# Prints "N passed, N failed"; exits 0 only when every case behaved.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
check="$here/check-16k-pages.sh"
command -v gcc >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev >&2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'int mynasign_probe(int x) { return x + 1; }\n' >"$work/probe.c"
gcc -shared -fPIC -o "$work/lib16k.so" "$work/probe.c" -Wl,-z,max-page-size=16384 -Wl,-z,common-page-size=16384
gcc -shared -fPIC -o "$work/lib4k.so" "$work/probe.c" -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096
printf 'not an ELF file\n' >"$work/libtext.so"
mkdir -p "$work/jni/arm64-v8a" "$work/jni/x86_64" "$work/good/x86_64"
cp "$work/lib16k.so" "$work/jni/arm64-v8a/"
cp "$work/lib4k.so" "$work/jni/x86_64/"
cp "$work/lib16k.so" "$work/good/x86_64/"

passed=0
failed=0
expect() { # expect pass|fail ARGS...
  local want="$1"; shift
  local got=pass
  "$check" "$@" >"$work/out" 2>&1 || got=fail
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "16k-pages test: expected $want for $*, got $got:" >&2
    cat "$work/out" >&2
  fi
}
expect pass "$work/lib16k.so"
expect fail "$work/lib4k.so"
expect fail "$work/libtext.so"
expect fail "$work/lib16k.so" "$work/lib4k.so"
expect fail "$work/jni"
expect pass "$work/good"
expect fail "$work/empty-dir-that-does-not-exist"
# The failure names the segment alignment found.
msg="$("$check" "$work/lib4k.so" 2>&1 || true)"
case "$msg" in
  *"p_align 4096 < 16384"*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "16k-pages test: no alignment in the message: $msg" >&2 ;;
esac
# The ELF reader agrees with binutils' readelf, where it is installed.
if command -v readelf >/dev/null 2>&1; then
  for lib in lib16k lib4k; do
    want=""
    for a in $(readelf -lW "$work/$lib.so" | awk '$1 == "LOAD" { print $NF }'); do
      if [ -z "$want" ] || [ $((a)) -lt "$want" ]; then want=$((a)); fi
    done
    msg="$("$check" "$work/$lib.so" 2>&1 || true)"
    case "$msg" in
      *"p_align $want"*) passed=$((passed + 1)) ;;
      *) failed=$((failed + 1)); echo "16k-pages test: readelf says $want for $lib: $msg" >&2 ;;
    esac
  done
fi
echo "16k-pages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
