#!/usr/bin/env bash
# rustc's linker for aarch64-linux-android without the NDK (build-android-zig.sh sets it, with
# -C linker-flavor=ld.lld, so rustc passes ld-style arguments). Links with Rust's own lld
# (rust-lld) against stand-ins for bionic's libc.so, libm.so, libdl.so and liblog.so: shared
# objects that only define the names the output needs, each with the soname the phone has, so
# the output gets the DT_NEEDED entries and the unversioned symbol references that bionic's
# loader resolves at load time. Nothing of a stand-in is in the output.
#   - pass 1 links against empty stand-ins (a shared object may have undefined symbols) and
#     reads the output's undefined dynamic symbols; pass 2 links against stand-ins defining
#     them: math functions in libm, dl* in libdl, __android_log_* in liblog, the rest in libc;
#   - -lunwind (rustc asks for the NDK's static libunwind.a) is LLVM's libunwind as Zig builds
#     it (python -m ziglang, musl headers: the same LLVM sources as the NDK's), plus a hidden
#     __errno_location that calls bionic's __errno (musl's errno macro names the former;
#     bionic exports only the latter).
# Environment: MYNASIGN_ZIG (the zig command, e.g. "python3 -m ziglang"), MYNASIGN_STUBS (a
# folder for the stand-ins). What this cannot show: that the output loads on a phone.
set -euo pipefail
: "${MYNASIGN_ZIG:?MYNASIGN_ZIG: the zig command}" "${MYNASIGN_STUBS:?MYNASIGN_STUBS: a folder}"
stubs="$MYNASIGN_STUBS"
mkdir -p "$stubs"
host="$(rustc -vV | sed -n 's/^host: //p')"
lld="$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld"
read -ra zig <<<"$MYNASIGN_ZIG"
zcc() { "${zig[@]}" cc -target aarch64-linux-musl "$@"; }
out=""
prev=""
for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
[ -n "$out" ] || { echo "android-link: no -o in the arguments" >&2; exit 1; }

stub() { # NAME SOURCE: a shared object with soname NAME
  zcc -shared -nostdlib -fPIC -Wl,-soname,"$1" -o "$stubs/$1" "$2"
}
if [ ! -f "$stubs/libunwind.a" ]; then
  printf 'int *__errno(void);\n__attribute__((visibility("hidden"))) int *__errno_location(void) { return __errno(); }\n' >"$stubs/errno.c"
  zcc -c -fPIC -O2 -o "$stubs/errno.o" "$stubs/errno.c"
  # Zig builds its libunwind.a when a link asks for -lunwind; it is found in Zig's cache.
  printf 'void mynasign_unwind_probe(void) {}\n' >"$stubs/probe.c"
  zcc -shared -nostdlib -fPIC -lunwind --verbose -o "$stubs/probe.so" "$stubs/probe.c" >"$stubs/probe.log" 2>&1 || true
  unwind="$(grep -oE '/[^ ]*/libunwind\.a' "$stubs/probe.log" | head -n 1 || true)"
  [ -f "$unwind" ] || { cat "$stubs/probe.log" >&2; echo "android-link: Zig's libunwind.a not found" >&2; exit 1; }
  readelf -hW "$unwind" | grep -q 'Machine: *AArch64' || { echo "android-link: $unwind is not AArch64" >&2; exit 1; }
  cp "$unwind" "$stubs/libunwind.a"
  ar q "$stubs/libunwind.a" "$stubs/errno.o" 2>/dev/null
fi

# Pass 1: empty stand-ins.
: >"$stubs/empty.c"
for l in c m dl log; do stub "lib$l.so" "$stubs/empty.c"; done
"$lld" "$@" -L "$stubs"
readelf --dyn-syms -W "$out" | awk '$7 == "UND" && $8 != "" { sub(/@.*/, "", $8); print $5, $4, $8 }' | sort -u >"$stubs/undefined.txt"

# Pass 2: stand-ins defining what the output uses.
math='^(a?(sin|cos|tan)h?|atan2|exp2?|expm1|log(2|10|1p)?|pow|sqrt|cbrt|hypot|fmod|ceil|floor|trunc|round|rint|fma|fmin|fmax|fdim|ldexp|frexp|modf|copysign|nextafter|remainder|lgamma|tgamma|erfc?)f?$'
for l in c m dl log; do : >"$stubs/lib$l.c"; done
while read -r bind type name; do
  case "$name" in
    __android_log_*) lib=log ;;
    dlopen | dlclose | dlsym | dlerror | dladdr | dlvsym) lib=dl ;;
    *) if [[ "$name" =~ $math ]]; then lib=m; else lib=c; fi ;;
  esac
  if [ "$type" = "OBJECT" ] || [[ "$name" =~ ^(environ|stdin|stdout|stderr|__sF|__progname)$ ]]; then
    printf 'int %s;\n' "$name" >>"$stubs/lib$lib.c"
  else
    printf 'void %s(void) {}\n' "$name" >>"$stubs/lib$lib.c"
  fi
  : "$bind"
done <"$stubs/undefined.txt"
for l in c m dl log; do stub "lib$l.so" "$stubs/lib$l.c"; done
exec "$lld" "$@" -L "$stubs"
