//! The lessons' editions (`lesson_editions`): each lesson's text as the server loaded
//! it, kept so that a docs page pinned to an edition still gets it once the file has
//! moved on. Written at start-up by [`crate::editions::keep`].

use super::Database;
use app::content::{Edition, Lesson};

/// One kept edition, as `kubeclass lesson-editions` lists it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct KeptEdition {
    pub version: String,
    pub tag: Option<String>,
    pub first_seen: i64,
}

impl Database {
    /// Keeps `lesson` of `course` (once per edition; the first sighting's time stays).
    pub async fn keep_edition(&self, course: &str, lesson: &Lesson) -> Result<(), sqlx::Error> {
        let file = lesson
            .path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        sqlx::query(
            "INSERT INTO lesson_editions (course, slug, version, tag, file, source, first_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(course)
        .bind(&lesson.slug)
        .bind(&lesson.version)
        .bind(&lesson.front.tag)
        .bind(file)
        .bind(&lesson.source)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every kept edition's text, newest first.
    pub async fn editions(&self) -> Result<Vec<Edition>, sqlx::Error> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT course, file, source FROM lesson_editions \
             ORDER BY first_seen DESC, rowid DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(course, file, source)| Edition {
                course,
                file,
                source,
            })
            .collect())
    }

    /// The kept editions of `course`'s lesson `slug`, newest first.
    pub async fn editions_of(
        &self,
        course: &str,
        slug: &str,
    ) -> Result<Vec<KeptEdition>, sqlx::Error> {
        sqlx::query_as(
            "SELECT version, tag, first_seen FROM lesson_editions \
             WHERE course = $1 AND slug = $2 ORDER BY first_seen DESC, rowid DESC",
        )
        .bind(course)
        .bind(slug)
        .fetch_all(&self.pool)
        .await
    }
}
