//! Today's kubectl against `kubesim serve`: kubectl 1.32 and later send typed request
//! bodies as Kubernetes' protobuf and ask for protobuf answers (`Accept:
//! application/vnd.kubernetes.protobuf, */*`). The binaries are the real ones: 1.32 and
//! 1.33 from the machine image's google-cloud-cli, and the 1.34 that `make setup` builds
//! with the real control plane. `explain` reads the OpenAPI v3 documents, CRDs' included.

use super::real_clients::serve;
use std::path::PathBuf;

/// Where the machine image keeps kubectl 1.27 … 1.33 (the `kubectl` on PATH beside them
/// is a dispatcher with its own error wording).
const IMAGE_KUBECTLS: &str = "/usr/lib/google-cloud-sdk/bin";

fn kubectls() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ["1.32", "1.33"]
        .iter()
        .map(|v| PathBuf::from(IMAGE_KUBECTLS).join(format!("kubectl.{v}")))
        .collect();
    let built = std::process::Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../deploy/control-plane/build.sh"
        ))
        .arg("--print-bin")
        .output()
        .expect("deploy/control-plane/build.sh --print-bin");
    found.push(PathBuf::from(String::from_utf8_lossy(&built.stdout).trim()).join("kubectl"));
    for kubectl in &found {
        assert!(
            kubectl.exists(),
            "{} is missing (the machine image's kubectls; `make setup` builds 1.34)",
            kubectl.display()
        );
    }
    found
}

const WIDGETS: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, description: How big the widget is.}
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todays_kubectl_writes_in_protobuf_and_reads_the_answers() {
    let s = serve("todays-kubectl").await;
    for kubectl in kubectls() {
        let v = kubectl.display().to_string();
        let run = |args: Vec<String>| {
            let (s, kubectl) = (&s, kubectl.clone());
            async move {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let out = s.run(&kubectl, &args).await;
                let (stdout, stderr) = (
                    String::from_utf8_lossy(&out.stdout).to_string(),
                    String::from_utf8_lossy(&out.stderr).to_string(),
                );
                assert!(
                    out.status.success(),
                    "{} {}: {stdout}{stderr}",
                    kubectl.display(),
                    args.join(" ")
                );
                (stdout.trim().to_string(), stderr)
            }
        };
        let words = |line: &str| {
            line.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let ns = format!(
            "lab-{}",
            kubectl
                .to_string_lossy()
                .rsplit(['.', '/'])
                .next()
                .unwrap_or("x")
                .replace(|c: char| !c.is_ascii_alphanumeric(), "")
        );
        // The namespace's creation, logged: the body went as protobuf, the answer came back
        // as protobuf, and kubectl read it.
        let (out, log) = run(words(&format!("create namespace {ns} -v=8"))).await;
        assert_eq!(out, format!("namespace/{ns} created"), "{v}");
        assert_eq!(
            log.matches("Content-Type: application/vnd.kubernetes.protobuf")
                .count(),
            2,
            "{v}: the request's and the answer's: {log}"
        );
        for (command, said) in [
            (
                format!("create configmap settings --from-literal=mode=fast -n {ns}"),
                "configmap/settings created",
            ),
            (
                format!("create secret generic login --from-literal=password=hunter2 -n {ns}"),
                "secret/login created",
            ),
            (
                format!("create deployment web --image=nginx:1.27 --replicas=2 --port=80 -n {ns}"),
                "deployment.apps/web created",
            ),
            (
                format!("expose deployment web --port=80 -n {ns}"),
                "service/web exposed",
            ),
            (
                format!("create ingress web --rule=web.example.com/*=web:80 -n {ns}"),
                "ingress.networking.k8s.io/web created",
            ),
            (
                format!("create job once --image=busybox:1.36 -n {ns} -- echo hi"),
                "job.batch/once created",
            ),
            (
                format!("create role reader --verb=get --resource=pods -n {ns}"),
                "role.rbac.authorization.k8s.io/reader created",
            ),
            (
                format!("create rolebinding reader --role=reader --user=bob -n {ns}"),
                "rolebinding.rbac.authorization.k8s.io/reader created",
            ),
            (
                format!("run lone --image=nginx:1.27 -n {ns}"),
                "pod/lone created",
            ),
            (
                format!("scale deployment web --replicas=3 -n {ns}"),
                "deployment.apps/web scaled",
            ),
            (format!("auth can-i get pods -n {ns} --as=bob"), "yes"),
            (format!("auth can-i delete pods -n {ns} --as=bob"), "no"),
        ] {
            let out = s
                .run(
                    &kubectl,
                    &words(&command)
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                )
                .await;
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(printed.trim(), said, "{v} {command}");
        }
        // `explain` reads the OpenAPI v3 documents: built-in kinds, and a CRD's kind
        // from its schema.
        let (out, _) = run(words("explain deployment.spec.replicas")).await;
        assert!(out.contains("FIELD: replicas <integer>"), "{v}: {out}");
        let crd = std::env::temp_dir().join(format!("kubesim-widgets-{}.yaml", std::process::id()));
        std::fs::write(&crd, WIDGETS).expect("crd file");
        run(vec!["apply".into(), "-f".into(), crd.display().to_string()]).await;
        let (explained, _) = run(words("explain widget.spec.size")).await;
        assert!(
            explained.contains("KIND:       Widget")
                && explained.contains("FIELD: size <integer>")
                && explained.contains("How big the widget is."),
            "{v}: {explained}"
        );
        // What was written reads back as it was meant (through JSON).
        let (json, _) = run(words(&format!(
            "get deployment,configmap,secret,ingress -n {ns} -o json"
        )))
        .await;
        let list: serde_json::Value = serde_json::from_str(&json).expect("json");
        let items = list["items"].as_array().expect("items");
        let find = |kind: &str| {
            items
                .iter()
                .find(|i| i["kind"] == kind)
                .unwrap_or_else(|| panic!("{v}: no {kind}"))
        };
        let deployment = find("Deployment");
        assert_eq!(deployment["spec"]["replicas"], 3, "{v}");
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            (
                container["image"].as_str(),
                container["ports"][0]["containerPort"].as_i64()
            ),
            (Some("nginx:1.27"), Some(80)),
            "{v}"
        );
        assert_eq!(
            container["imagePullPolicy"], "IfNotPresent",
            "{v}: defaulted, not empty"
        );
        assert_eq!(find("ConfigMap")["data"]["mode"], "fast", "{v}");
        assert_eq!(find("Secret")["data"]["password"], "aHVudGVyMg==", "{v}");
        let rule = &find("Ingress")["spec"]["rules"][0];
        assert_eq!(
            (
                rule["host"].as_str(),
                rule["http"]["paths"][0]["backend"]["service"]["name"].as_str()
            ),
            (Some("web.example.com"), Some("web")),
            "{v}"
        );
    }
}
