#!/usr/bin/env bash
# The Linux-runnable part of release.sh, on a stand-in XCFramework: the zip's layout (the
# header and module map under Headers/mynasignFFI/), the checksum (SHA-256 of the zip, also
# checked against `swift package compute-checksum` by test.sh), the release Package.swift
# consuming the zip by URL, the package's sources and privacy manifest. Then the privacy
# manifest itself: a valid plist, no tracking, no collected data, and a required-reason entry
# exactly for the required-reason APIs the Swift sources use.
#
#   bash bindings/swift/test-release.sh [OUT_DIR]   (OUT_DIR: where the release is left)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "test-release: $*" >&2; exit 1; }

# A stand-in XCFramework with the layout build-xcframework.sh makes.
xcf="$work/standin.xcframework"
for slice in ios-arm64 ios-arm64_x86_64-simulator; do
  mkdir -p "$xcf/$slice/Headers/mynasignFFI"
  printf 'stand-in %s\n' "$slice" >"$xcf/$slice/libmynasign_ffi.a"
  printf '// header\n' >"$xcf/$slice/Headers/mynasignFFI/mynasignFFI.h"
  printf 'module mynasignFFI { header "mynasignFFI.h" export * }\n' >"$xcf/$slice/Headers/mynasignFFI/module.modulemap"
done
printf '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict/></plist>\n' >"$xcf/Info.plist"
printf '// generated stand-in\n' >"$work/MynaSign.swift"

# Refused inputs.
if bash "$here/release.sh" 1.2 https://example.invalid --xcframework "$xcf" --generated-swift "$work/MynaSign.swift" --out "$work/bad" >/dev/null 2>&1; then
  fail "accepted a version that is not x.y.z"
fi
if bash "$here/release.sh" 1.2.3 http://example.invalid --xcframework "$xcf" --generated-swift "$work/MynaSign.swift" --out "$work/bad" >/dev/null 2>&1; then
  fail "accepted a URL that is not https"
fi

bash "$here/release.sh" 1.2.3 https://downloads.example.invalid/mynasign/ \
  --xcframework "$xcf" --generated-swift "$work/MynaSign.swift" --out "$out" >"$work/log"
zip="$out/mynasignFFI-1.2.3.xcframework.zip"
[ -f "$zip" ] || fail "no zip"
want="$(sha256sum "$zip" | cut -d' ' -f1)"
[ "$(cat "$zip.checksum")" = "$want" ] || fail "checksum file is not the zip's SHA-256"
grep -q "checksum: $want" "$work/log" || fail "checksum not printed"

python3 - "$zip" <<'PY' || fail "zip layout"
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = [
    "mynasignFFI.xcframework/Info.plist",
    "mynasignFFI.xcframework/ios-arm64/Headers/mynasignFFI/module.modulemap",
    "mynasignFFI.xcframework/ios-arm64/Headers/mynasignFFI/mynasignFFI.h",
    "mynasignFFI.xcframework/ios-arm64_x86_64-simulator/libmynasign_ffi.a",
]
missing = [n for n in need if n not in names]
root_maps = [n for n in names if n.endswith("/Headers/module.modulemap")]
if missing or root_maps:
    print("missing", missing, "modulemap at the Headers root", root_maps, file=sys.stderr)
    sys.exit(1)
PY

manifest="$out/package/Package.swift"
grep -q 'url: "https://downloads.example.invalid/mynasign/mynasignFFI-1.2.3.xcframework.zip"' "$manifest" || fail "manifest URL"
grep -q "checksum: \"$want\"" "$manifest" || fail "manifest checksum"
grep -q 'resources: \[.copy("PrivacyInfo.xcprivacy")\]' "$manifest" || fail "manifest resources"
if grep -q 'path: "generated' "$manifest"; then fail "the release manifest points at a local path"; fi
for f in "$here"/Sources/MynaSign/*.swift; do
  cmp -s "$f" "$out/package/Sources/MynaSign/$(basename "$f")" || fail "$(basename "$f") not in the package"
done
cmp -s "$work/MynaSign.swift" "$out/package/Sources/MynaSign/Generated/MynaSign.swift" || fail "generated Swift not in the package"

# The privacy manifest.
python3 - "$here/Sources/MynaSign" <<'PY' || fail "privacy manifest"
import glob, plistlib, sys
src = sys.argv[1]
with open(f"{src}/PrivacyInfo.xcprivacy", "rb") as f:
    p = plistlib.load(f)
assert p["NSPrivacyTracking"] is False, "tracking"
assert p["NSPrivacyTrackingDomains"] == [], "tracking domains"
assert p["NSPrivacyCollectedDataTypes"] == [], "collected data"
declared = {e["NSPrivacyAccessedAPIType"]: e["NSPrivacyAccessedAPITypeReasons"] for e in p["NSPrivacyAccessedAPITypes"]}
code = "".join(open(f, encoding="utf-8").read() for f in glob.glob(f"{src}/*.swift"))
# The required-reason APIs a Swift source could call, by category.
apis = {
    "NSPrivacyAccessedAPICategorySystemBootTime": ["systemUptime", "mach_absolute_time"],
    "NSPrivacyAccessedAPICategoryFileTimestamp": ["creationDate", "modificationDate", "contentModificationDate", "getattrlist"],
    "NSPrivacyAccessedAPICategoryDiskSpace": ["volumeAvailableCapacity", "systemFreeSize", "statfs"],
    "NSPrivacyAccessedAPICategoryUserDefaults": ["UserDefaults"],
    "NSPrivacyAccessedAPICategoryActiveKeyboards": ["activeInputModes"],
}
used = {cat for cat, names in apis.items() if any(n in code for n in names)}
assert set(declared) == used, f"declared {sorted(declared)}, used {sorted(used)}"
assert declared.get("NSPrivacyAccessedAPICategorySystemBootTime", ["35F9.1"]) == ["35F9.1"], "boot time reason"
PY
echo "release script: zip, checksum $want, URL manifest, sources and privacy manifest checked"
