//! The server's defence against floods: new attendees and trainer logins per client
//! address (a token bucket each), live streams and running console commands per attendee, and the pace
//! at which a followed log is read. Caps that live in the database (attendees,
//! drafts) are checked where those are written; the numbers are
//! [`crate::config::LimitsConfig`].

use crate::config::LimitsConfig;
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::time::Instant;

/// Addresses remembered at most; past it, the fullest buckets are forgotten.
const ADDRESSES: usize = 100_000;

/// The limits in force, shared by every request.
#[derive(Debug)]
pub struct Limits {
    pub config: LimitsConfig,
    new_attendees: Buckets,
    logins: Buckets,
    embed_starts: Buckets,
    embed_site_starts: Buckets<String>,
    streams: Counter,
    console: Counter,
}

/// One token bucket per client address (or per docs site), for one kind of request.
#[derive(Debug)]
struct Buckets<K = IpAddr>(Mutex<HashMap<K, Bucket>>);

impl<K> Default for Buckets<K> {
    fn default() -> Self {
        Buckets(Mutex::new(HashMap::new()))
    }
}

/// What each attendee holds open of one thing (streams, console commands).
type Counter = Arc<Mutex<HashMap<String, usize>>>;

/// What one address may still ask for: refills at the configured rate per minute, up to
/// the rate itself (a minute's worth at once).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limits {
    pub fn new(config: LimitsConfig) -> Limits {
        Limits {
            config,
            new_attendees: Buckets::default(),
            logins: Buckets::default(),
            embed_starts: Buckets::default(),
            embed_site_starts: Buckets::default(),
            streams: Counter::default(),
            console: Counter::default(),
        }
    }

    /// The client's address: the peer's, or (behind a trusted proxy) the last
    /// `X-Forwarded-For` hop; unknown (tests calling the router directly) counts as one.
    pub fn client_address(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
        let forwarded = self
            .config
            .trust_forwarded_for
            .then(|| headers.get("x-forwarded-for")?.to_str().ok())
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .and_then(|hop| hop.trim().parse().ok());
        forwarded
            .or(peer.map(|p| p.ip()))
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    /// Whether `address` may make one more attendee now (and takes it).
    pub fn admit_new_attendee(&self, address: IpAddr) -> bool {
        self.new_attendees
            .take(address, self.config.new_attendees_per_minute)
    }

    /// Whether `address` may try one more trainer login now (and takes it): each try
    /// costs an Argon2 hash, and guessing must stay slow.
    pub fn admit_login(&self, address: IpAddr) -> bool {
        self.logins.take(address, self.config.logins_per_minute)
    }

    /// Whether a reader at `address` may start one more embed sandbox now on `site` (and
    /// takes it): so many a minute per address, and so many per site, so that one docs
    /// page cannot spend the whole cluster.
    pub fn admit_embed_start(&self, address: IpAddr, site: &str) -> bool {
        self.embed_starts
            .take(address, self.config.embed_starts_per_minute)
            && self
                .embed_site_starts
                .take(site.to_string(), self.config.embed_site_starts_per_minute)
    }

    /// A slot for one more live stream of `attendee`, if they have one left; it is given
    /// back when the guard is dropped.
    pub fn open_stream(&self, attendee: &str) -> Option<Slot> {
        take(
            &self.streams,
            attendee,
            self.config.max_streams_per_attendee,
        )
    }

    /// A slot for one more running console command of `attendee` (over all their tabs),
    /// if they have one left.
    pub fn run_console(&self, attendee: &str) -> Option<Slot> {
        take(
            &self.console,
            attendee,
            self.config.max_console_commands_per_attendee,
        )
    }
}

impl<K: std::hash::Hash + Eq> Buckets<K> {
    /// Takes one token of `address`'s bucket (refilled at `per_minute`), if it has one.
    fn take(&self, address: K, per_minute: u32) -> bool {
        let rate = f64::from(per_minute.max(1));
        let now = Instant::now();
        let mut buckets = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= ADDRESSES {
            // Full buckets are the same as forgotten ones.
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * rate / 60.0 < rate
            });
        }
        let bucket = buckets.entry(address).or_insert(Bucket {
            tokens: rate,
            at: now,
        });
        let refilled = now.duration_since(bucket.at).as_secs_f64() * rate / 60.0;
        bucket.tokens = (bucket.tokens + refilled).min(rate);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn take(counter: &Counter, attendee: &str, max: usize) -> Option<Slot> {
    let mut open = counter.lock().unwrap_or_else(|e| e.into_inner());
    let held = open.entry(attendee.to_string()).or_default();
    if *held >= max {
        return None;
    }
    *held += 1;
    Some(Slot {
        attendee: attendee.to_string(),
        counter: counter.clone(),
    })
}

/// One open stream or running console command, counted while it lives.
#[derive(Debug)]
pub struct Slot {
    attendee: String,
    counter: Counter,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.counter.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = open.get_mut(&self.attendee) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.attendee);
            }
        }
    }
}

/// Longest log line sent to a tab; longer ones are cut and marked.
const LOG_LINE: usize = 16 * 1024;
/// Log lines sent per second at most, per followed log.
const LOG_LINES_PER_SECOND: u32 = 200;

/// The pace of one followed log: a container that floods its log is read at this pace,
/// not sent on to the tab as fast as it writes.
#[derive(Debug)]
pub struct LogPace {
    window: Instant,
    lines: u32,
}

impl Default for LogPace {
    fn default() -> Self {
        LogPace {
            window: Instant::now(),
            lines: 0,
        }
    }
}

impl LogPace {
    /// Waits until one more line may go, and gives it back cut to length.
    pub async fn admit(&mut self, line: String) -> String {
        let second = std::time::Duration::from_secs(1);
        let now = Instant::now();
        if now.duration_since(self.window) >= second {
            (self.window, self.lines) = (now, 0);
        } else if self.lines >= LOG_LINES_PER_SECOND {
            tokio::time::sleep_until(self.window + second).await;
            (self.window, self.lines) = (Instant::now(), 0);
        }
        self.lines += 1;
        cut_log_line(line)
    }
}

/// A log line as a reader is shown it: cut at [`LOG_LINE`] bytes, and marked so.
pub fn cut_log_line(mut line: String) -> String {
    if line.len() > LOG_LINE {
        line.truncate(line.floor_char_boundary(LOG_LINE));
        line.push_str(" … (line cut)");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_address_gets_a_minutes_worth_then_the_rate() {
        let limits = Limits::new(LimitsConfig {
            new_attendees_per_minute: 3,
            ..LimitsConfig::default()
        });
        let here = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let there = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!((0..3).all(|_| limits.admit_new_attendee(here)));
        assert!(!limits.admit_new_attendee(here));
        assert!(
            limits.admit_new_attendee(there),
            "addresses are counted apart"
        );
        tokio::time::advance(std::time::Duration::from_secs(20)).await;
        assert!(limits.admit_new_attendee(here));
        assert!(!limits.admit_new_attendee(here));
    }

    #[tokio::test(start_paused = true)]
    async fn a_flooding_log_is_read_at_its_pace_and_long_lines_are_cut() {
        let mut pace = LogPace::default();
        let start = Instant::now();
        for _ in 0..LOG_LINES_PER_SECOND * 3 {
            pace.admit("x".into()).await;
        }
        assert!(start.elapsed() >= std::time::Duration::from_secs(2));
        let long = pace.admit("é".repeat(LOG_LINE)).await;
        assert!(long.len() < LOG_LINE + 20 && long.ends_with("(line cut)"));
    }

    #[test]
    fn streams_are_counted_while_open() {
        let limits = Limits::new(LimitsConfig {
            max_streams_per_attendee: 2,
            ..LimitsConfig::default()
        });
        let (a, b) = (limits.open_stream("ada"), limits.open_stream("ada"));
        assert!(a.is_some() && b.is_some());
        assert!(limits.open_stream("ada").is_none());
        assert!(limits.open_stream("bob").is_some());
        drop(a);
        assert!(limits.open_stream("ada").is_some());
        assert!(
            limits.run_console("ada").is_some(),
            "console commands are counted apart from streams"
        );
    }

    #[test]
    fn a_forwarded_address_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "1.1.1.1, 2.2.2.2".parse().expect("value"),
        );
        let peer: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        let direct = Limits::new(LimitsConfig::default());
        assert_eq!(direct.client_address(Some(peer), &headers), peer.ip());
        let proxied = Limits::new(LimitsConfig {
            trust_forwarded_for: true,
            ..LimitsConfig::default()
        });
        assert_eq!(
            proxied.client_address(Some(peer), &headers),
            "2.2.2.2".parse::<IpAddr>().expect("ip")
        );
    }
}
