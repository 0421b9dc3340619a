#!/usr/bin/env bash
# The Linux-runnable part of release.sh, on a stand-in XCFramework: the zip's layout (one
# dynamic mynasignFFI.framework per slice, its module map in Modules/, the macOS framework's
# symbolic links kept as links), the checksum (SHA-256 of the zip, also
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

# A stand-in XCFramework with the layout build-xcframework.sh makes (assembled by the same
# scripts/xcframework.py, around stand-in binaries).
printf 'module mynasignFFI {\n    header "mynasignFFI.h"\n    export *\n}\n' >"$work/mynasignFFI.modulemap"
printf '// header\n' >"$work/mynasignFFI.h"
for slice in ios-arm64 ios-arm64_x86_64-simulator macos-arm64; do printf 'stand-in %s\n' "$slice" >"$work/$slice.bin"; done
xcf="$work/standin.xcframework"
python3 "$here/scripts/xcframework.py" assemble "$xcf" --header "$work/mynasignFFI.h" \
  --modulemap "$work/mynasignFFI.modulemap" --version 1.2.3 \
  "ios-arm64=$work/ios-arm64.bin" "ios-arm64_x86_64-simulator=$work/ios-arm64_x86_64-simulator.bin" \
  "macos-arm64=$work/macos-arm64.bin"
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
import stat, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
x = "mynasignFFI.xcframework/"
need = [x + "Info.plist"]
for s in ("ios-arm64", "ios-arm64_x86_64-simulator"):
    fw = f"{x}{s}/mynasignFFI.framework/"
    need += [fw + "mynasignFFI", fw + "Info.plist", fw + "Headers/mynasignFFI.h", fw + "Modules/module.modulemap",
             fw + "PrivacyInfo.xcprivacy"]
mac = x + "macos-arm64/mynasignFFI.framework/"
need += [mac + "Versions/A/mynasignFFI", mac + "Versions/A/Resources/Info.plist",
         mac + "Versions/A/Resources/PrivacyInfo.xcprivacy"]
missing = [n for n in need if n not in names]
# A framework's module map is in Modules/; one under Headers would collide in an app that has
# another module map there.
header_maps = [n for n in names if n.endswith("Headers/module.modulemap")]
# The macOS framework's links stay links (a copied Versions/Current breaks its signature).
links = {i.filename: z.read(i).decode() for i in z.infolist() if stat.S_ISLNK(i.external_attr >> 16)}
want_links = {mac + "Versions/Current": "A", mac + "mynasignFFI": "Versions/Current/mynasignFFI",
              mac + "Headers": "Versions/Current/Headers", mac + "Modules": "Versions/Current/Modules",
              mac + "Resources": "Versions/Current/Resources"}
binary_modes = {i.filename: (i.external_attr >> 16) & 0o111 for i in z.infolist() if i.filename.endswith("/mynasignFFI")}
if missing or header_maps or links != want_links or not all(binary_modes.get(n) for n in need if n.endswith("/mynasignFFI")):
    print("missing", missing, "module maps under Headers", header_maps, "links", links, "modes", binary_modes, file=sys.stderr)
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

# The framework's privacy manifest (its categories are checked against the binary's imports by
# xcframework.py check, on every build): valid, no tracking, no collected data, a reason each.
python3 - "$here/scripts/mynasignFFI.xcprivacy" <<'PY' || fail "framework privacy manifest"
import plistlib, sys
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f)
assert p["NSPrivacyTracking"] is False and p["NSPrivacyTrackingDomains"] == [] and p["NSPrivacyCollectedDataTypes"] == []
assert all(e["NSPrivacyAccessedAPITypeReasons"] for e in p["NSPrivacyAccessedAPITypes"])
PY

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
