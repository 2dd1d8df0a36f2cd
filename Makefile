# The README's two commands: `make demo` and `make test`. Both install what
# is needed (scripts/setup, idempotent), build, and run.
.PHONY: all setup build release demo test asan cortex-m fuzz bench clean

JOBS ?= 2

# Reference data for data-driven tests and the demo: ../shared/datasets when
# it is there, unless LOCUS_TEST_DATA is already set.
ifeq ($(origin LOCUS_TEST_DATA),undefined)
  ifneq ($(wildcard ../shared/datasets),)
    export LOCUS_TEST_DATA := $(abspath ../shared/datasets)
  endif
endif

all: build

setup:
	bash scripts/setup

build: setup
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

release: setup
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

demo: release
	bash scripts/demo

test: build
	ctest --preset dev -j $(JOBS)

asan: setup
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

cortex-m: setup
	bash scripts/check-cortex-m

fuzz: setup
	bash scripts/fuzz 30

bench: release
	bash bench/run

clean:
	rm -rf build
