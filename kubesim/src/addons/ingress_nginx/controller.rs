//! The controller: Ingresses of class `nginx` get the address ingress-nginx publishes
//! (`localhost`, from `--publish-status-address`) and a Sync event per generation;
//! others get no address.

use super::routing::ours;
use crate::controllers::runner::{Context, Controller};
use crate::controllers::workload::update_status;
use crate::events::{Recorder, Source};
use crate::store::{Event, EventType, Key, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("nginx-ingress-controller");
/// The address kind's ingress-nginx publishes.
pub const ADDRESS: &str = "localhost";

/// The controller, with the generation each Ingress (by uid) was last synced at: a Sync
/// event per new generation, forgotten when it resynchronises.
#[derive(Default)]
pub struct IngressNginx {
    synced: BTreeMap<String, Value>,
}

/// The controller.
pub fn controller() -> impl Controller {
    IngressNginx::default()
}

impl Controller for IngressNginx {
    fn resync(&mut self, ctx: &Context) {
        self.synced.clear();
        for (key, _) in ctx
            .store
            .list("networking.k8s.io", "ingresses", None, None)
            .0
        {
            reconcile(&ctx.store, &ctx.events, &key, &mut self.synced);
        }
    }

    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]) {
        for event in batch {
            if event.key.group == "networking.k8s.io"
                && event.key.resource == "ingresses"
                && event.kind != EventType::Deleted
            {
                reconcile(&ctx.store, &ctx.events, &event.key, &mut self.synced);
            }
        }
    }
}

fn reconcile(store: &Store, events: &Recorder, key: &Key, synced: &mut BTreeMap<String, Value>) {
    let Ok(ingress) = store.get(key) else {
        return;
    };
    let wanted = if ours(&ingress) {
        json!({"loadBalancer": {"ingress": [{"hostname": ADDRESS}]}})
    } else {
        json!({"loadBalancer": {}})
    };
    let uid = ingress["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let generation = ingress["metadata"]["generation"].clone();
    if ours(&ingress) && synced.get(&uid) != Some(&generation) {
        events.normal(&ingress, SOURCE, "Sync", "Scheduled for sync");
        synced.insert(uid, generation);
    }
    let expected = crate::store::resource_version_of(&ingress);
    update_status(store, key, &ingress, wanted, expected);
}
