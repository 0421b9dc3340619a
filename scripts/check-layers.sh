#!/usr/bin/env bash
# Fails when a module of the core crate uses a module it must not: data flows one way, from
# the transport up to the documents, and what a receiving service links (certificates,
# consent documents, CMS, verification) never reaches into the card stack or the crate-wide
# `Error` (which aggregates every layer's error at the top, so a layer below using it would
# be a cycle). Usage: check-layers.sh [ROOT] (default: the repository). `make test` runs it on
# the repository and once on a planted violation, to show that it can fail.
#
# Doc comments and ordinary comments are not code: a link to a module in prose is allowed.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
src="$root/src"
[ -d "$src" ] || { echo "check-layers: no src/ in $root" >&2; exit 2; }

card_stack="apdu transport card jpki card_info pin flow emulator"
# module: the modules it must not use (as crate::NAME).
rules=(
  # Hexadecimal spelling, used by the documents, login and evidence: it uses nothing.
  "hex:$card_stack error date attributes cert consent cms verify evidence login"
  "date:$card_stack error attributes cert consent cms verify"
  "attributes:$card_stack error consent cms verify"
  "cert:$card_stack error consent cms verify"
  "consent:$card_stack error cms verify"
  "cms:$card_stack error verify"
  "evidence:$card_stack error consent cms verify"
  # The emulator's trust store (TrustStore::emulator, feature `emulator`) is the one exception.
  "verify:${card_stack/ emulator/} error login"
  # Login challenges, responses and the service's LoginVerifier: a service builds them.
  "login:$card_stack error"
)

# The code lines (file:line:text) of FILES... matching the extended regex PATTERN: lines whose
# text starts with // (doc comments included) are not code.
code_matching() { # PATTERN FILES...
  local pattern="$1"
  shift
  grep -HnE "$pattern" "$@" | sed -E 's#^([^:]+:[0-9]+:)[[:space:]]*//.*$##' | grep -E "$pattern" || true
}

failed=0
# Grouped imports (`use crate::{a, b}`) would hide a module from the rules: not allowed.
grouped=$(code_matching 'crate::\{' $(find "$src" -name '*.rs'))
if [ -n "$grouped" ]; then
  echo "layer check: write one 'use crate::module::…' per module, not a grouped import" >&2
  echo "$grouped" >&2
  failed=1
fi
for rule in "${rules[@]}"; do
  module="${rule%%:*}"
  forbidden="${rule#*:}"
  files=()
  [ -d "$src/$module" ] && while IFS= read -r f; do files+=("$f"); done < <(find "$src/$module" -name '*.rs')
  [ -f "$src/$module.rs" ] && files+=("$src/$module.rs")
  [ ${#files[@]} -gt 0 ] || { echo "check-layers: module $module not found" >&2; exit 2; }
  for dep in $forbidden; do
    hits=$(code_matching "crate::$dep(::|[^a-z_]|\$)" "${files[@]}")
    if [ -n "$hits" ]; then
      echo "layer violation: $module uses crate::$dep" >&2
      echo "$hits" >&2
      failed=1
    fi
  done
done
[ $failed -eq 0 ] || exit 1
echo "layers: ${#rules[@]} modules checked, none reaches into a layer above it or the card stack"
