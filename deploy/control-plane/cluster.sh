#!/usr/bin/env bash
# The real Kubernetes control plane on loopback, from the binaries build.sh makes: etcd,
# kube-apiserver (RBAC, and the admission plugins a workshop cluster should have),
# kube-controller-manager, kube-scheduler, and kwok standing in for the kubelets of two
# nodes named like kind's (kind-control-plane, tainted; kind-worker). kubeclass's roles
# (deploy/rbac/) are applied and a kubeconfig for its ServiceAccount is written.
#
#   deploy/control-plane/cluster.sh up       start it (idempotent), print how to use it
#   deploy/control-plane/cluster.sh down     stop it
#   deploy/control-plane/cluster.sh status   say whether it runs
#
# Environment: CONTROL_PLANE_DIR (default data/control-plane: certificates, etcd's data,
# logs, kubeconfigs), ETCD_PORT (23790; its peer port is +10), APISERVER_PORT (16443).
# Written there: admin.kubeconfig (system:masters) and kubeclass.kubeconfig (the
# ServiceAccount kubeclass/kubeclass: run kubeclass with it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/versions.env"
dir="${CONTROL_PLANE_DIR:-$root/data/control-plane}"
etcd_port="${ETCD_PORT:-23790}"
etcd_peer=$((etcd_port + 10))
api_port="${APISERVER_PORT:-16443}"
server="https://127.0.0.1:$api_port"
say() { echo "control-plane: $*" >&2; }
now_ms() { date +%s%3N; }

bin="$("$here/build.sh" --print-bin)"
need_binaries() {
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
    [ -x "$bin/$b" ] || { say "$bin/$b is missing: run make setup (or $here/build.sh)"; exit 1; }
  done
}
k() { "$bin/kubectl" --kubeconfig="$dir/admin.kubeconfig" "$@"; }

ready() { [ -f "$dir/admin.token" ] && curl -fsk --max-time 2 -H "Authorization: Bearer $(cat "$dir/admin.token")" "$server/readyz" >/dev/null 2>&1; }

# Stops what runs, one at a time in reverse start order (kwok, scheduler, controller
# manager, apiserver, etcd), so the apiserver still has etcd while it shuts down.
down() {
  [ -f "$dir/pids" ] || return 0
  local p n
  while read -r p; do
    [ -n "$p" ] || continue
    kill "$p" 2>/dev/null || continue
    for ((n = 0; n < 100; n++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done < <(tac "$dir/pids")
  rm -f "$dir/pids"
  say "stopped"
}

# Certificates, service-account keys and static tokens: made once per folder.
credentials() {
  [ -f "$dir/tokens.csv" ] && return
  cd "$dir"
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=kubeclass-ca -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver -keyout apiserver.key -out apiserver.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n' >san.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile san.ext -out apiserver.crt 2>/dev/null
  tok() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
  local admin kcm sched
  admin="$(tok)"; kcm="$(tok)"; sched="$(tok)"
  echo "$admin" >admin.token
  # token,user,uid,"groups"
  printf '%s\n' "$admin,kubeclass-admin,kubeclass-admin,\"system:masters\"" \
    "$kcm,system:kube-controller-manager,system:kube-controller-manager" \
    "$sched,system:kube-scheduler,system:kube-scheduler" >tokens.csv
  kubeconfig admin.kubeconfig "$admin"
  kubeconfig kcm.kubeconfig "$kcm"
  kubeconfig scheduler.kubeconfig "$sched"
  chmod 600 ./*.key ./*.token tokens.csv ./*.kubeconfig
  cd - >/dev/null
}

kubeconfig() { # kubeconfig FILE TOKEN
  local f="$dir/$1"
  KUBECONFIG="$f" "$bin/kubectl" config set-cluster kubeclass-real --server="$server" --certificate-authority="$dir/ca.crt" --embed-certs >/dev/null
  KUBECONFIG="$f" "$bin/kubectl" config set-credentials user --token="$2" >/dev/null
  KUBECONFIG="$f" "$bin/kubectl" config set-context kubeclass-real --cluster=kubeclass-real --user=user >/dev/null
  KUBECONFIG="$f" "$bin/kubectl" config use-context kubeclass-real >/dev/null
}

start() { # start NAME COMMAND...: in the background, logged, remembered
  local name="$1"; shift
  "$@" >"$dir/$name.log" 2>&1 &
  echo $! >>"$dir/pids"
}

up() {
  need_binaries
  mkdir -p "$dir"
  if ready; then
    say "already running on $server"
    usage
    return
  fi
  down
  credentials
  local t0 t1 t2
  t0=$(now_ms)
  start etcd "$bin/etcd" --name=default --data-dir="$dir/etcd" \
    --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer" \
    --initial-cluster="default=http://127.0.0.1:$etcd_peer" \
    --unsafe-no-fsync --quota-backend-bytes=1073741824
  start apiserver "$bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$api_port" \
    --tls-cert-file="$dir/apiserver.crt" --tls-private-key-file="$dir/apiserver.key" \
    --client-ca-file="$dir/ca.crt" --token-auth-file="$dir/tokens.csv" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,ResourceQuota,DefaultStorageClass,NodeRestriction,OwnerReferencesPermissionEnforcement,DenyServiceExternalIPs,ValidatingAdmissionPolicy \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$dir/sa.pub" --service-account-signing-key-file="$dir/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 --service-node-port-range=30000-32767 \
    --allow-privileged=true --endpoint-reconciler-type=none
  local n
  for ((n = 0; n < 600; n++)); do ready && break; sleep 0.1; done
  ready || { say "kube-apiserver is not ready after 60 s"; tail -20 "$dir/apiserver.log" >&2; down; exit 1; }
  t1=$(now_ms)
  start controller-manager "$bin/kube-controller-manager" --kubeconfig="$dir/kcm.kubeconfig" \
    --authentication-kubeconfig="$dir/kcm.kubeconfig" --authorization-kubeconfig="$dir/kcm.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$dir/sa.key" --root-ca-file="$dir/ca.crt" \
    --cluster-signing-cert-file="$dir/ca.crt" --cluster-signing-key-file="$dir/ca.key" \
    --service-cluster-ip-range=10.96.0.0/16
  start scheduler "$bin/kube-scheduler" --kubeconfig="$dir/scheduler.kubeconfig" \
    --authentication-kubeconfig="$dir/scheduler.kubeconfig" --authorization-kubeconfig="$dir/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false
  kwok_stages >"$dir/kwok.yaml"
  start kwok "$bin/kwok" --kubeconfig="$dir/admin.kubeconfig" --config="$dir/kwok.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 --cidr=10.244.0.0/16 --node-ip=127.0.0.1
  nodes
  classes
  KUBECTL="$bin/kubectl --kubeconfig=$dir/admin.kubeconfig" "$root/deploy/rbac/install.sh" "$dir/kubeclass.kubeconfig" 2>/dev/null
  k wait --for=condition=Established crd -l app.kubernetes.io/name=cert-manager --timeout=30s >/dev/null
  k wait --for=condition=Ready node/kind-control-plane node/kind-worker --timeout=60s >/dev/null
  t2=$(now_ms)
  say "kube-apiserver ready in $((t1 - t0)) ms; nodes Ready and kubeclass's roles applied in $((t2 - t0)) ms"
  usage
}

# kwok's own stage definitions (from its module): nodes become Ready and keep their lease;
# pods are Running (and Ready) once scheduled, complete, and go away when deleted.
kwok_stages() {
  local stages
  stages="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')/kustomize/stage"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"; cat "$stages/$f"
  done
}

# Two nodes named like kind's, with what a room needs (8 CPUs, 16 GiB, 110 pods each).
nodes() {
  local name role taint
  for name in kind-control-plane kind-worker; do
    role=""; taint=""
    if [ "$name" = kind-control-plane ]; then
      role='node-role.kubernetes.io/control-plane: ""'
      taint='taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]'
    fi
    k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
  labels:
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    $role
spec: {$taint}
status:
  capacity: {cpu: "8", memory: 16Gi, pods: "110", ephemeral-storage: 100Gi}
  allocatable: {cpu: "8", memory: 16Gi, pods: "110", ephemeral-storage: 100Gi}
EOF
  done
}

# What a kind cluster set up for the workshop has: its default StorageClass (no
# provisioner runs here, so claims stay Pending), the nginx IngressClass (no controller
# runs either) and cert-manager's kinds (kubesim's very definitions; no issuer runs).
classes() {
  k apply -f "$root/kubesim/src/addons/cert_manager/crds.yaml" >/dev/null
  k apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec: {controller: k8s.io/ingress-nginx}
EOF
}

usage() {
  cat >&2 <<EOF
control-plane: Kubernetes $KUBERNETES_VERSION on $server
  kubectl:   $bin/kubectl --kubeconfig=$dir/admin.kubeconfig get nodes
  kubeclass: make run CLUSTER=real   (--cluster kubeconfig --kubeconfig $dir/kubeclass.kubeconfig)
  stop:      make cluster-down
EOF
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) if ready; then say "running on $server"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
