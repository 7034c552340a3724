//! Building blocks shared by pages.

mod browser_only;
pub mod editor;
pub mod embed;
mod header;
mod panes;
pub mod room_bar;
mod steps;
pub mod workspace;

pub use browser_only::BrowserOnly;
pub use header::SiteHeader;
pub use panes::PaneTabs;
pub use room_bar::RoomBar;
pub use steps::StepOutline;
