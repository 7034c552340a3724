//! How the HPA controller turns the replicas its metrics ask for into the replicas it sets,
//! as kube-controller-manager does (`normalizeDesiredReplicas`, and
//! `normalizeDesiredReplicasWithBehaviors` when the HPA has a `behavior`): recent
//! recommendations stabilise the count, then the scale rate, `minReplicas` and
//! `maxReplicas` bound it. Without a behaviour: the highest recommendation of the last
//! five minutes, at most double (or 4) per period. With one: each direction's
//! stabilisation window and policies (Pods or Percent per period, the Max, Min or
//! Disabled choice), counted against the scalings the autoscaler itself made.

use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// The controller's `--horizontal-pod-autoscaler-downscale-stabilization` default, the
/// window of a scale-down without its own.
const DOWNSCALE_WINDOW: Duration = Duration::from_secs(300);

/// What one autoscaler remembers between periods.
#[derive(Debug, Default)]
pub struct Memory {
    /// The recommendations before stabilisation: when, how many replicas.
    recommendations: Vec<(Instant, i64)>,
    /// The scalings it made (with a behaviour only): when, by how many replicas.
    ups: Vec<(Instant, i64)>,
    downs: Vec<(Instant, i64)>,
}

/// The replicas to set, and the AbleToScale and ScalingLimited conditions that say why.
pub struct Normalized {
    pub replicas: i64,
    /// AbleToScale's reason and message (its status is True).
    pub able: (&'static str, &'static str),
    /// ScalingLimited's status, reason and message.
    pub limited: (bool, &'static str, &'static str),
}

const WITHIN: (&str, &str) = (
    "DesiredWithinRange",
    "the desired count is within the acceptable range",
);
const UP_LIMIT: (&str, &str) = (
    "ScaleUpLimit",
    "the desired replica count is increasing faster than the maximum scale rate",
);
const DOWN_LIMIT: (&str, &str) = (
    "ScaleDownLimit",
    "the desired replica count is decreasing faster than the maximum scale rate",
);
const TOO_MANY: (&str, &str) = (
    "TooManyReplicas",
    "the desired replica count is more than the maximum replica count",
);
const TOO_FEW: (&str, &str) = (
    "TooFewReplicas",
    "the desired replica count is less than the minimum replica count",
);
const READY: (&str, &str) = ("ReadyForNewScale", "recommended size matches current size");
const UP_STABILIZED: (&str, &str) = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
const DOWN_STABILIZED: (&str, &str) = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);

/// How one direction may scale (`behavior.scaleUp` or `behavior.scaleDown`).
struct Rules {
    window: Duration,
    select: String,
    /// Each policy: Pods or Percent, its value, its period.
    policies: Vec<(String, i64, Duration)>,
}

impl Rules {
    /// A direction's rules as the API server defaults them (its built-in rules where
    /// the object has none); a scale-down without a window gets the controller's.
    fn of(behavior: &Value, direction: &str) -> Rules {
        let given = &behavior[direction];
        let built_in = crate::defaults::hpa_built_in_rules(direction);
        let field = |name: &str| match &given[name] {
            Value::Null => built_in[name].clone(),
            value => value.clone(),
        };
        let window = field("stabilizationWindowSeconds")
            .as_u64()
            .map_or(DOWNSCALE_WINDOW, Duration::from_secs);
        let policies = field("policies")
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                (
                    p["type"].as_str().unwrap_or_default().to_string(),
                    p["value"].as_i64().unwrap_or(0),
                    Duration::from_secs(p["periodSeconds"].as_u64().unwrap_or(0)),
                )
            })
            .collect();
        Rules {
            window,
            select: field("selectPolicy").as_str().unwrap_or("Max").to_string(),
            policies,
        }
    }

    fn longest_period(&self) -> Duration {
        self.policies
            .iter()
            .map(|(_, _, period)| *period)
            .max()
            .unwrap_or_default()
    }
}

/// The replicas changed within `period` before `now`.
fn changed_within(events: &[(Instant, i64)], period: Duration, now: Instant) -> i64 {
    events
        .iter()
        .filter(|(at, _)| now.duration_since(*at) < period)
        .map(|(_, change)| change)
        .sum()
}

/// Normalises `desired` (what the metrics ask for) for an HPA with `spec` whose target
/// has `current` replicas, at `now`.
pub fn normalize(
    memory: &mut Memory,
    spec: &Value,
    current: i64,
    desired: i64,
    now: Instant,
) -> Normalized {
    let min = spec["minReplicas"].as_i64().unwrap_or(1);
    let max = spec["maxReplicas"].as_i64().unwrap_or(current);
    let behavior = &spec["behavior"];
    if !behavior.is_object() {
        return without_behavior(memory, current, desired, min, max, now);
    }
    let (up, down) = (
        Rules::of(behavior, "scaleUp"),
        Rules::of(behavior, "scaleDown"),
    );
    // Stabilise: no higher than the lowest recommendation of the up window, no lower
    // than the highest of the down window.
    let within = |window: Duration| {
        memory
            .recommendations
            .iter()
            .filter(move |(at, _)| now.duration_since(*at) < window)
            .map(|(_, r)| *r)
    };
    let up_recommendation = within(up.window).fold(desired, i64::min);
    let down_recommendation = within(down.window).fold(desired, i64::max);
    let stabilized = current.max(up_recommendation).min(down_recommendation);
    let keep = up.window.max(down.window);
    memory
        .recommendations
        .retain(|(at, _)| now.duration_since(*at) < keep);
    memory.recommendations.push((now, desired));
    let able = match stabilized == desired {
        true => READY,
        false if desired >= current => UP_STABILIZED,
        false => DOWN_STABILIZED,
    };
    let (replicas, (reason, message)) = if stabilized > current {
        let limit = scale_limit(&up, current, memory, now, true).max(current);
        let (allowed, bound) = if max > limit {
            (limit, UP_LIMIT)
        } else {
            (max, TOO_MANY)
        };
        if stabilized > allowed {
            (allowed, bound)
        } else {
            (stabilized, WITHIN)
        }
    } else if stabilized < current {
        let limit = scale_limit(&down, current, memory, now, false).min(current);
        let (allowed, bound) = if min < limit {
            (limit, DOWN_LIMIT)
        } else {
            (min, TOO_FEW)
        };
        if stabilized < allowed {
            (allowed, bound)
        } else {
            (stabilized, WITHIN)
        }
    } else {
        (stabilized, WITHIN)
    };
    Normalized {
        replicas,
        able,
        limited: (replicas != stabilized, reason, message),
    }
}

/// The farthest a direction's policies let the count go from `current` now, counting
/// from where it stood at the start of each policy's period.
fn scale_limit(rules: &Rules, current: i64, memory: &Memory, now: Instant, up: bool) -> i64 {
    if rules.select == "Disabled" {
        return current;
    }
    // Max picks the policy allowing the biggest change, Min the smallest.
    let biggest = rules.select != "Min";
    let proposals = rules.policies.iter().map(|(kind, value, period)| {
        let start = current - changed_within(&memory.ups, *period, now)
            + changed_within(&memory.downs, *period, now);
        match (kind.as_str(), up) {
            ("Pods", true) => start + value,
            ("Pods", false) => start - value,
            (_, true) => (start as f64 * (1.0 + *value as f64 / 100.0)).ceil() as i64,
            (_, false) => (start as f64 * (1.0 - *value as f64 / 100.0)) as i64,
        }
    });
    if up == biggest {
        proposals.max().unwrap_or(current)
    } else {
        proposals.min().unwrap_or(current)
    }
}

/// Without a behaviour: the highest recommendation of the last five minutes, then at
/// most double (or 4) the current count, within min and max.
fn without_behavior(
    memory: &mut Memory,
    current: i64,
    desired: i64,
    min: i64,
    max: i64,
    now: Instant,
) -> Normalized {
    memory
        .recommendations
        .retain(|(at, _)| now.duration_since(*at) < DOWNSCALE_WINDOW);
    let stabilized = memory
        .recommendations
        .iter()
        .map(|(_, r)| *r)
        .fold(desired, i64::max);
    memory.recommendations.push((now, desired));
    let able = if stabilized == desired {
        READY
    } else {
        DOWN_STABILIZED
    };
    let up_limit = (2 * current).max(4);
    let (allowed, bound) = if max > up_limit {
        (up_limit, UP_LIMIT)
    } else {
        (max, TOO_MANY)
    };
    let (replicas, (reason, message)) = if stabilized < min {
        (min, TOO_FEW)
    } else if stabilized > allowed {
        (allowed, bound)
    } else {
        (stabilized, WITHIN)
    };
    Normalized {
        replicas,
        able,
        limited: (replicas != stabilized, reason, message),
    }
}

/// Remembers a scaling the autoscaler made (only an HPA with a behaviour counts them),
/// for as long as the direction's longest policy period.
pub fn record_scale(memory: &mut Memory, spec: &Value, from: i64, to: i64, now: Instant) {
    let behavior = &spec["behavior"];
    if !behavior.is_object() || from == to {
        return;
    }
    let (direction, events, change) = if to > from {
        ("scaleUp", &mut memory.ups, to - from)
    } else {
        ("scaleDown", &mut memory.downs, from - to)
    };
    let keep = Rules::of(behavior, direction).longest_period();
    events.retain(|(at, _)| now.duration_since(*at) < keep);
    events.push((now, change));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn without_a_behavior_the_count_at_most_doubles_and_falls_after_five_minutes() {
        let spec = json!({"minReplicas": 1, "maxReplicas": 20});
        let mut memory = Memory::default();
        let t0 = Instant::now();
        let n = normalize(&mut memory, &spec, 2, 10, t0);
        assert_eq!((n.replicas, n.limited.1), (4, "ScaleUpLimit"));
        // A lower recommendation within five minutes of a higher one waits.
        let n = normalize(&mut memory, &spec, 4, 1, t0 + Duration::from_secs(60));
        // (It goes on up towards the highest, as kube-controller-manager does.)
        assert_eq!((n.replicas, n.able.0), (8, "ScaleDownStabilized"));
        let n = normalize(&mut memory, &spec, 4, 1, t0 + Duration::from_secs(400));
        assert_eq!(
            (n.replicas, n.able.0, n.limited.0),
            (1, "ReadyForNewScale", false)
        );
    }

    #[test]
    fn a_behavior_sets_the_windows_and_the_rate() {
        let spec = json!({"minReplicas": 1, "maxReplicas": 20, "behavior": {
            "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
            "scaleDown": {"stabilizationWindowSeconds": 30, "selectPolicy": "Max",
                "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}]}}});
        let mut memory = Memory::default();
        let t0 = Instant::now();
        // One pod per minute up.
        let n = normalize(&mut memory, &spec, 2, 10, t0);
        assert_eq!((n.replicas, n.limited.1), (3, "ScaleUpLimit"));
        record_scale(&mut memory, &spec, 2, 3, t0);
        let n = normalize(&mut memory, &spec, 3, 10, t0 + Duration::from_secs(15));
        assert_eq!(n.replicas, 3, "the minute's one pod is used");
        let n = normalize(&mut memory, &spec, 3, 10, t0 + Duration::from_secs(61));
        assert_eq!(n.replicas, 4);
        // Down: a 30 s window, then at most half per minute.
        let n = normalize(&mut memory, &spec, 4, 1, t0 + Duration::from_secs(70));
        assert_eq!((n.replicas, n.able.0), (4, "ScaleDownStabilized"));
        let n = normalize(&mut memory, &spec, 4, 1, t0 + Duration::from_secs(100));
        assert_eq!((n.replicas, n.limited.1), (2, "ScaleDownLimit"));
        // Disabled: never down.
        let mut disabled = spec.clone();
        disabled["behavior"]["scaleDown"]["selectPolicy"] = json!("Disabled");
        let n = normalize(&mut Memory::default(), &disabled, 4, 1, t0);
        assert_eq!(n.replicas, 4);
    }
}
