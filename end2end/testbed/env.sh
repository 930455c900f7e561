# shellcheck shell=bash
# Sourced: constants of Patrol's local test bed (see README.md beside this file).
# Only PATROL_TESTBED_* names, so sourcing it clobbers nothing of the caller's.
export PATROL_TESTBED_DIR="${PATROL_TESTBED_DIR:-/tmp/patrol-testbed}"
export PATROL_TESTBED_VENV="${PATROL_TESTBED_VENV:-/opt/patrol-testbed/venv}"
# etcd v3 client URLs. Give them to etcdctl as --endpoints with ETCDCTL_ENDPOINTS
# unset: etcdctl 3.4 refuses to run when both are set.
export PATROL_TESTBED_ENDPOINTS="http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579"
# Patroni members as space-separated NAME=URL pairs: REST API, then PostgreSQL.
# pg-meta (namespace /pg) is pg-meta-1..3, mycluster (namespace /db) is
# mycluster-1..2, quorum (namespace /db, synchronous_mode: quorum) is quorum-1..3,
# standby (namespace /db, a standby cluster following quorum-1) is standby-1..2.
export PATROL_TESTBED_PATRONI="pg-meta-1=http://127.0.0.1:18001 pg-meta-2=http://127.0.0.1:18002 pg-meta-3=http://127.0.0.1:18003 mycluster-1=http://127.0.0.1:18011 mycluster-2=http://127.0.0.1:18012 quorum-1=http://127.0.0.1:18021 quorum-2=http://127.0.0.1:18022 quorum-3=http://127.0.0.1:18023 standby-1=http://127.0.0.1:18031 standby-2=http://127.0.0.1:18032"
export PATROL_TESTBED_POSTGRES="pg-meta-1=127.0.0.1:15431 pg-meta-2=127.0.0.1:15432 pg-meta-3=127.0.0.1:15433 mycluster-1=127.0.0.1:15441 mycluster-2=127.0.0.1:15442 quorum-1=127.0.0.1:15451 quorum-2=127.0.0.1:15452 quorum-3=127.0.0.1:15453 standby-1=127.0.0.1:15461 standby-2=127.0.0.1:15462"
# A second etcd cluster, edge (one member), with a Patroni cluster of its own:
# edge (namespace /pg, as pg-meta's on the other etcd) is edge-1..2. Its members
# have variables of their own, same NAME=URL form, so every member in the two
# above lives in the etcd of PATROL_TESTBED_ENDPOINTS.
export PATROL_TESTBED_EDGE_ENDPOINTS="http://127.0.0.1:12679"
export PATROL_TESTBED_EDGE_PATRONI="edge-1=http://127.0.0.1:18041 edge-2=http://127.0.0.1:18042"
export PATROL_TESTBED_EDGE_POSTGRES="edge-1=127.0.0.1:15471 edge-2=127.0.0.1:15472"
# Test-only passwords (superuser postgres, replication replicator, rewind rewinder).
export PATROL_TESTBED_PGPASSWORD="patrol-super"
# mycluster's Patroni REST API asks for basic auth (user patrol-rest) on unsafe
# requests; pg-meta's has none. start.sh writes Patrol's credentials file
# (for --patroni-rest) at PATROL_TESTBED_PATRONI_REST.
export PATROL_TESTBED_RESTPASSWORD="${PATROL_TESTBED_RESTPASSWORD:-patrol-rest-secret}"
export PATROL_TESTBED_PATRONI_REST="${PATROL_TESTBED_PATRONI_REST:-$PATROL_TESTBED_DIR/patroni-rest.toml}"
# Patrol's --config file that start.sh writes: the edge etcd as a second
# etcd cluster ([etcd.edge]), for fleet tests.
export PATROL_TESTBED_FLEET="${PATROL_TESTBED_FLEET:-$PATROL_TESTBED_DIR/fleet.toml}"
