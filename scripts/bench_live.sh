#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# make bench, part 2: live. Two namespaces joined by a veth pair; a generator
# (live-frame BPF_PROG_TEST_RUN with XDP_TX, tests/xdpgen.c) pushes the mix
# as fast as this machine allows into the sensor's side, which runs in turn:
# nothing, an empty XDP program, prefixwatch, nftables counting the same
# block in both directions, tcpdump to /dev/null with the equivalent filter,
# and pmacctd aggregating by the same network. For each: packets received per
# second and CPU time per packet (every CPU's user, system, irq and softirq
# time, the generator's included: it is the same in every run), as ratios to
# the empty program, and what each tool counted against what was sent. CPU
# time is wall time times the CPUs less the time they spent idle, from
# cpuidle's residency counters (microseconds; /proc/stat's ticks are too
# coarse for a few nanoseconds a packet).
#
#   scripts/bench_live.sh BUILD_DIR RESULTS_JSON [SECONDS] [ROUNDS]
set -u
BUILD=$(cd "${1:-build}" && pwd)
RES=$2
SECS=${3:-3}
ROUNDS=${4:-3}
PW=$BUILD/prefixwatch
T=175.45.176.0/22
G=pwbench-gen-$$ S=pwbench-sink-$$
TMP=$(mktemp -d /tmp/pw-live.XXXXXX)

STATS=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
cleanup() {
	sysctl -qw kernel.bpf_stats_enabled="$STATS" 2>/dev/null
	for p in $(ip netns pids "$S" 2>/dev/null) $(ip netns pids "$G" 2>/dev/null); do kill "$p" 2>/dev/null; done
	ip netns del "$G" 2>/dev/null
	ip netns del "$S" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$G" && ip netns add "$S" || { echo "live: cannot create namespaces: skipped"; exit 0; }
ip link add g0 netns "$G" type veth peer name s0 netns "$S"
ip -n "$G" link set g0 up
ip -n "$S" link set s0 up
ip -n "$S" link set lo up
# frames sent by XDP_TX need the receiving veth's NAPI: GRO turns it on
# without an XDP program, so "nothing" is really nothing
ip netns exec "$S" ethtool -K s0 gro on >/dev/null 2>&1 ||
	{ echo "live: cannot turn on GRO on the veth (ethtool): skipped"; exit 0; }
MAC=$(ip -n "$S" -j link show s0 | jq -r '.[0].address')

NCPU=$(nproc)
# microseconds all CPUs were busy, up to now: since the epoch, less idle
busy() {
	local idle now
	idle=$(cat /sys/devices/system/cpu/cpu*/cpuidle/state*/time | awk '{ s += $1 } END { printf "%.0f", s }')
	now=$(date +%s%6N)
	echo $((now * NCPU - idle))
}
ls /sys/devices/system/cpu/cpu0/cpuidle/state0/time >/dev/null 2>&1 ||
	{ echo "live: no cpuidle residency counters here to time the CPUs: skipped"; exit 0; }
rx() { ip -n "$S" -s -j link show s0 | jq '.[0].stats64.rx.packets'; }

# the tools: start (and wait until it listens), stop, and what it counted
start_tool() {
	case $1 in
	none) ;;
	xdp_pass) ip -n "$S" link set s0 xdpdrv obj "$BUILD/pass.bpf.o" sec xdp ;;
	prefixwatch)
		ip netns exec "$S" "$PW" run -i s0 -q --out "$TMP/pw" --interval 1 >"$TMP/pw.log" 2>&1 &
		TOOL=$!
		for _ in $(seq 100); do grep -q counting "$TMP/pw.log" && break; sleep 0.05; done
		PW_CPU0=$(cut -d' ' -f1 /proc/"$TOOL"/schedstat) ;; # after loading and attaching
	nftables)
		ip netns exec "$S" nft -f - <<-EOF
			table netdev pwbench {
				chain s0 { type filter hook ingress device "s0" priority 0; ip daddr $T counter; ip saddr $T counter; }
			}
		EOF
		;;
	tcpdump)
		ip netns exec "$S" tcpdump -i s0 -n -w /dev/null \
			"net $T or (vlan and (net $T or (vlan and net $T)))" >"$TMP/td.log" 2>&1 &
		TOOL=$!
		for _ in $(seq 100); do grep -q listening "$TMP/td.log" && break; sleep 0.05; done ;;
	pmacctd)
		echo "$T" >"$TMP/nets.lst"
		cat >"$TMP/pm.conf" <<-EOF
			daemonize: false
			pcap_interface: s0
			aggregate: src_net, dst_net
			networks_file: $TMP/nets.lst
			plugins: print
			print_output_file: $TMP/pm.csv
			print_output: csv
			print_output_file_append: true
			print_refresh_time: 1
		EOF
		rm -f "$TMP/pm.csv"
		ip netns exec "$S" pmacctd -f "$TMP/pm.conf" >"$TMP/pm.log" 2>&1 &
		TOOL=$!
		for _ in $(seq 100); do grep -q "link type is" "$TMP/pm.log" && break; sleep 0.05; done ;;
	esac
}
stop_tool() { # prints what the tool counted of the target's frames, or -
	case $1 in
	none) echo - ;;
	xdp_pass)
		[ -n "${PROFILE:-}" ] && echo "$(progstat) 0" >"$TMP/prof.$1"
		ip -n "$S" link set s0 xdpdrv off; echo - ;;
	prefixwatch)
		[ -n "${PROFILE:-}" ] && echo "$(progstat) $(($(cut -d' ' -f1 /proc/"$TOOL"/schedstat) - PW_CPU0))" >"$TMP/prof.$1"
		kill -TERM "$TOOL"; wait "$TOOL"
		zcat -f "$TMP"/pw/series-* | awk -F, '$3 == "target" { s += $6 } END { print s + 0 }'
		rm -rf "$TMP/pw" ;;
	nftables)
		ip netns exec "$S" nft -j list table netdev pwbench | jq '[.nftables[] | .rule? | select(.) | .expr[] | .counter? | select(.) | .packets] | add'
		ip netns exec "$S" nft delete table netdev pwbench ;;
	tcpdump)
		kill -INT "$TOOL"; wait "$TOOL"
		sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$TMP/td.log" ;;
	pmacctd)
		sleep 1.5 # its last refresh
		kill -INT "$TOOL"; wait "$TOOL"
		awk -F, '$1 == "175.45.176.0" || $2 == "175.45.176.0" { s += $3 } END { print s + 0 }' "$TMP/pm.csv" ;;
	esac
}

# run time and runs of the XDP program on s0 (kernel.bpf_stats_enabled)
progstat() {
	local id
	id=$(ip -n "$S" -j -d link show s0 | jq '.[0].xdp.prog.id // empty')
	[ -n "$id" ] && bpftool -j prog show id "$id" | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"'
}

TOOLS="none xdp_pass prefixwatch nftables tcpdump pmacctd"
command -v pmacctd >/dev/null || TOOLS=${TOOLS% pmacctd}
for r in $(seq "$ROUNDS"); do
	for t in $TOOLS; do
		TOOL=
		start_tool "$t"
		b0=$(busy); r0=$(rx); s0=$(date +%s.%N)
		sent=$(ip netns exec "$G" "$BUILD/tests/xdpgen" "$BUILD/gen.bpf.o" g0 "$MAC" "$SECS")
		b1=$(busy); r1=$(rx); s1=$(date +%s.%N)
		sleep 0.3 # what is queued
		got=$(stop_tool "$t")
		echo "$t $r $b0 $b1 $r0 $r1 $s0 $s1 $got $sent" >>"$TMP/raw"
	done
done

# per tool: the median round of pps and of CPU per packet
printf '\n%-12s %12s %10s %12s %10s %12s %12s  %s\n' TOOL RX_PPS PPS_RATIO CPU_NS/PKT CPU_RATIO COUNTED EXPECTED CHECK
awk -v res="$RES" '
	function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } return a[int((n + 1) / 2)] }
	{
		t = $1; n[t]++; k = n[t]
		rxp = $6 - $5; el = $8 - $7
		pps[t, k] = rxp / el
		cpu[t, k] = ($4 - $3) * 1e3 / rxp
		got[t] = $9
		# the sent mix: {"to":N,"from":N,"vlan_to":N,"qinq_to":N,"other":N}
		s = $10; gsub(/[{}"]/, "", s); m = split(s, kv, ","); tot = 0; tgt = 0
		for (i = 1; i <= m; i++) { split(kv[i], p, ":"); tot += p[2]; if (p[1] != "other") tgt += p[2] }
		lost[t] = tot - rxp; want[t] = tgt
	}
	END {
		split("none xdp_pass prefixwatch nftables tcpdump pmacctd", ts, " ")
		for (i = 1; i <= 6; i++) {
			t = ts[i]; if (!(t in n)) continue
			for (k = 1; k <= n[t]; k++) { a[k] = pps[t, k]; b[k] = cpu[t, k] }
			P[t] = med(a, n[t]); C[t] = med(b, n[t])
		}
		for (i = 1; i <= 6; i++) {
			t = ts[i]; if (!(t in n)) continue
			# more received than sent: frames of the interface itself (IPv6
			# neighbour discovery), none of them for the target
			chk = got[t] == "-" ? "-" : want[t] <= 0 ? "NOTHING SENT" : lost[t] > 0 ? sprintf("(%d frames lost before the tool)", lost[t]) : got[t] == want[t] ? "all counted" : sprintf("MISSED %d (%.0f%%)", want[t] - got[t], 100 * (want[t] - got[t]) / want[t])
			printf "%-12s %12.0f %10.3f %12.0f %10.3f %12s %12s  %s\n", t, P[t], P[t] / P["xdp_pass"], C[t], C[t] / C["xdp_pass"], got[t], got[t] == "-" ? "-" : want[t], chk
			printf "{\"bench\":\"live\",\"tool\":\"%s\",\"rx_pps\":%.0f,\"pps_ratio\":%.4f,\"cpu_ns_per_pkt\":%.1f,\"cpu_ratio\":%.4f,\"counted\":\"%s\",\"expected\":%d,\"check\":\"%s\"}\n", t, P[t], P[t] / P["xdp_pass"], C[t], C[t] / C["xdp_pass"], got[t], want[t], chk >> res
		}
	}' "$TMP/raw"
cp "$TMP/raw" "${RES%.json}.live-raw.txt"

# where prefixwatch's time goes: one more round of the two programs with
# kernel.bpf_stats_enabled (it costs a little itself, so not in the rounds above)
sysctl -qw kernel.bpf_stats_enabled=1 && PROFILE=1
for t in xdp_pass prefixwatch; do
	[ -n "${PROFILE:-}" ] || break
	TOOL=
	start_tool "$t"
	r0=$(rx)
	ip netns exec "$G" "$BUILD/tests/xdpgen" "$BUILD/gen.bpf.o" g0 "$MAC" "$SECS" >/dev/null
	r1=$(rx)
	sleep 0.3
	stop_tool "$t" >/dev/null
	echo "$(cat "$TMP/prof.$t") $((r1 - r0))" >"$TMP/prof.$t"
done
if [ -n "${PROFILE:-}" ] && [ -s "$TMP/prof.prefixwatch" ] && [ -s "$TMP/prof.xdp_pass" ]; then
	read -r pt pc pp pr <"$TMP/prof.prefixwatch"
	read -r et ec _ _ <"$TMP/prof.xdp_pass"
	awk -v pt="$pt" -v pc="$pc" -v pp="$pp" -v pr="$pr" -v et="$et" -v ec="$ec" -v res="$RES" 'BEGIN {
		printf "profile (bpf_stats, one more round): the XDP program %.1f ns a frame (empty: %.1f ns), %.1f ns over;\n", pt / pc, et / ec, pt / pc - et / ec
		printf "  the sampler process (a read, series and files once a second) %.1f ns a frame received\n", pp / pr
		printf "{\"bench\":\"live_profile\",\"prog_ns\":%.1f,\"empty_ns\":%.1f,\"sampler_ns_per_pkt\":%.1f}\n", pt / pc, et / ec, pp / pr >> res
	}'
fi
echo "(median of $ROUNDS rounds of ${SECS} s each; the last round's counts; ratios to the empty XDP program)"
