//! What a namespace asks of its pods: the `pod-security.kubernetes.io/<mode>` and
//! `<mode>-version` labels read into one level and version per mode (enforce, audit,
//! warn), as Pod Security admission reads them — with its defaults (privileged:latest),
//! its fallbacks when a label is invalid (enforce fails closed to restricted, audit and
//! warn fail open to privileged) and warn taking enforce's level when it is stricter and
//! warn is unset.

use crate::status::Cause;
use serde_json::{Value, json};
use std::fmt;

/// The label prefix of every mode, and of the audit annotations.
pub const PREFIX: &str = "pod-security.kubernetes.io/";

/// A Pod Security Standards level, least to most restrictive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Everything allowed.
    Privileged,
    /// Known privilege escalations refused.
    Baseline,
    /// Hardening best practice required.
    Restricted,
}

impl Level {
    const NAMES: [(&'static str, Level); 3] = [
        ("privileged", Level::Privileged),
        ("baseline", Level::Baseline),
        ("restricted", Level::Restricted),
    ];

    fn parse(text: &str) -> Option<Level> {
        Level::NAMES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, level)| *level)
    }

    /// The label value.
    pub fn name(self) -> &'static str {
        Level::NAMES
            .iter()
            .find(|(_, level)| *level == self)
            .map_or("", |(name, _)| name)
    }
}

/// A policy version: `latest`, or `v1.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// The newest checks the server knows.
    Latest,
    /// The checks as of Kubernetes 1.<minor>.
    Minor(u32),
}

impl Version {
    fn parse(text: &str) -> Option<Version> {
        if text == "latest" {
            return Some(Version::Latest);
        }
        let minor = text.strip_prefix("v1.")?;
        // `^v1\.([0-9]|[1-9][0-9]*)$`: no leading zeros, no sign.
        let canonical = !minor.is_empty()
            && minor.chars().all(|c| c.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        canonical
            .then(|| minor.parse().ok().map(Version::Minor))
            .flatten()
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Minor(minor) => write!(f, "v1.{minor}"),
        }
    }
}

/// A level at a version: `restricted:latest`, `baseline:v1.30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    /// The level.
    pub level: Level,
    /// The version of its checks.
    pub version: Version,
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level.name(), self.version)
    }
}

const PRIVILEGED_LATEST: LevelVersion = LevelVersion {
    level: Level::Privileged,
    version: Version::Latest,
};

/// The three modes of a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Pods violating it are refused.
    pub enforce: LevelVersion,
    /// Violations are recorded in the audit log.
    pub audit: LevelVersion,
    /// Violations are answered with a warning.
    pub warn: LevelVersion,
}

impl Policy {
    /// Whether nothing is checked at all.
    pub fn fully_privileged(&self) -> bool {
        [self.enforce, self.audit, self.warn]
            .iter()
            .all(|lv| lv.level == Level::Privileged)
    }

    /// The policy a namespace's labels ask for (kube-apiserver's defaults for what they
    /// leave out), and the field errors of the labels that are not valid.
    pub fn from_labels(labels: &Value) -> (Policy, Vec<Cause>) {
        let mut policy = Policy {
            enforce: PRIVILEGED_LATEST,
            audit: PRIVILEGED_LATEST,
            warn: PRIVILEGED_LATEST,
        };
        let mut errors = Vec::new();
        let label = |mode: &str| labels[format!("{PREFIX}{mode}")].as_str();
        let mut invalid = |mode: &str, value: &str, detail: &str| {
            errors.push(Cause {
                reason: "FieldValueInvalid",
                message: format!("Invalid value: {}: {detail}", json!(value)),
                field: format!("metadata.labels[{PREFIX}{mode}]"),
            });
        };
        const LEVELS: &str = "must be one of privileged, baseline, restricted";
        const VERSIONS: &str = "must be \"latest\" or \"v1.x\"";
        let mut enforce_set = false;
        for (mode, slot, fallback) in [
            ("enforce", &mut policy.enforce, Level::Restricted),
            ("audit", &mut policy.audit, Level::Privileged),
            ("warn", &mut policy.warn, Level::Privileged),
        ] {
            if let Some(value) = label(mode) {
                slot.level = Level::parse(value).unwrap_or_else(|| {
                    invalid(mode, value, LEVELS);
                    fallback
                });
                enforce_set |= mode == "enforce" && Level::parse(value).is_some();
            }
            let version_mode = format!("{mode}-version");
            if let Some(value) = label(&version_mode) {
                slot.version = Version::parse(value).unwrap_or_else(|| {
                    invalid(&version_mode, value, VERSIONS);
                    Version::Latest
                });
            }
        }
        // Warn defaults to enforce's level (and version) when enforce is stricter.
        if label("warn").is_none() && enforce_set && policy.enforce.level > policy.warn.level {
            policy.warn.level = policy.enforce.level;
            if label("warn-version").is_none() {
                policy.warn.version = policy.enforce.version;
            }
        }
        (policy, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_pod_security_admission_reads_them() {
        let (p, errors) = Policy::from_labels(&json!({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.30",
            "pod-security.kubernetes.io/audit": "restricted",
        }));
        assert!(errors.is_empty());
        assert_eq!(p.enforce.to_string(), "baseline:v1.30");
        assert_eq!(p.audit.to_string(), "restricted:latest");
        assert_eq!(p.warn.to_string(), "baseline:v1.30", "warn follows enforce");
        let (p, errors) = Policy::from_labels(&json!({
            "pod-security.kubernetes.io/enforce": "strict",
            "pod-security.kubernetes.io/warn-version": "v1.07",
        }));
        assert_eq!(p.enforce.level, Level::Restricted, "enforce fails closed");
        assert_eq!(
            errors
                .iter()
                .map(|c| format!("{}: {}", c.field, c.message))
                .collect::<Vec<_>>(),
            [
                "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
                "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"v1.07\": must be \"latest\" or \"v1.x\"",
            ]
        );
        assert!(Policy::from_labels(&json!({})).0.fully_privileged());
    }
}
