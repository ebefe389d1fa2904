#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench: figures measured side by side in one run, reported as ratios,
# each checked against its target (met / not met). Results: a table on
# stdout and JSON lines in BUILD/bench/results.json.
#
#   scripts/bench.sh BUILD_DIR [DATA_DIR]
set -u
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")/.." && pwd)
DATA=${2:-$HERE/../shared/testdata}
OUT=$BUILD/bench
PW=$BUILD/prefixwatch

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN loads the programs)" >&2
	exit 1
fi
mkdir -p "$OUT"
RES=$OUT/results.json
TMP=$(mktemp -d /tmp/pw-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
: >"$RES"

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
echo "Machine: $(uname -r), $(nproc) CPUs ($cpu), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
printf '{"bench":"machine","kernel":"%s","cpus":%d,"cpu":"%s","time":"%s","version":"%s"}\n' \
	"$(uname -r)" "$(nproc)" "$cpu" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	"$("$PW" --version | awk '{ print $2 }')" >>"$RES"
echo

# 1 and 3: the program against the empty one, and the tick
"$BUILD/tests/bench_prog" "$HERE/tests/bench_mix.txt" "$BUILD/pass.bpf.o" "$RES" "$TMP" || exit 1

# 4: readers against the tools users know, on the same input, one after the other
# secs CMD...: its wall time in seconds, or nothing if it failed (a failed
# command is no figure: the checks below take a missing figure as not met)
secs() {
	local s e
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'
}
# div FMT A B: A / B, or nothing when either is missing
div() { [ -n "$2" ] && [ -n "$3" ] && awk -v a="$2" -v b="$3" -v f="$1" 'BEGIN { if (b > 0) printf f, a / b }'; }
echo
printf '%-58s %10s %10s %8s\n' "READER" "OURS_S" "THEIRS_S" "SPEEDUP"
mrt=$(ls -S "$DATA"/mrt/*/* 2>/dev/null | grep -v -e '\.md$' -e '\.tsv$' -e '\.txt$' | head -n 1)
if [ -n "$mrt" ] && command -v bgpdump >/dev/null; then
	ours=$(secs "$PW" bgp -q "$mrt")
	theirs=$(secs bgpdump -m "$mrt")
	sp=$(div %.1f "$theirs" "$ours")
	printf '%-58s %10s %10s %7sx\n' "bgp (default target) vs bgpdump -m: ${mrt#"$DATA"/}" "$ours" "$theirs" "$sp"
	printf '{"bench":"mrt","file":"%s","ours_s":%s,"bgpdump_s":%s,"speedup":%s}\n' "${mrt#"$DATA"/}" \
		"${ours:-null}" "${theirs:-null}" "${sp:-null}" >>"$RES"
else
	echo "MRT reader: skipped (no archives at $DATA/mrt, or no bgpdump)"
fi
"$BUILD/tests/bench_prog" --pcap "$HERE/tests/bench_mix.txt" "$TMP/mix.pcap" 1000000 || exit 1
ours=$(secs "$PW" replay -q "$TMP/mix.pcap" -t 175.45.176.0/22)
theirs=$(secs tcpdump -r "$TMP/mix.pcap" --count "ip dst net 175.45.176.0/22 or (vlan and (ip dst net 175.45.176.0/22 or (vlan and ip dst net 175.45.176.0/22)))")
fps=$(div %.0f 1000000 "$ours")
sp=$(div %.2f "$theirs" "$ours")
printf '%-58s %10s %10s %7sx\n' "replay vs tcpdump -r --count, 1M frames of the mix" "$ours" "$theirs" "$sp"
kern=$(secs "$PW" replay --kernel -q "$TMP/mix.pcap" -t 175.45.176.0/22)
printf '%-58s %10s %10s %7sx\n' "replay --kernel (BPF_PROG_TEST_RUN) vs tcpdump -r --count" "$kern" "$theirs" \
	"$(div %.2f "$theirs" "$kern")"
printf '{"bench":"replay","frames":1000000,"ours_s":%s,"kernel_s":%s,"tcpdump_s":%s,"frames_per_s":%s}\n' \
	"${ours:-null}" "${kern:-null}" "${theirs:-null}" "${fps:-null}" >>"$RES"

# 2: live, on veth, against the empty program and the other tools
echo
echo "LIVE: veth, the mix pushed by live-frame XDP_TX; each tool in turn on the receiving side"
"$HERE/scripts/bench_live.sh" "$BUILD" "$RES" "${PW_BENCH_LIVE_SECS:-5}" "${PW_BENCH_LIVE_ROUNDS:-3}"

# the targets of issue 7, checked
echo
check() { # check DESC OK
	if [ "$2" = 1 ]; then echo "met     - $1"; else echo "not met - $1"; fi
	printf '{"bench":"target","what":"%s","met":%s}\n' "$1" "$([ "$2" = 1 ] && echo true || echo false)" >>"$RES"
}
j() { grep "\"bench\":\"$1\"" "$RES" | grep "$2" | sed -n "s/.*\"$3\":\([0-9.]*\).*/\1/p"; }
o4=$(j prog '"blocks":5,' overhead_ns)
o64=$(j prog '"blocks":65537,' overhead_ns)
t64=$(j tick '"blocks":65537,"active":"1%"' tick_median_ms)
t64all=$(j tick '"blocks":65537,"active":"all"' tick_median_ms)
# a figure that is missing (its measurement failed) is not met
atmost() { if [ -n "$1" ]; then awk -v x="$1" -v y="$2" 'BEGIN { print (x <= y) }'; else echo 0; fi; }
atleast() { if [ -n "$1" ]; then awk -v x="$1" -v y="$2" 'BEGIN { print (x >= y) }'; else echo 0; fi; }
check "program: overhead over the floor <= 12 ns for the default target (${o4} ns)" "$(atmost "$o4" 12)"
check "program: overhead <= 30 ns with 65,536 blocks (${o64} ns)" "$(atmost "$o64" 30)"
# a figure that is missing is not met
check "tick: <= 20 ms for 65,536 blocks, 1% of them with traffic (${t64} ms)" "$(atmost "$t64" 20)"
check "tick: <= 20 ms for 65,536 blocks, every one with traffic (${t64all} ms)" "$(atmost "$t64all" 20)"
[ -n "$mrt" ] && check "MRT: >= 3x bgpdump's throughput ($(j mrt . speedup)x)" "$(atleast "$(j mrt . speedup)" 3)"
check "replay: >= 1,000,000 frames/s ($fps)" "$(atleast "$fps" 1000000)"
lv() { grep '"bench":"live"' "$RES" | grep "\"tool\":\"$1\"" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"]*\).*/\1/p"; }
if [ -n "$(lv prefixwatch cpu_ratio)" ]; then
	r=$(lv prefixwatch cpu_ratio) c=$(lv prefixwatch cpu_ns_per_pkt)
	check "live: CPU per packet with prefixwatch <= 1.05x the empty program (${r}x)" "$(atmost "$r" 1.05)"
	for t in nftables tcpdump pmacctd; do
		o=$(lv $t cpu_ns_per_pkt)
		[ -n "$o" ] && check "live: prefixwatch's CPU per packet below $t's (${c} ns against ${o} ns)" "$(awk -v x="$c" -v y="$o" 'BEGIN { print (x < y) }')"
	done
	check "live: prefixwatch counted every frame of the targets ($(lv prefixwatch check))" "$([ "$(lv prefixwatch check)" = "all counted" ] && echo 1 || echo 0)"
else
	echo "live comparison: skipped (see above)"
fi
echo
echo "results: $RES"
