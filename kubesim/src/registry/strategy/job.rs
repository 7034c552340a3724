//! The Job strategy: unless `manualSelector` is set, a new Job selects its pods by its
//! own uid (chosen before it is stored), and its template carries the labels that do so.

use super::hooks::Strategy;
use crate::store::Store;
use serde_json::{Value, json};

/// Jobs.
pub struct Job;

impl Strategy for Job {
    fn prepare_for_create(&self, store: &Store, object: &mut Value) {
        select_by_uid(object, &store.new_uid());
    }
}

/// Gives the Job `uid` and the selector and template labels that name it.
fn select_by_uid(object: &mut Value, uid: &str) {
    if object["spec"]["manualSelector"] == true {
        return;
    }
    object["metadata"]["uid"] = json!(uid);
    let name = object["metadata"]["name"].clone();
    object["spec"]["selector"] =
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
    let labels = &mut object["spec"]["template"]["metadata"]["labels"];
    for (key, value) in [
        ("batch.kubernetes.io/controller-uid", json!(uid)),
        ("batch.kubernetes.io/job-name", name.clone()),
        ("controller-uid", json!(uid)),
        ("job-name", name),
    ] {
        labels[key] = value;
    }
}
