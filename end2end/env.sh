# shellcheck shell=bash
# Sourced by Patrol's scripts: where builds go and which tools come first.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Outside the clone, so fresh clones reuse earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/patrol-target}"
# The built site, which server/build.rs embeds: beside the builds, so a fresh
# clone (every file new) does not make cargo rebuild the server.
export PATROL_SITE_DIR="${PATROL_SITE_DIR:-$CARGO_TARGET_DIR/site}"
# npm's binaryen 132 first: Debian's wasm-opt 108 silently breaks hydration.
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
