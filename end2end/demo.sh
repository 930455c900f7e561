#!/usr/bin/env bash
# The demo: installs prerequisites, starts the test bed (a 3-member etcd
# with its Patroni clusters, and a second etcd cluster "edge" with one more,
# all on 127.0.0.1), builds Patrol and serves both etcd clusters on
# http://127.0.0.1:8000: the first as "main", edge from the test bed's
# fleet.toml. Extra arguments go to patrol (e.g. --listen 0.0.0.0:8000).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=end2end/env.sh
source "$here/env.sh"
"$here/setup.sh"
# The test bed starts (Patroni from PyPI, PostgreSQL's initdb, waiting for
# leaders) while Patrol builds: most of its time is waiting, not CPU.
testbed_log=$(mktemp)
"$here/testbed/start.sh" >"$testbed_log" 2>&1 &
testbed=$!
# shellcheck source=end2end/testbed/env.sh
source "$here/testbed/env.sh"
cd "$root"
patrol=$("$here/build.sh")
if ! wait "$testbed"; then
  cat "$testbed_log" >&2
  echo "demo: the test bed did not start" >&2
  exit 1
fi
tail -n 8 "$testbed_log"
rm -f "$testbed_log"
echo "Patrol on http://127.0.0.1:8000 (Ctrl-C stops it; end2end/testbed/stop.sh stops the test bed)"
# The test bed's Patroni REST login, so that admin actions work once an
# admin is configured: PATROL_DEMO_PASSWORD (user admin), or
# --admin-password-hash-file / --admin-token-file among the arguments. The
# hash goes in a file of mode 600, not on the command line, where ps would
# show it to every local user.
admin=()
if [[ -n "${PATROL_DEMO_PASSWORD:-}" ]]; then
  hash_file="$PATROL_TESTBED_DIR/admin.hash"
  (umask 077 && printf '%s\n' "$PATROL_DEMO_PASSWORD" | "$patrol" hash-password >"$hash_file")
  admin=(--admin-password-hash-file "$hash_file")
fi
exec "$patrol" --endpoints "$PATROL_TESTBED_ENDPOINTS" --etcd-name main \
  --config "$PATROL_TESTBED_FLEET" \
  --patroni-rest "$PATROL_TESTBED_PATRONI_REST" --state-dir "$PATROL_TESTBED_DIR/patrol" \
  "${admin[@]}" "$@"
