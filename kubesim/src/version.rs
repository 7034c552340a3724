//! The Kubernetes version kubesim answers as: `/version`, the nodes' kubelet version and
//! the OpenAPI documents all say the same, so kubectl's version skew checks pass.

/// The major version.
pub const MAJOR: &str = "1";
/// The minor version.
pub const MINOR: &str = "34";

/// `v1.34.0`: how the kubelet and kube-proxy report themselves.
pub fn release() -> String {
    format!("v{MAJOR}.{MINOR}.0")
}

/// `v1.34.0-kubesim`: the server's git version, saying what answers.
pub fn git_version() -> String {
    format!("{}-kubesim", release())
}
