//! A room's join link and the codes that open it: the room's access code and, in a room
//! with a roster, each person's personal code (`roster.rs`).

use axum::http::{HeaderMap, header};
use rand::Rng;

/// A code of `length` letters and digits, without 0/O or 1/I: codes are read aloud and
/// typed from a projector.
pub fn random_code(length: usize) -> String {
    random_text(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", length)
}

/// `length` characters drawn from `alphabet` (room ids, codes).
pub fn random_text(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::rng();
    (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// The room's join link, on the host the trainer reached (over HTTPS when a proxy says
/// the request came so).
pub fn join_url(headers: &HeaderMap, room: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    let scheme = if https { "https" } else { "http" };
    format!(
        "{scheme}://{host}{}",
        app::model::api::route::JOIN.replace("{room}", room)
    )
}
