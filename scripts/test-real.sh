#!/usr/bin/env bash
# `make test-real`: the server's tests that need the real Kubernetes control plane
# (server/tests/server/real.rs), against a fresh one (scripts/with-control-plane.sh).
# An argument picks tests by name (`scripts/test-real.sh the_isolation`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/with-control-plane.sh real \
  cargo test -p server --test server "${1:-real::}" -- --ignored --test-threads=1
