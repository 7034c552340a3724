//! `kubectl explain TYPE[.FIELD…]`: a kind's or field's documentation from the API
//! server's own OpenAPI v3 document for its group version, asked as the attendee (every
//! authenticated user may read it), printed by kubectl's template ([`template`]). So a
//! real cluster explains its own version's fields, and a CRD with a schema explains too.

mod template;
mod wrap;

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::resources::Resource;
use serde_json::Value;

const USAGE: &str = "You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.";

pub async fn explain(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let [argument] = invocation.args.as_slice() else {
        return if invocation.args.is_empty() {
            Ran::error(format!("error: {USAGE}"))
        } else {
            Ran::error("error: We accept only this format: explain RESOURCE".into())
        };
    };
    match invocation.flag("output") {
        None | Some("plaintext") => {}
        Some("plaintext-openapiv2") => {
            return Ran::error(
                "error: the console explains from the API's OpenAPI v3 document (--output plaintext)"
                    .into(),
            );
        }
        Some(other) => return Ran::error(format!("error: unrecognized format: {other}")),
    }
    let Some(first) = argument.split('.').next().filter(|f| !f.is_empty()) else {
        return Ran::error("error: invalid jsonpath syntax, first node must be field node".into());
    };
    let resource = match console.catalog.find(console.platform, first).await {
        Ok(Some(resource)) => resource,
        Ok(None) => {
            // kubectl prints a resource it cannot map without "error: ".
            return Ran::error(format!(
                "the server doesn't have a resource type \"{first}\""
            ));
        }
        Err(e) => return Ran::error(from_server(&e)),
    };
    let Some(fields) = fields(argument, &resource) else {
        return Ran::error("error: invalid jsonpath syntax, all nodes must be field nodes".into());
    };
    let (group, version) = match invocation.flag("api-version") {
        Some(given) => match given.split_once('/') {
            Some((group, version)) => (group.to_string(), version.to_string()),
            None => (String::new(), given.to_string()),
        },
        None => (resource.group.clone(), resource.version.clone()),
    };
    let document = match document(console, &group, &version).await {
        Ok(Some(document)) => document,
        Ok(None) => {
            let gvr = format!("{group}/{version}, Resource={}", resource.plural);
            return Ran::error(format!("error: couldn't find resource for \"{gvr}\""));
        }
        Err(e) => return Ran::error(from_server(&e)),
    };
    let rendered = template::render(
        &document,
        &template::Request {
            group: &group,
            version: &version,
            plural: &resource.plural,
            fields: &fields,
            recursive: invocation.is_set("recursive"),
        },
    );
    match rendered.error {
        None => Ran::ok(rendered.printed),
        Some(error) => Ran {
            output: format!("{}{error}\n", rendered.printed),
            exit_code: 1,
        },
    }
}

/// The field path after the resource: `deploy.spec.replicas` and
/// `deployments.apps.spec.replicas` both give `spec.replicas`, as kubectl reads them.
fn fields(argument: &str, resource: &Resource) -> Option<Vec<String>> {
    let qualified = format!("{}.{}", resource.plural, resource.group);
    let rest = match argument.strip_prefix(&qualified) {
        Some(rest) if !resource.group.is_empty() && (rest.is_empty() || rest.starts_with('.')) => {
            rest
        }
        _ => argument.split_once('.').map_or("", |(_, rest)| rest),
    };
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let fields: Vec<String> = rest.split('.').map(str::to_string).collect();
    fields
        .iter()
        .all(|f| !f.is_empty() && !f.contains(['[', ']', '*', '@', '$', '{', '}']))
        .then_some(fields)
}

/// The OpenAPI v3 document of `group`/`version`, through the API server's index
/// (`/openapi/v3`), asked as the attendee. `None` when the index has no such group version.
async fn document(
    console: &Console<'_>,
    group: &str,
    version: &str,
) -> Result<Option<Value>, kube::Error> {
    let get = |uri: String| async move {
        let request = http::Request::get(uri)
            .body(Vec::new())
            .map_err(kube::Error::HttpError)?;
        console.tenant.request::<Value>(request).await
    };
    let index = get("/openapi/v3".to_string()).await?;
    let key = if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    };
    let Some(url) = index["paths"][&key]["serverRelativeURL"].as_str() else {
        return Ok(None);
    };
    get(url.to_string()).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_path_follows_the_resource_however_it_is_named() {
        let d = Resource::deployments();
        assert_eq!(fields("deploy", &d), Some(vec![]));
        assert_eq!(
            fields("deploy.spec.replicas", &d),
            Some(vec!["spec".to_string(), "replicas".to_string()])
        );
        assert_eq!(
            fields("deployments.apps.spec", &d),
            Some(vec!["spec".to_string()])
        );
        assert_eq!(fields("deploy.spec[0]", &d), None);
    }
}
