//! The CronJob controller: creates a Job at each time the schedule names (standard
//! five-field cron), honours `suspend` and `concurrencyPolicy`, keeps the configured
//! number of finished Jobs, and reports `lastScheduleTime`, `lastSuccessfulTime` and the
//! active Jobs.

use super::job::finished;
use super::runner::{Context, Controller, Every};
use super::workload::{MANAGER, from_template, owned, owner_reference, update_status};
use crate::events::Source;
use crate::ownership::owned_by;
use crate::store::Key;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const SOURCE: Source<'static> = Source::component("cronjob-controller");

/// The controller: every CronJob every ten seconds, as the real controller's resync
/// does.
pub fn controller() -> impl Controller {
    Every::new(Duration::from_secs(10), |ctx: &Context| {
        for (key, _) in ctx.store.list("batch", "cronjobs", None, None).0 {
            reconcile(ctx, &key);
        }
    })
}

/// One cron field: does `value` match it? (`*`, `*/n`, `a-b`, `a-b/n`, lists.)
fn field_matches(field: &str, value: i64, first: i64) -> bool {
    field.split(',').any(|part| {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<i64>().unwrap_or(1).max(1)),
            None => (part, 1),
        };
        let (low, high) = match range {
            "*" => (first, i64::MAX),
            r => match r.split_once('-') {
                Some((a, b)) => (a.parse().unwrap_or(-1), b.parse().unwrap_or(-1)),
                None => {
                    let n = r.parse().unwrap_or(-1);
                    (n, if step > 1 { i64::MAX } else { n })
                }
            },
        };
        value >= low && value <= high && (value - low) % step == 0
    })
}

/// Whether a five-field schedule (or `@hourly`-style macro) fires at `t` (UTC, whole
/// minute).
pub fn fires_at(schedule: &str, t: Timestamp) -> bool {
    let expanded = match schedule.trim() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    let fields: Vec<&str> = expanded.split_whitespace().collect();
    let [minute, hour, day, month, weekday] = fields.as_slice() else {
        return false;
    };
    let dt = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
    field_matches(minute, i64::from(dt.minute()), 0)
        && field_matches(hour, i64::from(dt.hour()), 0)
        && field_matches(day, i64::from(dt.day()), 1)
        && field_matches(month, i64::from(dt.month()), 1)
        && field_matches(weekday, i64::from(dt.weekday().to_sunday_zero_offset()), 0)
}

fn reconcile(ctx: &Context, key: &Key) {
    let (store, events) = (&ctx.store, &ctx.events);
    let Ok(cron) = store.get(key) else {
        return;
    };
    let spec = &cron["spec"];
    let uid = cron["metadata"]["uid"].as_str().unwrap_or_default();
    let jobs = owned(store, ("batch", "jobs"), &key.namespace, &cron);
    let mut status = cron["status"].clone();
    if !status.is_object() {
        status = json!({});
    }
    // Finished jobs: note them, and keep only the configured history.
    let mut succeeded: Vec<&(Key, Arc<Value>)> = Vec::new();
    let mut failed: Vec<&(Key, Arc<Value>)> = Vec::new();
    for entry in &jobs {
        let job = &entry.1;
        if finished(job) {
            let complete = job["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Complete");
            if complete {
                succeeded.push(entry);
                let done = job["status"]["completionTime"].clone();
                if status["lastSuccessfulTime"].as_str() < done.as_str() {
                    status["lastSuccessfulTime"] = done;
                    events.normal(
                        &cron,
                        SOURCE,
                        "SawCompletedJob",
                        &format!("Saw completed job: {}, condition: Complete", entry.0.name),
                    );
                }
            } else {
                failed.push(entry);
            }
        }
    }
    for (list, keep) in [
        (
            succeeded,
            spec["successfulJobsHistoryLimit"].as_i64().unwrap_or(3),
        ),
        (failed, spec["failedJobsHistoryLimit"].as_i64().unwrap_or(1)),
    ] {
        let surplus = list.len().saturating_sub(keep.max(0) as usize);
        for (job_key, _) in list.into_iter().take(surplus) {
            if store.remove(job_key, None).is_ok() {
                events.normal(
                    &cron,
                    SOURCE,
                    "SuccessfulDelete",
                    &format!("Deleted job {}", job_key.name),
                );
            }
        }
    }
    let active: Vec<&(Key, Arc<Value>)> = jobs
        .iter()
        .filter(|(_, j)| {
            !finished(j)
                && store
                    .get(&Key::new(
                        "batch",
                        "jobs",
                        &key.namespace,
                        j["metadata"]["name"].as_str().unwrap_or_default(),
                    ))
                    .is_ok()
        })
        .collect();
    // The most recent whole minute the schedule names, since the last run (or creation).
    let now = store.clock().now();
    let minute = now.as_second() / 60 * 60;
    let since = status["lastScheduleTime"]
        .as_str()
        .or(cron["metadata"]["creationTimestamp"].as_str())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map_or(minute, |t| t.as_second());
    let schedule = spec["schedule"].as_str().unwrap_or_default();
    let due = (0..=((minute - since) / 60).min(60 * 24))
        .map(|k| minute - k * 60)
        .filter(|t| *t > since)
        .find(|t| Timestamp::from_second(*t).is_ok_and(|ts| fires_at(schedule, ts)));
    if let (Some(at), false) = (due, spec["suspend"] == true) {
        let policy = spec["concurrencyPolicy"].as_str().unwrap_or("Allow");
        let blocked = policy == "Forbid" && !active.is_empty();
        if !blocked {
            if policy == "Replace" {
                for (job_key, _) in &active {
                    let _ = store.remove(job_key, None);
                }
            }
            let name = format!("{}-{}", key.name, at / 60);
            let template = &spec["jobTemplate"];
            let mut job = from_template("batch/v1", "Job", template);
            let scheduled = Timestamp::from_second(at)
                .map(crate::clock::format_time)
                .unwrap_or_default();
            job["metadata"]["name"] = json!(name);
            job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] =
                json!(scheduled);
            job["metadata"]["ownerReferences"] =
                json!([owner_reference(&cron, ("batch/v1", "CronJob"))]);
            match ctx.registry.create_as_controller(
                "batch",
                "v1",
                "jobs",
                &key.namespace,
                job,
                MANAGER,
            ) {
                Ok(_) => events.normal(
                    &cron,
                    SOURCE,
                    "SuccessfulCreate",
                    &format!("Created job {name}"),
                ),
                Err(e) => events.warning(
                    &cron,
                    SOURCE,
                    "FailedCreate",
                    &format!("Error creating job: {}", e.message),
                ),
            }
            status["lastScheduleTime"] = json!(scheduled);
        }
    }
    let active_refs: Vec<Value> = store
        .list("batch", "jobs", Some(&key.namespace), None)
        .0
        .iter()
        .filter(|(_, j)| owned_by(j, uid) && !finished(j))
        .map(|(k, j)| json!({"apiVersion": "batch/v1", "kind": "Job", "name": k.name, "namespace": k.namespace, "uid": j["metadata"]["uid"], "resourceVersion": j["metadata"]["resourceVersion"]}))
        .collect();
    if active_refs.is_empty() {
        if let Some(map) = status.as_object_mut() {
            map.remove("active");
        }
    } else {
        status["active"] = json!(active_refs);
    }
    update_status(store, key, &cron, status, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_match_like_cron() {
        let t: Timestamp = "2026-03-02T10:30:00Z".parse().expect("time"); // a Monday
        assert!(fires_at("*/5 * * * *", t));
        assert!(fires_at("30 10 * * 1", t));
        assert!(fires_at("0-45/15 10 2 3 *", t));
        assert!(!fires_at("*/7 * * * *", t));
        assert!(!fires_at("30 10 * * 0", t));
        assert!(fires_at(
            "@hourly",
            "2026-03-02T10:00:00Z".parse().expect("time")
        ));
    }
}
