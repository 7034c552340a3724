//! The database: attendees ([`attendees`]), their drafts ([`drafts`]), progress
//! ([`progress`]), console contexts ([`contexts`]) and history ([`history`]), the answers
//! their lesson checks read ([`answers`]), the lessons' editions ([`editions`]), docs sites and their readers' sessions
//! ([`embed`]), trainers, their tokens and audit log
//! ([`trainers`]), rooms and who joined them ([`rooms`]), and the session store ([`crate::sessions`]).
//! SQLite through sqlx, its schema in `server/migrations/` (applied at open). Queries
//! are written in the SQL that SQLite and PostgreSQL share (`$1` parameters, `ON
//! CONFLICT`), so that a PostgreSQL backend can follow with the same statements.

pub mod answers;
pub mod attendees;
pub mod contexts;
pub mod drafts;
pub mod editions;
pub mod embed;
pub mod help;
pub mod history;
pub mod pool;
pub mod progress;
pub mod rooms;
pub mod roster;
pub mod trainers;
pub mod trouble;

use crate::clock::SharedClock;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};

/// How long a request waits for the in-memory database's one connection (see
/// [`Database::open`]).
const MEMORY_WAIT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The pool and the clock its rows are stamped with. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub(crate) pool: SqlitePool,
    pub(crate) clock: SharedClock,
}

impl Database {
    /// Opens (creating if need be) the database at `path` (`:memory:` for tests) and
    /// brings its schema up to date.
    pub async fn open(path: &str, clock: SharedClock) -> Result<Database, DbError> {
        let memory = path == ":memory:";
        let options = if memory {
            "sqlite::memory:".parse::<SqliteConnectOptions>()?
        } else {
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // With the write-ahead log, NORMAL loses at most the last moments on a
                // power cut (never consistency) and spares an fsync per request.
                .synchronous(SqliteSynchronous::Normal)
        };
        let mut pool = sqlx::pool::PoolOptions::new().max_connections(4);
        if memory {
            // An in-memory database lives in its one connection, which must never be
            // closed as idle or old. It serves tests, some on paused time, where a pool
            // timer could run ahead of the database's worker thread: nothing times out.
            pool = sqlx::pool::PoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(MEMORY_WAIT);
        }
        let pool = pool.connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Database { pool, clock })
    }

    /// Seconds since the epoch, by the database's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}
