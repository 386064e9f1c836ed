//! Helpers shared by the writer's integration tests: the shared case data, temp copies, directory
//! listings, and re-running this test binary as a child process.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `shared/<rel>` (read-only case data and fixtures).
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel)
}

/// Copies a directory tree (the cases are read-only, tests change copies).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mut p = std::fs::metadata(&t).unwrap().permissions();
                p.set_mode(p.mode() | 0o200);
                std::fs::set_permissions(&t, p).unwrap();
            }
        }
    }
}

/// Every path below `root`, relative, sorted, directories with a trailing `/`.
pub fn listing(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if e.file_type().unwrap().is_dir() {
                out.push(format!("{rel}/"));
                walk(root, &e.path(), out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// The env var that tells this test binary it runs as a child, and in which role.
pub const CHILD_ENV: &str = "ASPARA_TEST_CHILD";

/// Starts this test binary again, running only the ignored test `entry`, with `envs` set.
pub fn spawn_child(entry: &str, envs: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        entry,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// The lines a child printed with the `@@ ` prefix (libtest's own output, which may start the
/// same line, is skipped).
pub fn child_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.find("@@ ").map(|i| l[i + 3..].to_owned()))
        .collect()
}

/// Every line of a metrics file parsed strictly, or the index and text of the first that is not.
pub fn parse_lines(text: &str) -> Result<Vec<serde_json::Value>, (usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).map_err(|_| (i, l.to_owned())))
        .collect()
}
