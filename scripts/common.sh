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

# The PID recorded in data directory $1's state-doses.owner (written by the Java process that
# started its server), or nothing.
owner_pid() { sed -n 's/^pid=//p' "$1/state-doses.owner" 2>/dev/null | tr -dc '0-9' || true; }

# $1 quoted for the shell (a path with a space, a quote or a $ in it), for the lines we print to
# be pasted.
quoted() { printf '%q' "$1"; }

# One setup.sh or teardown.sh at a time in this checkout: two setup.sh runs at once fought over the
# build, each stopped the other's service, and one could delete the other's PID file, leaving a
# service no teardown knew. The lock, .run.lock, is a symbolic link to the holder's PID and start
# (`started`), made at once or not at all; one whose process is gone, or whose PID is now another
# process's (after a reboot), is taken over, by one run at a time (.run.lock.takeover). The
# teardown.sh that setup.sh runs itself goes on under its lock: the lock names its parent, and
# $STATE_DOSES_LOCK says which lock. $1 names the script for the message.
take_lock() {
  local lock="${root}/.run.lock" holder
  holder="$(readlink -- "$lock" 2>/dev/null || true)"
  [[ "${STATE_DOSES_LOCK:-}" == "$lock" && "$holder" == "${PPID} "* ]] && return 0
  if ! ln -s "$$ $(started $$)" "$lock" 2>/dev/null; then
    holder="$(readlink -- "$lock" 2>/dev/null || true)"
    if lock_held "$holder"; then
      printf '%s: another setup.sh or teardown.sh (PID %s) runs in %s (it holds .run.lock); wait for it to end, then run this again.\n' \
        "$1" "${holder%% *}" "$root" >&2
      exit 1
    fi
    if ! mkdir "${lock}.takeover" 2>/dev/null; then
      printf '%s: another setup.sh or teardown.sh is taking over the lock in %s; wait for it to end (a %s left by a killed run can be deleted).\n' \
        "$1" "$root" ".run.lock.takeover" >&2
      exit 1
    fi
    if [[ "$(readlink -- "$lock" 2>/dev/null || true)" == "$holder" ]]; then
      rm -f -- "$lock"
    fi
    if ! ln -s "$$ $(started $$)" "$lock" 2>/dev/null; then
      rmdir -- "${lock}.takeover"
      printf '%s: another setup.sh or teardown.sh has just started in %s; wait for it to end.\n' "$1" "$root" >&2
      exit 1
    fi
    rmdir -- "${lock}.takeover"
  fi
  export STATE_DOSES_LOCK="$lock"
  # Released at exit, only while it is still ours.
  trap '[[ "$(readlink -- "$STATE_DOSES_LOCK" 2>/dev/null)" == "$$ "* ]] && rm -f -- "$STATE_DOSES_LOCK"' EXIT
}

# Is the lock's holder "$1" (its PID and start, as take_lock wrote them) still that process?
lock_held() {
  local pid="${1%% *}" start="${1#* }"
  [[ -n "$1" && "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && [[ "$(started "$pid")" == "$start" ]]
}

# The file: URL of path $1, percent-encoded byte by byte (all but letters, digits and / . _ ~ -):
# a checkout under a path with a space or a quote gave the service file: URLs it refused at start
# ("MODERNA_URL is not a URL: Illegal character in path"), and setup.sh then blamed its data.
file_url() {
  local LC_ALL=C path=$1 out="" c i
  for ((i = 0; i < ${#path}; i++)); do
    c=${path:i:1}
    case $c in
      [a-zA-Z0-9/._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf 'file:%s' "$out"
}
