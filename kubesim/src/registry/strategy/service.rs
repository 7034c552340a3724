//! The Service strategy: cluster IPs and node ports are allocated once the Service is
//! valid (refused when taken), and an update keeps the allocated ones the client left
//! out.

use super::hooks::Strategy;
use crate::status::Cause;
use crate::store::Store;
use serde_json::Value;

/// Services.
pub struct Service;

impl Strategy for Service {
    fn prepare_for_update(&self, object: &mut Value, old: &Value) {
        crate::allocators::prepare_service_update(object, old);
    }

    fn allocate(&self, store: &Store, object: &mut Value, old: Option<&Value>) -> Vec<Cause> {
        crate::allocators::allocate_service(store, object, old)
    }
}
