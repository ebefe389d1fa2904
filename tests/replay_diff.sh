#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Differential test of `prefixwatch replay` against tcpdump on the real
# captures in ../shared/testdata/pcap: for each capture, prefixes that occur
# in it, and per direction the packets counted must equal tcpdump's count of
#   ip dst net P or (vlan and (ip dst net P or (vlan and ip dst net P)))
# (ip6 for IPv6 prefixes, src for "from"), except for the captures listed in
# replay_diff_known.tsv, where libpcap's filter and our parser are documented
# to differ. ("ip" is needed: a bare "net" also matches ARP and RARP.)
#
#   tests/replay_diff.sh BUILD_DIR [DATA_DIR]
set -u
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-$HERE/../../shared/testdata/pcap}
KNOWN=$HERE/replay_diff_known.tsv
PW=$BUILD/prefixwatch

if [ "$(id -u)" -ne 0 ]; then
	echo "replay-diff: SKIP: needs root (replay runs the XDP program through BPF_PROG_TEST_RUN)"
	echo "replay-diff: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -d "$DATA" ]; then
	echo "replay-diff: SKIP: no test captures at $DATA"
	echo "replay-diff: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
TMP=$(mktemp -d /tmp/pw-rdiff.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

filter() { # filter DIR PREFIX
	local p="ip $1 net $2"

	case $2 in *:*) p="ip6 $1 net $2" ;; esac
	echo "$p or (vlan and ($p or (vlan and $p)))"
}
tcount() { tcpdump -r "$1" --count "$2" 2>/dev/null | awk '{ print $1 + 0 }'; }

one() { # one FILE: prints "PASS|FAIL|KNOWN|SKIP file detail"
	local f=$1 rel=${1#"$DATA"/} out targets=() p
	# the two most frequent IPv4 /24s and IPv6 /64s that occur
	for p in $("$BUILD/tests/pcapaddrs" "$f" | awk '$2 ~ /:/ { if (n6++ < 2) print $2; next } { if (n4++ < 2) print $2 }'); do
		targets+=(-t "$p")
	done
	if [ ${#targets[@]} -eq 0 ]; then
		echo "SKIP $rel no IPv4 or IPv6 address in it"
		return
	fi
	out=$("$PW" replay "$f" "${targets[@]}" --block-len6 64 2>"$TMP/$$.err")
	local bad="" t dir ours theirs
	for ((k = 1; k < ${#targets[@]}; k += 2)); do
		t=${targets[$k]}
		for dir in to from; do
			ours=$(awk -v b="$t" -v d="$dir" '$2 == b && $3 == d { print $4 }' <<<"$out")
			theirs=$(tcount "$f" "$(filter "$([ $dir = to ] && echo dst || echo src)" "$t")")
			[ "${ours:-x}" = "$theirs" ] || bad+="$t $dir: ours ${ours:-none}, tcpdump $theirs; "
		done
	done
	if [ -z "$bad" ]; then
		echo "PASS $rel"
	elif grep -q "^$rel	" "$KNOWN"; then
		echo "KNOWN $rel $bad($(grep "^$rel	" "$KNOWN" | cut -f2))"
	else
		echo "FAIL $rel $bad"
	fi
}
export -f one filter tcount
export DATA KNOWN PW TMP BUILD

find "$DATA" -name '*.pcap' -o -name '*.pcapng' | sort |
	xargs -P 2 -I{} bash -c 'one "$@"' _ {} >"$TMP/results"
grep -v '^PASS' "$TMP/results" | sort
pass=$(grep -c '^PASS' "$TMP/results")
fail=$(grep -c '^FAIL' "$TMP/results")
known=$(grep -c '^KNOWN' "$TMP/results")
skip=$(grep -c '^SKIP' "$TMP/results")
echo "replay-diff: $((pass + known)) passed, $fail failed, $skip skipped ($known as documented in tests/replay_diff_known.tsv)"
[ "$fail" -eq 0 ]
