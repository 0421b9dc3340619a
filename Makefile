# mynasign: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else they need is installed by these targets.

CARGO ?= cargo
FEATURES_ALL := --all-features

.PHONY: demo test test-rust test-interop test-bindings test-kotlin test-swift test-python lint toolchain openssl bench doc

## The main job: the end-to-end flow on the built-in emulated card.
demo: toolchain
	$(CARGO) run --quiet --features cli --bin mynasign -- demo

## Every test the project has.
test: openssl lint test-rust test-bindings

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "Rust is needed: https://rustup.rs" >&2; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

lint: toolchain
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets $(FEATURES_ALL) -- -D warnings
	$(CARGO) clippy --lib --no-default-features -- -D warnings

test-rust: toolchain openssl
	$(CARGO) test $(FEATURES_ALL)
	$(CARGO) test --lib --no-default-features

## The Kotlin, Swift and Python bindings, each driving full flows against the emulator through
## a transport written in that language. Each installs its toolchain when missing.
test-bindings: test-python test-kotlin test-swift

test-python: toolchain
	bash bindings/python/test.sh

test-kotlin: toolchain
	bash bindings/kotlin/test.sh

test-swift: toolchain
	bash bindings/swift/test.sh

## OpenSSL's command-line tool, for the interoperability tests (tests/openssl.rs).
openssl:
	@command -v openssl >/dev/null || (apt-get update && apt-get install -y --no-install-recommends openssl)

## Only the interoperability and command-line tests.
test-interop: toolchain openssl
	$(CARGO) test --features cli --test openssl --test cli

## Throughput figures, release build.
bench: toolchain
	$(CARGO) bench --bench consent

doc: toolchain
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps $(FEATURES_ALL)
