//! The object store, kubesim's etcd: every object as JSON under (group, resource,
//! namespace, name), one cluster-wide resourceVersion counter, and a bounded history of
//! changes that watches replay from and then follow live.
//!
//! The store knows nothing of HTTP or admission; it owns what must be atomic: the version
//! counter, optimistic concurrency, uniqueness, and the order of events. With the
//! `durable` feature it can also keep its objects in a data directory ([`journal`]).

mod error;
mod event;
mod fanout;
#[cfg(feature = "durable")]
pub mod journal;
mod key;
mod objects;

pub use error::{Result, StoreError};
pub use event::{Event, EventType, Subscription};
pub use fanout::Topic;
pub use key::{Key, metadata_mut, resource_version_of};
pub use objects::Store;
