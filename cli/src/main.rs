//! The `aspara` binary: parses the command line and runs the chosen command from the library.

use aspara_cli::commands;
use clap::Parser as _;

#[derive(Debug, clap::Parser)]
#[command(name = "aspara", version, about = "Aspara: ML experiment tracking")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Run the tracker server that remote runs log into (Python Aspara's API, plus batches).
    Tracker(commands::tracker::TrackerArgs),
    /// Upload what remote runs left in the offline queue.
    Sync(commands::sync::SyncArgs),
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Tracker(args) => {
            let cfg = args.config()?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(commands::tracker::run(&cfg))?;
        }
        Command::Sync(args) => {
            let out = commands::sync::run(&args)?;
            print!("{}", out.render());
            if out.incomplete() {
                return Ok(std::process::ExitCode::from(2));
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}
