#!/usr/bin/env bash
# Packages the Android library as an AAR and, with REPO, publishes it into a local Maven
# repository as jp.mynasign:mynasign-android (packaging aar; JNA as its AAR).
#   package-aar.sh CLASSES_DIR JNI_DIR OUT_DIR [REPO]
# CLASSES_DIR: the compiled classes (generated bindings, Kotlin layer, jp.mynasign.android);
# JNI_DIR: <abi>/libmynasign_ffi.so for each ABI (build-android.sh's jniLibs). Every .so must
# pass scripts/check-16k-pages.sh (16 KB page alignment) or nothing is packaged.
# The classes and every .so must match: scripts/check-native-symbols.sh (every native function
# the classes declare exported) or nothing is packaged.
# The AAR holds classes.jar, AndroidManifest.xml (package jp.mynasign, minSdk 24, the NFC
# permission, android.hardware.nfc not required), R.txt (empty:
# no resources), proguard.txt (consumer-rules.pro: keeps JNA and the generated classes) and
# jni/<abi>/libmynasign_ffi.so. The version is Cargo.toml's. Prints the AAR's path last.
# Beside it (and published with it): with AAR_SOURCES (source folders, colon-separated) a
# sources jar, with AAR_JAVADOC (a javadoc jar, Dokka's from test-android.sh) a javadoc jar.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ "$#" -ge 3 ] || { echo "usage: $0 CLASSES_DIR JNI_DIR OUT_DIR [REPO]" >&2; exit 2; }
classes="$(cd "$1" && pwd)"
jni="$(cd "$2" && pwd)"
mkdir -p "$3"
out="$(cd "$3" && pwd)"
repo="${4:-}"
. "$here/lib/pom.sh"
version="$(mynasign_version "$root")"
min_sdk="${ANDROID_MIN_SDK:-24}"

[ -f "$classes/jp/mynasign/android/MynaCardReader.class" ] || { echo "package-aar: $classes lacks jp.mynasign.android" >&2; exit 1; }
abis=()
for d in "$jni"/*/; do
  [ -f "$d/libmynasign_ffi.so" ] && abis+=("$(basename "$d")")
done
[ "${#abis[@]}" -gt 0 ] || { echo "package-aar: no <abi>/libmynasign_ffi.so in $jni" >&2; exit 1; }
bash "$root/scripts/check-16k-pages.sh" "$jni" >&2 || { echo "package-aar: a native library is not 16 KB aligned" >&2; exit 1; }
# Classes and libraries from one feature set: every native function the classes declare
# must be exported by every library (JNA binds them all at load).
libs=()
for abi in "${abis[@]}"; do libs+=("$jni/$abi/libmynasign_ffi.so"); done
bash "$root/scripts/check-native-symbols.sh" "$classes" "${libs[@]}" >&2 \
  || { echo "package-aar: the native libraries do not match the classes (built with other features?)" >&2; exit 1; }

stage="$out/aar-stage"
rm -rf "$stage"
mkdir -p "$stage"
(cd "$classes" && jar cf "$stage/classes.jar" .)
cat >"$stage/AndroidManifest.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="jp.mynasign">
    <uses-sdk android:minSdkVersion="$min_sdk" />
    <!-- NfcAdapter.enableReaderMode needs it (a SecurityException without it). -->
    <uses-permission android:name="android.permission.NFC" />
    <!-- NFC is used when present: the app stays installable on phones without it. -->
    <uses-feature android:name="android.hardware.nfc" android:required="false" />
</manifest>
XML
: >"$stage/R.txt"
cp "$here/consumer-rules.pro" "$stage/proguard.txt"
for abi in "${abis[@]}"; do
  mkdir -p "$stage/jni/$abi"
  cp "$jni/$abi/libmynasign_ffi.so" "$stage/jni/$abi/"
done
aar="$out/mynasign-android-$version.aar"
rm -f "$aar"
(cd "$stage" && jar cfM "$aar" AndroidManifest.xml classes.jar R.txt proguard.txt jni)
rm -rf "$stage"

sources_jar=""
if [ -n "${AAR_SOURCES:-}" ]; then
  src_stage="$out/sources-stage"
  rm -rf "$src_stage"
  mkdir -p "$src_stage"
  IFS=: read -ra src_dirs <<<"$AAR_SOURCES"
  for d in "${src_dirs[@]}"; do cp -r "$d/." "$src_stage/"; done
  rm -rf "$src_stage/jp/mynasign/sample"
  sources_jar="$out/mynasign-android-$version-sources.jar"
  (cd "$src_stage" && jar cf "$sources_jar" .)
  rm -rf "$src_stage"
fi
javadoc_jar=""
if [ -n "${AAR_JAVADOC:-}" ]; then
  unzip -Z1 "$AAR_JAVADOC" | grep -x 'index.html' >/dev/null || { echo "package-aar: $AAR_JAVADOC has no index.html" >&2; exit 1; }
  javadoc_jar="$out/mynasign-android-$version-javadoc.jar"
  cp "$AAR_JAVADOC" "$javadoc_jar"
fi

if [ -n "$repo" ]; then
  mkdir -p "$repo"
  repo="$(cd "$repo" && pwd)"
  pom="$out/mynasign-android-$version.pom"
  write_pom "$pom" mynasign-android "$version" aar "mynasign (Android)" \
    "The My Number Card's JPKI application on Android: consent signing over NFC (IsoDep, reader mode) and the smartphone certificate (OMAPI)." \
    "$(pom_dep org.jetbrains.kotlin kotlin-stdlib 2.1.21)
$(pom_dep net.java.dev.jna jna 5.17.0 aar)
$(pom_dep org.jetbrains.kotlinx kotlinx-coroutines-android 1.10.2)
$(pom_dep androidx.annotation annotation 1.9.1)"
  log="$out/deploy.log"
  if ! mvn -B -ntp -q -Dstyle.color=never org.apache.maven.plugins:maven-deploy-plugin:3.1.2:deploy-file \
      -Durl="file://$repo" -DrepositoryId=local -Dfile="$aar" -DpomFile="$pom" -Dpackaging=aar \
      ${sources_jar:+-Dsources="$sources_jar"} ${javadoc_jar:+-Djavadoc="$javadoc_jar"} >"$log" 2>&1; then
    cat "$log" >&2; echo "package-aar: deploy failed" >&2; exit 1
  fi
  echo "published jp.mynasign:mynasign-android:$version (aar) to $repo" >&2
fi
echo "$aar"
