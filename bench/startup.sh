#!/usr/bin/env bash
# bench/startup.sh — how long the service takes from `java -jar` to its first 200 on GET /ratios,
# with a product already in the warehouse (the issue "Close to the limit": start-up).
#
# Setting: the machine's PostgreSQL (127.0.0.1:5432), a fresh database holding the product of one
# refresh of the complete series (../shared/data, file: URLs); the service with -Xmx256m.
# Measures: RUNS starts (default 5): the wall time from spawning `java -jar service.jar serve` to
# the first GET /ratios answering 200 with the 51 rows (polled every 10 ms); the service is then
# stopped (SIGTERM). Also, as the floor the JVM sets, the wall time of `java -jar service.jar
# help` (start the JVM, load the jar's main class, print, exit); and, to show what class-data
# sharing would give, as many starts with an application class-data archive that one earlier start
# wrote at its exit (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile), alternating with the
# plain starts. The service does not ship with one (PROGRESS.md, 2026-12-02, "class-data sharing").
# Medians.
#
# Run:    bench/startup.sh                 (about a minute)
# Env:    JAR, DATA_DIR, RUNS (1..20), SERVICE_XMX, JAVA_OPTS, PG_HOST, PG_PORT, PG_USER
# Needs:  java 17, curl, psql, python3. Free ports from 18520 on 127.0.0.1. Stops what it starts,
#         drops its database and deletes its scratch directory on exit.
# Output: a table on stdout, also written to bench/results/startup.md (the latest run), and rows
#         for bench/results/summary.md when run by bench/run.sh.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=${RUNS:-5}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 1 || RUNS > 20)); then die "RUNS must be 1..20"; fi
need java curl psql python3
check_jar


bench_lock
BENCH_TMP=$(mktemp -d /tmp/bench-startup.XXXXXX)
leftover dir "$BENCH_TMP"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port 18520; SERVICE_PORT=$FREE_PORT
FACTS_START=$(machine_facts)
export_sources "$(file_url "$DATA_DIR")"

create_bench_db startup
start_service_on "$SERVICE_PORT" "$BENCH_DB"
load_product "$SERVICE_PORT"
stop_service

# One start: prints the ms from spawning the JVM to the first 200 of GET /ratios with 51 rows.
# $1: JVM options of this start, after JAVA_OPTS.
start_once() {
    python3 - "$JAR" "$SERVICE_PORT" "$BENCH_DB" "$PG_HOST" "$PG_PORT" "$PG_USER" "$SERVICE_XMX" \
        "${JAVA_OPTS:-} ${1:-}" "$BENCH_TMP" <<'PY'
import json, os, signal, subprocess, sys, time, urllib.request
jar, port, db, host, pg_port, user, xmx, java_opts, tmp = sys.argv[1:]
env = dict(os.environ, PORT=port, DB_HOST=host, DB_PORT=pg_port, POSTGRES_DB=db, POSTGRES_USER=user,
           POSTGRES_PASSWORD="")
env.pop("REFRESH_TOKEN", None)
command = ["java", f"-Xmx{xmx}", *java_opts.split(), "-jar", jar, "serve"]
log = open(os.path.join(tmp, "startup-service.log"), "ab")
start = time.monotonic()
service = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=tmp)
try:
    while True:
        if service.poll() is not None:
            sys.exit(f"the service exited with {service.returncode}")
        if time.monotonic() - start > 120:
            sys.exit("the service did not answer within 120 s")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ratios", timeout=1) as r:
                if r.status == 200 and len(json.loads(r.read())) == 51:
                    break
        except OSError:
            pass
        time.sleep(0.01)
    print(round((time.monotonic() - start) * 1000))
finally:
    service.send_signal(signal.SIGTERM)
    try:
        service.wait(timeout=30)
    except subprocess.TimeoutExpired:
        service.kill()
        service.wait()
PY
}

# The JVM's floor: java -jar service.jar help, in ms.
floor_once() {
    python3 - "$JAR" "$SERVICE_XMX" <<'PY'
import subprocess, sys, time
start = time.monotonic()
subprocess.run(["java", f"-Xmx{sys.argv[2]}", "-jar", sys.argv[1], "help"], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(round((time.monotonic() - start) * 1000))
PY
}

# The archive: the classes one start loaded, written by the JVM as it stops (-Xlog:cds=off: not
# its warnings about the classes it cannot keep). Not timed.
ARCHIVE="$BENCH_TMP/classes.jsa"
start_once "-XX:ArchiveClassesAtExit=$ARCHIVE -Xlog:cds=off" >/dev/null
[[ -s "$ARCHIVE" ]] || die "the JVM wrote no class-data archive at $ARCHIVE"
WITH_ARCHIVE="-XX:SharedArchiveFile=$ARCHIVE -Xshare:on"

for ((i = 1; i <= RUNS; i++)); do
    # Alternating which goes first, so neither always follows the other's page cache.
    if ((i % 2)); then
        ms=$(start_once)
        cds=$(start_once "$WITH_ARCHIVE")
    else
        cds=$(start_once "$WITH_ARCHIVE")
        ms=$(start_once)
    fi
    floor=$(floor_once)
    echo "$ms" >>"$BENCH_TMP/start"
    echo "$cds" >>"$BENCH_TMP/cds"
    echo "$floor" >>"$BENCH_TMP/floor"
    keep_run_line "run $i: java -jar to the first 200 on GET /ratios $ms ms; with the class-data archive $cds ms; java -jar ... help $floor ms; load $(load_avg)"
done
START=$(median <"$BENCH_TMP/start")
CDS=$(median <"$BENCH_TMP/cds")
FLOOR=$(median <"$BENCH_TMP/floor")

summary_row "start-up: java -jar to the first 200 on GET /ratios (product in the warehouse)" "$START ms (with a class-data archive from an earlier start: $CDS ms; the JVM's floor, java -jar ... help: $FLOOR ms)" "as short as the JVM allows" "reported"

{
    echo "## startup.sh — $FACTS_START"
    echo
    echo "load at end: $(load_avg); PostgreSQL $PG_HOST:$PG_PORT; service -Xmx$SERVICE_XMX ${JAVA_OPTS:-}; medians of $RUNS runs"
    echo
    echo "| figure | median |"
    echo "| --- | ---: |"
    echo "| java -jar service.jar serve, to the first 200 on GET /ratios | $START ms |"
    echo "| the same, with a class-data archive one earlier start wrote (not shipped: see the README) | $CDS ms |"
    echo "| java -jar service.jar help (start the JVM, print, exit) | $FLOOR ms |"
    echo
    printf '%s' "$RUN_LINES"
} | record startup.md
