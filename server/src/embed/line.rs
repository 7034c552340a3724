//! The line readers wait in when every embed sandbox is taken: first come, first served,
//! each told their place ("you are 3rd in line"). A reader keeps their place by asking
//! again within [`KEEP`]; one who stopped asking (closed the page) leaves the line.
//! The line is this process's: with several replicas each keeps its own.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a place is kept without the reader asking again (the page asks every few
/// seconds).
const KEEP: Duration = Duration::from_secs(20);
/// Readers in line at most; past it, newcomers are placed last without being kept.
const LONGEST: usize = 10_000;

/// Whether a reader may have a sandbox now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    Go,
    /// `position` is 1-based; `waiter` names the place when asking again.
    Wait {
        position: usize,
        waiter: String,
    },
}

/// The waiting line.
#[derive(Debug, Default)]
pub struct Line(Mutex<Vec<Place>>);

#[derive(Debug)]
struct Place {
    waiter: String,
    asked: Instant,
}

impl Line {
    /// The turn of the reader holding `waiter` (or a newcomer) when `free` sandboxes
    /// are free: the first `free` in line go; a newcomer goes only if nobody waits.
    pub fn admit(&self, waiter: Option<&str>, free: usize) -> Turn {
        let now = Instant::now();
        let mut line = self.0.lock().unwrap_or_else(|e| e.into_inner());
        line.retain(|p| now.duration_since(p.asked) < KEEP);
        let index = match waiter.and_then(|w| line.iter().position(|p| p.waiter == w)) {
            Some(index) => {
                line[index].asked = now;
                index
            }
            None if line.is_empty() && free > 0 => return Turn::Go,
            None => {
                let waiter = crate::trainer::credentials::new_secret("kcq_");
                if line.len() < LONGEST {
                    line.push(Place {
                        waiter: waiter.clone(),
                        asked: now,
                    });
                }
                let position = line.len();
                return Turn::Wait { position, waiter };
            }
        };
        if index < free {
            line.remove(index);
            return Turn::Go;
        }
        Turn::Wait {
            position: index + 1,
            waiter: line[index].waiter.clone(),
        }
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether nobody waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_go_in_the_order_they_came_when_sandboxes_free_up() {
        let line = Line::default();
        assert_eq!(line.admit(None, 1), Turn::Go);
        let Turn::Wait {
            position: 1,
            waiter: first,
        } = line.admit(None, 0)
        else {
            panic!("the first to wait is 1st");
        };
        let Turn::Wait {
            position: 2,
            waiter: second,
        } = line.admit(None, 0)
        else {
            panic!("the next is 2nd");
        };
        // A newcomer does not jump the line when one sandbox frees up.
        assert!(matches!(
            line.admit(None, 1),
            Turn::Wait { position: 3, .. }
        ));
        // The second asks first, but only the first may go.
        assert!(matches!(
            line.admit(Some(&second), 1),
            Turn::Wait { position: 2, .. }
        ));
        assert_eq!(line.admit(Some(&first), 1), Turn::Go);
        assert!(matches!(
            line.admit(Some(&second), 0),
            Turn::Wait { position: 1, .. }
        ));
        assert_eq!(line.admit(Some(&second), 1), Turn::Go);
        assert_eq!(line.len(), 1, "the newcomer still waits");
    }
}
