# The two commands a newcomer needs:
#   make run    install what is missing, build (release) and serve on http://127.0.0.1:3000 (SQLite)
#   make test   fmt, clippy (native + wasm32), unit, store (SQLite + PostgreSQL), HTTP and browser tests
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)

# PostgreSQL for the store tests (a fresh schema per test).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
export TEST_POSTGRES_URL

NATIVE := -p app -p server --features app/ssr
WASM := -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown

.PHONY: screenshots deny run dev test reader-dev reader-release tools browser-tools fmt-check lint lint-native lint-wasm unit e2e build-dev release migrate bench bench-browser bench-smoke

## Build in release mode and serve on 127.0.0.1:3000 with ./contacts.db.
run: tools reader-release
	cargo leptos serve --release

## Debug build, faster to compile.
dev: tools reader-dev
	cargo leptos serve

release: tools reader-release
	cargo leptos build --release

## The import wizard's reading worker, a WASM bundle of its own
## (frontend/reader), into public/reader/: cargo-leptos then copies it into
## the site with the other assets, so these run before it.
READER_OUT := public/reader
WRITER_OUT := public/writer
reader-dev:
	cargo build -p reader -p writer --lib --target wasm32-unknown-unknown --target-dir target/front
	wasm-bindgen --target web --no-typescript --out-dir $(READER_OUT) target/front/wasm32-unknown-unknown/debug/reader.wasm
	wasm-bindgen --target web --no-typescript --out-dir $(WRITER_OUT) target/front/wasm32-unknown-unknown/debug/writer.wasm

reader-release:
	cargo build -p reader --lib --target wasm32-unknown-unknown --target-dir target/front --profile reader-release
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir $(READER_OUT) target/front/wasm32-unknown-unknown/reader-release/reader.wasm
	cargo build -p writer --lib --target wasm32-unknown-unknown --target-dir target/front --profile wasm-release
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir $(WRITER_OUT) target/front/wasm32-unknown-unknown/wasm-release/writer.wasm
# No wasm-opt here: its -O3 made Chromium's first read of a 100,000-row xlsx
# 1.5× slower (0.47–0.65 s against 0.32 s; BENCHMARKS.md), for 11% less size.

migrate:
	cargo run -p server --bin contacts -- migrate

test: tools browser-tools fmt-check lint deny unit e2e bench-smoke
	@echo "make test: all checks passed"

tools:
	bash .ci/tools.sh build

browser-tools:
	bash .ci/tools.sh browser

fmt-check:
	cargo fmt --all -- --check

## Licences, bans, sources and (when its database is on this machine) security
## advisories of every dependency (deny.toml). The advisory database comes
## from a git repository, which a machine that reaches only the package
## registries cannot fetch: without a copy on disk that part is skipped, loudly.
ADVISORY_DBS := $(HOME)/.cargo/advisory-dbs
deny:
	bash .ci/tools.sh deny
	cargo deny check licenses bans sources
	@if ls -d $(ADVISORY_DBS)/advisory-db-*/crates >/dev/null 2>&1; then \
	  cargo deny --offline check advisories; \
	else \
	  echo "cargo deny: NO ADVISORY CHECK: the RustSec database is not in $(ADVISORY_DBS) and cannot be fetched from this network"; \
	fi

lint: lint-native lint-wasm

lint-native:
	cargo clippy $(NATIVE) --all-targets -- -D warnings

lint-wasm:
	cargo clippy $(WASM) -- -D warnings
	cargo clippy -p reader -p writer --target wasm32-unknown-unknown -- -D warnings

## Pure unit tests, store tests on SQLite and PostgreSQL, server functions over HTTP.
unit:
	cargo test $(NATIVE)

## Import benchmarks at 100k rows (criterion; ratios printed at the end, see BENCHMARKS.md).
bench:
	cargo bench -p app --features ssr --bench import

## The browser benchmark: our reader vs SheetJS and PapaParse in the same page,
## the wizard's stages, the import on SQLite and PostgreSQL (BENCH_ROWS, BENCH_RUNS).
bench-browser: release
	cargo build --release -p app --example read_time
	cd end2end && npx playwright test -c bench.config.ts

## The same benchmark on 2,000 rows against the debug build: checks it still runs (no timings judged).
bench-smoke: build-dev
	cargo build -p app --example read_time
	cd end2end && BENCH_ROWS=2000 BENCH_RUNS=1 CONTACTS_BIN=./target/debug/contacts \
	  READ_TIME_BIN=./target/debug/examples/read_time npx playwright test -c bench.config.ts

## The README's pictures (docs/screenshots/): the release build on a fresh
## SQLite file, filled with the demo data set (end2end/demo/) through the
## real sign-up and import wizard.
screenshots: tools browser-tools release
	cd end2end && npx playwright test -c screenshots.config.ts

build-dev: reader-dev
	cargo leptos build

## Playwright in Debian's Chromium against a freshly built server and a fresh SQLite file.
E2E_SERVER_LOG ?= /tmp/contacts-e2e-server.log
export E2E_SERVER_LOG

e2e: build-dev
	rm -f $(E2E_SERVER_LOG)
	cd end2end && npx playwright test
	@if grep -n -A4 panicked $(E2E_SERVER_LOG); then echo "the server panicked during the browser tests (log: $(E2E_SERVER_LOG))"; exit 1; fi
