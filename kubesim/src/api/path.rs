//! Request paths, parsed once into what they address: a discovery document, health, or
//! a resource (with namespace, name and subresource).

use crate::registry::Target;
use crate::resources::Resource;
use crate::status::{ApiError, Result};

/// What a path addresses.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// `/version`.
    Version,
    /// `/healthz`, `/livez`, `/readyz` and their sub-checks.
    Health,
    /// `/api`: the legacy group's versions.
    LegacyVersions,
    /// `/apis`: every group.
    Groups,
    /// `/apis/GROUP`: one group.
    Group(String),
    /// `/api/v1` or `/apis/GROUP/VERSION`: the resources there.
    GroupVersion { group: String, version: String },
    /// `/openapi/v2` (and the old `/swagger-2.0.0.pb-v1`).
    OpenApiV2,
    /// `/openapi/v3`: the index of group-version documents.
    OpenApiV3Index,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/GROUP/VERSION`.
    OpenApiV3(String),
    /// Anything below a group version.
    Resource(Target),
}

/// Finds the resource served at group, version, plural (built-in or custom).
pub type Lookup<'a> = &'a dyn Fn(&str, &str, &str) -> Option<&'static Resource>;

/// Parses a request path.
pub fn parse(path: &str, lookup: Lookup) -> Result<Route> {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        ["version"] => Ok(Route::Version),
        ["healthz" | "livez" | "readyz", ..] => Ok(Route::Health),
        ["openapi", "v2"] | ["swagger-2.0.0.pb-v1"] => Ok(Route::OpenApiV2),
        ["openapi", "v3"] => Ok(Route::OpenApiV3Index),
        ["openapi", "v3", rest @ ..] => Ok(Route::OpenApiV3(rest.join("/"))),
        ["api"] => Ok(Route::LegacyVersions),
        ["apis"] => Ok(Route::Groups),
        ["apis", group] => Ok(Route::Group((*group).into())),
        ["api", version] => Ok(Route::GroupVersion {
            group: String::new(),
            version: (*version).into(),
        }),
        ["apis", group, version] => Ok(Route::GroupVersion {
            group: (*group).into(),
            version: (*version).into(),
        }),
        ["api", version, rest @ ..] => resource_route("", version, rest, lookup),
        ["apis", group, version, rest @ ..] => resource_route(group, version, rest, lookup),
        _ => Err(ApiError::no_route()),
    }
}

fn resource_route(group: &str, version: &str, rest: &[&str], lookup: Lookup) -> Result<Route> {
    let namespace_object =
        rest.len() <= 2 || (rest.len() == 3 && matches!(rest[2], "status" | "finalize"));
    let (namespace, rest) = match rest {
        ["namespaces", ns, tail @ ..] if !namespace_object => (Some((*ns).to_string()), tail),
        _ => (None, rest),
    };
    let (plural, name, sub) = match rest {
        [plural] => (*plural, None, None),
        [plural, name] => (*plural, Some((*name).to_string()), None),
        [plural, name, sub @ ..] => (*plural, Some((*name).to_string()), Some(sub.join("/"))),
        _ => return Err(ApiError::no_route()),
    };
    let resource = lookup(group, version, plural).ok_or_else(ApiError::no_route)?;
    if namespace.is_some() && !resource.namespaced {
        return Err(ApiError::no_route());
    }
    if let Some(s) = &sub {
        let kind = s.split('/').next().unwrap_or(s);
        if !resource.subresources.contains(&kind) {
            return Err(ApiError::no_route());
        }
    }
    Ok(Route::Resource(Target {
        resource,
        namespace,
        name,
        subresource: sub,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(g: &str, v: &str, p: &str) -> Option<&'static Resource> {
        crate::resources::find(g, v, p)
    }

    fn target(path: &str) -> Target {
        match parse(path, &builtin) {
            Ok(Route::Resource(t)) => t,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn namespaced_cluster_scoped_and_subresources() {
        let t = target("/api/v1/namespaces/default/pods/web/log");
        assert_eq!(
            (
                t.resource.plural,
                t.namespace.as_deref(),
                t.name.as_deref(),
                t.subresource.as_deref()
            ),
            ("pods", Some("default"), Some("web"), Some("log"))
        );
        let t = target("/apis/apps/v1/deployments");
        assert_eq!(
            (t.resource.kind, t.namespace, t.name),
            ("Deployment", None, None)
        );
        let t = target("/api/v1/namespaces/dev");
        assert_eq!(
            (t.resource.plural, t.namespace, t.name.as_deref()),
            ("namespaces", None, Some("dev"))
        );
        let t = target("/api/v1/namespaces/dev/status");
        assert_eq!(
            (t.name.as_deref(), t.subresource.as_deref()),
            (Some("dev"), Some("status"))
        );
        let t = target("/api/v1/namespaces/dev/services/web:80/proxy/healthz");
        assert_eq!(
            (t.subresource_kind(), t.subresource.as_deref()),
            (Some("proxy"), Some("proxy/healthz"))
        );
        let t = target("/api/v1/namespaces/dev/configmaps");
        assert_eq!(
            (t.resource.plural, t.namespace.as_deref()),
            ("configmaps", Some("dev"))
        );
    }

    #[test]
    fn discovery_and_unknown_paths() {
        assert_eq!(
            parse("/apis/apps/v1", &builtin),
            Ok(Route::GroupVersion {
                group: "apps".into(),
                version: "v1".into()
            })
        );
        assert_eq!(parse("/readyz/ping", &builtin), Ok(Route::Health));
        for bad in [
            "/apis/apps/v1/widgets",
            "/api/v1/namespaces/dev/nodes/n1",
            "/api/v1/namespaces/dev/configmaps/a/scale",
            "/nope",
        ] {
            assert_eq!(
                parse(bad, &builtin).err().map(|e| e.code),
                Some(404),
                "{bad}"
            );
        }
    }
}
