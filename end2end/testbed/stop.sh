#!/usr/bin/env bash
# Stops what start.sh started, by the PIDs it recorded (never by process name):
# Patroni first, then any PostgreSQL postmaster still running from the test
# bed's data directories, then etcd; then removes the state directory.
# Safe to run twice, and when nothing runs.
set -euo pipefail
testbed_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=end2end/testbed/env.sh
source "$testbed_here/env.sh"
dir="$PATROL_TESTBED_DIR"

if [ ! -e "$dir" ]; then
  echo "testbed: nothing to stop ($dir does not exist)"
  exit 0
fi
if [ ! -e "$dir/.patrol-testbed" ]; then
  echo "testbed: $dir has no .patrol-testbed marker, so it is not the test bed's; leaving it alone" >&2
  exit 1
fi

# Prints PID when it lives (zombies don't count) and its command line contains
# MARKER, so a PID the kernel has since given to another process is left alone.
live_pid() { # PID MARKER
  local pid=$1 state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# Sets `left` to the "PID MARKER" entries still running.
still_running() { # "PID MARKER"...
  local entry
  left=()
  for entry in "$@"; do
    if live_pid "${entry%% *}" "${entry#* }" >/dev/null; then left+=("$entry"); fi
  done
}

# Sends SIGNAL to each "PID MARKER" pair, waits up to SECONDS for them to end,
# then SIGKILLs whatever is left.
stop_all() { # WHAT SIGNAL SECONDS "PID MARKER"...
  local what=$1 sig=$2 wait=$3 entry left deadline
  shift 3
  (($#)) || return 0
  echo "testbed: stopping $what (PID ${*%% *})"
  for entry in "$@"; do kill "-$sig" "${entry%% *}" 2>/dev/null || true; done
  deadline=$((SECONDS + wait))
  while :; do
    still_running "$@"
    ((${#left[@]})) || return 0
    if ((SECONDS >= deadline)); then break; fi
    sleep 0.2
  done
  echo "testbed: $what still running after ${wait} s, sending SIGKILL: ${left[*]%% *}"
  for entry in "${left[@]}"; do kill -KILL "${entry%% *}" 2>/dev/null || true; done
  for _ in $(seq 50); do
    still_running "$@"
    ((${#left[@]})) || return 0
    sleep 0.1
  done
  echo "testbed: could not stop $what: ${left[*]%% *}" >&2
  return 1
}

shopt -s nullglob
# Patroni, which on SIGTERM also stops its PostgreSQL.
patronis=()
for f in "$dir"/run/patroni-*.pid; do
  name=${f##*/patroni-} name=${name%.pid}
  if pid=$(live_pid "$(cat "$f" 2>/dev/null)" "$dir/$name/patroni.yml"); then patronis+=("$pid $dir/$name/patroni.yml"); fi
done
stop_all Patroni TERM 30 "${patronis[@]}"

# Postmasters that outlived their Patroni: fast shutdown (SIGINT).
postmasters=()
for f in "$dir"/*/data/postmaster.pid; do
  data=${f%/postmaster.pid}
  if pid=$(live_pid "$(head -n1 "$f" 2>/dev/null)" "$data"); then postmasters+=("$pid $data"); fi
done
stop_all PostgreSQL INT 15 "${postmasters[@]}"

etcds=()
for f in "$dir"/run/etcd-*.pid; do
  name=${f##*/etcd-} name=${name%.pid}
  if pid=$(live_pid "$(cat "$f" 2>/dev/null)" "--data-dir=$dir/$name/data"); then etcds+=("$pid --data-dir=$dir/$name/data"); fi
done
# One at a time: an etcd leader stopped together with its followers first tries
# (and takes seconds failing) to hand its leadership over.
for e in "${etcds[@]}"; do stop_all etcd TERM 10 "$e"; done

rm -rf -- "$dir"
echo "testbed: stopped; removed $dir"
