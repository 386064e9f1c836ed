//! One module per subcommand.

pub mod sync;
pub mod tracker;
