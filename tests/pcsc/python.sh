#!/usr/bin/env bash
# The Python package over PC/SC (called by run.sh with pcscd and `mynasign emulator serve`
# running; usable alone the same way): builds the wheel with the pcsc feature, installs it
# into a fresh virtual environment and, from an empty folder, signs a consent through
# `mynasign.PcscLink` on the served emulator and verifies it with a Verifier; then the one-call
# flows with `reader=` (a name, and True: of vpcd's two readers the one holding the card) and,
# with a second emulated card served to the second reader, `reader=True` refused with
# SeveralReadersError. Stops the second emulator it starts.
# Usage: python.sh READER SEED
set -euo pipefail
reader="$1"
seed="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${MYNASIGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mynasign}"
export PIP_CACHE_DIR="$cache/pip" PIP_DISABLE_PIP_VERSION_CHECK=1
python="${PYTHON:-python3}"
work="$(mktemp -d)"
second=""
stop_second() {
  [ -n "$second" ] || return 0
  kill "$second" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$second" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$second" 2>/dev/null || true
  wait "$second" 2>/dev/null || true
  second=""
}
trap 'stop_second; rm -rf "$work"' EXIT
bin="${CARGO_TARGET_DIR:-$root/target}/debug/mynasign"

MYNASIGN_CARGO_PROFILE="${MYNASIGN_CARGO_PROFILE:-dev}" MYNASIGN_FEATURES="emulator verify pcsc" "$python" -m pip wheel --quiet --no-deps \
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

# A second program, straight on libpcsclite (ctypes): its own context and shared connection,
# `commands` sent in order, then a disconnect (SCARD_LEAVE_CARD, or SCARD_RESET_CARD).
import ctypes
pcsc = ctypes.CDLL("libpcsclite.so.1")
class IoRequest(ctypes.Structure):
    _fields_ = [("dwProtocol", ctypes.c_ulong), ("cbPciLength", ctypes.c_ulong)]
def raw_program(commands, reset=False):
    ctx, card, proto = ctypes.c_long(), ctypes.c_long(), ctypes.c_ulong()
    assert pcsc.SCardEstablishContext(ctypes.c_ulong(2), None, None, ctypes.byref(ctx)) == 0
    try:
        rc = pcsc.SCardConnect(ctx, reader.encode(), ctypes.c_ulong(2), ctypes.c_ulong(2),
                               ctypes.byref(card), ctypes.byref(proto))
        assert rc == 0, hex(rc & 0xFFFFFFFF)
        sws = []
        for cmd in commands:
            buf, n = (ctypes.c_ubyte * 300)(), ctypes.c_ulong(300)
            rc = pcsc.SCardTransmit(card, ctypes.byref(IoRequest.in_dll(pcsc, "g_rgSCardT1Pci")),
                                    bytes(cmd), ctypes.c_ulong(len(cmd)), None, buf, ctypes.byref(n))
            assert rc == 0, hex(rc & 0xFFFFFFFF)
            sws.append(buf[n.value - 2] << 8 | buf[n.value - 1])
        pcsc.SCardDisconnect(card, ctypes.c_ulong(1 if reset else 0))
        return sws
    finally:
        pcsc.SCardReleaseContext(ctx)
SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")
def next_program():
    """SELECT JPKI (re-selecting keeps a status), READ BINARY of EF 0001 (needs the password)."""
    sws = raw_program([SELECT_JPKI, bytes.fromhex("00B0810002")])
    assert sws[0] == 0x9000, sws
    return sws[1]
password = bytes(twin.signature_password())
verify = bytes([0x00, 0x20, 0x00, 0x9B, len(password)]) + password
# Control: a program that verifies and ends with a warm reset leaves the PIN verified
# (PROTOCOL.md 3a), so the check below can fail.
assert raw_program([SELECT_JPKI, verify], reset=True) == [0x9000, 0x9000]
assert next_program() == 0x9000, "a warm reset keeps the status"

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
# Issue 22: the link is closed: the next program finds the signature password not verified.
assert next_program() == 0x6982, "a PIN stayed verified after the link was closed"
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

# reader=: the flow opens the link and closes it after (a second flow can connect again).
assert m.only_reader() == reader  # two readers, only this one holds a card
named = asyncio.run(m.sign_consent(document=document, password=bytearray(twin.signature_password()), reader=reader))
assert named.counts().exchanges == 6
assert next_program() == 0x6982, "a PIN stayed verified after a reader= flow"
only = m.blocking.sign_consent(document=document, password=twin.signature_password(), reader=True)
for s in (named, only):
    v = verifier.verify(s.cms(), m.ConsentCheck(nonce="pcsc-py-1"))
    assert v.issuance_number == verified.issuance_number == s.certificate().issuance_number()
assert asyncio.run(m.read_pin_status(reader=True)).signature_password.remaining == 5
with m.PcscLink.open(reader):  # closed after each flow: the card is free again
    pass
try:
    asyncio.run(m.read_pin_status(reader="No Such Reader"))
    raise AssertionError("a flow ran on a reader that does not exist")
except m.MynaError.LinkFailed:
    pass
print("python over PC/SC: reader= by name and reader=True sign and verify")
PY

# A second card in the second reader: reader=True can no longer choose.
"$bin" emulator serve --seed 2 --port 35964 >/dev/null 2>"$work/second.log" &
second=$!
MYNASIGN_PCSC_READER="$reader" timeout 120 "$work/venv/bin/python" - <<'PY'
import asyncio, os, time
import mynasign as m

for _ in range(300):
    if sum(r.card_present for r in m.PcscLink.list_readers()) == 2:
        break
    time.sleep(0.1)
else:
    raise AssertionError("the second emulated card did not appear")
try:
    asyncio.run(m.read_pin_status(reader=True))
    raise AssertionError("reader=True chose among two cards")
except m.SeveralReadersError as e:
    assert os.environ["MYNASIGN_PCSC_READER"] in e.names and len(e.names) == 2, e.names
    assert isinstance(e, m.MynaError.LinkFailed) and e.code() == m.ErrorCode.LINK_FAILED
# By name, each still works.
for r in m.PcscLink.list_readers():
    assert asyncio.run(m.read_pin_status(reader=r.name)).signature_password.max_attempts == 5
print("python over PC/SC: two cards, reader=True refused with SeveralReadersError")
PY
stop_second
# Leave the second reader empty for what runs next.
for _ in $(seq 100); do
  "$work/venv/bin/python" -c "import mynasign as m, sys; sys.exit(sum(r.card_present for r in m.PcscLink.list_readers()) != 1)" && break
  sleep 0.1
done
