#!/usr/bin/env bash
# The Kotlin binding tests: generates the Kotlin bindings (uniffi, library mode), extracts the
# Kotlin snippets of README.md's "## In an app", then compiles the bindings with the
# hand-written layer (src/main/kotlin), the Android sample's shared flow logic, the snippets
# and the JUnit 5 tests (Maven, kotlin-maven-plugin, -Werror) and runs the tests on the JVM
# against the emulated card through JNA. Prints Surefire's summary; exits 0 only when every
# test passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

. "$here/lib/jdk-maven.sh"
mynasign_need_jdk_maven

# Generate (builds the debug library first); the last line printed is the library's path.
gen="$here/generated"
rm -rf "$gen"
lib="$(bash "$root/uniffi/generate.sh" kotlin "$gen" | tail -n 1)"
libdir="$(dirname "$lib")"
[ -f "$lib" ] || { echo "kotlin: library not built: $lib" >&2; exit 1; }

# The README's Kotlin snippets, each wrapped in a function the tests call.
snippets="$here/jvm-tests/target/readme-snippets"
rm -rf "$snippets"
bash "$here/jvm-tests/extract-readme.sh" "$root/README.md" "$snippets"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# -ntp keeps the log free of download progress; the full log is printed only on failure.
mvn -B -ntp -f "$here/jvm-tests/pom.xml" -Dmynasign.libdir="$libdir" \
  -Dmynasign.generated="$gen" -Dmynasign.readme="$snippets" -Dstyle.color=never test >"$log" 2>&1
rc=$?
set -e

# Kotlin compiler warnings (w: / [WARNING] with a source position) fail the run even if
# -Werror were not honoured.
warnings="$(grep -E '^(w: |\[WARNING\] .*\.kt:)' "$log" || true)"
if [ "$rc" -ne 0 ]; then
  cat "$log"
  echo "kotlin binding tests: FAILED (maven exit $rc)" >&2
  exit "$rc"
fi
if [ -n "$warnings" ]; then
  echo "$warnings"
  echo "kotlin binding tests: FAILED (compiler warnings)" >&2
  exit 1
fi
# The per-class lines and the closing summary, as Surefire printed them.
grep -E 'Tests run:|BUILD SUCCESS' "$log" | sed -E 's/^\[INFO\] //'
