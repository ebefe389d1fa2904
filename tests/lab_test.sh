#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Every lab scenario once (scripts/lab.sh), and what each must show:
#  - correlate classifies the incident at the injected fault as expected;
#  - the outage of the whole target starts at the last packet before the
#    traffic was cut (the lab times the cut itself: the nftables rule, the link,
#    or the router's route changing) and is noticed within the detector's bound
#    D ln(1/alpha) / L plus one interval;
#  - it ends when the traffic is back, and lasts as long as the cut did;
#  - every packet of the target that prefixwatch counted on cn0 and ru0, per
#    direction, matches nftables' own counters in the lab, exactly.
# Usage: tests/lab_test.sh BUILD_DIR
set -u

BUILD=$(realpath "${1:-build}")
HERE=$(cd "$(dirname "$0")" && pwd)
LAB_SH=$HERE/../scripts/lab.sh
export PWLAB_BUILD=$BUILD PWLAB_DIR=$BUILD/lab PWLAB_PREFIX=pwlabt$$
TARGET=175.45.176.0/22
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
skip_all() { echo "lab: SKIPPED: $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, XDP, BGP daemons)"
command -v bird >/dev/null || skip_all "bird (BIRD 2) is not installed: scripts/install-deps.sh installs it"
ip netns add "pwlabt-probe-$$" 2>/dev/null || skip_all "cannot create network namespaces here"
ip netns del "pwlabt-probe-$$"

trap '"$LAB_SH" down >/dev/null 2>&1' EXIT
"$LAB_SH" up || { echo "not ok - the lab did not come up"; exit 1; }

# jq: seconds since the epoch of one of our timestamps (2026-11-22T13:33:55.738Z)
SECS='def secs: (.[0:19] + "Z" | fromdateiso8601) + (.[19:-1] | if . == "" then 0 else tonumber end);'
ts() { jq -rn --arg t "$1" "$SECS"' $t | secs'; }
# the event of a series (interface, direction, the whole target) nearest a time
event_near() {	# EVENTS NAME IFACE DIR TIME
	jq -c --arg e "$2" --arg i "$3" --arg d "$4" --arg b "$TARGET" --argjson t "$5" "$SECS"'
		select(.event == $e and .interface == $i and .direction == $d and .block == $b and .scope == "target")
		| . + {at: (.time | secs)}
		| . + {off: (.at - $t | fabs)}' "$1" | jq -sc 'sort_by(.off) | .[0] // empty'
}
within() { awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }

# SCENARIO CLASS IFACE DIR: the series whose outage is checked
check() {
	local name=$1 class=$2 iface=$3 dir=$4 D=$PWLAB_DIR/$1
	local truth=$D/truth.json ev=$D/out/events.jsonl
	echo "# scenario $name"
	if ! "$LAB_SH" scenario "$name" > "$D.log" 2>&1; then
		not_ok "$name: the scenario failed: $(tail -3 "$D.log")"
		return
	fi
	local cut back interval
	cut=$(jq .cut "$truth"); back=$(jq .back "$truth"); interval=$(jq .interval "$truth")

	# the classification of the incident at the cut
	local inc got
	inc=$(jq -c --argjson t "$cut" "$SECS"'[.incidents[] | . + {off: ((.start | secs) - $t | fabs)}] | sort_by(.off) | .[0] // empty' "$D/correlate.json")
	got=$(jq -r '.classification // "none"' <<<"$inc")
	if [ "$got" = "$class" ] && within "$(jq .off <<<"$inc")" 0 2; then
		ok "$name: classified $class: $(jq -r .evidence <<<"$inc")"
	else
		not_ok "$name: the incident at the cut is '$got' (want $class): ${inc:-no incident}"
	fi

	# the outage: start, detection, end, duration
	local s e at det bound lam disp
	s=$(event_near "$ev" outage_start "$iface" "$dir" "$cut")
	if [ -z "$s" ]; then
		not_ok "$name: no outage_start of $TARGET $dir on $iface: $(grep -c . "$ev") events"
		return
	fi
	at=$(jq .at <<<"$s"); det=$(ts "$(jq -r .detected <<<"$s")")
	lam=$(jq .baseline_pps <<<"$s"); disp=$(jq .dispersion <<<"$s")
	bound=$(calc "$disp * log(1e6) / $lam")
	# the last packet comes before the cut, by less than the bound (a
	# longer gap would have been an outage itself); a few ms after it for
	# packets already on the wire
	if within "$at" "$(calc "$cut - $bound - 0.02")" "$(calc "$cut + 0.02")"; then
		ok "$name: outage_start $iface $dir at the last packet, $(calc "$at - $cut") s from the cut (bound $bound s)"
	else
		not_ok "$name: outage_start $iface $dir at $at, the cut at $cut (bound $bound s)"
	fi
	if within "$det" "$at" "$(calc "$at + $bound + $interval + 0.1")"; then
		ok "$name: noticed $(calc "$det - $at") s after the last packet (bound D ln(1/a)/L + interval = $(calc "$bound + $interval") s, D $disp, L $lam pps)"
	else
		not_ok "$name: noticed $(calc "$det - $at") s after the last packet (bound $(calc "$bound + $interval") s)"
	fi
	# and each of its four blocks (about 75 pps each toward the target)
	local nb
	nb=$(jq -r --arg i "$iface" --arg d "$dir" --argjson c "$cut" "$SECS"'
		select(.event == "outage_start" and .scope == "block" and .interface == $i and .direction == $d)
		| select(.time | secs | . > $c - 1 and . < $c + 5)
		| .block' "$ev" | sort -u | grep -c .)
	if [ "$nb" = 4 ]; then
		ok "$name: each of the 4 blocks has its outage_start on $iface $dir"
	else
		not_ok "$name: $nb of the 4 blocks have an outage_start on $iface $dir near the cut"
	fi
	e=$(event_near "$ev" outage_end "$iface" "$dir" "$back")
	if [ -z "$e" ]; then
		not_ok "$name: no outage_end of $TARGET $dir on $iface"
	else
		local end dur
		end=$(jq .at <<<"$e"); dur=$(jq .duration_s <<<"$e")
		# the first packet after the repair: the clients send every few ms
		if within "$end" "$(calc "$back - 0.02")" "$(calc "$back + 0.2")" &&
			within "$dur" "$(calc "$back - $cut - 0.05")" "$(calc "$back - $cut + $bound + 0.25")"; then
			ok "$name: outage_end $(calc "$end - $back") s after the traffic was back; $dur s long, the cut $(calc "$back - $cut") s"
		else
			not_ok "$name: outage_end at $end, the traffic back at $back; $dur s long, the cut $(calc "$back - $cut") s"
		fi
	fi

	# every packet, against the lab's own counters (which must have seen
	# traffic toward the target: zero equal to zero proves nothing)
	local i d want have sent=0
	for i in cn0 ru0; do
		sent=$((sent + $(jq ".lab_counts.$i.to" "$truth")))
	done
	[ "$sent" -gt 0 ] && ok "$name: $sent packets toward the target on cn0 and ru0 (nftables)" ||
		not_ok "$name: nftables counted no packet toward the target: the comparison below proves nothing"
	for i in cn0 ru0; do
		for d in to from; do
			want=$(jq ".lab_counts.$i.$d" "$truth")
			# the series may have rotated (on the hour) into a .gz
			have=$(zcat -f "$D"/out/series-* | awk -F, -v i="$i" -v d="$d" -v b="$TARGET" '$2 == i && $3 == "target" && $4 == b && $5 == d { s += $6 } END { print s + 0 }')
			if [ "$have" = "$want" ]; then
				ok "$name: $i $d: $have packets, as nftables counted"
			else
				not_ok "$name: $i $d: prefixwatch counted $have packets, nftables $want"
			fi
		done
	done
}

# a series that must not go out (no outage of the whole target in the fault)
no_outage() {	# SCENARIO IFACE DIR WHY
	local D=$PWLAB_DIR/$1 cut back starts n
	cut=$(jq .cut "$D/truth.json"); back=$(jq .back "$D/truth.json")
	# a jq that fails must not read as "no outage"
	if ! starts=$(jq -c --arg i "$2" --arg d "$3" --arg b "$TARGET" --argjson c "$cut" --argjson k "$back" "$SECS"'
		select(.event == "outage_start" and .interface == $i and .direction == $d and .block == $b)
		| .time | secs
		| select(. > $c - 1 and . < $k - 1)' "$D/out/events.jsonl"); then
		not_ok "$1: cannot read $D/out/events.jsonl"
		return
	fi
	n=$(grep -c . <<<"$starts")
	if [ "$n" = 0 ]; then
		ok "$1: no outage of $TARGET $3 on $2 ($4)"
	else
		not_ok "$1: $n outages of $TARGET $3 on $2 during the fault ($4)"
	fi
}

check internal_failure routing_withdrawal all to
check data_plane data_plane all from
no_outage data_plane all to "the routes stayed: the clients' packets still went out"
check path_shift path_shift cn0 to
no_outage path_shift all to "carrier-ru carried the traffic"
check attack_like attack_like all to
check vantage vantage all to

echo "lab: $pass passed, $fail failed"
[ "$fail" = 0 ]
