//! CustomResourceDefinitions: a CRD serves its resource with schema validation, pruning,
//! the status subresource, printer columns, and goes away with its objects.

use crate::support::{api_error, send};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::core::{DynamicObject, GroupVersionKind};
use kube::discovery::Discovery;
use kubesim::Cluster;
use serde_json::json;

fn widget_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {"size": {"type": "integer"}}},
                    "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}
                }}}}]}
    }))
    .expect("crd")
}

fn widget(name: &str, spec: serde_json::Value) -> DynamicObject {
    serde_json::from_value(json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec})).expect("widget")
}

#[tokio::test]
async fn a_crd_serves_a_validated_resource_until_it_is_deleted() {
    let cluster = Cluster::builder().seed(8).build().expect("cluster");
    let client = cluster.client();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let created = crds
        .create(&PostParams::default(), &widget_crd())
        .await
        .expect("create crd");
    let conditions = created
        .status
        .and_then(|s| s.conditions)
        .unwrap_or_default();
    assert!(
        conditions
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True")
    );

    let discovery = Discovery::new(client.clone())
        .run()
        .await
        .expect("discovery");
    let (resource, _) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("example.com", "v1", "Widget"))
        .expect("widgets are discovered");
    let widgets: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);

    let stored = widgets
        .create(
            &PostParams::default(),
            &widget("small", json!({"size": 2, "colour": "red"})),
        )
        .await
        .expect("valid widget");
    assert_eq!(
        stored.data["spec"],
        json!({"size": 2}),
        "fields the schema does not declare are pruned"
    );
    let e = api_error(
        widgets
            .create(
                &PostParams::default(),
                &widget("bad", json!({"size": "big"})),
            )
            .await
            .expect_err("invalid"),
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            422,
            "Widget.example.com \"bad\" is invalid: spec.size: Invalid value: \"big\": spec.size in body must be of type integer: \"string\""
        )
    );
    let e = api_error(
        widgets
            .create(&PostParams::default(), &widget("empty", json!({})))
            .await
            .expect_err("required"),
    );
    assert_eq!(
        e.message,
        "Widget.example.com \"empty\" is invalid: spec.size: Required value"
    );

    // Status goes through its subresource only.
    widgets
        .patch_status(
            "small",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"ready": true}})),
        )
        .await
        .expect("status");
    assert_eq!(
        widgets.get("small").await.expect("get").data["status"]["ready"],
        true
    );

    // kubectl's table shows the printer column.
    let (_, table) = send(
        &cluster,
        "GET",
        "/apis/example.com/v1/namespaces/default/widgets",
        "",
        Vec::new(),
    )
    .await;
    assert_eq!(table["kind"], "WidgetList");
    let table =
        crate::support::table(&cluster, "/apis/example.com/v1/namespaces/default/widgets").await;
    assert_eq!(table["columnDefinitions"][1]["name"], "Size");
    assert_eq!(table["rows"][0]["cells"], json!(["small", 2]));

    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .expect("delete crd");
    let (code, _) = send(
        &cluster,
        "GET",
        "/apis/example.com/v1/namespaces/default/widgets",
        "",
        Vec::new(),
    )
    .await;
    assert_eq!(code.as_u16(), 404, "no longer served");
    crds.create(&PostParams::default(), &widget_crd())
        .await
        .expect("recreate");
    let (_, list) = send(
        &cluster,
        "GET",
        "/apis/example.com/v1/namespaces/default/widgets",
        "",
        Vec::new(),
    )
    .await;
    assert_eq!(list["items"], json!([]), "its objects went with it");
}
