//! `mysql`: the official image's entrypoint. Without a root password option it refuses to
//! start, printing the entrypoint's real complaint; with one it initialises the data
//! directory (port 3306 stays closed meanwhile, as the entrypoint's temporary server
//! skips networking) and then accepts connections.

use super::{Context, Exit, MIB, Process, Surroundings, Usage};
use std::time::Duration;

/// How long initialising an empty data directory takes.
const INIT: Duration = Duration::from_secs(12);
const PORT: u16 = 3306;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Starting,
    Initialising,
    Ready,
    Refused,
}

/// A running mysqld (or its refusing entrypoint).
#[derive(Debug)]
pub struct Mysql {
    context: Context,
    stage: Stage,
}

impl Mysql {
    pub fn new(context: Context) -> Mysql {
        Mysql {
            context,
            stage: Stage::Starting,
        }
    }

    fn has_password_option(&self) -> bool {
        [
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
        ]
        .iter()
        .any(|k| self.context.env(k).is_some_and(|v| !v.is_empty()))
    }

    fn note(&self, age: Duration, text: &str) -> String {
        let time = self
            .context
            .time_at(age)
            .strftime("%Y-%m-%d %H:%M:%S+00:00");
        format!("{time} [Note] [Entrypoint]: {text}")
    }
}

impl Process for Mysql {
    fn advance(
        &mut self,
        age: Duration,
        _around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        loop {
            match self.stage {
                Stage::Starting => {
                    out.push(self.note(
                        age,
                        "Entrypoint script for MySQL Server 8.4.3-1.el9 started.",
                    ));
                    out.push(self.note(age, "Switching to dedicated user 'mysql'"));
                    if self.has_password_option() {
                        out.push(self.note(age, "Initializing database files"));
                        self.stage = Stage::Initialising;
                    } else {
                        let time = self
                            .context
                            .time_at(age)
                            .strftime("%Y-%m-%d %H:%M:%S+00:00");
                        out.extend([
                            format!("{time} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"),
                            "    You need to specify one of the following as an environment variable:".into(),
                            "    - MYSQL_ROOT_PASSWORD".into(),
                            "    - MYSQL_ALLOW_EMPTY_PASSWORD".into(),
                            "    - MYSQL_RANDOM_ROOT_PASSWORD".into(),
                        ]);
                        self.stage = Stage::Refused;
                        return Some(Exit { code: 1 });
                    }
                }
                Stage::Initialising if age >= INIT => {
                    if let Some(db) = self.context.env("MYSQL_DATABASE") {
                        out.push(self.note(age, &format!("Creating database {db}")));
                    }
                    out.push(self.note(age, "MySQL init process done. Ready for start up."));
                    let time = self.context.time_at(age).strftime("%Y-%m-%dT%H:%M:%S%.6fZ");
                    out.push(format!("{time} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.3'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."));
                    self.stage = Stage::Ready;
                }
                Stage::Refused => return Some(Exit { code: 1 }),
                Stage::Initialising | Stage::Ready => return None,
            }
        }
    }

    fn next_wake(&self) -> Option<Duration> {
        match self.stage {
            Stage::Starting => Some(Duration::ZERO),
            Stage::Initialising => Some(INIT),
            _ => None,
        }
    }

    fn usage(&self, _age: Duration) -> Usage {
        Usage {
            cpu_milli: if self.stage == Stage::Initialising {
                400
            } else {
                5
            },
            memory_bytes: 420 * MIB,
        }
    }

    fn listens(&self, _age: Duration, port: u16) -> bool {
        port == PORT && self.stage == Stage::Ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_without_a_password_option() {
        let mut m = Mysql::new(Context::default());
        let mut out = Vec::new();
        assert_eq!(
            m.advance(Duration::ZERO, &super::super::Offline, &mut out),
            Some(Exit { code: 1 })
        );
        assert!(
            out.iter()
                .any(|l| l.contains("password option is not specified"))
        );
    }

    #[test]
    fn opens_its_port_after_initialising() {
        let mut context = Context::default();
        context
            .env
            .insert("MYSQL_ROOT_PASSWORD".into(), "pw".into());
        let mut m = Mysql::new(context);
        let mut out = Vec::new();
        assert_eq!(
            m.advance(Duration::ZERO, &super::super::Offline, &mut out),
            None
        );
        assert!(!m.listens(Duration::from_secs(5), PORT));
        assert_eq!(m.next_wake(), Some(INIT));
        m.advance(INIT, &super::super::Offline, &mut out);
        assert!(m.listens(INIT, PORT));
        assert!(
            out.last()
                .is_some_and(|l| l.contains("ready for connections"))
        );
    }
}
