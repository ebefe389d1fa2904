# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The only build entry point: make, make test, make run.

BUILD	?= build
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
IFACE	?= $(shell ip -o route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($$i == "dev") { print $$(i + 1); exit }}')
ARGS	?=
VERSION	:= $(shell git describe --always --dirty 2>/dev/null || echo dev)

ARCH	:= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')

CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
	   -I$(BUILD) -Ibpf -Iuser -DPW_VERSION='"$(VERSION)"' \
	   -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
# a hardened binary: position independent, full RELRO
LDFLAGS	+= -pie -Wl,-z,relro,-z,now
LDLIBS	+= -lbpf -lelf -lz -lbz2 -lpcap -lm
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

.DELETE_ON_ERROR:
# keep the generated objects and skeletons between builds
.SECONDARY:
.PHONY: all test unit-test bpf-test e2e-test lab-test run demo clean deps fuzz fuzz-seeds bench

USER_SRCS := $(wildcard user/*.c)
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(wildcard bpf/*.bpf.c))
SKELS     := $(BUILD)/prefixwatch.skel.h
TESTS     := $(BUILD)/tests/test_targets $(BUILD)/tests/test_mrt $(BUILD)/tests/test_bgpvis $(BUILD)/tests/test_correlate $(BUILD)/tests/test_detector $(BUILD)/tests/test_series $(BUILD)/tests/test_export $(BUILD)/tests/test_bpf $(BUILD)/tests/test_replay
HELPERS   := $(BUILD)/tests/pwsend $(BUILD)/tests/pcapaddrs $(BUILD)/tests/labhost

all: $(BUILD)/prefixwatch

# Check the toolchain on every build (quick when all is there): install what is
# missing (as root) or say what is.
deps:
	$(Q)scripts/install-deps.sh
	$(Q)$(BPFTOOL) gen help 2>&1 | grep -q skeleton || \
		{ echo "prefixwatch: '$(BPFTOOL)' cannot generate skeletons (need bpftool 5.6 or later)" >&2; exit 1; }
	$(Q)pkg-config --exists libbpf cmocka libelf zlib libpcap || \
		{ echo "prefixwatch: pkg-config cannot find libbpf, cmocka, libelf, zlib or libpcap" >&2; exit 1; }

$(BUILD)/%.bpf.tmp.o: bpf/%.bpf.c bpf/prefixwatch.h bpf/count.bpf.h vmlinux/vmlinux.h | deps
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: $(BUILD)/%.bpf.tmp.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/user/%.o: user/%.c $(wildcard user/*.h) bpf/prefixwatch.h bpf/count.bpf.h $(SKELS) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/prefixwatch: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/pwsend: tests/pwsend.c tests/frames.h | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests $< -o $@

$(BUILD)/tests/labhost: tests/labhost.c | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $< -lm -o $@

$(BUILD)/tests/xdpgen: tests/xdpgen.c tests/frames.h $(BUILD)/gen.bpf.o | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Itests $< -lbpf -lelf -lz -o $@

$(BUILD)/tests/pcapaddrs: tests/pcapaddrs.c | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -lpcap -o $@

$(BUILD)/tests/%: tests/%.c $(LIB_OBJS) $(wildcard tests/*.h) $(BPF_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Itests -DBUILD_DIR='"$(abspath $(BUILD))"' $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

# The unit and BPF tests once more, built with ASan (and LeakSanitizer) and
# UBSan: make test runs both builds.
ASAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	      -std=gnu11 -I$(BUILD) -Ibpf -Iuser -DPW_VERSION='"$(VERSION)"'
ASAN_OBJS  := $(patsubst user/%.c,$(BUILD)/asan/user/%.o,$(filter-out user/main.c,$(USER_SRCS)))
ASAN_TESTS := $(patsubst $(BUILD)/tests/%,$(BUILD)/asan/tests/%,$(TESTS))

$(BUILD)/asan/user/%.o: user/%.c $(wildcard user/*.h) bpf/prefixwatch.h bpf/count.bpf.h $(SKELS) | deps
	$(call msg,ASAN-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_FLAGS) -c $< -o $@

$(BUILD)/asan/tests/%: tests/%.c $(ASAN_OBJS) $(wildcard tests/*.h) $(BPF_OBJS)
	$(call msg,ASAN-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_FLAGS) -Itests -DBUILD_DIR='"$(abspath $(BUILD))"' $< $(ASAN_OBJS) $(LDLIBS) -lcmocka -o $@

# Fuzz targets: libFuzzer with ASan and UBSan, each over its seed corpus in
# make test, for FUZZ_TIME seconds each in make fuzz.
FUZZERS   := $(BUILD)/fuzz/fuzz_mrt $(BUILD)/fuzz/fuzz_bgp $(BUILD)/fuzz/fuzz_targets $(BUILD)/fuzz/fuzz_capture \
	     $(BUILD)/fuzz/fuzz_count
FUZZ_SRCS := user/mrt.c user/mrt_dump.c user/bgpmsg.c user/log.c user/targets.c user/capture.c \
	     user/usercount.c user/dirtable.c
# seeds: tests/fuzz/seeds (MRT and BGP records), seeds-targets (text), seeds-capture (pcap, pcapng),
# seeds-count (frames)
FUZZ_TIME ?= 60
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Ibpf -Iuser

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS) $(wildcard user/*.h) bpf/count.bpf.h | deps
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $< $(FUZZ_SRCS) -lz -lbz2 -lbpf -lpcap -o $@

fuzz: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		s=tests/fuzz/seeds; [ $$n = fuzz_mrt ] || [ $$n = fuzz_bgp ] || s=tests/fuzz/seeds-$${n#fuzz_}; \
		$$f -max_total_time=$(FUZZ_TIME) -timeout=5 $(BUILD)/fuzz/corpus-$$n $$s || exit 1; \
	done

# Rewrite the seed corpus from the records the MRT unit tests build.
fuzz-seeds: $(BUILD)/tests/test_mrt
	$(Q)rm -f tests/fuzz/seeds/seed-*; mkdir -p tests/fuzz/seeds
	$(Q)PW_MRT_SEEDS=tests/fuzz/seeds $< >/dev/null 2>&1

# The README's test command: unit tests, BPF tests, end-to-end tests.
test: $(BUILD)/prefixwatch $(TESTS) $(ASAN_TESTS) $(HELPERS) $(FUZZERS)
	$(Q)status=0; \
	for t in $(TESTS); do $$t || status=1; done; \
	echo "== the same tests under ASan and UBSan"; \
	for t in $(ASAN_TESTS); do $$t || status=1; done; \
	for f in $(FUZZERS); do \
		n=$$(basename $$f); s=tests/fuzz/seeds; [ $$n = fuzz_mrt ] || [ $$n = fuzz_bgp ] || s=tests/fuzz/seeds-$${n#fuzz_}; \
		mkdir -p $(BUILD)/fuzz/new-$$n; \
		$$f -runs=20000 -timeout=5 $(BUILD)/fuzz/new-$$n $$s 2>$(BUILD)/fuzz/$$(basename $$f).log && \
		echo "fuzz: $$(basename $$f): $$(grep -o 'Done [0-9]* runs' $(BUILD)/fuzz/$$(basename $$f).log) over the seed corpus, no crash" || \
		{ status=1; echo "fuzz: $$(basename $$f) FAILED:"; tail -30 $(BUILD)/fuzz/$$(basename $$f).log; }; \
	done; \
	tests/cli_bad.sh $(BUILD) || status=1; \
	tests/replay_diff.sh $(BUILD) || status=1; \
	tests/bgp_diff.sh $(BUILD) || status=1; \
	tests/bgp_cli.sh $(BUILD) || status=1; \
	tests/e2e.sh $(BUILD) || status=1; \
	tests/lab_test.sh $(BUILD) || status=1; \
	exit $$status

unit-test: $(BUILD)/tests/test_targets
	$(Q)$<

bpf-test: $(BUILD)/tests/test_bpf
	$(Q)$<

e2e-test: $(BUILD)/prefixwatch $(HELPERS)
	$(Q)tests/e2e.sh $(BUILD)

lab-test: $(BUILD)/prefixwatch $(HELPERS)
	$(Q)tests/lab_test.sh $(BUILD)

# The lab (network namespaces, BIRD, real traffic) re-enacting the blackout of
# 7 June 2025, with the live table, then the correlated timeline.
demo: $(BUILD)/prefixwatch $(BUILD)/tests/labhost
	$(Q)PWLAB_BUILD=$(BUILD) PWLAB_DIR=$(BUILD)/lab scripts/lab.sh demo

# Benchmarks, measured side by side in one run: see README, Benchmarks.
bench: $(BUILD)/prefixwatch $(BUILD)/tests/bench_prog $(BUILD)/tests/xdpgen $(HELPERS)
	$(Q)scripts/install-deps.sh --bench
	$(Q)scripts/bench.sh $(BUILD)

# make run IFACE=eth1 ARGS='-t 10.0.0.0/8'
run: $(BUILD)/prefixwatch
	@[ -n "$(IFACE)" ] || { echo "make run: no default route to take the interface from; use make run IFACE=NAME" >&2; exit 2; }
	$(BUILD)/prefixwatch run -i $(IFACE) $(ARGS)

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
