#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Every option of every command with a bad value, and bad input files: each
# must give exactly one line on stderr naming the option or file and what is
# wrong, and exit status 2, before anything is attached or read. Needs no
# privilege (all of it is refused before prefixwatch touches the kernel).
# Usage: tests/cli_bad.sh BUILD_DIR
set -u

PW=$(realpath "${1:-build}")/prefixwatch
T=$(mktemp -d /tmp/pw-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
printf '175.45.176.0/22\n# fine so far\nfoo bar\n' >garbage.txt
printf '10.0.0.0/8\n10.1.0.0/16\n' >overlap.txt
touch afile
mkdir adir emptydir
touch adir/events.jsonl # a traffic directory, as far as correlate checks first
pass=0 fail=0

# case PATTERN ARGS...: the one line must contain PATTERN
case_() {
	local pat=$1
	shift
	# in a network namespace of its own, for at most 10 s: a bad value
	# that slipped through must not attach to this host's interfaces, or
	# hang the run
	if [ "$(id -u)" = 0 ]; then
		timeout 10 unshare -n "$PW" "$@" >out 2>err </dev/null
	else
		timeout 10 "$PW" "$@" >out 2>err </dev/null
	fi
	local rc=$? n
	n=$(grep -c . err)
	if [ "$rc" = 2 ] && [ "$n" = 1 ] && grep -qF -- "$pat" err; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok - prefixwatch $*: exit $rc, $n lines (want 2, 1 line with \"$pat\"): $(head -3 err)"
	fi
}

# options shared by run, replay and bgp (the targets) and by run and replay (the series)
for cmd in "run -i lo" "replay afile" "bgp afile" "correlate adir"; do
	case_ "invalid target '300.1.1.1'" $cmd -t 300.1.1.1
	case_ "did you mean 175.45.176.0/22" $cmd -t 175.45.176.1/22
	case_ "invalid target 'x.y'" $cmd -t x.y
	case_ "overlap" $cmd -t 10.0.0.0/8 -t 10.1.0.0/16
	case_ "garbage.txt:3: invalid target 'foo bar'" $cmd --targets-file garbage.txt
	case_ "overlap" $cmd --targets-file overlap.txt
	case_ "cannot open targets file" $cmd --targets-file nonexistent
	case_ "'33' for --block-len4" $cmd --block-len4 33
	case_ "'0' for --block-len6" $cmd --block-len6 0
	case_ "'x' for --max-blocks" $cmd --max-blocks x
	case_ "more than the limit of 16" $cmd -t 10.0.0.0/8 --max-blocks 16
	case_ "--country and --delegated go together" $cmd --country KP
	case_ "'K' for --country" $cmd --country K --delegated afile
	case_ "cannot open delegated file 'nonexistent'" $cmd --country KP --delegated nonexistent
	case_ "'x' for --origin-as" $cmd --origin-as x
	case_ "--origin-as and --rib go together" $cmd --origin-as 131279
	case_ "cannot read --rib 'nonexistent'" $cmd --origin-as 131279 --rib nonexistent
	case_ "unknown option '--frobnicate'" $cmd --frobnicate
	case_ "option '--target' needs a value" $cmd --target
done
for cmd in "run -i lo" "replay afile"; do
	case_ "'0' for --interval" $cmd --interval 0
	case_ "'abc' for --interval" $cmd --interval abc
	case_ "'1e9x' for --baseline" $cmd --baseline 1e9x
	case_ "'1' for --false-alarm: must be a probability" $cmd --false-alarm 1
	case_ "'0' for --false-alarm" $cmd --false-alarm 0
	case_ "'-1' for --min-packets" $cmd --min-packets -1
	case_ "'2' for --drop-ratio: must be a ratio" $cmd --drop-ratio 2
	case_ "'x' for --drop-hold" $cmd --drop-hold x
	case_ "'0' for --rotate" $cmd --rotate 0
	case_ "'some' for --csv-rows: must be active or all" $cmd --csv-rows some
	case_ "option '--csv-rows' needs a value" $cmd --csv-rows
	case_ "--out 'afile' exists and is not a directory" $cmd --out afile
done
# run
case_ "no interface given" run
case_ "no interface 'nope0'" run -i nope0
case_ "'fast' for --mode" run -i lo -m fast
case_ "'-1' for --duration" run -i lo --duration -1
case_ "no user 'nosuchuser' for --user" run -i lo --user nosuchuser
case_ "unexpected argument 'extra'" run -i lo extra
case_ "option '-i' needs a value" run -i
case_ "--wait-for-interface cannot go with --user" run -i lo --wait-for-interface --user root
# replay, bgp, correlate: their input files
case_ "no capture file given" replay
case_ "cannot read capture 'nonexistent'" replay nonexistent
case_ "cannot read capture 'adir': Is a directory" replay adir
case_ "no MRT file given" bgp
case_ "cannot read MRT file 'nonexistent'" bgp nonexistent
case_ "'2' for --visibility-ratio: must be a ratio" bgp afile --visibility-ratio 2
case_ "'0' for --interval" bgp afile --interval 0
case_ "no traffic directory given" correlate
case_ "traffic directory 'afile' is not a directory" correlate afile
case_ "traffic directory 'emptydir' has no readable events.jsonl" correlate emptydir
case_ "cannot read MRT file 'nonexistent'" correlate adir nonexistent
case_ "'0' for --window" correlate adir --window 0
case_ "'1' for --surge: must be a factor" correlate adir --surge 1
case_ "'0' for --before" correlate adir --before 0
case_ "'x' for --baseline" correlate adir --baseline x
# stats, detach, the command itself
case_ "name interfaces with -i" detach
case_ "unknown option '--frobnicate'" stats --frobnicate
case_ "unknown command 'nosuch'" nosuch

echo "cli: $pass bad inputs refused with one line and exit 2, $fail failed"
[ "$fail" = 0 ]
