# shellcheck shell=bash
# What setup.sh and teardown.sh must agree on, in one place (sourced by both, from the project
# directory; not run by itself): which mode ran (a reachable Docker engine: docker; else local),
# and how a process setup.sh recorded is recognised again (its start, as `started` puts it, written
# by setup.sh to .run/*.pid and compared by teardown.sh), one run at a time (take_lock), and paths
# quoted for the lines they print (quoted).

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

# $1 quoted for the shell (a path with a space, a quote or a $ in it), for the lines we print to
# be pasted.
quoted() { printf '%q' "$1"; }

# One setup.sh or teardown.sh at a time in this checkout: two setup.sh runs at once fought over the
# build, each stopped the other's service, and one could delete the other's PID file, leaving a
# service no teardown knew. The lock is a symbolic link to the holder's PID (made at once or not
# at all); one whose holder no longer runs is taken over. setup.sh's own call of teardown.sh
# runs under its lock ($STATE_DOSES_LOCK). $1 names the script for the message.
take_lock() {
  local lock="${root}/.run.lock" holder
  [[ "${STATE_DOSES_LOCK:-}" == "$lock" ]] && return 0
  if ! ln -s "$$" "$lock" 2>/dev/null; then
    holder="$(readlink -- "$lock" 2>/dev/null || true)"
    if [[ -n "$holder" ]] && alive "$holder"; then
      printf '%s: another setup.sh or teardown.sh (PID %s) runs in %s; wait for it to end, then run this again.\n' \
        "$1" "$holder" "$root" >&2
      exit 1
    fi
    rm -f -- "$lock"
    if ! ln -s "$$" "$lock" 2>/dev/null; then
      printf '%s: another setup.sh or teardown.sh has just started in %s; wait for it to end.\n' "$1" "$root" >&2
      exit 1
    fi
  fi
  export STATE_DOSES_LOCK="$lock"
  trap 'rm -f -- "$STATE_DOSES_LOCK"' EXIT
}
