#!/usr/bin/env bash
# Tests package-aar.sh: packages an AAR from the Android library's compiled classes
# (CLASSES_DIR, e.g. android-tests/target/classes after test-android.sh's build; the sample's
# package is left out) and stand-in native libraries built here by the host's C compiler (the
# NDK's real ones cannot be built here), publishes it into a fresh local repository and
# checks the AAR's layout and the POM; a 4 KB-aligned .so must make packaging fail.
# Prints "aar: N passed, N failed"; exits 0 only when all passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ "$#" -ge 1 ] && [ -d "$1" ] || { echo "usage: $0 CLASSES_DIR [SOURCE_DIRS JAVADOC_JAR]" >&2; exit 2; }
# With SOURCE_DIRS (colon-separated) and JAVADOC_JAR, the sources and javadoc jars are packaged
# and published too, and checked.
export AAR_SOURCES="${2:-}" AAR_JAVADOC="${3:-}"
. "$here/lib/pom.sh"
version="$(mynasign_version "$root")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/classes"
cp -r "$1/." "$work/classes/"
rm -rf "$work/classes/jp/mynasign/sample"
# Stand-ins exporting a function of each name the classes declare native (the symbol check);
# s-missing.c leaves one out (a library built with fewer features than the classes).
xargs javap -p -cp "$work/classes" < <(find "$work/classes/jp/mynasign" -name '*.class') 2>/dev/null \
  | grep -E '^[[:space:]].* native .*\(' | sed -E 's/^.* native [^ (]+ ([A-Za-z0-9_$]+)\(.*$/\1/' | sort -u >"$work/natives.txt"
[ -s "$work/natives.txt" ] || { echo "aar: the classes declare no native function" >&2; exit 1; }
awk '{ printf "int %s(void) { return 0; }\n", $0 }' "$work/natives.txt" >"$work/s.c"
sed '$d' "$work/s.c" >"$work/s-missing.c"
for abi in arm64-v8a armeabi-v7a x86_64; do
  mkdir -p "$work/jni/$abi"
  gcc -shared -fPIC -o "$work/jni/$abi/libmynasign_ffi.so" "$work/s.c" -Wl,-z,max-page-size=16384
done
mkdir -p "$work/jni4k/arm64-v8a" "$work/jnimissing/arm64-v8a"
gcc -shared -fPIC -o "$work/jni4k/arm64-v8a/libmynasign_ffi.so" "$work/s.c" -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096
gcc -shared -fPIC -o "$work/jnimissing/arm64-v8a/libmynasign_ffi.so" "$work/s-missing.c" -Wl,-z,max-page-size=16384

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "aar test: $*" >&2; }
has() { grep -qxF "$2" "$1" && ok || bad "$(basename "$1") lacks $2"; }
lacks() { grep -q "$2" "$1" && bad "$(basename "$1") has $2" || ok; }

aar="$(bash "$here/package-aar.sh" "$work/classes" "$work/jni" "$work/out" "$work/repo" 2>"$work/err" | tail -n 1)" \
  || { cat "$work/err" >&2; echo "aar: 0 passed, 1 failed"; exit 1; }
unzip -Z1 "$aar" >"$work/entries"
for e in AndroidManifest.xml classes.jar R.txt proguard.txt jni/arm64-v8a/libmynasign_ffi.so \
    jni/armeabi-v7a/libmynasign_ffi.so jni/x86_64/libmynasign_ffi.so; do
  has "$work/entries" "$e"
done
mkdir -p "$work/x"
(cd "$work/x" && unzip -q "$aar" && unzip -Z1 classes.jar >"$work/classes.txt")
for c in jp/mynasign/android/MynaCardReader.class jp/mynasign/android/IsoDepLink.class \
    jp/mynasign/android/OmapiLink.class jp/mynasign/MynaSign.class; do
  has "$work/classes.txt" "$c"
done
lacks "$work/classes.txt" '^jp/mynasign/sample/'
grep -q 'package="jp.mynasign"' "$work/x/AndroidManifest.xml" && ok || bad "manifest without package jp.mynasign"
grep -q '<uses-permission android:name="android.permission.NFC" />' "$work/x/AndroidManifest.xml" && ok || bad "manifest without the NFC permission"
grep -q '<uses-feature android:name="android.hardware.nfc" android:required="false" />' "$work/x/AndroidManifest.xml" && ok || bad "manifest without the optional NFC feature"
cmp -s "$work/x/proguard.txt" "$here/consumer-rules.pro" && ok || bad "proguard.txt is not consumer-rules.pro"
grep -q -- '-keep class com.sun.jna' "$work/x/proguard.txt" && ok || bad "proguard.txt does not keep JNA"
[ ! -s "$work/x/R.txt" ] && ok || bad "R.txt not empty"

dir="$work/repo/jp/mynasign/mynasign-android/$version"
[ -f "$dir/mynasign-android-$version.aar" ] && ok || bad "the repository has no .aar"
cmp -s "$dir/mynasign-android-$version.aar" "$aar" && ok || bad "the published AAR differs"
pom="$dir/mynasign-android-$version.pom"
if [ -f "$pom" ]; then
  ok
  tr -d ' \n' <"$pom" >"$work/pom.flat"
  for tag in "<packaging>aar</packaging>" "<version>$version</version>" \
      "<artifactId>jna</artifactId><version>5.17.0</version><type>aar</type>" \
      "<scm><connection>scm:git:$MYNASIGN_SCM_URL.git</connection>" "<licenses>" "<developers>"; do
    grep -qF "$tag" "$work/pom.flat" && ok || bad "POM lacks $tag"
  done
else
  bad "the repository has no POM"
fi

if [ -n "$AAR_SOURCES" ]; then
  out_dir="$(dirname "$aar")"
  src_jar="$out_dir/mynasign-android-$version-sources.jar"
  doc_jar="$out_dir/mynasign-android-$version-javadoc.jar"
  unzip -Z1 "$src_jar" >"$work/src.txt" 2>/dev/null || : >"$work/src.txt"
  has "$work/src.txt" jp/mynasign/android/MynaCardReader.kt
  lacks "$work/src.txt" '^jp/mynasign/sample/'
  unzip -Z1 "$doc_jar" >"$work/doc.txt" 2>/dev/null || : >"$work/doc.txt"
  has "$work/doc.txt" index.html
  has "$work/doc.txt" jp/mynasign/android/MynaCardReader.html
  for c in sources javadoc; do
    [ -f "$dir/mynasign-android-$version-$c.jar" ] && ok || bad "the repository has no $c jar"
  done
fi

# A library aligned for 4 KB pages only is refused, and no AAR is written.
if bash "$here/package-aar.sh" "$work/classes" "$work/jni4k" "$work/out4k" >"$work/out4k.log" 2>&1; then
  bad "a 4 KB-aligned library was packaged"
else
  ok
fi
[ -z "$(ls "$work/out4k"/*.aar 2>/dev/null)" ] && ok || bad "an AAR was written for a 4 KB-aligned library"

# A library lacking one native function the classes declare is refused, naming it.
if bash "$here/package-aar.sh" "$work/classes" "$work/jnimissing" "$work/outmissing" >"$work/outmissing.log" 2>&1; then
  bad "a library lacking a native function was packaged"
else
  grep -qF "$(tail -n 1 "$work/natives.txt")" "$work/outmissing.log" && ok || bad "the refusal does not name the missing function"
fi
[ -z "$(ls "$work/outmissing"/*.aar 2>/dev/null)" ] && ok || bad "an AAR was written for a mismatched library"
echo "aar: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
