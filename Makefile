# patrol - one non-recursive Makefile.
#   make            build ./patrol
#   make test       install missing packages, build, run the TAP suite under prove
#   make asan       the same suite against an ASan + UBSan build
#   make fuzz       each libFuzzer target (tests/fuzz/fuzz-*.c) for FUZZ_SECONDS (clang)
#   make demo       crawl the bundled sample site into the embedded database
#   make bench      benchmarks side by side with peers
#   make deps       install only the missing Debian packages
#   V=1             show full commands

VARIANT ?= release
BUILD   := build/$(VARIANT)
CC      ?= cc
PKGS    := libcurl libxml-2.0 libhs lua5.4 libpq libutf8proc uchardet zlib libidn2 libpsl libcrypto libmicrohttpd libsodium libpcre2-8
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))

CFLAGS_release := -O2 -g
CFLAGS_asan    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_asan   := -fsanitize=address,undefined
CFLAGS_fuzz    := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
LDFLAGS_fuzz   := -fsanitize=address,undefined

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS += -I. -D_GNU_SOURCE -MMD -MP
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS_$(VARIANT)) $(PKG_CFLAGS) -pthread $(CFLAGS)
ALL_LDFLAGS = $(LDFLAGS_$(VARIANT)) -pthread $(LDFLAGS)
LIBS    = $(PKG_LIBS) -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC  := $(wildcard util/*.c crawler/*.c classifiers/*.c store/*.c pipeline/*.c console/*.c)
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/unit/t-*.c)

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema.o $(BUILD)/gen/assets.o
ASSETS   := $(sort $(wildcard console/static/*))
SCHEMA   := $(sort $(wildcard schema/[0-9]*.sql))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBA     := $(BUILD)/libpatrol.a

.PHONY: all test asan demo bench deps clean FORCE check-prove unit lint fuzz fuzz-build

all: patrol $(TEST_BIN)

patrol: $(BUILD)/patrol FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }

$(BUILD)/patrol: $(CLI_OBJ) $(LIBA)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LIBS)

$(LIBA): $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/gen/schema.c: $(SCHEMA) schema scripts/embed-schema.sh
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)sh scripts/embed-schema.sh $@ $(SCHEMA)

$(BUILD)/gen/assets.c: $(ASSETS) scripts/embed-assets.sh
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)sh scripts/embed-assets.sh $@ $(ASSETS)

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/schema.o: $(BUILD)/gen/schema.c
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/t-%: $(BUILD)/tests/unit/t-%.o $(LIBA)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

deps:
	@sh scripts/deps.sh

# prove runs the C unit tests (executables) and the integration scripts (*.t).
PROVE ?= prove
PROVE_FLAGS ?= -f
test: deps
	@$(MAKE) --no-print-directory all
	PATROL_BIN=$(CURDIR)/patrol PATROL_SRC=$(CURDIR) PATROL_VARIANT=$(VARIANT) \
	PATROL_TEST_CACHE=$(CURDIR)/$(BUILD)/test-cache $(PROVE) $(PROVE_FLAGS) $(TEST_BIN) tests/*.t

unit: all
	$(PROVE) $(PROVE_FLAGS) $(TEST_BIN)

asan: deps
	@$(MAKE) --no-print-directory VARIANT=asan test

# libFuzzer: every tests/fuzz/fuzz-NAME.c runs FUZZ_SECONDS on a corpus seeded
# from tests/fuzz/NAME/ (kept in build/fuzz/corpus/NAME); a crash stops the run
# and leaves its input in build/fuzz/artifacts/ (make it a regression test).
FUZZ_SECONDS ?= 60
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/fuzz/%)

fuzz:
	@$(MAKE) --no-print-directory VARIANT=fuzz CC=clang fuzz-build
	@mkdir -p build/fuzz/artifacts
	@set -e; for b in $(FUZZ_BIN); do \
		n=$${b##*/fuzz-}; mkdir -p build/fuzz/corpus/$$n; \
		echo "  FUZZ    $$n ($(FUZZ_SECONDS) s)"; \
		$$b -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
			-artifact_prefix=build/fuzz/artifacts/$$n- build/fuzz/corpus/$$n tests/fuzz/$$n \
			2>build/fuzz/$$n.log || { tail -40 build/fuzz/$$n.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' build/fuzz/$$n.log | sed "s/^/        $$n /"; \
	done

fuzz-build: $(FUZZ_BIN)

build/fuzz/fuzz/fuzz-%: $(BUILD)/tests/fuzz/fuzz-%.o $(LIBA)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIBA) $(LIBS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/crawl.sh
	@bash bench/detect
	@bash bench/scan

lint:
	cppcheck --quiet --enable=warning,performance,portability --inline-suppr -I. --error-exitcode=1 util crawler classifiers store pipeline console cli

clean:
	rm -rf build patrol

FORCE:

.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_BIN:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d)
-include $(FUZZ_SRC:%.c=$(BUILD)/%.d)
