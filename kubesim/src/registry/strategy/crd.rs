//! The CustomResourceDefinition strategy: a stored CRD serves its resource at once and
//! answers Established; an update serves the new definition; deleting it deletes its
//! objects.

use super::hooks::{Created, Strategy};
use crate::registry::Registry;
use crate::status::Result;
use serde_json::Value;
use std::sync::Arc;

/// CustomResourceDefinitions.
pub struct CustomResourceDefinition;

impl Strategy for CustomResourceDefinition {
    fn after_create(&self, created: Created) -> Result<Arc<Value>> {
        let Created {
            registry,
            resource,
            key,
            object,
        } = created;
        registry.crds().register(&object);
        crate::crd::establish(registry.store(), key, &object)
            .map_err(|e| Registry::store_error(resource, &key.name, e))
    }

    fn after_update(&self, registry: &Registry, stored: &Value) {
        registry.crds().register(stored);
    }

    fn after_delete(&self, registry: &Registry, name: &str) {
        let store = registry.store();
        for served in registry.crds().unregister(name) {
            let (group, plural) = served.storage_key();
            for (object_key, _) in store.list(group, plural, None, None).0 {
                let _ = store.remove(&object_key, None);
            }
        }
    }
}
