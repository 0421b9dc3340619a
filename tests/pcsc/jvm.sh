#!/usr/bin/env bash
# The JVM kiosk link over PC/SC (called by run.sh with pcscd and `mynasign emulator serve`
# running; usable alone the same way): the library's jar (bindings/kotlin/lib/core-jar.sh: the
# bindings, the Kotlin layer, the verifier's Kotlin and jp.mynasign.jvm.SmartcardioLink), then
# bindings/kotlin/jvm-kiosk-tests compiled against it (-Werror) and run against the served card through javax.smartcardio.
# Prints Surefire's summary; exits 0 only when every test passed.
# Usage: jvm.sh READER SEED
set -euo pipefail
reader="$1"
seed="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
command -v javac >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven >/dev/null
}
# The JDK's PC/SC provider needs the runtime library (the -dev package's libpcsclite.so is
# not always there).
pcsc_lib=""
for d in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib; do
  [ -e "$d/libpcsclite.so.1" ] && { pcsc_lib="$d/libpcsclite.so.1"; break; }
done
[ -n "$pcsc_lib" ] || { echo "jvm: libpcsclite.so.1 not found" >&2; exit 1; }

work="$(mktemp -d)"
log="$work/mvn.log"
trap 'rm -rf "$work"' EXIT
# The library's jar, compiled once for every JVM suite, and the native library it loads.
{ read -r lib; read -r jar; } < <(bash "$root/bindings/kotlin/lib/core-jar.sh")
[ -f "$lib" ] && [ -f "$jar" ] || { echo "jvm: library or jar not built: $lib $jar" >&2; exit 1; }

set +e
timeout 600 mvn -B -ntp -f "$root/bindings/kotlin/jvm-kiosk-tests/pom.xml" -Dstyle.color=never \
  -Dmynasign.libdir="$(dirname "$lib")" -Dmynasign.corejar="$jar" \
  -Dmynasign.reader="$reader" -Dmynasign.seed="$seed" -Dpcsc.library="$pcsc_lib" test >"$log" 2>&1
rc=$?
set -e
warnings="$(grep -E '^(w: |\[WARNING\] .*\.kt:)' "$log" || true)"
if [ "$rc" -ne 0 ]; then
  cat "$log"
  echo "jvm kiosk tests: FAILED (maven exit $rc)" >&2
  exit "$rc"
fi
if [ -n "$warnings" ]; then
  echo "$warnings"
  echo "jvm kiosk tests: FAILED (compiler warnings)" >&2
  exit 1
fi
grep -E 'Tests run:|BUILD SUCCESS' "$log" | sed -E 's/^\[INFO\] //'
