//! The tolerant metrics reader (FORMAT.md §6).
