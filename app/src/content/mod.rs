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
    /// Earlier editions of lessons, newest first, as the server's archive keeps them
    /// ([`Library::keep_earlier`]): what docs pages pinned to them still show.
    pub earlier: Vec<Lesson>,
}

/// A lesson's text as the server's archive keeps it: one edition.
#[derive(Debug, Clone)]
pub struct Edition {
    pub course: String,
    /// The file it was read from (`NN-slug.md`), which gives it its slug and order.
    pub file: String,
    pub source: String,
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
        (
            Library {
                courses,
                earlier: Vec::new(),
            },
            errors,
        )
    }

    /// Adds the earlier editions of lessons (newest first) that are not the current
    /// ones, each addressed by its version ([`Lesson::as_earlier`]). An edition that no
    /// longer parses (the format moved on) is left out and reported.
    pub fn keep_earlier(&mut self, editions: Vec<Edition>) -> Vec<ContentError> {
        let highlighter = Highlighter::new();
        let mut errors = Vec::new();
        for edition in editions {
            let path = Path::new(&edition.course).join(&edition.file);
            match Lesson::parse(&path, &edition.course, &edition.source, &highlighter) {
                Ok(lesson) => {
                    let current = self.lesson(&edition.course, &lesson.slug);
                    let known = current.is_some_and(|c| c.version == lesson.version)
                        || self.earlier.iter().any(|e| {
                            e.id == format!("{}/{}@{}", edition.course, lesson.slug, lesson.version)
                        });
                    if !known {
                        self.earlier.push(lesson.as_earlier(&edition.course));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        errors
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

    /// The lesson page view of `address` (as [`Library::lesson`] takes it), with its
    /// neighbours in the course for previous/next links.
    pub fn page(&self, course: &str, address: &str) -> Option<LessonPage> {
        let lesson = self.lesson(course, address)?;
        let course = self.courses.iter().find(|c| c.slug == course)?;
        let slug = address.split('@').next().unwrap_or_default();
        let i = course.lessons.iter().position(|l| l.slug == slug);
        let neighbour = |j: Option<usize>| -> Option<LessonSummary> {
            j.and_then(|j| course.lessons.get(j))
                .map(|l| l.summary(&course.slug))
        };
        Some(lesson.page(
            &course.slug,
            &course.title,
            neighbour(i.and_then(|i| i.checked_sub(1))),
            neighbour(i.map(|i| i + 1)),
        ))
    }

    /// Finds a lesson by its address in `course`: `SLUG` is the current edition;
    /// `SLUG@VERSION` the edition with that content hash or tag — the current one if it
    /// is that edition, else the newest earlier one that is.
    pub fn lesson(&self, course: &str, address: &str) -> Option<&Lesson> {
        let (slug, pinned) = match address.split_once('@') {
            Some((slug, pinned)) => (slug, Some(pinned)),
            None => (address, None),
        };
        let current = self
            .courses
            .iter()
            .find(|c| c.slug == course)
            .and_then(|c| c.lessons.iter().find(|l| l.slug == slug));
        let Some(pinned) = pinned else {
            return current;
        };
        let prefix = format!("{course}/{slug}@");
        current.filter(|l| l.is_edition(pinned)).or_else(|| {
            self.earlier
                .iter()
                .find(|l| l.id.starts_with(&prefix) && l.is_edition(pinned))
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "---\ntitle: Pods\nsummary: S\nduration: 5\norder: 2\nobjectives: [a, b]\ntag: one\n---\nIntro.\n\n## First edition step\n\nText.\n";

    fn library_with(text: &str) -> Library {
        let lesson = Lesson::parse(Path::new("c/02-pods.md"), "c", text, &Highlighter::new())
            .expect("parses");
        Library {
            courses: vec![Course {
                slug: "c".into(),
                title: "C".into(),
                summary: "S".into(),
                lessons: vec![lesson],
            }],
            earlier: Vec::new(),
        }
    }

    fn edition(source: &str) -> Edition {
        Edition {
            course: "c".into(),
            file: "02-pods.md".into(),
            source: source.into(),
        }
    }

    #[test]
    fn a_pinned_address_finds_its_edition_current_or_earlier() {
        let second = LESSON
            .replace("tag: one", "tag: two")
            .replace("First edition", "Second edition");
        let mut library = library_with(&second);
        let current = library.lesson("c", "pods").expect("current").clone();
        let errors = library.keep_earlier(vec![
            edition(&second),
            edition(LESSON),
            edition(LESSON),
            edition("---\ntitle: broken\n---\n"),
        ]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            library.earlier.len(),
            1,
            "the current and a repeat are not kept twice"
        );
        let first = &library.earlier[0];

        assert_eq!(
            library
                .lesson("c", &format!("pods@{}", current.version))
                .map(|l| &l.id),
            Some(&current.id)
        );
        assert_eq!(
            library.lesson("c", "pods@two").map(|l| &l.id),
            Some(&current.id)
        );
        assert_eq!(
            library.lesson("c", "pods@one").map(|l| &l.id),
            Some(&first.id)
        );
        assert_eq!(first.id, format!("c/pods@{}", first.version));
        // The id an earlier edition's page works under finds it again.
        assert_eq!(
            library.lesson("c", &first.slug).map(|l| &l.id),
            Some(&first.id)
        );
        assert_eq!(first.steps[0].title, "First edition step");
        assert!(library.lesson("c", "pods@three").is_none());
        assert!(library.lesson("d", "pods@one").is_none());

        let page = library.page("c", "pods@one").expect("page");
        assert_eq!(page.summary.slug, first.slug);
        assert_eq!(page.steps[0].title, "First edition step");
    }
}
