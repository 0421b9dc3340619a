#!/usr/bin/env bash
# The Python package over PC/SC (called by run.sh with pcscd and `mynasign emulator serve`
# running; usable alone the same way): builds the wheel with the pcsc feature, installs it
# into a fresh virtual environment and, from an empty folder, signs a consent through
# `mynasign.PcscLink` on the served emulator and verifies it with a Verifier.
# Usage: python.sh READER SEED
set -euo pipefail
reader="$1"
seed="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
export PIP_CACHE_DIR="$cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

MYNASIGN_FEATURES="emulator verify pcsc" "$python" -m pip wheel --quiet --no-deps \
  --wheel-dir "$work/dist" "$root/bindings/python"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet "$work"/dist/mynasign-*.whl
mkdir "$work/run" && cd "$work/run"
MYNASIGN_PCSC_READER="$reader" MYNASIGN_PCSC_SEED="$seed" timeout 120 "$work/venv/bin/python" - <<'PY'
import asyncio, os
import mynasign as m

reader, seed = os.environ["MYNASIGN_PCSC_READER"], int(os.environ["MYNASIGN_PCSC_SEED"])
assert "pcsc" in m.FEATURES
listed = {r.name: r for r in m.PcscLink.list_readers()}
assert listed[reader].card_present, listed
twin = m.Emulator(seed, m.CardProfile.MY_NUMBER_CARD)  # the served card's persona, in-process
document = m.ConsentDocument.address_change(
    [m.ConsentItem.ADDRESS], m.HolderStatus.MY_NUMBER_LICENCE_ONLY,
    m.terms_from_text("address-change-one-stop", "1", "terms"),
    m.ConsentChannel.LICENCE_CENTRE_KIOSK, "pcsc-py-1")
with m.PcscLink.open(reader) as link:
    # The card is this link's alone while it is open: no other application (here a second
    # connection) can slip a command in between a flow's status read and its VERIFY.
    try:
        m.PcscLink.open(reader)
        raise AssertionError("a second connection was let in while the link was open")
    except m.MynaError.LinkFailed:
        pass
    status = asyncio.run(m.read_pin_status(link))
    signed = asyncio.run(m.sign_consent(link, document, bytearray(twin.signature_password())))
assert signed.counts().exchanges == 6, signed.counts()
verifier = m.Verifier(m.VerifierOptions(roots_der=twin.root_certificates_der(), crls=[twin.crl()]))
verified = verifier.verify(signed.cms(), m.ConsentCheck(nonce="pcsc-py-1"))
assert verified.revocation().method == m.RevocationMethod.CRL
# After the with block the link is closed: nothing more is sent.
try:
    asyncio.run(m.read_pin_status(link))
    raise AssertionError("the closed link still worked")
except m.MynaError as e:
    assert isinstance(e, (m.MynaError.TagLost, m.MynaError.LinkFailed)), repr(e)
# The first reader holding a card, and the typed failures.
with m.PcscLink.open() as first:
    assert asyncio.run(m.read_pin_status(first)).signature_password.remaining == status.signature_password.remaining
for name in ("No Such Reader",):
    try:
        m.PcscLink.open(name)
        raise AssertionError("opened a reader that does not exist")
    except m.MynaError.LinkFailed as e:
        assert "No Such Reader" in repr(e) or e.code() == m.ErrorCode.LINK_FAILED
print("python over PC/SC: signed in", signed.counts().exchanges, "exchanges, verified by", verified.revocation().method.name)
PY
