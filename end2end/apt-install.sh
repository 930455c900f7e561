#!/usr/bin/env bash
# Installs the Debian packages listed in apt-packages.txt beside this script
# (or those named as arguments) that are not installed yet, without
# recommends and without prompts. Used by setup.sh, and by check-fresh-root.sh
# inside a bare bookworm root, so both install exactly the same way.
set -euo pipefail
list="$(dirname "$0")/apt-packages.txt"

wanted=()
if (($#)); then
  wanted=("$@")
else
  while read -r package command _; do
    [[ -z $package || $package == \#* ]] && continue
    [[ -n $command && $command != \#* ]] && command -v "$command" >/dev/null && continue
    wanted+=("$package")
  done <"$list"
fi

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "setup: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
