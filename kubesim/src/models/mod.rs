//! Workload models: what the containers of known images do once started. Each is a
//! [`Process`] the kubelet advances through time: it prints lines, may exit, answers
//! HTTP on its ports (probes, the service and pod proxy) and uses CPU and memory.
//!
//! The registry and most models are data, in `images.yaml` ([`catalog`]): a model's
//! steps in time, HTTP answers and resource use, run by [`described`]. Code is where
//! behaviour is code: the demo app's computed answers ([`demo_app`], a hook of its
//! description), the busybox shell ([`busybox`]) and fortio's load generator
//! ([`fortio`]). Images are looked up by [`image::lookup`]; an image the catalogue does
//! not know fails to pull, as a missing image does on a real node.

pub mod busybox;
pub mod catalog;
pub mod demo_app;
pub mod described;
pub mod fortio;
pub mod http;
pub mod image;
pub mod load;
pub mod process;
pub mod script;
pub mod template;

pub use http::{HttpRequest, HttpResponse, Unreachable};
pub use process::{Context, Exit, Offline, Process, Stopping, Surroundings, Usage};
