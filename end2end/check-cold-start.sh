#!/usr/bin/env bash
# Times the Quick start from nothing: in a bare Debian bookworm root
# (debootstrap --variant=minbase) holding only the Rust toolchain, a clean
# export of HEAD runs `end2end/demo.sh` until Patrol answers on
# http://127.0.0.1:8000 with both test bed clusters. Every Debian package,
# Patroni, the crates, wasm-bindgen-cli and the npm tools are fetched and
# built afresh. Prints the time of each step of demo.sh and the total.
#
#   end2end/check-cold-start.sh           # about 15 minutes on 2 cores
#   end2end/check-cold-start.sh --tests   # then end2end/test.sh there too
#
# With --tests, the second Quick start command follows in the same root once
# Patrol serves: the demo's Patrol is stopped and `end2end/test.sh` runs
# against the test bed the demo started, as on a new machine.
#
# Root only (chroot, mounts). The root shares this machine's network, so the
# host's own test bed and anything on port 8000 must be stopped first; it
# refuses to run otherwise. The toolchain is this machine's active rustup
# toolchain, mounted read-only, with the targets it already has (rustup
# cannot download here). The root is removed on exit.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=end2end/fresh-root.sh
source "$repo/end2end/fresh-root.sh"
tests=$(fresh_root_flag --tests "$@")
ports="8000 12379 12479 12579 12679 15431 15441 15471 18001 18011 18041"
for p in $ports; do
  if ss -Hltn "sport = :$p" | grep -q .; then
    die "port $p is in use on 127.0.0.1: stop the test bed (end2end/testbed/stop.sh) and Patrol first"
  fi
done

fresh_root_unpack   # sets $root; removed again on exit
# PostgreSQL's shared memory.
mkdir -p "$root/dev/shm"
mount -t tmpfs shm "$root/dev/shm"
fresh_root_mounts+=("$root/dev/shm")

# The Rust toolchain a fresh machine starts with: rustup and its active
# toolchain, nothing installed with cargo.
rustup_home=$(rustup show home)
name=$(rustup show active-toolchain | cut -d' ' -f1)
toolchain=$(readlink -f "$rustup_home/toolchains/$name")
[ -x "$toolchain/bin/cargo" ] || die "no Rust toolchain at $toolchain"
mkdir -p "$root/root/.rustup/toolchains/$name" "$root/root/.cargo/bin"
mount --bind "$toolchain" "$root/root/.rustup/toolchains/$name"
mount -o remount,bind,ro "$root/root/.rustup/toolchains/$name"
fresh_root_mounts+=("$root/root/.rustup/toolchains/$name")
printf 'default_toolchain = "%s"\nprofile = "minimal"\nversion = "12"\n' "$name" >"$root/root/.rustup/settings.toml"
cp "$(command -v rustup)" "$root/root/.cargo/bin/rustup"
for proxy in cargo rustc rustdoc rustfmt cargo-fmt cargo-clippy clippy-driver; do
  ln -s rustup "$root/root/.cargo/bin/$proxy"
done
# This machine reaches the registries through the CAs it trusts; the bare
# root has none until ca-certificates is installed, and may need the host's.
cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$root/etc/host-ca.crt"

mkdir -p "$root/root/patrol"
git -C "$repo" archive HEAD | tar -x -C "$root/root/patrol"

log=$(mktemp)
say "demo.sh in the bare root (log: $log)"
start=$EPOCHREALTIME
# The bare root's environment: no variables from this shell but the CAs.
in_root() {
  chroot "$root" env -i HOME=/root PATH=/root/.cargo/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    TERM=dumb LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/host-ca.crt CARGO_HTTP_CAINFO=/etc/host-ca.crt \
    NODE_EXTRA_CA_CERTS=/etc/host-ca.crt PIP_CERT=/etc/host-ca.crt \
    bash -c "cd /root/patrol && $1" </dev/null
}
in_root 'exec end2end/demo.sh' 2>&1 |
  while IFS= read -r line; do
    case "$line" in
      setup:* | testbed:* | build:* | *Finished* | *Installed\ package* | Patrol\ on*) say "$line" ;;
    esac
    printf '%s\n' "$line" >>"$log"
  done &
demo=$!

# Ready: Patrol answers and shows both of the test bed's clusters.
deadline=$((SECONDS + 3600))
until curl -fsS http://127.0.0.1:8000/api/v1/clusters 2>/dev/null | grep -q pg-meta &&
      curl -fsS http://127.0.0.1:8000/api/v1/clusters 2>/dev/null | grep -q mycluster; do
  if ! kill -0 "$demo" 2>/dev/null; then tail -40 "$log" >&2; die "demo.sh ended before Patrol served"; fi
  ((SECONDS < deadline)) || { tail -40 "$log" >&2; die "no Patrol after an hour"; }
  sleep 2
done
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
say "Patrol serves both clusters: cold Quick start took ${took} s ($((took / 60)) min $((took % 60)) s)"
curl -fsS -o /dev/null -w 'overview page: %{http_code}, %{size_download} bytes\n' http://127.0.0.1:8000/

if ((tests)); then
  for pid in $(pgrep -x patrol); do
    if [ "$(readlink "/proc/$pid/root")" = "$root" ]; then kill "$pid"; fi
  done
  wait "$demo" 2>/dev/null || true
  tlog=$(mktemp)
  say "end2end/test.sh in the same root (log: $tlog)"
  start=$EPOCHREALTIME
  set +e
  in_root 'exec end2end/test.sh' >"$tlog" 2>&1
  status=$?
  set -e
  took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
  say "test.sh: exit $status after ${took} s: $(grep -E '^patrol: ' "$tlog" | tail -1)"
  ((status == 0)) || { tail -60 "$tlog" >&2; die "test.sh failed in the fresh root"; }
fi
in_root 'end2end/testbed/stop.sh' >/dev/null 2>&1 || true
