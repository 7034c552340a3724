#!/usr/bin/env bash
# `make differential`: kubesim's differential tests (kubesim/tests/differential), which
# send the same requests to kubesim and to a real kube-apiserver and compare the answers,
# against a fresh control plane (scripts/with-control-plane.sh). An argument picks tests
# by name (`scripts/test-differential.sh validation`).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests are built before the control plane starts, so it does not idle through a build.
cargo test -p kubesim --test differential --no-run
# One test at a time (they share the control plane); --nocapture shows each area's summary.
scripts/with-control-plane.sh differential \
  cargo test -p kubesim --test differential ${1:+"$1"} -- --ignored --test-threads=1 --nocapture
