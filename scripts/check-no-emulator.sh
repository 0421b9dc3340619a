#!/usr/bin/env bash
# Fails when compiled classes hold or refer to the emulator or the verifier: what an app ships
# (the library without features, and the sample's release build) has neither.
#   check-no-emulator.sh CLASSES_DIR
# Reads every class's constant pool (javap -v): a class of that name, or any reference to one
# (jp.mynasign's Emulator, Verifier, VerifiedConsent, VerifyConsentOptions, their uniffi
# converters, the sample's EmulatorLink, VerifyingChecker and VerifyingLoginService, the
# login service side: VerifiedLogin, LoginCheck), fails. test-android.sh runs it on
# the release build, and on the debug build's classes to show that it can fail.
set -euo pipefail
[ "$#" -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 CLASSES_DIR" >&2; exit 2; }
classes="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
find "$classes" -name '*.class' >"$work/classes.txt"
[ -s "$work/classes.txt" ] || { echo "check-no-emulator: no classes under $classes" >&2; exit 2; }
names='(Emulator|Verifier|VerifiedConsent|VerifyConsentOptions|VerifyingChecker|VerifiedLogin|LoginCheck|VerifyingLoginService)'
pattern="jp/mynasign/([A-Za-z0-9_/\$]*/)?[A-Za-z0-9_\$]*$names[A-Za-z0-9_\$]*"
hits="$( (sed "s|^$classes/||" "$work/classes.txt"; xargs javap -v -p <"$work/classes.txt" 2>/dev/null \
  | grep -E '= Class ' | sed -E 's|.*// ||') | grep -oE "$pattern" | sort -u || true)"
if [ -n "$hits" ]; then
  echo "check-no-emulator: $classes has or refers to the emulator or the verifier:" >&2
  printf '  %s\n' $hits | head -n 20 >&2
  exit 1
fi
echo "no emulator: $(wc -l <"$work/classes.txt") classes neither are nor refer to the emulator or the verifier"
