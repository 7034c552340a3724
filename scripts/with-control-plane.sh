#!/usr/bin/env bash
# `scripts/with-control-plane.sh NAME COMMAND...`: runs COMMAND against a fresh real
# Kubernetes control plane (deploy/control-plane/cluster.sh) started in a folder of its
# own on free loopback ports, named to COMMAND by KUBECLASS_REAL_CONTROL_PLANE, and
# stopped at the end whatever happens (failure, Ctrl-C, kill). make test-real and make
# differential run their tests through it.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/with-control-plane.sh NAME COMMAND...}
shift
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export CONTROL_PLANE_DIR ETCD_PORT APISERVER_PORT
CONTROL_PLANE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kubeclass-$name.XXXXXX")
ETCD_PORT=$(free_port)
APISERVER_PORT=$(free_port)
trap 'deploy/control-plane/cluster.sh down; rm -rf "$CONTROL_PLANE_DIR"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
deploy/control-plane/cluster.sh up
KUBECLASS_REAL_CONTROL_PLANE="$CONTROL_PLANE_DIR" "$@"
