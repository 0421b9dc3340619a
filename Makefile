# mynasign: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else they need is installed by these targets.

CARGO ?= cargo
FEATURES_ALL := --all-features

.PHONY: demo test test-rust lint toolchain bench doc

## The main job: the end-to-end flow on the built-in emulated card.
demo: toolchain
	$(CARGO) run --quiet --features cli --bin mynasign -- demo

## Every test the project has.
test: lint test-rust

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "Rust is needed: https://rustup.rs" >&2; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

lint: toolchain
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets $(FEATURES_ALL) -- -D warnings
	$(CARGO) clippy --lib --no-default-features -- -D warnings

test-rust: toolchain
	$(CARGO) test $(FEATURES_ALL)
	$(CARGO) test --lib --no-default-features

doc: toolchain
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps $(FEATURES_ALL)
