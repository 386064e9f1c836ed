//! Name rules (FORMAT.md §1.3): what a project, run, artifact and metric may be called.
//!
//! Project and run names become file names, so they are restricted to `^[a-zA-Z0-9_-]+$`, as in
//! Aspara 0.1.0; artifact names follow the Aspara tracker's rule. The messages are Aspara's, so users
//! moving between the two see the same words.

use thiserror::Error;

/// The maximum length of an artifact name, in characters.
pub const MAX_ARTIFACT_NAME_LEN: usize = 255;

/// A name that breaks one of the rules.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// A project name outside `^[a-zA-Z0-9_-]+$`.
    #[error(
        "Invalid project name. Only alphanumeric characters, underscores, and hyphens are allowed."
    )]
    Project(String),
    /// A run name outside `^[a-zA-Z0-9_-]+$`.
    #[error(
        "Invalid run name. Only alphanumeric characters, underscores, and hyphens are allowed."
    )]
    Run(String),
    /// An artifact name that is not a plain file name.
    #[error("Invalid artifact name: {reason}")]
    Artifact {
        /// The rejected name.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An empty metric name.
    #[error("Metric name cannot be empty")]
    EmptyMetric,
}

/// Whether `name` matches `^[a-zA-Z0-9_-]+$`, the rule for project and run names.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks a project name.
pub fn validate_project_name(name: &str) -> Result<(), NameError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(NameError::Project(name.to_owned()))
    }
}

/// Checks a run name.
pub fn validate_run_name(name: &str) -> Result<(), NameError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(NameError::Run(name.to_owned()))
    }
}

/// Checks an artifact name: `^[a-zA-Z0-9_.\-]+$`, at most 255 characters, not `.` or `..`, not
/// starting with `..` (the Aspara tracker's rule, applied here to every entry point; case B36).
pub fn validate_artifact_name(name: &str) -> Result<(), NameError> {
    let fail = |reason| {
        Err(NameError::Artifact {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return fail("cannot be empty");
    }
    if name == "." {
        return fail("cannot be '.'");
    }
    if name == ".." {
        return fail("cannot be '..'");
    }
    if name.starts_with("..") {
        return fail("cannot start with '..'");
    }
    if name.chars().count() > MAX_ARTIFACT_NAME_LEN {
        return fail("exceeds maximum length of 255 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return fail("only alphanumeric characters, '_', '.' and '-' are allowed");
    }
    Ok(())
}

/// Checks a metric name: any non-empty string.
pub fn validate_metric_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        Err(NameError::EmptyMetric)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b36_traversal_names_are_rejected() {
        for bad in [
            "../evil", "a/b", "..", "/etc", "a\\b", "x\u{0}y", "", "a b", "é", "a.b",
        ] {
            assert!(validate_run_name(bad).is_err(), "{bad:?}");
            assert!(validate_project_name(bad).is_err(), "{bad:?}");
        }
        for good in ["test_project", "test-project", "TestProject123", "a1b2c3"] {
            assert!(validate_project_name(good).is_ok());
        }
        assert_eq!(
            validate_project_name("../evil").unwrap_err().to_string(),
            "Invalid project name. Only alphanumeric characters, underscores, and hyphens are allowed."
        );
    }

    #[test]
    fn b36_artifact_names() {
        let msg = |n: &str| validate_artifact_name(n).unwrap_err().to_string();
        assert_eq!(
            msg("../../outside.txt"),
            "Invalid artifact name: cannot start with '..'"
        );
        assert_eq!(msg(".."), "Invalid artifact name: cannot be '..'");
        assert_eq!(msg("."), "Invalid artifact name: cannot be '.'");
        assert_eq!(
            msg("..hidden"),
            "Invalid artifact name: cannot start with '..'"
        );
        assert_eq!(
            msg(&"x".repeat(256)),
            "Invalid artifact name: exceeds maximum length of 255 characters"
        );
        assert!(validate_artifact_name("a/b.txt").is_err());
        assert!(validate_artifact_name("/etc/passwd").is_err());
        assert!(validate_artifact_name(&"x".repeat(255)).is_ok());
        assert!(validate_artifact_name("ok.txt").is_ok());
        assert!(validate_artifact_name("model.pt").is_ok());
    }
}
