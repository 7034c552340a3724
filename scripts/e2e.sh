#!/usr/bin/env bash
# Starts the built server on a free port, runs the browser tests against it, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=target/e2e-server.log
data=$(mktemp -d)
# A trainer for the trainers' browser test, made as an operator would.
export KUBECLASS_E2E_TRAINER=ada-trainer KUBECLASS_E2E_PASSWORD="e2e password $$"
KUBECLASS_DATA_DIR="$data" KUBECLASS_TRAINER_PASSWORD="$KUBECLASS_E2E_PASSWORD" \
  target/debug/kubeclass trainer add "$KUBECLASS_E2E_TRAINER" >/dev/null
# A docs site for the embed's browser test, on another site (localhost, not 127.0.0.1).
KUBECLASS_E2E_DOCS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KUBECLASS_E2E_SITE=$(KUBECLASS_DATA_DIR="$data" target/debug/kubeclass embed add-site \
  --origin "http://localhost:$KUBECLASS_E2E_DOCS_PORT")
# (The embed's test ends a site's sandboxes as an operator would, with this binary and data.)
KUBECLASS_E2E_BIN="$PWD/target/debug/kubeclass" KUBECLASS_E2E_DATA_DIR="$data"
export KUBECLASS_E2E_DOCS_PORT KUBECLASS_E2E_SITE KUBECLASS_E2E_BIN KUBECLASS_E2E_DATA_DIR
KUBECLASS_DATA_DIR="$data" KUBECLASS_ADDR="127.0.0.1:$port" target/debug/kubeclass >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 $server 2>/dev/null || { echo "the server exited:"; cat "$log"; exit 1; }
  sleep 0.1
done

cd end2end
KUBECLASS_URL="http://127.0.0.1:$port" npm test
