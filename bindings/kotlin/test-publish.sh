#!/usr/bin/env bash
# The Maven publication, consumed: publish-local.sh writes jp.mynasign:mynasign-jvm into a
# fresh local repository, checks what it holds (jar with the native library, sources, javadoc,
# POM with licence, SCM and developers, Cargo.toml's version), then publish-consumer (a Maven
# project depending on it from that repository only) runs its test. Exits 0 only if it passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib/jdk-maven.sh"
mynasign_need_jdk_maven
. "$here/lib/pom.sh"
version="$(mynasign_version "$root")"
repo="$(mktemp -d)"
log="$repo.log"
trap 'rm -rf "$repo" "$log"' EXIT
bash "$here/publish-local.sh" "$repo"
dir="$repo/jp/mynasign/mynasign-jvm/$version"
for f in "mynasign-jvm-$version.jar" "mynasign-jvm-$version-sources.jar" \
    "mynasign-jvm-$version-javadoc.jar" "mynasign-jvm-$version.pom"; do
  [ -f "$dir/$f" ] || { echo "publish: $f missing" >&2; exit 1; }
done
unzip -l "$dir/mynasign-jvm-$version.jar" | grep " linux-x86-64/libmynasign_ffi.so$" >/dev/null \
  || { echo "publish: the jar has no linux-x86-64/libmynasign_ffi.so" >&2; exit 1; }
for tag in "<licenses>" "<name>Apache-2.0</name>" "<name>MIT</name>" "<scm>" "<developers>" \
    "<version>$version</version>"; do
  grep -q "$tag" "$dir/mynasign-jvm-$version.pom" || { echo "publish: POM lacks $tag" >&2; exit 1; }
done
# The javadoc jar is API documentation (Dokka), not only the README.
unzip -Z1 "$dir/mynasign-jvm-$version-javadoc.jar" >"$log"
for page in index.html jp/mynasign/MynaSign.html jp/mynasign/jvm/SmartcardioLink.html; do
  grep -qxF "$page" "$log" || { echo "publish: the javadoc jar lacks $page" >&2; exit 1; }
done
# The SCM and URL are the one definition in lib/pom.sh.
grep -qF "<url>$MYNASIGN_SCM_URL</url>" "$dir/mynasign-jvm-$version.pom" || { echo "publish: POM URL is not lib/pom.sh's" >&2; exit 1; }
# The consumer must get the jar just published, not one Maven cached from an earlier run.
rm -rf "${HOME}/.m2/repository/jp/mynasign/mynasign-jvm"
set +e
timeout 600 mvn -B -ntp -f "$here/publish-consumer/pom.xml" -Dstyle.color=never \
  -Dmynasign.repo="$repo" -Dmynasign.version="$version" test >"$log" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then cat "$log"; echo "publish consumer: FAILED (maven exit $rc)" >&2; exit "$rc"; fi
if grep -E '^(w: |\[WARNING\] .*\.kt:)' "$log"; then echo "publish consumer: compiler warnings" >&2; exit 1; fi
grep -E 'Tests run:|BUILD SUCCESS' "$log" | sed -E 's/^\[INFO\] //'
