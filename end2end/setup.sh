#!/usr/bin/env bash
# Installs what Patrol's build, demo and tests need on Debian bookworm, as
# root, without prompts. Quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

end2end/apt-install.sh

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

if ! cargo leptos --version 2>/dev/null | grep -q " $LEPTOS_VERSION"; then
  echo "setup: cargo install cargo-leptos $LEPTOS_VERSION (takes a while)"
  cargo install cargo-leptos --version "$LEPTOS_VERSION" --locked
fi
# Not --locked: its lock file pins crates that no longer build with our toolchain.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  echo "setup: cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked

# Playwright (driving Debian's Chromium, never a downloaded browser) and
# binaryen's wasm-opt 132, which cargo-leptos runs on --release builds.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/playwright ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
