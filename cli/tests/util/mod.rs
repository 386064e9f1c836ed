//! Helpers shared by the command's integration tests: paths into `shared/`, a recursive copy into a
//! temporary directory, and the built binary.
#![allow(dead_code)] // each test target uses a different subset
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test, with its message

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `shared/` beside the repository.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// `shared/fixtures/aspara-py-0.1.0`: a data dir written by Python Aspara 0.1.0.
pub fn fixture() -> PathBuf {
    shared().join("fixtures/aspara-py-0.1.0")
}

/// The `data/` directory of the case whose folder starts with `id` (e.g. `B21`).
pub fn case_data(id: &str) -> PathBuf {
    let cases = shared().join("cases");
    let dir = std::fs::read_dir(&cases)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{id}-"))
        })
        .unwrap_or_else(|| panic!("no case {id}"));
    dir.path().join("data")
}

/// Copies `src` into `dst` recursively (files made writable; symlinks are not followed).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let to = dst.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&e.path(), &to);
        } else if ft.is_file() {
            std::fs::copy(e.path(), &to).unwrap();
            let mut perm = std::fs::metadata(&to).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            // test copies of read-only shared files
            perm.set_readonly(false);
            std::fs::set_permissions(&to, perm).unwrap();
        }
    }
}

/// A temporary copy of the Python fixture.
pub fn fixture_copy() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), t.path());
    t
}

/// Runs the built `aspara` binary with `args`, with a clean environment for the data directory.
pub fn aspara(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aspara"))
        .args(args)
        .env_remove("ASPARA_DATA_DIR")
        .output()
        .unwrap()
}

/// stdout as text, asserting success.
pub fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}
