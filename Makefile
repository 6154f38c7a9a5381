# netcensus build. `make` builds ./netcensus; `make asan` builds
# build-asan/netcensus with AddressSanitizer + UBSan; `make test` builds the
# ASan variant and runs every test; `make check` runs only the hygiene gate
# (tests/check: banned functions, cppcheck); `make run` installs what is
# missing and starts netcensus on its embedded SQLite default.
#
# Sources are found by wildcard: a new .c file under src/ is built without
# touching this file. tests/unit/test_*.c each become one test binary linked
# against every object but main.o.

BUILD ?= build
PKGS := sqlite3 libpq libsodium libxml-2.0 jansson libcares libmicrohttpd gnutls libssh libcurl
CC ?= cc
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wcast-qual -Wno-unused-parameter
ifdef WERROR
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	-Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null) \
	$(shell net-snmp-config --netsnmp-libs 2>/dev/null) -lpthread -lm
# OpenLDAP's client (no pkg-config file on Debian 12): LDAP / AD sign-in
LDLIBS += -lldap -llber
# libcsv (static only on Debian 12, no pkg-config file): CSV import
LDLIBS += -lcsv

SRCS := $(sort $(wildcard src/*.c src/*/*.c))
# Scripts and tables in data/ embedded into the binary: data/NAME.sh becomes
# the C array embed_NAME_sh[] ('-' and '.' become '_'), NUL-terminated, with
# its length (without the NUL) in embed_NAME_sh_len; data/*.txt likewise
# (embed_NAME_txt); see scripts/embed.sh.
EMBED_SRCS := $(sort $(wildcard data/*.sh data/*.txt data/*.py))
EMBED_OBJS := $(EMBED_SRCS:data/%=$(BUILD)/embed/%.o)
# The web UI (ui/, docs/ui.md): its files and the browser libraries pinned
# by ui/package-lock.json (installed with npm ci into the build dir, never
# into ui/) become one generated table, BUILD/gen/ui_assets.c.
UI_SRCS := $(sort $(wildcard ui/*.html ui/*.css ui/*.js ui/*.svg))
UI_NPM := $(BUILD)/gen/ui-npm
UI_VENDOR := /ui/vendor/chart.umd.min.js=$(UI_NPM)/node_modules/chart.js/dist/chart.umd.min.js \
	/ui/vendor/cytoscape.min.js=$(UI_NPM)/node_modules/cytoscape/dist/cytoscape.min.js \
	/ui/vendor/leaflet.js=$(UI_NPM)/node_modules/leaflet/dist/leaflet.js \
	/ui/vendor/leaflet.css=$(UI_NPM)/node_modules/leaflet/dist/leaflet.css
OBJS := $(SRCS:%.c=$(BUILD)/%.o) $(EMBED_OBJS) $(BUILD)/gen/ui_assets.o
LIBOBJS := $(filter-out $(BUILD)/src/main.o,$(OBJS))
TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/unit/test_*.c)))

.PHONY: all asan test check run deps clean fmt fuzz fuzz-bin tests-bin

all: deps-check netcensus

netcensus: $(BUILD)/netcensus
	@if [ "$(BUILD)" = build ]; then ln -sf build/netcensus netcensus; fi

$(BUILD)/netcensus: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/embed/%.c: data/% scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh $< >$@.tmp && mv $@.tmp $@

$(BUILD)/embed/%.o: $(BUILD)/embed/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(UI_NPM)/installed: ui/package.json ui/package-lock.json
	@mkdir -p $(UI_NPM)
	cp ui/package.json ui/package-lock.json $(UI_NPM)/
	cd $(UI_NPM) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(BUILD)/gen/ui_assets.c: $(UI_SRCS) $(UI_NPM)/installed scripts/embed-ui.sh scripts/embed.sh
	scripts/embed-ui.sh $(foreach f,$(UI_SRCS),/$(f)=$(f)) $(UI_VENDOR) >$@.tmp && mv $@.tmp $@

$(BUILD)/gen/ui_assets.o: $(BUILD)/gen/ui_assets.c src/server/assets.h
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJS) tests/unit/testlib.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LIBOBJS) $(LDLIBS) -lcmocka

# Fuzz targets (tests/fuzz/README.md): tests/fuzz/fuzz_NAME.c becomes the
# test BUILD/tests/test_fuzz_NAME (the normal compiler plus replay.c: it
# feeds every file of tests/fuzz/corpus/NAME to the target, so tests/run
# replays the corpus) and, under `make fuzz`, the libFuzzer binary
# FUZZ_BUILD/fuzz/NAME. A target that includes a .c file to reach its
# static parser names that file in FUZZ_OMIT_NAME (its object is left out).
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
FUZZ_OMIT_snmp_reply := src/probe/snmp_ping
fuzz_objs = $(filter-out $(FUZZ_OMIT_$(1):%=$(BUILD)/%.o),$(LIBOBJS))

$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFUZZ_NAME='"$*"' -o $@ $< tests/fuzz/replay.c \
	  tests/fuzz/fuzz.c $(call fuzz_objs,$*) $(LDLIBS)

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.c tests/fuzz/fuzz.h $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/fuzz.c \
	  $(call fuzz_objs,$*) $(LDLIBS)

$(BUILD)/tests/test_fuzz_snmp_reply $(BUILD)/fuzz/snmp_reply: src/probe/snmp_ping.c

tests-bin: $(BUILD)/netcensus $(TESTS) $(FUZZ_REPLAYS)

fuzz-bin: $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)

ASAN_BUILD ?= build-asan
NPROC := $(shell nproc 2>/dev/null || echo 2)
asan:
	# CFLAGS through the environment: on the command line it would
	# override the CFLAGS += below and drop -Isrc and the warnings.
	CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" \
	  $(MAKE) -j$(NPROC) BUILD=$(ASAN_BUILD) WERROR=1 tests-bin

# `make fuzz`: builds every target with clang's libFuzzer (needs clang and
# libclang-rt-14-dev; `make test` needs neither) and runs each for
# FUZZ_TIME seconds, one at a time; FUZZ_TARGETS="report cron" picks some.
# New inputs go to FUZZ_BUILD/fuzz-corpus, crashes to FUZZ_BUILD/fuzz-crash.
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
fuzz:
	CFLAGS="-O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	  LDFLAGS="$(FUZZ_SAN)" \
	  $(MAKE) -j$(NPROC) CC=clang BUILD=$(FUZZ_BUILD) fuzz-bin
	tests/fuzz/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_TARGETS)

# deps-check is cheap when everything is installed (dpkg-query only).
# Building and running need the "run" set; the tests also need their peers.
DEPS_SET ?= run
deps-check:
	@scripts/install-deps.sh $(DEPS_SET)

deps: deps-check

test: DEPS_SET = test
test: deps-check asan
	@tests/run $(ASAN_BUILD)

# The hygiene gate alone (tests/check/*.sh, docs/testing.md): banned
# functions, cppcheck (skipped without it: scripts/install-deps.sh test).
# `make test` runs it too.
check:
	@st=0; for t in tests/check/*.sh; do sh "$$t" || st=1; done; exit $$st

run: all
	./netcensus serve

# `make fmt` lays out the C sources as .clang-format says;
# tests/check/format.sh (in `make check` and `make test`) checks them.
fmt:
	clang-format -i $(SRCS) $(wildcard src/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h)

clean:
	rm -rf build build-asan build-* netcensus

-include $(OBJS:.o=.d)
