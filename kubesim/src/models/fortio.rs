//! `fortio/fortio`: `load -qps Q -c C -t DURATION URL` sends Q requests a second to URL
//! for DURATION (through the cluster's network, so a Service spreads them over its pods and
//! `/stress` makes their CPU climb), then prints its summary and exits; with no arguments
//! it is the echo server on 8080.

use super::catalog::{IDLE, catalog};
use super::described::Described;
use super::http::HttpRequest;
use super::process::{Context, Exit, MIB, Process, Stopping, Surroundings, Usage};
use std::collections::BTreeMap;
use std::time::Duration;

/// Starts fortio as its arguments ask: the load generator, the echo server (described
/// in `images.yaml` as `fortio-server`), or a refusal of arguments it does not take.
pub fn start(context: Context) -> Box<dyn Process> {
    match Load::parse(&context.argv) {
        Ok(Some(load)) => Box::new(load),
        Ok(None) => {
            let server = catalog().model("fortio-server").unwrap_or(&IDLE);
            Box::new(Described::new(server, context, BTreeMap::new(), None))
        }
        Err(message) => Box::new(Refusal(Some(message))),
    }
}

/// A load run.
#[derive(Debug)]
struct Load {
    qps: u64,
    connections: u64,
    duration: Duration,
    url: String,
    /// Seconds of load sent so far.
    sent_seconds: u64,
    codes: BTreeMap<u16, u64>,
    started: bool,
}

impl Load {
    /// `Ok(None)` when the arguments do not ask for a load (the server).
    fn parse(argv: &[String]) -> Result<Option<Load>, String> {
        let mut args = argv.iter().skip_while(|a| a.contains("fortio"));
        match args.next().map(String::as_str) {
            Some("load") => {}
            None | Some("server") => return Ok(None),
            Some(other) => return Err(format!("Fortio: unknown command {other:?}")),
        }
        let mut load = Load {
            qps: 8,
            connections: 4,
            duration: Duration::from_secs(5),
            url: String::new(),
            sent_seconds: 0,
            codes: BTreeMap::new(),
            started: false,
        };
        let rest: Vec<&String> = args.collect();
        let mut i = 0;
        while i < rest.len() {
            let arg = rest[i].trim_start_matches('-');
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) => (f, Some(v.to_string())),
                None => (arg, None),
            };
            let takes_value = matches!(flag, "qps" | "c" | "t" | "n");
            let value = if takes_value && inline.is_none() {
                i += 1;
                rest.get(i).map(|s| s.to_string())
            } else {
                inline
            };
            match (flag, value) {
                ("qps", Some(v)) => {
                    load.qps = v.parse().map_err(|_| format!("invalid -qps {v}"))?
                }
                ("c", Some(v)) => {
                    load.connections = v.parse().map_err(|_| format!("invalid -c {v}"))?
                }
                ("t", Some(v)) => {
                    load.duration = parse_duration(&v).ok_or_else(|| format!("invalid -t {v}"))?
                }
                _ if !rest[i].starts_with('-') => load.url = rest[i].to_string(),
                _ => {}
            }
            i += 1;
        }
        if load.url.is_empty() {
            return Err("Error: fortio load needs a url or destination".into());
        }
        Ok(Some(load))
    }
}

/// `180s`, `3m`, `1h`, `90`.
fn parse_duration(text: &str) -> Option<Duration> {
    let (number, unit) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then(|| Duration::from_secs_f64(value * unit))
}

impl Process for Load {
    /// A Go program without a signal handler of its own, as PID 1: Go's runtime cannot die
    /// of the signal there, so it exits with code 2 at once.
    fn stop(&mut self, _age: Duration, _out: &mut Vec<String>) -> Option<Stopping> {
        Some(Stopping {
            after: Duration::ZERO,
            code: 2,
        })
    }

    fn advance(
        &mut self,
        age: Duration,
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        if !self.started {
            self.started = true;
            out.push(format!(
                "Fortio 1.66.5 running at {} queries per second, 2->2 procs, for {:?}: {}",
                self.qps, self.duration, self.url
            ));
            out.push(format!(
                "Starting at {} qps with {} thread(s) [gomax 2] for {:?}",
                self.qps, self.connections, self.duration
            ));
        }
        let path = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        let path = path.find('/').map_or("/", |i| &path[i..]).to_string();
        while self.sent_seconds < self.duration.as_secs()
            && Duration::from_secs(self.sent_seconds) <= age
        {
            for _ in 0..self.qps {
                let request = HttpRequest::get(&path, "fortio.org/fortio-1.66.5", "");
                let code = around.http(&self.url, &request).map_or(0, |r| r.status);
                *self.codes.entry(code).or_default() += 1;
            }
            self.sent_seconds += 1;
        }
        if age < self.duration {
            return None;
        }
        let calls: u64 = self.codes.values().sum();
        out.push(format!(
            "Ended after {:?} : {calls} calls. qps={}",
            self.duration, self.qps
        ));
        for (code, count) in &self.codes {
            let share = 100.0 * *count as f64 / calls.max(1) as f64;
            if *code == 0 {
                out.push(format!("Code  -1 : {count} ({share:.1} %)"));
            } else {
                out.push(format!("Code {code} : {count} ({share:.1} %)"));
            }
        }
        out.push(format!(
            "All done {calls} calls (plus 0 warmup) {:.3} ms avg, {}.0 qps",
            1.5, self.qps
        ));
        let failed = self.codes.iter().any(|(c, _)| *c == 0 || *c >= 400);
        Some(Exit {
            code: i32::from(failed),
        })
    }

    fn next_wake(&self) -> Option<Duration> {
        Some(if self.sent_seconds < self.duration.as_secs() {
            Duration::from_secs(self.sent_seconds)
        } else {
            self.duration
        })
    }

    fn usage(&self, _: Duration) -> Usage {
        Usage {
            cpu_milli: 5 + self.qps as i64,
            memory_bytes: 12 * MIB,
        }
    }
}

/// Arguments fortio rejects: it prints why and exits 1.
#[derive(Debug)]
struct Refusal(Option<String>);

impl Process for Refusal {
    fn advance(
        &mut self,
        _: Duration,
        _: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        out.extend(self.0.take());
        Some(Exit { code: 1 })
    }
    fn next_wake(&self) -> Option<Duration> {
        Some(Duration::ZERO)
    }
    fn usage(&self, _: Duration) -> Usage {
        Usage::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::http::HttpResponse;
    use std::cell::Cell;

    struct Counting(Cell<u64>);
    impl Surroundings for Counting {
        fn list_as_pod(&self, _: &str) -> (u16, String) {
            (200, String::new())
        }
        fn http(
            &self,
            url: &str,
            request: &HttpRequest,
        ) -> Result<HttpResponse, crate::models::Unreachable> {
            assert_eq!(url, "http://app/stress?seconds=1");
            assert_eq!(request.path, "/stress?seconds=1");
            self.0.set(self.0.get() + 1);
            Ok(HttpResponse::text(200, "ok"))
        }
    }

    #[test]
    fn load_sends_qps_for_its_duration_then_exits() {
        let context = Context {
            argv: [
                "load",
                "-qps",
                "4",
                "-c",
                "4",
                "-t",
                "3s",
                "-keepalive=false",
                "http://app/stress?seconds=1",
            ]
            .map(String::from)
            .to_vec(),
            ..Context::default()
        };
        let mut p = start(context);
        let net = Counting(Cell::new(0));
        let mut out = Vec::new();
        assert_eq!(p.advance(Duration::ZERO, &net, &mut out), None);
        assert_eq!(net.0.get(), 4);
        assert_eq!(p.advance(Duration::from_secs(2), &net, &mut out), None);
        assert_eq!(net.0.get(), 12);
        assert_eq!(
            p.advance(Duration::from_secs(3), &net, &mut out),
            Some(Exit { code: 0 })
        );
        assert!(out.iter().any(|l| l == "Code 200 : 12 (100.0 %)"));
    }
}
