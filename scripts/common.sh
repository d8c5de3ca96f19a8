# shellcheck shell=bash
# What setup.sh and teardown.sh must agree on, in one place (sourced by both, from the project
# directory; not run by itself): which mode ran (a reachable Docker engine: docker; else local),
# and how a process setup.sh recorded is recognised again (its start, as `started` puts it, written
# by setup.sh to .run/*.pid and compared by teardown.sh).

# `docker info` can hang on an unreachable DOCKER_HOST, so bound it when we can.
docker_engine_reachable() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then
    timeout 20 docker info >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}

# Does PID $1 run? kill -0 alone says yes to a zombie too (exited, not yet reaped by its parent).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ "$(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ')" != Z* ]]
}

# When PID $1 started, as a string that differs for a reused PID. Linux: the clock ticks after
# boot in /proc/PID/stat, which setting the clock does not move; elsewhere ps's start time.
started() {
  local stat fields
  if stat="$(cat "/proc/$1/stat" 2>/dev/null)" && [[ -n "$stat" ]]; then
    read -r -a fields <<<"${stat##*) }"   # the fields after the command name, from field 3
    printf 'ticks:%s\n' "${fields[19]}"
  else
    ps -o lstart= -p "$1" 2>/dev/null | sed 's/^ *//; s/ *$//' || true
  fi
}
