//! Where each trainer's reset of an attendee's workspace stands (`rewind` runs them), for
//! the room view: held in memory, so a restart forgets them (the workspace stays as the
//! reset left it).

use app::model::api::ResetStatus;
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
