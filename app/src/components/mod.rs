//! Building blocks shared by pages.

pub mod editor;
mod header;
mod panes;
mod steps;
pub mod workspace;

pub use header::SiteHeader;
pub use panes::PaneTabs;
pub use steps::StepOutline;
