#!/usr/bin/env bash
# A national-sized CRL for `make bench` (never for `make test`): OpenSSL's `ca -gencrl` over a
# CA database of N revoked certificates, signed by the given root.
#
#   scripts/national-crl.sh N ROOT_CERT_PEM ROOT_KEY_PEM OUT_DER
#
# Serials are 8 scattered octets (a fixed sequence, so the file is the same every run; a
# leading zero octet where the top bit is set, as DER has it), revoked in 2025, one in 16 with
# reason keyCompromise. OUT_DER is kept: a second run with the same N and root returns at
# once.
set -euo pipefail
n="$1" root="$2" key="$3" out="$4"
stamp="$out.source"
want="$n $(openssl x509 -in "$root" -noout -fingerprint -sha256)"
if [[ -s "$out" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# index.txt: status, expiry, revocation[,reason], serial (hex), file, subject.
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++) {
    # The first four octets: i times an odd constant modulo 2^32 (distinct for every i, so
    # every serial is); the last four: another mix of i. (Products stay below 2^53: exact.)
    a = (i * 2654435761) % 4294967296
    b = (i * 40503 + 7919) % 4294967296
    reason = (i % 16 == 0) ? ",keyCompromise" : ""
    printf "R\t351231235959Z\t250101000000Z%s\t%08X%08X\tunknown\t/CN=c\n", reason, a, b
  }
}' > "$work/index.txt"
echo 01 > "$work/crlnumber"
cat > "$work/ca.cnf" <<CNF
[ca]
default_ca = CA_default
[CA_default]
database = $work/index.txt
crlnumber = $work/crlnumber
unique_subject = no
default_md = sha256
default_crl_days = 30
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
CNF
openssl ca -batch -config "$work/ca.cnf" -gencrl -keyfile "$key" -cert "$root" \
  -out "$work/crl.pem" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
openssl crl -in "$work/crl.pem" -outform DER -out "$out"
echo "$want" > "$stamp"
