//! Kubernetes' protobuf schemas: the descriptors `build.rs` compiled from the
//! `generated.proto` files of the pinned Kubernetes version, read once.

use prost_reflect::DescriptorPool;
use std::sync::OnceLock;

/// The compiled schemas.
pub(super) fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(
            include_bytes!(concat!(env!("OUT_DIR"), "/kubernetes.desc")).as_slice(),
        )
        .expect("build.rs compiled Kubernetes' descriptors")
    })
}
