#!/usr/bin/env bash
# Installs Patrol's Debian package in a bare Debian bookworm root and checks
# it as an operator would meet it:
#   end2end/check-package.sh [patrol.deb]     (default: build it with pkg/deb/build.sh)
# - apt-get installs it with its dependencies: /usr/bin/patrol runs, the
#   system user patrol exists, /etc/patrol/patrol.toml is a conffile that
#   only root and group patrol can read, and the unit has its hardening;
# - systemd-analyze verify accepts the unit without a word, and
#   systemd-analyze security rates its sandbox below 2.0 (with systemd
#   installed in the root for that, as the package does not need it);
# - the unit's ExecStart line, run as User= in its StateDirectory= as systemd
#   would, starts Patrol with the example config, answers /healthz and opens
#   the store (patrol.db, with the audit log) in /var/lib/patrol;
# - apt-get remove keeps /etc/patrol and the store, a reinstall works,
#   and purge still keeps the store.
# Root only. The bare root is the same cached debootstrap tarball as
# check-fresh-root.sh uses.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=end2end/fresh-root.sh
source "$repo/end2end/fresh-root.sh"
[ "$(id -u)" = 0 ] || die "run as root (chroot)"

deb="${1:-}"
if [ -z "$deb" ]; then
  say "building the package (pkg/deb/build.sh)"
  deb=$("$repo/pkg/deb/build.sh" | tail -1)
fi
[ -f "$deb" ] || die "no package at $deb"
say "package $deb"

fresh_root_unpack
in_root() { chroot "$root" "$@"; }
apt_in_root() {
  in_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -qq "$@" >/dev/null
}
cp "$deb" "$root/tmp/patrol.deb"

say "apt-get install ./patrol.deb"
apt_in_root update
apt_in_root install -y --no-install-recommends /tmp/patrol.deb
in_root patrol --version

IFS=: read -r _ _ uid _ _ home shell <<<"$(in_root getent passwd patrol)" || die "no user patrol"
((uid < 1000)) || die "patrol is not a system user (uid $uid)"
[ "$home" = /var/lib/patrol ] || die "patrol's home is $home"
[[ $shell == */nologin || $shell == */false ]] || die "patrol can log in ($shell)"
in_root dpkg-query -W -f='${Conffiles}\n' patrol | grep -q "^ /etc/patrol/patrol.toml " ||
  die "/etc/patrol/patrol.toml is not a conffile"
for entry in "/etc/patrol root:patrol 750" "/etc/patrol/patrol.toml root:patrol 640"; do
  read -r path owner mode <<<"$entry"
  got=$(in_root stat -c '%U:%G %a' "$path")
  [ "$got" = "$owner $mode" ] || die "$path is $got, expected $owner $mode"
done
unit=/usr/lib/systemd/system/patrol.service
for line in User=patrol NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes StateDirectory=patrol \
  "ExecStart=/usr/bin/patrol --config /etc/patrol/patrol.toml"; do
  grep -qxF "$line" "$root$unit" || die "$unit lacks $line"
done
say "installed: user patrol (uid $uid), conffile root:patrol 640, unit with its hardening"

in_root chroot --userspec=patrol:patrol / patrol check-config --config /etc/patrol/patrol.toml >/dev/null ||
  die "patrol check-config refuses the example config"
say "patrol check-config accepts the example config, as user patrol"

# The bare root has no systemd, so no targets for the unit to hang on:
# install it there (the package itself does not need it) and verify with
# the root's own systemd-analyze.
say "apt-get install systemd, for systemd-analyze verify"
apt_in_root install -y --no-install-recommends systemd
out=$(in_root systemd-analyze verify "$unit" 2>&1) || die "systemd-analyze verify refuses the unit:"$'\n'"$out"
# verify also reports some problems without failing: any output is one.
[ -z "$out" ] || die "systemd-analyze verify:"$'\n'"$out"
say "systemd-analyze verify accepts $unit"
# systemd's own score of the sandbox: 0 is locked down, 10 is none.
exposure=$(in_root systemd-analyze security --offline=true "$unit" 2>&1 |
  sed -n 's/.*Overall exposure level for patrol.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || die "systemd-analyze security gave no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e < 2.0) }' || die "the unit's exposure level is $exposure, above 2.0"
say "systemd-analyze security: exposure level $exposure (below 2.0)"

# What systemd does for the unit, done by hand: StateDirectory= and its
# mode, User=/Group=, WorkingDirectory=, UMask=, then the ExecStart line.
# The port comes from PATROL_LISTEN, which beats the file's listen.
exec_start=$(sed -n 's/^ExecStart=//p' "$root$unit")
in_root install -d -o patrol -g patrol -m 0750 /var/lib/patrol
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$root/tmp/patrol.log"
chroot --userspec=patrol:patrol "$root" env -i PATH=/usr/bin:/bin PATROL_LISTEN="127.0.0.1:$port" \
  sh -c "cd /var/lib/patrol && umask 0077 && exec $exec_start" >"$log" 2>&1 &
patrol_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  kill -0 "$patrol_pid" 2>/dev/null || die "ExecStart exited:"$'\n'"$(cat "$log")"
  sleep 0.2
done
grep -q "listening on http://127.0.0.1:$port" "$log" || die "Patrol did not start:"$'\n'"$(cat "$log")"
[ "$(curl -fsS "http://127.0.0.1:$port/healthz")" = ok ] || die "/healthz did not answer ok"
curl -fsS "http://127.0.0.1:$port/api/v1/health" | grep -q '"namespaces":\["/service","/db","/pg"\]' ||
  die "/api/v1/health does not show the example config's namespaces"
got=$(in_root stat -c '%U %a' /var/lib/patrol/patrol.db) || die "no store (patrol.db) in /var/lib/patrol"
[ "$got" = "patrol 600" ] || die "the store is $got, expected patrol 600"
kill "$patrol_pid"
wait "$patrol_pid" 2>/dev/null || true
say "ExecStart runs as patrol: /healthz ok, store /var/lib/patrol/patrol.db (patrol 600)"

apt_in_root remove -y patrol
[ ! -e "$root/usr/bin/patrol" ] || die "remove left /usr/bin/patrol"
[ -f "$root/etc/patrol/patrol.toml" ] || die "remove took /etc/patrol/patrol.toml"
[ -f "$root/var/lib/patrol/patrol.db" ] || die "remove took the store"
say "apt-get remove: binary gone, /etc/patrol/patrol.toml and /var/lib/patrol/patrol.db kept"

apt_in_root install -y --no-install-recommends /tmp/patrol.deb
in_root patrol --version >/dev/null
apt_in_root purge -y patrol
[ ! -e "$root/etc/patrol/patrol.toml" ] || die "purge left /etc/patrol/patrol.toml"
[ -f "$root/var/lib/patrol/patrol.db" ] || die "purge took the store"
say "reinstall works; apt-get purge removes the conffile and keeps the store"
say "package checked"
