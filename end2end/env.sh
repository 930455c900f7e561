# shellcheck shell=bash
# Sourced by Patrol's scripts: where builds go and which tools come first.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Outside the clone, so fresh clones reuse earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/patrol-target}"
# npm's binaryen 132 first: Debian's wasm-opt 108 silently breaks hydration.
export PATH="$root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
