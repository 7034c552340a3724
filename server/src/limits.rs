//! The server's defence against floods: new attendees per client address (a token
//! bucket each), live streams per attendee. Caps that live in the database (attendees,
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
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

/// New attendees one address may still make: refills at the configured rate, up to the
/// rate itself (a minute's worth at once).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limits {
    pub fn new(config: LimitsConfig) -> Limits {
        Limits {
            config,
            buckets: Mutex::default(),
            streams: Arc::default(),
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
        let rate = f64::from(self.config.new_attendees_per_minute.max(1));
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
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

    /// A slot for one more live stream of `attendee`, if they have one left; it is given
    /// back when the guard is dropped.
    pub fn open_stream(&self, attendee: &str) -> Option<StreamSlot> {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let open = streams.entry(attendee.to_string()).or_default();
        if *open >= self.config.max_streams_per_attendee {
            return None;
        }
        *open += 1;
        Some(StreamSlot {
            attendee: attendee.to_string(),
            streams: self.streams.clone(),
        })
    }
}

/// One open stream, counted while it lives.
#[derive(Debug)]
pub struct StreamSlot {
    attendee: String,
    streams: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = streams.get_mut(&self.attendee) {
            *open -= 1;
            if *open == 0 {
                streams.remove(&self.attendee);
            }
        }
    }
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
