#!/usr/bin/env bash
# Stop what setup.sh started, in either mode (from any directory).
#
#   ./teardown.sh              stop; keep the warehouse data
#   ./teardown.sh --volumes    (or -v) docker mode: also delete the dwh volume
#
# Docker mode: `docker compose down --remove-orphans` when the compose project has
# containers (with -v: always, to drop the volume too).
# Local mode: stops the java process recorded in .run/service.pid (SIGTERM, then
# SIGKILL after 20 s), and an embedded PostgreSQL left running on .dwh/ after it.
# The local warehouse data in .dwh/ is kept; delete the folder to start afresh.
# Exits 0 when there is nothing to stop.
set -euo pipefail

# Work from the project directory, wherever we were called from.
cd "$(dirname "${BASH_SOURCE[0]}")"

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }

remove_volumes=false
for arg in "$@"; do
  case "$arg" in
    -v | --volumes) remove_volumes=true ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'teardown.sh: unknown option: %s\n\n' "$arg" >&2; usage >&2; exit 2 ;;
  esac
done

readonly PID_FILE=.run/service.pid
readonly DWH_DIR="${DWH_DIR:-.dwh}"
did_something=false

say() { printf '%s\n' "$*"; }

# `docker info` can hang on an unreachable DOCKER_HOST, so bound it when we can.
docker_engine_reachable() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then
    timeout 20 docker info >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}

alive() { kill -0 "$1" 2>/dev/null; }

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
  local compose
  if docker compose version >/dev/null 2>&1; then
    compose=(env "$token" docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose=(env "$token" docker-compose)
  else
    say "A Docker engine is reachable but no docker compose is installed: skipping the compose stack."
    return 0
  fi

  # All containers of this project, stopped ones too (older docker-compose lacks -a).
  local ids
  ids="$("${compose[@]}" ps -a -q 2>/dev/null || "${compose[@]}" ps -q 2>/dev/null || true)"

  if [[ "$remove_volumes" == true ]]; then
    # Even without containers: a volume left by an earlier `./teardown.sh` goes too.
    "${compose[@]}" down -v --remove-orphans
    say "Docker: removed the compose stack and its volumes."
    did_something=true
  elif [[ -n "$ids" ]]; then
    "${compose[@]}" down --remove-orphans
    say "Docker: removed the compose stack (the dwh volume is kept; --volumes deletes it)."
    did_something=true
  fi
}

stop_local_service() {
  [[ -f "$PID_FILE" ]] || return 0
  local pid
  pid="$(head -n 1 "$PID_FILE" | tr -dc '0-9')"

  # Only signal the PID if it still is our service: PIDs get reused.
  if [[ -n "$pid" ]] && alive "$pid" && ps -p "$pid" -o args= 2>/dev/null | grep -q 'service\.jar'; then
    say "Local: stopping the service (PID ${pid})..."
    kill -TERM "$pid" 2>/dev/null || true
    # Its shutdown hook stops the embedded PostgreSQL too, which takes a few seconds.
    if ! wait_gone "$pid" 20; then
      say "Local: still running after 20 s, sending SIGKILL."
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || say "Local: PID ${pid} did not exit."
    fi
    say "Local: service stopped."
  else
    say "Local: removing stale ${PID_FILE} (no service running as PID ${pid:-?})."
  fi
  rm -f "$PID_FILE"
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

# The Java process stops its embedded PostgreSQL on shutdown; this catches one
# left behind (a crash, SIGKILL). Never touches any other PostgreSQL on the host.
stop_orphan_postgres() {
  [[ -d "$DWH_DIR" ]] || return 0

  # A service.jar started by hand (not via setup.sh) may still be using the warehouse.
  local others
  others="$(pgrep -f 'service\.jar' 2>/dev/null || true)"
  if [[ -n "$others" ]]; then
    say "Local: a service.jar process is still running (PID $(echo "$others" | tr '\n' ' ')); leaving ${DWH_DIR} alone."
    return 0
  fi

  local pidfile datadir pid
  # postmaster.pid sits in the data directory: DWH_DIR itself or a folder inside it.
  for pidfile in "$DWH_DIR"/postmaster.pid "$DWH_DIR"/*/postmaster.pid; do
    [[ -f "$pidfile" ]] || continue
    datadir="$(cd "$(dirname "$pidfile")" && pwd -P)"
    pid="$(head -n 1 "$pidfile" | tr -dc '0-9')"
    if [[ -z "$pid" ]] || ! alive "$pid"; then
      continue
    fi
    if ! is_postgres_on "$pid" "$datadir"; then
      say "Local: ${pidfile} names PID ${pid}, which is not a postgres on ${datadir}; not touching it."
      continue
    fi
    say "Local: stopping the embedded PostgreSQL left running on ${datadir} (PID ${pid})..."
    # SIGTERM: smart shutdown; SIGINT: fast shutdown (disconnects clients). Never SIGKILL a postmaster.
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 10; then
      kill -INT "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || say "Local: PostgreSQL PID ${pid} did not exit; check it by hand."
    fi
    alive "$pid" || say "Local: PostgreSQL stopped."
    did_something=true
  done
}

if docker_engine_reachable; then
  stop_compose
fi
stop_local_service
stop_orphan_postgres

if [[ "$did_something" == false ]]; then
  say "Nothing to stop."
fi
exit 0
