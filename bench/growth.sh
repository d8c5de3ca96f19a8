#!/usr/bin/env bash
# bench/growth.sh — how POST /refresh grows with the size of the sources, under a 256 MiB heap.
#
# Measures, for each scale factor N (default 1 10 30 100 300): the sources made by
# bench/generate_sources.py N (N copies of the complete series, each a new set of weeks; at 300
# about half a million rows per allocation file), served over loopback HTTP by nginx; a fresh
# service started with
# `java -Xmx256m -jar service.jar serve` (SOURCE_TIMEOUT=600, a fresh database on the machine's
# PostgreSQL at 127.0.0.1:5432, no REFRESH_TOKEN); RUNS refreshes (default 3, each with
# ?force=true, since the sources do not change between them) with:
#   - refresh time: the report's duration_ms and the wall clock (curl), medians over the runs;
#   - rows: the rows of the three sources, from the report (county population stays 3,220);
#   - time per row: median duration_ms / rows, in microseconds;
#   - peak RSS of the service (JVM) process: the highest VmRSS sampled every 100 ms during the
#     refreshes, and VmHWM (the process's peak since start) after them. PostgreSQL runs in its own
#     processes and is not counted.
# Targets: at 300x the refresh succeeds under -Xmx256m, the time per row at 300x is at most 1.3
# times that at 30x, and the peak RSS stays under 512 MB.
#
# Run:    bench/growth.sh                  (about 90 s on 2 cores; more on a loaded machine)
# Env:    JAR       service jar (default: <repo>/service/target/service.jar)
#         DATA_DIR  the real files to scale (default: ../shared/data)
#         SIZES     scale factors (default "1 10 30 100 300"; each 1..1000)
#         RUNS      refreshes per size (default 3, at most 10)
#         XMX       the heap limit (default 256m)
# Needs:  java 17, curl, psql, python3, nginx. Free ports from 18490 on 127.0.0.1 (never
#         5432, 54320 or 8080). Everything it starts is stopped, its databases dropped and its
#         scratch directory (sources) deleted, on exit. Disk: about 60 MB of sources at N=300,
#         plus the database.
# Output: a table on stdout, also written to bench/results/growth.md (the latest run), and rows
#         for bench/results/summary.md when run by bench/run.sh.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES=${SIZES:-1 10 30 100 300}
RUNS=${RUNS:-3}
XMX=${XMX:-256m}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 1 || RUNS > 10)); then die "RUNS must be 1..10"; fi
for n in $SIZES; do
    if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 1000)); then die "each size must be 1..1000, got $n"; fi
done
[[ $XMX =~ ^[0-9]+[mMgG]$ ]] || die "XMX must look like 256m"
need java curl psql python3 nginx
check_jar

BENCH_TMP=$(mktemp -d /tmp/bench-growth.XXXXXX)
chmod 755 "$BENCH_TMP"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port 18490; STATIC_PORT=$FREE_PORT
free_port 18491; SERVICE_PORT=$FREE_PORT
FACTS_START=$(machine_facts)
SOURCES="$BENCH_TMP/sources"
mkdir -p "$SOURCES"
chmod 755 "$SOURCES"

start_source_server "$SOURCES" "$STATIC_PORT"
export_sources "http://127.0.0.1:$STATIC_PORT"
export SOURCE_TIMEOUT=600
export SOURCE_MAX_BYTES=${SOURCE_MAX_BYTES:-200000000}
SERVICE_XMX=$XMX

# Samples VmRSS of pid $1 every 100 ms into file $2 (its maximum, in kB) until the file $3
# exists or the process is gone; at most 1500 s.
sample_rss() {
    python3 - "$1" "$2" "$3" <<'EOF' &
import os, sys, time
pid, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
peak, deadline = 0, time.monotonic() + 1500
while time.monotonic() < deadline and not os.path.exists(stop):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    peak = max(peak, int(line.split()[1]))
    except OSError:
        break
    time.sleep(0.1)
with open(out, "w") as f:
    f.write(f"{peak}\n")
EOF
    SAMPLER_PID=$!
    BENCH_PIDS+=("$SAMPLER_PID")
}

status_kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status" 2>/dev/null || true; }
mib() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1024:.0f}" if sys.argv[1] else "n/a")' "${1:-}"; }

ROWS_TABLE=""
declare -A US_PER_ROW=()
declare -A OK=()
declare -A PEAK_MIB=()
for n in $SIZES; do
    log "N=$n: generating sources"
    rm -f "$SOURCES"/*.csv
    python3 "$BENCH_DIR/generate_sources.py" "$n" "$SOURCES" --data-dir "$DATA_DIR" >&2
    chmod 644 "$SOURCES"/*.csv
    bytes=$(cat "$SOURCES"/*.csv | wc -c)

    create_bench_db "growth_$n"
    log "N=$n: starting the service with -Xmx$SERVICE_XMX on database $BENCH_DB"
    start_service_on "$SERVICE_PORT" "$BENCH_DB"
    [[ $(cat "/proc/$SERVICE_PID/comm") == java ]] || die "pid $SERVICE_PID is not the JVM"
    rss_start=$(status_kb "$SERVICE_PID" VmRSS)

    : >"$BENCH_TMP/durations"
    : >"$BENCH_TMP/walls"
    peak_kb=0 rows="" result="ok" loads=""
    for ((i = 1; i <= RUNS; i++)); do
        rm -f "$BENCH_TMP/stop"
        sample_rss "$SERVICE_PID" "$BENCH_TMP/peak" "$BENCH_TMP/stop"
        read -r code wall < <(curl -s -m 1200 -o "$BENCH_TMP/report.json" -w '%{http_code} %{time_total}\n' \
            -X POST "http://127.0.0.1:$SERVICE_PORT/refresh?force=true" || echo "000 0")
        touch "$BENCH_TMP/stop"
        wait "$SAMPLER_PID" || true
        run_peak=$(cat "$BENCH_TMP/peak")
        ((run_peak > peak_kb)) && peak_kb=$run_peak
        loads+="$(cut -d' ' -f1 /proc/loadavg) "
        if [[ $code != 200 ]]; then
            result="FAILED (HTTP $code: $(head -c 300 "$BENCH_TMP/report.json" 2>/dev/null | tr '\n' ' '))"
            log "N=$n run $i: $result"
            break
        fi
        read -r duration rows < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["duration_ms"], sum(s["rows"] for s in r["sources"]))' "$BENCH_TMP/report.json")
        echo "$duration" >>"$BENCH_TMP/durations"
        python3 -c 'import sys; print(round(float(sys.argv[1]) * 1000))' "$wall" >>"$BENCH_TMP/walls"
        log "N=$n run $i: duration_ms $duration, wall ${wall}s, $rows rows, peak VmRSS $(mib "$run_peak") MiB, load $(load_avg)"
    done
    hwm_kb=$(status_kb "$SERVICE_PID" VmHWM)
    stop_service

    if [[ $result == ok ]]; then
        d_med=$(median <"$BENCH_TMP/durations")
        w_med=$(median <"$BENCH_TMP/walls")
        us=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) * 1000 / int(sys.argv[2]):.2f}")' "$d_med" "$rows")
        US_PER_ROW[$n]=$us
        OK[$n]=1
    else
        d_med="-" w_med="-" us="-" rows=${rows:-"-"}
    fi
    ROWS_TABLE+="| $n | $rows | $bytes | $d_med | $w_med | $us | $(mib "$rss_start") | $(mib "$peak_kb") | $(mib "$hwm_kb") | ${loads% } | $result |"$'\n'
    PEAK_MIB[$n]=$(mib "$hwm_kb")
    "${PSQL[@]}" -d postgres -c "drop database if exists $BENCH_DB with (force)" >/dev/null
done

verdicts=""
if [[ -n ${OK[300]:-} ]]; then
    verdicts+="- 300x refresh under -Xmx$XMX: succeeded (target met)"$'\n'
    summary_row "300x refresh under -Xmx$XMX" "succeeded" "succeeds" "met"
    peak_ok=$(verdict 'a < 512' "${PEAK_MIB[300]}")
    verdicts+="- peak RSS of the service at 300x: ${PEAK_MIB[300]} MiB (target < 512 MB: $peak_ok)"$'\n'
    summary_row "peak RSS of the service at 300x (VmHWM)" "${PEAK_MIB[300]} MiB" "< 512 MB" "$peak_ok"
elif [[ " $SIZES " == *" 300 "* ]]; then
    verdicts+="- 300x refresh under -Xmx$XMX: FAILED (target NOT met)"$'\n'
    summary_row "300x refresh under -Xmx$XMX" "FAILED" "succeeds" "NOT met"
fi
if [[ -n ${US_PER_ROW[300]:-} && -n ${US_PER_ROW[30]:-} ]]; then
    ratio=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' \
        "${US_PER_ROW[300]}" "${US_PER_ROW[30]}")
    ratio_ok=$(verdict 'a <= 1.3' "$ratio")
    verdicts+="- time per row 300x / 30x: ${US_PER_ROW[300]} / ${US_PER_ROW[30]} us = $ratio (target <= 1.30: $ratio_ok)"$'\n'
    summary_row "time per row, 300x / 30x" "${US_PER_ROW[300]} / ${US_PER_ROW[30]} us = $ratio" "<= 1.3" "$ratio_ok"
fi

{
    echo "## growth.sh — $FACTS_START"
    echo
    echo "load at end: $(load_avg); java -Xmx$XMX; SOURCE_TIMEOUT=600; PostgreSQL $PG_HOST:$PG_PORT; sources over loopback HTTP (nginx); $RUNS forced refreshes per size, a fresh service and database per size"
    echo
    echo "| N | rows (3 sources) | bytes | duration_ms (median) | wall ms (median) | us/row | RSS at start MiB | peak VmRSS in refresh MiB | VmHWM MiB | load (1 min) per run | result |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    printf '%s' "$ROWS_TABLE"
    echo
    printf '%s' "$verdicts"
} | record growth.md
