# mynasign: the two commands a newcomer needs are `make demo` and `make test`.
# Everything else they need is installed by these targets.

CARGO ?= cargo
FEATURES_ALL := --all-features

.PHONY: wheels layers test-service size versions self-contained fuzz demo check test test-build test-rust test-rust-run test-interop test-bindings test-kotlin test-android test-swift test-python test-publish test-pcsc lint toolchain openssl pcsc-lib bench doc

## The main job: the end-to-end flow on the built-in emulated card.
demo: toolchain
	$(CARGO) run --quiet --features cli --bin mynasign -- demo

## Every test the project has (the gate): scripts/test-all.sh runs the parts below, builds
## first and then two lanes side by side, and ends with a table of each part's wall time.
test:
	bash scripts/test-all.sh

## The loop to use while working (under 3 minutes after a one-line change in src/): format,
## clippy and the Rust unit and integration tests of the default features. `make test` is the gate.
check: toolchain
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --lib --tests

## The layers (scripts/check-layers.sh): certificates, documents, CMS and verification never use
## the card stack or the crate-wide Error. The second run plants a violation and must fail.
layers:
	bash scripts/check-layers.sh
	@tmp=$$(mktemp -d); cp -r src "$$tmp/"; printf 'use crate::%s::Error;\n' error >> "$$tmp/src/cms/mod.rs"; \
	if bash scripts/check-layers.sh "$$tmp" >/dev/null 2>&1; then \
	  echo "check-layers missed a planted violation" >&2; rm -rf "$$tmp"; exit 1; fi; \
	rm -rf "$$tmp"; echo "layers: a planted violation is caught"

## Nothing the project builds, tests or runs with may read a folder beside the repository.
## The second run plants such a reference and must fail, so the check itself is tested.
self-contained:
	bash scripts/check-self-contained.sh
	@tmp=$$(mktemp -d); mkdir -p "$$tmp/src"; printf 'read("../%s/x")\n' shared > "$$tmp/src/a.rs"; \
	if bash scripts/check-self-contained.sh "$$tmp" >/dev/null 2>&1; then \
	  echo "check-self-contained missed a planted reference" >&2; rm -rf "$$tmp"; exit 1; fi; \
	rm -rf "$$tmp"; echo "self-contained: a planted reference is caught"

## One version everywhere (scripts/check-version.sh); the second run plants a different one in
## a copy and must fail, so the check itself is tested.
versions:
	bash scripts/check-version.sh
	@tmp=$$(mktemp -d); mkdir -p "$$tmp/uniffi" "$$tmp/bindings/kotlin"; \
	cp Cargo.toml CHANGELOG.md "$$tmp/"; cp uniffi/Cargo.toml "$$tmp/uniffi/"; \
	printf 'version = "9.9.9"\n' > "$$tmp/bindings/kotlin/build.gradle.kts"; \
	if bash scripts/check-version.sh "$$tmp" >/dev/null 2>&1; then \
	  echo "check-version missed a different version" >&2; rm -rf "$$tmp"; exit 1; fi; \
	rm -rf "$$tmp"; echo "versions: a different version is caught"

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "Rust is needed: https://rustup.rs" >&2; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

lint: toolchain pcsc-lib
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets $(FEATURES_ALL) -- -D warnings
	$(CARGO) clippy --no-default-features --lib --test service -- -D warnings
	$(CARGO) clippy --lib --no-default-features --features card -- -D warnings
	$(CARGO) clippy -p mynasign-ffi --lib --no-default-features -- -D warnings
	@# A receiving service's build (no default features) links neither PC/SC nor the CLI; the
	@# same look at a pcsc build must find pcsc (so the check can fail). Its card code is cfg'd
	@# out (src/lib.rs) and tests/service.rs runs in it (make test-service).
	@deps='^(pcsc|pcsc-sys|clap) '; \
	if $(CARGO) tree --no-default-features -e normal --prefix none 2>/dev/null | grep -qE "$$deps"; then \
	  echo "the service build pulls in card-stack dependencies" >&2; exit 1; fi; \
	$(CARGO) tree --no-default-features --features pcsc -e normal --prefix none 2>/dev/null | grep -qE "$$deps" \
	  || { echo "the service-build dependency check cannot see pcsc" >&2; exit 1; }; \
	echo "service build: no PC/SC or CLI dependencies"
	@# What an app ships (the FFI crate without features) must not contain the emulator.
	@if $(CARGO) tree -p mynasign-ffi --no-default-features -e features 2>/dev/null | grep -q 'mynasign feature "emulator"'; then \
	  echo "the release FFI build pulls in the emulator" >&2; exit 1; fi; \
	echo "release FFI build: no emulator"

## Everything the test parts build, once and in an order that reuses work: the workspace with
## all features (the library's unit, integration, CLI, OpenSSL and PC/SC tests, the `mynasign`
## tool, the FFI crate's tests), the phone core and the service build, then the testing FFI
## library the Kotlin, Android, JVM, Swift and Python suites load (debug, the emulator and the
## verifier) and the bindings generator. fast-verify (AWS-LC's C
## sources) is compiled in this one configuration only.
test-build: toolchain openssl pcsc-lib
	$(CARGO) test --workspace $(FEATURES_ALL) --no-run
	$(CARGO) test --lib --no-default-features --features card --no-run
	$(CARGO) test --no-default-features --lib --test service --no-run
	@# The Python service wheel's feature set first: the last build leaves target/debug's
	@# library as the testing artifact the other suites load.
	$(CARGO) build -p mynasign-ffi --lib --features "fast-verify verify"
	$(CARGO) build -p mynasign-ffi --lib --features "emulator verify"
	$(CARGO) build -p mynasign-bindgen
	@# The FFI crate without features as an rlib only (its bindings: the Android sample's
	@# release build, bindings/kotlin/lib/shipped-bindings.sh); leaves the library above alone.
	$(CARGO) rustc -p mynasign-ffi --lib --no-default-features --crate-type rlib

## The Rust tests (builds what `test-build` has not).
test-rust: test-build test-rust-run

test-rust-run: toolchain openssl pcsc-lib
	$(CARGO) test --workspace $(FEATURES_ALL)
	$(CARGO) test --lib --no-default-features --features card
	$(MAKE) --no-print-directory test-service

## A receiving service's build: the library without the card stack (no default features),
## its unit tests and tests/service.rs verifying committed consents.
test-service: toolchain
	$(CARGO) test --lib --no-default-features
	$(CARGO) test --no-default-features --test service

## The Kotlin, Swift and Python bindings, each driving full flows against the emulator through
## a transport written in that language. Each installs its toolchain when missing.
test-bindings: test-python test-kotlin test-android test-publish test-swift

test-python: toolchain
	bash bindings/python/test.sh

## The Python service wheels for servers (manylinux2014 x86_64 and aarch64, built with zig;
## MYNASIGN_MACOS=1 adds macOS): bindings/python/wheels.sh, into bindings/python/dist/.
wheels: toolchain
	bash bindings/python/wheels.sh

test-kotlin: toolchain
	bash bindings/kotlin/test.sh

test-swift: toolchain
	bash bindings/swift/test.sh

## The real mynasignFFI.xcframework (not part of `make test`: four targets with the release-ffi
## profile, several minutes the first time): dynamic frameworks for the iPhone, the simulator
## (arm64 + x86_64) and macOS, built and checked on Linux or macOS (bindings/swift/
## build-xcframework.sh); `bindings/swift/release.sh` runs the same build. Needs llvm-lipo on
## Linux (Debian's llvm package).
.PHONY: xcframework
xcframework: toolchain
	@command -v llvm-lipo >/dev/null || command -v lipo >/dev/null || ls /usr/bin/llvm-lipo-* >/dev/null 2>&1 \
	  || (apt-get update && apt-get install -y --no-install-recommends llvm)
	bash bindings/swift/build-xcframework.sh

## The Maven publication of the Kotlin JVM library (bindings/kotlin/publish-local.sh into a
## fresh local repository), consumed by bindings/kotlin/publish-consumer from there.
test-publish: toolchain
	bash bindings/kotlin/test-publish.sh

## The Android part of the Kotlin library (jp.mynasign.android: IsoDep link, reader helper,
## OMAPI link) compiled against Robolectric's android-all and tested with Robolectric, offline,
## the card answered by the emulator.
test-android: toolchain
	bash bindings/kotlin/test-android.sh

## OpenSSL's command-line tool, for the interoperability tests (tests/openssl.rs).
openssl:
	@command -v openssl >/dev/null || (apt-get update && apt-get install -y --no-install-recommends openssl)

## libpcsclite and pkg-config, to build the `pcsc` feature (every --all-features build needs it).
pcsc-lib:
	@pkg-config --exists libpcsclite 2>/dev/null || (apt-get update && apt-get install -y --no-install-recommends libpcsclite-dev pkg-config)

## The flows over a real PC/SC stack: pcscd + vsmartcard's vpcd + `mynasign emulator serve`,
## compared with in-process, and OpenSC (pkcs15-tool, pkcs11-tool) against the emulated card.
## Installs pcscd, vsmartcard-vpcd and opensc when missing; stops all it starts.
test-pcsc: toolchain pcsc-lib
	bash tests/pcsc/run.sh

## Only the interoperability and command-line tests.
test-interop: toolchain openssl
	$(CARGO) test --features cli --test openssl --test cli

## Throughput figures, release build; and the size of what an app ships.
bench: toolchain openssl size
	$(CARGO) bench --bench consent
	$(CARGO) bench --bench card_info
	@echo "--- with the server-only fast-verify feature (aws-lc-rs) ---"
	$(CARGO) bench --bench consent --features fast-verify

## The stripped size of the FFI library an app ships (x86-64 Linux, the proxy buildable here),
## without and with the emulator, against the 1.5 MB budget.
size: toolchain
	bash scripts/size-report.sh

doc: toolchain pcsc-lib
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps $(FEATURES_ALL)

## Fuzzing (not part of `make test`): each target for FUZZ_SECONDS on the nightly toolchain,
## from the corpus kept in fuzz/corpus/. Installs cargo-fuzz when missing. Inputs up to
## FUZZ_MAX_LEN bytes; cms_verify up to 8 KiB (a signed consent with its CA certificate is
## over 4 KiB, and a longer seed would be cut).
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 4096
FUZZ_TARGETS := apdu_command apdu_response attributes_record hostile_card \
	certificate consent_document cms_verify crl ocsp_response card_info_evidence
fuzz: toolchain
	@rustup toolchain list | grep -q nightly || rustup toolchain install nightly
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		len=$(FUZZ_MAX_LEN); [ $$t = cms_verify ] && len=8192; \
		mkdir -p corpus/$$t && \
		$(CARGO) +nightly fuzz run $$t corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -max_len=$$len || exit 1; \
	done
