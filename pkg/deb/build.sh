#!/usr/bin/env bash
# Builds Patrol's Debian package and prints its path:
#   pkg/deb/build.sh        ->  $CARGO_TARGET_DIR/debian/patrol_<version>_amd64.deb
# The release build of the patrol binary (which carries the site it serves),
# then cargo-deb around it with the metadata in server/Cargo.toml. Installs
# cargo-deb from crates.io when it is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=end2end/env.sh
source "$here/../../end2end/env.sh"
cd "$root"

CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version 2>/dev/null | grep -q " $CARGO_DEB_VERSION"; then
  echo "build-deb: cargo install cargo-deb $CARGO_DEB_VERSION" >&2
  cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked >&2
fi
# The site first, then the binary that embeds it.
"$root/end2end/build.sh" >/dev/null
cargo deb -p server --no-build --strip --quiet
