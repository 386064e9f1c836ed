//! `aspara sync`: uploads what remote runs left in the offline queue of a data directory (the
//! tracker was down, or `finish` timed out), each queue to the tracker it was made for.

use aspara::sink::remote::{SyncedQueue, sync_queues};
use std::path::PathBuf;
use std::time::Duration;

/// `aspara sync` arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// The writer's data directory holding `.queue/` (default: ASPARA_DATA_DIR, XDG, ~/.local/share/aspara).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Send to this tracker instead of the one each queue was made for.
    #[arg(long, value_name = "URI", env = "ASPARA_TRACKER_URI")]
    pub tracker: Option<String>,
    /// Bearer token for the tracker.
    #[arg(long, env = "ASPARA_TRACKER_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Seconds of retrying per queue before giving up (what is left stays queued).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}

/// What sync did.
#[derive(Debug, Clone)]
pub struct SyncOutput {
    /// One entry per queue.
    pub queues: Vec<SyncedQueue>,
}

impl SyncOutput {
    /// Whether something is still queued.
    pub fn incomplete(&self) -> bool {
        self.queues.iter().any(|q| q.left > 0)
    }
    /// The human-readable report.
    pub fn render(&self) -> String {
        if self.queues.is_empty() {
            return "Nothing queued.\n".to_owned();
        }
        let mut s = String::new();
        for q in &self.queues {
            s.push_str(&format!(
                "{}/{} -> {}: {} sent, {} left{}\n",
                q.project,
                q.run,
                q.tracker_uri,
                q.sent,
                q.left,
                if q.bad_lines > 0 {
                    format!(", {} unreadable line(s) skipped", q.bad_lines)
                } else {
                    String::new()
                }
            ));
            for e in &q.errors {
                s.push_str(&format!("  {e}\n"));
            }
        }
        s
    }
}

/// Runs the upload.
pub fn run(args: &SyncArgs) -> crate::Result<SyncOutput> {
    // A mistyped directory must not read as "nothing queued".
    let root = super::existing_data_dir(args.data_dir.as_deref())?;
    let timeout = Duration::from_secs_f64(args.timeout.clamp(0.0, 86_400.0));
    let tracker = args.tracker.as_deref().filter(|t| !t.is_empty());
    let queues = sync_queues(&root, tracker, args.token.clone(), timeout)?;
    Ok(SyncOutput { queues })
}
