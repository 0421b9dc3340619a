#!/usr/bin/env bash
# The Kotlin JVM library's jar, compiled once per feature set and reused by every JVM suite
# (the JVM tests, the kiosk tests over PC/SC, the Maven publication): the generated bindings,
# the Kotlin layer (without its Android part), the verifier's Kotlin and jp.mynasign.jvm, with
# the host's libmynasign_ffi.so inside under JNA's resource path. Built by publish/pom.xml
# (kotlinc with -Werror; Dokka skipped: publish-local.sh runs it) under target/kotlin-jvm/.
#
# Prints two lines: the library's path, then the jar's. FEATURES as for uniffi/generate.sh
# (default "emulator verify"). Callers running side by side take turns (flock); the jar is
# compiled again only when the generated bindings, the Kotlin sources, the library or the POM
# changed. Compiler warnings fail it, as they fail the suites.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib/jdk-maven.sh"
mynasign_need_jdk_maven
. "$here/lib/pom.sh"
version="$(mynasign_version "$root")"
jna_dir="$(mynasign_jna_dir)"

features="${FEATURES-emulator verify}"
key="$(printf '%s' "${features:-none}" | tr ' ,' '--')"
out="${CARGO_TARGET_DIR:-$root/target}/kotlin-jvm/$key"
mkdir -p "$out"
exec 9>"$out.lock"
flock 9

gen="$out/generated"
rm -rf "$gen"
lib="$(FEATURES="$features" bash "$root/uniffi/generate.sh" kotlin "$gen" | tail -n 1)"
[ -f "$lib" ] || { echo "core-jar: library not built: $lib" >&2; exit 1; }

stamp="$( {
  find "$gen" "$here/src/main/kotlin" "$here/src/verify/kotlin" "$here/src/jvm/kotlin" -name '*.kt' \
    -not -path '*/jp/mynasign/android/*' -print0 | sort -z | xargs -0 sha256sum
  sha256sum "$lib" "$here/publish/pom.xml"
} | sha256sum | cut -d' ' -f1)"
build="$out/build"
jar="$build/mynasign-jvm-build-$version.jar"
if [ ! -f "$jar" ] || [ "$(cat "$out/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$build" "$out/stamp"
  mkdir -p "$build/native/$jna_dir"
  cp "$lib" "$build/native/$jna_dir/libmynasign_ffi.so"
  log="$out/mvn.log"
  if ! mvn -B -ntp -q -f "$here/publish/pom.xml" -Drevision="$version" -Dmynasign.generated="$gen" \
      -Dmynasign.build.dir="$build" -Dmynasign.dokka.skip=true -Dstyle.color=never package >"$log" 2>&1; then
    cat "$log" >&2; echo "core-jar: build failed" >&2; exit 1
  fi
  if grep -E '^(w: |\[WARNING\] .*\.kt:)' "$log" >&2; then echo "core-jar: compiler warnings" >&2; exit 1; fi
  [ -f "$jar" ] || { echo "core-jar: no jar at $jar" >&2; exit 1; }
  unzip -l "$jar" | grep " $jna_dir/libmynasign_ffi.so$" >/dev/null \
    || { echo "core-jar: native library not in the jar" >&2; exit 1; }
  echo "$stamp" >"$out/stamp"
fi
printf '%s\n%s\n' "$lib" "$jar"
