#!/usr/bin/env bash
# Gives kubeclass its footing in a cluster: applies the tenant and platform roles beside
# this script, waits for the ServiceAccount kubeclass/kubeclass, and writes a kubeconfig
# that authenticates as it (a token from the TokenRequest API). Run kubeclass with that
# file, never with an administrator's: the server then holds only the platform role's
# rights, and every attendee's call is made by impersonation under the tenant role.
#
#   deploy/rbac/install.sh OUT_KUBECONFIG
#
# Uses the current context of kubectl (set KUBECONFIG, or KUBECTL="kubectl --context X"),
# which must be allowed to create ClusterRoles, i.e. a cluster administrator's.
# Environment: KUBECTL (default kubectl), TOKEN_DURATION (default 8760h: the longest a
# cluster usually grants; run the script again to renew).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: $0 OUT_KUBECONFIG}"
read -r -a kubectl <<<"${KUBECTL:-kubectl}"
k() { "${kubectl[@]}" "$@"; }

k apply -f "$here/tenant.yaml" -f "$here/platform.yaml" >/dev/null
# The controller manager makes a namespace's ServiceAccounts' tokens possible a moment
# after the namespace exists; the account itself is ours, but wait for it to be readable.
for ((n = 0; n < 300; n++)); do k -n kubeclass get serviceaccount kubeclass >/dev/null 2>&1 && break; sleep 0.2; done
token="$(k -n kubeclass create token kubeclass --duration="${TOKEN_DURATION:-8760h}")"

# The cluster's address and CA as the current context sees them.
server="$(k config view --raw --minify -o jsonpath='{.clusters[0].cluster.server}')"
ca_data="$(k config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
ca_file="$(k config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
if [ -z "$ca_data" ] && [ -n "$ca_file" ]; then ca_data="$(base64 -w0 <"$ca_file")"; fi
[ -n "$server" ] || { echo "install.sh: the current kubectl context names no server" >&2; exit 1; }

umask 077
tmp="$(mktemp "$out.XXXXXX")"
cat >"$tmp" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster:
    server: $server
$( [ -n "$ca_data" ] && echo "    certificate-authority-data: $ca_data" )
users:
- name: kubeclass
  user:
    token: $token
contexts:
- name: kubeclass
  context: {cluster: cluster, user: kubeclass}
current-context: kubeclass
KUBECONFIG
mv "$tmp" "$out"
echo "install.sh: roles applied; kubeconfig for kubeclass/kubeclass written to $out" >&2
