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
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqliteSynchronous,
};
use std::sync::Arc;

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
    /// For an in-memory database, a second connection to it that is never used: the
    /// database lives while one connection to it is open, and the pool closes its one
    /// connection when a query's future is dropped mid-way (a closed tab's stream), then
    /// opens a new one, which without this would find an empty database ("no such table").
    _keeper: Option<Arc<std::sync::Mutex<SqliteConnection>>>,
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
        let keeper = if memory {
            // The same named, shared-cache in-memory database as the pool's (sqlx names
            // `:memory:` once, in the options).
            let connection = sqlx::ConnectOptions::connect(&options).await?;
            Some(Arc::new(std::sync::Mutex::new(connection)))
        } else {
            None
        };
        let pool = pool.connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Database {
            pool,
            clock,
            _keeper: keeper,
        })
    }

    /// Seconds since the epoch, by the database's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_in_memory_database_outlives_its_pools_connection() {
        let db = Database::open(":memory:", Arc::new(crate::clock::SystemClock))
            .await
            .expect("open");
        sqlx::query("INSERT INTO attendees (id, created_at, last_seen) VALUES ('a', 1, 1)")
            .execute(&db.pool)
            .await
            .expect("insert");
        // What the pool does when a query's future was dropped mid-way.
        db.pool
            .acquire()
            .await
            .expect("acquire")
            .close()
            .await
            .expect("close");
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attendees")
            .fetch_one(&db.pool)
            .await
            .expect("the tables and rows are still there");
        assert_eq!(count, 1);
    }
}
