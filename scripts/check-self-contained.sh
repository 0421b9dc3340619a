#!/usr/bin/env bash
# Fails when a file the project builds, tests or runs with refers to a folder beside the
# repository: a user's clone has nothing beside it. Usage: check-self-contained.sh [ROOT]
# (default: the repository). `make test` runs it on the repository, and once on a planted
# folder to show that it can fail.
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"
# The pattern is split so that this script does not match itself.
pattern='\.\.''/shared'
places=()
for p in src tests bindings uniffi benches examples android-sample ios-sample scripts .ci \
         Makefile Cargo.toml build.rs; do
  [ -e "$p" ] && places+=("$p")
done
[ ${#places[@]} -gt 0 ] || { echo "check-self-contained: nothing to check in $root" >&2; exit 2; }
hits=$(grep -rlE --exclude-dir=target --exclude-dir=generated "$pattern" "${places[@]}" || true)
if [ -n "$hits" ]; then
  echo "These files refer to a folder outside the repository (copy what they need in):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "self-contained: no file under ${places[*]} refers outside the repository"
