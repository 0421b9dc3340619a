#!/usr/bin/env python3
"""Assembles and checks mynasignFFI.xcframework (build-xcframework.sh), on Linux or macOS.

    xcframework.py assemble OUT_DIR --header H --modulemap M --version V SLICE=BINARY...
    xcframework.py check XCFRAMEWORK [--header H] [--swift S]
    xcframework.py symbols SDK_TBD TBD_TARGET SYMBOL_LIST

SLICE is ios-arm64, ios-arm64_x86_64-simulator or macos-arm64; BINARY a Mach-O dylib (fat
for the simulator) linked by scripts/link-dylib.sh.

The layout follows what `xcodebuild -create-xcframework -framework ...` writes, as seen in
XCFrameworks published by other projects (e.g. the Info.plist in Tuist's and Carthage's
XCFramework readers: tuist/tuist XCFrameworkInfoPlist, Carthage XCFrameworkLibrary) and in
Apple's "Creating a multiplatform binary framework bundle": one folder per platform variant,
LibraryIdentifier/LibraryPath/BinaryPath, SupportedArchitectures, SupportedPlatform and, for a
simulator, SupportedPlatformVariant "simulator". A dynamic library on iOS must be in a
framework (Apple: only macOS loads a bare dylib from an XCFramework), so each slice is
mynasignFFI.framework: shallow on iOS (binary, Info.plist, Headers, Modules at the top), the
versioned layout on macOS (Versions/A, Versions/Current and the top-level links). The
framework's Info.plist has the keys Xcode writes for a framework target (CFBundleExecutable,
CFBundleIdentifier, CFBundlePackageType FMWK, the two versions, MinimumOSVersion,
CFBundleSupportedPlatforms), as react-native-node-api's createAppleFramework does
(callstackincubator/react-native-node-api, packages/host/src/node/prebuilds/apple.ts).
"""
import os
import plistlib
import re
import shutil
import struct
import sys

NAME = "mynasignFFI"
BUNDLE_ID = "jp.mynasign.mynasignFFI"
EXPORT_PREFIXES = ("uniffi_", "ffi_")

# LibraryIdentifier -> (SupportedPlatform, variant or None, architectures, Mach-O platform,
# minimum OS, CFBundleSupportedPlatforms). Mach-O platforms: <mach-o/loader.h> PLATFORM_MACOS
# 1, PLATFORM_IOS 2, PLATFORM_IOSSIMULATOR 7.
SLICES = {
    "ios-arm64": ("ios", None, ["arm64"], 2, "15.0", "iPhoneOS"),
    "ios-arm64_x86_64-simulator": ("ios", "simulator", ["arm64", "x86_64"], 7, "15.0", "iPhoneSimulator"),
    "macos-arm64": ("macos", None, ["arm64"], 1, "12.0", "MacOSX"),
}
REQUIRED = ["ios-arm64", "ios-arm64_x86_64-simulator"]
# The only libraries the binary may load: everything else it needs is inside it.
ALLOWED_DYLIBS = {"/usr/lib/libSystem.B.dylib"}
# The framework's privacy manifest (next to this script).
PRIVACY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mynasignFFI.xcprivacy")
# The C functions among Apple's required-reason APIs ("Describing use of required reason API",
# developer.apple.com/documentation/bundleresources/describing-use-of-required-reason-api),
# by category; App Store Connect finds them in a binary by symbol (as google/cctz#370 and
# firebase-ios-sdk#12804 report), so the binary's imports decide what the manifest declares.
REQUIRED_REASON_FUNCTIONS = {
    "NSPrivacyAccessedAPICategoryFileTimestamp": [
        "_stat", "_fstat", "_fstatat", "_lstat", "_getattrlist", "_fgetattrlist", "_getattrlistat", "_getattrlistbulk"],
    "NSPrivacyAccessedAPICategorySystemBootTime": ["_mach_absolute_time"],
    "NSPrivacyAccessedAPICategoryDiskSpace": [
        "_statfs", "_statvfs", "_fstatfs", "_fstatvfs", "_getattrlist", "_fgetattrlist", "_getattrlistat"],
}

# <mach-o/loader.h>, <mach-o/fat.h>, <mach-o/nlist.h>, <mach/machine.h>
FAT_MAGIC = 0xCAFEBABE
MH_MAGIC_64 = 0xFEEDFACF
MH_DYLIB = 6
CPU_TYPES = {0x0100000C: "arm64", 0x01000007: "x86_64"}
LC_SYMTAB = 0x2
LC_LOAD_DYLIB = 0xC
LC_ID_DYLIB = 0xD
LC_LOAD_WEAK_DYLIB = 0x80000018
LC_REEXPORT_DYLIB = 0x8000001F
LC_BUILD_VERSION = 0x32
LC_UUID = 0x1B
N_STAB = 0xE0
N_TYPE = 0x0E
N_EXT = 0x01
N_UNDF = 0x0


def fail(msg):
    print(f"xcframework: {msg}", file=sys.stderr)
    sys.exit(1)


def macho_slices(data):
    """[(offset, size)] of the thin Mach-O images in a fat or thin file."""
    (magic,) = struct.unpack_from(">I", data, 0)
    if magic == FAT_MAGIC:
        (n,) = struct.unpack_from(">I", data, 4)
        return [struct.unpack_from(">5I", data, 8 + 20 * i)[2:4] for i in range(n)]
    return [(0, len(data))]


def parse_thin(data):
    (magic, cputype, _sub, filetype, ncmds, _size, _flags, _res) = struct.unpack_from("<8I", data, 0)
    if magic != MH_MAGIC_64:
        fail(f"not a 64-bit Mach-O image (magic {magic:#x})")
    info = {"arch": CPU_TYPES.get(cputype, hex(cputype)), "filetype": filetype, "dylibs": [],
            "id": None, "platform": None, "minos": None, "uuid": None, "exports": set(), "imports": set()}
    off = 32
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<2I", data, off)
        if cmd in (LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_ID_DYLIB):
            (name_off,) = struct.unpack_from("<I", data, off + 8)
            name = data[off + name_off:off + cmdsize].split(b"\0", 1)[0].decode()
            if cmd == LC_ID_DYLIB:
                info["id"] = name
            else:
                info["dylibs"].append(name)
        elif cmd == LC_UUID:
            info["uuid"] = data[off + 8:off + 24].hex()
        elif cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from("<2I", data, off + 8)
            info["platform"] = platform
            info["minos"] = f"{minos >> 16}.{(minos >> 8) & 0xFF}"
        elif cmd == LC_SYMTAB:
            symoff, nsyms, stroff, _strsize = struct.unpack_from("<4I", data, off + 8)
            for i in range(nsyms):
                strx, ntype, _sect, _desc, _value = struct.unpack_from("<IBBHQ", data, symoff + 16 * i)
                if ntype & N_STAB or not ntype & N_EXT:
                    continue
                name = data[stroff + strx:].split(b"\0", 1)[0].decode()
                (info["imports"] if ntype & N_TYPE == N_UNDF else info["exports"]).add(name)
        off += cmdsize
    return info


def read_binary(path):
    with open(path, "rb") as f:
        data = f.read()
    return [parse_thin(data[o:o + s]) for o, s in macho_slices(data)]


def framework_plist(ident, version):
    _, _, _, _, minos, supported = SLICES[ident]
    plist = {
        "CFBundleDevelopmentRegion": "en",
        "CFBundleExecutable": NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleName": NAME,
        "CFBundlePackageType": "FMWK",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "CFBundleSupportedPlatforms": [supported],
    }
    if ident.startswith("ios"):
        plist["MinimumOSVersion"] = minos
    else:
        plist["LSMinimumSystemVersion"] = minos
    return plist


def framework_modulemap(modulemap):
    """The generated `module X { header "X.h" ... }` as a framework module."""
    text = re.sub(r"^module ", "framework module ", modulemap, count=1, flags=re.M)
    return re.sub(r'^(\s*)header "', r'\1umbrella header "', text, count=1, flags=re.M)


def assemble(out, header, modulemap, version, slices):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    with open(modulemap) as f:
        fw_modulemap = framework_modulemap(f.read())
    libraries = []
    for ident, binary in slices:
        if ident not in SLICES:
            fail(f"unknown slice {ident}")
        platform, variant, archs, _, _, _ = SLICES[ident]
        fw = os.path.join(out, ident, f"{NAME}.framework")
        if platform == "macos":
            root = os.path.join(fw, "Versions", "A")
            plist_dir = os.path.join(root, "Resources")
            binary_path = f"{NAME}.framework/Versions/A/{NAME}"
        else:
            root = fw
            plist_dir = fw
            binary_path = f"{NAME}.framework/{NAME}"
        os.makedirs(os.path.join(root, "Headers"))
        os.makedirs(os.path.join(root, "Modules"))
        os.makedirs(plist_dir, exist_ok=True)
        shutil.copyfile(binary, os.path.join(root, NAME))
        os.chmod(os.path.join(root, NAME), 0o755)
        shutil.copyfile(header, os.path.join(root, "Headers", f"{NAME}.h"))
        with open(os.path.join(root, "Modules", "module.modulemap"), "w") as f:
            f.write(fw_modulemap)
        with open(os.path.join(plist_dir, "Info.plist"), "wb") as f:
            plistlib.dump(framework_plist(ident, version), f)
        shutil.copyfile(PRIVACY, os.path.join(plist_dir, "PrivacyInfo.xcprivacy"))
        if platform == "macos":
            os.symlink("A", os.path.join(fw, "Versions", "Current"))
            for entry in (NAME, "Headers", "Modules", "Resources"):
                os.symlink(f"Versions/Current/{entry}", os.path.join(fw, entry))
        lib = {
            "BinaryPath": binary_path,
            "LibraryIdentifier": ident,
            "LibraryPath": f"{NAME}.framework",
            "SupportedArchitectures": archs,
            "SupportedPlatform": platform,
        }
        if variant:
            lib["SupportedPlatformVariant"] = variant
        libraries.append(lib)
    with open(os.path.join(out, "Info.plist"), "wb") as f:
        plistlib.dump({"AvailableLibraries": libraries, "CFBundlePackageType": "XFWK",
                       "XCFrameworkFormatVersion": "1.0"}, f)


def declared_functions(header):
    with open(header) as f:
        text = f.read()
    return set(re.findall(r"\b((?:uniffi|ffi)_[A-Za-z0-9_]+)\s*\(", text))


def check(xcf, header=None, swift=None):
    with open(os.path.join(xcf, "Info.plist"), "rb") as f:
        info = plistlib.load(f)
    if info.get("CFBundlePackageType") != "XFWK" or info.get("XCFrameworkFormatVersion") != "1.0":
        fail("Info.plist is not an XCFramework's")
    declared = declared_functions(header) if header else set()
    if swift:
        with open(swift) as f:
            used = set(re.findall(r"\b((?:uniffi|ffi)_mynasign_ffi_[A-Za-z0-9_]+)\b", f.read()))
        if not used <= declared:
            fail(f"the generated Swift calls functions the header lacks: {sorted(used - declared)[:5]}")
    seen = []
    for lib in info["AvailableLibraries"]:
        ident = lib["LibraryIdentifier"]
        if ident not in SLICES:
            fail(f"unexpected slice {ident}")
        platform, variant, archs, macho_platform, minos, _ = SLICES[ident]
        if (lib["SupportedPlatform"], lib.get("SupportedPlatformVariant")) != (platform, variant):
            fail(f"{ident}: platform {lib['SupportedPlatform']}/{lib.get('SupportedPlatformVariant')}")
        if sorted(lib["SupportedArchitectures"]) != sorted(archs):
            fail(f"{ident}: architectures {lib['SupportedArchitectures']}")
        if lib["LibraryPath"] != f"{NAME}.framework":
            fail(f"{ident}: LibraryPath {lib['LibraryPath']} (a framework is needed for a dylib on iOS)")
        fw = os.path.join(xcf, ident, lib["LibraryPath"])
        binary = os.path.join(xcf, ident, lib["BinaryPath"])
        for part in (f"Headers/{NAME}.h", "Modules/module.modulemap", NAME):
            if not os.path.exists(os.path.join(fw, part)):
                fail(f"{ident}: no {part} in the framework")
        plist_path = os.path.join(fw, "Resources/Info.plist" if platform == "macos" else "Info.plist")
        with open(plist_path, "rb") as f:
            fw_plist = plistlib.load(f)
        if fw_plist.get("CFBundleExecutable") != NAME or fw_plist.get("CFBundlePackageType") != "FMWK":
            fail(f"{ident}: framework Info.plist")
        with open(os.path.join(fw, "Modules/module.modulemap")) as f:
            if not f.read().startswith(f"framework module {NAME} "):
                fail(f"{ident}: the module map is not a framework module {NAME}")
        privacy_path = os.path.join(os.path.dirname(plist_path), "PrivacyInfo.xcprivacy")
        if not os.path.exists(privacy_path):
            fail(f"{ident}: no PrivacyInfo.xcprivacy in the framework")
        with open(privacy_path, "rb") as f:
            privacy = plistlib.load(f)
        if privacy.get("NSPrivacyTracking") is not False or privacy.get("NSPrivacyCollectedDataTypes") != []:
            fail(f"{ident}: the privacy manifest declares tracking or collected data")
        declared_categories = {e["NSPrivacyAccessedAPIType"] for e in privacy["NSPrivacyAccessedAPITypes"]
                               if e.get("NSPrivacyAccessedAPITypeReasons")}
        images = read_binary(binary)
        if sorted(i["arch"] for i in images) != sorted(archs):
            fail(f"{ident}: the binary has {[i['arch'] for i in images]}, not {archs}")
        for img in images:
            where = f"{ident} {img['arch']}"
            if img["filetype"] != MH_DYLIB:
                fail(f"{where}: not a dynamic library (Mach-O file type {img['filetype']})")
            want_id = f"@rpath/{NAME}.framework/" + (f"Versions/A/{NAME}" if platform == "macos" else NAME)
            if img["id"] != want_id:
                fail(f"{where}: install name {img['id']}, not {want_id}")
            if img["platform"] != macho_platform or img["minos"] != minos:
                fail(f"{where}: built for platform {img['platform']} {img['minos']}, not {macho_platform} {minos}")
            if not img["uuid"]:
                fail(f"{where}: no LC_UUID (crash reports could not be symbolicated)")
            if not set(img["dylibs"]) <= ALLOWED_DYLIBS:
                fail(f"{where}: loads {sorted(set(img['dylibs']) - ALLOWED_DYLIBS)}")
            exports = {s[1:] for s in img["exports"]}  # Mach-O names carry a leading "_"
            stray = sorted(s for s in exports if not s.startswith(EXPORT_PREFIXES))
            if stray:
                fail(f"{where}: exports symbols other than the uniffi functions: {stray[:8]}")
            missing = sorted(declared - exports)
            if missing:
                fail(f"{where}: the header declares functions the library does not export: {missing[:8]}")
            used = {cat for cat, names in REQUIRED_REASON_FUNCTIONS.items() if img["imports"] & set(names)}
            if used != declared_categories:
                fail(f"{where}: required-reason APIs imported {sorted(used)}, declared {sorted(declared_categories)}")
            print(f"{where}: dylib for platform {macho_platform} (min {img['minos']}), "
                  f"{len(exports)} exports (all uniffi_/ffi_, {len(declared)} declared in the header all present), "
                  f"{len(img['imports'])} imports from {', '.join(img['dylibs'])}")
        seen.append(ident)
    for ident in REQUIRED:
        if ident not in seen:
            fail(f"no {ident} slice")


def check_symbols(tbd, target, listing):
    """Each symbol of LISTING is exported for TARGET by the libSystem of an SDK's stub TBD
    (libSystem itself or a library it re-exports; `exports` and `reexports` sections)."""
    with open(tbd) as f:
        text = f.read()
    exported = set()
    if text.lstrip().startswith("{"):
        # TAPI version 5 is JSON (the format LLVM's llvm/lib/TextAPI/TextStubV5.cpp describes):
        # "main_library" and "libraries", each with "exported_symbols"/"reexported_symbols"
        # lists of {"targets": [...] (absent: all), "text": {"global": [...], "weak": [...],
        # "thread_local": [...]}, "data": {...}}.
        import json

        def walk(node):
            if isinstance(node, dict):
                targets = node.get("targets")
                if targets is None or target in targets:
                    for kind in ("text", "data"):
                        if isinstance(node.get(kind), dict):
                            for names in node[kind].values():
                                if isinstance(names, list):
                                    exported.update(n for n in names if isinstance(n, str))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(text))
    for doc in text.split("--- !tapi-tbd") if not exported else []:
        for sec in re.finditer(r"^(?:exports|reexports):\n((?:[ -].*\n)+)", doc, re.M):
            for item in re.split(r"\n\s*- ", "\n" + sec.group(1)):
                targets = re.search(r"targets:\s*\[([^\]]*)\]", item)
                if not targets or target not in [t.strip() for t in targets.group(1).split(",")]:
                    continue
                for key in ("symbols", "weak-symbols", "thread-local-symbols"):
                    for sm in re.finditer(key + r":\s*\[([^\]]*)\]", item):
                        exported.update(s.strip().strip("'") for s in sm.group(1).split(","))
    with open(listing) as f:
        wanted = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    if "_malloc" not in exported:
        print(f"xcframework: could not read the exports of {tbd} for {target}; not checked", file=sys.stderr)
        return
    missing = [s for s in wanted if s not in exported]
    if missing:
        fail(f"not exported by {tbd} for {target}: {missing}")
    print(f"{len(wanted)} symbols: each exported by {os.path.basename(tbd)} for {target}")


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    cmd, args = argv[1], argv[2:]
    opts, rest = {}, []
    while args:
        a = args.pop(0)
        if a.startswith("--"):
            opts[a[2:]] = args.pop(0)
        else:
            rest.append(a)
    if cmd == "assemble":
        assemble(rest[0], opts["header"], opts["modulemap"], opts["version"],
                 [tuple(s.split("=", 1)) for s in rest[1:]])
    elif cmd == "check":
        check(rest[0], opts.get("header"), opts.get("swift"))
    elif cmd == "symbols":
        check_symbols(*rest)
    else:
        fail(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
