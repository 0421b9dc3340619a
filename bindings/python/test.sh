#!/usr/bin/env bash
# The Python binding tests: generates the bindings from the built library, then runs pytest
# in a virtual environment cached outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gen="$here/generated"
cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
venv="$cache/python-venv"

lib="$(bash "$root/uniffi/generate.sh" python "$gen" | tail -n 1)"
cp "$lib" "$gen/"

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { apt-get update && apt-get install -y --no-install-recommends python3 python3-venv; }
if [ ! -x "$venv/bin/pytest" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pytest
fi
cd "$here"
PYTHONPATH="$gen:$here/src" "$venv/bin/python" -W error::SyntaxWarning -m pytest -q tests
