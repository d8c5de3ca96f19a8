# shellcheck shell=bash
# shellcheck disable=SC2034 # globals read by the scripts that source this file
# Shared helpers for the bench/*.sh scripts (sourced, not run). Nothing here sends traffic
# anywhere but 127.0.0.1, and every wait is bounded in time.
#
# The scripts set BENCH_TMP (a scratch directory) and call bench_cleanup from their EXIT trap,
# which stops every process these helpers started (by pid) and deletes BENCH_TMP.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
JAR=${JAR:-$REPO_DIR/service/target/service.jar}
DATA_DIR=${DATA_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/data}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
MODERNA_FILE=cdc-moderna-covid-19-vaccine-distribution-by-state.csv
PFIZER_FILE=cdc-pfizer-covid-19-vaccine-distribution-by-state.csv
POPULATION_FILE=County_Population.csv

BENCH_PIDS=()      # processes we started, stopped in reverse order by bench_cleanup
SERVICE_PID=""
SERVICE_DWH_DIR=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (apt-get install -y $tool)"
    done
}

check_jar() {
    [[ -f $JAR ]] || die "no jar at $JAR: build it (cd $REPO_DIR && mvn -B -q -DskipTests package) or set JAR"
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

# Waits (at most $2 seconds) until $1 answers with an HTTP status below 500.
wait_http() {
    local url=$1 seconds=$2 deadline
    deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        local code
        code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)
        if [[ $code =~ ^[1-4][0-9][0-9]$ ]]; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# Serves directory $1 on 127.0.0.1:$2: with nginx when installed (sendfile, little CPU), else
# python3 -m http.server. Sets STATIC_KIND.
start_static_server() {
    local dir=$1 port=$2
    if command -v nginx >/dev/null 2>&1; then
        STATIC_KIND=nginx
        local conf_dir="$BENCH_TMP/nginx-static-$port"
        mkdir -p "$conf_dir"
        cat >"$conf_dir/nginx.conf" <<EOF
worker_processes 1;
pid $conf_dir/nginx.pid;
error_log $conf_dir/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    default_type text/csv;
    client_body_temp_path $conf_dir/client_body;
    proxy_temp_path $conf_dir/proxy;
    fastcgi_temp_path $conf_dir/fastcgi;
    uwsgi_temp_path $conf_dir/uwsgi;
    scgi_temp_path $conf_dir/scgi;
    server {
        listen 127.0.0.1:$port;
        root $dir;
    }
}
EOF
        start_nginx "$conf_dir"
    else
        STATIC_KIND=python3-http.server
        python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" >"$BENCH_TMP/http-$port.log" 2>&1 &
        BENCH_PIDS+=("$!")
    fi
    wait_http "http://127.0.0.1:$port/" 20 || die "static server on port $port did not start"
}

# Starts nginx in the foreground (daemon off) in the background of this shell, with the config
# $1/nginx.conf. The master runs as this user; when that is root, the workers run as nobody,
# so the served files must be world-readable.
start_nginx() {
    local conf_dir=$1
    nginx -e "$conf_dir/error.log" -p "$conf_dir" -c "$conf_dir/nginx.conf" -g 'daemon off;' \
        >"$conf_dir/stdout.log" 2>&1 &
    BENCH_PIDS+=("$!")
}

# Starts the service (serve) on $1 with an embedded warehouse on port $2 and data in $3.
# Extra JVM options in JAVA_OPTS (e.g. -Xmx256m). Source URLs and SOURCE_TIMEOUT come from the
# caller's MODERNA_URL, PFIZER_URL, COUNTY_POPULATION_URL, SOURCE_TIMEOUT. REFRESH_TOKEN is unset.
start_service() {
    local port=$1 db_port=$2 dwh_dir=$3 log_file
    log_file="$BENCH_TMP/service-$port.log"
    mkdir -p "$dwh_dir"
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    (cd "$BENCH_TMP" && exec env -u REFRESH_TOKEN -u DB_HOST \
        PORT="$port" DB_PORT="$db_port" DWH_DIR="$dwh_dir" \
        java ${JAVA_OPTS:-} -jar "$JAR" serve) >"$log_file" 2>&1 &
    SERVICE_PID=$!
    SERVICE_DWH_DIR=$dwh_dir
    BENCH_PIDS+=("$SERVICE_PID")
    if ! wait_http "http://127.0.0.1:$port/ratios" 180; then
        tail -n 30 "$log_file" >&2 || true
        die "the service did not start on port $port (log: $log_file)"
    fi
}

# Stops the service started last: SIGTERM, then (after 30 s) SIGKILL, and then the embedded
# PostgreSQL it started if that survived (its postmaster pid is in DWH_DIR/postmaster.pid).
stop_service() {
    [[ -n $SERVICE_PID ]] || return 0
    stop_pid "$SERVICE_PID" 30
    if [[ -n $SERVICE_DWH_DIR && -f $SERVICE_DWH_DIR/postmaster.pid ]]; then
        local pg_pid
        pg_pid=$(head -n1 "$SERVICE_DWH_DIR/postmaster.pid" 2>/dev/null || true)
        if [[ $pg_pid =~ ^[0-9]+$ ]] && kill -0 "$pg_pid" 2>/dev/null; then
            log "stopping the embedded PostgreSQL left by the service (pid $pg_pid)"
            stop_pid "$pg_pid" 20
        fi
    fi
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
    if [[ -n ${BENCH_TMP:-} && -d $BENCH_TMP && ${KEEP_TMP:-0} != 1 ]]; then
        rm -rf "$BENCH_TMP"
    fi
    exit "$status"
}

# Median of the numbers on stdin (one per line).
median() {
    python3 -c '
import statistics, sys
values = [float(v) for v in sys.stdin.read().split()]
print(f"{statistics.median(values):.1f}" if values else "n/a")'
}

# Appends stdin to the results file $1 (under RESULTS_DIR) and echoes it.
record() {
    mkdir -p "$RESULTS_DIR"
    tee -a "$RESULTS_DIR/$1"
}
