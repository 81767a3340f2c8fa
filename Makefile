# gess — build, run, test and benchmark the congress backend.
# `make run` and `make test` are the two commands a newcomer needs.

CC       ?= cc
SANITIZE ?= 0
PYTHON   ?= /usr/bin/python3

# The browser tests (tests/web): Debian's chromium, driven by playwright-core
# from npm (package-lock.json), and a font for its screenshots. Installed with
# the rest when root; without root, missing ones are only reported, and
# pytest skips tests/web saying why.
DEB_PKGS_WEB := chromium fonts-liberation zbar-tools
# Debian packages the build, the tests and the benchmarks need.
DEB_PKGS := build-essential pkg-config libevent-dev libpq-dev libsodium-dev \
            libjansson-dev libzxcvbn-dev libical-dev postgresql-15 postgresql-contrib \
            python3-pytest python3-requests python3-psycopg2 python3-icalendar \
            python3-jsonschema python3-feedparser wrk clang libclang-rt-dev clang-format \
            libcurl4-openssl-dev python3-aiosmtpd libcmark-dev libqrencode-dev \
            zlib1g-dev $(DEB_PKGS_WEB)
# clang builds the fuzz targets (tests/fuzz); libclang-rt-dev (unversioned,
# so it follows the default clang) holds the libFuzzer and sanitizer
# runtimes that -fsanitize=fuzzer links, and clang only Recommends it, so an
# install without recommends lacks it. clang-format (14 on bookworm) checks
# the layout (make format-check); other versions can lay code out
# differently, so the check holds for the version Debian ships.
# Commands checked by name rather than by Debian package, since Node often
# comes from elsewhere (nodesource, nvm, an image); when one is missing,
# Debian's package of that name is the fallback (`make test` lints the
# OpenAPI document with Redocly CLI, which needs Node >= 18 and npm).
DEB_CMDS := node:nodejs npm:npm

# BUILD_ROOT lets two builds share a checkout (e.g. make BUILD_ROOT=build/alt).
BUILD_ROOT ?= build
ifeq ($(SANITIZE),1)
BUILD    := $(BUILD_ROOT)/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      := -O1 -g
else
BUILD    := $(BUILD_ROOT)
SANFLAGS :=
OPT      := -O2 -g
endif

PKGS     := libevent libevent_pthreads libpq libsodium jansson libical libcurl libcmark \
            libqrencode zlib
# Debian's libzxcvbn-dev ships no .pc file; fall back to plain -lzxcvbn.
ZX_LIBS  := $(shell pkg-config --libs zxcvbn 2>/dev/null || echo -lzxcvbn)
CFLAGS   := -std=c11 -D_POSIX_C_SOURCE=200809L $(OPT) -Wall -Wextra -Werror \
            -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wvla \
            -Iservices $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SANFLAGS)
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(ZX_LIBS) -lpthread -lm
LDFLAGS  := $(SANFLAGS)

# Everything under services/ except main() forms a library shared by gessd
# and the C unit tests, so the tests exercise the very objects gessd runs.
LIB_SRC  := $(filter-out services/gessd.c,$(shell find services -name '*.c' | sort))
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/embedded.o
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRC))
# schema/migrations/NNNN_*.sql run once each, schema/functions/*.sql are
# reloaded by every `gessd migrate` (both in name order, which is the order
# they run in); services/demo/*.sql: the demo data (`gessd demo`);
# web/mail/*: the mail templates (services/mail/render.c), compiled at start;
# web/pages/*: the page templates and strings (services/core/page.c), compiled
# at start; web/assets/*: the CSS and JS joined into /assets/ (core/assets.c).
EMBED    := $(sort $(wildcard schema/migrations/*.sql)) $(sort $(wildcard schema/functions/*.sql)) \
            services/openapi.json $(sort $(wildcard services/demo/*.sql)) \
            $(sort $(wildcard web/mail/*)) $(sort $(wildcard web/pages/*)) \
            $(sort $(wildcard web/assets/*))

# The fuzz targets (tests/fuzz, libFuzzer) link the same sources as gessd,
# compiled apart by clang with coverage and sanitizers into build/fuzz.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := $(BUILD_ROOT)/fuzz
FUZZ_NAMES   := json router accept query head ics decoders form tmpl cookie gzip
FUZZ_BINS    := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_NAMES)) $(FUZZ_BUILD)/selftest_broken
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(filter-out -O2 $(SANFLAGS),$(CFLAGS)) -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIB_SRC)) $(FUZZ_BUILD)/embedded.o

.PHONY: all deps run test test-web unit lint bench clean fuzz fuzz-build format format-check
all: $(BUILD)/gessd

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# Migrations and the OpenAPI document are compiled in (DESIGN.md §3), so
# build/gessd runs from any directory.
# The list of embedded files is a prerequisite too, so that removing or
# renaming a schema file (no newer file) re-embeds as well.
EMBED_LIST := $(BUILD)/embed.list
$(shell mkdir -p $(BUILD) && echo '$(EMBED)' | cmp -s - $(EMBED_LIST) || echo '$(EMBED)' > $(EMBED_LIST))
$(BUILD)/embedded.c: tools/embed.sh $(EMBED) $(EMBED_LIST)
	@mkdir -p $(dir $@)
	sh tools/embed.sh $(EMBED) > $@
$(BUILD)/embedded.o: $(BUILD)/embedded.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/gessd: $(BUILD)/services/gessd.o $(LIB_OBJ)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/unit_tests: $(UNIT_OBJ) $(LIB_OBJ)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Installs what is missing when root; otherwise prints the one line to run.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done; \
	  for c in $(DEB_CMDS); do command -v $${c%%:*} >/dev/null 2>&1 || echo $${c#*:}; done); \
	missing=$$(echo $$missing); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing: $$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null \
	    || { echo "apt-get install failed"; exit 1; }; \
	else \
	  web=""; need=""; \
	  for p in $$missing; do case " $(DEB_PKGS_WEB) " in *" $$p "*) web="$$web $$p";; *) need="$$need $$p";; esac; done; \
	  if [ -n "$$web" ]; then echo "tests/web will be skipped without:$$web (sudo apt-get install -y$$web)"; fi; \
	  if [ -n "$$need" ]; then echo "missing packages; run:"; echo "  sudo apt-get install -y$$need"; exit 1; fi; \
	fi

run: deps
	@$(MAKE) --no-print-directory all
	@sh tools/run.sh $(BUILD)/gessd

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

# Redocly CLI, playwright-core and axe-core as package-lock.json pins them: installed when node_modules is
# missing or older than the lock (npm ci writes node_modules/.package-lock.json),
# quietly: only npm's errors are shown.
# playwright-core downloads no browser (tests/web use Debian's chromium); the
# variable says so to any package that would.
node_modules/.package-lock.json: package.json package-lock.json
	@PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --loglevel=error --no-audit --no-fund --no-progress >/dev/null
	@touch $@

# The OpenAPI document: zero errors and zero warnings (redocly.yaml).
lint: node_modules/.package-lock.json
	@sh tools/lint-openapi.sh

test: deps
	@$(MAKE) --no-print-directory $(BUILD)/gessd $(BUILD)/unit_tests node_modules/.package-lock.json \
	  fuzz-build
	@$(MAKE) --no-print-directory format-check
	$(BUILD)/unit_tests
	@sh tools/fuzz.sh $(FUZZ_BUILD) 3 $(FUZZ_NAMES)
	@sh tools/lint-openapi.sh
	GESSD=$(abspath $(BUILD)/gessd) $(PYTHON) -m pytest -q -p no:cacheprovider tests/api
	@$(MAKE) --no-print-directory test-web

# The pages in a real browser (tests/web, issue 18): their own cluster, gessd
# with the demo data and notify; screenshots into build/screenshots/.
test-web: $(BUILD)/gessd node_modules/.package-lock.json
	GESSD=$(abspath $(BUILD)/gessd) $(PYTHON) -m pytest -q -p no:cacheprovider tests/web

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/ping $(BUILD)/pwhash_ceiling $(BUILD)/slowloris \
	  $(BUILD)/smtp_ceiling $(BUILD)/hook_sink $(BUILD)/hook_ceiling
	@sh tests/load/bench.sh $(BUILD)

$(BUILD)/ping: tests/load/ping.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(BUILD)/pwhash_ceiling: tests/load/pwhash_ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(BUILD)/smtp_ceiling: tests/load/smtp_ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(BUILD)/hook_sink: tests/load/hook_sink.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(BUILD)/hook_ceiling: tests/load/hook_ceiling.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(BUILD)/slowloris: tests/load/slowloris.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< -o $@

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
# Its own embedded.c: $(BUILD) is build/ or build/san/ as SANITIZE says, and
# the fuzz build must not be rebuilt (or go stale) when that flips.
$(FUZZ_BUILD)/embedded.c: tools/embed.sh $(EMBED)
	@mkdir -p $(dir $@)
	sh tools/embed.sh $(EMBED) > $@
$(FUZZ_BUILD)/embedded.o: $(FUZZ_BUILD)/embedded.c
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
# An archive, so each target links only the objects it reaches.
$(FUZZ_BUILD)/libgess.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^
$(FUZZ_BINS): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/tests/fuzz/%.o $(FUZZ_BUILD)/libgess.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)

# Each target for FUZZ_SECONDS on its seed corpus; fails on any finding.
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@sh tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# Layout as .clang-format says, over every tracked C file: the services,
# the unit tests, and also the fuzz targets and the load tools, which are
# C the repository builds (make fuzz-build, make bench) and reads like the
# rest. Untracked files (scratch, build/embedded.c) are left alone; outside
# a git checkout every .c and .h under those folders is taken.
CLANG_FORMAT ?= clang-format
FORMAT_DIRS  := services tests/unit tests/fuzz tests/load
FORMAT_SRC    = $(shell git ls-files -- $(foreach d,$(FORMAT_DIRS),'$(d)/*.c' '$(d)/*.h') 2>/dev/null \
                  || find $(FORMAT_DIRS) -name '*.[ch]' | sort)

format:
	@$(CLANG_FORMAT) -i --style=file $(FORMAT_SRC)

# Fails naming each file that `make format` would change.
format-check:
	@bad=$$(for f in $(FORMAT_SRC); do \
	  $(CLANG_FORMAT) --style=file --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then \
	  echo "not formatted as .clang-format says ($$($(CLANG_FORMAT) --version)); make format fixes:"; \
	  for f in $$bad; do echo "  $$f"; done; exit 1; \
	fi

clean:
	rm -rf build

# Both builds' dependency files, whichever $(BUILD) is (build/fuzz is not
# under build/san).
-include $(sort $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null))
