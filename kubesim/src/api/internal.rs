//! Writes the cluster's own controllers make through the API, as kube-controller-manager
//! does: a ReplicaSet's pods pass defaulting, admission (ResourceQuota, LimitRange, Pod
//! Security, ServiceAccount) and validation like anyone's.

use super::ApiServer;
use super::path::Target;
use super::query::Query;
use crate::status::{ApiError, Result};
use serde_json::Value;

impl ApiServer {
    /// Creates `object` (of `plural` in `group`/`version`) in `namespace` as `manager`.
    pub fn create_as_controller(
        &self,
        group: &str,
        version: &str,
        plural: &str,
        namespace: &str,
        object: Value,
        manager: &str,
    ) -> Result<Value> {
        let resource =
            crate::resources::find(group, version, plural).ok_or_else(ApiError::no_route)?;
        let target = Target {
            resource,
            namespace: Some(namespace.to_string()),
            name: None,
            subresource: None,
        };
        self.create(&target, &Query::default(), Some(manager), object)
            .map(|(_, created)| created)
    }
}
