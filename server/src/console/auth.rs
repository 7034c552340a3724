//! `kubectl auth can-i VERB RESOURCE[/NAME] [NAME]`: the attendee's own
//! SelfSubjectAccessReview, in a namespace of their workspace, answered `yes` or `no` as
//! kubectl answers (exit code 1 for no). With `--as=system:serviceaccount:NS:NAME` for an
//! account of the workspace, kubeclass asks the API server a SubjectAccessReview about
//! that account (the attendee may not impersonate it; the answer grants nothing).

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec, SubjectAccessReview,
    SubjectAccessReviewSpec, SubjectAccessReviewStatus,
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
    if invocation.is_set("list") {
        let short = match super::targets::namespace(invocation) {
            Ok(short) => short,
            Err(ran) => return ran,
        };
        let real = console.workspace.namespace(&short);
        let headers = !invocation.is_set("no-headers");
        let Some(account) = invocation.flag("as") else {
            return super::access_list::list(&console.tenant, real, headers).await;
        };
        // An account's rules are asked as the account, as kubectl asks them.
        let (namespace, name) = match workspace_account(console, account) {
            Ok(found) => found,
            Err(ran) => return ran,
        };
        let user = format!("system:serviceaccount:{namespace}:{name}");
        let groups = [
            "system:serviceaccounts".to_string(),
            format!("system:serviceaccounts:{namespace}"),
        ];
        let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
        let asker = crate::identity::impersonating(console.platform, &user, &groups);
        return super::access_list::list(&asker, real, headers).await;
    }
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
    let attributes = ResourceAttributes {
        namespace: Some(console.workspace.namespace(short)),
        verb: Some(verb.clone()),
        group: Some(group),
        resource: Some(resource),
        subresource: invocation.flag("subresource").map(str::to_string),
        name,
        ..ResourceAttributes::default()
    };
    let asked = match invocation.flag("as") {
        Some(account) => about_account(console, account, attributes).await,
        None => about_attendee(console, attributes).await,
    };
    let status = match asked {
        Ok(status) => status,
        Err(ran) => return ran,
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

/// The attendee's own review.
async fn about_attendee(
    console: &Console<'_>,
    attributes: ResourceAttributes,
) -> Result<SubjectAccessReviewStatus, Ran> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(attributes),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let reviews: Api<SelfSubjectAccessReview> = Api::all(console.tenant.clone());
    match reviews.create(&PostParams::default(), &review).await {
        Ok(answer) => Ok(answer.status.unwrap_or_default()),
        Err(e) => Err(Ran::error(from_server(&e))),
    }
}

/// The workspace's account `--as` names (`system:serviceaccount:SHORT:NAME`): its real
/// namespace and name. Its namespace is mapped into the workspace, so nothing outside it
/// can be asked about; every other identity is refused.
fn workspace_account(console: &Console<'_>, account: &str) -> Result<(String, String), Ran> {
    let refused = || {
        Ran::error(format!(
            "error: the console answers for you, or --as=system:serviceaccount:NAMESPACE:NAME for an account of your workspace, not --as={account}"
        ))
    };
    let Some((short, name)) = account
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
    else {
        return Err(refused());
    };
    let short = super::targets::checked_namespace(short)?;
    super::targets::checked_name(name)?;
    Ok((console.workspace.namespace(short), name.to_string()))
}

/// A review about a service account of the workspace, asked by kubeclass.
async fn about_account(
    console: &Console<'_>,
    account: &str,
    attributes: ResourceAttributes,
) -> Result<SubjectAccessReviewStatus, Ran> {
    let (real, name) = workspace_account(console, account)?;
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(format!("system:serviceaccount:{real}:{name}")),
            groups: Some(vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{real}"),
                "system:authenticated".into(),
            ]),
            resource_attributes: Some(attributes),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    let reviews: Api<SubjectAccessReview> = Api::all(console.platform.clone());
    match reviews.create(&PostParams::default(), &review).await {
        Ok(answer) => Ok(answer.status.unwrap_or_default()),
        Err(e) => Err(Ran::error(from_server(&e))),
    }
}
