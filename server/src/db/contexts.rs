//! The kubectl console's contexts per attendee (`console_contexts`): what
//! `kubectl config set-context` and `use-context` keep, so a namespace chosen once holds
//! for the commands after it, in every tab and after a reload.

use super::Database;

/// One context: its name, its namespace (empty: `default`), whether it is in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub name: String,
    pub namespace: String,
    pub current: bool,
}

impl Database {
    /// The attendee's contexts by name (none until they set one).
    pub async fn contexts(&self, attendee: &str) -> Result<Vec<Context>, sqlx::Error> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT name, namespace, current FROM console_contexts WHERE attendee = $1 ORDER BY name",
        )
        .bind(attendee)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, namespace, current)| Context {
                name,
                namespace,
                current: current != 0,
            })
            .collect())
    }

    /// Writes the attendee's contexts as they are now (all of them, in one transaction).
    pub async fn save_contexts(
        &self,
        attendee: &str,
        contexts: &[Context],
    ) -> Result<(), sqlx::Error> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM console_contexts WHERE attendee = $1")
            .bind(attendee)
            .execute(&mut *transaction)
            .await?;
        for context in contexts {
            sqlx::query(
                "INSERT INTO console_contexts (attendee, name, namespace, current) VALUES ($1, $2, $3, $4)",
            )
            .bind(attendee)
            .bind(&context.name)
            .bind(&context.namespace)
            .bind(i64::from(context.current))
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await
    }
}
