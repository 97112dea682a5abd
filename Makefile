# The task runner. Every target that needs a tool installs it first (scripts/bootstrap.sh
# is idempotent and only installs what is missing).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
ENV := source scripts/env.sh &&
WASM := --target wasm32-unknown-unknown
# Commands that start Chromium run with a TMPDIR of their own, removed after them
# (ChromeDriver leaves a 50 MB profile there per session otherwise).
CHROMIUM := scripts/chromium-tmp.sh

.PHONY: serve test lint bootstrap test-native test-browser test-e2e test-loom test-miri dist bench size fuzz clean

## Command 1: run the playground at http://127.0.0.1:8080
serve: bootstrap
	$(ENV) trunk serve --offline

## Command 2: every test suite, in order (native, browser, end-to-end, loom, Miri)
test: bootstrap
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory test-e2e
	$(MAKE) --no-print-directory test-loom
	$(MAKE) --no-print-directory test-miri
	@echo "make test: all suites passed"

## Quality gates: formatting and a 120-column line width, clippy natively and for the
## browser target (the UI only builds there), rustdoc without warnings (every public item
## documented: the library has #![warn(missing_docs)])
lint:
	cargo fmt --check
	scripts/line-width.sh
	cargo clippy --locked --all-targets -- -D warnings
	$(ENV) cargo clippy --locked $(WASM) --lib --tests -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --lib
	$(ENV) RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --lib $(WASM)

bootstrap:
	scripts/bootstrap.sh

## Native: unit, integration and doc tests of the core (sync, exec, scenario, trace,
## lesson), then the lesson checker over every bundled lesson, as an instructor runs it
test-native:
	$(ENV) cargo test --locked
	$(ENV) cargo run --locked --quiet --example lesson -- check

## In headless Chromium through wasm-bindgen-test-runner (tests/web*.rs)
test-browser:
	$(ENV) $(CHROMIUM) cargo test --locked $(WASM) --tests

## The Trunk release build, served on loopback, driven through ChromeDriver (tests/e2e/)
test-e2e: dist
	$(ENV) $(CHROMIUM) cargo test --locked --test e2e -- --ignored --skip frames:: --skip load:: --test-threads=1

## loom models of sync's locks (tests/loom_*.rs)
test-loom:
	$(ENV) scripts/loom.sh

## Miri over the sync tests that exercise `unsafe`
test-miri:
	$(ENV) scripts/miri.sh

## The release dist (size-tuned, wasm-opt on), into dist/
dist:
	$(ENV) trunk build --release --offline --locked

## The long fuzzing run (make test runs the short one): FUZZ_CASES inputs per property
FUZZ_CASES ?= 20000
fuzz:
	FUZZ_CASES=$(FUZZ_CASES) cargo test --locked --profile bench --test fuzz_inputs --test engine_props

## Benchmarks (numbers, never pass/fail): see BENCHMARKS.md
bench: bootstrap
	$(ENV) cargo bench --bench mutex
	$(ENV) cargo bench --bench kinds
	$(ENV) cargo bench --bench engine
	$(ENV) cargo bench --bench explore
	$(ENV) cargo run --locked --profile bench --example worst_case
	$(ENV) $(CHROMIUM) cargo test --release $(WASM) --test web_bench -- --include-ignored --nocapture
	$(CHROMIUM) scripts/bench-frames.sh
	$(CHROMIUM) scripts/bench-load.sh
	$(MAKE) --no-print-directory size

## Sizes of the release dist (raw and gzip) for BENCHMARKS.md
size: dist
	scripts/size.sh dist

clean:
	cargo clean; rm -rf dist
