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
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
SCRIPTS=${SCRIPTS:-refresh reads startup growth}
for script in $SCRIPTS; do
    [[ -x $BENCH_DIR/$script.sh ]] || { echo "bench/run.sh: no bench/$script.sh" >&2; exit 2; }
done
# The scripts it runs inherit the lock (one bench run at a time).
bench_lock
BENCH_SUMMARY=$(mktemp /tmp/bench-summary.XXXXXX)
export BENCH_SUMMARY
# A script runs in the background, waited for, so that a SIGTERM or Ctrl-C to this one reaches it
# (by pid) and its own cleanup runs before this one ends: it was left running, and rewrote its
# results and the deleted summary file afterwards.
SCRIPT_PID=""
stop_script() {
    if [[ -n $SCRIPT_PID ]]; then
        kill -TERM "$SCRIPT_PID" 2>/dev/null || true
        wait "$SCRIPT_PID" 2>/dev/null || true
    fi
}
trap 'stop_script; rm -f "$BENCH_SUMMARY"; bench_unlock' EXIT
trap 'exit 130' INT TERM

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for script in $SCRIPTS; do
    echo "==> bench/$script.sh" >&2
    "$BENCH_DIR/$script.sh" >/dev/null &
    SCRIPT_PID=$!
    status=0
    wait "$SCRIPT_PID" || status=$?
    SCRIPT_PID=""
    ((status == 0)) || { echo "bench/run.sh: bench/$script.sh failed (exit $status): no summary" >&2; exit "$status"; }
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
