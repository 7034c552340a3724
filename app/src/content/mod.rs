//! Lessons as data: loading `content/<course>/<NN-slug>.md`, checking them, and rendering
//! them to HTML once at start-up. Server only. The authoring format is documented in
//! `content/README.md`; each part of it has one module here.

pub mod check;
mod error;
mod evaluate;
mod highlight;
mod lesson;
mod markdown;
pub mod outcome;
mod panes;

pub use error::ContentError;
pub use highlight::Highlighter;
pub use lesson::{FrontMatter, Lesson, Step};
pub use markdown::Action;

use crate::model::{self, LessonPage, LessonSummary};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `course.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseMeta {
    title: String,
    summary: String,
}

/// A course and its lessons, ordered.
#[derive(Debug, Clone)]
pub struct Course {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<Lesson>,
}

/// Every course found under the content directory. Built once; read by every request.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub courses: Vec<Course>,
}

impl Library {
    /// Loads every course under `dir`. A file that fails to load is left out and reported
    /// in the returned errors; the rest still load, so one bad lesson never takes the site
    /// down.
    pub fn load(dir: &Path) -> (Library, Vec<ContentError>) {
        let mut errors = Vec::new();
        let mut courses = Vec::new();
        let highlighter = Highlighter::new();
        let mut dirs: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect(),
            Err(e) => {
                errors.push(ContentError {
                    file: dir.into(),
                    line: None,
                    message: format!("cannot read: {e}"),
                });
                return (Library::default(), errors);
            }
        };
        dirs.sort();
        for course_dir in dirs {
            match load_course(&course_dir, &highlighter, &mut errors) {
                Ok(Some(course)) => courses.push(course),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        (Library { courses }, errors)
    }

    /// The catalog view.
    pub fn catalog(&self) -> model::Catalog {
        model::Catalog {
            courses: self
                .courses
                .iter()
                .map(|c| model::CourseSummary {
                    slug: c.slug.clone(),
                    title: c.title.clone(),
                    summary: c.summary.clone(),
                    lessons: c.lessons.iter().map(|l| l.summary(&c.slug)).collect(),
                })
                .collect(),
        }
    }

    /// The lesson page view, with its neighbours for previous/next links.
    pub fn page(&self, course: &str, slug: &str) -> Option<LessonPage> {
        let course = self.courses.iter().find(|c| c.slug == course)?;
        let i = course.lessons.iter().position(|l| l.slug == slug)?;
        let neighbour = |j: Option<usize>| -> Option<LessonSummary> {
            j.and_then(|j| course.lessons.get(j))
                .map(|l| l.summary(&course.slug))
        };
        Some(course.lessons[i].page(
            &course.slug,
            &course.title,
            neighbour(i.checked_sub(1)),
            neighbour(Some(i + 1)),
        ))
    }

    /// Finds a lesson.
    pub fn lesson(&self, course: &str, slug: &str) -> Option<&Lesson> {
        self.courses
            .iter()
            .find(|c| c.slug == course)?
            .lessons
            .iter()
            .find(|l| l.slug == slug)
    }
}

fn load_course(
    dir: &Path,
    highlighter: &Highlighter,
    errors: &mut Vec<ContentError>,
) -> Result<Option<Course>, ContentError> {
    let meta_path = dir.join("course.yaml");
    if !meta_path.exists() {
        return Ok(None);
    }
    let at = |line, message| ContentError {
        file: meta_path.clone(),
        line,
        message,
    };
    let text =
        std::fs::read_to_string(&meta_path).map_err(|e| at(None, format!("cannot read: {e}")))?;
    let meta: CourseMeta = serde_yaml::from_str(&text)
        .map_err(|e| at(e.location().map(|l| l.line()), e.to_string()))?;
    let slug = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| at(None, format!("cannot list the course folder: {e}")))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut lessons: Vec<Lesson> = Vec::new();
    for file in files {
        match Lesson::load(&file, &slug, highlighter) {
            Ok(lesson) => {
                if let Some(other) = lessons
                    .iter()
                    .find(|l| l.slug == lesson.slug || l.front.order == lesson.front.order)
                {
                    errors.push(ContentError {
                        file: file.clone(),
                        line: None,
                        message: format!("slug or order clashes with {}", other.path.display()),
                    });
                } else {
                    lessons.push(lesson);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    lessons.sort_by_key(|l| l.front.order);
    Ok(Some(Course {
        slug,
        title: meta.title,
        summary: meta.summary,
        lessons,
    }))
}
