#!/usr/bin/env bash
# `make wheels`: the service distribution's wheels for the servers services run on, built on
# this machine. Linux x86_64 and aarch64 against glibc 2.17's symbols (manylinux2014), with
# zig as the C compiler and linker (`cargo zigbuild`; `ziglang` and `cargo-zigbuild` from
# PyPI, the Rust standard library of each target from `rustup target add`); macOS arm64 and
# x86_64 when MYNASIGN_MACOS=1 (zig links them too; see the README for what was checked).
# Each Linux wheel is checked with `auditwheel show` (its tag) and its library's glibc symbol
# versions (none above 2.17); the x86_64 one is installed in a fresh environment and verifies
# a consent signed on the emulator. Wheels in bindings/python/dist/ (or $1).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here/dist}"
cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
export PIP_CACHE_DIR="$cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
python="${PYTHON:-python3}"
unset MYNASIGN_FEATURES

tools="$cache/wheel-tools"
[ -x "$tools/bin/cargo-zigbuild" ] || { "$python" -m venv "$tools" && "$tools/bin/pip" install --quiet ziglang cargo-zigbuild auditwheel; }
export CARGO_ZIGBUILD_PYTHON_PATH="$tools/bin/python" CARGO_ZIGBUILD="$tools/bin/cargo-zigbuild"
targets=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu)
[ "${MYNASIGN_MACOS:-0}" = 1 ] && targets+=(aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}" >/dev/null 2>&1 || rustup target add "${targets[@]}"

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
  case "$t" in *linux*) target="$t.2.17" ;; *) target="$t" ;; esac
  started=$SECONDS
  MYNASIGN_TARGET="$target" "$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/$t" "$here"
  wheel="$(ls "$work/$t"/mynasign-*.whl)"
  echo "$(basename "$wheel"): $(stat -c %s "$wheel") bytes, built in $((SECONDS - started)) s"
  case "$t" in
    *linux*)
      arch="${t%%-*}"
      shown="$("$tools/bin/auditwheel" show "$wheel")"
      grep -q "manylinux_2_17_$arch" <<<"$shown" || { echo "$shown" >&2; echo "not manylinux_2_17_$arch" >&2; exit 1; }
      case "$(basename "$wheel")" in *manylinux2014_"$arch"*manylinux_2_17_"$arch"*|*manylinux_2_17_"$arch"*manylinux2014_"$arch"*) ;;
        *) echo "the wheel's name lacks the manylinux2014/2_17 tags" >&2; exit 1 ;; esac
      # The newest glibc symbol version the library needs (its dynamic symbols' versions).
      mkdir "$work/$t/x" && (cd "$work/$t/x" && "$tools/bin/python" -m zipfile -e "$wheel" .)
      newest="$("$tools/bin/python" - "$work/$t/x/mynasign/libmynasign_ffi.so" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
versions = {tuple(int(p) for p in v.split(b".")) for v in re.findall(rb"GLIBC_([0-9]+(?:\.[0-9]+)+)\x00", data)}
print(".".join(map(str, max(versions))))
PY
)"
      echo "  $arch: auditwheel: manylinux_2_17_$arch; newest glibc symbol version GLIBC_$newest"
      "$tools/bin/python" -c "import sys; v=tuple(map(int,'$newest'.split('.'))); sys.exit(v > (2, 17))" \
        || { echo "a symbol needs glibc $newest > 2.17" >&2; exit 1; } ;;
  esac
  cp "$wheel" "$out/"
done

# The x86_64 wheel, installed and used here: verifies a consent signed on the emulator (the
# testing distribution, built for the host as the tests build it).
MYNASIGN_CARGO_PROFILE=dev "$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/testing" "$here/testing"
"$python" -m venv "$work/sign" && "$work/sign/bin/pip" install --quiet "$work"/testing/*.whl
(cd "$work" && "$work/sign/bin/python" -c "
import asyncio, pathlib, mynasign as m
card = m.Emulator(5, m.CardProfile.MY_NUMBER_CARD)
doc = m.ConsentDocument.address_change([m.ConsentItem.NAME], m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
    m.terms_from_text('t', '1', 'terms'), m.ConsentChannel.LICENCE_CENTRE_KIOSK, 'wheel-1')
pathlib.Path('consent.der').write_bytes(asyncio.run(m.sign_consent(card.link(), doc, card.signature_password())).cms())
pathlib.Path('root.der').write_bytes(card.root_certificates_der()[0]); pathlib.Path('crl.der').write_bytes(card.crl())")
"$python" -m venv "$work/service" && "$work/service/bin/pip" install --quiet "$out"/mynasign-*manylinux*x86_64.whl
(cd "$work" && "$work/service/bin/python" -c "
import pathlib, mynasign as m
assert m.FEATURES == ('fast-verify', 'verify') and not hasattr(m, 'Emulator')
v = m.Verifier(m.VerifierOptions(roots_der=[pathlib.Path('root.der').read_bytes()], crls=[pathlib.Path('crl.der').read_bytes()]))
r = v.verify(pathlib.Path('consent.der').read_bytes(), m.ConsentCheck(nonce='wheel-1'))
print('x86_64 manylinux2014 wheel: installed here, verified with fast-verify,', r.revocation().method.name)")
# target/debug's library back to the testing artifact the test suites expect there.
cargo build --quiet --locked -p mynasign-ffi --lib --features "emulator verify" --manifest-path "$root/Cargo.toml"
ls -l "$out"
