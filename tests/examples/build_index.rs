//! Writes `<dir>/aspara-index.json` with the writer's own scan (`aspara::index::rebuild`), for the
//! browser tests' temporary sites: `cargo run -p aspara-e2e --example build_index -- <dir>`.
//! Prints the counts and every skipped entry.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: build_index <data-dir>");
        return ExitCode::from(2);
    };
    match aspara::index::rebuild(&dir) {
        Ok(report) => {
            println!("{} projects, {} runs", report.projects, report.runs);
            for s in &report.skipped {
                println!("skipped {}: {}", s.path, s.reason);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("build_index: {e}");
            ExitCode::FAILURE
        }
    }
}
