//! Image references and the images the simulated registry holds (`images.yaml`): which
//! pull, how long that takes, and which model runs them.

use super::busybox::Shell;
use super::catalog::{IDLE, catalog};
use super::demo_app::DemoApp;
use super::described::{Described, Hook};
use super::process::{Context, Process};
use std::collections::BTreeMap;

/// An image the registry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The fully qualified reference: `docker.io/library/nginx:1.27`.
    pub reference: String,
    /// Its size, as the kubelet's Pulled event reports it.
    pub size_bytes: u64,
    /// How long pulling it takes on the simulated network, in milliseconds.
    pub pull_millis: u64,
    /// Which model runs it: one described in `images.yaml`, or a program in code.
    pub model: &'static str,
    /// The variables its tag gives the model.
    pub vars: BTreeMap<String, String>,
}

impl Image {
    /// Starts a container of this image: the shell and fortio are programs; every other
    /// model is its description, with its hook when it names one.
    pub fn start(&self, context: Context) -> Box<dyn Process> {
        match self.model {
            "shell" => Box::new(Shell::new(context)),
            "fortio" => super::fortio::start(context),
            name => {
                let spec = catalog().model(name).unwrap_or(&IDLE);
                let hook: Option<Box<dyn Hook>> = match spec.hook.as_deref() {
                    Some("demo-app") => Some(Box::new(DemoApp::new(&context, &self.vars))),
                    _ => None,
                };
                Box::new(Described::new(spec, context, self.vars.clone(), hook))
            }
        }
    }
}

/// Why a pull failed, worded as containerd words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullError {
    /// The repository exists but not this tag.
    TagNotFound(String),
    /// No such repository (or a private one).
    AccessDenied(String),
}

impl PullError {
    /// The error as the kubelet reports it (the container's waiting message). The kubelet
    /// strips gRPC's `Unknown` prefix but keeps the others.
    pub fn message(&self) -> String {
        match self {
            PullError::TagNotFound(r) => format!(
                "rpc error: code = NotFound desc = failed to pull and unpack image \"{r}\": failed to resolve reference \"{r}\": {r}: not found"
            ),
            PullError::AccessDenied(r) => format!(
                "failed to pull and unpack image \"{r}\": failed to resolve reference \"{r}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            ),
        }
    }
}

/// Expands a reference as containerd does: `nginx` → `docker.io/library/nginx:latest`.
pub fn normalize(image: &str) -> String {
    let (name, tag) = split_tag(image);
    let first = name.split('/').next().unwrap_or("");
    let qualified = if !name.contains('/') {
        format!("docker.io/library/{name}")
    } else if first.contains('.') || first.contains(':') || first == "localhost" {
        name.to_string()
    } else {
        format!("docker.io/{name}")
    };
    match tag {
        Some(t) if t.starts_with("sha256:") => format!("{qualified}@{t}"),
        Some(t) => format!("{qualified}:{t}"),
        None => format!("{qualified}:latest"),
    }
}

/// The name and the tag (or digest) of a reference.
fn split_tag(image: &str) -> (&str, Option<&str>) {
    if let Some((name, digest)) = image.split_once('@') {
        return (name, Some(digest));
    }
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (image, None),
    }
}

/// Whether the kubelet pulls this image even when the node has it: the default pull
/// policy is `Always` for `:latest` and untagged images.
pub fn pulls_always(image: &str, policy: &str) -> bool {
    match policy {
        "Always" => true,
        "Never" | "IfNotPresent" => false,
        _ => matches!(split_tag(image).1, None | Some("latest")),
    }
}

/// Whether a kind node image ships with this image (kind preloads the control plane's,
/// CNI and storage images), so the kubelet finds it present without pulling.
pub fn preloaded(image: &str) -> bool {
    let reference = normalize(image);
    reference.starts_with("registry.k8s.io/")
        && !reference.starts_with("registry.k8s.io/metrics-server/")
        || reference.starts_with("docker.io/kindest/")
}

/// Looks an image up in the simulated registry.
pub fn lookup(image: &str) -> Result<Image, PullError> {
    let reference = normalize(image);
    let (repository, tag) = split_tag(&reference);
    let tag = tag.unwrap_or("latest");
    let Some(spec) = catalog().image(repository) else {
        return Err(PullError::AccessDenied(reference));
    };
    let Some(vars) = spec.tag_vars(tag) else {
        return Err(PullError::TagNotFound(reference));
    };
    Ok(Image {
        size_bytes: spec.size_mb * 1_000_000 + 123_456,
        // Roughly 25 MB/s after a fixed second of registry round trips.
        pull_millis: 1000 + spec.size_mb * 40,
        model: &spec.model,
        vars,
        reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_expand_like_containerd() {
        assert_eq!(normalize("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(normalize("mysql:8.4"), "docker.io/library/mysql:8.4");
        assert_eq!(
            normalize("kubeclass/demo-app:1.0"),
            "docker.io/kubeclass/demo-app:1.0"
        );
        assert_eq!(
            normalize("registry.k8s.io/pause:3.10"),
            "registry.k8s.io/pause:3.10"
        );
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
    }

    #[test]
    fn known_images_pull_and_others_fail_as_containerd_says() {
        assert!(lookup("nginx:1.27").is_ok());
        assert!(lookup("kubeclass/demo-app:1.1").is_ok());
        assert_eq!(
            lookup("nginx:nope"),
            Err(PullError::TagNotFound(
                "docker.io/library/nginx:nope".into()
            ))
        );
        assert_eq!(
            lookup("kubeclass/demo-app:9.9"),
            Err(PullError::TagNotFound(
                "docker.io/kubeclass/demo-app:9.9".into()
            ))
        );
        let denied = lookup("ngnix").expect_err("typo");
        assert!(
            denied
                .message()
                .contains("pull access denied, repository does not exist")
        );
    }

    #[test]
    fn latest_pulls_always_by_default() {
        assert!(pulls_always("nginx", ""));
        assert!(pulls_always("nginx:latest", ""));
        assert!(!pulls_always("nginx:1.27", ""));
        assert!(!pulls_always("nginx", "IfNotPresent"));
    }
}
