//! `kubectl auth can-i VERB RESOURCE[/NAME] [NAME]`: the attendee's own
//! SelfSubjectAccessReview, in a namespace of their workspace, answered `yes` or `no` as
//! kubectl answers (exit code 1 for no).

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

pub async fn auth(console: &Console<'_>, invocation: &Invocation) -> Ran {
    match invocation.args.first().map(String::as_str) {
        Some("can-i") => can_i(console, invocation, &invocation.args[1..]).await,
        Some(other) => Ran::error(format!(
            "error: unknown command \"{other}\"\nSee 'kubectl auth -h' for help and examples"
        )),
        None => Ran::error("error: the console runs kubectl auth can-i".into()),
    }
}

async fn can_i(console: &Console<'_>, invocation: &Invocation, args: &[String]) -> Ran {
    let (verb, target, name) = match args {
        [verb, target] => (verb, target.as_str(), None),
        [verb, target, name] => (verb, target.as_str(), Some(name.clone())),
        _ => {
            return Ran::error("error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.".into());
        }
    };
    let (kind, name) = match target.split_once('/') {
        Some((kind, name)) => (kind, Some(name.to_string())),
        None => (target, name),
    };
    let short = invocation.namespace();
    let mut warning = String::new();
    let (group, resource) = match console.catalog.find(console.platform, kind).await {
        Ok(Some(found)) => (found.group, found.plural),
        Ok(None) => {
            warning = format!("Warning: the server doesn't have a resource type '{kind}'\n");
            (String::new(), kind.to_string())
        }
        Err(e) => return Ran::error(from_server(&e)),
    };
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(console.workspace.namespace(short)),
                verb: Some(verb.clone()),
                group: Some(group),
                resource: Some(resource),
                subresource: invocation.flag("subresource").map(str::to_string),
                name,
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let reviews: Api<SelfSubjectAccessReview> = Api::all(console.tenant.clone());
    let status = match reviews.create(&PostParams::default(), &review).await {
        Ok(answer) => answer.status.unwrap_or_default(),
        Err(e) => return Ran::error(from_server(&e)),
    };
    let quiet = invocation.is_set("quiet");
    let mut output = warning;
    if status.allowed {
        if !quiet {
            output.push_str("yes\n");
        }
    } else if !quiet {
        output.push_str("no");
        for said in [status.reason, status.evaluation_error]
            .into_iter()
            .flatten()
        {
            if !said.is_empty() {
                output.push_str(&format!(" - {said}"));
            }
        }
        output.push('\n');
    }
    Ran {
        output,
        exit_code: i32::from(!status.allowed),
    }
}
