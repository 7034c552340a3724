//! `kubectl describe` of the storage and autoscaling lessons' kinds (a claim, with the
//! pod that mounts it; an HPA with a behavior; a StatefulSet; an Ingress) and of custom
//! resources (cert-manager's, by kubectl's generic describer) compared with real kubectl
//! 1.32's.

use super::{Setup, compare, setup};

/// A claim, a pod that mounts it, the autoscaling lesson's HPA on Deployment `web`, and
/// a StatefulSet with a claim per pod and a Service, and an Ingress to that Service (whose
/// pods, unlike `web`'s, nothing else changes meanwhile) and to one that is not there.
const OBJECTS: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: server, labels: {app: web}}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: holder, namespace: server}\nspec:\n  containers: [{name: app, image: 'kubeclass/demo-app:1.0', volumeMounts: [{name: data, mountPath: /data}]}]\n  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: server}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 6\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]\n  behavior: {scaleDown: {stabilizationWindowSeconds: 300}}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: server}\nspec:\n  serviceName: db\n  replicas: 2\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: 'kubeclass/demo-app:1.0', volumeMounts: [{name: data, mountPath: /data}]}]}\n  volumeClaimTemplates: [{metadata: {name: data, annotations: {note: kept}}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: server}\nspec: {selector: {app: db}, ports: [{port: 80, targetPort: 8000}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: server, annotations: {note: front}}\nspec:\n  ingressClassName: nginx\n  tls: [{hosts: [web.example.com], secretName: web-tls}]\n  rules:\n  - host: web.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: db, port: {number: 80}}}}\n      - {path: /gone, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}\n";

/// What is described, on [`OBJECTS`].
pub(crate) const DESCRIBED: &[&str] = &[
    "describe pvc data -n server",
    "describe persistentvolumeclaims -n server",
    "describe hpa web -n server",
    "describe horizontalpodautoscaler -n server",
    "describe statefulset db -n server",
    "describe sts -n server",
];

/// Compared on kubesim only: on kube-apiserver, the Endpoints of the StatefulSet's
/// starting pods changed between the console's read and kubectl's, moments apart.
const DESCRIBED_HERE: &[&str] = &["describe ingress web -n server"];

/// A self-signed issuer and a Certificate from it: custom resources, which kubectl
/// describes with its generic describer (cert-manager runs on kubesim only).
const ISSUED: &str = "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: selfsigned}\nspec: {selfSigned: {}}\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: site, namespace: server, labels: {app: web}}\nspec:\n  secretName: site-tls\n  dnsNames: [site.example.com]\n  issuerRef: {kind: ClusterIssuer, name: selfsigned}\n";

/// The custom resources described, on [`ISSUED`].
const CUSTOM: &[&str] = &[
    "describe certificate site -n server",
    "describe certificates.cert-manager.io -n server -l app=web",
    "describe certificaterequests -n server",
];

/// [`DESCRIBED`] by the console and by kubectl, after [`OBJECTS`] are applied; where
/// they differ.
pub(crate) async fn compare_described(setup: &Setup) -> Vec<String> {
    setup.apply(OBJECTS).await;
    compare(setup, DESCRIBED).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_autoscalers_stateful_sets_and_ingresses_are_described_as_kubectl_describes_them() {
    let setup = setup("describe").await;
    setup.apply(OBJECTS).await;
    // The HPA's describe changes when its first metrics come (kubesim's first window is
    // 15 s): compare once they have, so the console and kubectl, moments apart, read the
    // same state. (On the real control plane no metrics come: `compare_described`.)
    setup
        .until_console_shows("kubectl get hpa web -n server", "%/50%")
        .await;
    let mut differences = compare(&setup, DESCRIBED).await;
    differences.extend(compare(&setup, DESCRIBED_HERE).await);
    setup.apply(ISSUED).await;
    setup
        .until_console_shows("kubectl get certificate site -n server", "True")
        .await;
    differences.extend(compare(&setup, CUSTOM).await);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
