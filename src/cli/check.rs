//! `storylint check`: the whole pipeline for a run. Discovery starts
//! first, on its own thread; then the configuration and rules are loaded,
//! every file is checked in parallel (lint, then set aside), the baseline
//! is applied and written, and the report is rendered.

use super::guard::{Guarded, Targets, check_targets};
use super::{CheckArgs, human_options, terminal_width, with_stdout};
use crate::config::{self, Config, RuleSetting};
use crate::discover::{self, Discovery, WalkOptions};
use crate::error::{ConfigError, InputError};
use crate::finding::FileReport;
use crate::lint::{self, LintOptions};
use crate::report::{self, Report};
use crate::rules::RuleSet;
use crate::severity::Severity;
use crate::suppress::Suppressor;
use crate::suppress::baseline::{self, Baseline, Loaded};
use std::io::Write;
use std::path::{Path, PathBuf};

pub(super) fn check(args: CheckArgs) -> u8 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // Stage 1, started first: the walk runs on its own thread while the
    // configuration and rules are read and compiled.
    let discovery = (!args.show_config).then(|| spawn_discovery(&args));
    // Stage 0: the configuration.
    let config_path = config::locate(args.config.as_deref(), args.no_config, &cwd);
    let mut guarded = guard_sources(&args, config_path.as_deref());
    let config = match Config::load_or_empty(config_path.as_deref(), &cwd) {
        Ok(c) => c,
        Err(errors) => return stop_with(&args, errors, &cwd, guarded),
    };
    for path in &config.rule_dirs {
        guarded.add_rules(path);
    }
    for path in &config.api_dirs {
        guarded.add_apis(path);
    }
    let (rules, rule_errors) = load_rules(&args, &config);
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let mut config_problems = config.unknown_rules(&ids);
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(Severity::Error);
    let show = args.show.or(config.show).unwrap_or(Severity::Warning);
    if args.show_config {
        return show_config(&args, &config, &rules, &config_problems, fail_on);
    }
    let baseline = match baseline_in_use(&args, &cwd) {
        Ok(b) => b,
        Err(e) => return stop_with(&args, vec![e], &cwd, guarded),
    };
    // The prefilter and paths the engine derives from the rules, made while
    // the walk may still be running.
    rules.prepared();
    let (mut inputs, found_errors) = selected_inputs(discovery, &args, &config);
    if args.fix || args.diff {
        once_each(&mut inputs);
    }
    if !args.output.is_empty() || args.write_baseline.is_some() {
        guarded.add_inputs(&inputs);
    }
    let mut targets = check_targets(&args, &cwd, &guarded, true);
    config_problems.append(&mut targets.problems);
    // Stages 2-6 for each file, in parallel.
    let mut suppressor = Suppressor::new(&rules, Some(&config), !args.no_ignores);
    if let Some(b) = baseline.as_ref().filter(|_| args.fix || args.diff) {
        suppressor.hold(b, &cwd);
    }
    // Reports written as files are checked: a diff, or a human report on
    // stdout alone.
    if args.diff || streams(&args, baseline.is_some()) {
        let mut report = Report::new(&rules, Vec::new(), Vec::new(), rule_errors, config_problems);
        report.fix_run = fix_run(&args);
        let code = if args.diff {
            diff_run(report, &inputs, found_errors, &suppressor, &args)
        } else {
            let thresholds = (fail_on, show);
            stream_human(
                report,
                &inputs,
                found_errors,
                &suppressor,
                &args,
                thresholds,
            )
        };
        std::mem::forget(rules);
        return code;
    }
    let mut files = lint_all(&inputs, &rules, &suppressor, &args);
    config_problems.extend(suppressor.unused_config_ignores());
    let unread: Vec<String> = found_errors.iter().map(|e| e.file.clone()).collect();
    let uses = match &baseline {
        Some(b) => suppressor.across_run(b, &mut files, &unread, &cwd),
        None => Vec::new(),
    };
    let written = write_baseline(&args, &cwd, &files, &rules, &targets, (&baseline, &uses));
    let baseline_written = written.and_then(|w| w.map_err(|e| config_problems.push(e)).ok());
    let wrote_baseline = baseline_written.is_some();
    // Stage 7: report.
    settle(&mut files, &args);
    let mut report = Report::new(&rules, files, found_errors, rule_errors, config_problems);
    report.fail_on = fail_on;
    report.fix_run = fix_run(&args);
    report.baseline_written = baseline_written;
    let code = finish(
        report,
        &args,
        &targets.outputs,
        (fail_on, show),
        wrote_baseline,
    );
    // The process ends here: freeing every compiled rule one by one would
    // only delay the exit, so they go with the process.
    std::mem::forget(rules);
    code
}

/// Keeps the first of the inputs that are one file (`a.json ./a.json`, or a
/// link to it): fixed twice, a file would be written over by its second
/// fixing, and its diff shown twice would not apply.
fn once_each(inputs: &mut Vec<discover::Input>) {
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|input| match &input.source {
        discover::InputSource::Path(p) => {
            seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        }
        discover::InputSource::Stdin => true,
    });
}

/// The baseline in use; with --no-ignores it is not applied, but a
/// baseline written in the same run still keeps its entries.
fn baseline_in_use(args: &CheckArgs, cwd: &Path) -> Result<Option<Loaded>, ConfigError> {
    match &args.baseline {
        Some(path) if !args.no_ignores || args.write_baseline.is_some() => {
            Loaded::load(path, cwd).map(Some)
        }
        _ => Ok(None),
    }
}

/// The files' last steps before the report: the fixed document of stdin
/// goes out, and with `--show` asked for on the command line, every format
/// lists only what it shows (the baseline took every finding; counts stay
/// whole).
fn settle(files: &mut [FileReport], args: &CheckArgs) {
    write_fixed_stdin(files);
    if let Some(show) = args.show {
        files.iter_mut().for_each(|f| f.hide_below(show));
    }
}

/// The files a run must never write over that are known before the
/// configuration is read: the configuration itself, `--rules` and `--apis`.
fn guard_sources(args: &CheckArgs, config_path: Option<&Path>) -> Guarded {
    let mut guarded = Guarded::default();
    if let Some(path) = config_path {
        guarded.add(path, "this run's configuration file");
    }
    for path in &args.rule_paths {
        guarded.add_rules(path);
    }
    for path in &args.api_paths {
        guarded.add_apis(path);
    }
    guarded
}

fn spawn_discovery(
    args: &CheckArgs,
) -> std::io::Result<std::thread::JoinHandle<discover::Discovery>> {
    let (paths, options) = (input_paths(args), walk_options(args));
    std::thread::Builder::new()
        .name("discover".into())
        .spawn(move || discover::discover(&paths, &options))
}

/// The built-in rules (without their examples) and the user's, with the
/// configuration's severities and rules turned off.
fn load_rules(args: &CheckArgs, config: &Config) -> (RuleSet, Vec<crate::error::RuleError>) {
    let (mut rules, mut rule_errors) = RuleSet::builtin_for_check();
    for path in config.rule_dirs.iter().chain(&args.rule_paths) {
        rules.add_path(path, &mut rule_errors);
    }
    for path in config.api_dirs.iter().chain(&args.api_paths) {
        rules.apis.add_path(path, &mut rule_errors);
    }
    for rule in &mut rules.rules {
        match config.setting_for(&rule.id, None) {
            // An override may turn the rule back on for some paths; then it
            // runs everywhere and the suppressor drops its findings where
            // the path's setting is off.
            Some(RuleSetting::Off) => rule.enabled = config.turned_on_somewhere(&rule.id),
            Some(RuleSetting::Severity(s)) => rule.severity = s,
            None => {}
        }
    }
    if let Some(now) = args.now {
        rules.now = now;
    }
    (rules, rule_errors)
}

/// `--show-config`: the effective configuration, and its problems on
/// stderr.
fn show_config(
    args: &CheckArgs,
    config: &Config,
    rules: &RuleSet,
    problems: &[ConfigError],
    fail_on: Severity,
) -> u8 {
    let listed: Vec<(&str, Severity, Option<RuleSetting>)> = rules
        .rules
        .iter()
        .map(|r| {
            let default = builtin_severity(&r.id).unwrap_or(r.severity);
            (r.id.as_str(), default, config.setting_for(&r.id, None))
        })
        .collect();
    with_stdout(|out| {
        let plain = human_options(super::ColorChoice::Never, false);
        let _ = report::human::write_problems(problems, &plain, &mut std::io::stderr());
        let mut text = config.to_yaml(&listed);
        if args.fail_on.is_some() {
            text.push_str(&format!("# --fail-on {fail_on} overrides fail-on\n"));
        }
        let _ = out.write_all(text.as_bytes());
        report::exit::CLEAN
    })
}

/// The severity a built-in rule ships with.
fn builtin_severity(id: &str) -> Option<Severity> {
    let (rules, _) = RuleSet::builtin();
    rules.get(id).map(|r| r.severity)
}

/// The inputs the configuration selects, and the paths it would have
/// checked that could not be used.
fn selected_inputs(
    discovery: Option<std::io::Result<std::thread::JoinHandle<Discovery>>>,
    args: &CheckArgs,
    config: &Config,
) -> (Vec<discover::Input>, Vec<InputError>) {
    let mut found = match discovery.map(|spawned| spawned.map(|thread| thread.join())) {
        Some(Ok(Ok(found))) => found,
        // No thread could be started (or it failed): walk here.
        _ => discover::discover(&input_paths(args), &walk_options(args)),
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
    let errors = found.errors.into_iter().map(|e| e.error).collect();
    (found.inputs, errors)
}

/// Lints and sets aside each input, in parallel; reports in input order.
fn lint_all(
    inputs: &[discover::Input],
    rules: &RuleSet,
    suppressor: &Suppressor,
    args: &CheckArgs,
) -> Vec<FileReport> {
    let mut files = Vec::with_capacity(inputs.len());
    lint_in_order(inputs, rules, suppressor, args, |file| files.push(file));
    files
}

/// Lints and sets aside each input on `--threads` workers, and gives each
/// report to `each` in input order as soon as those before it are done.
/// Workers take the next input as they finish one, so a report waits only
/// for the few inputs in progress before it.
fn lint_in_order(
    inputs: &[discover::Input],
    rules: &RuleSet,
    suppressor: &Suppressor,
    args: &CheckArgs,
    each: impl FnMut(FileReport),
) {
    let options = LintOptions {
        max_file_size: args.max_file_size,
        snippets: wants_snippets(args),
    };
    let fixing = fixing(args);
    let lint_one = |input: &discover::Input| match fixing {
        Some(f) => super::fix::lint_and_fix(input, rules, &options, suppressor, f),
        None => lint::lint_input(input, rules, &options, suppressor),
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let workers = args
        .threads
        .filter(|n| *n > 0)
        .unwrap_or(cores)
        .min(inputs.len());
    if workers <= 1 {
        inputs.iter().map(lint_one).for_each(each);
        return;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (sender, receiver) = std::sync::mpsc::channel::<(usize, FileReport)>();
    let mut order = InOrder::new(each);
    std::thread::scope(|scope| {
        // The calling thread is one of the workers: a thread that only
        // waited for reports would be woken for each file and take a core
        // from the workers (thousands of context switches per run).
        for _ in 1..workers {
            let sender = sender.clone();
            let (next, lint_one) = (&next, &lint_one);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else { break };
                    if sender.send((i, lint_one(input))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(input) = inputs.get(i) else { break };
            order.put(i, lint_one(input));
            // What the other workers finished meanwhile, without waiting.
            while let Ok((i, file)) = receiver.try_recv() {
                order.put(i, file);
            }
        }
        for (i, file) in receiver {
            order.put(i, file);
        }
    });
}

/// Gives reports that arrive in any order to `each` in input order, each
/// as soon as every report before it has arrived.
struct InOrder<T, F> {
    each: F,
    waiting: std::collections::BTreeMap<usize, T>,
    due: usize,
}

impl<T, F: FnMut(T)> InOrder<T, F> {
    fn new(each: F) -> Self {
        InOrder {
            each,
            waiting: std::collections::BTreeMap::new(),
            due: 0,
        }
    }

    fn put(&mut self, i: usize, file: T) {
        if i != self.due {
            self.waiting.insert(i, file);
            return;
        }
        (self.each)(file);
        self.due += 1;
        while let Some(file) = self.waiting.remove(&self.due) {
            (self.each)(file);
            self.due += 1;
        }
    }
}

/// Whether the report can be written file by file as files are checked,
/// so that no file's findings are kept: a human report on stdout alone,
/// with no baseline to apply across files and no other report to write.
fn streams(args: &CheckArgs, baseline: bool) -> bool {
    args.format() == report::Format::Human
        && args.output.is_empty()
        && args.write_baseline.is_none()
        && !baseline
}

/// Checks the inputs and writes the human report of each file as soon as
/// it and those before it are checked, then the summary; returns the exit
/// code. What is written is what [`report::human::write`] writes for the
/// same run; only the counts of each file are kept.
fn stream_human(
    mut report: Report,
    inputs: &[discover::Input],
    mut unusable: Vec<InputError>,
    suppressor: &Suppressor,
    args: &CheckArgs,
    (fail_on, show): (Severity, Severity),
) -> u8 {
    let mut options = human_options(args.color, args.statistics);
    options.show = show;
    let mut out = std::io::BufWriter::new(report_stream(args));
    let mut files = report::human::Files::new(report.rules, &options);
    // A closed pipe (`storylint check | head -1`) ends the writing, not the
    // run: the exit code is still that of every file.
    let mut open = files.head(&report, &mut out).is_ok();
    let mut written = Vec::with_capacity(inputs.len() + unusable.len());
    // Files in name order, as [`Report::new`] sorts them: an unusable path
    // after an input of the same name.
    unusable.sort_by(|a, b| a.file.cmp(&b.file));
    let mut unusable = unusable.into_iter().peekable();
    let mut emit = |mut file: FileReport, out: &mut dyn Write| {
        write_fixed_stdin(std::slice::from_mut(&mut file));
        if open {
            open = files.file(&file, out).is_ok();
        }
        written.push(report::FileCounts::of(&file));
    };
    lint_in_order(inputs, report.rules, suppressor, args, |file| {
        while let Some(e) = unusable.next_if(|e| e.file < file.file) {
            emit(FileReport::new(&e.file.clone()).failed(e), &mut out);
        }
        emit(file, &mut out);
    });
    for e in unusable {
        emit(FileReport::new(&e.file.clone()).failed(e), &mut out);
    }
    report.written = written;
    // Known only once every file is checked.
    let late = suppressor.unused_config_ignores();
    if open {
        open = files.problems(&late, &mut out).is_ok();
    }
    report.config_problems.extend(late);
    if open {
        let _ = report::human::tail(&report, &options, &mut out).and_then(|()| out.flush());
    }
    let code = report.exit_code(fail_on);
    std::mem::forget(report);
    code
}

/// Whether a human report is written (on stdout or by `--output`), the
/// only format that shows snippets.
fn wants_snippets(args: &CheckArgs) -> bool {
    args.format() == report::Format::Human
        || args
            .output
            .iter()
            .any(|o| o.format == report::Format::Human)
}

/// Writes `--write-baseline` when it may be written: the findings of this
/// run, with the entries of files it did not check kept from the baseline
/// in use (`previous`, with how its entries were used) and from the one
/// already at the path.
fn write_baseline(
    args: &CheckArgs,
    cwd: &Path,
    files: &[FileReport],
    rules: &RuleSet,
    targets: &Targets,
    previous: (&Option<Loaded>, &[baseline::Use]),
) -> Option<Result<report::BaselineWritten, ConfigError>> {
    let path = args.write_baseline.as_ref().filter(|_| targets.baseline)?;
    let mut kept: Vec<(&Loaded, &[baseline::Use])> = Vec::new();
    if let (Some(b), uses) = previous {
        kept.push((b, uses));
    }
    if let Some(b) = &targets.existing_baseline {
        kept.push((b, &[]));
    }
    let baseline = Baseline::for_run(files, rules, path, cwd, &kept);
    let entries = baseline.findings.len();
    // This run's share: the findings of its files, reported or set aside
    // by the baseline in use; the rest was kept from earlier runs.
    let this_run: usize = files
        .iter()
        .map(|f| {
            let hidden = f
                .suppressed
                .iter()
                .filter(|s| s.by == crate::suppress::SuppressedBy::Baseline);
            f.findings.len() + hidden.count()
        })
        .sum();
    Some(baseline.write(path).map(|()| report::BaselineWritten {
        path: path.display().to_string(),
        entries,
        kept: entries.saturating_sub(this_run),
    }))
}

/// Writes the `--output` reports and the report on stdout; returns the
/// exit code.
fn finish(
    mut report: Report,
    args: &CheckArgs,
    allowed: &[bool],
    (fail_on, show): (Severity, Severity),
    wrote_baseline: bool,
) -> u8 {
    // A report file that could not be written is an error of the run, and
    // said so in the report on stdout.
    let failed = write_outputs(&report, args, allowed, show);
    report.config_problems.extend(failed);
    let mut code = report.exit_code(fail_on);
    if wrote_baseline && code == report::exit::FINDINGS {
        code = report::exit::CLEAN;
    }
    write_stdout(&report, args, show);
    // Freeing every finding one by one would only delay the exit (a
    // measurable part of a one-file run), so they go with the process.
    std::mem::forget(report);
    code
}

/// The report on stdout in the requested format. A closed pipe
/// (`storylint check | head -1`) is not an error worth a word.
fn write_stdout(report: &Report, args: &CheckArgs, show: Severity) {
    let mut human = human_options(args.color, args.statistics);
    human.show = show;
    // Writing a baseline accepts the findings: a confirmation says what
    // was written, unless a format was asked for.
    human.brief = args.write_baseline.is_some() && args.format.is_none();
    let mut out = std::io::BufWriter::new(report_stream(args));
    let _ = report
        .write(args.format(), &human, &mut out)
        .and_then(|()| out.flush());
}

/// Writes the `--output` reports that may be written; returns the
/// problems of those that could not be.
fn write_outputs(
    report: &Report,
    args: &CheckArgs,
    allowed: &[bool],
    show: Severity,
) -> Vec<ConfigError> {
    let plain = report::human::Options {
        color: false,
        width: terminal_width(),
        statistics: args.statistics,
        brief: false,
        show,
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
    mut problems: Vec<ConfigError>,
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
    let failed = write_outputs(&report, args, &targets.outputs, Severity::Info);
    report.config_problems.extend(failed);
    write_stdout(&report, args, Severity::Info);
    report::exit::ERROR
}

/// Where the report goes: stdout, unless `--fix` gives stdout the fixed
/// document of stdin.
fn report_stream(args: &CheckArgs) -> Box<dyn Write> {
    if args.fix && args.paths.iter().any(|p| p.as_os_str() == "-") {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    }
}

/// `--fix` or `--diff`, and whether unsafe fixes count.
fn fixing(args: &CheckArgs) -> Option<super::fix::Fixing> {
    use super::fix::{Fixing, Mode};
    let mode = match (args.fix, args.diff) {
        (true, _) => Mode::Fix,
        (_, true) => Mode::Diff,
        _ => return None,
    };
    Some(Fixing {
        mode,
        unsafe_fixes: args.unsafe_fixes,
    })
}

fn fix_run(args: &CheckArgs) -> Option<report::FixRun> {
    fixing(args).map(|f| report::FixRun {
        applying: f.mode == super::fix::Mode::Fix,
        unsafe_fixes: f.unsafe_fixes,
    })
}

/// Writes the fixed document of stdin (`--fix -`) on stdout, through the
/// reporting layer; a document that could not be written all is an error
/// of its file (exit 2).
fn write_fixed_stdin(files: &mut [FileReport]) {
    for file in files {
        if let Some(doc) = file.fix_output.take() {
            let stdout = std::io::stdout();
            let stdin = std::io::stdin();
            let mut rest = stdin.lock();
            let rest = file
                .pass_stdin
                .then_some(&mut rest as &mut dyn std::io::Read);
            if let Err(e) = report::write_document(&doc, rest, &mut stdout.lock()) {
                not_on_stdout(file, "the fixed document", &e);
            }
        }
    }
}

/// The error of a file whose document or diff could not be written on
/// stdout (a full disk, a closed pipe): what it says is lost.
fn not_on_stdout(file: &mut FileReport, what: &str, e: &std::io::Error) {
    let message = format!(
        "{what} could not be written on stdout: {}",
        crate::error::io_message(e)
    );
    let e = InputError::new(
        crate::error::InputErrorKind::NotWritten,
        &file.file,
        message,
    );
    file.errors.push(e);
    file.fixes_applied = 0;
}

/// `--diff`: each file's diff on stdout as the files are checked, in
/// order; on stderr, the problems of the files and what `--fix` would do.
/// Exit 2 if a file or rule could not be used, else 1 if there is
/// something to fix, else 0.
fn diff_run(
    mut report: Report,
    inputs: &[discover::Input],
    unusable: Vec<InputError>,
    suppressor: &Suppressor,
    args: &CheckArgs,
) -> u8 {
    let options = human_options(args.color, false);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    let mut files = report::human::Files::new(report.rules, &options);
    let mut written = Vec::with_capacity(inputs.len() + unusable.len());
    let mut show = |mut file: FileReport, out: &mut dyn Write, err: &mut dyn Write| {
        let diff = file.fix_output.take();
        if let Some(Err(e)) = diff.map(|d| report::write_document(&d, None, out)) {
            not_on_stdout(&mut file, "the diff", &e);
        }
        written.push(report::FileCounts::of(&file));
        // The findings are what --fix would leave; only problems are said.
        file.findings.clear();
        let _ = files.file(&file, err);
    };
    lint_in_order(inputs, report.rules, suppressor, args, |file| {
        show(file, &mut out, &mut err)
    });
    for e in unusable {
        show(
            FileReport::new(&e.file.clone()).failed(e),
            &mut out,
            &mut err,
        );
    }
    let _ = out.flush();
    report.written = written;
    let _ = report::human::diff_tail(&report, &mut err).and_then(|()| err.flush());
    let s = report.summary();
    let code = if report.exit_code(Severity::Error) == report::exit::ERROR {
        report::exit::ERROR
    } else if s.fixed > 0 {
        report::exit::FINDINGS
    } else {
        report::exit::CLEAN
    };
    std::mem::forget(report);
    code
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

#[cfg(test)]
mod tests {
    use super::InOrder;

    #[test]
    fn reports_leave_in_input_order_as_soon_as_those_before_are_in() {
        let mut out = Vec::new();
        let mut order = InOrder::new(|i: usize| out.push(i));
        let mut seen = Vec::new();
        for i in [2, 0, 1, 5, 3, 4] {
            order.put(i, i);
            seen.push(order.due);
        }
        drop(order);
        assert_eq!(out, [0, 1, 2, 3, 4, 5]);
        // 0 frees 0; 1 frees 1 and the waiting 2; 3 frees 3, then 4 frees 4 and 5.
        assert_eq!(seen, [0, 1, 3, 3, 4, 6]);
    }
}
