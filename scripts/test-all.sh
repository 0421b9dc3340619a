#!/usr/bin/env bash
# `make test`: every part of the project's tests, timed, ending with a table of each part's wall
# time (so the next slow-down is visible) and its result.
#
# The parts run in lanes: the parts of one lane one after the other, the lanes side by side.
# Cargo serialises builds that share a target folder by itself, so a lane that needs a build
# waits for the other lane's build instead of competing for the 2 cores; what runs side by side
# is mostly work that leaves a core idle (the JVM and Swift compilers, test runs, pcscd).
# Everything is built once, in `prepare`, in an order that reuses work: the other parts find it
# built. MYNASIGN_LANES=1 runs every part in one lane (for a machine with one core, or to read
# the output in order).
#
# Each part's output is kept in a log and printed whole when the part ends, so the output of
# parts running side by side does not interleave. Exit status: 0 only when every part passed.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
started=$(date +%s)

# part NAME COMMAND...: runs COMMAND as part NAME, logged and timed.
part() {
  local name="$1"
  shift
  local t0 rc cpu
  t0=$(date +%s%N)
  # The subshell reports the processor time (user + system) of everything the part ran, so the
  # table also shows the work a part did, which the load of the other lane does not change.
  (
    "$@"
    rc=$?
    times >"$logs/$name.times"
    exit $rc
  ) >"$logs/$name.log" 2>&1
  rc=$?
  cpu=$(awk 'END { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] } printf "%d", t }' \
    "$logs/$name.times" 2>/dev/null)
  printf '%s\t%s\t%s\t%s\n' "$name" "$(( ($(date +%s%N) - t0) / 1000000 ))" "$rc" "${cpu:-0}" >>"$logs/table"
  {
    printf '\n===== %s (%s) =====\n' "$name" "$([ $rc -eq 0 ] && echo passed || echo "FAILED, exit $rc")"
    cat "$logs/$name.log"
  } | (flock 9; cat) 9>>"$logs/print.lock"
  return $rc
}

# lane NAME PART...: the parts one after the other; a failed part stops its lane (the others
# depend on what it built or checked), and the lane's failure is recorded.
lane() {
  local name="$1"
  shift
  local p
  for p in "$@"; do
    if ! part "$p" make --no-print-directory "$p"; then
      echo "$name" >>"$logs/failed-lanes"
      return 1
    fi
  done
}

# The quick checks and every build, first, alone (both cores for the compilers).
lane prepare self-contained versions layers toolchain openssl pcsc-lib lint test-build || true

if [ ! -s "$logs/failed-lanes" ]; then
  if [ "${MYNASIGN_LANES:-2}" = 1 ]; then
    lane all test-rust-run doc test-python test-pcsc test-publish test-swift test-kotlin test-android || true
  else
    # Lane 1: Swift in its chroot (its compiler uses both cores while the other lane waits on
    # pcscd or a test), then the Kotlin JVM and Android tests and the Maven publication. Lane
    # 2: the Rust tests, the docs, Python and the PC/SC stack. (Measured on a fresh clone,
    # lane 2 is the longer: about 320 s against 250 s.)
    lane swift-kotlin test-swift test-kotlin test-android test-publish &
    lane1=$!
    lane rust-python-pcsc test-rust-run doc test-python test-pcsc || true
    wait "$lane1" || true
  fi
fi

echo
echo "===== make test: wall time per part ====="
printf '%-16s %9s %9s  %s\n' part "wall s" "cpu s" result
while IFS=$'\t' read -r name ms rc cpu; do
  printf '%-16s %7d.%d %9d  %s\n' "$name" $((ms / 1000)) $((ms % 1000 / 100)) "$cpu" \
    "$([ "$rc" -eq 0 ] && echo passed || echo "FAILED ($rc)")"
done <"$logs/table"
echo "whole run: $(( $(date +%s) - started )) s wall, $(awk -F'\t' '{ t += $4 } END { print t }' "$logs/table") s processor time (lanes: ${MYNASIGN_LANES:-2})"
if [ -s "$logs/failed-lanes" ]; then
  echo "make test: FAILED in lane(s): $(tr '\n' ' ' <"$logs/failed-lanes")" >&2
  exit 1
fi
echo "make test: every part passed"
