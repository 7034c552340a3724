//! Text in the models' descriptions: templates with placeholders for the time, the
//! environment and variables, and lines made of parts that appear only when what they
//! name is set.

use super::process::Context;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// A template, or parts joined into one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// One template.
    Plain(String),
    /// Parts, some conditional.
    Parts(Vec<Part>),
}

impl Default for Text {
    fn default() -> Self {
        Text::Plain(String::new())
    }
}

/// One part of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Part {
    /// Always there.
    Plain(String),
    /// There only when the placeholder `when` names (`env:NAME`, or a variable) is set.
    When {
        /// The placeholder, without braces.
        when: String,
        /// The template.
        text: String,
    },
}

/// What placeholders read: the container's context (environment, start time), how long
/// it has run, and the variables in force.
pub struct Scope<'a> {
    /// The container.
    pub context: &'a Context,
    /// Its age, for `{time:…}`.
    pub age: Duration,
    /// `{NAME}` variables.
    pub vars: &'a BTreeMap<String, String>,
}

impl Scope<'_> {
    /// The value of a placeholder (`time:FORMAT`, `env:NAME`, `env:NAME|default`,
    /// `arg:NAME` (a Go-style flag's value), `pod:name`, `pod:ip`, or a variable); `None`
    /// when it is not set.
    fn lookup(&self, placeholder: &str) -> Option<String> {
        match placeholder.split_once(':') {
            Some(("arg", name)) => self.context.flag(name).map(str::to_string),
            Some(("pod", "name")) => Some(self.context.pod.clone()),
            Some(("pod", "ip")) => Some(self.context.pod_ip.clone()),
            Some(("time", format)) => {
                Some(self.context.time_at(self.age).strftime(format).to_string())
            }
            Some(("env", name)) => match name.split_once('|') {
                Some((name, default)) => {
                    Some(self.context.env(name).unwrap_or(default).to_string())
                }
                None => self.context.env(name).map(str::to_string),
            },
            _ => self.vars.get(placeholder).cloned(),
        }
    }

    /// Fills in a template's placeholders. One that is not set stays as written, so a
    /// mistake in a description shows.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let placeholder = after
                .find('}')
                .map(|end| &after[..end])
                .filter(|p| p.starts_with(|c: char| c.is_ascii_lowercase()));
            match placeholder.and_then(|p| Some((p, self.lookup(p)?))) {
                Some((p, value)) => {
                    out.push_str(&value);
                    rest = &after[p.len() + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A text filled in; `None` when it is made of parts and none is there (a log line
    /// that is not printed).
    pub fn render(&self, text: &Text) -> Option<String> {
        match text {
            Text::Plain(template) => Some(self.fill(template)),
            Text::Parts(parts) => {
                let present: Vec<String> = parts
                    .iter()
                    .filter_map(|part| match part {
                        Part::Plain(template) => Some(self.fill(template)),
                        Part::When { when, text } => self.lookup(when).map(|_| self.fill(text)),
                    })
                    .collect();
                (!present.is_empty()).then(|| present.concat())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_read_the_environment_variables_and_time() {
        let mut context = Context::default();
        context.env.insert("NAME".into(), "Ada".into());
        let vars = BTreeMap::from([("greeting".to_string(), "Hi".to_string())]);
        let scope = Scope {
            context: &context,
            age: Duration::from_secs(61),
            vars: &vars,
        };
        assert_eq!(
            scope.fill("{greeting}, {env:NAME} and {env:WHO|nobody} at {time:%H:%M:%S} {x} {"),
            "Hi, Ada and nobody at 00:01:01 {x} {"
        );
        let parts = Text::Parts(vec![
            Part::Plain("a".into()),
            Part::When {
                when: "env:AGE".into(),
                text: "b".into(),
            },
        ]);
        assert_eq!(scope.render(&parts).as_deref(), Some("a"));
        let absent = Text::Parts(vec![Part::When {
            when: "env:AGE".into(),
            text: "b".into(),
        }]);
        assert_eq!(scope.render(&absent), None);
    }
}
