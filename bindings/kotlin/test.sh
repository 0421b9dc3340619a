#!/usr/bin/env bash
# The Kotlin binding tests: the library's jar (lib/core-jar.sh: the generated bindings with the
# hand-written layer, compiled once for every JVM suite), the Kotlin snippets of README.md's
# "## In an app" extracted, then the Android sample's shared flow logic, the snippets and the
# JUnit 5 tests compiled against the jar (Maven, kotlin-maven-plugin, -Werror) and runs the tests on the JVM
# against the emulated card through JNA. Prints Surefire's summary; exits 0 only when every
# test passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

. "$here/lib/jdk-maven.sh"
mynasign_need_jdk_maven

# The library's jar (generated bindings + Kotlin layer, compiled once for the JVM suites) and
# the native library it loads.
{ read -r lib; read -r jar; } < <(bash "$here/lib/core-jar.sh")
libdir="$(dirname "$lib")"
[ -f "$lib" ] && [ -f "$jar" ] || { echo "kotlin: library or jar not built: $lib $jar" >&2; exit 1; }

# The README's Kotlin snippets, each wrapped in a function the tests call.
snippets="$here/jvm-tests/target/readme-snippets"
rm -rf "$snippets"
bash "$here/jvm-tests/extract-readme.sh" "$root/README.md" "$snippets"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# -ntp keeps the log free of download progress; the full log is printed only on failure.
mvn -B -ntp -f "$here/jvm-tests/pom.xml" -Dmynasign.libdir="$libdir" \
  -Dmynasign.corejar="$jar" -Dmynasign.readme="$snippets" -Dstyle.color=never test >"$log" 2>&1
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
