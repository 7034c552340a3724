//! Per-kind strategies, as kube-apiserver's registry has them: one module per kind with
//! its create, update and delete hooks, found by kind. A kind's special behaviour is one
//! file here and one line in [`for_kind`]; everything else gets the generic behaviour.

mod crd;
mod hooks;
mod job;
pub mod namespace;
mod pod;
mod rbac;
mod service;

pub use hooks::{Created, Generic, Strategy, Writing};

/// The strategy for objects of `kind`.
pub fn for_kind(kind: &str) -> &'static dyn Strategy {
    match kind {
        "CustomResourceDefinition" => &crd::CustomResourceDefinition,
        "Job" => &job::Job,
        "Namespace" => &namespace::Namespace,
        "Pod" => &pod::Pod,
        "Role" | "ClusterRole" => &rbac::Role,
        "RoleBinding" | "ClusterRoleBinding" => &rbac::Binding,
        "Service" => &service::Service,
        _ => &Generic,
    }
}
