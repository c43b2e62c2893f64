//! The command line: parses arguments, runs the pipeline, and returns the
//! exit code. Output goes through [`crate::report`].

use crate::discover::{self, WalkOptions};
use crate::lint::{self, DEFAULT_MAX_FILE_SIZE, FileReport, LintOptions};
use crate::report::{self, Format, Report};
use crate::rules::{RuleSet, Severity};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Fast, offline static analyzer for Tines story exports.
#[derive(Debug, Parser)]
#[command(name = "storylint", version, about, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, \
                        2 usage error, unreadable or invalid input, or invalid rule file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check export files and directories.
    Check(CheckArgs),
    /// List every rule with its severity and summary.
    Rules(RulesArgs),
    /// Explain a rule: why it matters, bad and good examples, and the fix.
    Explain(ExplainArgs),
    /// Run the examples of the built-in rules and of the given rule files
    /// through the engine; exit 1 if any fails.
    TestRules(TestRulesArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
    /// The rule reference kept in docs/rules.md.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
    /// Add rule files from this file or directory (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rule_paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. missing-bearer-prefix.
    pub rule: String,
    /// Add rule files from this file or directory (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rule_paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestRulesArgs {
    /// User rule files or directories to test besides the built-in rules.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (`-` for stdin). Directories are walked
    /// for `*.json`, honouring .gitignore. Defaults to the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colour (NO_COLOR and CLICOLOR_FORCE are honoured with `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = Severity::Error)]
    pub fail_on: Severity,

    /// Add rule files from this file or directory (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rule_paths: Vec<PathBuf>,

    /// Also check hidden files and directories.
    #[arg(long)]
    pub hidden: bool,

    /// Do not honour .gitignore, .ignore and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Name to report stdin under.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Number of threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Largest input accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,

    /// The time to judge expiry against (RFC 3339 such as
    /// 2026-01-31T12:00:00Z, a date such as 2026-01-31, or Unix seconds);
    /// default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<i64>,
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

/// Parses the process arguments and runs; returns the exit code.
pub fn main() -> u8 {
    match Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(e) => report::usage_error(&e),
    }
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules(args) => list_rules(args),
        Command::Explain(args) => explain(args),
        Command::TestRules(args) => test_rules(args),
    }
}

/// The built-in rules plus those at `paths`, or the exit code after
/// printing why they could not all be loaded.
fn load_rules(paths: &[PathBuf], out: &mut dyn Write) -> Result<RuleSet, u8> {
    let (mut rules, mut errors) = RuleSet::builtin();
    for path in paths {
        rules.add_path(path, &mut errors);
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        let options = report::human::Options {
            color: use_color(ColorChoice::Auto),
            width: terminal_width(),
        };
        let _ = report::human::write_problems(&errors, &options, out);
        Err(report::exit::ERROR)
    }
}

fn list_rules(args: RulesArgs) -> u8 {
    with_stdout(|out| match load_rules(&args.rule_paths, out) {
        Ok(rules) => {
            let _ = match args.format {
                RulesFormat::Human => report::catalog::write_list(&rules, false, out),
                RulesFormat::Json => report::catalog::write_list(&rules, true, out),
                RulesFormat::Markdown => {
                    out.write_all(report::catalog::markdown(&rules).as_bytes())
                }
            };
            report::exit::CLEAN
        }
        Err(code) => code,
    })
}

fn explain(args: ExplainArgs) -> u8 {
    with_stdout(|out| {
        let rules = match load_rules(&args.rule_paths, out) {
            Ok(r) => r,
            Err(code) => return code,
        };
        match rules.get(&args.rule) {
            Some(rule) => {
                let _ = report::catalog::write_explain(rule, out);
                report::exit::CLEAN
            }
            None => {
                let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
                let _ = report::unknown_rule(&args.rule, &ids);
                report::exit::ERROR
            }
        }
    })
}

fn test_rules(args: TestRulesArgs) -> u8 {
    with_stdout(|out| {
        let rules = match load_rules(&args.paths, out) {
            Ok(r) => r,
            Err(code) => return code,
        };
        let results: Vec<report::catalog::RuleTest> = rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let mut missing = Vec::new();
                if rule.valid.is_empty() {
                    missing.push("valid");
                }
                if rule.invalid.is_empty() {
                    missing.push("invalid");
                }
                report::catalog::RuleTest {
                    rule,
                    failures: crate::rules::examples::check_examples(&rules, i),
                    missing,
                }
            })
            .collect();
        let _ = report::catalog::write_rule_tests(&results, out);
        if results
            .iter()
            .all(|r| r.failures.is_empty() && r.missing.is_empty())
        {
            report::exit::CLEAN
        } else {
            report::exit::FINDINGS
        }
    })
}

fn with_stdout(f: impl FnOnce(&mut dyn Write) -> u8) -> u8 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let code = f(&mut out);
    let _ = out.flush();
    code
}

fn check(args: CheckArgs) -> u8 {
    let (mut rules, mut rule_errors) = RuleSet::builtin();
    for path in &args.rule_paths {
        rules.add_path(path, &mut rule_errors);
    }
    if let Some(now) = args.now {
        rules.now = now;
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover::discover(
        &paths,
        &WalkOptions {
            hidden: args.hidden,
            no_ignore: args.no_ignore,
            stdin_name: args.stdin_filename.clone(),
        },
    );
    let options = LintOptions {
        max_file_size: args.max_file_size,
    };
    let lint_one = |input: &discover::Input| lint::lint_input(input, &rules, &options);
    let files: Vec<FileReport> = if found.inputs.len() <= 1 {
        found.inputs.iter().map(lint_one).collect()
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads.unwrap_or(0))
            .build();
        match pool {
            Ok(pool) => pool.install(|| found.inputs.par_iter().map(lint_one).collect()),
            Err(_) => found.inputs.iter().map(lint_one).collect(),
        }
    };
    let report = Report::new(&rules, files, found.errors, rule_errors);
    let human = report::human::Options {
        color: use_color(args.color),
        width: terminal_width(),
    };
    let code = report.exit_code(args.fail_on);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`storylint check | head -1`) is not an error worth a word.
    let _ = report
        .write(args.format, &human, &mut out)
        .and_then(|()| out.flush());
    code
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let set =
                |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
            if set("NO_COLOR") {
                false
            } else if set("CLICOLOR_FORCE") {
                true
            } else {
                std::io::stdout().is_terminal()
            }
        }
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn now_takes_times_dates_and_seconds() {
        assert_eq!(parse_now("1700000000"), Ok(1_700_000_000));
        assert_eq!(parse_now("2024-01-01T00:00:00Z"), Ok(1_704_067_200));
        assert_eq!(parse_now("2024-01-01"), Ok(1_704_067_200));
        assert!(parse_now("yesterday").is_err());
    }

    #[test]
    fn exit_code_constants() {
        use crate::report::exit;
        assert_eq!((exit::CLEAN, exit::FINDINGS, exit::ERROR), (0, 1, 2));
    }
}
