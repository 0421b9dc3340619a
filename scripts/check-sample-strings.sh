#!/usr/bin/env bash
# Fails when the Android sample's Kotlin shows a text that is not a string resource.
# Usage: check-sample-strings.sh [APP_SRC] (default: android-sample/app/src). Two rules, on
# every .kt file under APP_SRC (comments left out):
#   - no string literal holds Japanese (kana, kanji, full-width forms): those texts belong in
#     res/values-ja/strings.xml;
#   - no literal is handed to what the screen shows: title(, note(, button(, setText(,
#     setHint(, Toast.makeText(, or assigned to text, hint, contentDescription or label.
# bindings/kotlin/test-android.sh runs it on the sample, and once on a planted literal to show
# that it can fail.
set -euo pipefail
src="${1:-$(cd "$(dirname "$0")/.." && pwd)/android-sample/app/src}"
[ -d "$src" ] || { echo "check-sample-strings: no folder $src" >&2; exit 2; }
mapfile -t files < <(find "$src" -name '*.kt' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "check-sample-strings: no Kotlin under $src" >&2; exit 2; }
hits=$(for f in "${files[@]}"; do
  # Line comments and KDoc/block comment lines are not shown to anyone.
  grep -nHP '^(?!\s*(//|\*|/\*)).*(?:"[^"]*[\x{3000}-\x{30ff}\x{4e00}-\x{9fff}\x{ff00}-\x{ffef}][^"]*"|\b(?:title|note|button|setText|setHint|makeText)\((?:[^()]*,\s*)?"|\b(?:text|hint|contentDescription|label)\s*=\s*")' "$f" || true
done)
if [ -n "$hits" ]; then
  echo "The sample shows texts that are not string resources (res/values, res/values-ja):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "sample strings: every text in ${#files[@]} Kotlin files comes from resources"
