//! Compiles Kubernetes' own protobuf schemas (the `generated.proto` files of the Go
//! modules k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver and
//! k8s.io/metrics, at the version `deploy/control-plane/versions.env` pins) into a
//! descriptor set that `src/protobuf/` reads: kubectl 1.32 and later send typed bodies
//! as protobuf, and kubesim decodes them with the real field numbers rather than a copy
//! of them. It also reads Kubernetes' OpenAPI document (`api/openapi-spec/swagger.json`
//! of the module k8s.io/kubernetes) for how each built-in type's fields merge — patch
//! strategies, merge keys, list types and their keys — into `patch-schema.json`, which
//! `src/patch_schema.rs` serves to strategic merge patch, server-side apply and the
//! `/openapi` documents alike. The modules come from the Go module cache, which `make
//! setup` fills.

use std::path::{Path, PathBuf};

/// The modules whose `generated.proto` files are compiled, and the folders (under each)
/// that hold them (`""`: every folder).
const MODULES: &[(&str, &[&str])] = &[
    ("k8s.io/api", &[""]),
    (
        "k8s.io/apimachinery",
        &[
            "pkg/api/resource",
            "pkg/apis/meta/v1",
            "pkg/runtime",
            "pkg/runtime/schema",
            "pkg/util/intstr",
        ],
    ),
    (
        "k8s.io/apiextensions-apiserver",
        &["pkg/apis/apiextensions/v1"],
    ),
    ("k8s.io/metrics", &["pkg/apis/metrics/v1beta1"]),
];

fn main() {
    let versions = Path::new("../deploy/control-plane/versions.env");
    println!("cargo:rerun-if-changed={}", versions.display());
    println!("cargo:rerun-if-env-changed=GOMODCACHE");
    let version = staging_version(&std::fs::read_to_string(versions).expect("versions.env"));
    let cache = module_cache();
    let roots: Vec<(String, PathBuf)> = MODULES
        .iter()
        .map(|(module, _)| {
            (
                module.to_string(),
                cache.join(format!("{module}@{version}")),
            )
        })
        .collect();
    for (module, root) in &roots {
        if !root.is_dir() {
            panic!(
                "kubesim needs Kubernetes' protobuf schemas from the Go module {module}@{version}, \
                 which is not in {}: run `make setup` (or `go mod download {module}@{version}`)",
                cache.display()
            );
        }
    }
    let mut files = Vec::new();
    for ((module, folders), (_, root)) in MODULES.iter().zip(&roots) {
        for folder in *folders {
            collect(root, &root.join(folder), module, &mut files);
        }
    }
    files.sort();
    let mut compiler = protox::Compiler::with_file_resolver(Modules(roots));
    compiler.include_imports(true).include_source_info(false);
    compiler
        .open_files(&files)
        .unwrap_or_else(|e| panic!("compiling Kubernetes' protobuf schemas: {e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("kubernetes.desc");
    std::fs::write(&out, compiler.encode_file_descriptor_set()).expect("writing the descriptors");

    let kubernetes = format!("v1.{}", version.trim_start_matches("v0."));
    let swagger = cache.join(format!(
        "k8s.io/kubernetes@{kubernetes}/api/openapi-spec/swagger.json"
    ));
    // Defaults are only in the OpenAPI v3 documents (one per group version).
    let mut v3 = Vec::new();
    if let Ok(entries) = std::fs::read_dir(swagger.with_file_name("v3")) {
        for entry in entries.flatten() {
            v3.extend(std::fs::read_to_string(entry.path()));
        }
    }
    let text = std::fs::read_to_string(&swagger).unwrap_or_else(|e| {
        panic!(
            "kubesim needs Kubernetes' OpenAPI document {}: {e}: run `make setup` (or `go mod \
             download k8s.io/kubernetes@{kubernetes}`)",
            swagger.display()
        )
    });
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("patch-schema.json");
    std::fs::write(&out, patch_schema(&text, &v3)).expect("writing the patch schema");
}

/// From the OpenAPI document: `kinds` (`apps/v1/Deployment` → its definition) and
/// `types` (definition → field → `[type, patch strategy, merge key, list type, list map
/// keys, map type, default]`, `type` being the definition of the field's object or of its list's
/// items), for the fields that have a type or patch metadata, and `atomic`: the
/// definitions owned as one unit (`x-kubernetes-map-type: atomic`, a LabelSelector).
fn patch_schema(swagger: &str, v3: &[String]) -> String {
    use serde_json::{Map, Value, json};
    let doc: Value = serde_json::from_str(swagger).expect("swagger.json is JSON");
    // (definition, field) → default, from the v3 documents' component schemas.
    let mut defaults = std::collections::HashMap::new();
    for text in v3 {
        let Ok(v3) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        for (name, schema) in v3["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                if let Some(default) = property.get("default") {
                    defaults.insert((name.clone(), field.clone()), default.clone());
                }
            }
        }
    }
    let definitions = doc["definitions"].as_object().expect("definitions");
    let reference = |v: &Value| {
        v["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/definitions/"))
            .map(str::to_string)
    };
    let mut kinds = Map::new();
    let mut types = Map::new();
    let mut atomic = Vec::new();
    for (name, definition) in definitions {
        for gvk in definition["x-kubernetes-group-version-kind"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let (group, version, kind) = (
                gvk["group"].as_str().unwrap_or_default(),
                gvk["version"].as_str().unwrap_or_default(),
                gvk["kind"].as_str().unwrap_or_default(),
            );
            let api_version = if group.is_empty() {
                version.to_string()
            } else {
                format!("{group}/{version}")
            };
            kinds.insert(format!("{api_version}/{kind}"), json!(name));
        }
        let mut fields = Map::new();
        for (field, property) in definition["properties"].as_object().into_iter().flatten() {
            let ty = reference(property).or_else(|| reference(&property["items"]));
            let strategy = &property["x-kubernetes-patch-strategy"];
            let key = &property["x-kubernetes-patch-merge-key"];
            let list = &property["x-kubernetes-list-type"];
            let keys = &property["x-kubernetes-list-map-keys"];
            let map = &property["x-kubernetes-map-type"];
            let default = defaults.get(&(name.clone(), field.clone()));
            let plain = strategy.is_null() && list.is_null() && map.is_null();
            if ty.is_none() && plain && default.is_none() {
                continue;
            }
            let keys = if keys.is_null() {
                json!([])
            } else {
                keys.clone()
            };
            let entry = json!([ty, strategy, key, list, keys, map, default]);
            fields.insert(field.clone(), entry);
        }
        if !fields.is_empty() {
            types.insert(name.clone(), Value::Object(fields));
        }
        if definition["x-kubernetes-map-type"] == "atomic" {
            atomic.push(json!(name));
        }
    }
    json!({"kinds": kinds, "types": types, "atomic": atomic}).to_string()
}

/// `KUBERNETES_STAGING_VERSION` as versions.env derives it: v1.34.4 → v0.34.4.
fn staging_version(env: &str) -> String {
    let pinned = env
        .lines()
        .find_map(|l| l.strip_prefix("KUBERNETES_VERSION="))
        .expect("KUBERNETES_VERSION in versions.env");
    let version = pinned
        .trim_matches('"')
        .rsplit([':', '-'])
        .next()
        .unwrap_or_default()
        .trim_matches(['"', '}']);
    format!("v0.{}", version.trim_start_matches("v1."))
}

/// Go's module cache: `$GOMODCACHE`, else what `go env` says, else `~/go/pkg/mod`.
fn module_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("GOMODCACHE").filter(|d| !d.is_empty()) {
        return dir.into();
    }
    let asked = std::process::Command::new("go")
        .args(["env", "GOMODCACHE"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|d| !d.is_empty());
    asked.map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var("HOME").unwrap_or_default()).join("go/pkg/mod")
    })
}

/// Every `generated.proto` under `dir`, named as the files import each other
/// (`k8s.io/api/core/v1/generated.proto`).
fn collect(root: &Path, dir: &Path, module: &str, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Folders of examples and tests hold protos of no API.
            if !matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("testdata" | "testing")
            ) {
                collect(root, &path, module, files);
            }
        } else if path.file_name().is_some_and(|n| n == "generated.proto")
            && let Ok(relative) = path.strip_prefix(root)
        {
            files.push(format!("{module}/{}", relative.display()));
        }
    }
}

/// Resolves an import (`k8s.io/apimachinery/pkg/…/generated.proto`) into its module's
/// folder in the cache (`k8s.io/apimachinery@v0.34.4/pkg/…`).
struct Modules(Vec<(String, PathBuf)>);

impl protox::file::FileResolver for Modules {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        for (module, root) in &self.0 {
            if let Some(rest) = name
                .strip_prefix(module.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                return protox::file::File::open(name, &root.join(rest));
            }
        }
        Err(protox::Error::file_not_found(name))
    }
}
