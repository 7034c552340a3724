//! Which objects a command names, as kubectl's resource builder reads its arguments:
//! types and names (`pods web`, `pod/web`, `deploy,svc`), the namespace (`-n`), and for
//! the commands that change objects, the ones a selector (`-l`) or `--all` picks, listed
//! as the attendee. Names are checked here, once, so none can reach a URL as a path.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::resources::Resource;
use crate::workspace::policy::RESERVED;
use kube::api::{Api, DynamicObject, ListParams};

/// Resources and the names asked for of each.
pub struct Wanted {
    pub resource: Resource,
    pub names: Vec<String>,
}

/// One object a command acts on, in the namespace the command runs in.
pub struct Target {
    pub resource: Resource,
    pub name: String,
}

impl Target {
    /// How kubectl names it in what it did: `deployment.apps/web`.
    pub fn slash(&self) -> String {
        format!("{}/{}", self.resource.kind_group(), self.name)
    }

    /// How kubectl names it in errors: `deployments.apps "web"`.
    pub fn quoted(&self) -> String {
        format!("{} \"{}\"", self.resource.qualified(), self.name)
    }

    /// The attendee's API for it in the namespace `short` stands for.
    pub fn api(&self, console: &Console<'_>, short: &str) -> Api<DynamicObject> {
        Api::namespaced_with(
            console.tenant.clone(),
            &console.workspace.namespace(short),
            &self.resource.api_resource(),
        )
    }
}

/// The resources and names the arguments ask for (`pods`, `pods,svc web`, `pod/web`).
/// `args` is not empty.
pub async fn wanted(console: &Console<'_>, args: &[String]) -> Result<Vec<Wanted>, Ran> {
    let mut wanted: Vec<Wanted> = Vec::new();
    if args[0].contains('/') {
        for arg in args {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err(Ran::error(format!(
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n(offending argument: {arg})"
                )));
            };
            let resource = resolve(console, kind).await?;
            match wanted.iter_mut().find(|w| w.resource == resource) {
                Some(w) => w.names.push(name.to_string()),
                None => wanted.push(Wanted {
                    resource,
                    names: vec![name.to_string()],
                }),
            }
        }
    } else {
        for kind in args[0].split(',').filter(|k| !k.is_empty()) {
            wanted.push(Wanted {
                resource: resolve(console, kind).await?,
                names: args[1..].to_vec(),
            });
        }
    }
    for name in wanted.iter().flat_map(|w| &w.names) {
        checked_name(name)?;
    }
    Ok(wanted)
}

/// Refuses a name that could not be an object's (and could hide in a URL as a path).
pub fn checked_name(name: &str) -> Result<(), Ran> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(Ran::error(format!(
            "error: \"{name}\" is not the name of an object"
        )));
    }
    Ok(())
}

/// The resource kubectl means by `name` (`pods`, `po`, `deployment.apps`).
pub async fn resolve(console: &Console<'_>, name: &str) -> Result<Resource, Ran> {
    match console.catalog.find(console.platform, name).await {
        Ok(Some(resource)) => Ok(resource),
        Ok(None) => Err(Ran::error(format!(
            "error: the server doesn't have a resource type \"{name}\""
        ))),
        Err(e) => Err(Ran::error(from_server(&e))),
    }
}

/// The namespace `-n` names (`default` without it), checked to be a namespace name.
pub fn namespace(invocation: &Invocation) -> Result<String, Ran> {
    let short = invocation.namespace();
    checked_namespace(short).map(str::to_string)
}

/// The namespaces a reading command looks in: `-A` all of the workspace's, else the one
/// `-n` names.
pub async fn namespaces(
    console: &Console<'_>,
    invocation: &Invocation,
) -> Result<Vec<String>, Ran> {
    if !invocation.is_set("all-namespaces") {
        return Ok(vec![namespace(invocation)?]);
    }
    match console.workspace.namespaces(console.platform).await {
        Ok(all) => Ok(all.into_iter().map(|(short, _)| short).collect()),
        Err(e) => Err(Ran::error(format!("error: {e}"))),
    }
}

/// `short` if it is a namespace name (a DNS label: nothing a path could hide in).
pub fn checked_namespace(short: &str) -> Result<&str, Ran> {
    let label = (1..=63).contains(&short.len())
        && short
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !short.starts_with('-')
        && !short.ends_with('-');
    if label {
        Ok(short)
    } else {
        Err(Ran::error(format!(
            "error: \"{short}\" is not a namespace name: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
        )))
    }
}

/// What a changing command acts on: the namespace (`-n`) and the objects `args` name or
/// `-l`/`--all` pick there. `Err`: the answer instead (a refusal, or kubectl's "No
/// resources found" when nothing matched). Cluster-scoped types and the workshop's own
/// objects are refused: the console changes the attendee's objects in the workspace's
/// namespaces only.
pub async fn chosen(
    console: &Console<'_>,
    invocation: &Invocation,
    args: &[String],
) -> Result<(String, Vec<Target>), Ran> {
    if args.is_empty() {
        return Err(no_resources());
    }
    let short = namespace(invocation)?;
    let targets = targets(console, invocation, args, &short).await?;
    if let Some(own) = targets
        .iter()
        .find(|t| RESERVED.contains(&(t.resource.kind.as_str(), t.name.as_str())))
    {
        return Err(Ran::error(format!(
            "error: {} is the workshop's own: it keeps your workspace apart from others",
            own.quoted()
        )));
    }
    if targets.is_empty() {
        return Err(none_found());
    }
    Ok((short, targets))
}

/// The objects `args` name in namespace `short`, or those `-l` or `--all` pick.
async fn targets(
    console: &Console<'_>,
    invocation: &Invocation,
    args: &[String],
    short: &str,
) -> Result<Vec<Target>, Ran> {
    let wanted = wanted(console, args).await?;
    let selector = invocation.flag("selector").filter(|s| !s.is_empty());
    let all = invocation.is_set("all");
    let named = wanted.iter().any(|w| !w.names.is_empty());
    if named && (selector.is_some() || all) {
        return Err(Ran::error(
            "error: name cannot be provided when a selector is specified".into(),
        ));
    }
    if selector.is_some() && all {
        return Err(Ran::error(
            "error: setting 'all' parameter but found a non empty selector. ".into(),
        ));
    }
    if !named && selector.is_none() && !all {
        return Err(Ran::error(
            "error: resource(s) were provided, but no name was specified".into(),
        ));
    }
    if let Some(cluster) = wanted.iter().find(|w| !w.resource.namespaced) {
        return Err(Ran::error(format!(
            "error: the console changes objects in your namespaces; {} are cluster-scoped",
            cluster.resource.plural
        )));
    }
    let mut targets = Vec::new();
    for want in wanted {
        if named {
            targets.extend(want.names.iter().map(|name| Target {
                resource: want.resource.clone(),
                name: name.clone(),
            }));
            continue;
        }
        let mut params = ListParams::default();
        if let Some(selector) = selector {
            params = params.labels(selector);
        }
        let probe = Target {
            resource: want.resource.clone(),
            name: String::new(),
        };
        let listed = probe
            .api(console, short)
            .list(&params)
            .await
            .map_err(|e| Ran::error(from_server(&e)))?;
        targets.extend(listed.items.into_iter().filter_map(|o| {
            Some(Target {
                resource: want.resource.clone(),
                name: o.metadata.name?,
            })
        }));
    }
    Ok(targets)
}

/// What kubectl says when a command that acts on objects is given none.
fn no_resources() -> Ran {
    Ran::error("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into())
}

/// What kubectl says when a selector or `--all` picked nothing (and succeeds).
fn none_found() -> Ran {
    Ran::ok("No resources found\n".into())
}

/// Collects what each object's change printed, in order: exit code 1 if any failed.
#[derive(Default)]
pub struct Said {
    output: String,
    failed: bool,
}

impl Said {
    /// Adds what one object's change printed; whether it succeeded.
    pub fn push(&mut self, result: Result<String, String>) -> bool {
        match result {
            Ok(said) => {
                self.output.push_str(&said);
                true
            }
            Err(error) => {
                self.output.push_str(&error);
                self.output.push('\n');
                self.failed = true;
                false
            }
        }
    }

    pub fn ran(self) -> Ran {
        Ran {
            output: self.output,
            exit_code: i32::from(self.failed),
        }
    }
}
