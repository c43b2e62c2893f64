//! `--format github`.

use super::Report;
use std::io::{self, Write};

pub fn write(_report: &Report, _out: &mut dyn Write) -> io::Result<()> {
    Err(io::Error::other("--format github is not written yet"))
}
