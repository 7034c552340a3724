#!/usr/bin/env bash
# The workshop cluster for kubeclass: a kind cluster (cluster.yaml beside this script) with
# the three add-ons the lessons need. Trainers run it; lesson 1 explains what it does.
#
#   setup.sh [up]    create the cluster if it is absent, install or update the add-ons, wait
#   setup.sh status  show the nodes and the state of each add-on
#   setup.sh down    delete the cluster
#
# Needs kind, kubectl and a container runtime kind can use (Docker). No Helm: every add-on
# is a pinned release manifest applied with kubectl. Running `up` again is safe: it keeps
# the cluster, re-applies the same manifests and only waits for what is already ready.
#
# Environment:
#   KUBECTL          kubectl to use (default: kubectl). `make setup` puts one in .tools/kubectl,
#                    but that is Debian's v1.20 client: too old for this cluster (kubectl
#                    supports one minor version of skew); the script warns when it sees that.
#   KIND             kind to use (default: kind).
#   KIND_NODE_IMAGE  node image (default below; set it empty to use your kind's own default).
#   KUBECLASS_KUBECONFIG_OUT  where to write the kubeconfig kubeclass runs with (default:
#                    data/kind/kubeclass.kubeconfig in the repository): the ServiceAccount
#                    kubeclass/kubeclass, made by ../rbac/install.sh, not your admin identity.
#
# Every kubectl call names the context kind-kubeclass, so a script run never touches
# another cluster, whatever the current context is.
set -euo pipefail

# --- Pinned versions: change them here, together, and re-run `up`. ---------------------
# Kubernetes v1.36 (supported until 2027-06-28): the newest minor cert-manager v1.21
# supports (1.33 to 1.36). The v1.36 image of kind v0.33.0's release notes, which need kind
# v0.32.0 or newer (kind writes kubeadm's v1beta4 configuration from 1.36 on; cluster.yaml's
# patch is written for it). kind v0.33.0's own default is 1.37, newer than cert-manager v1.21.
DEFAULT_NODE_IMAGE="kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed"
# ingress-nginx: the manifest variant for kind (hostPort 80/443, tolerates the control-plane
# taint, reports "localhost" as the Ingress address). v1.15.1 is its last release: the
# project was retired in March 2026.
INGRESS_NGINX_VERSION="controller-v1.15.1"
INGRESS_NGINX_URL="https://raw.githubusercontent.com/kubernetes/ingress-nginx/${INGRESS_NGINX_VERSION}/deploy/static/provider/kind/deploy.yaml"
# metrics-server: the version lesson 8 shows; image registry.k8s.io/metrics-server/metrics-server.
METRICS_SERVER_VERSION="v0.7.2"
METRICS_SERVER_URL="https://github.com/kubernetes-sigs/metrics-server/releases/download/${METRICS_SERVER_VERSION}/components.yaml"
METRICS_SERVER_IMAGE="registry.k8s.io/metrics-server/metrics-server:${METRICS_SERVER_VERSION}"
# cert-manager: the version lesson 1 shows; the 1.21 line is supported until 1.23 comes out.
CERT_MANAGER_VERSION="v1.21.2"
CERT_MANAGER_URL="https://github.com/cert-manager/cert-manager/releases/download/${CERT_MANAGER_VERSION}/cert-manager.yaml"
# ---------------------------------------------------------------------------------------

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONFIG="$HERE/cluster.yaml"
CLUSTER="kubeclass"          # must equal `name:` in cluster.yaml
CONTEXT="kind-$CLUSTER"
KUBECTL="${KUBECTL:-kubectl}"
KIND="${KIND:-kind}"
KIND_NODE_IMAGE="${KIND_NODE_IMAGE-$DEFAULT_NODE_IMAGE}"
KUBECLASS_KUBECONFIG_OUT="${KUBECLASS_KUBECONFIG_OUT:-$HERE/../../data/kind/kubeclass.kubeconfig}"

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
k() { "$KUBECTL" --context "$CONTEXT" "$@"; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found${2:+ ($2)}"
}

cluster_exists() {
  local clusters
  # Captured first: `kind get clusters | grep -q` can fail under pipefail (SIGPIPE).
  clusters="$("$KIND" get clusters 2>/dev/null || true)"
  grep -qx "$CLUSTER" <<<"$clusters"
}

# kind writes the context when it creates the cluster; put it back if this kubeconfig
# lacks it (another KUBECONFIG, or the file was cleaned up).
ensure_context() {
  if ! "$KUBECTL" config get-contexts "$CONTEXT" >/dev/null 2>&1; then
    say "kubeconfig has no context $CONTEXT; exporting it from kind"
    "$KIND" export kubeconfig --name "$CLUSTER"
  fi
}

# kubectl is supported within one minor version of the API server.
check_skew() {
  local json client server
  json="$(k version -o json 2>/dev/null || true)"
  json="$(tr -d ' \n' <<<"$json")"
  client="$(sed -n 's/.*"clientVersion":{[^}]*"minor":"\([0-9]*\).*/\1/p' <<<"$json")"
  server="$(sed -n 's/.*"serverVersion":{[^}]*"minor":"\([0-9]*\).*/\1/p' <<<"$json")"
  if [[ -n "$client" && -n "$server" ]] && (( client < server - 1 || client > server + 1 )); then
    warn "$KUBECTL is v1.$client and the cluster v1.$server: outside kubectl's supported skew" \
      "of one minor version. Set KUBECTL to a kubectl v1.$((server - 1))..v1.$((server + 1))."
  fi
}

# Runs "$@" every 5 s until it succeeds, for at most $1 seconds; fails with its last output.
retry() {
  local timeout="$1" what="$2" out deadline
  shift 2
  deadline=$((SECONDS + timeout))
  until out="$("$@" 2>&1)"; do
    if (( SECONDS >= deadline )); then
      die "$what not ready after ${timeout}s; last answer: $out"
    fi
    sleep 5
  done
}

# Admission webhooks can lag behind their Deployments (certificates, CA bundle injection).
# A server-side dry run goes through the webhook without creating anything.
probe_ingress_webhook() {
  k apply --dry-run=server -f - <<'EOF'
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubeclass-setup-probe
  namespace: default
spec:
  ingressClassName: nginx
  rules:
    - host: probe.kubeclass.invalid
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: kubeclass-setup-probe
                port:
                  number: 80
EOF
}

probe_cert_manager_webhook() {
  k apply --dry-run=server -f - <<'EOF'
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: kubeclass-setup-probe
  namespace: default
spec:
  selfSigned: {}
EOF
}

create_cluster() {
  if cluster_exists; then
    say "kind cluster $CLUSTER exists (port mappings are fixed at creation: 'down' then 'up' to change them)"
    ensure_context
  else
    say "creating kind cluster $CLUSTER from $CONFIG${KIND_NODE_IMAGE:+ with $KIND_NODE_IMAGE}"
    "$KIND" create cluster --config "$CONFIG" --name "$CLUSTER" \
      ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --wait 180s
  fi
  k wait --for=condition=Ready node --all --timeout=180s
  check_skew
  # A cluster of this name made without cluster.yaml has neither the label nor the port
  # mappings, and the ingress controller would stay Pending: say so instead.
  [[ -n "$(k get nodes -l ingress-ready=true -o name)" ]] ||
    die "no node labelled ingress-ready=true: cluster $CLUSTER was not created from $CONFIG; run '$0 down' then '$0 up'"
}

install_ingress_nginx() {
  say "ingress-nginx $INGRESS_NGINX_VERSION (kind variant)"
  k apply -f "$INGRESS_NGINX_URL"
  # Since controller-v1.13.0 the kind manifest no longer selects the ingress-ready node (it
  # expects cloud-provider-kind and a LoadBalancer Service, which stays <pending> here).
  # Without this nodeSelector the controller may land on the worker, whose ports 80/443
  # are not published, and http://localhost/ would not reach it. `kubectl apply` keeps this
  # extra key on later runs, so the patch is a no-op then.
  k -n ingress-nginx patch deployment ingress-nginx-controller \
    -p '{"spec":{"template":{"spec":{"nodeSelector":{"ingress-ready":"true"}}}}}'
  # rollout status rather than `kubectl wait --for=condition=Available`: the Deployment's
  # maxUnavailable is 1 with 1 replica, so it reports Available with no ready pod at all.
  k -n ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=300s
  retry 120 "ingress-nginx admission webhook" probe_ingress_webhook
  k get ingressclass nginx >/dev/null || die "IngressClass nginx is missing"
}

install_metrics_server() {
  say "metrics-server $METRICS_SERVER_VERSION"
  local image args
  image="$(k -n kube-system get deployment metrics-server \
    -o jsonpath='{.spec.template.spec.containers[0].image}' 2>/dev/null || true)"
  args="$(k -n kube-system get deployment metrics-server \
    -o jsonpath='{.spec.template.spec.containers[0].args}' 2>/dev/null || true)"
  # Applying the release manifest again would reset the container's args and drop the flag
  # patched in below (and the patch would then restart the pod): apply only when the
  # version differs or the flag is missing.
  if [[ "$image" != "$METRICS_SERVER_IMAGE" || "$args" != *--kubelet-insecure-tls* ]]; then
    k apply -f "$METRICS_SERVER_URL"
    args="$(k -n kube-system get deployment metrics-server \
      -o jsonpath='{.spec.template.spec.containers[0].args}')"
    if [[ "$args" != *--kubelet-insecure-tls* ]]; then
      # kind's kubelets serve HTTPS with self-signed certificates that metrics-server cannot
      # verify, so it would scrape nothing and never become ready. Skipping the check is a
      # shortcut for a throwaway kind cluster only: on a real cluster, give the kubelets
      # signed serving certificates (serverTLSBootstrap) and leave this flag out.
      k -n kube-system patch deployment metrics-server --type=json \
        -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'
    fi
  fi
  k -n kube-system rollout status deployment/metrics-server --timeout=300s
  # The aggregated API that kubectl top and the HorizontalPodAutoscaler read.
  k wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=180s
}

install_cert_manager() {
  say "cert-manager $CERT_MANAGER_VERSION"
  k apply -f "$CERT_MANAGER_URL"
  k -n cert-manager wait --for=condition=Available deployment --all --timeout=300s
  retry 180 "cert-manager webhook" probe_cert_manager_webhook
}

# kubeclass's roles (deploy/rbac/) and a kubeconfig for its ServiceAccount.
install_kubeclass() {
  say "kubeclass's roles"
  mkdir -p "$(dirname "$KUBECLASS_KUBECONFIG_OUT")"
  KUBECTL="$KUBECTL --context $CONTEXT" "$HERE/../rbac/install.sh" "$KUBECLASS_KUBECONFIG_OUT"
}

summary() {
  local kubeconfig="${KUBECONFIG:-$HOME/.kube/config}"
  kubeconfig="${kubeconfig%%:*}"
  cat <<EOF

kubeclass workshop cluster is ready.
  context       $CONTEXT (kubeconfig $kubeconfig)
  nodes         $(k get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.status.nodeInfo.kubeletVersion}  {end}')
  host ports    80, 443 -> ingress-nginx (lessons 10, 11); 30080 -> NodePort 30080 (lesson 5)
  ingress-nginx $(k -n ingress-nginx get deployment ingress-nginx-controller -o jsonpath='{.spec.template.spec.containers[0].image}'), IngressClass nginx
  metrics       $(k -n kube-system get deployment metrics-server -o jsonpath='{.spec.template.spec.containers[0].image}') (first samples within a minute: kubectl top nodes)
  cert-manager  $(k -n cert-manager get deployment cert-manager -o jsonpath='{.spec.template.spec.containers[0].image}')

Point kubeclass at it (as its own ServiceAccount, not as you):
  kubeclass --cluster kubeconfig --kubeconfig $KUBECLASS_KUBECONFIG_OUT
Tear it down:
  $0 down
EOF
}

cmd_up() {
  need "$KIND" "https://kind.sigs.k8s.io"
  need "$KUBECTL" "set KUBECTL to its path"
  create_cluster
  install_ingress_nginx
  install_metrics_server
  install_cert_manager
  install_kubeclass
  summary
}

cmd_status() {
  need "$KIND"
  need "$KUBECTL" "set KUBECTL to its path"
  if ! cluster_exists; then
    echo "no kind cluster named $CLUSTER (create it with: $0 up)"
    exit 1
  fi
  ensure_context
  check_skew
  say "nodes"
  k get nodes -o wide || true
  say "ingress-nginx"
  k -n ingress-nginx get deployment,pods -o wide || true
  k get ingressclass || true
  say "metrics-server"
  k -n kube-system get deployment metrics-server || true
  k get apiservice v1beta1.metrics.k8s.io || true
  k top nodes || echo "(no metrics yet)"
  say "cert-manager"
  k -n cert-manager get deployments || true
}

cmd_down() {
  need "$KIND"
  if cluster_exists; then
    say "deleting kind cluster $CLUSTER"
    "$KIND" delete cluster --name "$CLUSTER"
  else
    say "no kind cluster named $CLUSTER; nothing to delete"
  fi
}

case "${1:-up}" in
  up) cmd_up ;;
  status) cmd_status ;;
  down) cmd_down ;;
  -h | --help | help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (use: up, status, down)" ;;
esac
