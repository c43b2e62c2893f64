//! The command line's definition: subcommands, flags and how their values
//! are parsed.

use crate::lint::DEFAULT_MAX_FILE_SIZE;
use crate::report::Format;
use crate::severity::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Fast, offline static analyzer for Tines story exports.
#[derive(Debug, Parser)]
#[command(name = "storylint", version, about, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, \
                        2 usage error, unreadable or invalid input, invalid rule file, \
                        configuration or baseline, or a report or baseline not written."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check export files and directories.
    Check(CheckArgs),
    /// List every rule with its severity and summary.
    Rules(RulesArgs),
    /// Explain a rule (why it matters, bad and good examples, the fix) or
    /// an API profile (the forms it accepts and the pages that say so).
    Explain(ExplainArgs),
    /// List every API profile: hosts, accepted credential forms, source.
    Apis(ApisArgs),
    /// Run the examples of the built-in rules and API profiles, and of the
    /// given rule files and profiles, through the engine; exit 1 if any
    /// fails.
    TestRules(TestRulesArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// An extra report written to a file: `FORMAT=PATH`.
#[derive(Clone, Debug)]
pub(crate) struct OutputSpec {
    pub(crate) format: Format,
    pub(crate) path: PathBuf,
}

fn parse_output(s: &str) -> Result<OutputSpec, String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| "expected FORMAT=PATH, e.g. sarif=storylint.sarif".to_string())?;
    let format = Format::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}`; use human, json, sarif, github or junit")
    })?;
    if path.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok(OutputSpec {
        format,
        path: PathBuf::from(path),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    Human,
    Json,
    /// The rule reference kept in docs/rules.md.
    Markdown,
}

/// Where rules and API profiles come from besides the built-in ones: the
/// configuration's `rule-dirs` and `api-dirs`, and these flags.
#[derive(Debug, Args)]
pub(crate) struct Sources {
    /// Add rule files from this file or directory (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub(crate) rule_paths: Vec<PathBuf>,
    /// Add API profiles from this file or directory (repeatable).
    #[arg(long = "apis", value_name = "PATH")]
    pub(crate) api_paths: Vec<PathBuf>,
    /// Use this configuration file instead of the nearest .storylint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,
    /// Ignore any .storylint.yaml.
    #[arg(long)]
    pub(crate) no_config: bool,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub(crate) format: RulesFormat,
    #[command(flatten)]
    pub(crate) sources: Sources,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A rule id (e.g. missing-bearer-prefix) or an API id (e.g. virustotal).
    #[arg(value_name = "ID")]
    pub(crate) rule: String,
    #[command(flatten)]
    pub(crate) sources: Sources,
}

#[derive(Debug, Args)]
pub(crate) struct ApisArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub(crate) format: RulesFormat,
    #[command(flatten)]
    pub(crate) sources: Sources,
}

#[derive(Debug, Args)]
pub(crate) struct TestRulesArgs {
    /// User rule files or directories to test besides the built-in rules.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) sources: Sources,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("fixing").args(["fix", "diff"]))]
pub(crate) struct CheckArgs {
    /// Files or directories to check (`-` for stdin). Directories are walked
    /// for `*.json`, honouring .gitignore. Defaults to the current directory.
    #[arg(value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,

    /// Output format [default: human].
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,

    /// When to use colour (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,

    /// Also write a report in FORMAT to PATH (repeatable), e.g.
    /// `--output sarif=storylint.sarif`. Never over an input of the run.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub(crate) output: Vec<OutputSpec>,

    /// Lowest severity that makes the exit code 1 [default: error, or the
    /// configuration's `fail-on`].
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<Severity>,

    /// Lowest severity the human format lists [default: warning, or the
    /// configuration's `show`]; the summary counts what it hides. Other
    /// formats keep every finding unless this flag is given: then they too
    /// list only these (their summary still counts every finding).
    #[arg(long, value_enum)]
    pub(crate) show: Option<Severity>,

    /// Use this configuration file instead of the nearest .storylint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub(crate) config: Option<PathBuf>,

    /// Ignore any .storylint.yaml.
    #[arg(long)]
    pub(crate) no_config: bool,

    /// Print the effective configuration and exit.
    #[arg(long)]
    pub(crate) show_config: bool,

    /// Instead of each finding, print a table of findings per rule (with
    /// the number of files each appears in), then the summary: for audits
    /// of many files. Only the human format changes; JSON always carries
    /// the same table in `summary.rules`.
    #[arg(long)]
    pub(crate) statistics: bool,

    /// Report every finding: disregard ignore directives, the
    /// configuration's `ignore` entries and the baseline.
    #[arg(long)]
    pub(crate) no_ignores: bool,

    /// Hide the findings recorded in this baseline file; report only new
    /// ones, and baseline entries that no longer match.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// Record the findings of this run in this baseline file and exit 0
    /// unless an input could not be checked. Entries of files this run did
    /// not check are kept; a file that is not a baseline is never replaced.
    #[arg(long, value_name = "FILE")]
    pub(crate) write_baseline: Option<PathBuf>,

    /// Add rule files from this file or directory (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub(crate) rule_paths: Vec<PathBuf>,

    /// Add API profiles from this file or directory (repeatable).
    #[arg(long = "apis", value_name = "PATH")]
    pub(crate) api_paths: Vec<PathBuf>,

    /// Also check hidden files and directories.
    #[arg(long)]
    pub(crate) hidden: bool,

    /// Do not honour .gitignore, .ignore and git exclude files.
    #[arg(long)]
    pub(crate) no_ignore: bool,

    /// Name to report stdin under.
    #[arg(long, value_name = "NAME")]
    pub(crate) stdin_filename: Option<String>,

    /// Number of threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,

    /// Apply the safe fixes rules offer, in place. Only the bytes of the
    /// edited strings and keys change; a file is written only if fixed.
    /// With `-`, the fixed document goes to stdout and the report to stderr.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    pub(crate) fix: bool,

    /// With --fix or --diff: apply the unsafe fixes too (likely, not
    /// certain; review them).
    #[arg(long, requires = "fixing")]
    pub(crate) unsafe_fixes: bool,

    /// Print a unified diff of what --fix would change (for `patch -p1`)
    /// and write nothing; exit 1 if there is something to fix.
    #[arg(long, conflicts_with_all = ["format", "output", "write_baseline", "statistics"])]
    pub(crate) diff: bool,

    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub(crate) max_file_size: u64,

    /// The time to judge expiry against (RFC 3339 such as
    /// 2026-01-31T12:00:00Z, a date such as 2026-01-31, or Unix seconds);
    /// default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub(crate) now: Option<i64>,
}

/// Parses `--now` into Unix seconds.
fn parse_now(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return Ok(secs);
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(t.as_second());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .map_err(|e| e.to_string());
    }
    Err(
        "expected an RFC 3339 time (2026-01-31T12:00:00Z), a date (2026-01-31) or Unix seconds"
            .into(),
    )
}

impl CheckArgs {
    /// The format of the report on stdout.
    pub(crate) fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_takes_times_dates_and_seconds() {
        assert_eq!(parse_now("1700000000"), Ok(1_700_000_000));
        assert_eq!(parse_now("2024-01-01T00:00:00Z"), Ok(1_704_067_200));
        assert_eq!(parse_now("2024-01-01"), Ok(1_704_067_200));
        assert!(parse_now("yesterday").is_err());
    }
}
