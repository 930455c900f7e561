#!/usr/bin/env bash
# Installs what Patrol's build, demo and tests need on Debian bookworm, as
# root, without prompts. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130

end2end/apt-install.sh

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# Not --locked: its lock file pins crates that no longer build with our toolchain.
# --debug: compiles in half the time (163 s against 296 s here), and its 5 s
# per build instead of 1 s writes the same files.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  echo "setup: cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install --debug wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
# The test runner, only for end2end/test.sh (which passes --tests): the demo
# does without. --debug here too: compiling it took 688 s of CPU here against
# 274 s (18 and 3.6 min on the busy 2 cores), and it only runs test binaries.
if [[ " $* " == *" --tests "* ]]; then
  command -v cargo-nextest >/dev/null || cargo install --debug cargo-nextest --locked
fi

# Playwright (driving Debian's Chromium, never a downloaded browser) and
# binaryen's wasm-opt 132, which end2end/build.sh runs on the browser bundle.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/playwright ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
