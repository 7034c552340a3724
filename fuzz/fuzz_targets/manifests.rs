//! Any bytes as an attendee's manifests: parsing stays within its budgets or refuses,
//! and placing whatever it yields in a workspace never lands outside that workspace.
#![no_main]

use app::model::kinds;
use libfuzzer_sys::fuzz_target;
use server::kinds::api_resource;
use server::pipeline::parse::{Budgets, parse};
use server::pipeline::plan::place;
use server::workspace::Workspace;
use std::collections::BTreeSet;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let budgets = Budgets::default();
    let Ok(documents) = parse(&text, &budgets) else {
        return;
    };
    assert!(documents.len() <= budgets.max_documents);
    let workspace = Workspace::new("attacker", "kc");
    let allowed: BTreeSet<String> = ["default".to_string()].into();
    for document in documents {
        let Some(kind) = document.value["kind"].as_str().and_then(kinds::by_kind) else {
            continue;
        };
        if let Ok(planned) = place(&workspace, &document, api_resource(kind), kind.namespaced(), &allowed) {
            match &planned.namespace {
                Some(namespace) => assert_eq!(namespace, "kc-attacker-default"),
                None => assert!(planned.name.starts_with("kc-attacker-")),
            }
            assert_eq!(planned.object["metadata"]["labels"]["kubeclass.dev/workspace"], "attacker");
            assert!(planned.object.get("status").is_none());
        }
    }
});
