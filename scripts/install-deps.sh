#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Install every build and test dependency from Debian's packages; with
# --bench, also what `make bench` compares against (pmacctd, ethtool).
# Idempotent and silent when everything is there already.
set -eu

PKGS="make gcc clang llvm libclang-rt-14-dev pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
libcmocka-dev libpcap-dev libbz2-dev bgpdump tcpdump iproute2 util-linux jq bird2 nftables procps valgrind"
[ "${1:-}" = --bench ] && PKGS="$PKGS pmacct ethtool"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "prefixwatch: missing packages:$missing; run 'sudo scripts/install-deps.sh' (or apt-get install them)" >&2
	exit 1
fi
echo "prefixwatch: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
# shellcheck disable=SC2086
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "prefixwatch: installing$missing failed (output above)" >&2
	rm -f "$log"
	exit 1
fi
rm -f "$log"
