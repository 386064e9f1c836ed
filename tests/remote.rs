//! Helpers for the remote-mode tests: start and kill `aspara tracker` processes (ours and Python
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // reason: test helpers; a failure here is a test failure
//! Aspara 0.1.0's), pick free loopback ports, wait for health, read a run's records back.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `aspara` binary of this workspace, built on first use.
pub fn aspara_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join(format!("aspara{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let ok = Command::new(env!("CARGO"))
            .args(["build", "-p", "aspara-cli", "--bin", "aspara"])
            .status()
            .expect("cargo build")
            .success();
        assert!(ok, "building the aspara binary failed");
    }
    bin
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A tracker process, killed on drop.
pub struct Tracker {
    /// The process.
    pub child: Child,
    /// Its port.
    pub port: u16,
}

impl Tracker {
    /// `http://127.0.0.1:<port>/tracker`.
    pub fn uri(&self) -> String {
        format!("http://127.0.0.1:{}/tracker", self.port)
    }
    /// SIGKILL, as a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
    /// SIGTERM and wait (graceful shutdown).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait")
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until `GET <uri>/api/v1/health` answers 200.
pub fn wait_healthy(uri: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = ureq::get(format!("{uri}/api/v1/health")).call() {
            if r.status() == 200 {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("tracker at {uri} did not come up");
}

/// Starts our tracker on `port` writing to `data`, with extra arguments.
pub fn start_ours(data: &Path, port: u16, extra: &[&str]) -> Tracker {
    let child = Command::new(aspara_bin())
        .args(["tracker", "--port", &port.to_string(), "--data-dir"])
        .arg(data)
        .args(extra)
        .env_remove("ASPARA_TRACKER_TOKEN")
        .env_remove("ASPARA_TRACKER_URI")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn aspara tracker");
    let t = Tracker { child, port };
    wait_healthy(&t.uri());
    t
}

/// Whether Python Aspara 0.1.0 with its tracker extras is importable.
pub fn python_aspara() -> bool {
    Command::new("python3")
        .args([
            "-c",
            "import aspara.server, aspara.run._remote_run, requests",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts Python Aspara 0.1.0's `aspara tracker` (it ignores `--data-dir`, so `ASPARA_DATA_DIR`).
pub fn start_python(data: &Path, port: u16) -> Tracker {
    let child = Command::new("python3")
        .args([
            "-c",
            "import sys; from aspara.cli import main; sys.argv = ['aspara', 'tracker', '--port', sys.argv[1]]; main()",
            &port.to_string(),
        ])
        .env("ASPARA_DATA_DIR", data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn python tracker");
    let t = Tracker { child, port };
    wait_healthy(&t.uri());
    t
}

/// The records of `<data>/<project>/<run>.jsonl` as `(step, metrics object)`, via the reader.
pub fn records(data: &Path, project: &str, run: &str) -> Vec<(Option<u64>, serde_json::Value)> {
    let text = std::fs::read_to_string(data.join(project).join(format!("{run}.jsonl")))
        .unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v = aspara::format::json::parse_lenient(l.as_bytes()).expect("record line");
            (v["step"].as_u64(), v["metrics"].clone())
        })
        .collect()
}
