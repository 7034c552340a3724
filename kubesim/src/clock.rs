//! Time, injected: every timestamp and timeout in the cluster comes from here. It counts
//! with tokio's clock from a fixed starting instant, so tests on paused tokio time see the
//! same timestamps every run, and a simulated five-minute rollout takes no real time.

use jiff::Timestamp;
use tokio::time::Instant;

/// Wall-clock time as the cluster sees it.
#[derive(Debug, Clone)]
pub struct Clock {
    start: Timestamp,
    started_at: Instant,
}

impl Clock {
    /// A clock that reads `start` now and advances with tokio's time.
    pub fn starting_at(start: Timestamp) -> Clock {
        Clock {
            start,
            started_at: Instant::now(),
        }
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        let elapsed = jiff::SignedDuration::try_from(self.started_at.elapsed())
            .unwrap_or(jiff::SignedDuration::MAX);
        self.start.checked_add(elapsed).unwrap_or(self.start)
    }

    /// The current time as Kubernetes writes it: RFC 3339, whole seconds, `Z`.
    pub fn now_rfc3339(&self) -> String {
        format_time(self.now())
    }
}

/// RFC 3339 with whole seconds, as `metav1.Time` serialises.
pub fn format_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn advances_with_tokio_time() {
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
        let clock = Clock::starting_at(start);
        assert_eq!(clock.now_rfc3339(), "2026-01-01T00:00:00Z");
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        assert_eq!(clock.now_rfc3339(), "2026-01-01T00:01:30Z");
    }
}
