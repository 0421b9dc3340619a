#!/usr/bin/env bash
# The project has one version: [workspace.package] version in Cargo.toml. Every other place
# that declares one (the Kotlin publication, the Maven test module, the Android sample, the
# Python package, the Swift package's constant) must say the same; this fails if one differs.
# With a folder argument it checks that folder instead (the Makefile's self-test uses it).
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
want="$(sed -n '/^\[workspace.package\]/,/^\[/{s/^version = "\(.*\)"/\1/p}' "$root/Cargo.toml")"
[ -n "$want" ] || { echo "check-version: no [workspace.package] version in Cargo.toml" >&2; exit 1; }

fail=0
check() { # file what found
  if [ "$3" != "$want" ]; then
    echo "check-version: $1 ($2) says '${3:-nothing}', Cargo.toml says '$want'" >&2
    fail=1
  fi
}
first_match() { # file sed-expression
  [ -f "$1" ] && sed -n "$2" "$1" | head -n 1 || true
}

for c in "$root/Cargo.toml" "$root/uniffi/Cargo.toml"; do
  grep -q '^version.workspace = true' "$c" || check "${c#$root/}" "package version" "not the workspace's"
done
f="$root/bindings/kotlin/build.gradle.kts"
[ -f "$f" ] && check "${f#$root/}" "publication" "$(first_match "$f" 's/^version = "\(.*\)"/\1/p')"
f="$root/bindings/kotlin/jvm-tests/pom.xml"
[ -f "$f" ] && check "${f#$root/}" "project version" "$(first_match "$f" '0,/<artifactId>/!{s/^  <version>\(.*\)<\/version>/\1/p}')"
f="$root/bindings/kotlin/jvm-kiosk-tests/pom.xml"
[ -f "$f" ] && check "${f#$root/}" "project version" "$(first_match "$f" '0,/<artifactId>/!{s/^  <version>\(.*\)<\/version>/\1/p}')"
f="$root/android-sample/app/build.gradle.kts"
[ -f "$f" ] && check "${f#$root/}" "versionName" "$(first_match "$f" 's/.*versionName = "\(.*\)".*/\1/p')"
f="$root/bindings/python/pyproject.toml"
[ -f "$f" ] && check "${f#$root/}" "project version" "$(first_match "$f" 's/^version = "\(.*\)"/\1/p')"
f="$root/bindings/python/testing/pyproject.toml"
[ -f "$f" ] && check "${f#$root/}" "project version" "$(first_match "$f" 's/^version = "\(.*\)"/\1/p')"
f="$root/bindings/swift/VERSION"
[ -f "$f" ] && check "${f#$root/}" "Swift package" "$(tr -d '[:space:]' < "$f")"
f="$root/CHANGELOG.md"
grep -q "^## \[$want\]" "$f" 2>/dev/null || check "CHANGELOG.md" "a section for the version" "missing"

[ "$fail" -eq 0 ] && echo "version $want everywhere"
exit "$fail"
