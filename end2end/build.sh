#!/usr/bin/env bash
# Builds Patrol for release, without cargo-leptos: the browser bundle (the
# `app` crate for wasm32, then wasm-bindgen and binaryen's wasm-opt), the
# stylesheet and the public files into $PATROL_SITE_DIR (env.sh: the target
# dir's site/), then the `patrol` binary, which carries the site inside it
# (server/build.rs hashes and compresses each file).
# Prints where the binary is. Needs what end2end/setup.sh installs.
#   build.sh           the site and `patrol`
#   build.sh --tests   the same, and every test binary, compiled as
#                      `cargo nextest run --workspace --release` compiles them
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=end2end/env.sh
source "$here/env.sh"
cd "$root"
# Standard output carries only the binary's path, for `patrol=$(build.sh)`.
exec 3>&1 1>&2

WASM_BINDGEN_VERSION=0.2.130
site="$PATROL_SITE_DIR"
tests=0
case "${1:-}" in
  "") ;;
  --tests) tests=1 ;;
  *) printf 'usage: build.sh [--tests]\n' >&2; exit 2 ;;
esac
stage="$CARGO_TARGET_DIR/site-stage"
wasm_opt="$root/end2end/node_modules/.bin/wasm-opt"

say() { printf 'build: %s\n' "$*" >&2; }
fail() { say "$*"; exit 1; }

# The JS glue must come from the wasm-bindgen the app was compiled against.
wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$" \
  || fail "wasm-bindgen $WASM_BINDGEN_VERSION is needed (end2end/setup.sh installs it)"
# npm's binaryen 132, never Debian's 108, which silently breaks hydration.
[ -x "$wasm_opt" ] || fail "npm's binaryen is missing at $wasm_opt (end2end/setup.sh installs it)"

say "browser bundle: cargo build -p app (wasm32, hydrate, wasm-release)"
cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate --profile wasm-release
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/app.wasm"

# wasm-bindgen and wasm-opt only when the compiled wasm changed: wasm-opt
# alone takes most of a minute.
input=$(sha256sum "$wasm" | cut -d' ' -f1)
if [[ "$(cat "$stage/input.sha256" 2>/dev/null)" != "$input" ]]; then
  rm -rf "$stage"
  mkdir -p "$stage"
  say "wasm-bindgen"
  wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name patrol "$wasm"
  say "wasm-opt -Oz ($(stat -c %s "$stage/patrol_bg.wasm") bytes in)"
  # The flags cargo-leptos passes on release builds.
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$stage/patrol_bg.wasm" -o "$stage/patrol.wasm"
  rm "$stage/patrol_bg.wasm"
  say "wasm-opt: $(stat -c %s "$stage/patrol.wasm") bytes out"
  [ ! -e "$stage/snippets" ] || fail "wasm-bindgen wrote snippets/, which the embedded site does not serve yet"
  echo "$input" >"$stage/input.sha256"
fi

# Into site/, replacing only files whose content changed, so that an
# unchanged site does not make cargo rebuild the server; files no source
# names any more are removed.
declare -A wanted=()
put() {
  local from="$1" to="$site/$2"
  wanted["$2"]=1
  if ! cmp -s "$from" "$to"; then
    mkdir -p "$(dirname "$to")"
    cp "$from" "$to.tmp"
    mv "$to.tmp" "$to"
  fi
}
put "$stage/patrol.js" pkg/patrol.js
put "$stage/patrol.wasm" pkg/patrol.wasm
# Plain CSS, copied as it is (gzip and brotli do what a minifier would).
put style/main.css pkg/patrol.css
while IFS= read -r -d '' f; do
  put "$f" "${f#public/}"
done < <(find public -type f -print0)
while IFS= read -r -d '' f; do
  rel="${f#"$site"/}"
  [[ -n "${wanted[$rel]:-}" ]] || rm -f "$f"
done < <(find "$site" -type f ! -name .gitignore -print0)

mkdir -p "$site"
say "server: cargo build --bin patrol --release (site embedded)"
if ((tests)); then
  # With the tests, dev-dependencies' features count (tokio's test-util), as
  # they do for nextest. Built without them, `patrol` would be a second build
  # of the same path that nextest then overwrites, and the next run would
  # find it stale and build it all again.
  cargo build --workspace --bin patrol --tests --release
else
  cargo build --workspace --bin patrol --release
fi
echo "$CARGO_TARGET_DIR/release/patrol" >&3
