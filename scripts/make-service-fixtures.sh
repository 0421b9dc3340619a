#!/usr/bin/env bash
# Regenerates tests/fixtures/service/: consents signed on the emulated card, the emulator's
# signature root and a CRL, for tests/service.rs, which verifies them in a build without the
# card stack (`--no-default-features`), as a receiving service builds the library. The files
# are committed: that test must not need the emulator to make them.
#
#   consent.der      seed 1's address-change consent, nonce svc-fixture-0001, kiosk channel
#   revoked.der      the revoked-certificate persona's consent (revoked 2026-03-01)
#   root.der         the emulator's signature root
#   crl.der          the root's CRL listing the revoked persona's certificate (valid a day)
#   received-at.txt  the receipt time to verify at (a minute after signing, RFC 3339)
#   card-info-evidence.json   seed 1's basic four with their integrity record, certificate and
#                             presence answer (mynasign info read --authentic --out)
#   card-info-challenge.txt   the challenge that answer is for (hex)
#   cvc-ca.bin                the emulator's card-verifiable CA key (emulator export-cvc-ca)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/tests/fixtures/service"
mkdir -p "$out"
cd "$root"
cargo build -q --features cli --bin mynasign
bin="${CARGO_TARGET_DIR:-$root/target}/debug/mynasign"
"$bin" consent sign --out "$out/consent.der" --nonce svc-fixture-0001 >/dev/null
"$bin" consent sign --persona examples/personas/revoked-certificate.json \
  --out "$out/revoked.der" --nonce svc-fixture-0002 >/dev/null
"$bin" emulator crl --persona examples/personas/revoked-certificate.json --out "$out/crl.der"
tmp="$(mktemp)"
"$bin" emulator export-ca "$tmp"
# The first certificate of the PEM file is the signature root.
openssl x509 -in "$tmp" -outform DER -out "$out/root.der"
rm -f "$tmp"
"$bin" info read --authentic --json --out "$out/card-info-evidence.json" \
  | sed -E 's/.*"challenge":"([0-9a-f]+)".*/\1/' >"$out/card-info-challenge.txt"
"$bin" emulator export-cvc-ca "$out/cvc-ca.bin"
date -u -d '+60 seconds' +%Y-%m-%dT%H:%M:%SZ >"$out/received-at.txt"
ls -l "$out"
