#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# The lab: the 7 June 2025 blackout, re-enacted in network namespaces with real
# BGP speakers (BIRD 2) and real traffic.
#
#   scripts/lab.sh up                  build the topology, start the daemons, wait for BGP
#   scripts/lab.sh scenario NAME [--live]
#                                      run one scenario on the lab that is up: traffic,
#                                      the fault, the recovery; then correlate
#   scripts/lab.sh down                remove everything (safe to run at any time)
#   scripts/lab.sh status              the namespaces, BGP sessions and routes
#   scripts/lab.sh demo                up, internal_failure with the live table, down
#
#        clients --- router ==cn0== carrier-cn (AS4837) ---- target (AS131279)
#       10.9.0.0/16  AS64500 ==ru0== carrier-ru (AS20485) --- 175.45.176.0/22
#                                       |      |
#                                      collector (AS64999, MRT)
#
# prefixwatch runs on the router, on both carrier-facing interfaces (cn0, ru0,
# with --egress so that both directions show there). The collector peers with
# both carriers and writes MRT: BGP4MP messages and state changes as they
# happen (updates.mrt) and a TABLE_DUMP_V2 RIB every 5 s, as RouteViews and
# RIPE RIS do. Results of each scenario are kept in $PWLAB_DIR/NAME/.
#
# Environment: PWLAB_DIR (default /tmp/prefixwatch-lab), PWLAB_BUILD (the build
# directory, default build), PWLAB_PREFIX (namespace prefix, default pwlab),
# PWLAB_WARM, PWLAB_FAULT, PWLAB_AFTER (seconds of each phase: 15, 15, 12),
# PWLAB_PPS (client packets per second toward the target, default 300).
set -eu

P=${PWLAB_PREFIX:-pwlab}
LAB=$(realpath -m "${PWLAB_DIR:-/tmp/prefixwatch-lab}")
BUILD=$(realpath -m "${PWLAB_BUILD:-build}")
PW=$BUILD/prefixwatch
LABHOST=$BUILD/tests/labhost
RUN=$LAB/run
WARM=${PWLAB_WARM:-15}
FAULT=${PWLAB_FAULT:-15}
AFTER=${PWLAB_AFTER:-12}
PPS=${PWLAB_PPS:-300}
FLOOD_PPS=3000
FLOOD_S=8
INTERVAL=0.25
# a surge is looked for over the flood's length before an outage (the default,
# a minute, is longer than a scenario's run-up)
CORR_OPTS="--before $FLOOD_S"
TARGET=175.45.176.0/22
NAMES="target cn ru router clients collector"
SCENARIOS="internal_failure data_plane path_shift attack_like vantage"

die() { echo "lab: $*" >&2; exit 1; }
say() { printf '%s lab: %s\n' "$(date -u +%H:%M:%S.%3N)" "$*"; }
ns() { echo "$P-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
now() { date +%s.%N; }
birdc_() { nsx "$1" birdc -s "$RUN/$1.ctl" "${@:2}"; }

# ---------------------------------------------------------------- down
down() {
	local n pids
	for n in $NAMES; do
		ip netns list 2>/dev/null | grep -qw "$(ns "$n")" || continue
		# everything running inside: daemons, clients, prefixwatch
		pids=$(ip netns pids "$(ns "$n")" 2>/dev/null || true)
		[ -z "$pids" ] || kill $pids 2>/dev/null || true
	done
	sleep 0.3
	for n in $NAMES; do
		ip netns list 2>/dev/null | grep -qw "$(ns "$n")" || continue
		pids=$(ip netns pids "$(ns "$n")" 2>/dev/null || true)
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
		# the veths go with their namespace
		ip netns del "$(ns "$n")" 2>/dev/null || true
	done
	rm -rf "$RUN"
}

# ---------------------------------------------------------------- up
link() {	# link NS1 IF1 ADDR1 NS2 IF2 ADDR2 (a /30 between two namespaces)
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$5" netns "$(ns "$4")"
	nsx "$1" ip addr add "$3/30" dev "$2"
	nsx "$4" ip addr add "$6/30" dev "$5"
	nsx "$1" ip link set "$2" up
	nsx "$4" ip link set "$5" up
}

# bird_conf NAME ROUTER_ID ASN ORIGINATE KERNEL then "peer NAME ADDR ASN PREF EXPORT" lines on stdin
bird_conf() {
	local name=$1 id=$2 asn=$3 origin=$4 kernel=$5 f=$RUN/$1.conf pname addr pas pref export
	{
		echo "router id $id;"
		echo "log \"$RUN/$name.log\" all;"
		echo "protocol device { scan time 1; }"
		if [ "$kernel" = yes ]; then
			# install what BGP learned; learn nothing back from the kernel
			echo "protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; learn off; scan time 2; }"
		fi
		[ -z "$origin" ] || echo "protocol static origin { ipv4; $origin }"
		if [ "$name" = collector ]; then
			echo "mrtdump \"$LAB/collector/updates.mrt\";"
			echo "mrtdump protocols { states, messages };"
			echo "protocol mrt rib { table master4; filename \"$LAB/collector/rib.%Y%m%d.%H%M%S.mrt\"; period 5; }"
		fi
		echo "filter lp_high { bgp_local_pref = 200; accept; }"
		# timers short enough for a scenario of a minute: a dead peer is noticed in 3 s
		echo "template bgp peer { local as $asn; hold time 3; keepalive time 1; connect retry time 1;"
		echo "  connect delay time 1; error wait time 1, 2; error forget time 10; }"
		while read -r _ pname addr pas pref export; do
			echo "protocol bgp bgp_$pname from peer { neighbor $addr as $pas;"
			echo "  ipv4 { import $([ "$pref" = yes ] && echo filter lp_high || echo all); export $export; }; }"
		done
	} > "$f"
	bird -p -c "$f" || die "bird cannot parse $f"
}

start_bird() {
	nsx "$1" bird -c "$RUN/$1.conf" -s "$RUN/$1.ctl" -P "$RUN/$1.pid" ||
		die "bird did not start in $(ns "$1"): see $RUN/$1.log"
}

# wait_until SECONDS WHAT COMMAND...
wait_until() {
	local t=$1 what=$2 end
	shift 2
	end=$(( $(date +%s) + t ))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || die "timed out after ${t}s waiting for $what"
		sleep 0.2
	done
}

has_route() { nsx "$1" ip -4 route show "$2" | grep -q .; }
sessions_up() { [ "$(birdc_ "$1" show protocols | grep -c Established)" -ge "$2" ]; }

up() {
	[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
	local b
	for b in bird birdc nft ip jq; do
		command -v "$b" >/dev/null || die "'$b' not found: run scripts/install-deps.sh"
	done
	[ -x "$PW" ] && [ -x "$LABHOST" ] || die "$PW or $LABHOST missing: run make first"
	down
	mkdir -p "$RUN" "$LAB/collector"
	rm -f "$LAB"/collector/*.mrt
	for b in $NAMES; do
		ip netns add "$(ns "$b")"
		nsx "$b" ip link set lo up
	done
	link target cn0 100.64.1.1 cn tgt0 100.64.1.2
	link target ru0 100.64.2.1 ru tgt0 100.64.2.2
	link router cn0 100.64.3.1 cn rtr0 100.64.3.2
	link router ru0 100.64.4.1 ru rtr0 100.64.4.2
	link collector cn0 100.64.5.1 cn col0 100.64.5.2
	link collector ru0 100.64.6.1 ru col0 100.64.6.2
	ip link add cl0 netns "$(ns router)" type veth peer name up0 netns "$(ns clients)"
	nsx router ip addr add 10.9.0.1/24 dev cl0
	nsx clients ip addr add 10.9.0.2/24 dev up0
	nsx router ip link set cl0 up
	nsx clients ip link set up0 up
	nsx clients ip route add default via 10.9.0.1

	for b in cn ru router; do
		nsx "$b" sysctl -qw net.ipv4.ip_forward=1
	done
	# the flood's spoofed sources come in on cl0 with no route back there
	nsx router sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.cl0.rp_filter=0
	# the clients' network; what is not in use is dropped here (the flood's answers)
	nsx router ip route add blackhole 10.9.0.0/16
	# every address of the target's block answers (AnyIP)
	nsx target ip route add local "$TARGET" dev lo
	# a host without SYN cookies, so that a SYN flood shows
	nsx target sysctl -qw net.ipv4.tcp_syncookies=0
	# the rest of the internet, one host behind each carrier
	nsx cn ip addr add 203.0.113.1/32 dev lo
	nsx ru ip addr add 198.51.100.1/32 dev lo

	bird_conf target 100.64.1.1 131279 "route $TARGET blackhole;" yes <<-EOF
		peer cn 100.64.1.2 4837 yes where source = RTS_STATIC
		peer ru 100.64.2.2 20485 no where source = RTS_STATIC
	EOF
	bird_conf cn 100.64.1.2 4837 "route 203.0.113.0/24 blackhole;" yes <<-EOF
		peer target 100.64.1.1 131279 no all
		peer router 100.64.3.1 64500 no all
		peer collector 100.64.5.1 64999 no all
	EOF
	bird_conf ru 100.64.2.2 20485 "route 198.51.100.0/24 blackhole;" yes <<-EOF
		peer target 100.64.2.1 131279 no all
		peer router 100.64.4.1 64500 no all
		peer collector 100.64.6.1 64999 no all
	EOF
	# the router prefers carrier-cn, as the target does for its answers
	bird_conf router 100.64.3.1 64500 "route 10.9.0.0/16 blackhole;" yes <<-EOF
		peer cn 100.64.3.2 4837 yes where source = RTS_STATIC
		peer ru 100.64.4.2 20485 no where source = RTS_STATIC
	EOF
	bird_conf collector 100.64.5.1 64999 "" no <<-EOF
		peer cn 100.64.5.2 4837 no none
		peer ru 100.64.6.2 20485 no none
	EOF
	for b in target cn ru router collector; do
		start_bird "$b"
	done
	nsx target sh -c "exec '$LABHOST' serve >'$RUN/serve.log' 2>&1 &"

	wait_until 30 "the router's route to $TARGET" has_route router "$TARGET"
	wait_until 30 "the target's route to the clients" has_route target 10.9.0.0/16
	wait_until 30 "the collector's two sessions" sessions_up collector 2
	wait_until 30 "the router's two sessions" sessions_up router 2
	say "up: $(nsx router ip -4 route show "$TARGET")"
}

# ---------------------------------------------------------------- scenario
# the router's route to the target: "via ADDR" or "none"
route_of() {
	local r
	r=$(nsx router ip -4 route show "$TARGET" 2>/dev/null | grep -o 'via [0-9.]*' | head -1)
	echo "${r:-none}"
}

# the time the router's route leaves state $1 (waits up to $2 seconds)
route_change() {
	local from=$1 end t
	end=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -lt "$end" ]; do
		t=$(now)
		[ "$(route_of)" = "$from" ] || { echo "$t"; return 0; }
		sleep 0.005
	done
	echo null
}

counters() {	# the lab's own count of the target's packets, as nftables sees them
	# on the router's carrier-facing interfaces: netdev ingress (what came
	# in) and netdev egress (what left: the same place in the stack as
	# prefixwatch's tc filter, so a packet sent into a link that is going
	# down counts on both sides or on neither)
	nsx router nft -f - <<-EOF
		table netdev pwlab_count {
			counter cn0_in_to {}
			counter cn0_in_from {}
			counter cn0_out_to {}
			counter cn0_out_from {}
			counter ru0_in_to {}
			counter ru0_in_from {}
			counter ru0_out_to {}
			counter ru0_out_from {}
			chain cn0_in { type filter hook ingress device "cn0" priority 0; ip daddr $TARGET counter name "cn0_in_to"; ip saddr $TARGET counter name "cn0_in_from"; }
			chain cn0_out { type filter hook egress device "cn0" priority 0; ip daddr $TARGET counter name "cn0_out_to"; ip saddr $TARGET counter name "cn0_out_from"; }
			chain ru0_in { type filter hook ingress device "ru0" priority 0; ip daddr $TARGET counter name "ru0_in_to"; ip saddr $TARGET counter name "ru0_in_from"; }
			chain ru0_out { type filter hook egress device "ru0" priority 0; ip daddr $TARGET counter name "ru0_out_to"; ip saddr $TARGET counter name "ru0_out_from"; }
		}
	EOF
}

counter() { nsx "$1" nft -j list counter netdev pwlab_count "$2" | jq '.nftables[] | select(.counter) | .counter.packets'; }

# the fault and its repair; each sets CUT, BACK (effective times) as it can
inject() {
	local before
	before=$(route_of)
	case $1 in
	internal_failure)	# the target withdraws its routes: silent on both carriers
		T_INJECT=$(now); birdc_ target disable origin >/dev/null
		CUT=$(route_change "$before" 10) ;;
	data_plane)		# the routes stay; inside the target every packet is dropped
		T_INJECT=$(now)
		nsx target nft -f - <<-EOF
			table inet pwlab_fault {
				chain pre { type filter hook prerouting priority -300; ip daddr $TARGET drop; }
			}
		EOF
		CUT=$T_INJECT ;;
	path_shift)		# the link between the target and carrier-cn fails
		T_INJECT=$(now); nsx target ip link set cn0 down
		CUT=$(route_change "$before" 10) ;;
	attack_like)		# a flood, then the target's links fail
		ip netns exec "$(ns clients)" "$LABHOST" flood "$TARGET" "$FLOOD_PPS" "$FLOOD_S" 10.9.200.0/24 > "$D/flood.json" &
		FLOOD_PID=$!
		say "flood: $FLOOD_PPS SYN/s toward $TARGET for ${FLOOD_S}s"
		sleep "$FLOOD_S"
		wait "$FLOOD_PID" || true
		T_INJECT=$(now); nsx target ip link set cn0 down; nsx target ip link set ru0 down
		CUT=$(route_change "$before" 10) ;;
	vantage)		# the router's own carrier-facing interfaces go down
		# (the cut is complete when the second is down: until then the
		# router fails over to it, and it carries the traffic)
		T_INJECT=$(now); nsx router ip link set cn0 down; nsx router ip link set ru0 down
		CUT=$(now) ;;
	esac
}

repair() {
	local before
	before=$(route_of)
	T_REPAIR=$(now)
	case $1 in
	internal_failure) birdc_ target enable origin >/dev/null ;;
	data_plane) nsx target nft delete table inet pwlab_fault ;;
	path_shift) nsx target ip link set cn0 up ;;
	attack_like) nsx target ip link set cn0 up; nsx target ip link set ru0 up ;;
	vantage) nsx router ip link set cn0 up; nsx router ip link set ru0 up ;;
	esac
	if [ "$1" = data_plane ]; then
		BACK=$T_REPAIR
	else
		BACK=$(route_change "$before" 30)
	fi
}

# the lab's side of a scenario, while prefixwatch runs: traffic, fault, repair
drive() {
	local name=$1 i
	CLIENTS= FLOOD_PID=
	# whatever happens, no traffic outlives the scenario
	trap 'kill $CLIENTS $FLOOD_PID 2>/dev/null || true' EXIT
	for i in $(seq 100); do
		nsx router ip -d link show cn0 | grep -q 'prog/xdp' && nsx router ip -d link show ru0 | grep -q 'prog/xdp' && break
		sleep 0.1
	done
	[ "$i" -lt 100 ] || die "prefixwatch did not attach to cn0 and ru0 within 10 s"
	say "prefixwatch attached; clients start: ~$PPS pps toward $TARGET, and to 203.0.113.1, 198.51.100.1"
	# not through nsx: $! must be the generator itself (ip netns exec execs it)
	ip netns exec "$(ns clients)" "$LABHOST" clients "$TARGET" "$PPS" 203.0.113.1 198.51.100.1 > "$D/clients.json" &
	CLIENTS=$!
	local warm=$WARM
	[ "$name" != attack_like ] || warm=$((WARM - FLOOD_S))
	sleep "$warm"
	say "fault: $name (route: $(route_of))"
	inject "$name"
	say "fault in place (route: $(route_of)); traffic cut at $CUT"
	sleep "$FAULT"
	repair "$name"
	say "repaired (route: $(route_of)); traffic back at $BACK"
	sleep "$AFTER"
	kill -TERM "$CLIENTS"; wait "$CLIENTS" || true
	sleep 1	# the last answers
	ip netns pids "$(ns router)" | xargs -r ps -o comm= -p | grep -qx prefixwatch || die "prefixwatch stopped before the traffic did: counts cannot be compared"
	cat > "$D/truth.json" <<-EOF
	{"scenario":"$name","inject":$T_INJECT,"cut":$CUT,"repair":$T_REPAIR,"back":$BACK,
	 "interval":$INTERVAL,
	 "lab_counts":{"cn0":{"to":$(( $(counter router cn0_in_to) + $(counter router cn0_out_to) )),"from":$(( $(counter router cn0_in_from) + $(counter router cn0_out_from) ))},
	               "ru0":{"to":$(( $(counter router ru0_in_to) + $(counter router ru0_out_to) )),"from":$(( $(counter router ru0_in_from) + $(counter router ru0_out_from) ))}},
	 "clients":$(cat "$D/clients.json"),
	 "flood":$(cat "$D/flood.json" 2>/dev/null || echo null)}
	EOF
	say "traffic stopped; lab counters in $D/truth.json"
}

scenario() {
	local name=$1 live=${2:-} total
	case " $SCENARIOS " in *" $name "*) ;; *) die "unknown scenario '$name' (one of: $SCENARIOS)" ;; esac
	[ -S "$RUN/router.ctl" ] || die "the lab is not up: run '$0 up' first"
	D=$LAB/$name
	rm -rf "$D"; mkdir -p "$D"
	nsx router nft delete table netdev pwlab_count 2>/dev/null || true
	counters
	total=$((WARM + FAULT + AFTER + 6))
	say "scenario $name: ${WARM}s of traffic, ${FAULT}s of fault, ${AFTER}s after; results in $D"
	drive "$name" > "$D/lab.log" 2>&1 &
	local driver=$!
	local args=(run -i cn0 -i ru0 --egress --interval "$INTERVAL" --duration "$total" --out "$D/out")
	if [ "$live" = --live ]; then
		nsx router "$PW" "${args[@]}" 2>"$D/prefixwatch.log" || true
	else
		nsx router "$PW" "${args[@]}" -q > "$D/prefixwatch.log" 2>&1 || true
	fi
	wait "$driver" || { cat "$D/lab.log" >&2; die "scenario $name failed"; }
	cat "$D/lab.log"
	echo "prefixwatch's events (whole target and vantage point; blocks in $D/out/events.jsonl):"
	jq -r 'select(.scope != "block") | [.time[11:23], .event, .interface, (.block // "-"), (.direction // "-"),
		(if .duration_s then "lasted \(.duration_s) s" elif .event == "outage_start" then "noticed \(.detected[11:23])" else "" end)]
		| "  " + join("  ")' "$D/out/events.jsonl" 2>/dev/null || true
	echo
	# the traffic against the collector's MRT, the way a user would
	"$PW" correlate "$D/out" "$LAB/collector/updates.mrt" $CORR_OPTS --json > "$D/correlate.json" 2>"$D/correlate.log" ||
		die "correlate failed: see $D/correlate.log"
	"$PW" correlate "$D/out" "$LAB/collector/updates.mrt" $CORR_OPTS | tee "$D/correlate.txt"
}

status() {
	local n
	for n in target cn ru router collector; do
		[ -S "$RUN/$n.ctl" ] || { echo "$n: not running"; continue; }
		echo "== $(ns "$n")"
		birdc_ "$n" show protocols | grep -i bgp || true
	done
	echo "== router's route to $TARGET: $(route_of)"
}

demo() {
	trap down EXIT
	say "bringing the lab up: six namespaces, five BIRD speakers"
	up
	cat <<-EOF

	The lab re-enacts the North Korean blackout of 7 June 2025: the target
	(AS131279, $TARGET) withdraws its routes from both carriers and goes silent.
	prefixwatch watches the router's two carrier links; the live table follows.
	After ${WARM}s the routes go, ${FAULT}s later they come back.

	EOF
	sleep 3
	scenario internal_failure --live
	cat <<-EOF

	Files: $LAB/internal_failure/out (series, events.jsonl, prefixwatch.prom),
	the collector's MRT in $LAB/collector. The last incident, when the lab's
	clients stop, is the vantage point itself going quiet.
	EOF
}

case ${1:-} in
up) up ;;
demo) demo ;;
down) down ;;
status) status ;;
scenario) [ $# -ge 2 ] || die "usage: $0 scenario NAME [--live] (NAME: $SCENARIOS)"; scenario "$2" "${3:-}" ;;
list) echo "$SCENARIOS" ;;
*) echo "usage: $0 up | down | status | list | demo | scenario NAME [--live]" >&2; exit 2 ;;
esac
