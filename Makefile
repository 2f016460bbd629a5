# msikit: the README's two commands are `make demo` and `make check`; both
# install missing Debian packages first (scripts/deps). CMake does the work.

JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    ?= build
CMAKE    ?= cmake
CTEST    ?= ctest
FUZZ_SECONDS ?= 10
# make check's short runs use one libFuzzer seed, so the gate is the same on
# every run (a new finding there is a bug to fix, not a coin toss); make fuzz
# explores with a new seed each time (FUZZ_SEED= for random, or any number).
FUZZ_SEED    ?=
PREFIX   ?= /usr/local

.PHONY: all deps build demo check sanitize asan tsan bench fuzz fuzz-smoke install format clean \
	deep-clone

all: build

deps:
	@sh scripts/deps

$(BUILD)/CMakeCache.txt:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/CMakeCache.txt
	$(CMAKE) --build $(BUILD) -j $(JOBS)

demo: build
	@if [ -x $(BUILD)/tools/msikit/msikit ]; then \
		$(BUILD)/tools/msikit/msikit demo; \
	else \
		$(BUILD)/example_demo; \
	fi

# Unit, scenario and fuzz-corpus tests, then a short libFuzzer run per target.
check: build
	cd $(BUILD) && $(CTEST) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz-smoke FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SEED=$(or $(FUZZ_SEED),1)

# ASan+UBSan, then TSan builds of the tests (clang, like the fuzz build).
sanitize: asan tsan

asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DMSK_SANITIZE=address
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) --output-on-failure -j $(JOBS)

tsan: deps
	$(CMAKE) -S . -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMSK_SANITIZE=thread
	$(CMAKE) --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
		$(CTEST) --output-on-failure -j $(JOBS)

bench: deps
	$(CMAKE) -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DMSK_BUILD_TESTS=OFF
	$(CMAKE) --build build-release -j $(JOBS)
	@if [ -x build-release/tools/msikit/msikit ]; then \
		build-release/tools/msikit/msikit bench; \
	else \
		build-release/msikit-bench; \
	fi

build-fuzz/CMakeCache.txt:
	$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DMSK_FUZZ=ON -DMSK_SANITIZE=address

# libFuzzer over each target for FUZZ_SECONDS, starting from its committed
# corpus (and its dictionary tests/fuzz/<name>.dict if any); new inputs go to
# fuzz-out/<name>/ (not committed).
fuzz-smoke: deps build-fuzz/CMakeCache.txt
	$(CMAKE) --build build-fuzz -j $(JOBS)
	@set -e; for t in build-fuzz/tests/fuzz_*; do \
		case $$t in *_replay) continue;; esac; \
		[ -x $$t ] || continue; \
		name=$$(basename $$t | sed 's/^fuzz_//'); \
		mkdir -p fuzz-out/$$name; \
		dict=; [ -f tests/fuzz/$$name.dict ] && dict=-dict=tests/fuzz/$$name.dict; \
		echo "fuzz: $$name for $(FUZZ_SECONDS)s$(if $(FUZZ_SEED), (seed $(FUZZ_SEED)))"; \
		ASAN_OPTIONS=detect_leaks=1 $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 $$dict \
			$(if $(FUZZ_SEED),-seed=$(FUZZ_SEED)) \
			-print_final_stats=0 fuzz-out/$$name tests/fuzz/corpus/$$name >fuzz-out/$$name.log 2>&1 \
			|| { tail -n 60 fuzz-out/$$name.log; exit 1; }; \
		grep -E '^(#[0-9]+ *DONE|Done)' fuzz-out/$$name.log | tail -n 1 || true; \
	done

# Every test from a clone of HEAD at a path deeper than 200 characters (CI).
deep-clone: deps
	sh scripts/check-deep-clone.sh $(JOBS)

fuzz:
	@$(MAKE) --no-print-directory fuzz-smoke FUZZ_SECONDS=$${FUZZ_SECONDS:-300}

# PREFIX and DESTDIR apply to every install, whenever $(BUILD) was configured
# (make demo / make check configure it first, with the default prefix).
install: build
	DESTDIR="$(DESTDIR)" $(CMAKE) --install $(BUILD) --prefix "$(PREFIX)"

format:
	@find include src tests bench examples tools -name '*.[ch]' 2>/dev/null | xargs clang-format -i

clean:
	rm -rf build build-asan build-tsan build-release build-fuzz fuzz-out
