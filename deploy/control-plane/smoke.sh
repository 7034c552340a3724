#!/usr/bin/env bash
# Smoke check of the binaries build.sh made: etcd + kube-apiserver + kube-controller-manager +
# kube-scheduler + kwok on loopback, in a temp folder, then kubectl against them; one fake Node
# and one Pod that must become Running. Stops everything and deletes the temp folder at the end.
#   deploy/control-plane/smoke.sh          (KEEP=1 keeps the temp folder and its logs)
# Ports (loopback only): etcd 127.0.0.1:${ETCD_PORT:-23790} (peer +10), kube-apiserver
# 127.0.0.1:${APISERVER_PORT:-16443}. kube-controller-manager, kube-scheduler and kwok serve no port.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/versions.env"
bin="$("$here/build.sh" --print-bin)"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
  [ -x "$bin/$b" ] || { echo "smoke: $bin/$b missing: run $here/build.sh" >&2; exit 1; }
done

etcd_port="${ETCD_PORT:-23790}"
etcd_peer=$((etcd_port + 10))
api_port="${APISERVER_PORT:-16443}"
server="https://127.0.0.1:$api_port"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/kubeclass-cp.XXXXXX")"
pids=()
cleanup() {
  local i n p t
  t=$(date +%s%3N)
  # One at a time in reverse start order (kwok, scheduler, controller manager, apiserver, etcd),
  # so the apiserver still has etcd while it shuts down; SIGKILL after 10 s.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p="${pids[i]}"
    kill "$p" 2>/dev/null || continue
    for ((n = 0; n < 100; n++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { echo "smoke: pid $p still up after 10 s: SIGKILL" >&2; kill -9 "$p" 2>/dev/null || true; }
    wait "$p" 2>/dev/null || true
  done
  echo "smoke: stopped in $(($(date +%s%3N) - t)) ms" >&2
  if [ "${KEEP:-0}" = 1 ]; then echo "smoke: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
now_ms() { date +%s%3N; }
say() { echo "smoke: $*" >&2; }

# --- credentials --------------------------------------------------------------------------
cd "$tmp"
openssl genrsa -out sa.key 2048 2>/dev/null
openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=kubeclass-ca \
  -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver \
  -keyout apiserver.key -out apiserver.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' >san.ext
openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
  -extfile san.ext -out apiserver.crt 2>/dev/null
tok() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
admin_token="$(tok)"; kcm_token="$(tok)"; sched_token="$(tok)"
# token,user,uid,"groups"
cat >tokens.csv <<EOF
$admin_token,kubeclass-admin,kubeclass-admin,"system:masters"
$kcm_token,system:kube-controller-manager,system:kube-controller-manager
$sched_token,system:kube-scheduler,system:kube-scheduler
EOF
kubeconfig() { # kubeconfig FILE TOKEN
  KUBECONFIG="$1" "$bin/kubectl" config set-cluster local --server="$server" --certificate-authority="$tmp/ca.crt" --embed-certs >/dev/null
  KUBECONFIG="$1" "$bin/kubectl" config set-credentials user --token="$2" >/dev/null
  KUBECONFIG="$1" "$bin/kubectl" config set-context local --cluster=local --user=user >/dev/null
  KUBECONFIG="$1" "$bin/kubectl" config use-context local >/dev/null
}
kubeconfig admin.kubeconfig "$admin_token"
kubeconfig kcm.kubeconfig "$kcm_token"
kubeconfig scheduler.kubeconfig "$sched_token"
k() { "$bin/kubectl" --kubeconfig="$tmp/admin.kubeconfig" "$@"; }

# --- etcd + kube-apiserver ----------------------------------------------------------------
t0=$(now_ms)
"$bin/etcd" --name=default --data-dir="$tmp/etcd" \
  --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer" \
  --initial-cluster="default=http://127.0.0.1:$etcd_peer" \
  --unsafe-no-fsync --quota-backend-bytes=1073741824 >etcd.log 2>&1 &
pids+=($!)

"$bin/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
  --tls-cert-file=apiserver.crt --tls-private-key-file=apiserver.key \
  --client-ca-file=ca.crt \
  --token-auth-file=tokens.csv \
  --authorization-mode=Node,RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file=sa.pub --service-account-signing-key-file=sa.key \
  --service-cluster-ip-range=10.96.0.0/16 \
  --allow-privileged=true \
  --endpoint-reconciler-type=none \
  >apiserver.log 2>&1 &
pids+=($!)

ready=""
for _ in $(seq 1 600); do
  if curl -fsk --max-time 2 -H "Authorization: Bearer $admin_token" "$server/readyz" >/dev/null 2>&1; then
    ready=1; break
  fi
  sleep 0.1
done
t1=$(now_ms)
[ -n "$ready" ] || { say "kube-apiserver not ready after 60 s"; tail -30 apiserver.log >&2; exit 1; }
say "etcd + kube-apiserver start to /readyz: $((t1 - t0)) ms"

k version
"$bin/kubectl" --server="$server" --token="$admin_token" --certificate-authority=ca.crt get ns
curl -fsS --cacert ca.crt -H "Authorization: Bearer $admin_token" "$server/version" | grep -F '"gitVersion"'
# The machine image's real kubectl binaries (kubectl.1.27 ... kubectl.1.33 beside the dispatcher
# on PATH), when present: the supported skew is +-1 minor.
img_dir="$(dirname "$(readlink -f "$(command -v kubectl || echo /nonexistent)")")"
kubectls="${SMOKE_KUBECTLS:-$img_dir/kubectl.1.32 $img_dir/kubectl.1.33}"
for kv in $kubectls; do
  [ -x "$kv" ] || continue
  say "$(basename "$kv"): $("$kv" --kubeconfig=admin.kubeconfig version 2>&1 | tr '\n' ' ')"
  "$kv" --kubeconfig=admin.kubeconfig get ns >/dev/null && say "$(basename "$kv") get ns: ok"
done

# --- controller manager, scheduler ---------------------------------------------------------
"$bin/kube-controller-manager" --kubeconfig=kcm.kubeconfig \
  --authentication-kubeconfig=kcm.kubeconfig --authorization-kubeconfig=kcm.kubeconfig \
  --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file=sa.key --root-ca-file=ca.crt \
  --cluster-signing-cert-file=ca.crt --cluster-signing-key-file=ca.key \
  --service-cluster-ip-range=10.96.0.0/16 \
  >kcm.log 2>&1 &
pids+=($!)
"$bin/kube-scheduler" --kubeconfig=scheduler.kubeconfig \
  --authentication-kubeconfig=scheduler.kubeconfig --authorization-kubeconfig=scheduler.kubeconfig \
  --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
  >scheduler.log 2>&1 &
pids+=($!)

# --- kwok: fake node and pod lifecycle -------------------------------------------------------
stages="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')/kustomize/stage"
for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
  pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  echo "---"; cat "$stages/$f"
done >kwok.yaml
"$bin/kwok" --kubeconfig=admin.kubeconfig --config=kwok.yaml \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds=40 \
  --cidr=10.244.0.0/16 --node-ip=127.0.0.1 \
  >kwok.log 2>&1 &
pids+=($!)

t2=$(now_ms)
k apply -f - <<'EOF'
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
spec:
  taints:
  - key: kwok.x-k8s.io/node
    value: fake
    effect: NoSchedule
EOF
k wait --for=condition=Ready node/kwok-node-0 --timeout=60s
# the namespace's default ServiceAccount is made by kube-controller-manager
for _ in $(seq 1 300); do k get serviceaccount default >/dev/null 2>&1 && break; sleep 0.2; done
k apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: smoke
spec:
  nodeSelector:
    type: kwok
  tolerations:
  - key: kwok.x-k8s.io/node
    operator: Exists
    effect: NoSchedule
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
EOF
k wait --for=jsonpath='{.status.phase}'=Running pod/smoke --timeout=90s
t3=$(now_ms)
say "fake node created to pod Running (scheduled by kube-scheduler, run by kwok): $((t3 - t2)) ms"
k get nodes -o wide
k get pods -A -o wide
say "OK"
