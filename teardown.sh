#!/usr/bin/env bash
# Stop what setup.sh started, in either mode (from any directory).
#
#   ./teardown.sh              stop; keep the warehouse data
#   ./teardown.sh --volumes    (or -v) docker mode: also delete the dwh volume
#   ./teardown.sh --help       (or -h) print this and exit
#
# Docker mode: `docker compose down` with the scale profile (etl-2, etl-3, proxy) when
# the compose project has containers (with -v: always, to drop the volume too). No
# --remove-orphans: another project in a directory of the same name is no orphan of ours.
# Local mode: stops exactly the processes setup.sh recorded, each only while its PID
# still is that process (the same start time; PIDs get reused):
#   - the service in .run/service.pid: SIGTERM, then SIGKILL after 20 s. It stops its
#     embedded PostgreSQL as it exits.
#   - that PostgreSQL, in .run/warehouse.pid, if it still runs (the service was killed
#     outright): SIGINT, PostgreSQL's fast shutdown (SIGQUIT, its immediate one, after 30 s).
#     If the service that started it still runs, though .run/service.pid did not name it,
#     that service is stopped instead (when it is setup.sh's command in this directory), or
#     both are left.
# Then a PostgreSQL still running on the data directory (DWH_DIR, default .dwh/), as its
# postmaster.pid names it (one started by a `java -jar service.jar` by hand, say): stopped
# unless the process that started it, recorded in state-doses.owner there, still runs.
# Nothing found by name on the machine is ever touched.
# The local warehouse data is kept; ./setup.sh --fresh starts from an empty one.
# One setup.sh or teardown.sh runs at a time in a checkout (.run.lock): another exits 1.
# Exits 0 when there is nothing to stop.
# Run by sh, go on in bash (as setup.sh does).
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

# Work from the project directory, wherever we were called from, and through a link to this file
# (setup.sh's lines: they find scripts/common.sh, so they cannot live in it).
script="${BASH_SOURCE[0]}"
while [[ -L "$script" ]]; do
  link="$(readlink -- "$script")"
  [[ "$link" == /* ]] || link="$(dirname -- "$script")/${link}"
  script="$link"
done
cd -P -- "$(dirname -- "$script")"
root="$(pwd -P)"
# docker_engine_reachable, alive, started, take_lock, owner_pid: shared with setup.sh, which must agree.
# shellcheck source=scripts/common.sh
source ./scripts/common.sh

# The header above, without its comment marks.
usage() { sed -n '2,/^[^#]/s/^# \{0,1\}//p' "${root}/teardown.sh"; }

remove_volumes=false
for arg in "$@"; do
  case "$arg" in
    -v | --volumes) remove_volumes=true ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'teardown.sh: unknown option: %s\n\n' "$arg" >&2; usage >&2; exit 2 ;;
  esac
done
take_lock teardown.sh

# Line 1: the PID; line 2: when that process started (see started); warehouse.pid has the
# PostgreSQL data directory on line 3. Their last line (3 and 4) is the checkout setup.sh wrote
# them in: a .run/ copied from another checkout with the rest of the directory names that
# checkout's processes, running, with their starts, and is not this one's to stop. Files
# written before that line was added have none. setup.sh writes them.
readonly SERVICE_PID_FILE=.run/service.pid
readonly WAREHOUSE_PID_FILE=.run/warehouse.pid
readonly DWH_DIR="${DWH_DIR:-.dwh}"
did_something=false
service_stopped=false

say() { printf '%s\n' "$*"; }

# Is PID $1 alive and the process that started at $2 (as `started` put it)?
is_recorded() {
  [[ -n "$1" && -n "$2" ]] && alive "$1" && [[ "$(started "$1")" == "$2" ]]
}

# Wait up to $2 seconds for PID $1 to exit; true once it has.
wait_gone() {
  local pid=$1 tries=$(($2 * 2))
  while alive "$pid" && ((tries > 0)); do
    sleep 0.5
    tries=$((tries - 1))
  done
  ! alive "$pid"
}

stop_compose() {
  # docker-compose.yml requires REFRESH_TOKEN for every command, `down` too, though stopping uses
  # no token: a placeholder lets compose read the file without .env (it overrides .env's value,
  # which ps and down never look at).
  local token="REFRESH_TOKEN=${REFRESH_TOKEN:-not-needed-to-stop}"
  # The scale profile's services too (etl-2, etl-3, proxy): without it, docker compose v2's `down`
  # leaves them running, --remove-orphans or not, and a later setup would put the old image's
  # instances behind the proxy. Not --remove-orphans: a compose project is named after its
  # directory, and another project in a directory of the same name would count as our orphans.
  local profiles="COMPOSE_PROFILES=scale"
  local compose
  if docker compose version >/dev/null 2>&1; then
    compose=(env "$token" "$profiles" docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose=(env "$token" "$profiles" docker-compose)
  else
    say "A Docker engine is reachable but no docker compose is installed: skipping the compose stack."
    return 0
  fi

  # All containers of this project, stopped ones too (older docker-compose lacks -a).
  local ids
  ids="$("${compose[@]}" ps -a -q 2>/dev/null || "${compose[@]}" ps -q 2>/dev/null || true)"

  if [[ "$remove_volumes" == true ]]; then
    # Even without containers: a volume left by an earlier `./teardown.sh` goes too.
    "${compose[@]}" down -v
    say "Docker: removed the compose stack and its volumes."
    did_something=true
  elif [[ -n "$ids" ]]; then
    "${compose[@]}" down
    say "Docker: removed the compose stack (the dwh volume is kept; --volumes deletes it)."
    did_something=true
  fi
}

# Does PID $1 run the command setup.sh starts, from this directory (where /proc shows it)?
is_setup_service() {
  ps -p "$1" -o args= 2>/dev/null | grep -q 'java .*-jar service/target/service\.jar serve' || return 1
  if [[ -L "/proc/$1/cwd" ]]; then
    [[ "$(cd "/proc/$1/cwd" 2>/dev/null && pwd -P)" == "$(pwd -P)" ]]
  fi
}

# Was PID file $1 written by setup.sh in another checkout, $2 (its last line; empty in files
# written before it had one)? Then it says so, naming what it records ($3), removes the file and
# answers yes: those processes are that checkout's to stop.
copied_here() {
  [[ -n "$2" && "$2" != "$root" ]] || return 1
  say "Local: $1 was written by setup.sh in $2, not here (copied with the directory?): $3 is that checkout's to stop; removing the file."
  rm -f "$1"
  did_something=true
}

# Stop the service PID $1: SIGTERM, then SIGKILL after 20 s.
stop_service() {
  local pid=$1
  say "Local: stopping the service (PID ${pid})..."
  kill -TERM "$pid" 2>/dev/null || true
  # Its shutdown hook stops the embedded PostgreSQL too, which takes a few seconds.
  if ! wait_gone "$pid" 20; then
    say "Local: still running after 20 s, sending SIGKILL."
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || say "Local: PID ${pid} did not exit."
  fi
  say "Local: service stopped."
  service_stopped=true
}

stop_local_service() {
  [[ -f "$SERVICE_PID_FILE" ]] || return 0
  local pid start made_in ours=false
  pid="$(sed -n 1p "$SERVICE_PID_FILE" | tr -dc '0-9')"
  start="$(sed -n 2p "$SERVICE_PID_FILE")"
  made_in="$(sed -n 3p "$SERVICE_PID_FILE")"
  copied_here "$SERVICE_PID_FILE" "$made_in" "PID ${pid}" && return 0
  if [[ -n "$start" && -n "$made_in" ]]; then
    is_recorded "$pid" "$start" && ours=true
  elif [[ -n "$start" ]]; then
    # A file without its checkout: what the process runs, and where, has to say it too.
    is_recorded "$pid" "$start" && is_setup_service "$pid" && ours=true
  elif [[ -n "$pid" ]] && alive "$pid" && is_setup_service "$pid"; then
    # A file from a setup.sh that recorded no start time: what it runs, and where, has to do.
    ours=true
  fi

  if [[ "$ours" == true ]]; then
    stop_service "$pid"
  elif [[ -n "$start" ]] && is_recorded "$pid" "$start"; then
    say "Local: PID ${pid} in ${SERVICE_PID_FILE} runs, but not as this checkout's service; left running, removing the file."
  else
    say "Local: the service recorded in ${SERVICE_PID_FILE} no longer runs; removing the file."
  fi
  rm -f "$SERVICE_PID_FILE"
  did_something=true
}

# Is PID $1 a postgres server whose data directory is $2?
is_postgres_on() {
  local pid=$1 dir=$2 comm
  comm="$(ps -p "$pid" -o comm= 2>/dev/null || true)"
  [[ "$comm" == postgres* ]] || return 1
  # The postmaster's working directory is its data directory (Linux /proc);
  # otherwise look for the directory on its command line (-D <dir>).
  if [[ -r "/proc/$pid/cwd" ]] || [[ -L "/proc/$pid/cwd" ]]; then
    [[ "$(cd "/proc/$pid/cwd" 2>/dev/null && pwd -P)" == "$dir" ]] && return 0
  fi
  ps -p "$pid" -o args= 2>/dev/null | grep -qF -- "$dir"
}

# Stop the PostgreSQL server PID $1 on data directory $2: SIGINT is its fast shutdown (clients
# are disconnected, open transactions roll back); SIGTERM, its smart one, would wait for clients
# that may never leave. Never SIGKILL a postmaster: it would leave its server processes behind.
stop_postgres() {
  local pid=$1 dir=$2 tries=60
  say "Local: stopping the embedded PostgreSQL on ${dir} (PID ${pid})..."
  kill -INT "$pid" 2>/dev/null || true
  # It removes postmaster.pid as the last step of stopping.
  while alive "$pid" && [[ -f "${dir}/postmaster.pid" ]] && ((tries > 0)); do
    sleep 0.5
    tries=$((tries - 1))
  done
  if alive "$pid" && [[ -f "${dir}/postmaster.pid" ]]; then
    # Stuck (a server that never finished starting on a damaged data directory was): SIGQUIT,
    # its immediate shutdown, which the next start recovers from as from a crash.
    say "Local: PostgreSQL PID ${pid} did not stop within 30 s; sending SIGQUIT (immediate shutdown)."
    kill -QUIT "$pid" 2>/dev/null || true
    tries=20
    while alive "$pid" && ((tries > 0)); do
      sleep 0.5
      tries=$((tries - 1))
    done
  fi
  # It removes postmaster.pid a moment before it exits.
  if ! wait_gone "$pid" 5; then
    say "Local: PostgreSQL PID ${pid} did not stop; check it by hand."
  else
    say "Local: PostgreSQL stopped."
  fi
  did_something=true
}

# The service stops its own PostgreSQL as it exits; this catches one left running when the
# service was killed outright (kill -9, a crash), by the PID setup.sh recorded.
stop_recorded_warehouse() {
  [[ -f "$WAREHOUSE_PID_FILE" ]] || return 0
  local pid start dir made_in owner
  pid="$(sed -n 1p "$WAREHOUSE_PID_FILE" | tr -dc '0-9')"
  start="$(sed -n 2p "$WAREHOUSE_PID_FILE")"
  dir="$(sed -n 3p "$WAREHOUSE_PID_FILE")"
  made_in="$(sed -n 4p "$WAREHOUSE_PID_FILE")"
  copied_here "$WAREHOUSE_PID_FILE" "$made_in" "the PostgreSQL on ${dir}" && return 0
  if [[ -n "$dir" ]] && is_recorded "$pid" "$start" && is_postgres_on "$pid" "$dir"; then
    if owner_runs "$dir"; then
      # The service that started it still runs, though service.pid did not name it (the file
      # lost or overwritten): stopping the server would leave that service up without its
      # warehouse, and recorded nowhere.
      owner="$(owner_pid "$dir")"
      if is_setup_service "$owner"; then
        say "Local: the service that started the embedded PostgreSQL (PID ${owner}) still runs, though ${SERVICE_PID_FILE} did not name it."
        stop_service "$owner"
      else
        say "Local: the embedded PostgreSQL on ${dir} belongs to a process that still runs (PID ${owner}); leaving it. Stopping that process stops it."
        rm -f "$WAREHOUSE_PID_FILE"
        did_something=true
        return 0
      fi
    fi
    if alive "$pid"; then
      stop_postgres "$pid" "$dir"
    fi
  else
    if [[ "$service_stopped" == true ]]; then
      # With it, or before it (killed on its own): either way it no longer runs.
      say "Local: its embedded PostgreSQL no longer runs."
    else
      say "Local: the embedded PostgreSQL recorded in ${WAREHOUSE_PID_FILE} no longer runs."
    fi
  fi
  rm -f "$WAREHOUSE_PID_FILE"
  did_something=true
}

# Does the process recorded in $1/state-doses.owner (written by the Java process that started
# the server) still run? Its start is compared where both sides have clock ticks; else the PID
# alone decides, erring on the side of leaving a server to a process that may still use it.
owner_runs() {
  local file="$1/state-doses.owner" pid ticks now
  [[ -f "$file" ]] || return 1
  pid="$(owner_pid "$1")"
  ticks="$(sed -n 's/^start_ticks=//p' "$file" | tr -dc '0-9')"
  if [[ -z "$pid" ]] || ! alive "$pid"; then
    return 1
  fi
  now="$(started "$pid")"
  if [[ -z "$ticks" || "$now" != ticks:* ]]; then
    return 0
  fi
  [[ "$now" == "ticks:${ticks}" ]]
}

# A server on our data directory that setup.sh did not record: one started by a
# `java -jar service.jar` by hand. Found only through the data directory's postmaster.pid,
# never by name, so no other PostgreSQL on the machine is ever touched.
stop_unrecorded_postgres() {
  [[ -d "$DWH_DIR" ]] || return 0
  local pidfile datadir pid owner
  # postmaster.pid sits in the data directory: DWH_DIR itself or a folder inside it.
  for pidfile in "$DWH_DIR"/postmaster.pid "$DWH_DIR"/*/postmaster.pid; do
    [[ -f "$pidfile" ]] || continue
    datadir="$(cd "$(dirname "$pidfile")" && pwd -P)"
    pid="$(head -n 1 "$pidfile" | tr -dc '0-9')"
    if [[ -z "$pid" ]] || ! alive "$pid"; then
      continue
    fi
    if ! is_postgres_on "$pid" "$datadir"; then
      say "Local: ${pidfile} is stale (its PID is not a PostgreSQL server on ${datadir}); leaving that process alone."
      continue
    fi
    if owner_runs "$datadir"; then
      owner="$(owner_pid "$datadir")"
      say "Local: the PostgreSQL on ${datadir} belongs to a service that setup.sh did not start and that still runs (PID ${owner}); leaving it. Stopping that service stops it."
      did_something=true
      continue
    fi
    stop_postgres "$pid" "$datadir"
  done
}

if docker_engine_reachable; then
  stop_compose
fi
stop_local_service
stop_recorded_warehouse
stop_unrecorded_postgres

if [[ "$did_something" == false ]]; then
  say "Nothing to stop."
fi
exit 0
