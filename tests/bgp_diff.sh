#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Differential test of `prefixwatch bgp --dump` against Debian's `bgpdump -m`
# on the real archives in ../shared/testdata/mrt. With the whole address space
# as targets every route is printed, and the lines must be the same, except
# for the archives in bgp_diff_known.tsv, where one of the two is documented
# to be wrong (or the type is not read).
#
#   tests/bgp_diff.sh BUILD_DIR [DATA_DIR]
set -u
BUILD=$(cd "${1:-build}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${2:-$HERE/../../shared/testdata/mrt}
KNOWN=$HERE/bgp_diff_known.tsv

if [ ! -d "$DATA" ]; then
	echo "bgp-diff: SKIP: no test archives at $DATA"
	echo "bgp-diff: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! command -v bgpdump >/dev/null; then
	echo "bgp-diff: SKIP: bgpdump is not installed (scripts/install-deps.sh installs it)"
	echo "bgp-diff: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
TMP=$(mktemp -d /tmp/pw-bgpdiff.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0 known=0
while IFS= read -r f; do
	rel=${f#"$DATA"/}
	"$BUILD/prefixwatch" bgp -t 0.0.0.0/0 -t ::/0 --block-len4 8 --block-len6 8 --dump -q "$f" \
		>"$TMP/ours" 2>/dev/null
	bgpdump -m "$f" >"$TMP/theirs" 2>/dev/null
	n=$(diff "$TMP/ours" "$TMP/theirs" | grep -c '^[<>]')
	lines=$(wc -l <"$TMP/theirs")
	if [ "$n" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok   - $rel ($lines lines)"
	elif grep -q "^$rel	" "$KNOWN"; then
		known=$((known + 1))
		echo "known - $rel: $n lines differ ($(grep "^$rel	" "$KNOWN" | cut -f2))"
	else
		fail=$((fail + 1))
		echo "FAIL - $rel: $n of $lines lines differ, first:"
		diff "$TMP/ours" "$TMP/theirs" | grep '^[<>]' | head -n 4
	fi
done < <(find "$DATA" -type f ! -name '*.md' ! -name '*.txt' ! -name '*.tsv' | sort)
echo "bgp-diff: $((pass + known)) passed, $fail failed, 0 skipped ($known as documented in tests/bgp_diff_known.tsv)"
[ "$fail" -eq 0 ]
