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
# The dev profile: the library `make test-build` compiled for the other suites, reused as it is
# (a user's `pip wheel` builds release; MYNASIGN_CARGO_PROFILE=release here tests that build).
export MYNASIGN_CARGO_PROFILE="${MYNASIGN_CARGO_PROFILE:-dev}"

# The repository's target folder unless one is set: the build from the sdist (unpacked
# elsewhere) then reuses the first build instead of compiling from cold.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$(cd "$here/../.." && pwd)/target}"

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
"$venv/bin/pip" install --quiet "$wheel" pytest build mypy
# pyright (its PyPI wrapper fetches the checker from npm): its test is skipped without it.
"$venv/bin/pip" install --quiet pyright && "$venv/bin/pyright" --version >/dev/null 2>&1 \
  || { echo "pyright unavailable: its test is skipped" >&2; "$venv/bin/pip" uninstall --quiet -y pyright || true; }

# Run from an empty folder: only the installed package can be imported (the tests check it).
mkdir "$work/run"
cd "$work/run"
MYNASIGN_SOURCE_TREE="$here" MYNASIGN_WHEEL="$wheel" "$venv/bin/python" -W error::SyntaxWarning -m pytest -q \
  -p no:cacheprovider --rootdir "$work/run" "$here/tests" "$@"

# The source distribution: it carries the Rust workspace, and a wheel built from it (the same
# CARGO_TARGET_DIR, so cargo finds its earlier build) installs and signs and verifies.
"$venv/bin/python" -m build --sdist --outdir "$work/sdist" "$here" >/dev/null
sdist="$(ls "$work"/sdist/mynasign-*.tar.gz)"
echo "sdist: $(basename "$sdist"), $(du -k "$sdist" | cut -f1) KiB"
listing="$(tar -tzf "$sdist")"
for f in pyproject.toml setup.py src/mynasign/__init__.py src/mynasign/__init__.pyi src/mynasign/py.typed LICENSE-MIT \
    rust/Cargo.toml rust/Cargo.lock rust/src/lib.rs rust/src/verify/roots/production/signca01.cer \
    rust/uniffi/Cargo.toml rust/uniffi/bindgen.toml rust/uniffi/src/lib.rs \
    rust/uniffi/bindgen/Cargo.toml rust/uniffi/bindgen/src/main.rs; do
  grep -qx "mynasign-[^/]*/$f" <<<"$listing" || { echo "the sdist lacks $f" >&2; exit 1; }
done
if grep -qE '/(target|\.git)/' <<<"$listing"; then echo "the sdist holds a build or git folder" >&2; exit 1; fi
started=$SECONDS
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/from-sdist" "$sdist"
again="$(ls "$work"/from-sdist/mynasign-*.whl)"
echo "wheel from the sdist: $(basename "$again") in $((SECONDS - started)) s"
case "$(basename "$again")" in *-py3-none-manylinux_*) ;; *) echo "not a manylinux wheel" >&2; exit 1;; esac
"$python" -m venv "$work/venv2"
"$work/venv2/bin/pip" install --quiet "$again"
(cd "$work/run" && "$work/venv2/bin/python" -c "
import asyncio, mynasign as m
card = m.Emulator(3, m.CardProfile.MY_NUMBER_CARD)
doc = m.ConsentDocument.address_change([m.ConsentItem.NAME], m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
    m.terms_from_text('address-change-one-stop', '1', 'terms'), m.ConsentChannel.LICENCE_CENTRE_KIOSK, 'sdist-1')
signed = asyncio.run(m.sign_consent(card.link(), doc, card.signature_password()))
v = m.Verifier(m.VerifierOptions(roots_der=card.root_certificates_der(), crls=[card.crl()]))
r = v.verify(signed.cms(), m.ConsentCheck(nonce='sdist-1'))
assert 'site-packages' in m.__file__ and r.issuance_number == signed.certificate().issuance_number()
print('from the sdist: signed and verified,', r.revocation().method.name)")
