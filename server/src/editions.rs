//! Lessons' editions. At start-up the current text of every lesson is kept in the
//! database and the earlier ones are loaded back into the library, so that an address
//! pinned to an edition (`/embed/v1/fundamentals/pods@3f2a1b9c0d12`, or `@TAG` from the
//! lesson's front matter) keeps showing what a docs page was written for, with the
//! checks of that edition. The address rules are [`app::content::Library::lesson`].

use crate::db::Database;
use app::content::{ContentError, Library};
use std::io::Write;

/// Keeps `library`'s current editions and adds the earlier ones to it; the earlier
/// editions that no longer load (reported, left out).
pub async fn keep(db: &Database, library: &mut Library) -> Result<Vec<ContentError>, sqlx::Error> {
    for course in &library.courses {
        for lesson in &course.lessons {
            db.keep_edition(&course.slug, lesson).await?;
        }
    }
    Ok(library.keep_earlier(db.editions().await?))
}

/// `kubeclass editions COURSE/SLUG`: the lesson's kept editions, newest first, in
/// kubectl's manner of columns.
pub async fn list(
    db: &Database,
    library: &Library,
    lesson: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let Some((course, slug)) = lesson.split_once('/').filter(|(_, s)| !s.contains('@')) else {
        anyhow::bail!("name the lesson as COURSE/SLUG, e.g. fundamentals/pods");
    };
    let kept = db.editions_of(course, slug).await?;
    if kept.is_empty() {
        anyhow::bail!("no edition of {lesson} is kept: is it a lesson of this server's content?");
    }
    let current = library.lesson(course, slug).map(|l| l.version.as_str());
    writeln!(
        out,
        "{:<14}{:<16}{:<22}CURRENT",
        "VERSION", "TAG", "FIRST SEEN"
    )?;
    for edition in kept {
        let seen = jiff::Timestamp::from_second(edition.first_seen)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default();
        let tag = edition.tag.as_deref().unwrap_or("<none>");
        let now = if current == Some(edition.version.as_str()) {
            "yes"
        } else {
            ""
        };
        writeln!(out, "{:<14}{:<16}{:<22}{now}", edition.version, tag, seen)?;
    }
    Ok(())
}
