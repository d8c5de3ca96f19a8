#!/usr/bin/env bash
# bench/run.sh — every figure of the issue "Close to the limit", by its method, with one command:
# runs bench/refresh.sh, bench/reads.sh, bench/startup.sh and bench/growth.sh one after another
# (never side by side: they share the machine's two cores), then writes bench/results/summary.md,
# a table with each figure, its target and whether it was met. Each script also writes its own
# bench/results/<script>.md with the runs behind its figures (the latest run; git keeps history).
#
# Run:    bench/run.sh                     (about 3 minutes on 2 cores; growth.sh takes half of it)
# Env:    SCRIPTS   which to run (default "refresh reads startup growth")
#         and each script's own settings (see their headers): JAR, DATA_DIR, RUNS, SIZES, ...
# Needs:  java 17, curl, psql, python3, wrk, nginx; the machine's PostgreSQL on 127.0.0.1:5432.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
SCRIPTS=${SCRIPTS:-refresh reads startup growth}
BENCH_SUMMARY=$(mktemp /tmp/bench-summary.XXXXXX)
export BENCH_SUMMARY
trap 'rm -f "$BENCH_SUMMARY"' EXIT

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for script in $SCRIPTS; do
    [[ -x $BENCH_DIR/$script.sh ]] || { echo "bench/run.sh: no bench/$script.sh" >&2; exit 2; }
    echo "==> bench/$script.sh" >&2
    "$BENCH_DIR/$script.sh" >/dev/null
done

mkdir -p "$RESULTS_DIR"
{
    echo "## Summary — $started to $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "nproc $(nproc) | CPU $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1) | load at end $(cut -d' ' -f1-3 /proc/loadavg) | $(java -version 2>&1 | head -n1)"
    echo
    echo "| figure | measured | target | met |"
    echo "| --- | --- | --- | --- |"
    cat "$BENCH_SUMMARY"
    echo
    read -ra names <<<"$SCRIPTS"
    echo "The runs behind each figure:$(printf ' bench/results/%s.md' "${names[@]}")."
} | tee "$RESULTS_DIR/summary.md"
