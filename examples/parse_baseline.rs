//! Parse-only baseline for the storylint benchmark: the least work any
//! linter of these files has to do.
//!
//! ```sh
//! cargo run --release --example parse_baseline -- --threads 2 DIR_OR_FILE...
//! ```
//!
//! Directories are walked recursively for `*.json` (hidden entries skipped,
//! as storylint does by default), the list is sorted, and each file is read
//! whole into memory, as storylint reads it, and parsed into a
//! `serde_json::Value` on a rayon pool of `--threads` workers. Prints the
//! file count and total bytes; exits 2 if any file could not be read or
//! parsed.

use clap::Parser;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Reads and parses JSON files with serde_json, nothing else.
#[derive(Debug, Parser)]
#[command(name = "parse_baseline")]
struct Args {
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Files and directories (walked recursively for *.json).
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut files = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            if let Err(e) = walk(path, &mut files) {
                eprintln!("parse_baseline: {}: {e}", path.display());
                return ExitCode::from(2);
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();

    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("parse_baseline: cannot start the thread pool: {e}");
            return ExitCode::from(2);
        }
    };
    let results: Vec<Result<u64, String>> =
        pool.install(|| files.par_iter().map(|path| parse(path)).collect());

    let mut bytes = 0u64;
    let mut failed = 0usize;
    for (path, result) in files.iter().zip(&results) {
        match result {
            Ok(n) => bytes += n,
            Err(e) => {
                failed += 1;
                eprintln!("parse_baseline: {}: {e}", path.display());
            }
        }
    }
    println!("files {} bytes {bytes} failed {failed}", files.len());
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Reads the whole file and parses it; returns its size.
fn parse(path: &Path) -> Result<u64, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    std::hint::black_box(&value);
    Ok(bytes.len() as u64)
}

/// Collects the non-hidden `*.json` files under `dir`.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&path, files)?;
        } else if kind.is_file() && path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    Ok(())
}
