//! The cluster's shape: its nodes (by default kind's two, a tainted control plane and a
//! worker) and the objects a fresh kind cluster has for users to list — the `standard`
//! StorageClass (kind's local-path provisioner) and the `nginx` IngressClass.

use serde_json::{Value, json};

/// A node to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    /// The node's name (`kind-worker`).
    pub name: String,
    /// Whether it is the control plane: labelled and tainted so workloads avoid it, and where the static pods run.
    pub control_plane: bool,
    /// CPU cores.
    pub cpu: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Maximum pods (the kubelet's `maxPods`).
    pub pods: u32,
}

impl NodeSpec {
    /// A worker node.
    pub fn worker(name: &str) -> NodeSpec {
        NodeSpec {
            name: name.into(),
            control_plane: false,
            cpu: 4,
            memory_mib: 8 * 1024,
            pods: 110,
        }
    }

    /// The control-plane node (tainted NoSchedule).
    pub fn control_plane(name: &str) -> NodeSpec {
        NodeSpec {
            control_plane: true,
            ..NodeSpec::worker(name)
        }
    }
}

/// kind's default two-node shape.
pub fn kind_default() -> Vec<NodeSpec> {
    vec![
        NodeSpec::control_plane("kind-control-plane"),
        NodeSpec::worker("kind-worker"),
    ]
}

/// The Node object for the `index`-th node: its labels, taint, pod network, capacity,
/// conditions and addresses, as a kind node reports them.
pub fn node_object(spec: &NodeSpec, index: usize, now: &str) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
    });
    let mut taints = json!([]);
    if spec.control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        taints = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    }
    let cidr = format!("10.244.{index}.0/24");
    let capacity = json!({
        "cpu": spec.cpu.to_string(), "ephemeral-storage": "102626232Ki",
        "hugepages-1Gi": "0", "hugepages-2Mi": "0",
        "memory": format!("{}Ki", spec.memory_mib * 1024), "pods": spec.pods.to_string(),
    });
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "lastHeartbeatTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message})
    };
    let mut node = json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": spec.name, "labels": labels, "annotations": {
            "node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": format!("kind://docker/kind/{}", spec.name)},
        "status": {
            "capacity": capacity, "allocatable": capacity,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [{"type": "InternalIP", "address": format!("172.18.0.{}", index + 2)},
                {"type": "Hostname", "address": spec.name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "bootID": "", "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.1.0-kubesim", "kubeProxyVersion": "", "kubeletVersion": crate::version::release(),
                "machineID": "", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": ""},
        },
    });
    if taints.as_array().is_some_and(|t| !t.is_empty()) {
        node["spec"]["taints"] = taints;
    }
    node
}

/// The objects of a fresh kind cluster besides nodes, namespaces and add-ons: (group,
/// plural, namespace, object).
pub fn kind_objects() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let service = |namespace: &str, name: &str, ip: &str, selector: Value, ports: Value| {
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "labels": if name == "kubernetes" {
                json!({"component": "apiserver", "provider": "kubernetes"}) } else {
                json!({"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}) }},
            "spec": {"type": "ClusterIP", "clusterIP": ip, "clusterIPs": [ip], "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster", "sessionAffinity": "None",
                "selector": selector, "ports": ports},
            "status": {"loadBalancer": {}}})
    };
    vec![
        (
            "",
            "services",
            "default",
            service(
                "default",
                "kubernetes",
                "10.96.0.1",
                Value::Null,
                json!([{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]),
            ),
        ),
        (
            "",
            "endpoints",
            "default",
            json!({"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": "172.18.0.2"}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}),
        ),
        (
            "",
            "services",
            "kube-system",
            service(
                "kube-system",
                "kube-dns",
                "10.96.0.10",
                json!({"k8s-app": "kube-dns"}),
                json!([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]),
            ),
        ),
        (
            "storage.k8s.io",
            "storageclasses",
            "",
            json!({
                "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
                "volumeBindingMode": "WaitForFirstConsumer",
            }),
        ),
    ]
}

/// The workloads a fresh kind cluster runs for itself, for `kubectl get pods -A`:
/// CoreDNS, kube-proxy and kindnet on every node, the local-path provisioner, and the
/// control plane's static pods. (group, plural, namespace, object).
pub fn system_workloads(
    nodes: &[NodeSpec],
) -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let tolerate_all = json!([{"operator": "Exists"}]);
    let control_plane_toleration = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
        {"key": "CriticalAddonsOnly", "operator": "Exists"}]);
    let container = |name: &str, image: &str, cpu: &str, memory: &str| json!({"name": name, "image": image, "resources": {"requests": {"cpu": cpu, "memory": memory}}});
    let daemonset = |name: &str, image: &str, cpu: &str| {
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "kube-system", "labels": {"k8s-app": name}},
            "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                "template": {"metadata": {"labels": {"k8s-app": name}},
                    "spec": {"tolerations": tolerate_all, "priorityClassName": "system-node-critical",
                        "containers": [container(name, image, cpu, "50Mi")]}}}})
    };
    let mut objects = vec![
        (
            "apps",
            "deployments",
            "kube-system",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}},
                    "spec": {"tolerations": control_plane_toleration, "priorityClassName": "system-cluster-critical",
                        "containers": [container("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", "100m", "70Mi")]}}}}),
        ),
        (
            "apps",
            "daemonsets",
            "kube-system",
            daemonset("kube-proxy", "registry.k8s.io/kube-proxy:v1.32.0", "0"),
        ),
        (
            "apps",
            "daemonsets",
            "kube-system",
            daemonset(
                "kindnet",
                "docker.io/kindest/kindnetd:v20241108-5c6d2daf",
                "100m",
            ),
        ),
        (
            "apps",
            "deployments",
            "local-path-storage",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "local-path-provisioner", "namespace": "local-path-storage"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "local-path-provisioner"}},
                "template": {"metadata": {"labels": {"app": "local-path-provisioner"}},
                    "spec": {"tolerations": control_plane_toleration,
                        "containers": [container("local-path-provisioner", "docker.io/kindest/local-path-provisioner:v20241108-5c6d2daf", "0", "0")]}}}}),
        ),
    ];
    if let Some(control_plane) = nodes.iter().find(|n| n.control_plane) {
        for (component, image, cpu) in [
            ("etcd", "registry.k8s.io/etcd:3.5.16-0", "100m"),
            (
                "kube-apiserver",
                "registry.k8s.io/kube-apiserver:v1.32.0",
                "250m",
            ),
            (
                "kube-controller-manager",
                "registry.k8s.io/kube-controller-manager:v1.32.0",
                "200m",
            ),
            (
                "kube-scheduler",
                "registry.k8s.io/kube-scheduler:v1.32.0",
                "100m",
            ),
        ] {
            let name = format!("{component}-{}", control_plane.name);
            objects.push(("", "pods", "kube-system", json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": "kube-system",
                    "labels": {"component": component, "tier": "control-plane"},
                    "annotations": {"kubernetes.io/config.source": "file"}},
                "spec": {"nodeName": control_plane.name, "hostNetwork": true, "priorityClassName": "system-node-critical",
                    "tolerations": [{"operator": "Exists", "effect": "NoExecute"}],
                    "containers": [container(component, image, cpu, "0")]}})));
        }
    }
    objects
}
