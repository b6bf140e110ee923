# build.mk: compiling. Every object of the project is built by one rule, with
# one short line ("  CC lib/idx.c"); V=1 prints the commands in full.

V ?= 0
Q := $(if $(filter 1,$(V)),,@)
say = $(if $(filter 1,$(V)),,@printf '  %-7s %s\n' '$(1)' '$(2)')
# $(call timed,LABEL)COMMAND: COMMAND, timed under LABEL when BUILD_TIMES names
# a file (make book sets it, and reports where its time went: tools/timed.sh);
# otherwise COMMAND alone.
timed = $(if $(BUILD_TIMES),bash tools/timed.sh '$(1)' )

# ---------------------------------------------------------------------------
# Compiling

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral
DEFS    := -D_POSIX_C_SOURCE=200809L
INCS    := -Ilib -Itests $(addprefix -I,$(CH_DIRS))
PKGS    := zlib yaml-0.1 check
ifeq ($(BLAS),none)
DEFS    += -DWB_NO_BLAS
else ifeq ($(BLAS),openblas)
PKGS    += openblas
else
$(error BLAS=$(BLAS): use BLAS=openblas (the default) or BLAS=none)
endif
ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# pkg-config is asked once per make, and only when something is compiled.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)

ALL_CFLAGS = $(WARN) $(CFLAGS) $(DEFS) $(INCS) $(PKG_CFLAGS)
LINK       = $(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(call timed,compile)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# A student's file is compiled with the warnings shown, not made errors: a
# warning is for fixing, and never stops a run or costs a grade (tools/grade/grade.sh
# compiles submissions the same way; WERROR=1 there makes them fatal).
$(OBJ)/exercises/%.o: WARN := $(filter-out -Werror,$(WARN))

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

# The fast path's kernels (lib/speed/fast.c, rates.c) are compiled once for
# each kind of x86-64 processor, each copy with vectors as wide as its
# registers, and lib/speed/isa.c calls the one this processor runs (see
# lib/speed/vec.h); off x86-64, once, for the compiler's own target.
SPEED_COPIED := lib/speed/fast.c lib/speed/rates.c
ifneq ($(filter x86_64%,$(shell $(CC) -dumpmachine 2>/dev/null)),)
SPEED_ISAS   := v4 v3 v1
SPEED_MARCH_v4 := -march=x86-64-v4
SPEED_MARCH_v3 := -march=x86-64-v3
SPEED_MARCH_v1 := -march=x86-64
$(OBJ)/lib/speed/isa.o: DEFS += -DWB_SPEED_X86
else
SPEED_ISAS   := native
endif
define speed_copy
$(OBJ)/lib/speed/%.$(1).o: lib/speed/%.c
	@mkdir -p $$(@D)
	$$(call say,CC,$$< ($(1)))
	$$(Q)$$(call timed,compile)$$(CC) $$(ALL_CFLAGS) $$(SPEED_MARCH_$(1)) -DWB_ISA=$(1) -MMD -MP -c $$< -o $$@
endef
$(foreach i,$(SPEED_ISAS),$(eval $(call speed_copy,$(i))))
SPEED_OBJ := $(foreach i,$(SPEED_ISAS),$(patsubst %.c,$(OBJ)/%.$(i).o,$(SPEED_COPIED)))

LIB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(filter-out $(SPEED_COPIED),$(wildcard lib/*.c lib/speed/*.c))) \
           $(SPEED_OBJ)
$(LIBA): $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(call timed,compile)ar rcs $@ $^
