#!/usr/bin/env bash
# The Python tests, against the INSTALLED package: builds the wheel with the one documented
# command (`pip wheel ./bindings/python`: cargo, release profile, the emulator and the
# verifier), installs it with pytest into a fresh virtual environment and runs pytest from a
# folder where the source tree is not importable. pip's downloads (the build backend, pytest)
# are cached outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
export PIP_CACHE_DIR="$cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
# The testing wheel: the emulated card and the verifier (the default of setup.py).
export MYNASIGN_FEATURES="${MYNASIGN_FEATURES:-emulator verify}"

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { apt-get update && apt-get install -y --no-install-recommends python3 python3-venv; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dist="$work/dist"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$dist" "$here"
wheel="$(ls "$dist"/mynasign-*.whl)"
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB ($(stat -c %s "$wheel") bytes)"

venv="$work/venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet "$wheel" pytest

# Run from an empty folder: only the installed package can be imported (the tests check it).
mkdir "$work/run"
cd "$work/run"
MYNASIGN_SOURCE_TREE="$here" "$venv/bin/python" -W error::SyntaxWarning -m pytest -q \
  -p no:cacheprovider --rootdir "$work/run" "$here/tests" "$@"
