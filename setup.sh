#!/usr/bin/env bash
# Build and start state-doses, run one refresh, print the table and how to reach it.
#
#   ./setup.sh            (from any directory) keeps the warehouse of an earlier run
#   ./setup.sh --fresh    starts from an empty warehouse: deletes the docker warehouse
#                         volume, or in local mode the embedded warehouse's data
#                         directory (.dwh/, or DWH_DIR), after stopping what ran
#   ./setup.sh --help     (or -h) print this and exit
#
# With a reachable Docker engine: builds the image state-doses:latest with Jib,
# recreates the docker-compose containers (PostgreSQL "dwh" + service "etl"; the
# warehouse volume dwh-data is kept unless --fresh), runs one refresh in a one-off
# container and prints the table.
# Without one: builds service/target/service.jar and runs it locally in the
# background; the jar starts its own embedded PostgreSQL 16 (data in .dwh/, kept
# unless --fresh). setup.sh records the PIDs of both in .run/service.pid and
# .run/warehouse.pid, so that ./teardown.sh stops exactly those.
# ./teardown.sh stops either.
#
# Optional environment:
#   PORT            HTTP port on this machine (default 8080)
#   DB_PORT         local mode: the embedded warehouse's port (default 54320); give each
#                   checkout run at the same time its own, as PORT
#   DWH_PORT        docker mode: host port for the dwh container (default 5432,
#                   or 55432 when something already listens on 5432)
#   MODERNA_URL, PFIZER_URL, COUNTY_POPULATION_URL
#                   source URLs (default: the copies in ../shared/data when that folder
#                   exists beside the project, else the AWS covid19-lake files). file: URLs
#                   work, which is handy offline; use absolute paths, e.g.
#                     MODERNA_URL=file:$PWD/../shared/data/cdc-moderna-covid-19-vaccine-distribution-by-state.csv \
#                     PFIZER_URL=file:$PWD/../shared/data/cdc-pfizer-covid-19-vaccine-distribution-by-state.csv \
#                     COUNTY_POPULATION_URL=file:$PWD/../shared/data/County_Population.csv \
#                     ./setup.sh
#                   In docker mode an http(s) URL goes to the etl service (for its own
#                   refreshes: POST /refresh, the dashboard, REFRESH_INTERVAL) and to
#                   the first refresh; a file: URL goes to that first refresh only,
#                   which runs in a one-off container: setup.sh mounts each file's
#                   directory read-only at the same path for that run, and says so.
#   SOURCE_TIMEOUT  seconds allowed per source download (default 60)
#   REFRESH_INTERVAL  refresh by itself this often (6h, 30m, ...; default: no schedule)
#   RUN_LOG_DAYS    days of runs the run log keeps (default: every run)
#   DWH_DIR         local mode: the embedded warehouse's data directory (default .dwh,
#                   relative to the project)
#
# One setup.sh or teardown.sh runs at a time in a checkout (.run.lock): another exits 1.
# Ctrl-C before the service answers stops it again.
#
# Exit codes: 0 done, 1 failed (the message says which step), 2 an unknown option.
# Run by sh (`sh setup.sh`), go on in bash, which the rest is written for: sh stopped at
# `set -o pipefail` with exit 2, the code of an unknown option.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

# Work from the project directory, wherever we were called from, and through a link to this file
# (the directory is the file's, not the link's); the hints printed at the end name files by
# absolute path, quoted for the shell, so they work from anywhere too.
script="${BASH_SOURCE[0]}"
while [[ -L "$script" ]]; do
  link="$(readlink -- "$script")"
  [[ "$link" == /* ]] || link="$(dirname -- "$script")/${link}"
  script="$link"
done
cd -P -- "$(dirname -- "$script")"
root="$(pwd -P)"
# docker_engine_reachable, alive, started, take_lock, owner_pid, quoted: shared with teardown.sh, which must agree.
# shellcheck source=scripts/common.sh
source ./scripts/common.sh

# The header above, without its comment marks.
usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${root}/setup.sh"; }

fresh=false
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=true ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'setup.sh: unknown option: %s\n\n' "$arg" >&2; usage >&2; exit 2 ;;
  esac
done
take_lock setup.sh

# A value of .env as docker compose reads it: the last one, without a pair of quotes around it
# (REFRESH_TOKEN="abc" is abc to compose; kept with its quotes, the local run got another token).
env_file_value() {
  [[ ! -f .env ]] || sed -n "s/^$1=//p" .env | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\\(.*\\)'\$/\\1/"
}
# Sets NAME=VALUE in .env, in place of any line for NAME (a blank one too): one line per name, so
# the hints, which read the file with sed, find exactly one value.
set_env_file_value() {
  if [[ -f .env ]]; then
    local kept
    kept="$(grep -v "^$1=" .env || true)"
    printf '%s\n' "$kept" | sed '/^$/d' >.env
  fi
  printf '%s=%s\n' "$1" "$2" >>.env
}

# PORT as the service reads it (stripped, blank for unset), and one this script can wait on and
# print: PORT=0 (any free port) suits the service alone, since the hints and the wait need the port.
# Unset here, the one .env keeps (docker mode writes there the ports it used, for compose).
PORT="$(printf '%s' "${PORT:-$(env_file_value PORT)}" | tr -d '[:space:]')"
export PORT="${PORT:-8080}"
if [[ ! "$PORT" =~ ^[0-9]{1,5}$ ]] || (( 10#$PORT < 1 || 10#$PORT > 65535 )); then
  printf 'setup.sh: PORT must be a port from 1 to 65535 (setup.sh waits on it and prints it), not %s\n' "$PORT" >&2
  exit 2
fi
export PORT="$((10#$PORT))"

# POST /refresh needs this token. It lives in .env (git-ignored; docker compose reads it too),
# made once with a random value, and is never printed: the hints below read it from the file.
# A blank one counts as none: the service refuses to start with a blank token.
token_in_env_file() { env_file_value REFRESH_TOKEN; }
if [[ -z "$(token_in_env_file | tr -d '[:space:]')" ]]; then
  set_env_file_value REFRESH_TOKEN "$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  echo "Made a refresh token in .env (POST /refresh needs it)."
fi
REFRESH_TOKEN="$(token_in_env_file)"
export REFRESH_TOKEN

# The password of dwh_reader, the read-only warehouse login for psql and BI tools, lives in .env
# too, made once; the service gives it to the role at start. Never printed: the hints read it.
reader_password_in_env_file() { env_file_value DWH_READER_PASSWORD; }
if [[ -z "$(reader_password_in_env_file | tr -d '[:space:]')" ]]; then
  set_env_file_value DWH_READER_PASSWORD "$(od -An -tx1 -N18 /dev/urandom | tr -d ' \n')"
  echo "Made a password for the read-only warehouse login dwh_reader in .env."
fi
DWH_READER_PASSWORD="$(reader_password_in_env_file)"
export DWH_READER_PASSWORD

# The copies of the three sources in ../shared/data (beside this project, when it is there) are
# used unless a source URL is given: they work offline and hold the complete weekly series.
shared_data="$(cd .. && pwd -P)/shared/data"
readonly SOURCE_VARS=(MODERNA_URL PFIZER_URL COUNTY_POPULATION_URL)
readonly SOURCE_FILES=(cdc-moderna-covid-19-vaccine-distribution-by-state.csv
                       cdc-pfizer-covid-19-vaccine-distribution-by-state.csv
                       County_Population.csv)
# The service's own defaults when a variable is unset (Config.DEFAULT_*_URL; ConfigTest checks
# that these are the same).
readonly LAKE=https://covid19-lake.s3.us-east-2.amazonaws.com
readonly SOURCE_DEFAULTS=(
  "${LAKE}/cdc-moderna-vaccine-distribution/csv/cdc-moderna-covid-19-vaccine-distribution-by-state.csv"
  "${LAKE}/cdc-pfizer-vaccine-distribution/csv/cdc-pfizer-covid-19-vaccine-distribution-by-state.csv"
  "${LAKE}/static-datasets/csv/CountyPopulation/County_Population.csv")
# Unset here, the URLs .env holds (compose passes them to the service too).
for var in "${SOURCE_VARS[@]}"; do
  if [[ -z "${!var:-}" && -n "$(env_file_value "$var")" ]]; then
    export "${var}=$(env_file_value "$var")"
  fi
done
if [[ -z "${MODERNA_URL:-}${PFIZER_URL:-}${COUNTY_POPULATION_URL:-}" && -f "${shared_data}/County_Population.csv" ]]; then
  sources_from="the local copies in ${shared_data}"
  for i in 0 1 2; do
    export "${SOURCE_VARS[$i]}=$(file_url "${shared_data}/${SOURCE_FILES[$i]}")"
  done
elif [[ -n "${MODERNA_URL:-}${PFIZER_URL:-}${COUNTY_POPULATION_URL:-}" ]]; then
  sources_from="the URLs you set, here or in .env (the service's default for any left unset)"
else
  sources_from="the service's defaults, the AWS COVID-19 data lake (no offline copies in ${shared_data})"
fi
echo "Sources: ${sources_from}:"
for i in 0 1 2; do
  var="${SOURCE_VARS[$i]}"
  url="${!var:-${SOURCE_DEFAULTS[$i]}}"
  # A query may hold a signature or token (a pre-signed URL): the service shows it redacted, we not at all.
  [[ "$url" != *\?* ]] || url="${url%%\?*}?… (query not shown)"
  printf '  %-22s %s\n' "${var}" "${url}"
done
readonly WAIT_SECONDS=120

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed or not on PATH. $2"; }

# Is something accepting TCP connections on 127.0.0.1:$1 or [::1]:$1, where localhost may go?
# (bash's /dev/tcp, no extra tools)
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null; }

# The liveness probe answering: the service is up (a new warehouse is not ready until the first
# refresh, which this script runs next).
ready() { curl -fsS -o /dev/null --max-time 3 "http://localhost:${PORT}/health/live" 2>/dev/null; }

# After a failed first refresh: where the offline copies are expected, and how to point at files.
source_help() {
  cat >&2 <<EOF

If the sources could not be fetched (no network, say), use local copies: setup.sh takes them
from ${shared_data}/ when that folder holds
  ${SOURCE_FILES[0]}
  ${SOURCE_FILES[1]}
  ${SOURCE_FILES[2]}
and no source URL is set. Or point at files anywhere, with absolute file: URLs:
  MODERNA_URL=file:/path/to/${SOURCE_FILES[0]} \\
  PFIZER_URL=file:/path/to/${SOURCE_FILES[1]} \\
  COUNTY_POPULATION_URL=file:/path/to/${SOURCE_FILES[2]} \\
  $(quoted "${root}/setup.sh")
EOF
}

# What to do next, in both modes; every path is absolute, so the lines work from any directory.
closing_hints() {
  cat <<EOF
Dashboard:  http://localhost:${PORT}/
API docs:   http://localhost:${PORT}/docs
API:
  curl -s localhost:${PORT}/ratios
  curl -s localhost:${PORT}/ratios/NY
  curl -s localhost:${PORT}/health/ready
  curl -s -X POST -H "Authorization: Bearer \$(sed -n "s/^REFRESH_TOKEN=[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}\\\$/\1/p" $(quoted "${root}/.env"))" localhost:${PORT}/refresh
EOF
}

# A value from database.env, so the printed hints match what compose uses.
env_value() { sed -n "s/^$1=//p" database.env | tail -n 1; }

run_docker() {
  need mvn "Install Maven 3.8+ and a JDK 17+ (Jib builds the image from the Maven build)."
  need curl "It is used to wait for the service to answer."

  local compose
  if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
  else
    die "A Docker engine is reachable but neither 'docker compose' nor 'docker-compose' is installed."
  fi

  # The host often runs its own PostgreSQL on 5432; publish the container elsewhere then.
  DWH_PORT="${DWH_PORT:-$(env_file_value DWH_PORT)}"
  if [[ -z "${DWH_PORT:-}" ]] && port_busy 5432; then
    DWH_PORT=55432
    echo "Port 5432 is taken on this machine: publishing the dwh container on ${DWH_PORT} instead."
  fi
  export DWH_PORT="${DWH_PORT:-5432}"
  # Kept in .env, which compose reads: a later `docker compose up` by hand (or the scale profile)
  # publishes the same ports, not the defaults (5432 may be the host's own PostgreSQL).
  set_env_file_value DWH_PORT "$DWH_PORT"
  set_env_file_value PORT "$PORT"

  # Build first: if the build fails, the previous stack keeps running untouched.
  say "Building the jar and the image state-doses:latest (Maven + Jib)"
  trap 'printf "\nsetup.sh: interrupted during the build; the previous stack, if any, runs untouched.\n" >&2; exit 130' INT
  trap 'printf "\nsetup.sh: stopped during the build; the previous stack, if any, runs untouched.\n" >&2; exit 143' TERM
  # The image runs on Linux: both Linux PostgreSQL servers go in, never a Mac's.
  mvn -B -DskipTests -P 'image-platforms,!postgres-macos-x86-64,!postgres-macos-arm64' package jib:dockerBuild
  trap - INT TERM

  # Replace the containers of the last run (and stop a local run that would hold port ${PORT}).
  # The warehouse volume stays, with its product and refresh log, unless --fresh asks for an
  # empty one: an operator running setup again must not lose the warehouse.
  if [[ "$fresh" == true ]]; then
    say "Removing the previous run and its warehouse volume (--fresh)"
    ./teardown.sh --volumes
  else
    say "Removing the previous run (the warehouse volume is kept; --fresh deletes it)"
    ./teardown.sh
  fi

  # The service's own refreshes read MODERNA_URL and the others from compose: an http(s) URL set
  # here goes to it, a file: URL does not (its file is not in the container; the first refresh
  # below mounts it for itself alone).
  local up_env=() file_sources=false
  for var in "${SOURCE_VARS[@]}"; do
    if [[ "${!var:-}" == file:* ]]; then
      up_env+=(-u "$var")
      file_sources=true
    fi
  done
  say "Starting the stack (dwh, etl)"
  env ${up_env[@]+"${up_env[@]}"} "${compose[@]}" up -d

  say "Waiting up to ${WAIT_SECONDS}s for http://localhost:${PORT}/health/live"
  local waited=0
  until ready; do
    if (( waited >= WAIT_SECONDS )); then
      "${compose[@]}" ps || true
      "${compose[@]}" logs --tail 50 etl dwh || true
      die "the etl service did not answer within ${WAIT_SECONDS}s (logs above)."
    fi
    sleep 2
    waited=$((waited + 2))
  done
  echo "Service is up."

  # The one-off refresh container gets every source URL that is set, file: ones included:
  # a file: URL is read inside the container, so mount its directory there at the same path.
  local run_args=() var value path
  for var in "${SOURCE_VARS[@]}"; do
    value="${!var:-}"
    [[ -n "$value" ]] || continue
    run_args+=(-e "${var}=${value}")
    if [[ "$value" == file:* ]]; then
      path="${value#file:}"
      [[ "$path" == /* ]] || die "${var}: use an absolute file: URL (got ${value})"
      path="/${path#"${path%%[!/]*}"}"   # file:/x and file:///x -> /x
      [[ -f "$path" ]] || die "${var}: no such file: ${path}"
      run_args+=(-v "$(dirname "$path"):$(dirname "$path"):ro")
    fi
  done
  [[ -z "${SOURCE_TIMEOUT:-}" ]] || run_args+=(-e "SOURCE_TIMEOUT=${SOURCE_TIMEOUT}")

  say "Running one refresh (fetch sources, rebuild dwh.state_doses)"
  # Jib's entrypoint is `java ... dev.statedoses.Main`, so "refresh" becomes its argument.
  # (The ${a[@]+...} form keeps an empty array from tripping `set -u` on bash 3.2, e.g. macOS.)
  if ! "${compose[@]}" run --rm ${run_args[@]+"${run_args[@]}"} etl refresh; then
    source_help
    die "the first refresh failed (output above). The stack is still running; stop it with $(quoted "${root}/teardown.sh")"
  fi

  local db user
  db="$(env_value POSTGRES_DB)"
  user="$(env_value POSTGRES_USER)"
  say "Done. The stack keeps running."
  closing_hints
  if [[ "$file_sources" == true ]]; then
    cat <<EOF

Note: that first refresh read local files. The etl service's own refreshes (POST /refresh, the
dashboard's Refresh now, REFRESH_INTERVAL) cannot see them: they fetch the service's defaults,
the AWS COVID-19 data lake, whose Moderna and Pfizer files stop after 1000 rows, so their numbers
will differ from this first product (docs/data.md). To refresh from elsewhere, set MODERNA_URL,
PFIZER_URL and COUNTY_POPULATION_URL to http(s) URLs in ${root}/.env, then run ./setup.sh again.
EOF
  fi
  cat <<EOF

Warehouse, read-only (psql inside the dwh container):
  ${compose[*]} -f $(quoted "${root}/docker-compose.yml") exec dwh psql -U dwh_reader ${db} -c 'select * from dwh.state_doses'
or from this machine (the password is in ${root}/.env):
  PGPASSWORD="\$(sed -n "s/^DWH_READER_PASSWORD=[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}\\\$/\1/p" $(quoted "${root}/.env"))" psql -h 127.0.0.1 -p ${DWH_PORT} -U dwh_reader ${db} -c 'select * from dwh.state_doses'
(as the owner, ${user}, to change things: password in ${root}/database.env)

Logs:  ${compose[*]} -f $(quoted "${root}/docker-compose.yml") logs -f etl
Stop:  $(quoted "${root}/teardown.sh")            (keeps the warehouse volume)
       $(quoted "${root}/teardown.sh") --volumes  (also deletes it)
EOF
}

# The embedded warehouse unless the caller pointed the service at another PostgreSQL.
warehouse_hint() {
  if [[ -z "${DB_HOST:-}" ]]; then
    echo "Warehouse (embedded PostgreSQL, read-only login dwh_reader; the owner is postgres; local logins need no password):"
    echo "  psql -h 127.0.0.1 -p ${DB_PORT:-54320} -U dwh_reader ${POSTGRES_DB:-dwh} -c 'select * from dwh.state_doses'"
  else
    echo "Warehouse (DB_HOST=${DB_HOST}):"
    echo "  psql -h ${DB_HOST} -p ${DB_PORT:-5432} -U ${POSTGRES_USER:-postgres} ${POSTGRES_DB:-dwh} -c 'select * from dwh.state_doses'"
  fi
}

# --fresh in local mode: delete the embedded warehouse's data directory, once nothing runs on it.
# Only a PostgreSQL data directory (or an empty one) is deleted: DWH_DIR may name anything.
remove_local_warehouse() {
  [[ -d "$dwh_dir" ]] || { echo "No local warehouse to delete (${dwh_dir})."; return 0; }
  local dir pid
  dir="$(cd "$dwh_dir" && pwd -P)"
  if [[ -f "${dir}/postmaster.pid" ]]; then
    pid="$(head -n 1 "${dir}/postmaster.pid" | tr -dc '0-9')"
    if [[ -n "$pid" ]] && alive "$pid"; then
      die "--fresh: a PostgreSQL server still runs on ${dir} (see above); stop it, then run ./setup.sh --fresh again."
    fi
  fi
  if [[ ! -f "${dir}/PG_VERSION" && -n "$(ls -A "$dir")" ]]; then
    die "--fresh: ${dir} is not a PostgreSQL data directory (no PG_VERSION); not deleting it."
  fi
  rm -rf -- "$dir"
  echo "Deleted the local warehouse ${dir} (--fresh)."
}

# Record the embedded PostgreSQL the service $1 started, for ./teardown.sh: it stops with the
# service, except when the service is killed outright. The service records itself as the
# server's owner (state-doses.owner); a server it joined, started by another process still
# running, is that process's to stop and is not recorded.
record_warehouse() {
  local service=$1 dir pid owner
  [[ -z "${DB_HOST:-}" ]] || return 0   # not embedded: the warehouse is not ours
  if ! dir="$(cd "$dwh_dir" 2>/dev/null && pwd -P)"; then
    echo "No ${dwh_dir}: the embedded PostgreSQL is not recorded."
    return 0
  fi
  pid="$(head -n 1 "${dir}/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true)"
  owner="$(owner_pid "$dir")"
  if [[ -z "$pid" ]]; then
    echo "No ${dir}/postmaster.pid: the embedded PostgreSQL is not recorded."
  elif [[ "$owner" != "$service" ]]; then
    echo "The embedded PostgreSQL on ${dir} was started by another process still running (PID ${owner:-?}); ./teardown.sh leaves it to that process."
  else
    printf '%s\n%s\n%s\n%s\n' "$pid" "$(started "$pid")" "$dir" "$root" >.run/warehouse.pid
    echo "Embedded PostgreSQL: PID ${pid}, data in ${dir}."
  fi
}

run_local() {
  local dwh_dir="${DWH_DIR:-.dwh}"
  # The service refuses these too, but only after the build: pg_ctl starts PostgreSQL through a
  # shell, which would read them in the data directory's path as its own. A relative DWH_DIR
  # with .. in it is left to the service, which judges the path once resolved.
  local dwh_path="$dwh_dir"
  [[ "$dwh_path" == /* ]] || dwh_path="${root}/${dwh_path}"
  if [[ -z "${DB_HOST:-}" && -z "${DATABASE_URL:-}" && "$dwh_path" == *[\$\`\"\\]* \
        && ( "$dwh_dir" == /* || "$dwh_dir" != *..* ) ]]; then
    die "the embedded warehouse's data directory ${dwh_path} has a \$, \`, \" or \\ in its path, which PostgreSQL's pg_ctl passes through a shell; set DWH_DIR to a directory without them."
  fi

  need java "Install a JDK/JRE 17+ (or start Docker and run ./setup.sh again)."
  need mvn "Install Maven 3.8+ (or start Docker and run ./setup.sh again)."
  need curl "It is used to wait for the service to answer."

  if [[ "$fresh" == true && -n "${DB_HOST:-}" ]]; then
    die "--fresh deletes the embedded warehouse only; with DB_HOST set, reset that warehouse yourself."
  fi

  # Stop a previous local run: it would hold the port and the embedded warehouse.
  say "Stopping a previous run, if any"
  ./teardown.sh

  if [[ "$fresh" == true ]]; then
    say "Deleting the local warehouse (--fresh)"
    remove_local_warehouse
  fi

  if port_busy "$PORT"; then
    die "port ${PORT} is already in use by another program; free it or run with PORT=<other port> ./setup.sh"
  fi

  say "Building service/target/service.jar"
  # Interrupted here, Maven exits 130 and setup.sh ended with it, saying nothing, where the
  # previous run was already stopped above: say what is left.
  trap 'printf "\nsetup.sh: interrupted during the build; no service of this checkout runs now (the previous one, if any, was stopped above). Run ./setup.sh again.\n" >&2; exit 130' INT
  trap 'printf "\nsetup.sh: stopped during the build; no service of this checkout runs now (the previous one, if any, was stopped above).\n" >&2; exit 143' TERM
  mvn -B -q -DskipTests package
  trap - INT TERM
  [[ -f service/target/service.jar ]] || die "the build did not produce service/target/service.jar"

  say "Starting the service in the background (log: .run/service.log)"
  mkdir -p .run
  # Interrupted before the service answers (Ctrl-C): it would run on unseen, started in the
  # background where SIGINT does not reach it. Stop it, and its warehouse, as teardown.sh does.
  trap 'printf "\nsetup.sh: interrupted; stopping the service it started.\n" >&2; ./teardown.sh >&2; exit 130' INT
  trap 'printf "\nsetup.sh: stopped; stopping the service it started.\n" >&2; ./teardown.sh >&2; exit 143' TERM
  # nohup + redirects: the service outlives this script and its terminal.
  nohup java -jar service/target/service.jar serve >.run/service.log 2>&1 </dev/null &
  local pid=$!
  # The PID and when it started: ./teardown.sh signals the PID only while it is still this process.
  printf '%s\n%s\n%s\n' "$pid" "$(started "$pid")" "$root" >.run/service.pid
  echo "PID ${pid}"

  say "Waiting up to ${WAIT_SECONDS}s for http://localhost:${PORT}/health/live"
  local waited=0
  until ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "--- last lines of .run/service.log ---" >&2
      tail -n 40 .run/service.log >&2 || true
      # A PostgreSQL it started may be left (it died before stopping it): teardown.sh stops one
      # whose owner no longer runs.
      ./teardown.sh >&2
      die "the service exited during startup (log above). If the log says the warehouse's data directory is damaged (a start killed while it was being made), ./setup.sh --fresh starts from an empty one."
    fi
    if (( waited >= WAIT_SECONDS )); then
      echo "--- last lines of .run/service.log ---" >&2
      tail -n 40 .run/service.log >&2 || true
      die "the service did not answer within ${WAIT_SECONDS}s; it is still running (PID ${pid}), stop it with $(quoted "${root}/teardown.sh")"
    fi
    sleep 2
    waited=$((waited + 2))
  done
  echo "Service is up."
  record_warehouse "$pid"
  # Interrupted during the first refresh, the refresh rolls back and exits 130 (143), which read
  # as a failed refresh and brought the advice on source URLs: the service is up, and says so.
  trap 'printf "\nsetup.sh: interrupted during the first refresh, which is rolled back; the service keeps running (PID %s). Refresh with: java -jar service/target/service.jar refresh; stop it with %s\n" "$pid" "$(quoted "${root}/teardown.sh")" >&2; exit 130' INT
  trap 'printf "\nsetup.sh: stopped during the first refresh, which is rolled back; the service keeps running (PID %s); stop it with %s\n" "$pid" "$(quoted "${root}/teardown.sh")" >&2; exit 143' TERM

  say "Running one refresh (fetch sources, rebuild dwh.state_doses)"
  # A second JVM: it joins the embedded warehouse the running service started, and leaves it running.
  if ! java -jar service/target/service.jar refresh; then
    source_help
    die "the first refresh failed (output above). The service is still running; see $(quoted "${root}/.run/service.log"), stop it with $(quoted "${root}/teardown.sh")"
  fi
  trap - INT TERM

  say "Done. The service keeps running in the background (PID ${pid})."
  closing_hints
  cat <<EOF

$(warehouse_hint)

Logs:  tail -f $(quoted "${root}/.run/service.log")
Stop:  $(quoted "${root}/teardown.sh")
EOF
}

if docker_engine_reachable; then
  run_docker
else
  say "No Docker engine found (docker info failed): running the service locally instead."
  run_local
fi
