#!/usr/bin/env bash
# `make test-real`: the server's tests that need the real Kubernetes control plane
# (server/tests/server/real.rs), against a fresh one started here, in a folder of its
# own on free loopback ports, and stopped at the end whatever happens. An argument picks
# tests by name (`scripts/test-real.sh the_isolation`).
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export CONTROL_PLANE_DIR
CONTROL_PLANE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kubeclass-real.XXXXXX")
export ETCD_PORT APISERVER_PORT
ETCD_PORT=$(free_port)
APISERVER_PORT=$(free_port)
trap 'deploy/control-plane/cluster.sh down; rm -rf "$CONTROL_PLANE_DIR"' EXIT
deploy/control-plane/cluster.sh up
KUBECLASS_REAL_CONTROL_PLANE="$CONTROL_PLANE_DIR" \
  cargo test -p server --test server "${1:-real::}" -- --ignored --test-threads=1
