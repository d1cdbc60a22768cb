#!/usr/bin/env bash
# Build once in release, verify answers, then per lib:
#   wall clock: n=100000, best of 3 runs
#   callgrind:  n=0 and n=20000; instructions/deadline = (Ir(20000) - Ir(0)) / 20000
# Env: LIBS (default "workclock ule-hours ule-hours-rules"), ACCORD=1 adds accord
#      (needs the accord lines in Cargo.toml uncommented), CG_N (default 20000).
set -euo pipefail
cd "$(dirname "$0")"

LIBS=${LIBS:-"workclock ule-hours ule-hours-rules"}
CG_N=${CG_N:-20000}
N=100000
FEATURES=()
if [[ "${ACCORD:-0}" == 1 ]]; then
  FEATURES=(--features accord)
  LIBS="$LIBS accord"
fi

cargo build --release "${FEATURES[@]}"
BIN=target/release/compare
OUT=target/bench-out
mkdir -p "$OUT"

echo "== verify"
"$BIN" verify

echo "== wall clock (n=$N, best of 3)"
for lib in $LIBS; do
  best=""
  for i in 1 2 3; do
    line=$("$BIN" "$lib" "$N")
    echo "   run$i: $line"
    ops=$(sed -n 's/.*ops_per_sec=\([0-9]*\).*/\1/p' <<<"$line")
    if [[ -z "$best" || "$ops" -gt "${best%% *}" ]]; then best="$ops $line"; fi
  done
  echo "BEST $lib ops_per_sec=${best%% *}  (${best#* })"
done

ir() { # total Ir of a callgrind output file
  awk '/^summary:/ {s=$2} /^totals:/ {t=$2} END {print (t != "" ? t : s)}' "$1"
}

echo "== callgrind (n=0 and n=$CG_N)"
for lib in $LIBS; do
  for n in 0 "$CG_N"; do
    valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$lib.$n.out" \
      "$BIN" "$lib" "$n" >"$OUT/cg.$lib.$n.stdout" 2>"$OUT/cg.$lib.$n.stderr"
  done
  ir0=$(ir "$OUT/cg.$lib.0.out")
  irn=$(ir "$OUT/cg.$lib.$CG_N.out")
  per=$(awk -v a="$irn" -v b="$ir0" -v n="$CG_N" 'BEGIN {printf "%.0f", (a - b) / n}')
  echo "CALLGRIND $lib Ir(n=0)=$ir0 Ir(n=$CG_N)=$irn instructions_per_deadline=$per"
done
