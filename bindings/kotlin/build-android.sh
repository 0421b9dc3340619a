#!/usr/bin/env bash
# Builds what the Android library module needs (not run by CI: it needs the Android NDK):
#   generated/             the Kotlin bindings, generated from the *unstripped host* library
#                          (uniffi reads the metadata symbols that stripping removes);
#   jniLibs/<abi>/         libmynasign_ffi.so for arm64-v8a, armeabi-v7a and x86_64, built
#                          by cargo-ndk with the release-ffi profile (size-tuned) and linked with -Wl,-z,max-page-size=16384 (16 KB
#                          pages: Google Play requires it for Android 15+), stripped here
#                          (only these packaged copies) and checked by
#                          scripts/check-16k-pages.sh (every PT_LOAD p_align >= 16384);
#   aar/                   with AAR_CLASSES=<compiled classes dir>, the AAR made by
#                          package-aar.sh (and published into AAR_REPO when set). Gradle
#                          (build.gradle.kts) builds the AAR from jniLibs/ too.
# The check and the packaging are tested without the NDK by test-android.sh (test-16k-pages.sh,
# test-aar.sh); this script itself cannot run in CI (no NDK there) and says so.
# Needs ANDROID_NDK_HOME (or ANDROID_NDK_ROOT). Installs cargo-ndk and the Rust targets when
# missing. PROFILE=debug keeps a debug build for the device libraries (default release-ffi). FEATURES applies to the
# generated Kotlin and to the device libraries alike, so both expose the same symbols: the
# default, none, is what an app ships (no emulator, no verifier); the sample's emulator switch
# needs FEATURES="emulator verify" (the testing artifact; then build with
# -Pmynasign.features="emulator verify" so the verifier's Kotlin is compiled too).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}"
if [ -z "$ndk" ] || [ ! -d "$ndk" ]; then
  echo "build-android: no Android NDK (set ANDROID_NDK_HOME): nothing built. The 16 KB check and" >&2
  echo "the AAR packaging are tested without it by make test-android; build-android-zig.sh links" >&2
  echo "arm64-v8a without it (not yet loaded on a phone)." >&2
  exit 1
fi
export ANDROID_NDK_HOME="$ndk"
min_sdk="${ANDROID_MIN_SDK:-24}"
profile="${PROFILE:-release-ffi}"
features="${FEATURES-}"
export FEATURES="$features"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

command -v cargo-ndk >/dev/null 2>&1 || cargo install --locked cargo-ndk
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android >&2

# 1. The bindings, from the host library (same crate, same features as the device builds).
rm -rf "$here/generated"
PROFILE=debug bash "$root/uniffi/generate.sh" kotlin "$here/generated" >/dev/null

# 2. The device libraries.
# 16 KB page alignment for every Android target (per-target flags: the host build is untouched).
page="-C link-arg=-Wl,-z,max-page-size=16384"
export CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS="${CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS:-} $page"
export CARGO_TARGET_ARMV7_LINUX_ANDROIDEABI_RUSTFLAGS="${CARGO_TARGET_ARMV7_LINUX_ANDROIDEABI_RUSTFLAGS:-} $page"
export CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS="${CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS:-} $page"
# Cargo's dev profile builds into debug/; any other (release-ffi: size-tuned, fat LTO, what an
# app ships) into a folder of its name.
profile_flag="--profile $profile"
profile_dir="$profile"
[ "$profile" = "debug" ] && { profile_flag=""; profile_dir="debug"; }
(cd "$root" && cargo ndk --platform "$min_sdk" \
  -t arm64-v8a -t armeabi-v7a -t x86_64 \
  build -p mynasign-ffi --features "$features" $profile_flag)

# 3. Package stripped copies; the unstripped ones stay in target/ for symbolication.
strip_tool="$(ls "$ndk"/toolchains/llvm/prebuilt/*/bin/llvm-strip | head -n 1)"
rm -rf "$here/jniLibs"
for pair in arm64-v8a:aarch64-linux-android armeabi-v7a:armv7-linux-androideabi x86_64:x86_64-linux-android; do
  abi="${pair%%:*}"
  triple="${pair#*:}"
  mkdir -p "$here/jniLibs/$abi"
  cp "$target_dir/$triple/$profile_dir/libmynasign_ffi.so" "$here/jniLibs/$abi/"
  "$strip_tool" --strip-unneeded "$here/jniLibs/$abi/libmynasign_ffi.so"
done
ls -l "$here"/jniLibs/*/libmynasign_ffi.so
bash "$root/scripts/check-16k-pages.sh" "$here/jniLibs"

# 4. The AAR, from classes compiled elsewhere (Gradle's, or android-tests/target/classes).
if [ -n "${AAR_CLASSES:-}" ]; then
  # The sources jar from the same sources (AAR_JAVADOC: a javadoc jar, e.g. test-android.sh's Dokka one).
  AAR_SOURCES="${AAR_SOURCES:-$here/generated:$here/src/main/kotlin:$here/src/android/kotlin}" \
    bash "$here/package-aar.sh" "$AAR_CLASSES" "$here/jniLibs" "$here/aar" ${AAR_REPO:+"$AAR_REPO"}
fi
