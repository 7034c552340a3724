//! Where the trainers' background jobs stand, for their pages: each attendee's last reset
//! (`rewind` runs them) and each room's last preflight (`preflight`). Held in memory, so a
//! restart forgets them (the workspace stays as a reset left it).

use app::model::rooms::{PreflightStatus, ResetStatus};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Each attendee's last reset since the server started.
#[derive(Debug, Default)]
pub struct Resets(Mutex<HashMap<String, ResetStatus>>);

impl Resets {
    pub fn of(&self, attendee: &str) -> Option<ResetStatus> {
        self.lock().get(attendee).cloned()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, HashMap<String, ResetStatus>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Each room's last preflight since the server started.
#[derive(Debug, Default)]
pub struct Preflights(Mutex<HashMap<String, PreflightStatus>>);

impl Preflights {
    pub fn of(&self, room: &str) -> Option<PreflightStatus> {
        self.lock().get(room).cloned()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, HashMap<String, PreflightStatus>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
