#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End-to-end tests: two network namespaces joined by veth pairs, target
# addresses assigned inside them, real packets both ways, counters asserted
# exact. Runs in a private mount namespace with its own bpffs, so no pin
# leaks to the host; removes its namespaces on exit, whatever happens.
#
#   tests/e2e.sh BUILD_DIR          run all
#   E2E_DEBUG=1 tests/e2e.sh ...    open a shell in the topology on failure
set -u

BUILD=$(cd "${1:-build}" && pwd)
PW=$BUILD/prefixwatch
SEND=$BUILD/tests/pwsend
# the pin directory carries the ABI version of bpf/prefixwatch.h
PINS=/sys/fs/bpf/prefixwatch/v$(awk '/#define PW_ABI_VERSION/ { print $3 }' "$(dirname "$0")/../bpf/prefixwatch.h")
PASS=0 FAIL=0 SKIP=0

summary() { echo "e2e: $PASS passed, $FAIL failed, $SKIP skipped"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "e2e: SKIP all: needs root (network namespaces, veth, XDP)"
	SKIP=1
	summary
	exit 0
fi
for tool in ip nsenter unshare; do
	if ! command -v $tool >/dev/null; then
		echo "e2e: SKIP all: '$tool' is not installed"
		SKIP=1
		summary
		exit 0
	fi
done

# Re-run in a private mount namespace: our bpffs is ours alone.
if [ -z "${PW_E2E_INNER:-}" ]; then
	PW_E2E_INNER=1 exec unshare -m --propagation private "$0" "$@"
fi
# Start without a bpffs so prefixwatch has to mount one itself.
while mountpoint -q /sys/fs/bpf; do umount -l /sys/fs/bpf; done

NS_A=pwe2e-a-$$ NS_B=pwe2e-b-$$
TMP=$(mktemp -d /tmp/pw-e2e.XXXXXX)
chmod 755 "$TMP" # --user nobody writes below it
RUN_PID=

cleanup() {
	[ -n "$RUN_PID" ] && kill "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

inA() { nsenter --net=/run/netns/"$NS_A" "$@"; }
inB() { nsenter --net=/run/netns/"$NS_B" "$@"; }

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() {
	FAIL=$((FAIL + 1))
	echo "FAIL - $*"
	if [ -n "${E2E_DEBUG:-}" ]; then
		echo "debug shell: namespaces $NS_A $NS_B (exit to continue)"
		bash -i </dev/tty >/dev/tty 2>&1 || true
	fi
}
check() { # check DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: expected $2, got $3"; fi
}

# ctr IFACE BLOCK DIR COLUMN: one counter from 'prefixwatch stats'
ctr() {
	inB "$PW" stats -i "$1" 2>/dev/null | awk -v b="$2" -v d="$3" -v c="$4" '
		/^INTERFACE +BLOCK/ { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$2 == b && $3 == d { print $(col[toupper(c)]); found = 1; exit }
		END { if (!found) print "missing" }'
}
# total IFACE COLUMN: one interface total from 'prefixwatch stats'
total() {
	inB "$PW" stats -i "$1" 2>/dev/null | awk -v c="$2" '
		/^INTERFACE +FRAMES/ { for (i = 1; i <= NF; i++) col[$i] = i; t = 1; next }
		t && NF > 1 { print $(col[c]); exit }'
}
has_xdp() { inB ip link show dev "$1" | grep -q "prog/xdp"; }

start_run() { # start_run LOGNAME ARGS...: prefixwatch run in B, wait until attached everywhere
	# (a run that does not start is a failed check: what depends on it
	# cannot vanish from the count)
	local name=$1 log=$TMP/$1.log n=0 a
	shift
	for a in "$@"; do [ "$a" = -i ] && n=$((n + 1)); done
	# nsenter execs prefixwatch, so RUN_PID is prefixwatch itself
	nsenter --net=/run/netns/"$NS_B" "$PW" run "$@" >"$TMP/run.out" 2>"$log" &
	RUN_PID=$!
	for _ in $(seq 200); do
		[ "$(grep -c "counting" "$log" 2>/dev/null)" = "$n" ] && return 0
		kill -0 "$RUN_PID" 2>/dev/null || break
		sleep 0.05
	done
	not_ok "prefixwatch run ($name) did not start: $(cat "$log")"
	return 1
}
stop_run() { # stop_run: SIGTERM, wait; sets RUN_RC
	kill -TERM "$RUN_PID"
	wait "$RUN_PID"
	RUN_RC=$?
	RUN_PID=
}

# --- topology -------------------------------------------------------------
# A (pa0, pa1) <-> B (pb0, pb1). A holds target addresses; B is the vantage
# point and runs prefixwatch. Static neighbours: no ARP or ND on the wire.
ip netns add "$NS_A" && ip netns add "$NS_B" || { echo "e2e: cannot create namespaces"; exit 1; }
for i in 0 1; do
	ip link add pa$i netns "$NS_A" address 02:00:00:00:0a:0$i type veth \
		peer name pb$i netns "$NS_B" address 02:00:00:00:0b:0$i
done
for ns in "$NS_A" "$NS_B"; do
	ip -n "$ns" link set lo up
	for i in 0 1; do ip -n "$ns" link set "$([ "$ns" = "$NS_A" ] && echo pa || echo pb)$i" up; done
	# errors at the rate they are provoked, so replies can be counted
	ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000 \
		net.ipv4.icmp_msgs_burst=100000 net.ipv6.icmp.ratelimit=0
done
ip -n "$NS_A" addr add 175.45.176.1/32 dev pa0
ip -n "$NS_A" addr add 175.45.179.1/32 dev pa1
ip -n "$NS_A" addr add 2001:db8:aa::1/128 dev pa0 nodad
ip -n "$NS_B" addr add 10.200.0.2/32 dev pb0
ip -n "$NS_B" addr add 10.200.1.2/32 dev pb1
ip -n "$NS_B" addr add 2001:db8:99::2/128 dev pb0 nodad
ip -n "$NS_A" route add 10.200.0.2/32 dev pa0
ip -n "$NS_A" route add 10.200.1.2/32 dev pa1
ip -n "$NS_A" route add 2001:db8:99::2/128 dev pa0
ip -n "$NS_B" route add 175.45.176.1/32 dev pb0
ip -n "$NS_B" route add 175.45.179.1/32 dev pb1
ip -n "$NS_B" route add 2001:db8:aa::1/128 dev pb0
ip -n "$NS_A" neigh add 10.200.0.2 lladdr 02:00:00:00:0b:00 dev pa0 nud permanent
ip -n "$NS_A" neigh add 10.200.1.2 lladdr 02:00:00:00:0b:01 dev pa1 nud permanent
ip -n "$NS_A" neigh add 2001:db8:99::2 lladdr 02:00:00:00:0b:00 dev pa0 nud permanent
ip -n "$NS_B" neigh add 175.45.176.1 lladdr 02:00:00:00:0a:00 dev pb0 nud permanent
ip -n "$NS_B" neigh add 175.45.179.1 lladdr 02:00:00:00:0a:01 dev pb1 nud permanent
ip -n "$NS_B" neigh add 2001:db8:aa::1 lladdr 02:00:00:00:0a:00 dev pb0 nud permanent
# for the outage test: a second service address in B, a non-target source in A
ip -n "$NS_B" addr add 10.200.0.3/32 dev pb0
ip -n "$NS_A" addr add 10.99.0.1/32 dev pa0
ip -n "$NS_A" route add 10.200.0.3/32 dev pa0
ip -n "$NS_A" neigh add 10.200.0.3 lladdr 02:00:00:00:0b:00 dev pa0 nud permanent
TARGETS=(-t 175.45.176.0/22 -t 2001:db8:aa::/47)

# --- bad input: one line, non-zero exit, nothing attached -----------------
bad() { # bad DESC EXPECTED_RC PATTERN ARGS...
	local desc=$1 want=$2 pat=$3
	shift 3
	inB "$PW" "$@" >"$TMP/bad.out" 2>"$TMP/bad.err"
	local rc=$? lines
	lines=$(grep -c . "$TMP/bad.err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -- "$pat" "$TMP/bad.err"; then
		ok "bad input: $desc (exit $rc: $(cat "$TMP/bad.err"))"
	else
		not_ok "bad input: $desc: exit $rc (want $want), $lines lines: $(cat "$TMP/bad.err")"
	fi
}
bad "unknown interface" 2 "no interface 'nope0'" run -i nope0
bad "no interface" 2 "no interface given" run
bad "host bits" 2 "did you mean 175.45.176.0/22" run -i pb0 -t 175.45.176.1/22
bad "garbage target" 2 "'x.y' is not an IPv4 or IPv6 address" run -i pb0 -t x.y
bad "overlapping targets" 2 "overlap" run -i pb0 -t 10.0.0.0/8 -t 10.1.0.0/16
bad "too many blocks" 2 "more than the limit" run -i pb0 -t 10.0.0.0/7
bad "missing targets file" 2 "cannot open targets file" run -i pb0 --targets-file /nonexistent
bad "bad mode" 2 "invalid value 'fast' for --mode" run -i pb0 -m fast
bad "bad interval" 2 "invalid value '0' for --interval" run -i pb0 --interval 0
bad "bad block length" 2 "invalid value '33' for --block-len4" run -i pb0 --block-len4 33
bad "unknown option" 2 "unknown option" run -i pb0 --frobnicate
mountpoint -q /sys/fs/bpf && not_ok "bpffs mounted before the test" || ok "no bpffs mounted to start with"
bad "stats with nothing pinned" 1 "no counters" stats
check "prefixwatch mounted bpffs itself" bpf_fs "$(stat -f -c %T /sys/fs/bpf)"
bad "detach with nothing pinned" 1 "nothing to detach" detach -i pb0
has_xdp pb0 && not_ok "bad input left a program attached" || ok "bad input attached nothing"

# --- counting real traffic ------------------------------------------------
# A capture on pb0 of everything run1 counts there, replayed at the end:
# live and offline counts must agree.
CAP_PID=
if command -v tcpdump >/dev/null; then
	nsenter --net=/run/netns/"$NS_B" tcpdump -i pb0 -U -w "$TMP/live.pcap" 2>"$TMP/tcpdump.log" &
	CAP_PID=$!
	for _ in $(seq 50); do grep -q "listening on" "$TMP/tcpdump.log" && break; sleep 0.1; done
fi
if start_run run1 -i pb0 -i pb1 --egress "${TARGETS[@]}" --interval 0.2; then
	ok "run attached to pb0 and pb1 ($(grep -o 'native mode' "$TMP/run1.log" | head -n1))"

	T_SENT0=$(date +%s.%N)
	inA "$SEND" udp 175.45.176.1 10.200.0.2 50         # in: UDP from 176; out: ICMP unreachable to 176
	inA "$SEND" tcp 175.45.176.1 10.200.0.2 5          # in: SYN from 176; out: RST to 176
	inB "$SEND" tcp 10.200.0.2 175.45.176.1 3          # out: SYN to 176; in: RST from 176
	inA "$SEND" udp 2001:db8:aa::1 2001:db8:99::2 20   # IPv6 both ways
	inA "$SEND" udp 175.45.179.1 10.200.1.2 9          # the second interface only
	L_VLAN=$(inA "$SEND" frame pa0 vlan-udp4-to-177 7)
	L_QINQ=$(inA "$SEND" frame pa0 qinq-synack4-from-178 4)
	L_EXT6=$(inA "$SEND" frame pa0 ext-syn6-to-ab 6)
	L_FRAG6=$(inA "$SEND" frame pa0 frag-udp6-from-aa 2)
	inA "$SEND" frame pa0 truncated-ipv4 3 >/dev/null
	inA "$SEND" frame pa0 arp 2 >/dev/null
	sleep 0.5

	B176=175.45.176.0/24
	check "UDP from the target, received" 50 "$(ctr pb0 $B176 from udp)"
	check "ICMP errors to the target, sent (egress)" 50 "$(ctr pb0 $B176 to icmp)"
	check "SYN from the target, received" 5 "$(ctr pb0 $B176 from syn)"
	check "TCP from the target: 5 SYN + 3 RST" 8 "$(ctr pb0 $B176 from tcp)"
	check "SYN to the target, sent (egress)" 3 "$(ctr pb0 $B176 to syn)"
	check "TCP to the target: 3 SYN + 5 RST" 8 "$(ctr pb0 $B176 to tcp)"
	check "packets from 176.0/24 on pb0" 58 "$(ctr pb0 $B176 from packets)"
	check "packets to 176.0/24 on pb0" 58 "$(ctr pb0 $B176 to packets)"
	check "IPv6 UDP from the target" $((20 + 2)) "$(ctr pb0 2001:db8:aa::/48 from udp)"
	check "ICMPv6 errors to the target (egress)" 20 "$(ctr pb0 2001:db8:aa::/48 to icmp)"
	check "802.1Q UDP to 177.0/24" 7 "$(ctr pb0 175.45.177.0/24 to udp)"
	check "802.1Q bytes" $((7 * L_VLAN)) "$(ctr pb0 175.45.177.0/24 to bytes)"
	check "QinQ SYN-ACK from 178.0/24" 4 "$(ctr pb0 175.45.178.0/24 from synack)"
	check "IPv6 extension headers, SYN to ab::/48" 6 "$(ctr pb0 2001:db8:ab::/48 to syn)"
	check "IPv6 bytes to ab::/48" $((6 * L_EXT6)) "$(ctr pb0 2001:db8:ab::/48 to bytes)"
	check "IPv6 later fragments: bytes from aa::/48" $((20 * 94 + 2 * L_FRAG6)) "$(ctr pb0 2001:db8:aa::/48 from bytes)"
	check "nothing for 179.0/24 on pb0" 0 "$(ctr pb0 175.45.179.0/24 from packets)"
	check "pb1 counts its own traffic: UDP from 179.0/24" 9 "$(ctr pb1 175.45.179.0/24 from udp)"
	check "pb1 counts its own traffic: ICMP to 179.0/24" 9 "$(ctr pb1 175.45.179.0/24 to icmp)"
	check "UDP bytes, Ethernet header included (14+20+8+32 each)" $((9 * 74)) "$(ctr pb1 175.45.179.0/24 from bytes)"
	check "pb1 saw nothing of 176.0/24" 0 "$(ctr pb1 $B176 from packets)"
	check "truncated frames on pb0" 3 "$(total pb0 TRUNCATED)"
	check "non-IP frames on pb0" 2 "$(total pb0 NONIP)"
	check "fragments on pb0 (6 first, 2 later)" 8 "$(total pb0 FRAGMENTS)"
	# the program's jiffies, as stats turns them into time: between the
	# first send and now, to half a tick (2 ms at HZ 250; 5 ms allowed)
	last=$(ctr pb0 $B176 from LAST_SEEN) T_NOW=$(date +%s.%N)
	last_s=$(date -u -d "$last" +%s.%N 2>/dev/null)
	if [ -n "$last_s" ] && awk -v l="$last_s" -v a="$T_SENT0" -v b="$T_NOW" 'BEGIN { exit !(l >= a - 0.005 && l <= b + 0.005) }'; then
		ok "last seen is the time of the last packet ($last, between the first send and now)"
	else
		not_ok "last seen: $last is not between the first send ($T_SENT0) and now ($T_NOW)"
	fi

	if [ -n "$CAP_PID" ]; then
		sleep 0.3
		kill -INT "$CAP_PID"
		wait "$CAP_PID"
		inB "$PW" stats -i pb0 >"$TMP/live.txt" 2>/dev/null
		"$PW" replay "$TMP/live.pcap" "${TARGETS[@]}" >"$TMP/offline.txt" 2>"$TMP/replay.err"
		# the block rows (interface, block, dir, packets, bytes, protocols)
		rows() { awk '$2 ~ /\// { print $2, $3, $4, $5, $7, $8, $9, $10, $11, $12 }' "$1"; }
		if [ "$(rows "$TMP/live.txt")" = "$(rows "$TMP/offline.txt")" ] && [ -n "$(rows "$TMP/live.txt")" ]; then
			ok "live and replayed counts agree, block for block ($(grep -o 'replayed [0-9]* frames' "$TMP/replay.err"))"
		else
			not_ok "live and replayed counts differ: $(diff <(rows "$TMP/live.txt") <(rows "$TMP/offline.txt"))"
		fi
		# and through the program itself, in the kernel
		"$PW" replay --kernel "$TMP/live.pcap" "${TARGETS[@]}" >"$TMP/offline-k.txt" 2>/dev/null
		if [ "$(rows "$TMP/offline-k.txt")" = "$(rows "$TMP/offline.txt")" ] && [ -n "$(rows "$TMP/offline-k.txt")" ]; then
			ok "replay --kernel (the XDP program) and replay (its build in prefixwatch) agree, block for block"
		else
			not_ok "replay --kernel and replay differ: $(diff <(rows "$TMP/offline-k.txt") <(rows "$TMP/offline.txt"))"
		fi
	fi
	stop_run
	check "SIGTERM: exit status" 0 "$RUN_RC"
	grep -q "175.45.176.0/24" "$TMP/run.out" && ok "final table written on stop" ||
		not_ok "no final table on stdout after SIGTERM"
	has_xdp pb0 && not_ok "program still attached to pb0 after stop" || ok "stop detached the program"
	inB tc filter show dev pb0 egress 2>/dev/null | grep -q pw_tc_egress &&
		not_ok "egress filter still on pb0 after stop" || ok "stop removed the egress filter"
	check "counters kept in the pins after stop" 50 "$(ctr pb0 $B176 from udp)"
fi

# --- restart keeps the counts ---------------------------------------------
inA "$SEND" udp 175.45.176.1 10.200.0.2 10   # while detached: not counted
if start_run run2 -i pb0 -i pb1 "${TARGETS[@]}" --interval 0.2; then
	grep -q "counters continued" "$TMP/run2.log" && ok "restart reuses the pinned counters" ||
		not_ok "restart did not say it continued the counters: $(cat "$TMP/run2.log")"
	inA "$SEND" udp 175.45.176.1 10.200.0.2 10
	sleep 0.3
	check "after restart: 50 + 10, none of the 10 sent while detached" 60 "$(ctr pb0 $B176 from udp)"
	check "after restart without --egress: sent packets no longer counted" 50 "$(ctr pb0 $B176 to icmp)"
	stop_run
fi

# --- --keep-attached: counting goes on without user space -----------------
if start_run run3 -i pb0 "${TARGETS[@]}" --keep-attached; then
	stop_run
	check "--keep-attached: exit status" 0 "$RUN_RC"
	has_xdp pb0 && ok "--keep-attached left the program on pb0" || not_ok "--keep-attached: program gone"
	inA "$SEND" udp 175.45.176.1 10.200.0.2 7
	check "counted while no prefixwatch ran" 67 "$(ctr pb0 $B176 from udp)"
	if start_run run4 -i pb0 "${TARGETS[@]}"; then
		grep -q "left attached by an earlier run" "$TMP/run4.log" &&
			ok "restart took over the attached program" || not_ok "restart: $(cat "$TMP/run4.log")"
		inA "$SEND" udp 175.45.176.1 10.200.0.2 3
		check "counting continues after the takeover" 70 "$(ctr pb0 $B176 from udp)"
		stop_run
	fi
fi

# --- generic mode -------------------------------------------------------------
if start_run run6 -i pb1 "${TARGETS[@]}" -m generic; then
	grep -q "on pb1 (generic mode" "$TMP/run6.log" && ok "--mode generic attaches in generic mode" ||
		not_ok "--mode generic: $(cat "$TMP/run6.log")"
	inB ip link show dev pb1 | grep -q "xdpgeneric" && ok "the kernel shows xdpgeneric on pb1" ||
		not_ok "no xdpgeneric on pb1: $(inB ip link show dev pb1)"
	inA "$SEND" udp 175.45.179.1 10.200.1.2 4
	check "generic mode counts the same way" 13 "$(ctr pb1 175.45.179.0/24 from udp)"
	stop_run
fi

# --- refusals ---------------------------------------------------------------
bad "other targets than the pinned counters" 3 "made for other targets" run -i pb0 -t 175.45.176.0/23
if start_run run5 -i pb1 "${TARGETS[@]}"; then
	bad "a second prefixwatch on the same interface" 3 "another prefixwatch is running on pb1" run -i pb1 "${TARGETS[@]}"
	stop_run
fi
if inB ip link set dev pb1 xdp obj "$BUILD/pass.bpf.o" sec xdp 2>"$TMP/ip.err"; then
	bad "another tool's XDP program" 3 "another XDP program is attached" run -i pb1 "${TARGETS[@]}"
	inB ip link show dev pb1 | grep -q "prog/xdp id" && ok "the other program was left in place" ||
		not_ok "the other tool's program was removed"
	inB ip link set dev pb1 xdp off
else
	SKIP=$((SKIP + 1))
	echo "skip - another tool's XDP program: ip cannot load $BUILD/pass.bpf.o: $(cat "$TMP/ip.err")"
fi

# --- outage detection and the files of --out --------------------------------
# Steady traffic from a target block (100 pps) and from elsewhere (200 pps,
# the vantage point's own life); the target's route is removed inside A for
# 2 s, then both flows stop together (the vantage point falls silent too).
OUT=$TMP/out
# every series row of an --out directory, rotated (.gz) or not
allrows() { zcat -f "$1"/series-*; }
jsonok() { command -v jq >/dev/null && jq -e . >/dev/null 2>&1 <<<"$1"; }
ev() { grep "\"event\":\"$1\"" "$OUT/events.jsonl" | grep "\"interface\":\"pb0\"" | grep "\"block\":\"$2\"" | grep "\"direction\":\"from\"" | sed -n "${3:-1}p"; }
field() { sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1"; }
secs() { date -d "$1" +%s.%N; }
if start_run det -i pb0 "${TARGETS[@]}" --out "$OUT" --interval 0.25 -q; then
	sleep 0.4
	check "stats: a fresh series is insufficient, and says so" insufficient "$(ctr pb0 175.45.176.0/24 from STATE)"
	inA "$SEND" flow 10.99.0.1 10.200.0.2 200 9 >"$TMP/bg.txt" &
	BG=$!
	inA "$SEND" flow 175.45.176.1 10.200.0.3 100 9 >"$TMP/tg.txt" &
	TG=$!
	sleep 3
	check "stats: the series is judged while traffic flows" normal "$(ctr pb0 175.45.176.0/24 from STATE)"
	CUT=$(date +%s.%N)
	inA ip route del 10.200.0.3/32 dev pa0
	CUT_DONE=$(date +%s.%N)
	sleep 2
	inA ip route add 10.200.0.3/32 dev pa0
	BACK=$(date +%s.%N)
	wait $BG $TG
	sleep 1
	# a stray IPv6 control frame makes the detector wait a little longer
	for _ in $(seq 50); do [ "$(total pb0 STATE)" = silent ] && break; sleep 0.2; done
	check "stats: interface silent once the traffic stops" silent "$(total pb0 STATE)"
	[ "$(total pb0 STATE)" = silent ] || {
		echo "diagnostics: the interface rows of the last seconds, and the vantage events:"
		grep ',pb0,interface,' "$OUT"/series-*.csv | tail -n 12
		grep vantage "$OUT/events.jsonl"
	}
	stop_run
	check "run --out: exit status" 0 "$RUN_RC"
	check "stats: no state once no run vouches for it" - "$(ctr pb0 175.45.176.0/24 from STATE)"

	bad_json=0
	while IFS= read -r line; do jsonok "$line" || bad_json=$((bad_json + 1)); done <"$OUT/events.jsonl"
	check "every events.jsonl line is JSON (jq)" 0 "$bad_json"
	s=$(ev outage_start 175.45.176.0/24)
	e=$(ev outage_end 175.45.176.0/24)
	if [ -n "$s" ] && [ -n "$e" ]; then
		t=$(secs "$(field "$s" time)") d=$(secs "$(field "$s" detected)") pps=$(field "$s" baseline_pps)
		awk -v t="$t" -v c="$CUT" -v c2="$CUT_DONE" 'BEGIN { exit !(t <= c2 && t > c - 0.1) }' &&
			ok "outage_start is the last packet before the cut ($(field "$s" time))" ||
			not_ok "outage_start at $t, the cut between $CUT and $CUT_DONE"
		awk -v t="$t" -v d="$d" -v l="$pps" 'BEGIN { exit !(d - t <= log(1e6) / l + 0.25 + 0.05) }' &&
			ok "detected within ln(1/alpha)/lambda + one interval ($(awk -v t="$t" -v d="$d" 'BEGIN { printf "%.3f s", d - t }'))" ||
			not_ok "detected $(awk -v t="$t" -v d="$d" 'BEGIN { print d - t }') s after the last packet, baseline $pps pps"
		check "outage_start: the vantage point was not silent" false "$(field "$s" vantage_silent)"
		dur=$(field "$e" duration_s)
		awk -v x="$dur" -v c="$CUT" -v b="$BACK" 'BEGIN { exit !(x > b - c - 0.1 && x < b - c + 0.1) }' &&
			ok "outage_end: duration $dur s for a cut of $(awk -v c="$CUT" -v b="$BACK" 'BEGIN { printf "%.3f", b - c }') s" ||
			not_ok "outage_end duration $dur s, cut lasted $(awk -v c="$CUT" -v b="$BACK" 'BEGIN { print b - c }') s"
		check "outage_end: started is the outage start" "$(field "$s" time)" "$(field "$e" started)"
	else
		not_ok "no outage_start/outage_end for 175.45.176.0/24 in $(cat "$OUT/events.jsonl")"
	fi
	[ -n "$(ev outage_start 175.45.176.0/22)" ] && ok "the whole target's outage is raised too" ||
		not_ok "no outage_start for the whole target 175.45.176.0/22"
	v=$(grep '"event":"vantage_silent"' "$OUT/events.jsonl" | grep '"interface":"pb0"')
	[ -n "$v" ] && ok "vantage_silent when the interface falls silent" || not_ok "no vantage_silent event"
	last=$(ev outage_start 175.45.176.0/24 2)
	check "the outage during the vantage silence is marked so" true "$(field "$last" vantage_silent)"

	# correlate on what the run wrote: no BGP data, so the cut is unknown;
	# the end, with the vantage point's own traffic gone, is vantage
	"$PW" correlate "$OUT" --json >"$TMP/corr.json" 2>"$TMP/corr.err"
	check "correlate: exit status" 0 "$?"
	if command -v jq >/dev/null; then
		check "correlate: the route cut, without BGP data, is unknown" unknown \
			"$(jq -r '.incidents[0].classification' "$TMP/corr.json")"
		check "correlate: the stop of everything is the vantage point" vantage \
			"$(jq -r '.incidents[-1].classification' "$TMP/corr.json")"
		check "correlate: the first incident lasts as the cut did" 1 \
			"$(jq --argjson c "$(awk -v c="$CUT" -v b="$BACK" 'BEGIN { print b - c }')" \
				'.incidents[0].duration_s - $c | fabs < 0.2 | if . then 1 else 0 end' "$TMP/corr.json")"
	fi
	csv=$TMP/out-rows.csv; allrows "$OUT" >"$csv"
	sent=$(awk '{ print $2 }' "$TMP/tg.txt")
	check "series rows for 176.0/24 add up to what was sent ($(cat "$TMP/tg.txt"))" "$sent" \
		"$(awk -F, '$2 == "pb0" && $3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s }' "$csv")"
	[ "$(awk -F, '$3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s }' "$csv")" = "$sent" ] || {
		echo "diagnostics: A pa0 / B pb0 counters:"; inA ip -s link show pa0; inB ip -s link show pb0; }
	check "the whole target's rows add up too" "$sent" \
		"$(awk -F, '$3 == "target" && $4 == "175.45.176.0/22" && $5 == "from" { s += $6 } END { print s }' "$csv")"
	check "CSV: 18 fields on every line" 0 "$(awk -F, 'NF != 18' "$csv" | wc -l)"
	check "CSV: one header per file (an hour may have begun)" "$(ls "$OUT"/series-* | wc -l)" "$(grep -c '^time,interface,scope,block' "$csv")"
	# --csv-rows active (the default): a block's row only when it says
	# something; the target and interface rows always
	nint=$(awk -F, '$1 != "time" { t[$1] } END { print length(t) }' "$csv")
	[ "$nint" -ge 20 ] && ok "CSV: $nint intervals written" || not_ok "CSV: only $nint intervals written"
	check "CSV: every interval has its 4 target rows and its interface row" 0 \
		"$(awk -F, '$1 != "time" { t[$1]; if ($3 != "block") n[$1]++ } END { for (k in t) if (n[k] != 5) bad++; print bad + 0 }' "$csv")"
	check "CSV: each interval's block rows add up to its target rows (no block with packets left out)" 0 \
		"$(awk -F, '$1 != "time" { k = $1 "," $2 "," $5; if ($3 == "block") b[k] += $6; else if ($3 == "target") t[k] += $6 }
			END { for (k in t) if (b[k] + 0 != t[k]) bad++; print bad + 0 }' "$csv")"
	check "CSV: a block row only with packets, a baseline or a new state" 0 \
		"$(awk -F, '$1 == "time" { next }
			$1 != cur { prev = cur; cur = $1 }
			$3 == "block" { k = $2 "," $4 "," $5
				before = (k in at && at[k] == prev) ? st[k] : "insufficient"
				if ($6 == 0 && $16 == "insufficient" && before == "insufficient") bad++
				at[k] = cur; st[k] = $16 }
			END { print bad + 0 }' "$csv")"
	check "CSV: a block that had no packet has no row (175.45.179.0/24 on pb0)" 0 \
		"$(awk -F, '$4 == "175.45.179.0/24"' "$csv" | wc -l)"
	check "CSV: no negative counts" 0 "$(awk -F, '$1 != "time" && ($6 < 0 || $7 < 0)' "$csv" | wc -l)"
	grep -q '^prefixwatch_packets_total{interface="pb0",scope="block",block="175.45.176.0/24",direction="from"} ' "$OUT/prefixwatch.prom" &&
		grep -q '^# TYPE prefixwatch_packets_total counter' "$OUT/prefixwatch.prom" &&
		ok "prefixwatch.prom has the counters with HELP and TYPE" || not_ok "prefixwatch.prom: $(head -5 "$OUT/prefixwatch.prom")"

	# a restart continues the series: appended, no spike, no negative rate
	rows=$(wc -l <"$csv")
	if start_run det2 -i pb0 "${TARGETS[@]}" --out "$OUT" --interval 0.25 -q; then
		inA "$SEND" udp 175.45.176.1 10.200.0.2 5
		sleep 0.6
		stop_run
		headers=$(grep -c '^time,' "$csv")
		allrows "$OUT" >"$csv"
		check "restart: appended to the same file, one header" "$headers" "$(grep -c '^time,' "$csv")"
		check "restart: the new rows add only the new packets" 5 \
			"$(tail -n +$((rows + 1)) "$csv" | awk -F, '$2 == "pb0" && $3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s }')"
	fi
	# --csv-rows all: every block's row in every interval, zeros included
	if start_run allrows -i pb0 "${TARGETS[@]}" --out "$TMP/allout" --interval 0.25 --csv-rows all -q; then
		inA "$SEND" udp 175.45.176.1 10.200.0.2 5
		sleep 0.6
		stop_run
		allrows "$TMP/allout" >"$TMP/allout.csv"
		nint=$(awk -F, '$1 != "time" { t[$1] } END { print length(t) }' "$TMP/allout.csv")
		[ "$nint" -ge 2 ] && ok "--csv-rows all: $nint intervals written" || not_ok "--csv-rows all: only $nint intervals written"
		check "--csv-rows all: 17 rows per interval (6 blocks, 2 targets, x2, 1 interface)" 0 \
			"$(awk -F, '$1 != "time" { n[$1]++ } END { for (t in n) if (n[t] != 17) bad++; print bad + 0 }' "$TMP/allout.csv")"
		check "--csv-rows all: the 5 packets are in the rows" 5 \
			"$(awk -F, '$3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s + 0 }' "$TMP/allout.csv")"
		check "--csv-rows all: a silent block without a baseline has its zero row in every interval" "$nint" \
			"$(grep -c ',pb0,block,175.45.179.0/24,to,0,0,0.000,0.0,0,0,0,0,0,0,insufficient,' "$TMP/allout.csv")"
	fi
fi

# --- --out problems -----------------------------------------------------------
touch "$TMP/afile"
bad "--out is a file" 2 "exists and is not a directory" run -i pb0 "${TARGETS[@]}" --out "$TMP/afile"
mkdir "$TMP/ro" && mount -t tmpfs -o ro,size=64k tmpfs "$TMP/ro"
bad "--out on a read-only file system" 2 "cannot create --out directory" run -i pb0 "${TARGETS[@]}" --out "$TMP/ro/x"

# Disk full: counting goes on, rows wait in memory, nothing half-written,
# and every interval lands once there is room again.
mkdir "$TMP/full" && mount -t tmpfs -o size=256k tmpfs "$TMP/full"
if start_run full -i pb0 "${TARGETS[@]}" --out "$TMP/full" --interval 0.2 -q; then
	sleep 0.5
	dd if=/dev/zero of="$TMP/full/filler" bs=4k 2>/dev/null
	before=$(ctr pb0 175.45.176.0/24 from packets)
	inA "$SEND" udp 175.45.176.1 10.200.0.2 30
	sleep 1.5
	grep -q "No space left on device; keeping" "$TMP/full.log" && ok "disk full: one clear message" ||
		not_ok "disk full: no message in $(cat "$TMP/full.log")"
	check "disk full: counting goes on" 30 $(($(ctr pb0 175.45.176.0/24 from packets) - before))
	rm "$TMP/full/filler"
	sleep 1
	grep -q "writing again" "$TMP/full.log" && ok "disk free again: writing resumes" ||
		not_ok "no 'writing again' in $(cat "$TMP/full.log")"
	stop_run
	csv=$TMP/full-rows.csv; allrows "$TMP/full" >"$csv"
	check "disk full: no half row in the file" 0 "$(awk -F, 'NF != 18' "$csv" | wc -l)"
	check "disk full: the 30 packets are all in the rows" 30 \
		"$(awk -F, '$3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s }' "$csv")"
	awk -F, 'NR > 1 { t[$1]++ } END { for (k in t) print k }' "$csv" | sort >"$TMP/times"
	gaps=$(awk '{ cmd = "date -d " $1 " +%s.%N"; cmd | getline s; close(cmd); if (NR > 1 && s - p > 0.35) g++; p = s } END { print g + 0 }' "$TMP/times")
	check "disk full: no interval missing from the series" 0 "$gaps"
fi
umount "$TMP/full" "$TMP/ro" 2>/dev/null

# --- --user: sample and write without privileges --------------------------------
if id nobody >/dev/null 2>&1; then
	if start_run user -i pb0 "${TARGETS[@]}" --out "$TMP/uout" --interval 0.2 -q --user nobody; then
		sleep 0.5
		child=$(sed -n 's/.*sampling as user nobody (pid \([0-9]*\)).*/\1/p' "$TMP/user.log")
		check "--user: the sampler runs as nobody" 65534 "$(awk '/^Uid:/ { print $2 }' /proc/"$child"/status 2>/dev/null)"
		check "--user: with no capability at all" 0000000000000000 "$(awk '/^CapEff:/ { print $2 }' /proc/"$child"/status 2>/dev/null)"
		check "--user: none it could regain" 0000000000000000 "$(awk '/^CapPrm:/ { print $2 }' /proc/"$child"/status 2>/dev/null)"
		grep -q "the kernel refuses this process a BPF program (Operation not permitted)" "$TMP/user.log" &&
			ok "--user: the sampler tried to load a BPF program and was refused" ||
			not_ok "--user: no proof that BPF loading is refused: $(cat "$TMP/user.log")"
		inA "$SEND" udp 175.45.176.1 10.200.0.2 4
		sleep 0.6
		stop_run
		check "--user: exit status" 0 "$RUN_RC"
		check "--user: it still sampled and wrote the series" 4 \
			"$(allrows "$TMP"/uout | awk -F, '$3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s }')"
		check "--user: the files are the user's" nobody "$(stat -c %U "$TMP"/uout/events.jsonl)"
		has_xdp pb0 && not_ok "--user: the program stayed attached" || ok "--user: detached at the end"
	fi
else
	SKIP=$((SKIP + 1))
	echo "skip - --user: no user 'nobody' on this machine"
fi

# --- faults: the interface, the program, the pins, SIGKILL, a busy CPU -----
veth2() {
	ip link add pa2 netns "$NS_A" address 02:00:00:00:0a:02 type veth peer name pb2 netns "$NS_B" address 02:00:00:00:0b:02
	ip -n "$NS_A" link set pa2 up
	ip -n "$NS_B" link set pb2 up
	ip -n "$NS_A" addr add 175.45.178.1/32 dev pa2
	ip -n "$NS_A" route add 10.200.2.2/32 dev pa2
	ip -n "$NS_A" neigh add 10.200.2.2 lladdr 02:00:00:00:0b:02 dev pa2 nud permanent
	ip -n "$NS_B" addr add 10.200.2.2/32 dev pb2
}
evn() { grep -c "\"event\":\"$1\"" "$2" 2>/dev/null; }
veth2
if start_run faults -i pb2 "${TARGETS[@]}" --out "$TMP/fout" --interval 0.2 -q; then
	# the pins removed under the running sensor (bpffs unmounted would do the same)
	rm -rf $PINS/pb2
	sleep 0.6
	check "pins removed: a pins_gone event" 1 "$(evn pins_gone "$TMP/fout/events.jsonl")"
	grep -q "pb2: the pinned counters are gone" "$TMP/faults.log" && ok "pins removed: one clear line" ||
		not_ok "pins removed: no message in $(cat "$TMP/faults.log")"
	inA "$SEND" udp 175.45.178.1 10.200.2.2 3
	sleep 0.5
	check "pins removed: counting goes on" 3 \
		"$(allrows "$TMP"/fout | awk -F, '$2 == "pb2" && $3 == "block" && $4 == "175.45.178.0/24" && $5 == "from" { s += $6 } END { print s + 0 }')"
	# and back: the running program's counters pinned again
	prog=$(inB ip -j -d link show pb2 | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id')
	bid=
	for m in $(bpftool -j prog show id "$prog" | jq '.map_ids[]'); do
		[ "$(bpftool -j map show id "$m" | jq -r .name)" = pw_blocks ] && bid=$m
	done
	if [ -n "$bid" ] && mkdir -p "$PINS/pb2" && bpftool map pin id "$bid" "$PINS/pb2/pw_blocks"; then
		sleep 0.6
		check "pins back: a pins_back event" 1 "$(evn pins_back "$TMP/fout/events.jsonl")"
	else
		not_ok "pins back: cannot pin the counters (map ${bid:-not found}) again"
	fi
	# another tool takes the interface: our link detached, its program attached
	prog=$(inB ip -j -d link show pb2 | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id')
	link=$(bpftool -j link show | jq -r ".[] | select(.type == \"xdp\" and .prog_id == $prog) | .id")
	if [ -n "$link" ] && bpftool link detach id "$link" 2>/dev/null; then
		inB ip link set dev pb2 xdpgeneric obj "$BUILD/pass.bpf.o" sec xdp
		sleep 0.5
		[ "$(evn program_lost "$TMP/fout/events.jsonl")" -ge 1 ] && ok "program replaced: a program_lost event" ||
			not_ok "program replaced: no program_lost event"
		grep -q "pb2: our XDP program was replaced by program id [0-9]* ('pw_pass" "$TMP/faults.log" &&
			ok "program replaced: one line naming the other program" ||
			not_ok "program replaced: no message in $(cat "$TMP/faults.log")"
		inB ip link set dev pb2 xdpgeneric off
	else
		not_ok "program replaced: cannot find or detach our XDP link on pb2 ($link)"
	fi
	# the interface deleted: an event, a message, the run stops cleanly
	# (within 2 s, or it is killed and fails the check)
	inB ip link del pb2
	for _ in $(seq 40); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$RUN_PID" 2>/dev/null && kill -KILL "$RUN_PID"
	wait "$RUN_PID"; rc=$?; RUN_PID=
	check "interface deleted: the run stops with status 1" 1 "$rc"
	check "interface deleted: an interface_gone event" 1 "$(evn interface_gone "$TMP/fout/events.jsonl")"
	grep -q "pb2: stopping: the interface is gone" "$TMP/faults.log" && ok "interface deleted: a clear message" ||
		not_ok "interface deleted: no message in $(cat "$TMP/faults.log")"
	check "interface deleted: every series row whole" 0 "$(allrows "$TMP/fout" | awk -F, 'NF != 18' | wc -l)"
	check "interface deleted: the 3 packets still in the rows" 3 \
		"$(allrows "$TMP"/fout | awk -F, '$2 == "pb2" && $3 == "block" && $4 == "175.45.178.0/24" && $5 == "from" { s += $6 } END { print s + 0 }')"
	jq -e . "$TMP/fout/events.jsonl" >/dev/null && ok "interface deleted: events.jsonl parses" ||
		not_ok "interface deleted: events.jsonl does not parse"
fi
# --wait-for-interface: deleted, made again, counted again
veth2
inB "$PW" detach -i pb2 2>/dev/null
if start_run wait -i pb2 "${TARGETS[@]}" --out "$TMP/wout" --interval 0.2 -q --wait-for-interface; then
	inB ip link del pb2
	sleep 0.6
	veth2
	sleep 0.6
	inA "$SEND" udp 175.45.178.1 10.200.2.2 5
	sleep 0.5
	kill -0 "$RUN_PID" 2>/dev/null && ok "--wait-for-interface: still running after the deletion" ||
		not_ok "--wait-for-interface: the run ended: $(cat "$TMP/wait.log")"
	stop_run
	check "--wait-for-interface: exit status" 0 "$RUN_RC"
	check "--wait-for-interface: interface_gone, then interface_back" "interface_gone interface_back" \
		"$(jq -r 'select(.event | startswith("interface_")) | .event' "$TMP/wout/events.jsonl" | xargs)"
	grep -q "pb2: back (index [0-9]*): attached again" "$TMP/wait.log" && ok "--wait-for-interface: attached again" ||
		not_ok "--wait-for-interface: no re-attach in $(cat "$TMP/wait.log")"
	check "--wait-for-interface: the packets after it are counted" 5 \
		"$(allrows "$TMP"/wout | awk -F, '$2 == "pb2" && $3 == "block" && $4 == "175.45.178.0/24" && $5 == "from" { s += $6 } END { print s + 0 }')"
fi
bad "--wait-for-interface with --user" 2 "cannot go with --user" run -i pb0 --wait-for-interface --user nobody

# SIGKILL while writing, with rotation every second: then a restart
inB "$PW" detach -i pb0 2>/dev/null
if start_run kill1 -i pb0 "${TARGETS[@]}" --out "$TMP/kout" --interval 0.1 --rotate 1 -q; then
	inA "$SEND" flow 175.45.176.1 10.200.0.2 200 4 >"$TMP/kflow.out" &
	flow=$!
	sleep 1.7
	kill -KILL "$RUN_PID"; wait "$RUN_PID" 2>/dev/null; RUN_PID=
	if start_run kill2 -i pb0 "${TARGETS[@]}" --out "$TMP/kout" --interval 0.1 --rotate 1 -q; then
		wait "$flow"
		sleep 0.5
		stop_run
		grep -q "counters continued from an earlier run" "$TMP/kill2.log" && ok "SIGKILL: the restart continues the pinned counters" ||
			not_ok "SIGKILL: no continuation in $(cat "$TMP/kill2.log")"
		sent=$(awk '{ print $2 }' "$TMP/kflow.out")
		check "SIGKILL: the counters hold every packet sent" "$sent" "$(ctr pb0 175.45.176.0/24 from packets)"
		bad_gz=0
		for f in "$TMP"/kout/*.gz; do gzip -t "$f" 2>/dev/null || bad_gz=$((bad_gz + 1)); done
		check "SIGKILL: every .gz complete ($(ls "$TMP"/kout/*.gz | wc -l) files)" 0 "$bad_gz"
		check "SIGKILL: no temporary file left" 0 "$(find "$TMP"/kout -name '*tmp*' | wc -l)"
		allrows "$TMP/kout" >"$TMP/kall.csv"
		check "SIGKILL: every series row whole" 0 "$(grep -v '^time,' "$TMP/kall.csv" | awk -F, 'NF != 18' | wc -l)"
		check "SIGKILL: no interval written twice" 0 \
			"$(grep -v '^time,' "$TMP/kall.csv" | cut -d, -f1-5 | sort | uniq -d | wc -l)"
		rows=$(awk -F, '$2 == "pb0" && $3 == "block" && $4 == "175.45.176.0/24" && $5 == "from" { s += $6 } END { print s + 0 }' "$TMP/kall.csv")
		[ "$rows" -le "$sent" ] && [ "$rows" -ge $((sent - 200)) ] &&
			ok "SIGKILL: the rows hold $rows of $sent packets (not the ones between the kill and the restart, never one twice)" ||
			not_ok "SIGKILL: the rows hold $rows packets, $sent sent"
		awk '/^#/ { next } !/^[a-z_]+(\{[^}]*\})? [-+0-9.e]+$/ { bad++ } END { exit bad > 0 }' "$TMP/kout/prefixwatch.prom" &&
			grep -q "^prefixwatch_last_update_timestamp_seconds" "$TMP/kout/prefixwatch.prom" &&
			ok "SIGKILL: the .prom file is whole" || not_ok "SIGKILL: the .prom file is not whole"
	fi
fi
inB "$PW" detach -i pb0 2>/dev/null

# both cores busy: the ticks keep time
hogs=()
for _ in 1 2; do sh -c 'while :; do :; done' & hogs+=($!); done
inA "$SEND" flow 175.45.176.1 10.200.0.2 2000 3 >/dev/null &
flow=$!
umask 000 # and a careless umask: still nothing writable by others
if start_run busy -i pb0 "${TARGETS[@]}" --out "$TMP/bout" --interval 0.1 -q; then
	umask 022
	check "permissions: pin directory root only" 700 "$(stat -c %a $PINS/pb0)"
	check "permissions: pins readable by root only" "" "$(find /sys/fs/bpf/prefixwatch -perm /077 ! -type d)"
	wait "$flow"
	stop_run
	check "permissions: --out and its files not writable by others (umask 000)" "" "$(find "$TMP/bout" -perm /022)"
	delay=$(awk '$1 == "prefixwatch_tick_delay_max_seconds" { print $2 }' "$TMP/bout/prefixwatch.prom")
	missed=$(awk '$1 == "prefixwatch_ticks_missed_total" { print $2 }' "$TMP/bout/prefixwatch.prom")
	awk -v d="$delay" 'BEGIN { exit !(d != "" && d < 0.05) }' && [ "$missed" = 0 ] &&
		ok "both cores busy: the latest tick began ${delay} s late, none missed (interval 0.1 s)" ||
		not_ok "both cores busy: a tick ${delay} s late, $missed missed"
fi
umask 022
kill "${hogs[@]}" 2>/dev/null; wait "${hogs[@]}" 2>/dev/null

# --- valgrind over a whole run: no memory error, no leak -------------------------
if command -v valgrind >/dev/null; then
	inB "$PW" detach -i pb0 2>/dev/null
	nsenter --net=/run/netns/"$NS_B" valgrind --suppressions="$(dirname "$0")/valgrind.supp" \
		--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$PW" run -i pb0 "${TARGETS[@]}" --egress --out "$TMP/vout" --interval 0.2 --duration 4 \
		>"$TMP/vg.out" 2>"$TMP/vg.log" &
	vg=$!
	for _ in $(seq 100); do grep -q counting "$TMP/vg.log" && break; sleep 0.1; done
	inA "$SEND" udp 175.45.176.1 10.200.0.2 7
	inB "$SEND" udp 10.200.0.2 175.45.176.1 3
	wait "$vg"
	check "valgrind: exit status" 0 "$?"
	grep -q "ERROR SUMMARY: 0 errors" "$TMP/vg.log" && grep -q "no leaks are possible\|definitely lost: 0 bytes" "$TMP/vg.log" &&
		ok "valgrind: no error, no leak ($(grep -o 'total heap usage.*' "$TMP/vg.log"))" ||
		not_ok "valgrind: $(grep -A3 'ERROR SUMMARY\|LEAK SUMMARY\|Invalid\|uninitialised' "$TMP/vg.log" | head -20)"
	# 7 datagrams in and 3 out, each answered by an ICMP port unreachable
	check "valgrind: it counted all the same (10 from, 10 to)" "10 10" \
		"$(allrows "$TMP/vout" | awk -F, '$3 == "block" && $4 == "175.45.176.0/24" { s[$5] += $6 } END { print s["from"] + 0, s["to"] + 0 }')"
else
	SKIP=$((SKIP + 1))
	echo "skip - valgrind: not installed (scripts/install-deps.sh installs it)"
fi

# --- detach removes program and pins --------------------------------------
inB "$PW" detach -i pb0 -i pb1 2>"$TMP/detach.err"
check "detach: exit status" 0 "$?"
has_xdp pb0 && not_ok "detach left the program on pb0" || ok "detach removed the program"
[ -e $PINS/pb0 ] && not_ok "detach left pins" || ok "detach removed the pins"
check "stats after detach" missing "$(ctr pb0 175.45.176.0/24 from udp)"
# what an earlier version (another ABI) left attached: its program and pins
# under its own directory (made here by moving ours there)
OLD=/sys/fs/bpf/prefixwatch/v1/pb0
if start_run old -i pb0 "${TARGETS[@]}" --keep-attached; then
	stop_run
	mkdir -p "${OLD%/*}" && rm -rf "$OLD"
	if mv "$PINS/pb0" "$OLD" && has_xdp pb0; then
		out=$(inB "$PW" run -i pb0 "${TARGETS[@]}" --duration 1 -q 2>&1)
		rc=$?
		[ "$rc" -ne 0 ] && grep -q "'prefixwatch detach -i pb0' removes it" <<<"$out" &&
			ok "an earlier version's program: run refuses it, naming detach (exit $rc)" ||
			not_ok "an earlier version's program: run said (exit $rc): $out"
		out=$(inB "$PW" detach -i pb0 2>&1)
		! has_xdp pb0 && [ ! -e "$OLD" ] && grep -q "earlier version of prefixwatch left at $OLD" <<<"$out" &&
			ok "detach removes an earlier version's program and pins ($OLD)" ||
			not_ok "detach and an earlier version's pins: $out; $(ls "$OLD" 2>&1)"
	else
		not_ok "could not make an earlier version's pins at $OLD"
	fi
fi

summary
[ "$FAIL" -eq 0 ]
