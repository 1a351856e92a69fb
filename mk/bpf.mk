# ---- the kernel fast path (Linux tc-BPF), included by the Makefile ------------
# bpf/isatap.bpf.c -> $(BUILD)/bpf/isatap.bpf.o (clang -target bpf) and its
# libbpf skeleton $(BUILD)/bpf/isatap.skel.h (struct isatap_bpf), which the
# datapath embeds. The kernel's types, the adjust_room decap flags among
# them (Debian 12's linux/bpf.h is 6.1's and lacks them), come from the
# running kernel's BTF at build time: $(BUILD)/bpf/vmlinux.h.
#
# What the rest of the build gets:
#   HAVE_FASTPATH      'yes' when the fast path is built, else empty
#   FASTPATH_WHY_NOT   why not, in a few words (empty when it is)
#   FASTPATH_SKEL      the skeleton header; datapath and test objects
#                      are built after it
#   ALL_CFLAGS         -DHAVE_FASTPATH -I$(BUILD)/bpf, or
#                      -DFASTPATH_NOT_BUILT='"<why>"' (the datapath logs it)
#   PKGS_DATAPATH      + libbpf (pkg-config), for the datapath and its tests
# NO_FASTPATH=1 builds without it. Not on macOS (TARGET_OS=Darwin): no BPF.

BPF_CLANG   ?= clang
BPFTOOL     ?= bpftool
LLVM_STRIP  ?= llvm-strip
BTF_VMLINUX ?= /sys/kernel/btf/vmlinux
NO_FASTPATH ?=

BPF_DIR       := $(BUILD)/bpf
FASTPATH_OBJ  := $(BPF_DIR)/isatap.bpf.o
FASTPATH_SKEL := $(BPF_DIR)/isatap.skel.h
BPF_SRC       := bpf/isatap.bpf.c $(wildcard bpf/fp_*.h) bpf/fastpath_abi.h

# Decided once per make, after `make deps` (make check runs a fresh make).
ifeq ($(TARGET_OS),Linux)
FASTPATH_WHY_NOT := $(strip \
	$(if $(NO_FASTPATH),NO_FASTPATH set,\
	$(if $(shell command -v $(BPF_CLANG) 2>/dev/null),,$(BPF_CLANG) not installed,\
	$(if $(shell command -v $(BPFTOOL) 2>/dev/null),,$(BPFTOOL) not installed,\
	$(if $(shell $(PKG_CONFIG) --exists libbpf 2>/dev/null && echo y),,libbpf not installed (libbpf-dev),\
	$(if $(wildcard $(BTF_VMLINUX)),,no kernel BTF at $(BTF_VMLINUX)))))))
else
FASTPATH_WHY_NOT := not Linux
endif
HAVE_FASTPATH := $(if $(FASTPATH_WHY_NOT),,yes)

ifeq ($(HAVE_FASTPATH),yes)
ALL_CFLAGS    += -DHAVE_FASTPATH -I$(BPF_DIR)
PKGS_DATAPATH += libbpf

BPF_CFLAGS := -target bpf -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I$(BPF_DIR) -I. -Ibpf

# A kernel before 6.3 (Debian 12's own) has no BPF_F_ADJ_ROOM_DECAP_L3_IPV6
# in its BTF: bpf/fp_kern.h then defines it (uapi, a fixed number), and the
# running kernel is asked at load whether it takes it.
BPF_DECAP_FLAG = $(shell grep -qw BPF_F_ADJ_ROOM_DECAP_L3_IPV6 $(BPF_DIR)/vmlinux.h || \
	echo -DFP_VMLINUX_NO_DECAP_L3)

# What bpftool prints is the whole kernel's type set: generated, never
# edited, never committed.
$(BPF_DIR)/vmlinux.h:
	$(call msg,BTF,$@)
	@mkdir -p $(dir $@)
	$(Q)$(BPFTOOL) btf dump file $(BTF_VMLINUX) format c >$@.tmp && mv $@.tmp $@

# The counter slots and verdict numbers, from proto/ itself (bpf/fp_slots.c
# says why a host program writes them).
$(BPF_DIR)/fp_slots.h: bpf/fp_slots.c proto/counters.h proto/decap.h proto/nexthop.h \
		proto/ecn.h proto/isatap.h
	$(call msg,GEN,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -Iproto -o $(BPF_DIR)/fp_slots bpf/fp_slots.c
	$(Q)$(BPF_DIR)/fp_slots >$@.tmp && mv $@.tmp $@

$(FASTPATH_OBJ): $(BPF_SRC) $(BPF_DIR)/vmlinux.h $(BPF_DIR)/fp_slots.h
	$(call msg,BPFCC,$@)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) $(BPF_DECAP_FLAG) -c -o $@ bpf/isatap.bpf.c
	$(Q)if command -v $(LLVM_STRIP) >/dev/null 2>&1; then $(LLVM_STRIP) -g $@; fi

$(FASTPATH_SKEL): $(FASTPATH_OBJ)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name isatap_bpf >$@.tmp && mv $@.tmp $@

# Whatever may include the skeleton is compiled after it (-MMD then keeps
# the real dependency).
$(call obj,$(DATAPATH_SRC) datapath/main.c $(wildcard tests/unit/test_dp_*.c) $(TESTLIB_SRC)): | $(FASTPATH_SKEL)
all: $(FASTPATH_SKEL)
else
ALL_CFLAGS += $(if $(filter Linux,$(TARGET_OS)),-DFASTPATH_NOT_BUILT='"$(FASTPATH_WHY_NOT)"')
endif

.PHONY: fastpath
fastpath: $(if $(HAVE_FASTPATH),$(FASTPATH_SKEL))
	@$(if $(HAVE_FASTPATH),true,echo "fast path not built: $(FASTPATH_WHY_NOT)")
