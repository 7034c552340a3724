#!/usr/bin/env bash
# `make differential`: kubesim's differential tests (kubesim/tests/differential), which
# send the same requests to kubesim and to a real kube-apiserver and compare the answers,
# against a fresh control plane started here, in a folder of its own on free loopback
# ports, and stopped at the end whatever happens (failure, Ctrl-C, kill). An argument
# picks tests by name (`scripts/test-differential.sh validation`).
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests are built before the control plane starts, so it does not idle through a build.
cargo test -p kubesim --test differential --no-run
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export CONTROL_PLANE_DIR
CONTROL_PLANE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kubeclass-differential.XXXXXX")
export ETCD_PORT APISERVER_PORT
ETCD_PORT=$(free_port)
APISERVER_PORT=$(free_port)
trap 'deploy/control-plane/cluster.sh down; rm -rf "$CONTROL_PLANE_DIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
deploy/control-plane/cluster.sh up
# One test at a time (they share the control plane); --nocapture shows each area's summary.
KUBECLASS_REAL_CONTROL_PLANE="$CONTROL_PLANE_DIR" \
  cargo test -p kubesim --test differential ${1:+"$1"} -- --ignored --test-threads=1 --nocapture
