# shellcheck shell=bash
# shellcheck disable=SC2034 # globals read by the scripts that source this file
# Shared helpers for the bench/*.sh scripts (sourced, not run). Nothing here sends traffic
# anywhere but 127.0.0.1, and every wait is bounded in time.
#
# The scripts set BENCH_TMP (a scratch directory) and call bench_cleanup from their EXIT trap,
# which stops every process these helpers started (by pid) and deletes BENCH_TMP.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
# file_url (as setup.sh writes the sources' URLs); started and lock_held (bench_lock).
# shellcheck source=scripts/common.sh
source "$REPO_DIR/scripts/common.sh"
JAR=${JAR:-$REPO_DIR/service/target/service.jar}
DATA_DIR=${DATA_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/data}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
MODERNA_FILE=cdc-moderna-covid-19-vaccine-distribution-by-state.csv
PFIZER_FILE=cdc-pfizer-covid-19-vaccine-distribution-by-state.csv
POPULATION_FILE=County_Population.csv

BENCH_PIDS=()      # processes we started, stopped in reverse order by bench_cleanup
SERVICE_PID=""
BENCH_DBS=()       # databases we created on the external PostgreSQL, dropped by bench_cleanup

# The external PostgreSQL the method measures against (the machine's, trust auth), and the heap
# the service gets: the issue's method ("Close to the limit").
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
SERVICE_XMX=${SERVICE_XMX:-256m}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER")
# "database ... does not exist, skipping" and the like are noise between the figures.
export PGOPTIONS=${PGOPTIONS:-"-c client_min_messages=warning"}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# One bench run at a time on this checkout: two side by side took the same free port (checked,
# then released, then bound), measured each other's service, and shared the two cores. The lock,
# bench/.lock, is a symbolic link to the holder's pid and start (scripts/common.sh's `started`),
# made at once or not at all; one whose process is gone (a run killed) is taken over. A script
# run by bench/run.sh goes on under its lock (BENCH_LOCK_HOLDER). bench/.leftovers lists what the
# holder started (processes by pid and start, databases, its scratch directory): a run killed
# before its cleanup left them running; the next one that takes the lock stops and drops them.
BENCH_LOCK="$BENCH_DIR/.lock"
BENCH_LEFTOVERS="$BENCH_DIR/.leftovers"
bench_lock() {
    [[ -z ${BENCH_LOCK_HOLDER:-} ]] || return 0
    results_writable
    local holder
    if ! ln -s "$$ $(started $$)" "$BENCH_LOCK" 2>/dev/null; then
        holder=$(readlink -- "$BENCH_LOCK" 2>/dev/null || true)
        if lock_held "$holder"; then
            die "another bench run (pid ${holder%% *}) holds $BENCH_LOCK: one at a time, as they share the cores and the ports"
        fi
        rm -f -- "$BENCH_LOCK"
        ln -s "$$ $(started $$)" "$BENCH_LOCK" 2>/dev/null || die "another bench run has just taken $BENCH_LOCK"
    fi
    export BENCH_LOCK_HOLDER=$$
    clean_leftovers
}

# Lets go of the lock, when this process holds it.
bench_unlock() {
    if [[ ${BENCH_LOCK_HOLDER:-} == "$$" && $(readlink -- "$BENCH_LOCK" 2>/dev/null) == "$$ "* ]]; then
        rm -f -- "$BENCH_LOCK"
    fi
}

# Stops and drops what a killed run left (bench/.leftovers), then empties the list.
clean_leftovers() {
    [[ -s $BENCH_LEFTOVERS ]] || return 0
    local kind what started
    # The processes first (the service before its database is dropped under it), then the rest.
    while read -r kind what started; do
        case $kind in
            pid)
                # Only the process that was started then: a pid may have been given to another since.
                if lock_held "$what $started"; then
                    log "stopping pid $what, left running by a bench run that was killed"
                    kill -TERM "$what" 2>/dev/null || true
                    sleep 1
                    kill -KILL "$what" 2>/dev/null || true
                fi
                ;;
            db)
                log "dropping database $what, left by a bench run that was killed"
                "${PSQL[@]}" -d postgres -c "drop database if exists $what with (force)" >/dev/null 2>&1 || true
                ;;
            dir)
                [[ $what == /tmp/bench-* ]] && rm -rf "$what"
                ;;
        esac
    done < <(grep '^pid ' "$BENCH_LEFTOVERS"; grep -v '^pid ' "$BENCH_LEFTOVERS")
    : >"$BENCH_LEFTOVERS"
}

# Notes a process (pid $1), database or scratch directory this run made in bench/.leftovers.
leftover() {
    case $1 in
        pid) printf 'pid %s %s\n' "$2" "$(started "$2")" >>"$BENCH_LEFTOVERS" ;;
        *) printf '%s %s -\n' "$1" "$2" >>"$BENCH_LEFTOVERS" ;;
    esac
}

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (apt-get install -y $tool)"
    done
}

check_jar() {
    [[ -f $JAR ]] || die "no jar at $JAR: build it (cd $REPO_DIR && mvn -B -q -DskipTests package) or set JAR"
}

# Dies unless the three source files are readable in DATA_DIR.
check_data() {
    local f
    for f in "$MODERNA_FILE" "$PFIZER_FILE" "$POPULATION_FILE"; do
        [[ -r $DATA_DIR/$f ]] || die "missing $DATA_DIR/$f"
    done
}

# Points the service at the three source files under the base URL $1 (file:$DATA_DIR, or a
# directory an HTTP server serves): exports MODERNA_URL, PFIZER_URL and COUNTY_POPULATION_URL.
export_sources() {
    export MODERNA_URL="$1/$MODERNA_FILE"
    export PFIZER_URL="$1/$PFIZER_FILE"
    export COUNTY_POPULATION_URL="$1/$POPULATION_FILE"
}

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

machine_facts() {
    local cpu
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
    printf '%s | nproc %s | CPU %s | load %s | jar %s' \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "${cpu:-unknown}" "$(load_avg)" "$JAR"
}

# Sets FREE_PORT to a TCP port on 127.0.0.1 that nobody listens on, from $1 upwards (at most 200
# tries), never 5432, 54320 or 8080, and not one already handed out by this script. (Call it
# directly, not in $(...), so that it remembers the ports it gave.)
BENCH_PORTS_GIVEN=" "
free_port() {
    local port=$1 tries=0
    while ((tries < 200)); do
        if [[ $port != 5432 && $port != 54320 && $port != 8080 && $BENCH_PORTS_GIVEN != *" $port "* ]] &&
            python3 - "$port" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
        then
            BENCH_PORTS_GIVEN+="$port "
            FREE_PORT=$port
            return 0
        fi
        port=$((port + 1))
        tries=$((tries + 1))
    done
    die "no free port from $1"
}

# Waits (at most $2 seconds) until $1 answers with an HTTP status below 500; gives up at once when
# the process $3 (if given) has ended: a service that stopped at start (a configuration error) was
# waited for 180 s, and its log deleted by then.
wait_http() {
    local url=$1 seconds=$2 pid=${3:-} deadline
    deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        local code
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)
        if [[ $code =~ ^[1-4][0-9][0-9]$ ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# Starts nginx on 127.0.0.1:$1 as the benchmarks want it: one worker, access log off, sendfile,
# its files under $BENCH_TMP/nginx-$1. $2: the server block's directives; $3: more http ones.
# Runs in the foreground (daemon off) in this shell's background, tracked by PID. The master runs
# as this user; when that is root, the workers run as nobody, so served files must be
# world-readable. Returns once it answers.
start_nginx() {
    local port=$1 server=$2 http_extra=${3:-} conf_dir="$BENCH_TMP/nginx-$1"
    mkdir -p "$conf_dir"
    cat >"$conf_dir/nginx.conf" <<EOF
worker_processes 1;
pid $conf_dir/nginx.pid;
error_log $conf_dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    $http_extra
    client_body_temp_path $conf_dir/client_body;
    proxy_temp_path $conf_dir/proxy;
    fastcgi_temp_path $conf_dir/fastcgi;
    uwsgi_temp_path $conf_dir/uwsgi;
    scgi_temp_path $conf_dir/scgi;
    server {
        listen 127.0.0.1:$port;
        $server
    }
}
EOF
    nginx -e "$conf_dir/error.log" -p "$conf_dir" -c "$conf_dir/nginx.conf" -g 'daemon off;' \
        >"$conf_dir/stdout.log" 2>&1 &
    BENCH_PIDS+=("$!")
    leftover pid "$!"
    wait_http "http://127.0.0.1:$port/" 20 || die "nginx on port $port did not start (see $conf_dir/error.log)"
}

# Creates a fresh database on the external PostgreSQL and sets BENCH_DB to its name; bench_cleanup
# drops it. $1 names it (bench_<name>_<pid>).
create_bench_db() {
    BENCH_DB="bench_${1}_$$"
    "${PSQL[@]}" -d postgres -c "drop database if exists $BENCH_DB" -c "create database $BENCH_DB" >/dev/null ||
        die "cannot create database $BENCH_DB on $PG_HOST:$PG_PORT (is the machine's PostgreSQL running?)"
    BENCH_DBS+=("$BENCH_DB")
    leftover db "$BENCH_DB"
}

# Starts the service (serve) fresh on port $1 against the external PostgreSQL's database $2, with
# -Xmx$SERVICE_XMX (and JAVA_OPTS). Source URLs and SOURCE_TIMEOUT come from the caller's
# MODERNA_URL, PFIZER_URL, COUNTY_POPULATION_URL, SOURCE_TIMEOUT. REFRESH_TOKEN is unset.
start_service_on() {
    local port=$1 db=$2 log_file
    log_file="$BENCH_TMP/service-$port.log"
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    (cd "$BENCH_TMP" && exec env -u REFRESH_TOKEN -u DWH_DIR \
        PORT="$port" DB_HOST="$PG_HOST" DB_PORT="$PG_PORT" POSTGRES_DB="$db" POSTGRES_USER="$PG_USER" \
        POSTGRES_PASSWORD="" java -Xmx"$SERVICE_XMX" ${JAVA_OPTS:-} -jar "$JAR" serve) >"$log_file" 2>&1 &
    SERVICE_PID=$!
    BENCH_PIDS+=("$SERVICE_PID")
    leftover pid "$SERVICE_PID"
    if ! wait_http "http://127.0.0.1:$port/ratios" 180 "$SERVICE_PID"; then
        tail -n 30 "$log_file" >&2 || true
        die "the service did not start on port $port (log: $log_file)"
    fi
    wait_warm_up "$log_file"
}

# Once it serves, the service runs a refresh's Java work on generated data, then rehearses a whole
# refresh twice on the last good load (rolled back), so that the JIT has compiled it before the
# first refresh (dev.statedoses.WarmUp, about two seconds of one core; its `warm-up:` line comes
# last). Wait for it to end, so that no timed run, and no baseline, shares the CPU with it; a jar
# built before it (no WarmUp class) is not waited for.
wait_warm_up() {
    local log_file=$1 deadline
    python3 -c 'import sys, zipfile; sys.exit("dev/statedoses/WarmUp.class" not in zipfile.ZipFile(sys.argv[1]).namelist())' \
        "$JAR" || return 0
    deadline=$((SECONDS + 60))
    until grep -q "WarmUp warm-up" "$log_file"; do
        ((SECONDS < deadline)) || { log "the service's warm-up did not end within 60 s: measuring anyway"; return 0; }
        sleep 0.1
    done
    log "$(grep -o "warm-up: .*" "$log_file" | head -n 1)"
}

# Stops the service started last: SIGTERM, then (after 30 s) SIGKILL. Its warehouse is the
# machine's PostgreSQL, which it does not own.
stop_service() {
    [[ -n $SERVICE_PID ]] || return 0
    stop_pid "$SERVICE_PID" 30
    SERVICE_PID=""
}

# SIGTERM to pid $1, wait at most $2 seconds, then SIGKILL.
stop_pid() {
    local pid=$1 seconds=$2 deadline
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + seconds))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

bench_cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_service
    local i
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${BENCH_PIDS[$i]}" 10
    done
    local db
    for db in "${BENCH_DBS[@]}"; do
        "${PSQL[@]}" -d postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
    done
    if [[ -n ${BENCH_TMP:-} && -d $BENCH_TMP && ${KEEP_TMP:-0} != 1 ]]; then
        rm -rf "$BENCH_TMP"
    fi
    # All stopped and dropped: nothing is left for the next run to clean (one script runs at a time).
    : >"$BENCH_LEFTOVERS" 2>/dev/null || true
    bench_unlock
    exit "$status"
}

# Median of the numbers on stdin (one per line).
median() {
    python3 -c '
import statistics, sys
values = [float(v) for v in sys.stdin.read().split()]
middle = statistics.median(values) if values else None
print("n/a" if middle is None else f"{middle:.0f}" if middle.is_integer() else f"{middle:.1f}")'
}

# Loads the product before a measurement: one POST /refresh to the service on port $1 (at most
# 120 s); dies unless it answers 200.
load_product() {
    local code
    rm -f "$BENCH_TMP/refresh.json"
    code=$(curl -s -m 120 -o "$BENCH_TMP/refresh.json" -w '%{http_code}' -X POST "http://127.0.0.1:$1/refresh" ||
        true)
    [[ $code == 200 ]] || die "POST /refresh answered ${code:-nothing}: $(head -c 400 "$BENCH_TMP/refresh.json" 2>/dev/null)"
}

# RESULTS_DIR must take the results before anything is measured: one that could not be written
# failed a run only at its end, its minutes of figures lost (tee's error, after the table).
results_writable() {
    local probe file
    mkdir -p -- "$RESULTS_DIR" 2>/dev/null || die "RESULTS_DIR $RESULTS_DIR cannot be made: set RESULTS_DIR to a writable directory"
    probe=$(mktemp "$RESULTS_DIR/.writable.XXXXXX" 2>/dev/null) \
        || die "RESULTS_DIR $RESULTS_DIR cannot be written: set RESULTS_DIR to a writable directory"
    rm -f -- "$probe"
    for file in "$RESULTS_DIR"/*.md; do
        [[ ! -e $file || -w $file ]] || die "$file cannot be written, and a run replaces it: make it writable, or set RESULTS_DIR"
    done
}
# Logs the line of one run and keeps it in RUN_LINES, which the results file ends with.
RUN_LINES=""
keep_run_line() {
    log "$1"
    RUN_LINES+="    $1"$'\n'
}

# Writes stdin to the results file $1 (under RESULTS_DIR), replacing the last run's, and echoes it:
# bench/results keeps the latest run of each script; git keeps the history.
record() {
    mkdir -p "$RESULTS_DIR"
    tee "$RESULTS_DIR/$1"
}

# Appends one line "| figure | measured | target | met |" to the summary rows file of this run
# ($BENCH_SUMMARY, when bench/run.sh set it), for bench/results/summary.md.
summary_row() {
    [[ -n ${BENCH_SUMMARY:-} ]] || return 0
    printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$BENCH_SUMMARY"
}

# "met" or "NOT met" for python expression $1 over the numbers that follow (a, b, c...).
verdict() {
    python3 - "$@" <<'EOF'
import sys
expr, *values = sys.argv[1:]
names = dict(zip("abcdef", map(float, values)))
print("met" if eval(expr, {}, names) else "NOT met")
EOF
}

# Starts nginx serving directory $1 on 127.0.0.1:$2 as the sources' upstream: one worker, access log
# off, and (nginx's defaults) an ETag and a Last-Modified with each file, honouring If-None-Match and
# If-Modified-Since with 304, as S3 does. Symbolic links are followed on every request.
start_source_server() {
    start_nginx "$2" "root $1;" "etag on; default_type text/csv;"
}
