#!/usr/bin/env bash
# The Python tests, against the INSTALLED package: builds the testing distribution's wheel
# with the documented command (`pip wheel ./bindings/python/testing`: the emulator and the
# verifier), installs it with pytest and mypy into a fresh virtual environment and runs pytest
# from a folder where the source tree is not importable; then the service distribution's
# wheel (`pip wheel ./bindings/python`: the verifier with fast-verify, no emulator), which
# verifies a consent signed with the first. pip's downloads (the build backend, pytest, mypy)
# are cached outside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
export PIP_CACHE_DIR="$cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
# Each distribution builds its own features (setup.py's DISTRIBUTIONS), not the caller's.
unset MYNASIGN_FEATURES
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
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$dist" "$here/testing"
wheel="$(ls "$dist"/mynasign_testing-*.whl)"
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
"$venv/bin/python" -m build --sdist --outdir "$work/sdist" "$here/testing" >/dev/null
sdist="$(ls "$work"/sdist/mynasign_testing-*.tar.gz)"
echo "sdist: $(basename "$sdist"), $(du -k "$sdist" | cut -f1) KiB"
listing="$(tar -tzf "$sdist")"
for f in pyproject.toml setup.py src/mynasign/__init__.py src/mynasign/__init__.pyi src/mynasign/py.typed LICENSE-MIT \
    rust/Cargo.toml rust/Cargo.lock rust/src/lib.rs rust/src/verify/roots/production/signca01.cer \
    rust/uniffi/Cargo.toml rust/uniffi/bindgen.toml rust/uniffi/src/lib.rs \
    rust/uniffi/bindgen/Cargo.toml rust/uniffi/bindgen/src/main.rs; do
  grep -qx "mynasign_testing-[^/]*/$f" <<<"$listing" || { echo "the sdist lacks $f" >&2; exit 1; }
done
# It builds the features it was made with, and says so if asked for others.
[ "$(tar -xzOf "$sdist" --wildcards '*/mynasign-features')" = "emulator verify" ] || { echo "the sdist's features" >&2; exit 1; }
if MYNASIGN_FEATURES=verify "$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/refused" "$sdist" 2>"$work/refused.txt"; then
  echo "an sdist built other features than its own" >&2; exit 1
fi
grep -q "this source distribution builds the features" "$work/refused.txt" || { cat "$work/refused.txt" >&2; exit 1; }
if grep -qE '/(target|\.git)/' <<<"$listing"; then echo "the sdist holds a build or git folder" >&2; exit 1; fi
started=$SECONDS
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/from-sdist" "$sdist"
again="$(ls "$work"/from-sdist/mynasign_testing-*.whl)"
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

# The service distribution (`pip wheel ./bindings/python`): the verifier with fast-verify, no
# emulator; its typed surface has no Emulator. It verifies a consent signed on the emulator
# with the testing wheel (passed as files).
MYNASIGN_CARGO_PROFILE=python-service "$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/service" "$here"
service="$(ls "$work"/service/mynasign-*.whl)"
echo "service wheel: $(basename "$service"), $(du -k "$service" | cut -f1) KiB"
(cd "$work/run" && "$venv/bin/python" -c "
import asyncio, pathlib, mynasign as m
card = m.Emulator(5, m.CardProfile.MY_NUMBER_CARD)
doc = m.ConsentDocument.address_change([m.ConsentItem.NAME], m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
    m.terms_from_text('t', '1', 'terms'), m.ConsentChannel.LICENCE_CENTRE_KIOSK, 'service-1')
pathlib.Path('consent.der').write_bytes(asyncio.run(m.sign_consent(card.link(), doc, card.signature_password())).cms())
pathlib.Path('roots.der').write_bytes(card.root_certificates_der()[0]); pathlib.Path('crl.der').write_bytes(card.crl())")
"$python" -m venv "$work/venv3"
"$work/venv3/bin/pip" install --quiet "$service" mypy
(cd "$work/run" && "$work/venv3/bin/python" -c "
import pathlib, mynasign as m
assert m.FEATURES == ('fast-verify', 'verify') and not hasattr(m, 'Emulator'), m.FEATURES
stub = (pathlib.Path(m.__file__).parent / '__init__.pyi').read_text()
assert 'class Emulator' not in stub and '\"Emulator\"' not in stub
v = m.Verifier(m.VerifierOptions(roots_der=[pathlib.Path('roots.der').read_bytes()], crls=[pathlib.Path('crl.der').read_bytes()]))
r = v.verify(pathlib.Path('consent.der').read_bytes(), m.ConsentCheck(nonce='service-1'))
print('service wheel: verified,', r.revocation().method.name)"
 printf 'import mynasign\ncard = mynasign.Emulator(1, mynasign.CardProfile.MY_NUMBER_CARD)\n' > no_emulator.py
 if "$work/venv3/bin/mypy" --strict no_emulator.py >"$work/mypy3.txt"; then echo "mypy found an Emulator in the service wheel" >&2; exit 1; fi
 grep -q 'has no attribute "Emulator"' "$work/mypy3.txt" || { cat "$work/mypy3.txt" >&2; exit 1; })
