//! The command line as clap sees it: raw arguments only. Each command's `config()` turns them into
//! the validated configuration its `commands::<name>` module runs on, once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Top-level help, with examples.
const ABOUT: &str =
    "Aspara: track ML experiments in plain files, browse them in a static dashboard.";
const LONG_ABOUT: &str = "\
Aspara: track ML experiments in plain files, browse them in a static dashboard.

Training code writes runs into a data directory (with the `aspara` crate, or Python Aspara 0.1.0).
This command serves that directory with the dashboard, publishes it as a static site that any web
host (or a local folder) can show, inspects what is in it, and runs the tracker that remote runs log
into over HTTP.

The data directory is --data-dir, else $ASPARA_DATA_DIR, else $XDG_DATA_HOME/aspara, else
~/.local/share/aspara.";
const EXAMPLES: &str = "\
Examples:
  aspara demo                              train a 6-run Iris sweep into ./aspara-demo-data and serve it
  aspara serve --data-dir runs/            dashboard on http://127.0.0.1:3141
  aspara ls                                projects, with run counts and last update
  aspara ls vision-demo --json             that project's runs, as JSON
  aspara inspect vision-demo/resnet-lr-high  what the reader made of one run
  aspara publish --out site/ --project vision-demo   a static site for GitHub Pages
  aspara tracker --port 3142               the tracker remote runs log into
  aspara sync                              upload what remote runs left in the offline queue";

/// The `aspara` command.
#[derive(Debug, Parser)]
#[command(name = "aspara", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard and the data directory over HTTP (loopback by default).
    #[command(
        after_help = "Examples:\n  aspara serve\n  aspara serve --data-dir ./runs --port 8080"
    )]
    Serve(ServeArgs),
    /// Write a self-contained static site (dashboard + data) for GitHub Pages or any static host.
    #[command(
        after_help = "Examples:\n  aspara publish --out site/\n  aspara publish --out docs/ --project vision-demo --project nlp_demo\n  aspara publish --out site/ --force    (write into a non-empty directory)"
    )]
    Publish(PublishArgs),
    /// Rebuild the manifest (aspara-index.json) from the files, and report what was skipped.
    #[command(after_help = "Examples:\n  aspara index\n  aspara index --data-dir ./runs")]
    Index(IndexArgs),
    /// List projects, or one project's runs with status, steps and last values.
    #[command(
        after_help = "Examples:\n  aspara ls\n  aspara ls vision-demo\n  aspara ls vision-demo --json | jq '.runs[].status'"
    )]
    Ls(LsArgs),
    /// Show the reader's load report for one run: skipped lines, per-metric counts and summaries.
    #[command(
        after_help = "Examples:\n  aspara inspect vision-demo/resnet-lr-high\n  aspara inspect ./runs/vision-demo/resnet-lr-high.jsonl --json"
    )]
    Inspect(InspectArgs),
    /// Train a real sweep (an MLP on Iris, 6 runs) through the writer, then serve the dashboard.
    #[command(
        after_help = "Examples:\n  aspara demo\n  aspara demo --no-serve --data-dir /tmp/demo\n  aspara demo --port 8080"
    )]
    Demo(DemoArgs),
    /// Run the tracker server that remote runs log into (Python Aspara's API, plus batches).
    #[command(
        after_help = "Examples:\n  aspara tracker --data-dir ./runs\n  ASPARA_TRACKER_TOKEN=secret aspara tracker --host 0.0.0.0 --port 3142\n\nThen, in training code: aspara::init(\"p\").tracker_uri(\"http://127.0.0.1:3142/tracker\")\n(or ASPARA_TRACKER_URI=http://127.0.0.1:3142/tracker)."
    )]
    Tracker(crate::commands::tracker::TrackerArgs),
    /// Upload what remote runs left in the offline queue (exit code 2 while anything is left).
    #[command(
        after_help = "Examples:\n  aspara sync\n  aspara sync --tracker http://127.0.0.1:3142/tracker --token secret"
    )]
    Sync(crate::commands::sync::SyncArgs),
}

/// `--data-dir`, shared by every command.
#[derive(Debug, Clone, Args)]
pub struct DataDirArg {
    /// The data directory (default: $ASPARA_DATA_DIR, $XDG_DATA_HOME/aspara, ~/.local/share/aspara).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `aspara serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    #[allow(missing_docs)] // flattened: documented on its fields
    pub data: DataDirArg,
    /// The address to bind; anything but loopback exposes your data to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port to bind (0 picks a free one).
    #[arg(long, default_value_t = 3141)]
    pub port: u16,
    /// Also serve the tracker API under /tracker on the same port, writing into the data directory.
    #[arg(long)]
    pub with_tracker: bool,
    /// With --with-tracker: require `Authorization: Bearer <TOKEN>` on tracker requests.
    #[arg(
        long,
        env = "ASPARA_TRACKER_TOKEN",
        hide_env_values = true,
        requires = "with_tracker"
    )]
    pub token: Option<String>,
}

/// `aspara publish`.
#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    #[allow(missing_docs)] // flattened: documented on its fields
    pub data: DataDirArg,
    /// The site directory to write (created if missing).
    #[arg(long, value_name = "SITE")]
    pub out: PathBuf,
    /// A project to include (repeatable; default: every project).
    #[arg(long = "project", value_name = "PROJECT")]
    pub projects: Vec<String>,
    /// Write even into a non-empty directory that is not an earlier publish.
    #[arg(long)]
    pub force: bool,
}

/// `aspara index`.
#[derive(Debug, Clone, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    #[allow(missing_docs)] // flattened: documented on its fields
    pub data: DataDirArg,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `aspara ls`.
#[derive(Debug, Clone, Args)]
pub struct LsArgs {
    #[command(flatten)]
    #[allow(missing_docs)] // flattened: documented on its fields
    pub data: DataDirArg,
    /// List this project's runs instead of the projects.
    pub project: Option<String>,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `aspara inspect`.
#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    #[allow(missing_docs)] // flattened: documented on its fields
    pub data: DataDirArg,
    /// A run: `PROJECT/RUN` in the data directory, or the path of a `<run>.jsonl` file.
    #[arg(value_name = "RUN.jsonl | PROJECT/RUN")]
    pub run: String,
    /// Print JSON for scripts.
    #[arg(long)]
    pub json: bool,
}

/// `aspara demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Where to write the demo runs (default: ./aspara-demo-data, kept apart from your real runs).
    #[arg(long, value_name = "DIR", default_value = "aspara-demo-data")]
    pub data_dir: PathBuf,
    /// Train and write the runs, but do not start the server.
    #[arg(long)]
    pub no_serve: bool,
    /// The address to serve on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port to serve on.
    #[arg(long, default_value_t = 3141)]
    pub port: u16,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_help_has_an_example() {
        let mut cmd = Cli::command();
        for sub in cmd.get_subcommands_mut() {
            let help = sub.render_long_help().to_string();
            assert!(help.contains("Examples:"), "{}", sub.get_name());
            assert!(help.contains("aspara "), "{}", sub.get_name());
        }
    }

    #[test]
    fn publish_takes_repeated_projects() {
        let cli = Cli::try_parse_from([
            "aspara",
            "publish",
            "--out",
            "s",
            "--project",
            "a",
            "--project",
            "b",
        ])
        .unwrap();
        match cli.command {
            Command::Publish(p) => assert_eq!(p.projects, ["a", "b"]),
            other => panic!("{other:?}"),
        }
    }
}
