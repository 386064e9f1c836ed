//! Reusable pieces of the pages. Every user string is rendered as a text node (`{string}`), never
//! as HTML (B35).

mod chart_canvas;
mod chart_controls;
mod chart_grid;
mod config_tree;
mod filter_box;
mod legend;
mod load_report;
mod run_table;
mod status_icon;
mod tag_list;

pub use chart_canvas::{ChartCanvas, ChartLine, Lines};
pub use chart_controls::ChartControls;
pub use chart_grid::ChartGrid;
pub use config_tree::ConfigTree;
pub use filter_box::FilterBox;
pub use legend::{Legend, LegendEntry};
pub use load_report::LoadReportView;
pub use run_table::RunTable;
pub use status_icon::StatusIcon;
pub use tag_list::TagList;
