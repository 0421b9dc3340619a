#!/usr/bin/env bash
# Checks that a native library exports every native function the library's classes declare.
#   check-native-symbols.sh CLASSES_DIR LIB.so...
# JNA's direct mapping (Native.register, used by the generated uniffi bindings) binds every
# `external fun` of a registered class when the class loads: one missing symbol is an
# UnsatisfiedLinkError on first use, so the classes and the .so must come from one feature set.
# The native methods are read from the compiled classes under jp/mynasign (javap), the exported
# functions from each library's dynamic symbol table (readelf, any ELF architecture).
# Prints what is missing; exits 0 only when every library exports every native method.
set -euo pipefail
[ "$#" -ge 2 ] || { echo "usage: $0 CLASSES_DIR LIB.so..." >&2; exit 2; }
classes="$1"; shift
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
find "$classes/jp/mynasign" -name '*.class' >"$work/classes.txt"
[ -s "$work/classes.txt" ] || { echo "check-native-symbols: no classes under $classes/jp/mynasign" >&2; exit 1; }
# javap -p prints e.g. "public final native int uniffi_mynasign_ffi_checksum_func_x();"
xargs javap -p -cp "$classes" <"$work/classes.txt" 2>/dev/null \
  | grep -E '^[[:space:]].* native .*\(' \
  | sed -E 's/^.* native [^ (]+ ([A-Za-z0-9_$]+)\(.*$/\1/' | sort -u >"$work/declared.txt"
[ -s "$work/declared.txt" ] || { echo "check-native-symbols: the classes declare no native method" >&2; exit 1; }
status=0
for lib in "$@"; do
  readelf --dyn-syms -W "$lib" 2>/dev/null \
    | awk '$4 == "FUNC" && $7 != "UND" { sub(/@.*/, "", $8); print $8 }' | sort -u >"$work/exported.txt"
  missing="$(comm -23 "$work/declared.txt" "$work/exported.txt")"
  if [ -n "$missing" ]; then
    echo "check-native-symbols: $lib lacks $(printf '%s\n' "$missing" | wc -l) of $(wc -l <"$work/declared.txt") native functions:" >&2
    printf '  %s\n' $missing | head -n 20 >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "check-native-symbols: every library ($#) exports all $(wc -l <"$work/declared.txt") native functions"
exit "$status"
