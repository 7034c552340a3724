//! `images.yaml`, parsed once: the images the simulated registry holds and the models
//! that describe what their containers do. The types here are the file's schema; what
//! the descriptions mean is in [`super::described`].

use super::template::Text;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
pub struct Catalog {
    /// Repositories, sizes, tags, and which model runs them.
    pub images: Vec<ImageSpec>,
    /// Models by name.
    pub models: BTreeMap<String, ModelSpec>,
}

/// Repositories that share a size, tags and model.
#[derive(Debug, Deserialize)]
pub struct ImageSpec {
    /// Fully qualified: `docker.io/library/nginx`.
    pub repositories: Vec<String>,
    /// The image's size in MB (it sets the pull time).
    pub size_mb: u64,
    /// A model in [`Catalog::models`], or a program in code (`shell`, `fortio`).
    pub model: String,
    /// Which tags exist.
    #[serde(default)]
    pub tags: Tags,
}

/// Which tags of a repository exist.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Tags {
    /// By a rule.
    Rule(TagRule),
    /// Only these, each with the variables it gives its model.
    Exact(BTreeMap<String, BTreeMap<String, String>>),
}

impl Default for Tags {
    fn default() -> Self {
        Tags::Rule(TagRule::Release)
    }
}

/// A rule for tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagRule {
    /// Tags that look like a published release.
    Release,
    /// Every tag.
    Any,
}

/// What a container of a model does.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// A hook in code for answers that are computed.
    #[serde(default)]
    pub hook: Option<String>,
    /// CPU and memory in use (before any step changes the CPU).
    pub usage: UsageSpec,
    /// Ports it listens on from the start.
    #[serde(default)]
    pub listen: Vec<u16>,
    /// What happens as it runs, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// How it answers HTTP.
    #[serde(default)]
    pub http: Option<HttpSpec>,
    /// The prompt of its interactive shell (`kubectl exec -it … -- sh`); none: the
    /// image has no shell.
    #[serde(default)]
    pub prompt: Option<String>,
    /// What it does on the kubelet's stop signal.
    #[serde(default)]
    pub stop: StopSpec,
}

/// What a program does when the kubelet stops its container with SIGTERM (or the image's
/// STOPSIGNAL). The default is a program without a handler of its own, killed by the
/// signal at once (exit code 143).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopSpec {
    /// It ignores the signal, so the kubelet kills it when the grace period ends.
    #[serde(default)]
    pub ignores: bool,
    /// How long it takes to exit once signalled (`2s`, `100ms`).
    #[serde(default, deserialize_with = "duration")]
    pub after: Duration,
    /// Its exit code.
    #[serde(default = "killed_by_sigterm")]
    pub exit: i32,
    /// Lines it prints when signalled.
    #[serde(default)]
    pub log: Vec<Text>,
}

/// 128 + SIGTERM (15): the code of a program the signal killed.
const KILLED_BY_SIGTERM: i32 = 143;

fn killed_by_sigterm() -> i32 {
    KILLED_BY_SIGTERM
}

impl Default for StopSpec {
    fn default() -> StopSpec {
        StopSpec {
            ignores: false,
            after: Duration::ZERO,
            exit: KILLED_BY_SIGTERM,
            log: Vec::new(),
        }
    }
}

/// A model that does nothing and uses nothing, for a name the catalogue lacks (which
/// its tests rule out).
pub static IDLE: ModelSpec = ModelSpec {
    hook: None,
    usage: UsageSpec {
        cpu_milli: 0,
        memory_mib: 0,
    },
    listen: Vec::new(),
    prompt: None,
    steps: Vec::new(),
    http: None,
    stop: StopSpec {
        ignores: false,
        after: Duration::ZERO,
        exit: KILLED_BY_SIGTERM,
        log: Vec::new(),
    },
};

/// Resource use.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsageSpec {
    /// Millicores.
    pub cpu_milli: i64,
    /// Mebibytes.
    pub memory_mib: i64,
}

/// One step of a model's life.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// How long after the start it happens (`12s`).
    #[serde(default, deserialize_with = "duration")]
    pub after: Duration,
    /// Environment variables of which one must be set and not empty for the step (and
    /// the rest) to happen.
    #[serde(default)]
    pub require_env: Vec<String>,
    /// Flags (`-NAME=value`) of which one, or one of `require_env`, must be given and
    /// not empty.
    #[serde(default)]
    pub require_arg: Vec<String>,
    /// What happens instead when none of them is.
    #[serde(default)]
    pub otherwise: Option<Refusal>,
    /// Lines it prints.
    #[serde(default)]
    pub log: Vec<Text>,
    /// The CPU it uses from now on.
    #[serde(default)]
    pub cpu_milli: Option<i64>,
    /// Ports it starts listening on.
    #[serde(default)]
    pub open: Vec<u16>,
}

/// A program that refuses to run: what it prints, and its exit code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// The exit code.
    pub exit: i32,
    /// Lines it prints.
    #[serde(default)]
    pub log: Vec<Text>,
}

/// How a model answers HTTP.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    /// The port it serves on.
    pub port: u16,
    /// User agents (by prefix) whose requests it does not log.
    #[serde(default)]
    pub quiet_agents: Vec<String>,
    /// Its access log line, if it logs requests.
    #[serde(default)]
    pub access_log: Option<Text>,
    /// CPU time one request costs it, in microseconds (accepting the connection,
    /// answering, logging), so a load generator raises its CPU use whatever path it asks
    /// for, as on a real node.
    #[serde(default)]
    pub request_cpu_us: u64,
    /// Answers by path (without the query).
    #[serde(default)]
    pub routes: Vec<Route>,
    /// The answer for every other path.
    pub otherwise: Answer,
}

/// The answer for some paths.
#[derive(Debug, Deserialize)]
pub struct Route {
    /// The paths.
    pub paths: Vec<String>,
    /// Whether the model's hook answers.
    #[serde(default)]
    pub hook: bool,
    /// A file from the container's volumes to answer with.
    #[serde(default)]
    pub file: Option<FileSpec>,
    /// The answer when that file is missing (`{file}` is its path).
    #[serde(default)]
    pub missing: Option<Answer>,
    /// The answer (the file's content replaces the body when there is one).
    #[serde(flatten)]
    pub answer: Answer,
}

/// Which file a route answers with: the path an environment variable names, or a
/// default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// The variable.
    pub env: String,
    /// The path when it is unset.
    pub default: String,
}

/// An HTTP answer.
#[derive(Debug, Deserialize)]
pub struct Answer {
    /// The status (200 by default).
    #[serde(default = "ok")]
    pub status: u16,
    /// The content type (`text/plain; charset=utf-8` by default).
    #[serde(default = "text_plain")]
    pub content_type: String,
    /// The body.
    #[serde(default)]
    pub body: Text,
}

fn ok() -> u16 {
    200
}

fn text_plain() -> String {
    "text/plain; charset=utf-8".into()
}

/// `12s`, `500ms`, `2m`.
fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    let parsed = if let Some(ms) = text.strip_suffix("ms") {
        ms.parse().ok().map(Duration::from_millis)
    } else if let Some(s) = text.strip_suffix('s') {
        s.parse().ok().map(Duration::from_secs)
    } else if let Some(m) = text.strip_suffix('m') {
        m.parse::<u64>().ok().map(|m| Duration::from_secs(m * 60))
    } else {
        None
    };
    parsed.ok_or_else(|| serde::de::Error::custom(format!("not a duration: {text}")))
}

/// The catalogue, parsed on first use. A file that does not parse is a bug the tests
/// catch; a cluster built with one anyway holds no images (every pull fails).
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_yaml::from_str(include_str!("images.yaml")).unwrap_or_else(|e| {
            tracing::error!("models/images.yaml: {e}");
            Catalog::default()
        })
    })
}

impl ImageSpec {
    /// The variables `tag` gives the model (every tag gives `tag` itself), or `None`
    /// when the repository has no such tag.
    pub fn tag_vars(&self, tag: &str) -> Option<BTreeMap<String, String>> {
        let mut vars = match &self.tags {
            Tags::Rule(TagRule::Any) => BTreeMap::new(),
            Tags::Rule(TagRule::Release) if release_tag(tag) => BTreeMap::new(),
            Tags::Rule(TagRule::Release) => return None,
            Tags::Exact(tags) => tags.get(tag)?.clone(),
        };
        vars.insert("tag".into(), tag.into());
        Some(vars)
    }
}

/// Tags that look like a published release: `latest`, `stable`, `alpine`, `1.27`,
/// `1.27.3-alpine`, `v1.10` (Go projects' tags), `sha256:…` digests.
fn release_tag(tag: &str) -> bool {
    if tag.starts_with("sha256:") || matches!(tag, "latest" | "stable" | "mainline" | "alpine") {
        return true;
    }
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let version = tag.split('-').next().unwrap_or("");
    !version.is_empty()
        && version
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

impl Catalog {
    /// The model called `name`.
    pub fn model(&self, name: &str) -> Option<&ModelSpec> {
        self.models.get(name)
    }

    /// The image entry holding `repository`.
    pub fn image(&self, repository: &str) -> Option<&ImageSpec> {
        self.images
            .iter()
            .find(|i| i.repositories.iter().any(|r| r == repository))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_parses_and_every_image_has_a_model() {
        let parsed: Catalog =
            serde_yaml::from_str(include_str!("images.yaml")).expect("images.yaml");
        for image in &parsed.images {
            let known = matches!(image.model.as_str(), "shell" | "fortio")
                || parsed.models.contains_key(&image.model);
            assert!(
                known,
                "{:?} has no model {}",
                image.repositories, image.model
            );
        }
        assert!(parsed.models.contains_key("fortio-server"));
    }
}
