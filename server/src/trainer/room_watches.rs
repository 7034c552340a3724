//! The rooms a trainer is looking at, each with its room's watch running
//! ([`super::room_watch`]): started by the first read of the room view, kept by every
//! read after it, and left to stop [`IDLE`] after the last one — so a room nobody looks
//! at costs nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long a room's watch outlives the last read of its view.
pub const IDLE: Duration = Duration::from_secs(60);

/// The rooms' watches running, by room id.
pub struct RoomWatches {
    running: Mutex<HashMap<String, Running>>,
    /// How long a watch outlives the last look ([`IDLE`]).
    idle: Duration,
}

/// When a room was last looked at, as its watch reads it.
#[derive(Clone)]
pub struct Looked {
    at: Arc<Mutex<Instant>>,
    idle: Duration,
}

impl Looked {
    /// Whether nobody has looked for the idle time: the watch should stop.
    pub fn is_over(&self) -> bool {
        lock(&self.at).elapsed() > self.idle
    }
}

struct Running {
    looked: Looked,
    task: JoinHandle<()>,
}

impl Default for RoomWatches {
    fn default() -> Self {
        RoomWatches::with_idle(IDLE)
    }
}

impl Drop for RoomWatches {
    fn drop(&mut self) {
        for running in self.lock().values() {
            running.task.abort();
        }
    }
}

impl RoomWatches {
    /// Watches that stop `idle` after the last look.
    pub fn with_idle(idle: Duration) -> Self {
        RoomWatches {
            running: Mutex::default(),
            idle,
        }
    }

    /// Someone looks at `room`: its watch, if running, is kept for the idle time more;
    /// else `start` starts it (the task it gives is to end when [`Looked::is_over`]).
    pub fn look(&self, room: &str, start: impl FnOnce(Looked) -> JoinHandle<()>) {
        let mut running = self.lock();
        running.retain(|_, r| !r.task.is_finished());
        if let Some(r) = running.get(room) {
            *lock(&r.looked.at) = Instant::now();
            return;
        }
        let looked = Looked {
            at: Arc::new(Mutex::new(Instant::now())),
            idle: self.idle,
        };
        let task = start(looked.clone());
        running.insert(room.to_string(), Running { looked, task });
    }

    /// How many rooms are watched now.
    pub fn running(&self) -> usize {
        let running = self.lock();
        running.values().filter(|r| !r.task.is_finished()).count()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Running>> {
        lock(&self.running)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
