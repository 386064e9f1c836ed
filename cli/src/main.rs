//! The `aspara` binary: parses the command line, runs the chosen command from the `aspara_cli`
//! library, and prints its result. All logic lives in the library; errors get their context here.

use anyhow::{Context as _, Result};
use aspara_cli::args::{Cli, Command};
use aspara_cli::commands;
use clap::Parser as _;
use serde::Serialize;

fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("encoding JSON")?
    );
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole context chain on one line, without a backtrace: these are user errors.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            let config = args.config().context("aspara serve")?;
            runtime()?
                .block_on(commands::serve::run(&config))
                .context("aspara serve")?;
        }
        Command::Publish(args) => {
            let config = args.config().context("aspara publish")?;
            let out = commands::publish::run(&config, indicatif::ProgressBar::new(0))
                .with_context(|| format!("publishing to {}", config.out.display()))?;
            print!("{}", out.render());
        }
        Command::Index(args) => {
            let config = args.config().context("aspara index")?;
            let out = commands::index::run(&config)
                .with_context(|| format!("indexing {}", config.data_dir.display()))?;
            if args.json {
                print_json(&out)?;
            } else {
                print!("{}", out.render());
            }
        }
        Command::Ls(args) => {
            let config = args.config().context("aspara ls")?;
            let out = commands::ls::run(&config).context("aspara ls")?;
            if args.json {
                print_json(&out)?;
            } else {
                print!("{}", out.render());
            }
        }
        Command::Inspect(args) => {
            let config = args.config().context("aspara inspect")?;
            let out = commands::inspect::run(&config)
                .with_context(|| format!("inspecting {}", config.metrics.display()))?;
            if args.json {
                print_json(&out)?;
            } else {
                print!("{}", out.render());
            }
        }
        Command::Tracker(args) => {
            let config = args.config().context("aspara tracker")?;
            runtime()?
                .block_on(commands::tracker::run(&config))
                .context("aspara tracker")?;
        }
        Command::Sync(args) => {
            let out = commands::sync::run(&args).context("aspara sync")?;
            print!("{}", out.render());
            if out.incomplete() {
                // Exit code 2: something is still queued; running sync again later sends it.
                std::process::exit(2);
            }
        }
        Command::Demo(args) => {
            let config = args.config().context("aspara demo")?;
            let out = commands::demo::run(&config).context("aspara demo")?;
            print!("{}", out.render());
            if let Some(addr) = config.serve {
                let serve = commands::serve::ServeConfig {
                    data_dir: config.data_dir.clone(),
                    addr,
                    tracker: None,
                };
                runtime()?
                    .block_on(commands::serve::run(&serve))
                    .context("aspara demo: serving")?;
            }
        }
    }
    Ok(())
}
