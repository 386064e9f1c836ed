//! `aspara tracker`: the tracker server on its own (routes under `/tracker`, as Python Aspara serves
//! them), writing into the data directory with the local writer's code paths.

use crate::tracker::{self, TrackerConfig};
use crate::{Error, Result};
use aspara::ingest::Ingest;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// `aspara tracker` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct TrackerArgs {
    /// The data directory runs are written to (default: ASPARA_DATA_DIR, XDG, ~/.local/share/aspara).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 3142)]
    pub port: u16,
    /// Require `Authorization: Bearer <TOKEN>` on every request but health.
    #[arg(long, env = "ASPARA_TRACKER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Largest JSON request body, in MiB (larger gets 413).
    #[arg(long, default_value_t = 16)]
    pub max_body_mib: usize,
    /// Largest artifact upload, in MiB (larger gets 413).
    #[arg(long, default_value_t = 100)]
    pub max_artifact_mib: usize,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct TrackerRun {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Limits and token.
    pub config: TrackerConfig,
}

impl TrackerArgs {
    /// Validates the arguments.
    pub fn config(&self) -> Result<TrackerRun> {
        Ok(TrackerRun {
            data_dir: aspara::data_dir::resolve(self.data_dir.as_deref())?,
            addr: super::serve::parse_addr(&self.host, self.port)?,
            config: TrackerConfig {
                token: self.token.clone().filter(|t| !t.is_empty()),
                max_body: self.max_body_mib.max(1) << 20,
                max_artifact: self.max_artifact_mib.max(1) << 20,
            },
        })
    }
}

/// Serves until SIGINT/SIGTERM, then flushes every open run.
pub async fn run(cfg: &TrackerRun) -> Result<()> {
    let ingest = Arc::new(Ingest::new(&cfg.data_dir)?);
    let app = tracker::app(ingest.clone(), &cfg.config);
    let listener = tokio::net::TcpListener::bind(cfg.addr)
        .await
        .map_err(Error::io("binding", cfg.addr.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(Error::io("binding", cfg.addr.to_string()))?;
    if !addr.ip().is_loopback() && cfg.config.token.is_none() {
        eprintln!(
            "warning: the tracker listens on {} without --token: anyone who can reach it can write runs",
            addr.ip()
        );
    }
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "Tracker writing to {} at http://{addr}/tracker (auth: {})\nPress Ctrl-C to stop.",
            cfg.data_dir.display(),
            if cfg.config.token.is_some() {
                "bearer token"
            } else {
                "none"
            }
        );
        let _ = out.flush();
    }
    tracker::serve(listener, app, ingest)
        .await
        .map_err(Error::io("serving", addr.to_string()))
}
