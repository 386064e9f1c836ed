//! `aspara demo`'s training example: an MLP on the Iris data set, trained in a sweep of six runs and
//! logged through the writer crate like any user script would.
//!
//! * [`dataset`]: the embedded Iris CSV, the stratified split, standardisation, a seeded generator;
//! * [`model`]: the network, backpropagation and the optimisers;
//! * [`sweep`]: the six run specifications and the (pure) training loop.

pub mod dataset;
pub mod model;
pub mod sweep;
