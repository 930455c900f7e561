#!/usr/bin/env bash
# Starts Patrol's local test bed, on 127.0.0.1 only: a 3-member etcd (v3 API)
# and four Patroni clusters, pg-meta (namespace /pg, 3 nodes, failsafe_mode),
# mycluster (namespace /db, 2 nodes, synchronous_mode), quorum (namespace
# /db, 3 nodes, synchronous_mode: quorum) and standby (namespace /db, 2 nodes,
# a standby cluster that streams from quorum-1); and a second, 1-member etcd,
# edge, with a Patroni cluster of its own, edge (namespace /pg as pg-meta's,
# 2 nodes), for Patrol's fleet of etcd clusters. Installs what it needs
# first (Debian bookworm, as root). Waits until every cluster has a leader and
# streaming replicas. Idempotent: when it all runs already it only waits for that;
# when some members died (or are new) it starts those; leftovers of a dead test
# bed go. Writes Patrol's --patroni-rest and --config (fleet) files on every run.
# Stop it with stop.sh. Ports and layout: README.md beside this file.
set -euo pipefail
testbed_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=end2end/testbed/env.sh
source "$testbed_here/env.sh"

PATRONI_VERSION=4.1.5
PG_BIN=/usr/lib/postgresql/15/bin
TIMEOUT="${PATROL_TESTBED_TIMEOUT:-180}"
dir="$PATROL_TESTBED_DIR"
venv="$PATROL_TESTBED_VENV"
t0=$EPOCHREALTIME

# Two etcd clusters: main, which the four first Patroni clusters use, and
# edge, a cluster of its own (own --initial-cluster-token) for the fleet.
# The env.sh variables of each: its endpoints, its members' REST APIs and
# PostgreSQL addresses.
etcd_clusters=(main edge)
declare -A endpoints_var=([main]=PATROL_TESTBED_ENDPOINTS [edge]=PATROL_TESTBED_EDGE_ENDPOINTS)
declare -A patroni_var=([main]=PATROL_TESTBED_PATRONI [edge]=PATROL_TESTBED_EDGE_PATRONI)
declare -A postgres_var=([main]=PATROL_TESTBED_POSTGRES [edge]=PATROL_TESTBED_EDGE_POSTGRES)
declare -A cluster_token=([main]=patrol-testbed [edge]=patrol-testbed-edge)
# NAME ETCD_CLUSTER CLIENT_PORT PEER_PORT
etcd_members=(
  "etcd1 main 12379 12380"
  "etcd2 main 12479 12480"
  "etcd3 main 12579 12580"
  "etcd-edge edge 12679 12680"
)
# NAME SCOPE NAMESPACE PG_PORT REST_PORT ETCD_CLUSTER
# edge comes before quorum and standby, whose members wait (below) for their
# cluster's bootstrap and for quorum-1 to lead: edge waits for nothing.
patroni_members=(
  "pg-meta-1 pg-meta /pg 15431 18001 main"
  "pg-meta-2 pg-meta /pg 15432 18002 main"
  "pg-meta-3 pg-meta /pg 15433 18003 main"
  "mycluster-1 mycluster /db 15441 18011 main"
  "mycluster-2 mycluster /db 15442 18012 main"
  "edge-1 edge /pg 15471 18041 edge"
  "edge-2 edge /pg 15472 18042 edge"
  "quorum-1 quorum /db 15451 18021 main"
  "quorum-2 quorum /db 15452 18022 main"
  "quorum-3 quorum /db 15453 18023 main"
  "standby-1 standby /db 15461 18031 main"
  "standby-2 standby /db 15462 18032 main"
)
# The standby cluster follows quorum-1, quorum's leader from the start (see
# below) that no test restarts or switches over. A hot standby would serve
# WAL as well, but after a promote-cluster Patroni checks the diverged
# timeline (and rewinds) only against a source that is a primary: following a
# replica, a demoted cluster would never follow again.
standby_source_port=15451 standby_source_rest=18021
replicator_password=patrol-repl
rewind_password=patrol-rewind
# mycluster's REST API wants basic auth for unsafe requests (POST, PATCH, ...),
# so Patrol's credentials path is tested for real; patronictl reads the same
# restapi.authentication from patroni.yml. pg-meta's REST API stays open.
rest_user=patrol-rest
rest_password=$PATROL_TESTBED_RESTPASSWORD

say() { echo "testbed: $*"; }
die() { echo "testbed: $*" >&2; exit 1; }
elapsed() { awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
endpoints_of() { echo "${!endpoints_var[$1]}"; } # ETCD_CLUSTER
etcdctl_tb() { # ETCD_CLUSTER ARG...
  local eps
  eps=$(endpoints_of "$1")
  shift
  env -u ETCDCTL_ENDPOINTS ETCDCTL_API=3 etcdctl --endpoints="$eps" "$@"
}

[ "$(id -u)" = 0 ] || die "run start.sh as root (it installs packages and runs Patroni as user postgres)"
# Each member is in its own etcd cluster's variables, and nothing else is.
declare -A want_endpoints=() want_patroni=() want_postgres=()
for m in "${etcd_members[@]}"; do
  read -r _ etcd cport _ <<<"$m"
  want_endpoints[$etcd]+=",http://127.0.0.1:$cport"
done
for m in "${patroni_members[@]}"; do
  read -r name _ _ pg_port rest_port etcd <<<"$m"
  want_patroni[$etcd]+=" $name=http://127.0.0.1:$rest_port"
  want_postgres[$etcd]+=" $name=127.0.0.1:$pg_port"
done
for etcd in "${etcd_clusters[@]}"; do
  if [ "${!endpoints_var[$etcd]}" != "${want_endpoints[$etcd]#,}" ] ||
     [ "${!patroni_var[$etcd]}" != "${want_patroni[$etcd]# }" ] ||
     [ "${!postgres_var[$etcd]}" != "${want_postgres[$etcd]# }" ]; then
    die "env.sh and start.sh disagree about etcd cluster $etcd's members or ports (${endpoints_var[$etcd]}, ${patroni_var[$etcd]}, ${postgres_var[$etcd]})"
  fi
done

# --- Installs -----------------------------------------------------------------
apt_packages=(etcd-server etcd-client postgresql-15 python3-venv iproute2 ca-certificates)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Patroni in a venv of Debian's python3, which user postgres can read (a pyenv
# python under /root is not).
if [ "$("$venv/bin/patroni" --version 2>/dev/null)" != "patroni $PATRONI_VERSION" ]; then
  say "installing Patroni $PATRONI_VERSION into $venv"
  (
    umask 022
    if ! grep -qx 'home = /usr/bin' "$venv/pyvenv.cfg" 2>/dev/null; then
      mkdir -p "$(dirname "$venv")"
      /usr/bin/python3 -m venv --clear "$venv"
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check "patroni[etcd3,psycopg2-binary]==$PATRONI_VERSION"
  )
  [ "$("$venv/bin/patroni" --version)" = "patroni $PATRONI_VERSION" ] || die "Patroni $PATRONI_VERSION did not install into $venv"
fi
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
as_postgres test -x "$venv/bin/patroni" || die "user postgres cannot run $venv/bin/patroni (set PATROL_TESTBED_VENV to a readable place)"

# --- What runs already --------------------------------------------------------
# A PID counts only while its process lives (zombies don't) and its command
# line still names this test bed, so a recycled PID is never taken for ours.
alive() { # PIDFILE MARKER
  local pid state
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}
etcd_marker() { echo "--data-dir=$dir/$1/data"; }
patroni_marker() { echo "$dir/$1/patroni.yml"; }

etcd_todo=() patroni_todo=() running=0
for m in "${etcd_members[@]}"; do
  read -r name _ <<<"$m"
  if alive "$dir/run/etcd-$name.pid" "$(etcd_marker "$name")"; then running=$((running + 1)); else etcd_todo+=("$m"); fi
done
for m in "${patroni_members[@]}"; do
  read -r name _ <<<"$m"
  if alive "$dir/run/patroni-$name.pid" "$(patroni_marker "$name")"; then running=$((running + 1)); else patroni_todo+=("$m"); fi
done

print_env() {
  cat <<EOF
To use it (or: source end2end/testbed/env.sh):
  export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=$PATROL_TESTBED_ENDPOINTS
  export PATROL_TESTBED_ENDPOINTS=$PATROL_TESTBED_ENDPOINTS
  # Patroni REST APIs: $PATROL_TESTBED_PATRONI
  # PostgreSQL:        $PATROL_TESTBED_POSTGRES (user postgres, password $PATROL_TESTBED_PGPASSWORD)
  # patronictl:        $venv/bin/patronictl -c $dir/pg-meta-1/patroni.yml list
  # REST basic auth:   mycluster only, user $rest_user; Patrol: --patroni-rest $PATROL_TESTBED_PATRONI_REST
  # The edge etcd, a second etcd cluster with Patroni cluster edge (namespace /pg):
  export PATROL_TESTBED_EDGE_ENDPOINTS=$PATROL_TESTBED_EDGE_ENDPOINTS
  # its REST APIs:     $PATROL_TESTBED_EDGE_PATRONI
  # its PostgreSQL:    $PATROL_TESTBED_EDGE_POSTGRES
  # Patrol's fleet:    --config $PATROL_TESTBED_FLEET
EOF
}

fresh=0
if ((${#etcd_todo[@]} + ${#patroni_todo[@]} == 0)); then
  say "already running in $dir; checking that it is ready"
elif ((running == 0)); then
  fresh=1
  if [ -e "$dir" ]; then
    say "clearing what a dead test bed left in $dir"
    "$testbed_here/stop.sh" >/dev/null
  fi
else
  say "partly running; starting:$(for m in "${etcd_todo[@]}" "${patroni_todo[@]}"; do printf ' %s' "${m%% *}"; done)"
fi

# Ports that must be free: all on a fresh start; on a partial one those of the
# members to start, except PostgreSQL's, which a postmaster that outlived its
# Patroni may hold (the new Patroni takes that postmaster over).
ports=()
for m in "${etcd_todo[@]}"; do read -r _ _ c p <<<"$m"; ports+=("$c" "$p"); done
for m in "${patroni_todo[@]}"; do
  read -r _ _ _ pg rest _ <<<"$m"
  ports+=("$rest")
  if ((fresh)); then ports+=("$pg"); fi
done
listening=$(ss -ltnH | awk '{ sub(/.*:/, "", $4); print $4 }' | sort -u)
for p in "${ports[@]}"; do
  if grep -qx "$p" <<<"$listening"; then
    die "port $p is already in use (see: ss -ltnp 'sport = :$p'); stop what listens there and run start.sh again"
  fi
done

umask 022
mkdir -p "$dir/run"
touch "$dir/.patrol-testbed"  # stop.sh removes only a directory marked so
chmod 755 "$dir"
as_postgres test -x "$dir" || die "user postgres cannot reach $dir: set PATROL_TESTBED_DIR to a place it can (e.g. under /tmp)"

# Patrol's --patroni-rest file, written on every run (the password is a
# test-only one, as in env.sh, so the file is readable by all).
toml_password=${rest_password//\\/\\\\}
toml_password=${toml_password//\"/\\\"}
mkdir -p "$(dirname "$PATROL_TESTBED_PATRONI_REST")"
cat >"$PATROL_TESTBED_PATRONI_REST" <<EOF
# Written by end2end/testbed/start.sh: Patroni REST credentials for Patrol.
[clusters."/db/mycluster"]
username = "$rest_user"
password = "$toml_password"
EOF
chmod 644 "$PATROL_TESTBED_PATRONI_REST"

# Patrol's --config file, also written on every run: the edge etcd as a
# second etcd cluster, whose Patroni clusters live under /pg.
edge_endpoints=\"${PATROL_TESTBED_EDGE_ENDPOINTS//,/\", \"}\"
mkdir -p "$(dirname "$PATROL_TESTBED_FLEET")"
cat >"$PATROL_TESTBED_FLEET" <<EOF
# Written by end2end/testbed/start.sh: the test bed's second etcd cluster, for Patrol's --config.
[etcd.edge]
endpoints = [$edge_endpoints]
namespace = ["/pg"]
EOF
chmod 644 "$PATROL_TESTBED_FLEET"

# --- etcd ---------------------------------------------------------------------
initial_cluster_of() { # ETCD_CLUSTER
  local m n e p list=""
  for m in "${etcd_members[@]}"; do
    read -r n e _ p <<<"$m"
    if [ "$e" = "$1" ]; then list+="$n=http://127.0.0.1:$p,"; fi
  done
  echo "${list%,}"
}
for m in "${etcd_todo[@]}"; do
  read -r name etcd cport pport <<<"$m"
  mkdir -p "$dir/$name"
  chmod 700 "$dir/$name"
  # env -i: etcd 3.4 refuses to start when an ETCD_* variable shadows a flag.
  # Background subshells are no process group leaders, so setsid execs rather
  # than forks and $! is etcd's own PID.
  (
    cd "$dir/$name"
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin setsid /usr/bin/etcd \
      --name="$name" --data-dir="$dir/$name/data" \
      --listen-client-urls="http://127.0.0.1:$cport" --advertise-client-urls="http://127.0.0.1:$cport" \
      --listen-peer-urls="http://127.0.0.1:$pport" --initial-advertise-peer-urls="http://127.0.0.1:$pport" \
      --initial-cluster="$(initial_cluster_of "$etcd")" --initial-cluster-state=new \
      --initial-cluster-token="${cluster_token[$etcd]}" \
      --logger=zap --log-outputs=stderr
  ) </dev/null >>"$dir/$name/etcd.log" 2>&1 &
  echo $! >"$dir/run/etcd-$name.pid"
done

tails() { # LOG...
  local f
  for f in "$@"; do
    echo "----- last lines of $f" >&2
    tail -n 40 "$f" >&2 || true
  done
}

etcd_healthy() { # every etcd cluster
  local etcd
  for etcd in "${etcd_clusters[@]}"; do etcdctl_tb "$etcd" endpoint health >/dev/null 2>&1 || return 1; done
}
deadline=$((SECONDS + 30))
until etcd_healthy; do
  for m in "${etcd_members[@]}"; do
    read -r name _ <<<"$m"
    if ! alive "$dir/run/etcd-$name.pid" "$(etcd_marker "$name")"; then
      tails "$dir/$name/etcd.log"
      die "etcd member $name died (log: $dir/$name/etcd.log)"
    fi
  done
  if ((SECONDS > deadline)); then
    for etcd in "${etcd_clusters[@]}"; do etcdctl_tb "$etcd" endpoint health >&2 || true; done
    tails "$dir"/etcd*/etcd.log
    die "etcd not healthy after 30 s"
  fi
  sleep 0.2
done
say "etcd healthy after $(elapsed) s"

# --- Patroni ------------------------------------------------------------------
etcd_hosts_of() { # ETCD_CLUSTER: the etcd3.hosts lines of its Patroni members
  local m e c
  for m in "${etcd_members[@]}"; do
    read -r _ e c _ <<<"$m"
    if [ "$e" = "$1" ]; then printf '    - 127.0.0.1:%s\n' "$c"; fi
  done
}
write_patroni_config() { # NAME SCOPE NAMESPACE PG_PORT REST_PORT ETCD_CLUSTER
  local name=$1 scope=$2 namespace=$3 pg_port=$4 rest_port=$5 etcd=$6 md="$dir/$1" mode_line="" rest_auth="" tags=""
  # quorum-3 never joins quorum's voters, so a switchover to it is one
  # Patroni refuses.
  [ "$name" = quorum-3 ] && tags="tags:
  nosync: true"
  case $scope in
    pg-meta) mode_line="failsafe_mode: true" ;;
    # Quorum commit (Patroni 4): ANY 1 of the standbys confirms a commit.
    quorum) mode_line="synchronous_mode: quorum
    synchronous_node_count: 1" ;;
    # A standby cluster (Patroni's bootstrap.dcs.standby_cluster): its
    # leader is a standby_leader that streams from the source, without a
    # replication slot there (no primary_slot_name). use_pg_rewind and the
    # remove_data_directory_on_* settings below let it follow the source
    # again after a promote-cluster moved it to a timeline of its own.
    standby) mode_line="standby_cluster:
      host: 127.0.0.1
      port: $standby_source_port" ;;
    mycluster)
      mode_line="synchronous_mode: true"
      # YAML single-quoted string: a ' is written twice.
      rest_auth="  authentication:
    username: $rest_user
    password: '${rest_password//\'/\'\'}'" ;;
  esac
  cat <<EOF
scope: $scope
namespace: $namespace
name: $name
$tags
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$rest_port
  connect_address: 127.0.0.1:$rest_port
$rest_auth
etcd3:
  protocol: http
  hosts:
$(etcd_hosts_of "$etcd")
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    $mode_line
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        max_connections: 25
        shared_buffers: 16MB
        wal_level: replica
        hot_standby: 'on'
        full_page_writes: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 64MB
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
postgresql:
  listen: 127.0.0.1:$pg_port
  connect_address: 127.0.0.1:$pg_port
  data_dir: $md/data
  bin_dir: $PG_BIN
  pgpass: $md/pgpass
  use_unix_socket: true
  remove_data_directory_on_rewind_failure: true
  remove_data_directory_on_diverged_timelines: true
  authentication:
    superuser:
      username: postgres
      password: $PATROL_TESTBED_PGPASSWORD
    replication:
      username: replicator
      password: $replicator_password
    rewind:
      username: rewinder
      password: $rewind_password
  parameters:
    unix_socket_directories: $md
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
watchdog:
  mode: 'off'
EOF
}

source_leads() {
  /usr/bin/python3 - "http://127.0.0.1:$standby_source_rest/patroni" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        data = json.load(r)
except Exception:
    sys.exit(1)
sys.exit(0 if data.get("role") == "primary" and data.get("state") == "running" else 1)
EOF
}

for m in "${patroni_todo[@]}"; do
  read -r name scope namespace pg_port rest_port etcd <<<"$m"
  md="$dir/$name"
  # quorum-2 and quorum-3 (nosync) start once their cluster is initialised,
  # so quorum-1 always wins the bootstrap race: led by quorum-3, quorum would
  # have no replica outside its voters for the tests to try, and the standby
  # cluster follows quorum-1 as a primary.
  if [ "$name" = quorum-2 ] || [ "$name" = quorum-3 ]; then
    bootstrapped=$((SECONDS + 60))
    until [ -n "$(etcdctl_tb main get /db/quorum/initialize --print-value-only 2>/dev/null)" ] ||
      ((SECONDS > bootstrapped)); do
      sleep 0.5
    done
  fi
  # The standby cluster's leader bootstraps with a base backup from its
  # source, so it starts once the source runs as quorum's primary.
  if [ "$scope" = standby ]; then
    leads=$((SECONDS + TIMEOUT))
    until source_leads || ((SECONDS > leads)); do sleep 0.5; done
  fi
  install -d -o postgres -g postgres -m 700 "$md"
  write_patroni_config "$name" "$scope" "$namespace" "$pg_port" "$rest_port" "$etcd" >"$md/patroni.yml"
  chown postgres:postgres "$md/patroni.yml"
  chmod 600 "$md/patroni.yml"
  # Runs as postgres (PostgreSQL refuses root); setpriv execs, so $! is Patroni's PID.
  (
    cd "$md"
    exec env -i HOME="$md" USER=postgres LOGNAME=postgres PATH=/usr/bin:/bin LANG=C.UTF-8 PYTHONUNBUFFERED=1 \
      setsid setpriv --reuid=postgres --regid=postgres --init-groups "$venv/bin/patroni" "$md/patroni.yml"
  ) </dev/null >>"$md/patroni.log" 2>&1 &
  echo $! >"$dir/run/patroni-$name.pid"
done

# --- Wait until each cluster has a leader and streaming replicas --------------
# Every member's Patroni must answer GET /cluster (so each one has started), and
# the cluster it describes (read from the DCS) must have exactly one running
# leader, every other member streaming and, where asked, a sync standby.
# Prints what it saw.
cluster_ready() { # SCOPE NEED_SYNC LEADER_ROLE URL...
  /usr/bin/python3 - "$@" <<'EOF'
import json, sys, urllib.request
scope, need_sync, leader_role, urls = sys.argv[1], sys.argv[2] == "1", sys.argv[3], sys.argv[4:]
members, silent = None, []
for url in urls:
    try:
        with urllib.request.urlopen(url + "/cluster", timeout=2) as r:
            data = json.load(r)
        members = data.get("members", []) if members is None else members
    except Exception:
        silent.append(url)
if members is None:
    print("%s: no Patroni REST API answers yet" % scope)
    sys.exit(1)
# A standby leader streams from its source: REST says "streaming" for it.
leaders = [m["name"] for m in members if m.get("role") == leader_role and m.get("state") in ("running", "streaming")]
streaming = [m["name"] for m in members if m.get("role") != leader_role and m.get("state") == "streaming"]
sync = [m["name"] for m in members if m.get("role") in ("sync_standby", "quorum_standby")]
ok = (not silent and len(members) == len(urls) and len(leaders) == 1
      and len(streaming) == len(urls) - 1 and (sync or not need_sync))
print("%s: leader %s, streaming %s%s%s" % (
    scope, ",".join(leaders) or "-", ",".join(streaming) or "-",
    ", sync %s" % (",".join(sync) or "-") if need_sync else "",
    "; no answer yet from %s" % " ".join(silent) if silent else ""))
sys.exit(0 if ok else 1)
EOF
}
urls_of() { for m in "${patroni_members[@]}"; do read -r _ s _ _ r _ <<<"$m"; [ "$s" = "$1" ] && echo "http://127.0.0.1:$r"; done; }
mapfile -t pg_meta_urls < <(urls_of pg-meta)
mapfile -t mycluster_urls < <(urls_of mycluster)
mapfile -t quorum_urls < <(urls_of quorum)
mapfile -t standby_urls < <(urls_of standby)
mapfile -t edge_urls < <(urls_of edge)

deadline=$((SECONDS + TIMEOUT))
while :; do
  ok=1
  a=$(cluster_ready pg-meta 0 leader "${pg_meta_urls[@]}") || ok=0
  b=$(cluster_ready mycluster 1 leader "${mycluster_urls[@]}") || ok=0
  c=$(cluster_ready quorum 1 leader "${quorum_urls[@]}") || ok=0
  d=$(cluster_ready standby 0 standby_leader "${standby_urls[@]}") || ok=0
  e=$(cluster_ready edge 0 leader "${edge_urls[@]}") || ok=0
  # edge's leader key is looked for in the edge etcd, the others' in main.
  if ((ok)) && [ -n "$(etcdctl_tb main get /pg/pg-meta/leader --print-value-only)" ] &&
     [ -n "$(etcdctl_tb main get /db/mycluster/leader --print-value-only)" ] &&
     [ -n "$(etcdctl_tb main get /db/mycluster/sync --print-value-only)" ] &&
     [ -n "$(etcdctl_tb main get /db/quorum/leader --print-value-only)" ] &&
     [ -n "$(etcdctl_tb main get /db/standby/leader --print-value-only)" ] &&
     grep -q '"quorum"' <<<"$(etcdctl_tb main get /db/quorum/sync --print-value-only)" &&
     [ -n "$(etcdctl_tb edge get /pg/edge/leader --print-value-only)" ]; then
    break
  fi
  dead=()
  for m in "${patroni_members[@]}"; do
    read -r name _ <<<"$m"
    alive "$dir/run/patroni-$name.pid" "$(patroni_marker "$name")" || dead+=("$name")
  done
  if ((${#dead[@]})) || ((SECONDS >= deadline)); then
    echo "$a" >&2
    echo "$b" >&2
    echo "$c" >&2
    echo "$d" >&2
    echo "$e" >&2
    tails "$dir"/pg-meta-*/patroni.log "$dir"/mycluster-*/patroni.log "$dir"/quorum-*/patroni.log "$dir"/standby-*/patroni.log "$dir"/edge-*/patroni.log
    if ((${#dead[@]})); then die "Patroni died: ${dead[*]} (logs: $dir/<member>/patroni.log; stop.sh cleans up)"; fi
    die "clusters not ready after $TIMEOUT s (logs: $dir/<member>/patroni.log; stop.sh cleans up)"
  fi
  sleep 1
done
echo "$a"
echo "$b"
echo "$c"
echo "$d"
echo "$e"
say "test bed ready in $(elapsed) s ($dir)"
print_env
