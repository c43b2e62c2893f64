//! storylint's integration tests, built as one test binary: one module per
//! feature group. Run one group with its module path as the filter, e.g.
//! `cargo test --test integration rule_examples::`.
//!
//! One binary instead of one per file: the test helpers and the library
//! are compiled and linked once.

mod common;

mod adoption;
mod api_profiles;
mod cli;
mod docs;
mod fix;
mod fixtures;
mod formats;
mod hostile;
mod no_network;
mod parse_properties;
mod prefilter_soundness;
mod rule_examples;
