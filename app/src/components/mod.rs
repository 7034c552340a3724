//! Building blocks shared by pages.

mod editor;
mod header;
mod panes;
mod steps;

pub use header::SiteHeader;
pub use panes::PaneTabs;
pub use steps::StepOutline;
