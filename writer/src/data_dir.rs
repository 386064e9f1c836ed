//! Choosing the data directory (FORMAT.md §1.1, reference §1.1): an explicit path, else
//! `ASPARA_DATA_DIR` (with `~` expanded), else `$XDG_DATA_HOME/aspara`, else `~/.local/share/aspara`.
//!
//! Empty environment values count as unset, as in Aspara. Whatever the source, the path is made
//! absolute and resolved (symlinks of its existing part followed, `.`/`..` folded), and a path that
//! resolves exactly to a system root (`/`, `/etc`, `/usr`, ...) is refused with a typed error, so a
//! stray `ASPARA_DATA_DIR=/` never scatters project folders over the file system.

use crate::{Error, Result};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// The directories a data directory may never be (subdirectories of them are fine).
pub const REFUSED_ROOTS: [&str; 10] = [
    "/", "/etc", "/sys", "/dev", "/bin", "/sbin", "/usr", "/var", "/boot", "/proc",
];

/// The environment variable naming the data directory.
pub const ENV_DATA_DIR: &str = "ASPARA_DATA_DIR";

/// The inputs of the choice, separated from the process environment so tests can pass their own.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A path given in code (`RunBuilder::data_dir`) or on a command line.
    pub explicit: Option<PathBuf>,
    /// `ASPARA_DATA_DIR`.
    pub env_data_dir: Option<OsString>,
    /// `XDG_DATA_HOME`.
    pub xdg_data_home: Option<OsString>,
    /// The user's home directory.
    pub home: Option<PathBuf>,
}

impl Sources {
    /// The sources of this process: its environment and home directory.
    pub fn from_env(explicit: Option<PathBuf>) -> Sources {
        Sources {
            explicit,
            env_data_dir: std::env::var_os(ENV_DATA_DIR),
            xdg_data_home: std::env::var_os("XDG_DATA_HOME"),
            home: dirs::home_dir(),
        }
    }
}

/// The data directory for this process: `explicit`, else the environment, else the default.
pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf> {
    resolve_from(&Sources::from_env(explicit.map(Path::to_path_buf)))
}

/// The data directory chosen from `sources` (see the module doc for the order).
pub fn resolve_from(sources: &Sources) -> Result<PathBuf> {
    let non_empty = |v: &Option<OsString>| v.clone().filter(|s| !s.is_empty()).map(PathBuf::from);
    let chosen = if let Some(p) = sources
        .explicit
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
    {
        expand_tilde(&p, sources.home.as_deref())
    } else if let Some(p) = non_empty(&sources.env_data_dir) {
        expand_tilde(&p, sources.home.as_deref())
    } else if let Some(p) = non_empty(&sources.xdg_data_home) {
        expand_tilde(&p, sources.home.as_deref()).join("aspara")
    } else {
        sources
            .home
            .as_ref()
            .ok_or(Error::NoDataDir)?
            .join(".local")
            .join("share")
            .join("aspara")
    };
    let resolved = resolve_path(&chosen)?;
    // Checked on the resolved path (Aspara's rule) and on the lexical one too: where `/bin` is a
    // symlink to `/usr/bin`, `ASPARA_DATA_DIR=/bin` is still refused.
    let lexical = normalize_lexically(&chosen);
    if REFUSED_ROOTS
        .iter()
        .any(|r| resolved == Path::new(r) || lexical.as_deref() == Some(Path::new(r)))
    {
        return Err(Error::RefusedDataDir(resolved));
    }
    // A file where the directory should be: said here, not later as "Not a directory" on some
    // `<dir>/<project>/<run>.meta.json` path the user never typed.
    if resolved.exists() && !resolved.is_dir() {
        return Err(Error::DataDirNotADirectory(resolved));
    }
    Ok(resolved)
}

/// An absolute path with `.` dropped and `..` applied, without touching the file system.
fn normalize_lexically(p: &Path) -> Option<PathBuf> {
    if !p.is_absolute() {
        return None;
    }
    let mut out = PathBuf::new();
    for comp in p.components() {
        match comp {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Replaces a leading `~` (alone or followed by a separator) with `home`.
fn expand_tilde(p: &Path, home: Option<&Path>) -> PathBuf {
    let mut comps = p.components();
    match (comps.next(), home) {
        (Some(Component::Normal(first)), Some(home)) if first == "~" => home.join(comps.as_path()),
        _ => p.to_path_buf(),
    }
}

/// Python's non-strict `Path.resolve()`: absolute, symlinks of the longest existing prefix
/// followed, the rest appended with `.` dropped and `..` applied lexically.
pub fn resolve_path(p: &Path) -> Result<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io("read current directory", p, e))?
            .join(p)
    };
    let mut out = PathBuf::new();
    for comp in abs.components() {
        match comp {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => {
                out.push(c);
                // Follow symlinks as we go, so `link/..` means what the OS means.
                if let Ok(md) = std::fs::symlink_metadata(&out) {
                    if md.file_type().is_symlink() {
                        if let Ok(real) = std::fs::canonicalize(&out) {
                            out = real;
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(explicit: Option<&str>, env: Option<&str>, xdg: Option<&str>) -> Sources {
        Sources {
            explicit: explicit.map(PathBuf::from),
            env_data_dir: env.map(OsString::from),
            xdg_data_home: xdg.map(OsString::from),
            home: Some(PathBuf::from("/home/u")),
        }
    }

    #[test]
    fn a_file_as_data_dir_is_refused_by_name() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("notes.txt");
        std::fs::write(&file, b"x").unwrap();
        let e = resolve_from(&src(Some(file.to_str().unwrap()), None, None)).unwrap_err();
        let real = file.canonicalize().unwrap();
        assert!(
            matches!(&e, Error::DataDirNotADirectory(p) if *p == real),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "The data directory {} exists but is not a directory",
                real.display()
            )
        );
        // And the writer says so before creating anything.
        let e = crate::init("p").data_dir(&file).start().err().unwrap();
        assert!(matches!(e, Error::DataDirNotADirectory(_)), "{e}");
        // A directory that does not exist yet is still fine.
        let fresh = d.path().join("new");
        assert_eq!(
            resolve_from(&src(Some(fresh.to_str().unwrap()), None, None)).unwrap(),
            d.path().canonicalize().unwrap().join("new")
        );
    }

    #[test]
    fn precedence_explicit_env_xdg_default() {
        let r = |s| resolve_from(&s).unwrap();
        assert_eq!(r(src(Some("/a"), Some("/b"), Some("/c"))), Path::new("/a"));
        assert_eq!(r(src(None, Some("/b"), Some("/c"))), Path::new("/b"));
        assert_eq!(r(src(None, None, Some("/c"))), Path::new("/c/aspara"));
        assert_eq!(
            r(src(None, None, None)),
            Path::new("/home/u/.local/share/aspara")
        );
        // Empty values count as unset.
        assert_eq!(
            r(src(None, Some(""), Some(""))),
            Path::new("/home/u/.local/share/aspara")
        );
        assert_eq!(
            r(src(Some(""), Some(""), Some("/c"))),
            Path::new("/c/aspara")
        );
    }

    #[test]
    fn tilde_and_dots_are_resolved() {
        let r = |s| resolve_from(&s).unwrap();
        assert_eq!(
            r(src(None, Some("~/runs"), None)),
            Path::new("/home/u/runs")
        );
        assert_eq!(r(src(None, Some("~"), None)), Path::new("/home/u"));
        assert_eq!(r(src(None, Some("/x/./y/../z"), None)), Path::new("/x/z"));
        let rel = r(src(None, Some("rel/dir"), None));
        assert!(rel.is_absolute() && rel.ends_with("rel/dir"));
    }

    #[test]
    fn system_roots_are_refused() {
        for bad in [
            "/",
            "/etc",
            "/usr/",
            "/var/../var",
            "/proc",
            "/boot",
            "/sbin",
            "/bin",
            "/dev",
            "/sys",
        ] {
            let e = resolve_from(&src(None, Some(bad), None)).unwrap_err();
            assert!(matches!(e, Error::RefusedDataDir(_)), "{bad}: {e}");
            let e = resolve_from(&src(Some(bad), None, None)).unwrap_err();
            assert!(matches!(e, Error::RefusedDataDir(_)), "{bad}: {e}");
        }
        assert_eq!(
            resolve_from(&src(None, Some("/etc"), None))
                .unwrap_err()
                .to_string(),
            "Refusing to use /etc as the data directory: it is a system directory"
        );
        // Subdirectories are allowed.
        assert_eq!(
            resolve_from(&src(None, Some("/var/tmp/aspara"), None)).unwrap(),
            Path::new("/var/tmp/aspara")
        );
    }

    #[test]
    fn no_home_no_env_is_an_error() {
        let s = Sources::default();
        assert!(matches!(resolve_from(&s), Err(Error::NoDataDir)));
    }
}
