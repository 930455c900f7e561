#!/usr/bin/env bash
# The whole test suite: formatting and lints, unit and integration tests
# (cargo nextest), and the browser journeys (Playwright in Debian's Chromium),
# against the real test bed, which it starts when it is not running and then
# stops again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=end2end/env.sh
source "$here/env.sh"
"$here/setup.sh" --tests
# shellcheck source=end2end/testbed/env.sh
source "$here/testbed/env.sh"

testbed_log=$(mktemp)
"$here/testbed/start.sh" 2>&1 | tee "$testbed_log"
started_testbed=1
if grep -q "already running" "$testbed_log"; then started_testbed=0; fi
cleanup() { if ((started_testbed)); then "$here/testbed/stop.sh" || true; fi; }
trap cleanup EXIT

cd "$root"
step() { printf '\n== %s\n' "$*"; }
# A fresh clone's files all look new to cargo; give the unchanged ones back
# the time they had at the last build here (see the script for when not).
python3 tools/source-mtimes.py restore "$CARGO_TARGET_DIR"
step "format";               cargo fmt --all --check
step "import cycles";        python3 tools/check-cycles.py app/src server/src
step "clippy (server, ssr)";  cargo clippy --workspace --all-targets --release -- -D warnings
step "clippy (app, hydrate)"; cargo clippy -p app --lib --target wasm32-unknown-unknown --features hydrate --release -- -D warnings
step "build";                "$here/build.sh" --tests

step "unit and integration tests"
nextest_log=$(mktemp)
set +e
cargo nextest run --workspace --release --no-fail-fast 2>&1 | tee "$nextest_log"
nextest_status=${PIPESTATUS[0]}

step "browser journeys"
pw_log=$(mktemp)
(cd end2end && PATROL_BIN="$CARGO_TARGET_DIR/release/patrol" npx playwright test) 2>&1 | tee "$pw_log"
pw_status=${PIPESTATUS[0]}
set -e
python3 tools/source-mtimes.py save "$CARGO_TARGET_DIR"

count() { grep -oE "[0-9]+ $2" "$1" | tail -1 | grep -oE '^[0-9]+' || echo 0; }
passed=$(( $(count "$nextest_log" passed) + $(count "$pw_log" passed) ))
failed=$(( $(count "$nextest_log" failed) + $(count "$pw_log" failed) ))
if ((nextest_status != 0 || pw_status != 0)) && ((failed == 0)); then failed=1; fi
echo
echo "patrol: $passed passed, $failed failed"
((nextest_status == 0 && pw_status == 0))
