#!/usr/bin/env bash
# Installs every tool the build and the tests need, idempotently: each step checks
# what is present (and its version) and does nothing when it is already right.
# Facts behind the choices are in ../shared/design/toolchain.md.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.0
TOOLS_DIR="$PWD/.tools"
mkdir -p "$TOOLS_DIR"

step() { printf '\033[1m== setup: %s\033[0m\n' "$*"; }

# --- Rust: wasm target ---------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- cargo-leptos (0.3.0: newer ones need a newer rustc) -------------------------
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

# --- wasm-bindgen-cli: must equal the wasm-bindgen version in Cargo.lock ---------
want_wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -n "$want_wb" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want_wb" ]; then
  step "installing wasm-bindgen-cli $want_wb"
  # No --locked: its lock file pins a crate that the registry no longer has.
  cargo install wasm-bindgen-cli --version "$want_wb" --force
fi

# --- oha: fixed-rate HTTP load with latency correction, for make bench -------------
OHA_VERSION=1.16.0
if [ "$(oha --version 2>/dev/null | awk '{print $2}')" != "$OHA_VERSION" ]; then
  step "installing oha $OHA_VERSION (benchmarks)"
  cargo install oha --locked --version "$OHA_VERSION"
fi

# --- Debian packages: chromium (browser tests), wrk (benchmarks) ------------------
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# --- kubectl: Debian's real client, kept in .tools (apt-get install would clash) -
if [ ! -x "$TOOLS_DIR/kubectl" ]; then
  step "fetching Debian's kubernetes-client into .tools/"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq kubernetes-client 2>/dev/null || { apt-get update -qq && apt-get download -qq kubernetes-client; })
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$tmp/x"
  cp "$tmp/x/usr/bin/kubectl" "$TOOLS_DIR/kubectl"
  rm -rf "$tmp"
fi

# --- wasm-opt for release builds: binaryen from npm into .tools/ ------------------
# Debian's binaryen (108) is too old for wasm-bindgen 0.2.130's output: the optimised
# module fails in the browser ("WebAssembly.Table.set(): Argument 1 is invalid"). The
# Makefile puts .tools/node_modules/.bin first on PATH, where cargo-leptos finds it.
BINARYEN_VERSION=132
if [ "$("$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "$BINARYEN_VERSION" ]; then
  step "npm install binaryen@$BINARYEN_VERSION into .tools/"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
fi

# --- the Python kubernetes client, for kubesim's real-client tests ----------------
PY_KUBERNETES_VERSION=37.0.2
if [ "$(PYTHONPATH="$TOOLS_DIR/python" python3 -c 'import kubernetes; print(kubernetes.__version__)' 2>/dev/null)" != "$PY_KUBERNETES_VERSION" ]; then
  step "pip install kubernetes==$PY_KUBERNETES_VERSION into .tools/python"
  python3 -m pip install --quiet --disable-pip-version-check --upgrade --target "$TOOLS_DIR/python" "kubernetes==$PY_KUBERNETES_VERSION"
fi

# --- sass (dart-sass as JS), found on PATH by cargo-leptos -----------------------
if ! command -v sass >/dev/null; then
  step "npm install -g sass"
  npm install -g --silent sass
fi

# --- npm packages: the editor bundle and the browser tests ----------------------
for dir in editor end2end; do
  if [ -f "$dir/package.json" ] && { [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    step "npm ci in $dir/"
    (cd "$dir" && npm ci --silent --no-audit --no-fund)
  fi
done

# --- Kubernetes' protobuf schemas and OpenAPI document, which kubesim's build.rs reads ----
# The generated.proto files of the Go modules at the control plane's pinned version (kubectl
# 1.32+ sends protobuf bodies), and k8s.io/kubernetes' swagger.json (patch metadata). Into Go's module cache, outside the work tree; instant when
# already there.
(
  . deploy/control-plane/versions.env
  cd /tmp && go mod download \
    "k8s.io/api@$KUBERNETES_STAGING_VERSION" "k8s.io/apimachinery@$KUBERNETES_STAGING_VERSION" \
    "k8s.io/apiextensions-apiserver@$KUBERNETES_STAGING_VERSION" "k8s.io/metrics@$KUBERNETES_STAGING_VERSION" \
    "k8s.io/kubernetes@$KUBERNETES_VERSION"
) || { echo "setup: downloading Kubernetes' Go modules (for their protobuf schemas) failed" >&2; exit 1; }

# --- the real Kubernetes control plane, built from its Go modules ----------------------
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok; cached
# outside the work tree (about 19 minutes the first time on 2 cores, then nothing).
if ! deploy/control-plane/build.sh >/dev/null; then
  echo "setup: building the control plane failed (deploy/control-plane/build.sh)" >&2
  exit 1
fi

step "all tools present"
