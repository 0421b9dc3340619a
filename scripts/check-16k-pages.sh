#!/usr/bin/env bash
# Checks that ELF shared libraries can be loaded on devices with 16 KB memory pages (Google
# Play requires it for apps targeting Android 15+): every PT_LOAD segment's p_align must be at
# least 16384 (what `-Wl,-z,max-page-size=16384` produces). Reads the ELF program headers
# itself (32- and 64-bit, either byte order), so it needs neither readelf nor the NDK.
# Usage: check-16k-pages.sh LIB.so... (or directories, searched for *.so).
# Prints one line per library; exits 0 only when every library passes, 1 otherwise.
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 LIB.so|DIR..." >&2; exit 2; }
files=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "$arg" -name '*.so' -type f | sort)
  else
    files+=("$arg")
  fi
done
[ "${#files[@]}" -gt 0 ] || { echo "16k-pages: no .so found in $*" >&2; exit 1; }
exec python3 - "${files[@]}" <<'PY'
import struct, sys

MIN_ALIGN = 16384
PT_LOAD = 1

def load_aligns(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    cls, enc = data[4], data[5]
    if cls not in (1, 2) or enc not in (1, 2):
        raise ValueError("unknown ELF class or byte order")
    e = "<" if enc == 1 else ">"
    if cls == 2:  # ELF64: e_phoff at 32, e_phentsize/e_phnum at 54/56
        phoff, = struct.unpack_from(e + "Q", data, 32)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 54)
    else:  # ELF32: e_phoff at 28, e_phentsize/e_phnum at 42/44
        phoff, = struct.unpack_from(e + "I", data, 28)
        phentsize, phnum = struct.unpack_from(e + "HH", data, 42)
    aligns = []
    for i in range(phnum):
        off = phoff + i * phentsize
        if cls == 2:  # p_type at 0, p_align at 48
            p_type, = struct.unpack_from(e + "I", data, off)
            p_align, = struct.unpack_from(e + "Q", data, off + 48)
        else:  # p_type at 0, p_align at 28
            p_type, = struct.unpack_from(e + "I", data, off)
            p_align, = struct.unpack_from(e + "I", data, off + 28)
        if p_type == PT_LOAD:
            aligns.append(p_align)
    if not aligns:
        raise ValueError("no PT_LOAD segment")
    return aligns

ok = True
for path in sys.argv[1:]:
    try:
        aligns = load_aligns(path)
    except (OSError, ValueError, struct.error) as err:
        print(f"FAIL {path}: {err}")
        ok = False
        continue
    low = min(aligns)
    if low >= MIN_ALIGN:
        print(f"ok   {path}: {len(aligns)} PT_LOAD, min p_align {low}")
    else:
        print(f"FAIL {path}: PT_LOAD p_align {low} < {MIN_ALIGN} (link with -Wl,-z,max-page-size=16384)")
        ok = False
sys.exit(0 if ok else 1)
PY
