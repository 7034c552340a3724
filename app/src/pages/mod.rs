//! One module per page, each with its server functions beside it.

mod catalog;
mod embed;
#[cfg(feature = "ssr")]
mod gate;
mod join;
mod lesson;
mod library;
mod not_found;
mod room;
mod room_attendee;
mod room_help;
mod room_inspect;
mod room_pacing;
mod room_preflight;
mod room_trouble;
mod trainer;

pub use catalog::{CatalogPage, get_catalog};
pub use embed::EmbedPage;
pub use join::JoinPage;
pub use lesson::{LessonPage, get_lesson, get_step};
pub use not_found::NotFound;
pub use room::TrainerRoomPage;
pub use room_inspect::AttendeeWorkspacePage;
pub use trainer::{TrainerHomePage, TrainerLoginPage};

#[cfg(feature = "ssr")]
pub use gate::{Answer, RoomGate, SharedGate};
#[cfg(feature = "ssr")]
pub use library::SharedLibrary;
