#!/usr/bin/env bash
# Publishes the Kotlin JVM library (jp.mynasign:mynasign-jvm) into a local Maven repository,
# default <repo>/target/maven-repo (or $1): the jar (generated bindings + Kotlin layer + the
# verifier's Kotlin + jp.mynasign.jvm, with the host's libmynasign_ffi.so inside under JNA's
# resource path linux-x86-64/), a sources jar, a javadoc jar and a POM with licence, SCM and
# developers. The version is Cargo.toml's [workspace.package] version (nothing here declares
# one). FEATURES is passed to uniffi/generate.sh (default here "emulator verify": the
# consumer test signs on the emulated card; FEATURES=verify for a kiosk's production jar).
#
# The javadoc jar is Dokka's (dokka-maven-plugin, Javadoc format) API documentation of the
# compiled sources, with README.md beside it. The jar itself is lib/core-jar.sh's.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
repo="${1:-$root/target/maven-repo}"
mkdir -p "$repo"
repo="$(cd "$repo" && pwd)"
. "$here/lib/pom.sh"
version="$(mynasign_version "$root")"
jna_dir="$(mynasign_jna_dir)"

# The jar: lib/core-jar.sh's (compiled once per feature set; the JVM suites use the same one).
{ read -r lib; read -r jar; } < <(FEATURES="${FEATURES-emulator verify}" bash "$here/lib/core-jar.sh")
build="$(dirname "$jar")"
gen="$(dirname "$build")/generated"
log="$build/mvn.log"
rm -rf "$build/sources" "$build/javadoc"
mkdir -p "$build/sources" "$build/javadoc"

# The javadoc jar: Dokka over the same sources, in the jar's build folder (no compile).
if ! mvn -B -ntp -q -f "$here/publish/pom.xml" -Drevision="$version" -Dmynasign.generated="$gen" \
    -Dmynasign.build.dir="$build" -Dstyle.color=never \
    org.jetbrains.dokka:dokka-maven-plugin:2.2.0:javadocJar >"$log" 2>&1; then
  cat "$log"; echo "publish-local: Dokka failed" >&2; exit 1
fi
[ -f "$jar" ] || { echo "publish-local: no jar at $jar" >&2; exit 1; }
unzip -l "$jar" | grep " $jna_dir/libmynasign_ffi.so$" >/dev/null || { echo "publish-local: native library not in the jar" >&2; exit 1; }

# Sources: what was compiled (the layer without its Android part).
cp -r "$gen/." "$build/layer/." "$here/src/verify/kotlin/." "$here/src/jvm/kotlin/." "$build/sources/"
(cd "$build/sources" && jar cf "$build/mynasign-jvm-$version-sources.jar" .)
dokka_jar="$build/mynasign-jvm-build-$version-javadoc.jar"
[ -f "$dokka_jar" ] || { echo "publish-local: Dokka wrote no javadoc jar" >&2; exit 1; }
(cd "$build/javadoc" && jar xf "$dokka_jar")
[ -f "$build/javadoc/index.html" ] || { echo "publish-local: the javadoc jar has no index.html" >&2; exit 1; }
cp "$here/README.md" "$build/javadoc/README.md"
(cd "$build/javadoc" && jar cf "$build/mynasign-jvm-$version-javadoc.jar" .)

pom="$build/mynasign-jvm-$version.pom"
write_pom "$pom" mynasign-jvm "$version" jar "mynasign (JVM)" \
  "The My Number Card's JPKI application from Kotlin and Java on the JVM: consent signing, PIN status, attributes, verification; a javax.smartcardio card link for kiosks." \
  "$(pom_dep org.jetbrains.kotlin kotlin-stdlib 2.1.21)
$(pom_dep net.java.dev.jna jna 5.17.0)
$(pom_dep org.jetbrains.kotlinx kotlinx-coroutines-core-jvm 1.10.2)"

if ! mvn -B -ntp -q -Dstyle.color=never org.apache.maven.plugins:maven-deploy-plugin:3.1.2:deploy-file \
    -Durl="file://$repo" -DrepositoryId=local -Dfile="$jar" -DpomFile="$pom" \
    -Dsources="$build/mynasign-jvm-$version-sources.jar" \
    -Djavadoc="$build/mynasign-jvm-$version-javadoc.jar" >"$log" 2>&1; then
  cat "$log"; echo "publish-local: deploy failed" >&2; exit 1
fi
echo "published jp.mynasign:mynasign-jvm:$version to $repo"
