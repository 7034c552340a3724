//! The registry: the verbs on objects (get, list, create, update, patch, delete,
//! deletecollection, the status and scale subresources, pod binding and eviction) as
//! kube-apiserver's registry runs them, between the request and the store — defaulting,
//! admission, validation, field ownership, and each kind's [`strategy`]. It knows no
//! HTTP: the API layer parses requests into a [`Target`] and a [`RequestContext`] and
//! calls it, and the controllers write through it as kube-controller-manager writes
//! through the API.

mod base;
mod checks;
mod context;
mod delete;
mod patch;
mod pods;
mod read;
mod selectors;
pub mod strategy;
mod target;
mod write;

pub use base::{Registry, present};
pub use context::{Params, RequestContext};
pub use patch::Written;
pub use selectors::{FieldSelector, LabelSelector};
pub use target::Target;
