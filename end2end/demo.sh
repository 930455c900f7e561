#!/usr/bin/env bash
# The demo: installs prerequisites, starts the test bed (a 3-member etcd and
# two Patroni clusters on 127.0.0.1), builds Patrol and serves it on
# http://127.0.0.1:8000. Extra arguments go to patrol (e.g. --listen 0.0.0.0:8000).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=end2end/env.sh
source "$here/env.sh"
"$here/setup.sh"
"$here/testbed/start.sh"
# shellcheck source=end2end/testbed/env.sh
source "$here/testbed/env.sh"
cd "$root"
cargo leptos build --release
echo "Patrol on http://127.0.0.1:8000 (Ctrl-C stops it; end2end/testbed/stop.sh stops the test bed)"
exec "$CARGO_TARGET_DIR/release/patrol" --endpoints "$PATROL_TESTBED_ENDPOINTS" --site-root "$root/target/site" "$@"
