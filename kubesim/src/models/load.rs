//! CPU that work brings: requests a server answers, and the CPU `/stress` asks for.
//! Both are windows of time, so metrics show the load exactly while it lasts.

use std::time::Duration;

/// CPU time burned by requests: a list of (from, until, millicores) windows, so load from
/// `/stress` or fortio shows in metrics exactly while it lasts.
#[derive(Debug, Clone, Default)]
pub struct Burns(Vec<(Duration, Duration, i64)>);

impl Burns {
    /// Burns `millicores` from `at` for `seconds`.
    pub fn add(&mut self, at: Duration, seconds: u64, millicores: i64) {
        self.0.retain(|(_, until, _)| *until > at);
        self.0
            .push((at, at + Duration::from_secs(seconds), millicores));
    }

    /// Millicores burning at `age`.
    pub fn at(&self, age: Duration) -> i64 {
        self.0
            .iter()
            .filter(|(from, until, _)| *from <= age && age < *until)
            .map(|(_, _, m)| m)
            .sum()
    }
}

/// The CPU a server spends answering requests: each costs its model's CPU time per
/// request (`request_cpu_us`), spread over the second after it arrived, so `n` requests a
/// second show as `n × cost` of CPU.
#[derive(Debug, Clone, Default)]
pub struct RequestLoad {
    /// (tenth of a second they arrived in, microseconds of CPU) for the requests of the
    /// last second: a few entries however many requests come.
    seconds: Vec<(Duration, u64)>,
}

impl RequestLoad {
    /// One request at `age` costing `micros` of CPU.
    pub fn add(&mut self, age: Duration, micros: u64) {
        if micros == 0 {
            return;
        }
        let age =
            Duration::from_millis(u64::try_from(age.as_millis() / 100 * 100).unwrap_or(u64::MAX));
        self.seconds
            .retain(|(at, _)| *at + Duration::from_secs(1) > age);
        match self.seconds.iter_mut().find(|(at, _)| *at == age) {
            Some((_, total)) => *total += micros,
            None => self.seconds.push((age, micros)),
        }
    }

    /// Millicores in use at `age`: the requests of the second before it.
    pub fn at(&self, age: Duration) -> i64 {
        let micros: u64 = self
            .seconds
            .iter()
            .filter(|(at, _)| *at <= age && age < *at + Duration::from_secs(1))
            .map(|(_, m)| m)
            .sum();
        i64::try_from(micros / 1000).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cost_cpu_for_the_second_after_them() {
        let mut load = RequestLoad::default();
        let t = Duration::from_secs(10);
        for i in 0..400 {
            load.add(t + Duration::from_micros(i), 250);
        }
        assert_eq!(load.at(t), 100, "400 requests of 250 µs: 100m");
        assert_eq!(load.at(t + Duration::from_millis(999)), 100);
        assert_eq!(
            load.at(t + Duration::from_secs(1)),
            0,
            "the load has passed"
        );
        load.add(t + Duration::from_secs(1), 250);
        assert_eq!(
            load.seconds.len(),
            1,
            "one entry a tenth; passed seconds are forgotten"
        );
    }
}
