#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Regenerate vmlinux/vmlinux.h from the running kernel's BTF.
set -eu
btf=${1:-/sys/kernel/btf/vmlinux}
out=$(dirname "$0")/../vmlinux/vmlinux.h
[ -r "$btf" ] || { echo "gen-vmlinux: cannot read $btf: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)" >&2; exit 1; }
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "gen-vmlinux: wrote $out from $btf (kernel $(uname -r), $(bpftool version | head -n1))"
