#!/usr/bin/env bash
# Proves that end2end/apt-packages.txt is complete on a fresh machine: in a bare
# Debian bookworm root (debootstrap --variant=minbase), apt-install.sh installs
# the list exactly as setup.sh does, then protoc compiles etcd-client's protos
# with the arguments its build script (prost-build) uses. Before that, as a
# control, it installs protobuf-compiler alone and expects the same compile to
# fail on google/protobuf/descriptor.proto, so the check is known to catch a
# missing package. Then it runs each tool the scripts call.
#
#   end2end/check-fresh-root.sh            # about 5 minutes
#   end2end/check-fresh-root.sh --build    # and cargo builds etcd-client too
#
# --build also runs the real thing, twice: etcd-client's build script, from
# a clean export of this repository's HEAD with the host's Rust toolchain
# (mounted read-only; gcc and libc6-dev installed as its linker) and crates
# fetched afresh: first with protobuf-compiler alone, where it must fail,
# then with the whole list. About 6 minutes more (11.5 in all on a busy
# 2-core machine).
#
# Root only (chroot, mounts). The bare root is built once with debootstrap and
# kept as a tarball under ~/.cache/patrol-fresh-root (rebuilt after 7 days):
# it holds only Debian's minimal base, none of the list, and every run unpacks
# a fresh copy and installs the packages from the archive again.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=end2end/fresh-root.sh
source "$repo/end2end/fresh-root.sh"
build=$(fresh_root_flag --build "$@")

fresh_root_unpack   # sets $root; removed again on exit

# etcd-client's protos, from the version Cargo.lock pins.
version=$(awk '/^name = "etcd-client"$/ { getline; gsub(/"/, "", $3); print $3 }' "$repo/Cargo.lock")
[ -n "$version" ] || die "etcd-client is not in Cargo.lock"
protos=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"etcd-client-$version"/proto 2>/dev/null | head -1 || true)
if [ -z "$protos" ]; then
  (cd "$repo" && cargo fetch --locked >/dev/null)
  protos=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"etcd-client-$version"/proto | head -1)
fi
mkdir -p "$root/tmp/etcd-client"
cp -r "$protos" "$root/tmp/etcd-client/proto"
# The files build.rs names, compiled as prost-build runs protoc.
compile_protos() {
  chroot "$root" sh -c 'cd /tmp/etcd-client && protoc --include_imports --include_source_info \
    -o /tmp/etcd-client/descriptors.bin -I proto \
    proto/etcd/api/authpb/auth.proto proto/etcd/api/etcdserverpb/rpc.proto \
    proto/etcd/api/mvccpb/kv.proto \
    proto/etcd/server/etcdserver/api/v3election/v3electionpb/v3election.proto \
    proto/etcd/server/etcdserver/api/v3lock/v3lockpb/v3lock.proto'
}

mkdir -p "$root/tmp/patrol"
cp "$repo/end2end/apt-install.sh" "$repo/end2end/apt-packages.txt" "$root/tmp/patrol/"

if ((build)); then
  # The Rust toolchain a fresh machine starts with: rustup's, plus a linker.
  toolchain=$(rustup show home)/toolchains/$(rustup show active-toolchain | cut -d' ' -f1)
  [ -x "$toolchain/bin/cargo" ] || die "no Rust toolchain at $toolchain"
  mkdir -p "$root/opt/rust"
  mount --bind "$toolchain" "$root/opt/rust"
  mount -o remount,bind,ro "$root/opt/rust"
  fresh_root_mounts+=("$root/opt/rust")
  say "gcc and libc6-dev, the toolchain's linker"
  chroot "$root" /tmp/patrol/apt-install.sh gcc libc6-dev
  mkdir -p "$root/tmp/src"
  git -C "$repo" archive HEAD | tar -x -C "$root/tmp/src"
  # crates.io over TLS with the CAs this host trusts (the root has none of
  # its own until ca-certificates is installed, and a host may need more).
  cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$root/tmp/host-ca.crt"
fi
cargo_build() {
  chroot "$root" env -i PATH=/opt/rust/bin:/usr/bin:/bin HOME=/root CARGO_TARGET_DIR=/tmp/target \
    CARGO_HTTP_CAINFO=/tmp/host-ca.crt \
    sh -c 'cd /tmp/src && cargo build --locked -p etcd-client 2>&1'
}

say "control: protobuf-compiler alone"
chroot "$root" /tmp/patrol/apt-install.sh protobuf-compiler
if out=$(compile_protos 2>&1); then
  die "protoc compiled etcd's protos without libprotobuf-dev: this check cannot catch the missing package"
fi
grep -q "google/protobuf/descriptor.proto: File not found" <<<"$out" ||
  die "the control failed for another reason than the missing well-known protos:"$'\n'"$out"
say "control failed as it must: google/protobuf/descriptor.proto: File not found"
if ((build)); then
  if out=$(cargo_build); then die "etcd-client built without libprotobuf-dev: the control cannot fail"; fi
  grep -q "google/protobuf/descriptor.proto: File not found" <<<"$out" ||
    die "cargo build failed for another reason:"$'\n'"$(tail -30 <<<"$out")"
  say "control: cargo build -p etcd-client fails in its build script, as on the issue's machine"
fi

say "installing apt-packages.txt as setup.sh does"
chroot "$root" /tmp/patrol/apt-install.sh
compile_protos || die "protoc cannot compile etcd-client's protos with setup's packages"
say "etcd-client's protos compile with setup's packages"
if ((build)); then
  out=$(cargo_build) || die "cargo build -p etcd-client fails with setup's packages:"$'\n'"$(tail -30 <<<"$out")"
  say "cargo build -p etcd-client succeeds with setup's packages"
fi

# Each tool the scripts run, from the installed packages.
chroot "$root" sh -ec '
  etcd --version | head -1
  ETCDCTL_API=3 etcdctl version | head -1
  /usr/lib/postgresql/15/bin/postgres --version
  chromium --version
  python3 -m venv /tmp/venv && /tmp/venv/bin/python -m pip --version
  openssl version
  ss --version
  echo "node $(node --version), npm $(npm --version)"
'
say "fresh root complete: every package of apt-packages.txt installed and working"
