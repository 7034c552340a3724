//! The attacker's attempts, as data: RBAC, cross-namespace and cluster-scoped writes,
//! the platform's objects, network reach, proxies, tokens, finalizers and owners,
//! volumes, quota, hostile YAML. (Pod security is in `pod_security.rs`.)

use super::{Attempt, How, Victim};

fn console(what: &str, command: &str) -> Attempt {
    Attempt {
        area: "console",
        what: what.into(),
        how: How::Console(command.into()),
    }
}

/// The victim's workspace: the demo app reading a canary Secret into its environment, a
/// Service and an Ingress for it, a claim.
pub fn victim(canary: &str) -> String {
    format!(
        "apiVersion: v1
kind: Secret
metadata: {{name: canary, namespace: default}}
stringData: {{USER: victim, PASSWORD: {canary}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: default}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: app
          image: kubeclass/demo-app:1.0
          envFrom: [{{secretRef: {{name: canary}}}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: default}}
spec: {{selector: {{app: web}}, ports: [{{port: 80, targetPort: 8000}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: web, namespace: default}}
spec:
  ingressClassName: nginx
  rules:
    - host: web.example.com
      http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: web, port: {{number: 80}}}}}}}}]}}
"
    )
}

/// The name of the attacker's first object, by which the test finds their workspace.
pub const ATTACKER_MARK: &str = "attacker-start";

/// The attacker's first, harmless apply: their workspace exists.
pub const ATTACKER_START: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: attacker-start, namespace: default}\ndata: {a: b}\n";

/// A busybox pod running `command` once, then saying it is done.
pub fn busybox(name: &str, command: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: default}}
spec:
  restartPolicy: Never
  containers:
    - name: probe
      image: busybox:1.36
      command: [sh, -c, '{command}; echo probe done']
"
    )
}

fn apply(area: &'static str, what: &str, manifest: &str) -> Attempt {
    Attempt {
        area,
        what: what.into(),
        how: How::Apply(manifest.into()),
    }
}

fn configmap_in(namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: sneaky, namespace: {namespace}}}\ndata: {{a: b}}\n"
    )
}

fn cluster_scoped(api_version: &str, kind: &str, spec: &str) -> String {
    format!("apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: sneaky}}\n{spec}")
}

fn role(rules: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: sneaky, namespace: default}}\nrules: {rules}\n"
    )
}

fn binding(role_kind: &str, role: &str, subject: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: sneaky, namespace: default}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects: [{subject}]\n"
    )
}

const SA: &str = "{kind: ServiceAccount, name: default, namespace: default}";

/// Every attempt but pod security's.
pub fn all(victim: &Victim) -> Vec<Attempt> {
    let ns = &victim.namespace;
    let ip = &victim.pod_ip;
    let mut attempts = vec![
        // RBAC: escalation, bind, impersonate, wildcards, bindings to cluster roles and groups.
        apply("rbac", "a Role with every verb on everything", &role("[{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]")),
        apply("rbac", "a Role that may escalate roles", &role("[{apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}]")),
        apply("rbac", "a Role that may bind any role", &role("[{apiGroups: [rbac.authorization.k8s.io], resources: [roles, clusterroles], verbs: [bind]}]")),
        apply("rbac", "a Role that may impersonate", &role("[{apiGroups: [''], resources: [users, groups, serviceaccounts], verbs: [impersonate]}]")),
        apply("rbac", "a Role that reads Secrets in every namespace's way (nodes)", &role("[{apiGroups: [''], resources: [nodes, namespaces], verbs: [get, list]}]")),
        apply("rbac", "a Role for network policies", &role("[{apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [create, delete]}]")),
        apply("rbac", "a Role for the quota", &role("[{apiGroups: [''], resources: [resourcequotas], verbs: [update, delete]}]")),
        apply("rbac", "a binding to cluster-admin", &binding("ClusterRole", "cluster-admin", SA)),
        apply("rbac", "a binding to admin", &binding("ClusterRole", "admin", SA)),
        apply("rbac", "a binding to the platform's role", &binding("ClusterRole", "kubeclass-platform", SA)),
        apply("rbac", "a binding for system:authenticated", &binding("ClusterRole", "kubeclass-tenant", "{apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'system:authenticated'}")),
        apply("rbac", "a binding for a user", &binding("ClusterRole", "view", "{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}")),
        apply("rbac", "a binding for the victim's service account", &binding("ClusterRole", "view", &format!("{{kind: ServiceAccount, name: default, namespace: {ns}}}"))),
        apply("rbac", "a ClusterRole", &cluster_scoped("rbac.authorization.k8s.io/v1", "ClusterRole", "rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n")),
        apply("rbac", "a ClusterRoleBinding", &cluster_scoped("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", &format!("roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\nsubjects: [{SA}]\n"))),
        // Writes outside the workspace.
        apply("namespaces", "a ConfigMap in the victim's namespace", &configmap_in(ns)),
        apply("namespaces", "a ConfigMap in kube-system", &configmap_in("kube-system")),
        apply("namespaces", "a ConfigMap in kubeclass", &configmap_in("kubeclass")),
        apply("namespaces", "a ConfigMap in kube-public", &configmap_in("kube-public")),
        apply("namespaces", "a Secret in the victim's namespace", &format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: canary, namespace: {ns}}}\nstringData: {{PASSWORD: mine}}\n")),
        apply("cluster-scoped", "a PersistentVolume on the host", &cluster_scoped("v1", "PersistentVolume", "spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /}}\n")),
        apply("cluster-scoped", "a StorageClass", &cluster_scoped("storage.k8s.io/v1", "StorageClass", "provisioner: rancher.io/local-path\n")),
        apply("cluster-scoped", "an IngressClass", &cluster_scoped("networking.k8s.io/v1", "IngressClass", "spec: {controller: k8s.io/ingress-nginx}\n")),
        apply("cluster-scoped", "a CustomResourceDefinition", &cluster_scoped("apiextensions.k8s.io/v1", "CustomResourceDefinition", "spec: {group: x.io, names: {plural: sneakies, kind: Sneaky}, scope: Cluster, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]}\n")),
        apply("cluster-scoped", "a Node", &cluster_scoped("v1", "Node", "spec: {}\n")),
        apply("cluster-scoped", "a ClusterIssuer with a CA", &cluster_scoped("cert-manager.io/v1", "ClusterIssuer", "spec: {ca: {secretName: cert-manager-webhook-ca}}\n")),
        apply("cluster-scoped", "a ClusterIssuer with ACME", &cluster_scoped("cert-manager.io/v1", "ClusterIssuer", "spec: {acme: {server: 'https://acme.example/directory', privateKeySecretRef: {name: k}, solvers: []}}\n")),
        apply("cluster-scoped", "a namespace with Pod Security turned off", "apiVersion: v1\nkind: Namespace\nmetadata: {name: free, labels: {pod-security.kubernetes.io/enforce: privileged}}\n"),
        apply("cluster-scoped", "a namespace that never goes away", "apiVersion: v1\nkind: Namespace\nmetadata: {name: forever}\nspec: {finalizers: [kubernetes]}\n"),
        // The platform's own objects.
        apply("platform", "a larger quota", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: workspace-quota, namespace: default}\nspec: {hard: {pods: '1000'}}\n"),
        apply("platform", "looser limits", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: workspace-limits, namespace: default}\nspec: {limits: [{type: Container, max: {cpu: '64'}}]}\n"),
        apply("platform", "an open network policy", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: workspace-isolation, namespace: default}\nspec: {podSelector: {}, ingress: [{}]}\n"),
        apply("platform", "a second network policy letting everyone in", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: default}\nspec: {podSelector: {}, ingress: [{}]}\n"),
        apply("platform", "a second quota", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: mine, namespace: default}\nspec: {hard: {pods: '1'}}\n"),
        apply("platform", "the tenant binding for everyone", &binding("ClusterRole", "kubeclass-tenant", "{apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'system:authenticated'}").replace("name: sneaky", "name: kubeclass-tenant")),
        apply("platform", "a label the workshop owns", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: labelled, namespace: default, labels: {kubeclass.dev/short-name: x}}\n"),
        Attempt { area: "platform", what: "delete the quota".into(), how: How::Delete("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: workspace-quota, namespace: default}\n".into()) },
        Attempt { area: "platform", what: "delete the network policy".into(), how: How::Delete("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: workspace-isolation, namespace: default}\n".into()) },
        Attempt { area: "platform", what: "delete the limits".into(), how: How::Delete("apiVersion: v1\nkind: LimitRange\nmetadata: {name: workspace-limits, namespace: default}\n".into()) },
        Attempt { area: "platform", what: "delete the tenant binding".into(), how: How::Delete("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: kubeclass-tenant, namespace: default}\n".into()) },
        Attempt { area: "platform", what: "delete the victim's canary".into(), how: How::Delete(format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: canary, namespace: {ns}}}\n")) },
        // Network reach.
        Attempt { area: "network", what: "the victim's pod by its IP".into(), how: How::Reach(format!("wget -T 2 -qO- http://{ip}:8000/secret")) },
        Attempt { area: "network", what: "the victim's service by its DNS name".into(), how: How::Reach(format!("wget -T 2 -qO- http://web.{ns}.svc.cluster.local/secret")) },
        Attempt { area: "network", what: "the victim's service by its short DNS name".into(), how: How::Reach(format!("curl -s -m 2 http://web.{ns}/secret")) },
        Attempt { area: "network", what: "the victim's pod on another port".into(), how: How::Reach(format!("wget -T 2 -qO- http://{ip}:80/secret")) },
        Attempt { area: "network", what: "the victim's Ingress host from inside".into(), how: How::Reach(format!("wget -T 2 -qO- http://{}/secret", victim.host)) },
        apply("network", "an ExternalName to the victim's service", &format!("apiVersion: v1\nkind: Service\nmetadata: {{name: relay, namespace: default}}\nspec: {{type: ExternalName, externalName: web.{ns}.svc.cluster.local}}\n")),
        apply("network", "a Service with external IPs", "apiVersion: v1\nkind: Service\nmetadata: {name: relay, namespace: default}\nspec: {ports: [{port: 80}], externalIPs: [10.0.0.1]}\n"),
        apply("network", "hand-made Endpoints to the victim's pod", &format!("apiVersion: v1\nkind: Endpoints\nmetadata: {{name: relay, namespace: default}}\nsubsets: [{{addresses: [{{ip: {ip}}}], ports: [{{port: 8000}}]}}]\n")),
        apply("network", "a hand-made EndpointSlice to the victim's pod", &format!("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {{name: relay, namespace: default, labels: {{kubernetes.io/service-name: relay}}}}\naddressType: IPv4\nendpoints: [{{addresses: [{ip}]}}]\nports: [{{port: 8000}}]\n")),
        apply("network", "an Ingress for every host", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: all, namespace: default}\nspec: {ingressClassName: nginx, rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: hello, port: {number: 80}}}}]}}]}\n"),
        apply("network", "an Ingress default backend", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: all, namespace: default}\nspec: {ingressClassName: nginx, defaultBackend: {service: {name: hello, port: {number: 80}}}}\n"),
        apply("network", "an Ingress for a wildcard host", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: all, namespace: default}\nspec: {ingressClassName: nginx, rules: [{host: '*.example.com', http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: hello, port: {number: 80}}}}]}}]}\n"),
        // The API's proxies and readers, pointed at the victim.
        Attempt { area: "proxy", what: "try the victim's app by its real namespace".into(), how: How::Get(format!("/api/workspace/try/{ns}/web/80/secret")) },
        Attempt { area: "proxy", what: "try the victim's app by path traversal".into(), how: How::Get(format!("/api/workspace/try/default/..%2f..%2f{ns}%2fservices%2fweb/80/secret")) },
        Attempt { area: "proxy", what: "the victim's canary as YAML".into(), how: How::Get(format!("/api/workspace/object/{ns}/Secret/canary")) },
        Attempt { area: "proxy", what: "the victim's objects".into(), how: How::Get("/api/workspace/objects".into()) },
        // The console, pointed at the victim.
        console("the victim's canary as YAML", &format!("kubectl get secret canary -n {ns} -o yaml")),
        console("the victim's Secrets as JSON", &format!("kubectl get secrets --namespace={ns} -o json")),
        console("the victim's canary by resource/name", &format!("kubectl -n {ns} get secret/canary -o json")),
        console("the victim's namespace by path traversal", &format!("kubectl get secrets -n ../{ns}")),
        console("the victim's canary by a name with a path", &format!("kubectl get secrets '../../namespaces/{ns}/secrets/canary' -o yaml")),
        console("the victim's canary by impersonating", &format!("kubectl get secret canary -n {ns} --as=system:admin -o yaml")),
        console("the victim's canary through the admin kubeconfig", &format!("kubectl --kubeconfig=/etc/kubernetes/admin.conf get secret canary -n {ns}")),
        console("the victim's canary through a pipe", &format!("kubectl get secret canary -n default | kubectl get secret canary -n {ns}")),
        console("the cluster's nodes", "kubectl get nodes -o yaml"),
        console("the victim's canary by a JSONPath", &format!("kubectl get secret canary -n {ns} -o 'jsonpath={{.data}}'")),
        console("the victim's service account's rights", &format!("kubectl auth can-i get secrets -n {ns} --as=system:serviceaccount:{ns}:default")),
        console("a context in the victim's namespace", &format!("kubectl config set-context --current --namespace=../{ns}")),
        console("a port-forward to the victim's pods", &format!("kubectl port-forward -n {ns} svc/web 8000:80")),
        console("the victim's pods followed", &format!("kubectl get pods -n {ns} -w")),
        console("curl to the cluster's API", "curl -sS https://kubernetes.default.svc/api/v1/namespaces"),
        // Tokens.
        apply("tokens", "a token Secret of a chosen account", "apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: default, annotations: {kubernetes.io/service-account.name: default}}\ntype: kubernetes.io/service-account-token\n"),
        apply("tokens", "a pod as the platform's account", "apiVersion: v1\nkind: Pod\nmetadata: {name: thief, namespace: default}\nspec: {serviceAccountName: kubeclass, containers: [{name: c, image: busybox:1.36}]}\n"),
        // Finalizers and owners: stripped, and said so.
        Attempt { area: "finalizers", what: "a finalizer nobody removes".into(), how: How::Stripped { manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stuck, namespace: default, finalizers: [example.com/never]}\n".into(), field: "metadata.finalizers", note: "metadata.finalizers" } },
        Attempt { area: "owners", what: "an owner reference to the victim's object".into(), how: How::Stripped { manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, namespace: default, ownerReferences: [{apiVersion: v1, kind: Secret, name: canary, uid: 00000000-0000-0000-0000-000000000000}]}\n".into(), field: "metadata.ownerReferences", note: "metadata.ownerReferences" } },
        Attempt { area: "owners", what: "a status of its own making".into(), how: How::Stripped { manifest: "apiVersion: v1\nkind: Service\nmetadata: {name: faked, namespace: default}\nspec: {ports: [{port: 80}]}\nstatus: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}\n".into(), field: "status.loadBalancer.ingress", note: "status" } },
        // Volumes.
        apply("volumes", "a claim on someone else's volume", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: theirs, namespace: default}\nspec: {volumeName: pvc-victim, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n"),
        apply("volumes", "a claim larger than the quota", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: huge, namespace: default}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Ti}}}\n"),
        // Quota, in one request and against the limits.
        apply("quota", "twenty-five ConfigMaps at once", &(0..25).map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: many-{i}, namespace: default}}\n")).collect::<Vec<_>>().join("---\n")),
        apply("quota", "three node ports at once", &(0..3).map(|i| format!("apiVersion: v1\nkind: Service\nmetadata: {{name: np-{i}, namespace: default}}\nspec: {{type: NodePort, ports: [{{port: 80}}]}}\n")).collect::<Vec<_>>().join("---\n")),
        apply("quota", "two load balancers at once", &(0..2).map(|i| format!("apiVersion: v1\nkind: Service\nmetadata: {{name: lb-{i}, namespace: default}}\nspec: {{type: LoadBalancer, ports: [{{port: 80}}]}}\n")).collect::<Vec<_>>().join("---\n")),
        apply("quota", "a container over the limit range", "apiVersion: v1\nkind: Pod\nmetadata: {name: greedy, namespace: default}\nspec: {containers: [{name: c, image: busybox:1.36, resources: {requests: {cpu: '8'}, limits: {cpu: '8'}}}]}\n"),
        Attempt { area: "quota", what: "a thousand replicas".into(), how: How::Bounded { manifest: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: swarm, namespace: default}\nspec: {replicas: 1000, selector: {matchLabels: {app: swarm}}, template: {metadata: {labels: {app: swarm}}, spec: {containers: [{name: c, image: busybox:1.36, command: [sleep, '3600']}]}}}\n".into(), pods: 20 } },
    ];
    for (name, make, _) in server::pipeline::hostile::shapes() {
        attempts.push(Attempt {
            area: "hostile yaml",
            what: name.into(),
            how: How::Apply(make()),
        });
    }
    attempts
}
