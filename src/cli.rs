//! The command line: parses arguments, runs the pipeline, and returns the
//! exit code. Output goes through [`crate::report`].

use crate::baseline::{self, Baseline, Loaded};
use crate::config::{self, Config, RuleSetting};
use crate::discover::{self, WalkOptions};
use crate::lint::{self, DEFAULT_MAX_FILE_SIZE, FileReport, LintOptions};
use crate::report::{self, Format, Report};
use crate::rules::{RuleSet, Severity};
use crate::suppress;
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Fast, offline static analyzer for Tines story exports.
#[derive(Debug, Parser)]
#[command(name = "storylint", version, about, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, \
                        2 usage error, unreadable or invalid input, invalid rule file, \
                        configuration or baseline, or a report or baseline not written."
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
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// An extra report written to a file: `FORMAT=PATH`.
#[derive(Clone, Debug)]
pub struct OutputSpec {
    pub format: Format,
    pub path: PathBuf,
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

    /// Also write a report in FORMAT to PATH (repeatable), e.g.
    /// `--output sarif=storylint.sarif`. Never over an input of the run.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub output: Vec<OutputSpec>,

    /// Lowest severity that makes the exit code 1 [default: error, or the
    /// configuration's `fail-on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<Severity>,

    /// Use this configuration file instead of the nearest .storylint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any .storylint.yaml.
    #[arg(long)]
    pub no_config: bool,

    /// Print the effective configuration and exit.
    #[arg(long)]
    pub show_config: bool,

    /// Instead of each finding, print a table of findings per rule (with
    /// the number of files each appears in), then the summary: for audits
    /// of many files. Only the human format changes; JSON always carries
    /// the same table in `summary.rules`.
    #[arg(long)]
    pub statistics: bool,

    /// Report every finding: disregard ignore directives, the
    /// configuration's `ignore` entries and the baseline.
    #[arg(long)]
    pub no_ignores: bool,

    /// Hide the findings recorded in this baseline file; report only new
    /// ones, and baseline entries that no longer match.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the findings of this run in this baseline file and exit 0
    /// unless an input could not be checked. Entries of files this run did
    /// not check are kept; a file that is not a baseline is never replaced.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

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
        Command::Completions(args) => with_stdout(|out| {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "storylint", out);
            report::exit::CLEAN
        }),
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
            statistics: false,
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

/// Files of the run that reports and baselines must not overwrite, by
/// their real path, with what they are.
#[derive(Default)]
struct Guarded {
    files: Vec<(PathBuf, &'static str)>,
}

impl Guarded {
    fn add(&mut self, path: &Path, what: &'static str) {
        if let Ok(real) = path.canonicalize() {
            self.files.push((real, what));
        }
    }

    /// A `--rules` path or `rule-dirs` entry: the file, or every rule file
    /// under the directory, as [`RuleSet::add_path`] finds them (and any
    /// link named like one, which the loader passes over but a write would
    /// follow).
    fn add_rules(&mut self, path: &Path) {
        const WHAT: &str = "a rule file of this run";
        self.add(path, WHAT);
        if !path.is_dir() {
            return;
        }
        let entries = ignore::WalkBuilder::new(path)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok);
        for entry in entries {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                self.add(p, WHAT);
            }
        }
    }

    fn add_inputs(&mut self, inputs: &[discover::Input]) {
        for input in inputs {
            if let discover::InputSource::Path(p) = &input.source {
                self.add(p, "one of this run's inputs");
            }
        }
    }

    fn find(&self, key: &Path) -> Option<&'static str> {
        self.files
            .iter()
            .find(|(p, _)| p == key)
            .map(|(_, what)| *what)
    }
}

/// Which of the run's files may be written, decided before anything is.
struct Targets {
    /// `--write-baseline` may be written.
    baseline: bool,
    /// The baseline already at `--write-baseline`, when it is not the
    /// `--baseline` one.
    existing_baseline: Option<Loaded>,
    /// Per `--output`, whether it may be written.
    outputs: Vec<bool>,
    problems: Vec<crate::error::ConfigError>,
}

/// Refuses to write over an input of the run (or its configuration, rule
/// files or the baseline in use), to write a baseline over a file that is
/// not one, and to write two files of the run to the same place.
fn check_targets(args: &CheckArgs, cwd: &Path, guarded: &Guarded, write_baseline: bool) -> Targets {
    use crate::error::{ConfigError, ConfigErrorKind};
    let refuse = |path: &Path, message: String, help: &str| {
        ConfigError::new(
            ConfigErrorKind::OutputRefused,
            &path.display().to_string(),
            message,
        )
        .with_help(help)
    };
    let elsewhere = "name another file; storylint never overwrites what it reads";
    let mut targets = Targets {
        baseline: true,
        existing_baseline: None,
        outputs: Vec::new(),
        problems: Vec::new(),
    };
    // Where each path leads: symbolic links followed, the directory
    // resolved when the file does not exist yet.
    let target_key = |path: &Path| crate::paths::key(cwd, path);
    let in_use = args.baseline.as_deref().map(target_key);
    let mut taken: Vec<PathBuf> = Vec::new();
    if let (Some(path), true) = (&args.write_baseline, write_baseline) {
        let key = target_key(path);
        let is_in_use = in_use.as_ref() == Some(&key);
        let is_file = std::fs::metadata(&key).is_ok_and(|m| m.is_file() && m.len() > 0);
        // A baseline already there is storylint's own file, safe to
        // replace even when a walk also read it as an input.
        let existing = if is_file && !is_in_use {
            Some(Loaded::load(path, cwd))
        } else {
            None
        };
        let input = guarded.find(&key).filter(|_| !is_in_use);
        match (existing, input) {
            (Some(Ok(loaded)), _) => targets.existing_baseline = Some(loaded),
            (_, Some(what)) => {
                targets.problems.push(refuse(
                    path,
                    format!("refusing to replace this file with a baseline: it is {what}"),
                    elsewhere,
                ));
                targets.baseline = false;
            }
            (Some(Err(e)), None) => {
                let mut r = refuse(
                    path,
                    format!(
                        "refusing to replace this file with a baseline: it is not a storylint baseline ({})",
                        e.message
                    ),
                    "name another file, or delete this one first if it really is an old baseline",
                );
                r.location = e.location;
                targets.problems.push(r);
                targets.baseline = false;
            }
            (None, None) => {}
        }
        // A FIFO or device takes each write in turn, as with `>`.
        if targets.baseline && !report::is_special(path) {
            taken.push(key);
        }
    }
    for spec in &args.output {
        let key = target_key(&spec.path);
        let what = guarded
            .find(&key)
            .or_else(|| (in_use.as_ref() == Some(&key)).then_some("the baseline in use"))
            .or_else(|| {
                taken
                    .contains(&key)
                    .then_some("written by this run already (another --output or --write-baseline)")
            });
        match what {
            Some(what) => {
                targets.problems.push(refuse(
                    &spec.path,
                    format!("refusing to write a report over this file: it is {what}"),
                    elsewhere,
                ));
                targets.outputs.push(false);
            }
            None => {
                if !report::is_special(&spec.path) {
                    taken.push(key);
                }
                targets.outputs.push(true);
            }
        }
    }
    targets
}

/// Writes the `--output` reports that may be written; returns the
/// problems of those that could not be.
fn write_outputs(
    report: &Report,
    args: &CheckArgs,
    allowed: &[bool],
) -> Vec<crate::error::ConfigError> {
    let plain = report::human::Options {
        color: false,
        width: terminal_width(),
        statistics: args.statistics,
    };
    args.output
        .iter()
        .zip(allowed)
        .filter(|(_, ok)| **ok)
        .filter_map(|(spec, _)| report.write_to_file(spec.format, &plain, &spec.path).err())
        .collect()
}

/// Reports configuration or baseline problems that stop a run before any
/// file is checked: on stdout in the requested format, and in every
/// `--output` report (so that a CI step uploading one finds it, saying
/// why). Returns exit code 2.
fn stop_with(
    args: &CheckArgs,
    mut problems: Vec<crate::error::ConfigError>,
    cwd: &Path,
    mut guarded: Guarded,
) -> u8 {
    let (rules, _) = RuleSet::builtin();
    if !args.output.is_empty() {
        // Nothing is checked, but the reports must not land on an input.
        let found = discover::discover(&input_paths(args), &walk_options(args));
        guarded.add_inputs(&found.inputs);
    }
    let targets = check_targets(args, cwd, &guarded, false);
    problems.extend(targets.problems);
    let mut report = Report::new(&rules, Vec::new(), Vec::new(), Vec::new(), problems);
    let failed = write_outputs(&report, args, &targets.outputs);
    report.config_problems.extend(failed);
    let human = report::human::Options {
        color: use_color(args.color),
        width: terminal_width(),
        statistics: args.statistics,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let _ = report
        .write(args.format, &human, &mut out)
        .and_then(|()| out.flush());
    report::exit::ERROR
}

fn input_paths(args: &CheckArgs) -> Vec<PathBuf> {
    if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    }
}

fn walk_options(args: &CheckArgs) -> WalkOptions {
    WalkOptions {
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        stdin_name: args.stdin_filename.clone(),
    }
}

fn check(args: CheckArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // Stage 1, started first: the walk runs on its own thread while the
    // configuration and rules are read and compiled.
    let discovery = (!args.show_config).then(|| {
        let (paths, options) = (input_paths(&args), walk_options(&args));
        std::thread::Builder::new()
            .name("discover".into())
            .spawn(move || discover::discover(&paths, &options))
    });
    // Stage 0: the configuration.
    let config_path = match (&args.config, args.no_config) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => config::find(&cwd),
    };
    let mut guarded = Guarded::default();
    if let Some(path) = &config_path {
        guarded.add(path, "this run's configuration file");
    }
    for path in &args.rule_paths {
        guarded.add_rules(path);
    }
    let config = match &config_path {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(errors) => return stop_with(&args, errors, &cwd, guarded),
        },
        None => Config::empty(cwd.clone()),
    };
    for path in &config.rule_dirs {
        guarded.add_rules(path);
    }
    let (mut rules, mut rule_errors) = RuleSet::builtin_for_check();
    for path in config.rule_dirs.iter().chain(&args.rule_paths) {
        rules.add_path(path, &mut rule_errors);
    }
    for rule in &mut rules.rules {
        match config.setting_for(&rule.id, None) {
            // An override may turn the rule back on for some paths; then it
            // runs everywhere and `suppress::apply_config` drops its
            // findings where the path's setting is off.
            Some(RuleSetting::Off) => rule.enabled = config.turned_on_somewhere(&rule.id),
            Some(RuleSetting::Severity(s)) => rule.severity = s,
            None => {}
        }
    }
    if let Some(now) = args.now {
        rules.now = now;
    }
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let mut config_problems = config.unknown_rules(&ids);
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Error);
    if args.show_config {
        let listed: Vec<(&str, Severity, Option<RuleSetting>)> = rules
            .rules
            .iter()
            .map(|r| {
                let default = builtin_severity(&r.id).unwrap_or(r.severity);
                (r.id.as_str(), default, config.setting_for(&r.id, None))
            })
            .collect();
        return with_stdout(|out| {
            let _ = report::human::write_problems(
                &config_problems,
                &report::human::Options {
                    color: false,
                    width: terminal_width(),
                    statistics: false,
                },
                &mut std::io::stderr(),
            );
            let mut text = config.to_yaml(&listed);
            if args.fail_on.is_some() {
                text.push_str(&format!("# --fail-on {fail_on} overrides fail-on\n"));
            }
            let _ = out.write_all(text.as_bytes());
            report::exit::CLEAN
        });
    }
    // The baseline in use; with --no-ignores it is not applied, but a
    // baseline written in the same run still keeps its entries.
    let baseline = match &args.baseline {
        Some(path) if !args.no_ignores || args.write_baseline.is_some() => {
            match Loaded::load(path, &cwd) {
                Ok(b) => Some(b),
                Err(e) => return stop_with(&args, vec![e], &cwd, guarded),
            }
        }
        _ => None,
    };
    // The prefilter and paths the engine derives from the rules, made while
    // the walk may still be running.
    rules.prepared();
    let mut found = match discovery.map(|spawned| spawned.map(|thread| thread.join())) {
        Some(Ok(Ok(found))) => found,
        // No thread could be started (or it failed): walk here.
        _ => discover::discover(&input_paths(&args), &walk_options(&args)),
    };
    found.inputs.retain(|input| match &input.source {
        discover::InputSource::Path(p) => config.selects(p),
        discover::InputSource::Stdin => true,
    });
    // A path that could not be used is a problem only where the
    // configuration would have checked something.
    found.errors.retain(|e| match e.kind {
        discover::UnusableKind::File => config.selects(&e.path),
        discover::UnusableKind::Directory => config.may_select_under(&e.path),
        discover::UnusableKind::Unknown => {
            config.selects(&e.path) || config.may_select_under(&e.path)
        }
    });
    let found_errors: Vec<crate::error::InputError> =
        found.errors.into_iter().map(|e| e.error).collect();
    if !args.output.is_empty() || args.write_baseline.is_some() {
        guarded.add_inputs(&found.inputs);
    }
    let targets = check_targets(&args, &cwd, &guarded, true);
    config_problems.extend(targets.problems);
    // Stages 2-4 for each file, in parallel.
    let options = LintOptions {
        max_file_size: args.max_file_size,
        directives: !args.no_ignores,
    };
    let lint_one = |input: &discover::Input| {
        let mut file = lint::lint_input(input, &rules, &options);
        suppress::apply_config(&mut file, &config, &rules, !args.no_ignores);
        file
    };
    let mut files: Vec<FileReport> = if found.inputs.len() <= 1 {
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
    let unread: Vec<String> = found_errors.iter().map(|e| e.file.clone()).collect();
    let uses = match &baseline {
        Some(b) if !args.no_ignores => b.apply(&mut files, &unread, &cwd),
        _ => Vec::new(),
    };
    let mut wrote_baseline = false;
    if let (Some(path), true) = (&args.write_baseline, targets.baseline) {
        let mut previous: Vec<(&Loaded, &[baseline::Use])> = Vec::new();
        if let Some(b) = &baseline {
            previous.push((b, &uses));
        }
        if let Some(b) = &targets.existing_baseline {
            previous.push((b, &[]));
        }
        match Baseline::for_run(&files, &rules, path, &cwd, &previous).write(path) {
            Ok(()) => wrote_baseline = true,
            Err(e) => config_problems.push(e),
        }
    }
    // Stage 5: report.
    let mut report = Report::new(&rules, files, found_errors, rule_errors, config_problems);
    let human = report::human::Options {
        color: use_color(args.color),
        width: terminal_width(),
        statistics: args.statistics,
    };
    // A report file that could not be written is an error of the run, and
    // said so in the report on stdout.
    let failed = write_outputs(&report, &args, &targets.outputs);
    report.config_problems.extend(failed);
    let mut code = report.exit_code(fail_on);
    if wrote_baseline && code == report::exit::FINDINGS {
        code = report::exit::CLEAN;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`storylint check | head -1`) is not an error worth a word.
    let _ = report
        .write(args.format, &human, &mut out)
        .and_then(|()| out.flush());
    // The process ends here: freeing every finding and compiled rule one
    // by one would only delay the exit (a measurable part of a one-file
    // run), so they go with the process.
    std::mem::forget(report);
    std::mem::forget(rules);
    code
}

/// The severity a built-in rule ships with.
fn builtin_severity(id: &str) -> Option<Severity> {
    let (rules, _) = RuleSet::builtin();
    rules.get(id).map(|r| r.severity)
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
