# shellcheck shell=bash
# Sourced by check-fresh-root.sh, check-package.sh and check-cold-start.sh: a
# throwaway bare Debian bookworm root, and their timed messages.

cache="${PATROL_FRESH_ROOT_CACHE:-$HOME/.cache/patrol-fresh-root}"
mirror="${PATROL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
base="$cache/bookworm-minbase.tar"
t0=$EPOCHREALTIME
# A message with the seconds since the script started.
say() { printf '[%5.1f s] %s\n' "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*"; }
die() { echo "$(basename "$0" .sh): $*" >&2; exit 1; }

# The one optional flag a check takes: prints 1 when the check's arguments
# (after $1, the flag) give it, 0 when they are empty, or dies with the
# usage. Dies too unless run as root (debootstrap and chroot).
fresh_root_flag() {
  local flag=$1
  shift
  [ "$(id -u)" = 0 ] || die "run as root (debootstrap and chroot)"
  case "${1:-}" in
    "$flag") echo 1 ;;
    "") echo 0 ;;
    *) die "usage: $(basename "$0") [$flag]" ;;
  esac
}

# Builds the cached tarball of `debootstrap --variant=minbase bookworm` when
# it is missing or older than 7 days.
fresh_root_base() {
  if [ -f "$base" ] && [ -z "$(find "$base" -mtime +7)" ]; then return; fi
  command -v debootstrap >/dev/null || {
    say "apt-get install debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  say "debootstrap --variant=minbase bookworm (cached in $base)"
  mkdir -p "$cache"
  local tmp
  tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
  debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
    { tail -20 "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; die "debootstrap failed"; }
  tar -C "$tmp" -cf "$base.new" . && mv "$base.new" "$base"
  rm -rf "$tmp" "$tmp.log"
}

# Mounts inside the root, unmounted (last first) when it is removed.
fresh_root_mounts=()

# Unpacks a fresh copy of the base into $root, with /proc mounted, the host's
# resolver, and a policy-rc.d that keeps packages from starting services (the
# root shares the host's network, where the test bed runs). Removed on exit.
fresh_root_unpack() {
  fresh_root_base
  root=$(mktemp -d /var/tmp/patrol-fresh-root.XXXXXX)
  trap fresh_root_remove EXIT
  tar -C "$root" -xf "$base"
  chmod 755 "$root"   # mktemp's 700 would shut out every user but root
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  fresh_root_mounts+=("$root/proc")
  if mount --bind /dev/pts "$root/dev/pts" 2>/dev/null; then fresh_root_mounts+=("$root/dev/pts"); fi
  say "fresh bookworm root at $root"
}

fresh_root_remove() {
  [ -n "${root:-}" ] && [ -d "$root" ] || return 0
  # Anything the checks left running inside the root goes first.
  local pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill "$pid" 2>/dev/null
  done
  local i m
  for ((i = ${#fresh_root_mounts[@]} - 1; i >= 0; i--)); do
    m=${fresh_root_mounts[i]}
    if mountpoint -q "$m"; then umount "$m" 2>/dev/null || umount -l "$m"; fi
  done
  # Nothing is removed while anything is still mounted inside.
  if grep -q " $root/" /proc/mounts; then
    echo "fresh-root: $root still has mounts; left in place" >&2
    return 0
  fi
  rm -rf --one-file-system "$root"
}
