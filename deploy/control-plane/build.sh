#!/usr/bin/env bash
# Builds the real Kubernetes control plane from Go modules (no Docker, no release downloads):
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  <- k8s.io/kubernetes
#   etcd                                                               <- go.etcd.io/etcd/server/v3
#   kwok, kwokctl                                                      <- sigs.k8s.io/kwok
# into ${KUBECLASS_CACHE:-$HOME/.cache/kubeclass}/control-plane/<key>/bin, outside the work tree.
# Versions come from versions.env beside this file. Idempotent: when every binary is there and
# reports the pinned version it does nothing. GOMODCACHE and GOCACHE are Go's defaults.
#
#   deploy/control-plane/build.sh              build what is missing, print the bin folder
#   deploy/control-plane/build.sh --print-bin  only print the bin folder (builds nothing)
#   deploy/control-plane/build.sh --force      rebuild everything
#
# Builds run under `nice -n 19` with GOMAXPROCS=1 and -p=1 so they never starve other work on
# the 2-core machines; CONTROL_PLANE_GO_JOBS=2 uses both cores when nothing else runs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"

# Bump when the way the binaries are built changes (flags, ldflags): the cache key changes.
RECIPE=1
jobs="${CONTROL_PLANE_GO_JOBS:-1}"

key_hash="$(printf '%s\n' "$RECIPE" "$KUBERNETES_VERSION" "$ETCD_VERSION" "$KWOK_VERSION" | sha256sum | cut -c1-10)"
root="${KUBECLASS_CACHE:-$HOME/.cache/kubeclass}/control-plane/${KUBERNETES_VERSION}-${key_hash}"
bin="$root/bin"

force=0
case "${1:-}" in
  --print-bin) echo "$bin"; exit 0 ;;
  --force) force=1 ;;
  "") ;;
  *) echo "usage: $0 [--print-bin|--force]" >&2; exit 2 ;;
esac

log() { echo "control-plane: $*" >&2; }

# has NAME EXPECTED ARGS...: the binary exists and `NAME ARGS...` prints EXPECTED.
has() {
  local name="$1" want="$2"; shift 2
  [ "$force" = 0 ] && [ -x "$bin/$name" ] || return 1
  local out
  out="$("$bin/$name" "$@" 2>&1)" || true
  grep -qF -- "$want" <<<"$out"
}

k8s_ok() {
  has kube-apiserver "Kubernetes $KUBERNETES_VERSION" --version &&
    has kube-controller-manager "Kubernetes $KUBERNETES_VERSION" --version &&
    has kube-scheduler "Kubernetes $KUBERNETES_VERSION" --version &&
    has kubectl "Client Version: $KUBERNETES_VERSION" version --client
}
etcd_ok() { has etcd "etcd Version: ${ETCD_VERSION#v}" --version; }
kwok_ok() {
  has kwok "${KWOK_VERSION#v}" --version && has kwokctl "${KWOK_VERSION#v}" --version
}

if k8s_ok && etcd_ok && kwok_ok; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { log "go is not on PATH"; exit 1; }
mkdir -p "$bin" "$root/src"
exec 9>"$root/.lock"
flock 9 # one build at a time per key

# go_env: how every go command here runs (low priority, one core).
go_() { nice -n 19 env GOMAXPROCS="$jobs" GOFLAGS="-p=$jobs" CGO_ENABLED=0 go "$@"; }

# upstream_gomod MODULE VERSION: path of that module's go.mod in the module cache.
upstream_gomod() {
  go_ mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}
# upstream_time MODULE VERSION: the commit time the proxy records for that version.
upstream_time() {
  local info
  info="$(go_ mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Info": "\(.*\)",\{0,1\}$/\1/p')"
  sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info"
}

# gen_module DIR UPSTREAM VERSION GOMOD TOOL... writes DIR/go.mod: a throwaway main module that
# requires UPSTREAM@VERSION, keeps its `go` and `godebug` lines (so GODEBUG defaults are the
# upstream ones), lists TOOL packages as `tool` lines, then reads REPLACES (stdin) as
# `replace` lines. `go mod tidy` then resolves and checks every dependency.
gen_module() {
  local dir="$1" mod="$2" ver="$3" upstream="$4"; shift 4
  mkdir -p "$dir"
  {
    echo "module kubeclass.local/control-plane/$(basename "$dir")"
    echo
    grep -E '^go [0-9]' "$upstream"
    grep -E '^godebug ' "$upstream" || true
    echo
    echo "require $mod $ver"
    echo
    echo "tool ("
    printf '\t%s\n' "$@"
    echo ")"
    local replaces
    replaces="$(cat)"
    if [ -n "$replaces" ]; then
      echo
      echo "replace ("
      echo "$replaces"
      echo ")"
    fi
  } >"$dir/go.mod.new"
  if ! cmp -s "$dir/go.mod.new" "$dir/go.mod.in" 2>/dev/null; then
    cp "$dir/go.mod.new" "$dir/go.mod.in"
    cp "$dir/go.mod.new" "$dir/go.mod"
    rm -f "$dir/go.sum"
  fi
  rm -f "$dir/go.mod.new"
  (cd "$dir" && go_ mod tidy)
}

# build DIR OUT LDFLAGS PKG...: go build into a scratch folder, then move into bin/.
build() {
  local dir="$1" out="$2" ldflags="$3"; shift 3
  rm -rf "$root/tmp-bin"
  mkdir -p "$root/tmp-bin"
  (cd "$dir" && go_ build -trimpath -ldflags "$ldflags" -o "$root/tmp-bin/$out" "$@")
  mv -f "$root/tmp-bin"/* "$bin/"
  rmdir "$root/tmp-bin"
}

timed() { # timed LABEL CMD...: run, log and record the wall-clock time
  local label="$1" start end; shift
  start=$(date +%s)
  "$@"
  end=$(date +%s)
  log "$label built in $((end - start)) s"
  echo "$(date -u +%FT%TZ) $label $((end - start))s jobs=$jobs $(go env GOVERSION)" >>"$root/build-times.log"
}

# --- etcd -----------------------------------------------------------------------------------
build_etcd() {
  local up dir="$root/src/etcd"
  up="$(upstream_gomod go.etcd.io/etcd/server/v3 "$ETCD_VERSION")"
  # The server module's own `replace ../api` lines only apply inside etcd's repository; as a
  # dependency its requirements (go.etcd.io/etcd/api/v3 etc. at the same tag) come from the proxy.
  gen_module "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$up" go.etcd.io/etcd/server/v3 </dev/null
  build "$dir" etcd "-s -w" go.etcd.io/etcd/server/v3
}

# --- Kubernetes -----------------------------------------------------------------------------
k8s_pkgs=(
  k8s.io/kubernetes/cmd/kube-apiserver
  k8s.io/kubernetes/cmd/kube-controller-manager
  k8s.io/kubernetes/cmd/kube-scheduler
  k8s.io/kubernetes/cmd/kubectl
)
build_kubernetes() {
  local up dir="$root/src/kubernetes" staging date minor ldflags p
  up="$(upstream_gomod k8s.io/kubernetes "$KUBERNETES_VERSION")"
  # k8s.io/kubernetes points every k8s.io/* staging module at ./staging/src/...; a module that
  # requires it must replace each with the published v0.<minor>.<patch> tag. The list is read
  # from k8s.io/kubernetes' own go.mod (block or single-line replace).
  staging="$(sed -n -E 's#^[[:space:]]*(replace[[:space:]]+)?(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\2#p' "$up")"
  [ -n "$staging" ] || { log "no staging replace lines found in $up"; exit 1; }
  for p in $staging; do printf '\t%s => %s %s\n' "$p" "$p" "$KUBERNETES_STAGING_VERSION"; done |
    gen_module "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION" "$up" "${k8s_pkgs[@]}"

  # What hack/lib/version.sh sets; without it the binaries and /version report v0.0.0.
  date="$(upstream_time k8s.io/kubernetes "$KUBERNETES_VERSION")"
  minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  ldflags="-s -w"
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ldflags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  build "$dir" "" "$ldflags" "${k8s_pkgs[@]}"
}

# --- kwok -----------------------------------------------------------------------------------
build_kwok() {
  local up dir="$root/src/kwok" c=sigs.k8s.io/kwok/pkg/consts
  up="$(upstream_gomod sigs.k8s.io/kwok "$KWOK_VERSION")"
  gen_module "$dir" sigs.k8s.io/kwok "$KWOK_VERSION" "$up" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl </dev/null
  build "$dir" "" "-s -w -X $c.Version=${KWOK_VERSION#v} -X $c.KubeVersion=${KUBERNETES_VERSION#v}" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
}

etcd_ok || timed "etcd $ETCD_VERSION" build_etcd
k8s_ok || timed "kubernetes $KUBERNETES_VERSION" build_kubernetes
kwok_ok || timed "kwok $KWOK_VERSION" build_kwok

force=0
if ! (k8s_ok && etcd_ok && kwok_ok); then
  log "built, but a binary does not report the pinned version:"
  for b in "$bin"/*; do log "  $b"; done
  exit 1
fi
"$bin/kube-apiserver" --version >&2
"$bin/kubectl" version --client >&2
echo "$bin"
