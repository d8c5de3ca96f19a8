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
#   - weekly reads: after the refreshes, GET /ratios/weekly whole and from its second week, as
#     JSON and as CSV (at 300x, 63 MB of JSON), each a 200 as long as its Content-Length, and
#     /health answering after them; the JVM runs with -XX:+ExitOnOutOfMemoryError (JAVA_OPTS), as
#     the image does, so a read the heap cannot hold ends the service and fails here.
# Targets: at 300x the refresh succeeds under -Xmx256m and the weekly reads are answered, the time
# per row at 300x is at most 1.3 times that at 30x, and the peak RSS (reads included) stays under
# 512 MB.
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

bench_lock
BENCH_TMP=$(mktemp -d /tmp/bench-growth.XXXXXX)
leftover dir "$BENCH_TMP"
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
# As the image runs the JVM: a heap that runs out ends the process, so a read that needs more
# heap than there is shows as a failure here, not as a slow answer.
export JAVA_OPTS=${JAVA_OPTS:--XX:+ExitOnOutOfMemoryError}
declare -A WEEKLY_FAILED=()

# GET /ratios/weekly whole and from its second week, as JSON and as CSV: each must be a 200 whose
# body is as long as its Content-Length says, and /health must answer after them. Prints the
# megabytes sent and the slowest read; fails (status 1) naming the read that did not hold.
weekly_reads() {
    local port=$1 total=0 slowest=0 path code size length wall ms
    local second
    second=$(curl -s -m 60 "http://127.0.0.1:$port/ratios/weekly?state=NY&format=csv" | sed -n 3p | cut -d, -f3)
    for path in "/ratios/weekly" "/ratios/weekly?format=csv" "/ratios/weekly?from=$second" \
        "/ratios/weekly?from=$second&format=csv"; do
        # Content-Length last: a service that ended sends none, and the field is then empty.
        read -r code size wall length < <(curl -s -m 600 -o /dev/null \
            -w '%{http_code} %{size_download} %{time_total} %header{content-length}\n' \
            "http://127.0.0.1:$port$path" || echo "000 0 0")
        if [[ $code != 200 || $size != "$length" ]]; then
            echo "$path answered $code, $size bytes of ${length:-none said}"
            return 1
        fi
        total=$((total + size))
        ms=$(python3 -c 'import sys; print(round(float(sys.argv[1]) * 1000))' "$wall")
        ((ms > slowest)) && slowest=$ms
    done
    code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" || echo 000)
    if [[ $code != 200 ]]; then
        echo "/health answered $code after them"
        return 1
    fi
    python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1e6:.1f} MB, {sys.argv[2]} ms")' "$total" "$slowest"
}

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
        # No report of an earlier run to quote if this one gets none.
        rm -f "$BENCH_TMP/report.json"
        read -r code wall < <(curl -s -m 1200 -o "$BENCH_TMP/report.json" -w '%{http_code} %{time_total}\n' \
            -X POST "http://127.0.0.1:$SERVICE_PORT/refresh?force=true" || echo "000 0")
        touch "$BENCH_TMP/stop"
        wait "$SAMPLER_PID" || true
        run_peak=$(cat "$BENCH_TMP/peak")
        ((run_peak > peak_kb)) && peak_kb=$run_peak
        loads+="$(cut -d' ' -f1 /proc/loadavg) "
        if [[ $code != 200 ]]; then
            result="FAILED (HTTP $code: $(head -c 300 "$BENCH_TMP/report.json" 2>/dev/null | tr '\n' ' ' ||
                true))"
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
    # The weekly answers grow with the product: each read once, in both formats, whole and
    # filtered, and the service must still answer after them (a read that ran the heap out ended
    # the process: JAVA_OPTS carries the image's -XX:+ExitOnOutOfMemoryError).
    reads="-"
    if [[ $result == ok ]]; then
        reads=$(weekly_reads "$SERVICE_PORT") || { reads="FAILED: $reads"; WEEKLY_FAILED[$n]=1; }
        log "N=$n weekly reads: $reads"
    fi
    hwm_kb=$(status_kb "$SERVICE_PID" VmHWM)
    # A service the reads ended has no VmHWM left to read: its peak sampled in the refreshes stands.
    [[ -n $hwm_kb ]] || hwm_kb=$peak_kb
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
    ROWS_TABLE+="| $n | $rows | $bytes | $d_med | $w_med | $us | $(mib "$rss_start") | $(mib "$peak_kb") | $(mib "$hwm_kb") | $reads | ${loads% } | $result |"$'\n'
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
if [[ " $SIZES " == *" 300 "* ]]; then
    if [[ -n ${OK[300]:-} && -z ${WEEKLY_FAILED[300]:-} ]]; then
        verdicts+="- 300x weekly reads (/ratios/weekly whole and filtered, JSON and CSV) under -Xmx$XMX: every one answered, the service up after them (target met)"$'\n'
        summary_row "300x weekly reads under -Xmx$XMX" "answered" "answered, service up" "met"
    elif [[ -n ${WEEKLY_FAILED[300]:-} ]]; then
        verdicts+="- 300x weekly reads under -Xmx$XMX: FAILED (target NOT met)"$'\n'
        summary_row "300x weekly reads under -Xmx$XMX" "FAILED" "answered, service up" "NOT met"
    fi
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
    echo "| N | rows (3 sources) | bytes | duration_ms (median) | wall ms (median) | us/row | RSS at start MiB | peak VmRSS in refresh MiB | VmHWM MiB (reads included) | weekly reads: MB sent, slowest ms | load (1 min) per run | result |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"
    printf '%s' "$ROWS_TABLE"
    echo
    printf '%s' "$verdicts"
} | record growth.md
