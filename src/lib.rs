//! storylint: a fast, offline static analyzer for Tines story exports.
//!
//! A file passes through the stages in order: [`config`] settles what to
//! check and how, [`discover`] finds it, [`parse`] builds a span tree,
//! [`export`] recognises the export and its actions, [`rules`] evaluates
//! the rule set, [`suppress`] and [`baseline`] set aside accepted findings,
//! and [`report`] renders the results. [`lint`] runs the middle stages for
//! one file; [`cli`] wires them to the command line.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod discover;
pub mod error;
pub mod export;
pub mod lint;
pub mod parse;
pub mod paths;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
