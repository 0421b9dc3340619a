#!/usr/bin/env bash
# Publishes the Kotlin JVM library (jp.mynasign:mynasign-jvm) into a local Maven repository,
# default <repo>/target/maven-repo (or $1): the jar (generated bindings + Kotlin layer + the
# verifier's Kotlin + jp.mynasign.jvm, with the host's libmynasign_ffi.so inside under JNA's
# resource path linux-x86-64/), a sources jar, a javadoc jar and a POM with licence, SCM and
# developers. The version is Cargo.toml's [workspace.package] version (nothing here declares
# one). FEATURES is passed to uniffi/generate.sh (default here "emulator verify": the
# consumer test signs on the emulated card; FEATURES=verify for a kiosk's production jar).
#
# The javadoc jar holds README.md and the KDoc'd sources' README only: Dokka is not used (not
# in the offline Maven cache this project builds with; not tried online).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
repo="${1:-$root/target/maven-repo}"
mkdir -p "$repo"
repo="$(cd "$repo" && pwd)"
version="$(sed -n '/^\[workspace.package\]/,/^\[/{s/^version = "\(.*\)"/\1/p}' "$root/Cargo.toml")"
[ -n "$version" ] || { echo "publish-local: no [workspace.package] version in Cargo.toml" >&2; exit 1; }
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) jna_dir=linux-x86-64 ;;
  Linux-aarch64) jna_dir=linux-aarch64 ;;
  *) echo "publish-local: unsupported host $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

build="$here/publish/target"
gen="$build/generated"
rm -rf "$build"
mkdir -p "$build/native/$jna_dir" "$build/sources" "$build/javadoc"
lib="$(FEATURES="${FEATURES-emulator verify}" bash "$root/uniffi/generate.sh" kotlin "$gen" | tail -n 1)"
cp "$lib" "$build/native/$jna_dir/libmynasign_ffi.so"

log="$build/mvn.log"
if ! mvn -B -ntp -q -f "$here/publish/pom.xml" -Drevision="$version" -Dmynasign.generated="$gen" \
    -Dstyle.color=never package >"$log" 2>&1; then
  cat "$log"; echo "publish-local: build failed" >&2; exit 1
fi
if grep -E '^(w: |\[WARNING\] .*\.kt:)' "$log"; then echo "publish-local: compiler warnings" >&2; exit 1; fi
jar="$build/mynasign-jvm-build-$version.jar"
[ -f "$jar" ] || { echo "publish-local: no jar at $jar" >&2; exit 1; }
unzip -l "$jar" | grep " $jna_dir/libmynasign_ffi.so$" >/dev/null || { echo "publish-local: native library not in the jar" >&2; exit 1; }

# Sources: what was compiled (the layer without its Android part).
cp -r "$gen/." "$build/layer/." "$here/src/verify/kotlin/." "$here/src/jvm/kotlin/." "$build/sources/"
(cd "$build/sources" && jar cf "$build/mynasign-jvm-$version-sources.jar" .)
cp "$here/README.md" "$build/javadoc/README.md"
cp "$root/README.md" "$build/javadoc/README-project.md"
(cd "$build/javadoc" && jar cf "$build/mynasign-jvm-$version-javadoc.jar" .)

pom="$build/mynasign-jvm-$version.pom"
cat >"$pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>jp.mynasign</groupId>
  <artifactId>mynasign-jvm</artifactId>
  <version>$version</version>
  <packaging>jar</packaging>
  <name>mynasign (JVM)</name>
  <description>The My Number Card's JPKI application from Kotlin and Java on the JVM: consent signing, PIN status, attributes, verification; a javax.smartcardio card link for kiosks.</description>
  <url>https://github.com/mynasign/mynasign</url>
  <licenses>
    <license>
      <name>Apache-2.0</name>
      <url>https://spdx.org/licenses/Apache-2.0.html</url>
      <distribution>repo</distribution>
      <comments>Apache-2.0 OR MIT: either licence, at your option (LICENSE-APACHE, LICENSE-MIT).</comments>
    </license>
    <license>
      <name>MIT</name>
      <url>https://spdx.org/licenses/MIT.html</url>
      <distribution>repo</distribution>
    </license>
  </licenses>
  <developers>
    <developer>
      <id>mynasign</id>
      <name>The mynasign developers</name>
      <url>https://github.com/mynasign/mynasign</url>
    </developer>
  </developers>
  <scm>
    <connection>scm:git:https://github.com/mynasign/mynasign.git</connection>
    <developerConnection>scm:git:ssh://git@github.com/mynasign/mynasign.git</developerConnection>
    <url>https://github.com/mynasign/mynasign</url>
  </scm>
  <dependencies>
    <dependency>
      <groupId>org.jetbrains.kotlin</groupId>
      <artifactId>kotlin-stdlib</artifactId>
      <version>2.1.21</version>
    </dependency>
    <dependency>
      <groupId>net.java.dev.jna</groupId>
      <artifactId>jna</artifactId>
      <version>5.17.0</version>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlinx</groupId>
      <artifactId>kotlinx-coroutines-core-jvm</artifactId>
      <version>1.10.2</version>
    </dependency>
  </dependencies>
</project>
POM

if ! mvn -B -ntp -q -Dstyle.color=never org.apache.maven.plugins:maven-deploy-plugin:3.1.2:deploy-file \
    -Durl="file://$repo" -DrepositoryId=local -Dfile="$jar" -DpomFile="$pom" \
    -Dsources="$build/mynasign-jvm-$version-sources.jar" \
    -Djavadoc="$build/mynasign-jvm-$version-javadoc.jar" >"$log" 2>&1; then
  cat "$log"; echo "publish-local: deploy failed" >&2; exit 1
fi
echo "published jp.mynasign:mynasign-jvm:$version to $repo"
