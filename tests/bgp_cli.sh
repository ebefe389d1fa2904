#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# End to end on the real archives of ../shared/testdata/mrt: `bgp` with
# target sets from routing (--origin-as/--rib) and from a registry
# (--country/--delegated), its --out files and errors, and `correlate`
# against BGP data given as MRT files and as a `bgp --out` directory.
#
#   tests/bgp_cli.sh BUILD_DIR [DATA_DIR]
set -u
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-$HERE/../../shared/testdata/mrt}
PW=$BUILD/prefixwatch
PASS=0 FAIL=0

if [ ! -d "$DATA" ]; then
	echo "bgp-cli: SKIP: no test archives at $DATA"
	echo "bgp-cli: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
TMP=$(mktemp -d /tmp/pw-bgpcli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: expected $2, got $3"; fi; }
ET=$DATA/bgpdump/updates.et-header.2015.gz	# AS131279 originates 175.45.176-179.0/24
UP=$DATA/bgpdump/updates.20160811.1600.gz	# 77.94.35.0/24 withdrawn 16:02:02

# targets from routing: every prefix AS131279 originates
"$PW" bgp -q --origin-as 131279 --rib "$ET" --out "$TMP/o" "$ET" 2>"$TMP/o.err"
check "bgp --origin-as: exit status" 0 "$?"
check "--origin-as 131279: the four /24s it originates are the blocks" \
	"175.45.176.0/24 175.45.177.0/24 175.45.178.0/24 175.45.179.0/24" \
	"$(tail -n +2 "$TMP/o/bgp-visibility.csv" | cut -d, -f2 | sort -u | xargs)"
check "bgp-visibility.csv: 175.45.177.0/24 seen, origin AS131279 through AS4837" "1,131279,4837" \
	"$(grep ',175.45.177.0/24,' "$TMP/o/bgp-visibility.csv" | tail -n 1 | cut -d, -f3,5 --output-delimiter=, )$(grep ',175.45.177.0/24,' "$TMP/o/bgp-visibility.csv" | tail -n 1 | cut -d, -f6 | awk '{ print "," $1 }')"

# targets from a registry file, with a damaged line
printf '2|apnic|20250601|3|19830613|20250531|+1000\napnic|*|ipv4|*|3|summary\napnic|KP|ipv4|175.45.176.0|1024|20091119|allocated\napnic|KP|ipv4|1.2.3|256|20091119|allocated\napnic|KR|ipv4|1.11.0.0|65536|20100111|allocated\n' >"$TMP/delegated"
"$PW" bgp --country KP --delegated "$TMP/delegated" "$ET" >"$TMP/c.out" 2>"$TMP/c.err"
check "bgp --country KP: exit status" 0 "$?"
check "--country KP: the four blocks of 175.45.176.0/22" 4 "$(grep -c '^175\.45\.17[6-9]\.0/24 ' "$TMP/c.out")"
grep -q "delegated:4: damaged line skipped" "$TMP/c.err" && ok "a damaged delegated line is named and skipped" ||
	not_ok "no warning for the damaged line: $(cat "$TMP/c.err")"

# errors: one line, exit 2
bad() { # bad DESC PATTERN ARGS...
	local d=$1 p=$2
	shift 2
	"$PW" "$@" >/dev/null 2>"$TMP/bad.err"
	local rc=$?
	if [ "$rc" = 2 ] && [ "$(grep -c . "$TMP/bad.err")" = 1 ] && grep -q -- "$p" "$TMP/bad.err"; then
		ok "bad input: $d ($(cat "$TMP/bad.err"))"
	else
		not_ok "bad input: $d: exit $rc: $(cat "$TMP/bad.err")"
	fi
}
bad "--origin-as of an AS that originates nothing" "AS64496 originates no prefix" bgp --origin-as 64496 --rib "$ET" "$ET"
bad "--country without --delegated" "go together" bgp --country KP "$ET"
bad "--country of no range" "no allocated or assigned range of country 'ZZ'" bgp --country ZZ --delegated "$TMP/delegated" "$ET"
bad "--country not two letters" "two-letter" bgp --country KPX --delegated "$TMP/delegated" "$ET"
bad "--rib that is not there" "cannot read --rib" bgp --origin-as 1 --rib /nonexistent "$ET"

# correlate: traffic outages against BGP data from MRT files and from bgp --out
outage() { # outage DIR BLOCK START END
	mkdir -p "$1"
	printf '{"event":"outage_start","time":"%s","interface":"eth1","block":"%s","direction":"to","scope":"block","detected":"%s","baseline_pps":50,"vantage_silent":false}\n{"event":"outage_end","time":"%s","interface":"eth1","block":"%s","direction":"to","scope":"block","detected":"%s","started":"%s","duration_s":1}\n' \
		"$3" "$2" "$3" "$4" "$2" "$4" "$3" >"$1/events.jsonl"
}
outage "$TMP/t1" 77.94.35.0/24 2016-08-11T16:02:05.000Z 2016-08-11T16:05:00.000Z
"$PW" correlate "$TMP/t1" "$UP" -t 77.94.35.0/24 --json >"$TMP/j1" 2>/dev/null
check "correlate with MRT files: the withdrawal explains the outage" routing_withdrawal \
	"$(jq -r '.incidents[0].classification' "$TMP/j1")"
check "correlate: the routes went 3 s before the traffic" 3.000 "$(jq -r '.incidents[0].bgp.lag_s' "$TMP/j1" | awk '{ printf "%.3f", $1 }')"
"$PW" bgp -q -t 77.94.35.0/24 --out "$TMP/b1" "$UP" 2>/dev/null
"$PW" correlate "$TMP/t1" "$TMP/b1" --json >"$TMP/j2" 2>/dev/null
check "correlate with a bgp --out directory: the same" routing_withdrawal "$(jq -r '.incidents[0].classification' "$TMP/j2")"
outage "$TMP/t2" 175.45.177.0/24 2015-10-23T02:01:40.000Z 2015-10-23T02:01:50.000Z
"$PW" correlate "$TMP/t2" "$ET" --json >"$TMP/j3" 2>/dev/null
check "correlate: routes up all along in the archive's time: data_plane" data_plane "$(jq -r '.incidents[0].classification' "$TMP/j3")"
outage "$TMP/t3" 175.45.177.0/24 2026-06-07T01:00:00.000Z 2026-06-07T02:00:00.000Z
"$PW" correlate "$TMP/t3" "$ET" >"$TMP/j4" 2>/dev/null
grep -q "class:      unknown" "$TMP/j4" && grep -q "does not cover this time" "$TMP/j4" &&
	ok "correlate: an archive of another year decides nothing (unknown)" || not_ok "correlate, another year: $(cat "$TMP/j4")"

echo "bgp-cli: $PASS passed, $FAIL failed, 0 skipped"
[ "$FAIL" -eq 0 ]
