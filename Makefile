# kubeclass — two commands for everyone: `make run` and `make test`.
# `make setup` installs the tools (idempotent; run by both). `make bench` measures.

SHELL := /bin/bash
.DEFAULT_GOAL := run

# .tools/node_modules/.bin holds wasm-opt (see scripts/setup.sh).
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The server finds the site cargo-leptos built through these.
export LEPTOS_OUTPUT_NAME := kubeclass
export LEPTOS_SITE_ROOT := target/site
export LEPTOS_SITE_PKG_DIR := pkg

KUBECLASS_ADDR ?= 127.0.0.1:3000
export KUBECLASS_ADDR

# `make run CLUSTER=real`: kubeclass on the real control plane `make cluster` starts
# (deploy/control-plane/), through the same code path as any kubeconfig cluster.
ifeq ($(CLUSTER),real)
export KUBECLASS_CLUSTER := kubeconfig
export KUBECLASS_KUBECONFIG := $(CURDIR)/data/control-plane/kubeclass.kubeconfig
RUN_NEEDS := cluster
endif

.PHONY: setup editor build run test fmt-check clippy structure unit test-real differential e2e cluster cluster-down bench bench-compare fuzz release clean

setup:
	@scripts/setup.sh

# The CodeMirror bundle the panes load; rebuilt when its sources change.
public/editor.js: editor/main.js editor/package-lock.json
	cd editor && npm run --silent build

editor: public/editor.js

build: setup editor
	cargo leptos build

run: setup editor $(RUN_NEEDS)
	@echo "kubeclass will serve on http://$(KUBECLASS_ADDR)"
	cargo leptos serve

release: setup editor
	cargo leptos build --release

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

# The shape of the code: no import cycles between files, layers kept, server files small.
structure:
	python3 scripts/structure.py

unit:
	cargo test --workspace

# The server on the real Kubernetes control plane (started and stopped by the script).
test-real: setup
	scripts/test-real.sh

# kubesim against the real kube-apiserver: the same requests to both, the answers
# compared (kubesim/tests/differential; started and stopped by the script).
differential: setup
	scripts/test-differential.sh

# The real control plane on loopback: etcd, kube-apiserver, controller manager,
# scheduler, kwok's nodes (deploy/control-plane/README.md).
cluster: setup
	deploy/control-plane/cluster.sh up

cluster-down:
	deploy/control-plane/cluster.sh down

e2e: build
	scripts/e2e.sh

test: setup editor fmt-check structure clippy unit test-real differential e2e

bench: release
	scripts/bench.sh

# cargo-fuzz on the manifest pipeline for FUZZ_SECONDS (default 60) per target; nightly
# Rust and cargo-fuzz are installed on first use.
FUZZ_SECONDS ?= 60
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	cd fuzz && cargo +nightly fuzz run manifests -- -max_total_time=$(FUZZ_SECONDS) -max_len=65536

# The lesson page and the attendees for BASE (a git revision) and this tree (or AFTER, a
# second revision: one change alone), side by side.
bench-compare:
	scripts/bench-compare.sh $(BASE) $(AFTER)

clean:
	cargo clean
	rm -f public/editor.js
