//! The `aspara` command's library: everything the binary does, as functions and routers that tests
//! call in-process.

pub mod commands;
pub mod tracker;
