//! What crosses the wire for docs sites' embeds: starting a reader's sandbox (or waiting
//! in line for one) and the live stream's ticket. The routes are in [`super::api::route`].

use serde::{Deserialize, Serialize};

/// Body of `POST /api/embed/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartRequest {
    /// The docs site's key (the snippet's `site`).
    pub site: String,
    /// The place in line this reader was given, when asking again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiter: Option<String>,
}

/// Answer of `POST /api/embed/sessions`: 201 with a sandbox, 202 with a place in line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum StartAnswer {
    /// The sandbox's bearer token (shown this once), its life and idle limit in seconds.
    Started {
        token: String,
        seconds: i64,
        idle_seconds: i64,
    },
    /// Every sandbox is taken: 1-based `position`; ask again in `retry_seconds` with `waiter`.
    Waiting {
        position: usize,
        waiter: String,
        retry_seconds: u32,
    },
}

/// Answer of `POST /api/embed/tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub ticket: String,
}

/// The form `POST /api/embed/adopt` takes (from the embed's "Open in kubeclass").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adopt {
    pub token: String,
    /// `COURSE/SLUG`, the lesson to open.
    pub lesson: String,
    /// 1-based step.
    #[serde(default)]
    pub step: Option<usize>,
}
