#!/usr/bin/env bash
# The Android tests: generates the Kotlin bindings (uniffi, library mode; builds the FFI library
# with the emulator), compiles them with the library's Android classes (jp.mynasign.android)
# and the sample app (see SAMPLE below) against Robolectric's android-all (API 35), and runs the
# JUnit 4 tests with Robolectric on the JVM, offline, the card answered by the emulator through JNA.
# The sample's strings are compiled by aapt (installed when missing) and loaded by Robolectric;
# the sample's release build is compiled apart on the bindings without features and checked for
# emulator classes. ANDROID_ZIG=1 also links an arm64-v8a library without the NDK and packages it.
# ANDROID_TESTS=Class[#method][,...] runs only those test classes (Surefire's -Dtest).
# Prints Surefire's summary; exits 0 only when every test passed and no warning was printed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

. "$here/lib/jdk-maven.sh"
mynasign_need_jdk_maven

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gen="$work/generated"
lib="$(bash "$root/uniffi/generate.sh" kotlin "$gen" | tail -n 1)"
libdir="$(dirname "$lib")"
[ -f "$lib" ] || { echo "android: library not built: $lib" >&2; exit 1; }

# The Kotlin bindings name CardLink.close `closeLink` (uniffi/uniffi.toml): a wrong config
# would fail to compile below anyway, but say why.
grep -q 'fun `closeLink`' "$gen"/jp/mynasign/*.kt || { echo "android: the closeLink rename is missing" >&2; exit 1; }

# The sample app (android-sample/app with android-sample/flow) is compiled too, its debug build
# type (src/main + src/debug: the emulated card); SAMPLE=0 skips it.
sample_default=1
sample="$root/android-sample/app/src/main/kotlin"
sample_flow="$root/android-sample/flow/src/main/kotlin"
sample_debug="$root/android-sample/app/src/debug/kotlin"
sample_flow_debug="$root/android-sample/flow/src/debug/kotlin"
sample_r="$work/sample-r"
sample_config="$work/sample-test-config"
mkdir -p "$sample_r" "$sample_config"
if [ "${SAMPLE:-$sample_default}" = "0" ]; then
  sample="$work/no-sample"
  sample_flow="$sample"
  sample_debug="$sample"
  sample_flow_debug="$sample"
  mkdir -p "$sample"
else
  # Every text the sample shows is a string resource (the check, then a planted literal it
  # must catch).
  bash "$root/scripts/check-sample-strings.sh" "$root/android-sample/app/src"
  mkdir -p "$work/planted/main"
  cp -r "$root/android-sample/app/src/main/kotlin" "$work/planted/main/"
  printf 'private fun planted(v: android.widget.TextView) { v.text = "Hold the card" }\n' \
    >"$work/planted/main/kotlin/Planted.kt"
  if bash "$root/scripts/check-sample-strings.sh" "$work/planted" >/dev/null 2>&1; then
    echo "android: check-sample-strings missed a planted literal" >&2; exit 1
  fi
  # The sample's resources, compiled by Android's resource compiler as the Gradle build would:
  # aapt (Debian's, Android 10) against Debian's framework-res.apk (the framework's public
  # resource ids are stable across releases), with the manifest the Gradle build merges (its
  # namespace as the package, minSdk and targetSdk from app/build.gradle.kts). Robolectric reads
  # the resource APK and the manifest (binary resources) through
  # com/android/tools/test_config.properties, the file AGP writes for unit tests (the keys
  # Robolectric 4.14.1's DefaultManifestFactory reads).
  framework_res=/usr/share/android-framework-res/framework-res.apk
  if ! command -v aapt >/dev/null || [ ! -f "$framework_res" ]; then
    (apt-get update && apt-get install -y --no-install-recommends aapt android-framework-res) >"$work/apt.log" 2>&1 \
      || { cat "$work/apt.log"; echo "android: cannot install aapt" >&2; exit 1; }
  fi
  gradle_app="$root/android-sample/app/build.gradle.kts"
  namespace="$(sed -nE 's/^ *namespace = "([^"]+)".*/\1/p' "$gradle_app")"
  min_sdk="$(sed -nE 's/^ *minSdk = ([0-9]+).*/\1/p' "$gradle_app")"
  target_sdk="$(sed -nE 's/^ *targetSdk = ([0-9]+).*/\1/p' "$gradle_app")"
  [ -n "$namespace" ] && [ -n "$min_sdk" ] && [ -n "$target_sdk" ] || { echo "android: namespace/minSdk/targetSdk not found in $gradle_app" >&2; exit 1; }
  sed -E "s|<manifest ([^>]*)>|<manifest \\1 package=\"$namespace\">\\n    <uses-sdk android:minSdkVersion=\"$min_sdk\" android:targetSdkVersion=\"$target_sdk\" />|" \
    "$root/android-sample/app/src/main/AndroidManifest.xml" >"$work/AndroidManifest.xml"
  grep -q "package=\"$namespace\"" "$work/AndroidManifest.xml" || { echo "android: the merged manifest has no package" >&2; exit 1; }
  aapt package -f -M "$work/AndroidManifest.xml" -S "$root/android-sample/app/src/main/res" \
    -I "$framework_res" -J "$sample_r" -F "$work/sample.ap_" >"$work/aapt.log" 2>&1 \
    || { cat "$work/aapt.log"; echo "android: aapt failed" >&2; exit 1; }
  if grep -qi 'warning' "$work/aapt.log"; then cat "$work/aapt.log"; echo "android: aapt warnings" >&2; exit 1; fi
  mkdir -p "$sample_config/com/android/tools"
  printf 'android_merged_manifest=%s\nandroid_resource_apk=%s\nandroid_custom_package=%s\n' \
    "$work/AndroidManifest.xml" "$work/sample.ap_" "$namespace" >"$sample_config/com/android/tools/test_config.properties"
fi

# README-android.md's snippets, wrapped in classes that provide their free names, compiled and
# run by ReadmeSnippetTest.
snippet() {
  awk -v name="$1" '$0 == "<!-- snippet:" name " -->" { on = 1; next }
    on && /^```kotlin/ { code = 1; next } on && code && /^```/ { exit } code { print }' "$here/README-android.md"
}
readme="$work/readme"
mkdir -p "$readme"
vm="$(snippet viewmodel)"
act="$(snippet activity)"
[ -n "$vm" ] && [ -n "$act" ] || { echo "android: README-android.md snippets not found" >&2; exit 1; }
[ "$(printf '%s\n%s\n' "$vm" "$act" | grep -c .)" -le 15 ] || { echo "android: README snippet over 15 lines" >&2; exit 1; }
cat > "$readme/ReadmeSnippet.kt" <<KT
package jp.mynasign.android.tests.readme

import android.app.Activity
import android.app.Application
import android.content.Intent
import android.os.Bundle
import jp.mynasign.ConsentDocument
import jp.mynasign.MynaSign
import jp.mynasign.MynaSignException
import jp.mynasign.SignedConsent
import jp.mynasign.android.MynaCardReader
import jp.mynasign.android.nfcSettingsIntent
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch

/** README-android.md's ViewModel snippet (generated by test-android.sh). */
class ReadmeViewModel(
    private val application: Application,
    private val viewModelScope: CoroutineScope,
    private val onSigned: (SignedConsent) -> Unit,
    private val openSettings: (Intent) -> Unit,
    private val showError: (String?) -> Unit,
) {
$vm
    companion object {
        var current: ReadmeViewModel? = null
    }
}

/** README-android.md's Activity snippet. */
class ReadmeActivity : Activity() {
    private val viewModel: ReadmeViewModel get() = ReadmeViewModel.current!!

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
$act
    }
}
KT

log="$work/mvn.log"
set +e
# -ntp keeps the log free of download progress; -o is not used so that a fresh machine fetches
# the dependencies once; the tests themselves never download (robolectric.offline).
mvn -B -ntp -f "$here/android-tests/pom.xml" -Dmynasign.libdir="$libdir" \
  -Dmynasign.generated="$gen" -Dmynasign.sample="$sample" -Dmynasign.sample.flow="$sample_flow" \
  -Dmynasign.sample.debug="$sample_debug" -Dmynasign.sample.flow.debug="$sample_flow_debug" \
  -Dmynasign.sample.r="$sample_r" -Dmynasign.sample.testconfig="$sample_config" -Dmynasign.readme="$readme" -Dstyle.color=never \
  ${ANDROID_TESTS:+"-Dtest=$ANDROID_TESTS" -Dsurefire.failIfNoSpecifiedTests=false} test >"$log" 2>&1
rc=$?
set -e

warnings="$(grep -E '^(w: |\[WARNING\] .*\.kt:)' "$log" || true)"
if [ "$rc" -ne 0 ]; then
  cat "$log"
  echo "android tests: FAILED (maven exit $rc)" >&2
  exit "$rc"
fi
if [ -n "$warnings" ]; then
  echo "$warnings"
  echo "android tests: FAILED (compiler warnings)" >&2
  exit 1
fi
grep -E 'Tests run:|BUILD SUCCESS' "$log" | sed -E 's/^\[INFO\] //'
if [ "$sample" = "$work/no-sample" ]; then
  echo "android: the sample app was not compiled (SAMPLE=0)"
else
  echo "android: the sample app compiled (debug build)"
  # The sample's release build: src/main and src/release, on what an app ships: the bindings
  # of the library without features (lib/shipped-bindings.sh: no emulator, no verifier), the
  # Kotlin layer and jp.mynasign.android, no verifier Kotlin. It must compile (nothing in
  # src/main or src/release names what is not shipped), and its classes must neither be nor
  # refer to the emulator or the verifier; the debug build's classes must fail that check.
  gen_release="$work/generated-release"
  bash "$here/lib/shipped-bindings.sh" "$gen_release"
  mkdir -p "$work/empty"
  release_log="$work/release.log"
  if ! mvn -B -ntp -f "$here/android-tests/pom.xml" -Dmynasign.build="$work/release-build" \
      -Dmynasign.generated="$gen_release" -Dmynasign.verify="$work/empty" \
      -Dmynasign.sample="$root/android-sample/app/src/main/kotlin" -Dmynasign.sample.flow="$root/android-sample/flow/src/main/kotlin" \
      -Dmynasign.sample.debug="$root/android-sample/app/src/release/kotlin" -Dmynasign.sample.flow.debug="$work/empty" \
      -Dmynasign.sample.r="$sample_r" -Dstyle.color=never compile >"$release_log" 2>&1; then
    cat "$release_log"; echo "android: the sample's release build does not compile on the shipped bindings" >&2; exit 1
  fi
  warnings="$(grep -E '^(w: |\[WARNING\] .*\.kt:)' "$release_log" || true)"
  [ -z "$warnings" ] || { echo "$warnings"; echo "android: compiler warnings in the release build" >&2; exit 1; }
  [ -f "$work/release-build/classes/jp/mynasign/sample/android/MainActivity.class" ] || { echo "android: the release build has no MainActivity" >&2; exit 1; }
  bash "$root/scripts/check-no-emulator.sh" "$work/release-build/classes"
  if bash "$root/scripts/check-no-emulator.sh" "$here/android-tests/target/classes" >/dev/null 2>&1; then
    echo "android: check-no-emulator passed the debug build, which has the emulator" >&2; exit 1
  fi
  echo "android: the sample's release build compiled on the shipped bindings; the debug build's emulator is caught"
fi

# Opt-in (ANDROID_ZIG=1: minutes, downloads Zig from PyPI): a real arm64-v8a library, linked
# without the NDK (build-android-zig.sh), packaged with the classes an app ships (the release
# build's, without the sample) into target/android-aar/. Not loaded on a phone here.
if [ "${ANDROID_ZIG:-0}" = "1" ] && [ -d "$work/release-build/classes" ]; then
  mkdir -p "$work/aar-classes"
  cp -r "$work/release-build/classes/." "$work/aar-classes/"
  rm -rf "$work/aar-classes/jp/mynasign/sample"
  bash "$here/build-android-zig.sh" "$work/jni-device" "$work/aar-classes" >/dev/null
  target_dir="${CARGO_TARGET_DIR:-$root/target}"
  rm -rf "$target_dir/android-aar"
  device_aar="$(bash "$here/package-aar.sh" "$work/aar-classes" "$work/jni-device" "$target_dir/android-aar" | tail -n 1)"
  unzip -p "$device_aar" jni/arm64-v8a/libmynasign_ffi.so | cmp -s - "$work/jni-device/arm64-v8a/libmynasign_ffi.so" \
    || { echo "android: the AAR does not carry the device library" >&2; exit 1; }
  unzip -p "$device_aar" classes.jar >"$work/device-classes.jar"
  if unzip -Z1 "$work/device-classes.jar" | grep -qE '(Emulator|Verifier)[^/]*\.class$'; then
    echo "android: the device AAR has emulator or verifier classes" >&2; exit 1
  fi
  echo "android: $device_aar carries arm64-v8a/libmynasign_ffi.so, linked without the NDK (not loaded on a phone)"
fi

# The AAR's native-library check and packaging, testable without the NDK: the 16 KB page
# check on shared libraries built by the host's C compiler, then an AAR of the classes just
# compiled (with stand-in native libraries), published into a local repository.
bash "$root/scripts/test-16k-pages.sh"
# JNA's libjnidispatch.so, shipped in the app from JNA's AAR: 16 KB pages as well.
mkdir -p "$work/jna"
(cd "$work/jna" && unzip -q "$here/android-tests/target/aar/jna.aar" 'jni/*')
bash "$root/scripts/check-16k-pages.sh" "$work/jna/jni" >/dev/null || { echo "android: JNA's libjnidispatch.so is not 16 KB aligned" >&2; exit 1; }
echo "android: JNA's libjnidispatch.so is 16 KB aligned for every ABI"
# The host build: the library the tests just loaded exports every native function the
# compiled classes declare (the check package-aar.sh applies to the device libraries).
bash "$root/scripts/check-native-symbols.sh" "$here/android-tests/target/classes" "$lib"
# The AAR's javadoc jar: Dokka over the bindings, the layer and jp.mynasign.android (offline).
dokka_log="$work/dokka.log"
mvn -B -ntp -q -f "$here/android-tests/pom.xml" -Dmynasign.generated="$gen" -Dstyle.color=never \
  org.jetbrains.dokka:dokka-maven-plugin:2.2.0:javadocJar >"$dokka_log" 2>&1 || { cat "$dokka_log"; echo "android: Dokka failed" >&2; exit 1; }
javadoc="$here/android-tests/target/mynasign-android-tests-0.1.0-javadoc.jar"
bash "$here/test-aar.sh" "$here/android-tests/target/classes" \
  "$gen:$here/src/main/kotlin:$here/src/android/kotlin:$here/src/verify/kotlin" "$javadoc"
