//! Trainers (`trainers`), their API tokens (`trainer_tokens`, digests only) and the audit
//! log of what they did (`trainer_audit`). Hashing and checking live in
//! [`crate::trainer::credentials`]; this file only keeps what it is given.

use super::Database;

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Seconds since the epoch.
    pub at: i64,
    pub trainer: String,
    pub action: String,
    pub detail: String,
}

impl Database {
    /// Adds a trainer, or gives an existing one a new password hash. Whether it was new.
    pub async fn put_trainer(&self, name: &str, password_hash: &str) -> Result<bool, sqlx::Error> {
        let existed = self.trainer_password(name).await?.is_some();
        sqlx::query(
            "INSERT INTO trainers (name, password_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash",
        )
        .bind(name)
        .bind(password_hash)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(!existed)
    }

    /// The trainer's password hash, if there is such a trainer.
    pub async fn trainer_password(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT password_hash FROM trainers WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(hash,)| hash))
    }

    /// Keeps an API token's digest for the trainer.
    pub async fn add_trainer_token(&self, trainer: &str, digest: &str) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO trainer_tokens (digest, trainer, created_at) VALUES ($1, $2, $3)")
            .bind(digest)
            .bind(trainer)
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The trainer an API token's digest belongs to.
    pub async fn trainer_of_token(&self, digest: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT trainer FROM trainer_tokens WHERE digest = $1")
                .bind(digest)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(name,)| name))
    }

    /// Writes one line of the audit log.
    pub async fn audit(
        &self,
        trainer: &str,
        action: &str,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO trainer_audit (at, trainer, action, detail) VALUES ($1, $2, $3, $4)",
        )
        .bind(self.now())
        .bind(trainer)
        .bind(action)
        .bind(detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` lines of `trainer`'s audit log, oldest first.
    pub async fn audit_log(
        &self,
        trainer: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT at, trainer, action, detail FROM \
             (SELECT seq, at, trainer, action, detail FROM trainer_audit WHERE trainer = $1 \
              ORDER BY seq DESC LIMIT $2) \
             ORDER BY seq",
        )
        .bind(trainer)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, trainer, action, detail)| AuditEntry {
                at,
                trainer,
                action,
                detail,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn trainers_tokens_and_the_audit_log_are_kept() {
        let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
        let db = Database::open(":memory:", clock).await.expect("db");
        assert!(db.put_trainer("grace", "hash-1").await.expect("add"));
        assert!(!db.put_trainer("grace", "hash-2").await.expect("again"));
        assert_eq!(
            db.trainer_password("grace").await.expect("get").as_deref(),
            Some("hash-2")
        );
        assert_eq!(db.trainer_password("nobody").await.expect("get"), None);
        db.add_trainer_token("grace", "digest")
            .await
            .expect("token");
        assert_eq!(
            db.trainer_of_token("digest").await.expect("of").as_deref(),
            Some("grace")
        );
        assert_eq!(db.trainer_of_token("other").await.expect("of"), None);
        db.audit("grace", "login", "").await.expect("audit");
        db.audit("grace", "logout", "").await.expect("audit");
        db.audit("alan", "login", "").await.expect("audit");
        let log = db.audit_log("grace", 1).await.expect("log");
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "logout");
    }
}
