#!/usr/bin/env bash
# `make test-pcsc`: the flows over a real PC/SC stack.
#
# Installs pcscd, vsmartcard-vpcd and OpenSC when missing, starts pcscd in the foreground as
# this script's child, serves the emulated card to vpcd (`mynasign emulator serve`), then runs:
#   1. tests/pcsc.rs: each flow over PC/SC and in-process, same results, same exchange counts;
#   2. OpenSC: pkcs15-tool lists the certificates, pkcs11-tool signs after the signature PIN,
#      and the signature verifies with openssl against the certificate read through OpenSC;
#   3. the CLI over the reader: JSON output and the exit codes (wrong PIN, blocked, no card);
#   4. killing the emulator (idle and mid-flow): nothing hangs, and after a restart the next
#      flow works; then the Python package over the reader (tests/pcsc/python.sh) and the
#      JVM's javax.smartcardio link (tests/pcsc/jvm.sh).
# Everything it started is stopped on exit, also on failure. Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO=${CARGO:-cargo}
READER="Virtual PCD 00 00"
SEED=1
PKCS11=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }

# --- install what is missing -----------------------------------------------------------------
missing=()
command -v pcscd >/dev/null || missing+=(pcscd)
[ -e "$VPCD_DRIVER" ] || missing+=(vsmartcard-vpcd)
command -v pkcs15-tool >/dev/null || missing+=(opensc)
[ -e "$PKCS11" ] || missing+=(opensc-pkcs11)
command -v openssl >/dev/null || missing+=(openssl)
pkg-config --exists libpcsclite 2>/dev/null || missing+=(libpcsclite-dev pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- build before anything is started --------------------------------------------------------
# All features: the build `make test-build` made for the other Rust tests, reused as it is.
$CARGO build --quiet --all-features --bin mynasign
$CARGO test --quiet --all-features --test pcsc --no-run
BIN=${CARGO_TARGET_DIR:-$PWD/target}/debug/mynasign

WORK=$(mktemp -d)
PCSCD_PID=""
EMU_PID=""
stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    stop_pid "$EMU_PID"
    stop_pid "$PCSCD_PID"
    wait 2>/dev/null || true
    if [ $rc -ne 0 ] && [ -f "$WORK/pcscd.log" ]; then
        echo "--- pcscd log (last lines)"; tail -n 20 "$WORK/pcscd.log"
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for "$2" (a command) to succeed.
wait_for() {
    local secs=$1; shift
    local end=$((SECONDS + secs))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $end ] || return 1
        sleep 0.2
    done
}
card_in_reader() { "$BIN" reader list --json | grep -q "\"atr\":\"3B E0 00 FF 81 31 FE 45 14\",\"card_present\":true"; }
no_card_in_reader() { ! card_in_reader; }
reader_listed() { "$BIN" reader list --json | grep -q "\"name\":\"$READER\""; }

# --- pcscd ------------------------------------------------------------------------------------
if "$BIN" reader list >/dev/null 2>&1; then
    echo "a pcscd is already running (not started here): using it"
else
    pcscd --foreground --error >"$WORK/pcscd.log" 2>&1 &
    PCSCD_PID=$!
fi
wait_for 30 reader_listed || { echo "the vpcd reader did not appear"; exit 1; }

start_emulator() {
    "$BIN" emulator serve --seed "$SEED" --json >"$WORK/emu.json" 2>>"$WORK/emu.log" &
    EMU_PID=$!
    wait_for 30 card_in_reader || { echo "the emulated card did not appear"; cat "$WORK/emu.log"; exit 1; }
}
start_emulator
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$WORK/emu.json"; }
SIG_PW=$(field signature_password)
INFO_PIN=$(field card_info_pin)
[ -n "$SIG_PW" ] && [ -n "$INFO_PIN" ] || { echo "the emulator printed no persona"; exit 1; }

# --- 1. the library's flows, over PC/SC and in-process ----------------------------------------
if MYNASIGN_PCSC_READER="$READER" MYNASIGN_PCSC_SEED=$SEED timeout 600 \
    $CARGO test --quiet --all-features --test pcsc -- --include-ignored; then
    ok "tests/pcsc.rs: flows over PC/SC match in-process"
else
    fail "tests/pcsc.rs"
fi

# --- 2. OpenSC ---------------------------------------------------------------------------------
certs=$(timeout 60 pkcs15-tool --reader "$READER" --list-certificates 2>&1 || true)
n=0
for label in "User Authentication Certificate" "Digital Signature Certificate" \
    "User Authentication Certificate CA" "Digital Signature Certificate CA"; do
    grep -q "X.509 Certificate \[$label\]" <<<"$certs" && n=$((n + 1))
done
if [ $n -eq 4 ]; then ok "pkcs15-tool lists the 4 emulated certificates"; else fail "pkcs15-tool: $certs"; fi

printf 'consent to be signed through OpenSC\n' >"$WORK/msg"
if timeout 60 pkcs11-tool --module "$PKCS11" --token-label "JPKI (Digital Signature PIN)" \
    --login --pin "$SIG_PW" --sign --id 02 -m SHA256-RSA-PKCS \
    --input-file "$WORK/msg" --output-file "$WORK/msg.sig" >"$WORK/p11.log" 2>&1 \
    && timeout 60 pkcs15-tool --reader "$READER" --read-certificate 02 --verify-pin --auth-id 02 \
        --pin "$SIG_PW" >"$WORK/sig.pem" 2>>"$WORK/p11.log" \
    && openssl x509 -in "$WORK/sig.pem" -pubkey -noout >"$WORK/sig.pub" \
    && openssl dgst -sha256 -verify "$WORK/sig.pub" -signature "$WORK/msg.sig" "$WORK/msg" >/dev/null; then
    ok "pkcs11-tool signs with the signature key after the signature PIN; openssl verifies"
else
    fail "pkcs11-tool sign: $(cat "$WORK/p11.log")"
fi
# The certificate OpenSC read is the one mynasign reads.
if MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW timeout 60 "$BIN" cert show --reader "$READER" \
        --out "$WORK/sig.der" --json >/dev/null 2>&1 \
    && openssl x509 -in "$WORK/sig.pem" -outform DER | cmp -s - "$WORK/sig.der"; then
    ok "OpenSC and mynasign read the same signature certificate"
else
    fail "certificate read through OpenSC differs"
fi

# --- 3. the CLI over the reader -----------------------------------------------------------------
expect_code() { # expect_code CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    local got=0
    timeout 60 "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
    if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
        fail "$what: exit $got, expected $want: $(cat "$WORK/out" "$WORK/err")"; fi
}
export MYNASIGN_CARD_INFO_PIN=$INFO_PIN
MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW expect_code 0 "consent sign --reader" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/c.p7s" --nonce ci-0001 --json
grep -q '"apdu_exchanges":6' "$WORK/out" && ok "consent sign over PC/SC: 6 exchanges" \
    || fail "consent sign exchanges: $(cat "$WORK/out")"
"$BIN" emulator crl --seed "$SEED" --out "$WORK/emu.crl"
expect_code 0 "the consent signed over PC/SC verifies (revocation by the emulator CA's CRL)" -- \
    "$BIN" consent verify "$WORK/c.p7s" --trust emulator --crl "$WORK/emu.crl" --nonce ci-0001
MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW expect_code 0 "linkage check --reader (first reader with a card)" -- \
    "$BIN" linkage check --reader --json
grep -q '"match":true' "$WORK/out" && ok "linkage: attributes match" || fail "linkage: $(cat "$WORK/out")"
expect_code 0 "cert show --pin-stdin" -- \
    "$BIN" cert show --reader "$READER" --pin-stdin --json <<<"$SIG_PW"
# Login with the user-authentication certificate (issue 26) at the kiosk: challenge, sign on
# the card in the reader (the 4-digit PIN from MYNASIGN_AUTH_PIN), verify with the emulator's
# OCSP answer; a wrong PIN is exit 3.
AUTH_PIN=$(field authentication_pin)
"$BIN" auth challenge --service https://kiosk.example.jp --out "$WORK/ch.json" >/dev/null
MYNASIGN_AUTH_PIN=$AUTH_PIN expect_code 0 "auth sign --reader" -- \
    "$BIN" auth sign --reader "$READER" --challenge "$WORK/ch.json" --out "$WORK/login.json" --quiet --json
grep -q '"exchanges":6' "$WORK/out" && ok "auth sign over PC/SC: 6 exchanges" \
    || fail "auth sign exchanges: $(cat "$WORK/out")"
sed -n 's/.*"certificate":"\([0-9a-f]*\)".*/\1/p' "$WORK/login.json" | xxd -r -p >"$WORK/auth.der"
"$BIN" emulator ocsp --cert "$WORK/auth.der" --out "$WORK/auth.ocsp"
expect_code 0 "the login made over PC/SC verifies (revocation by the emulator's OCSP)" -- \
    "$BIN" auth verify "$WORK/login.json" --challenge "$WORK/ch.json" --trust emulator --ocsp-response "$WORK/auth.ocsp"
WRONG_AUTH=0000; [ "$AUTH_PIN" != 0000 ] || WRONG_AUTH=1111
MYNASIGN_AUTH_PIN=$WRONG_AUTH expect_code 3 "auth sign with a wrong authentication PIN" -- \
    "$BIN" auth sign --reader "$READER" --challenge "$WORK/ch.json" --out "$WORK/x.json" --quiet
MYNASIGN_AUTH_PIN=$AUTH_PIN expect_code 0 "auth sign resets the authentication PIN's counter" -- \
    "$BIN" auth sign --reader "$READER" --challenge "$WORK/ch.json" --out "$WORK/x.json" --quiet
expect_code 5 "no card in the reader" -- "$BIN" pin status --reader "Virtual PCD 00 01" --wait 1
expect_code 5 "unknown reader" -- "$BIN" pin status --reader "No Such Reader" --wait 1
MYNASIGN_SIGNATURE_PASSWORD=WRONG1 expect_code 3 "wrong signature password" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/x.p7s" --nonce ci-0002
MYNASIGN_SIGNATURE_PASSWORD=bad expect_code 3 "malformed signature password (nothing sent)" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/x.p7s" --nonce ci-0002
"$BIN" pin status --reader "$READER" --json 2>/dev/null | grep -q '"remaining":4' \
    && ok "pin status shows the wrong attempt" || fail "pin status after a wrong PIN"
# Down to the last attempt, then blocked.
for _ in 1 2 3; do
    MYNASIGN_SIGNATURE_PASSWORD=WRONG1 timeout 60 "$BIN" consent sign --reader "$READER" \
        --out "$WORK/x.p7s" --nonce ci-0003 >/dev/null 2>&1 || true
done
MYNASIGN_SIGNATURE_PASSWORD=WRONG1 expect_code 4 "last attempt refused without --allow-last-attempt" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/x.p7s" --nonce ci-0004
MYNASIGN_SIGNATURE_PASSWORD=WRONG1 expect_code 4 "the last attempt, allowed, is wrong: the PIN is now blocked" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/x.p7s" --nonce ci-0004 --allow-last-attempt
MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW expect_code 4 "blocked signature password" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/x.p7s" --nonce ci-0005

# --- 4. killing the emulator ----------------------------------------------------------------------
kill -9 "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true; EMU_PID=""
expect_code 5 "emulator killed: no card, no hang" -- "$BIN" pin status --reader "$READER" --wait 2
start_emulator
MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW expect_code 0 "emulator restarted: the next flow works" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/c2.p7s" --nonce ci-0006 --json
# Mid-flow: flows in a loop, the emulator killed under them; the client must end, not hang.
(
    export MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW
    for i in $(seq 200); do
        "$BIN" consent sign --reader "$READER" --wait 1 --out "$WORK/l.p7s" --nonce "ci-loop-$i" --json \
            >/dev/null 2>&1 || exit 0
    done
    exit 1
) &
LOOP=$!
sleep 1.5
kill -9 "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true; EMU_PID=""
loop_rc=0
for _ in $(seq 300); do kill -0 "$LOOP" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$LOOP" 2>/dev/null; then
    kill -9 "$LOOP" 2>/dev/null || true
    fail "a client hung after the emulator was killed mid-flow"
else
    wait "$LOOP" || loop_rc=$?
    [ $loop_rc -eq 0 ] && ok "emulator killed mid-flow: the client failed cleanly" \
        || fail "the flow loop never saw the emulator go"
fi
start_emulator
MYNASIGN_SIGNATURE_PASSWORD=$SIG_PW expect_code 0 "restarted after a mid-flow kill: the next flow works" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/c3.p7s" --nonce ci-0007 --json
grep -q '"apdu_exchanges":6' "$WORK/out" && ok "still 6 exchanges" || fail "exchanges after restart"

# --- the Python package: a wheel with the pcsc feature, PcscLink, sign and verify -----------------
if timeout 900 bash tests/pcsc/python.sh "$READER" "$SEED"; then
    ok "Python: mynasign.PcscLink signs on the served card; the consent verifies"
else
    fail "Python over PC/SC (tests/pcsc/python.sh)"
fi

# --- the JVM kiosk link: javax.smartcardio, SmartcardioLink, sign and verify ----------------------
if timeout 900 bash tests/pcsc/jvm.sh "$READER" "$SEED"; then
    ok "JVM: jp.mynasign.jvm.SmartcardioLink signs on the served card; the consent verifies"
else
    fail "JVM over PC/SC (tests/pcsc/jvm.sh)"
fi

# --- 5. a persona file behind the reader ------------------------------------------------------------
kill -9 "$EMU_PID"; wait "$EMU_PID" 2>/dev/null || true; EMU_PID=""
wait_for 30 no_card_in_reader || true
"$BIN" emulator serve --persona "$PWD/examples/personas/one-attempt-left.json" --json \
    >"$WORK/emu.json" 2>>"$WORK/emu.log" &
EMU_PID=$!
wait_for 30 card_in_reader || { echo "the persona card did not appear"; cat "$WORK/emu.log"; exit 1; }
"$BIN" pin status --reader "$READER" --json 2>/dev/null | grep -q '"last_attempt":true,"max":5,"remaining":1' \
    && ok "emulator serve --persona: the file's counters over PC/SC" || fail "pin status of the persona file"
MYNASIGN_SIGNATURE_PASSWORD=HANAKO88 expect_code 4 "persona file: the last attempt is refused" -- \
    "$BIN" consent sign --reader "$READER" --out "$WORK/p.p7s" --nonce ci-0008

echo "pcsc: $passed passed, $failed failed"
[ $failed -eq 0 ]
