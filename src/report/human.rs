//! The default output: a miette report per problem and finding, with the
//! snippet underlined at the exact bytes, then a one-line summary.

use super::Report;
use crate::error::ProblemKind;
use crate::escape::{visible, visible_lines};
use crate::finding::{FileReport, Finding};
use crate::rules::{Rule, RuleSet};
use crate::severity::Severity;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::fmt;
use std::io::{self, Write};

/// How to draw.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) color: bool,
    /// Width to wrap messages at.
    pub(crate) width: usize,
    /// Instead of each finding, a table of findings per rule (`--statistics`).
    pub(crate) statistics: bool,
    /// Problems only, no findings: the run wrote a baseline, which says
    /// what it accepted in one line.
    pub(crate) brief: bool,
    /// The lowest severity of findings and notes shown (`--show`); the
    /// summary counts what it hides.
    pub(crate) show: Severity,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            color: false,
            width: 100,
            statistics: false,
            brief: false,
            show: Severity::Info,
        }
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    rule: &'a Rule,
    text: String,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.rule.id))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let suggestion = self
            .finding
            .suggestion
            .as_ref()
            .map(|s| format!("did you mean `{}`?", visible(s)));
        let rule_help = self.rule.help.as_deref().map(visible_lines);
        let help = match (suggestion, rule_help) {
            (Some(s), Some(h)) => format!("{s} {h}"),
            (Some(s), None) => s,
            (None, Some(h)) => h.into_owned(),
            (None, None) => return None,
        };
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.finding
            .snippet
            .as_ref()
            .map(|s| &**s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.finding.snippet.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                self.finding
                    .label
                    .as_deref()
                    .map(|l| visible(l).into_owned()),
                snippet.span(),
            ),
        )))
    }
}

fn handler(options: &Options) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(options.width)
        .with_wrap_lines(false)
        .with_context_lines(1)
}

/// The finding's message and the action it is in, on two lines; every
/// part that comes from the input is made visible.
fn finding_text(f: &Finding) -> String {
    let line = match &f.action {
        Some(a) => {
            let name = a
                .name()
                .map_or_else(|| "(unnamed)".to_string(), |n| format!("\"{n}\""));
            let ty = a.action_type.as_deref().unwrap_or("no type");
            format!("in action {name} ({ty}) at {}", f.pointer())
        }
        None => format!("at {}", f.pointer()),
    };
    format!("{}\n{}", visible(&f.message), visible(&line))
}

/// Another diagnostic (an input, rule file or configuration problem) with
/// its texts made visible. Its snippet is visible already.
struct Visible<'a> {
    inner: &'a dyn Diagnostic,
    text: String,
}

impl<'a> Visible<'a> {
    fn new(inner: &'a dyn Diagnostic) -> Self {
        Visible {
            inner,
            text: visible(&inner.to_string()).into_owned(),
        }
    }
}

impl fmt::Debug for Visible<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for Visible<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Visible<'_> {}

impl Diagnostic for Visible<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let code = self.inner.code()?.to_string();
        Some(Box::new(visible(&code).into_owned()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.inner.help()?.to_string();
        Some(Box::new(visible_lines(&help).into_owned()))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?.map(|l| {
            let label = l.label().map(|t| visible(t).into_owned());
            if l.primary() {
                LabeledSpan::new_primary_with_span(label, *l.inner())
            } else {
                LabeledSpan::new_with_span(label, *l.inner())
            }
        });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }
}

/// Renders standalone problems (such as rule file errors) as diagnostics.
pub(crate) fn write_problems<K: crate::error::ProblemKind>(
    problems: &[crate::error::Problem<K>],
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    let handler = handler(options);
    for p in problems {
        let mut buf = String::new();
        handler
            .render_report(&mut buf, &Visible::new(p))
            .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
        writeln!(out, "{buf}")?;
    }
    Ok(())
}

pub(crate) fn write(report: &Report, options: &Options, out: &mut dyn Write) -> io::Result<()> {
    let mut files = Files::new(report.rules, options);
    files.head(report, out)?;
    for file in &report.files {
        files.file(file, out)?;
    }
    tail(report, options, out)
}

/// Renders the files of a report one by one: what a run that writes each
/// file as soon as it is checked uses too.
pub(crate) struct Files<'a> {
    rules: &'a RuleSet,
    statistics: bool,
    show: Severity,
    handler: GraphicalReportHandler,
    buf: String,
}

impl<'a> Files<'a> {
    pub(crate) fn new(rules: &'a RuleSet, options: &Options) -> Self {
        Files {
            rules,
            statistics: options.statistics || options.brief,
            show: options.show,
            handler: handler(options),
            buf: String::new(),
        }
    }

    fn render(&mut self, d: &dyn Diagnostic, out: &mut dyn Write) -> io::Result<()> {
        self.buf.clear();
        self.handler
            .render_report(&mut self.buf, d)
            .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
        out.write_all(self.buf.as_bytes())?;
        writeln!(out)
    }

    /// The problems with rule files and the configuration, which come
    /// before every file.
    pub(crate) fn head(&mut self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Problems are shown through `Visible`; findings make their own
        // texts visible.
        for e in &report.rule_errors {
            self.render(&Visible::new(e), out)?;
        }
        self.problems(&report.config_problems, out)
    }

    /// Configuration problems, those below the threshold left out.
    pub(crate) fn problems(
        &mut self,
        problems: &[crate::error::ConfigError],
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let show = self.show;
        for e in problems.iter().filter(|e| e.kind.severity() >= show) {
            self.render(&Visible::new(e), out)?;
        }
        Ok(())
    }

    /// One file: its errors, then its warnings and findings in file order
    /// (errors only, with `--statistics`).
    pub(crate) fn file(&mut self, file: &FileReport, out: &mut dyn Write) -> io::Result<()> {
        for e in &file.errors {
            self.render(&Visible::new(e), out)?;
        }
        if self.statistics {
            return Ok(());
        }
        let show = self.show;
        let mut items: Vec<(usize, Item)> = file
            .warnings
            .iter()
            .filter(|w| w.kind.severity() >= show)
            .map(|w| {
                (
                    w.location.as_ref().map_or(0, |l| l.span.start),
                    Item::Warning(w),
                )
            })
            .chain(
                file.findings
                    .iter()
                    .filter(|f| f.severity >= show)
                    .map(|f| (f.span.start, Item::Finding(f))),
            )
            .collect();
        items.sort_by_key(|(at, _)| *at);
        for (_, item) in items {
            match item {
                Item::Warning(w) => self.render(&Visible::new(w), out)?,
                Item::Finding(f) => {
                    let d = FindingDiagnostic {
                        finding: f,
                        rule: &self.rules.rules[f.rule],
                        text: finding_text(f),
                    };
                    self.render(&d, out)?;
                }
            }
        }
        Ok(())
    }
}

/// What follows the files: the statistics table (with `--statistics`)
/// and the summary line.
pub(crate) fn tail(report: &Report, options: &Options, out: &mut dyn Write) -> io::Result<()> {
    if options.statistics {
        write_statistics(report, out)?;
    }
    if let Some(b) = &report.baseline_written {
        let earlier = match b.kept {
            0 => String::new(),
            n => format!(", {} kept from earlier runs", plural(n, "entry", "entries")),
        };
        let (path, entries) = (visible(&b.path), plural(b.entries, "entry", "entries"));
        writeln!(out, "storylint: wrote baseline {path}: {entries}{earlier}")?;
    }
    // The statistics table counts every severity itself.
    let show = if options.statistics {
        Severity::Info
    } else {
        options.show
    };
    if let Some(line) = fix_line(report, show).filter(|_| !options.brief) {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}{}", summary_line(report), hidden(report, show))
}

/// The close of `--diff` on stderr: what `--fix` would do, and the
/// problems of the run.
pub(crate) fn diff_tail(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(line) = fix_line(report, Severity::Info) {
        writeln!(out, "{line}")?;
    }
    let problems = problem_counts(report);
    let s = report.summary();
    if s.input_errors > 0 || !problems.is_empty() {
        writeln!(out, "{}", summary_line(report))?;
    }
    Ok(())
}

/// What fixing did or could do: `storylint: fixed 3 findings in 2 files;
/// 1 more fixable with --unsafe-fixes`, counting every finding (`--fix`
/// fixes hidden ones too). Without `--fix` or `--diff`, a hint about the
/// findings at or above `show`, those the report lists. `None` when there
/// is nothing to say.
pub(crate) fn fix_line(report: &Report, show: Severity) -> Option<String> {
    let s = report.summary();
    let findings = |n| plural(n, "finding", "findings");
    let count = |by_severity: &[usize; 3], from: Severity| -> usize {
        (from as usize..3).map(|i| by_severity[i]).sum()
    };
    let Some(run) = report.fix_run else {
        let (safe, unsafe_) = (count(&s.fixable[0], show), count(&s.fixable[1], show));
        return match (safe, unsafe_) {
            (0, 0) => None,
            (0, n) => Some(format!(
                "storylint: {} fixable with --fix --unsafe-fixes",
                findings(n)
            )),
            (n, 0) => Some(format!("storylint: {} fixable with --fix", findings(n))),
            (n, m) => Some(format!(
                "storylint: {} fixable with --fix; {m} more fixable with --unsafe-fixes",
                findings(n)
            )),
        };
    };
    let more = match count(&s.fixable[1], Severity::Info) {
        n if n > 0 && !run.unsafe_fixes => format!("; {n} more fixable with --unsafe-fixes"),
        _ => String::new(),
    };
    let files = plural(s.files_fixed, "file", "files");
    Some(match (run.applying, s.fixed) {
        (_, 0) => format!("storylint: nothing to fix{more}"),
        (true, n) => format!("storylint: fixed {} in {files}{more}", findings(n)),
        (false, n) => format!(
            "storylint: --fix{} would fix {} in {files}{more}",
            if run.unsafe_fixes {
                " --unsafe-fixes"
            } else {
                ""
            },
            findings(n)
        ),
    })
}

/// What the threshold hid: `; 46 info and 2 notes not shown (--show info)`.
fn hidden(report: &Report, show: Severity) -> String {
    let s = report.summary();
    let mut parts = Vec::new();
    if show > Severity::Warning && s.warnings > 0 {
        parts.push(plural(s.warnings, "warning", "warnings"));
    }
    if show > Severity::Info && s.infos > 0 {
        parts.push(plural(s.infos, "info", "info"));
    }
    let config_notes = report
        .config_problems
        .iter()
        .filter(|p| p.kind.severity() < Severity::Warning)
        .count();
    let notes = s.notes + config_notes;
    if show > Severity::Info && notes > 0 {
        parts.push(plural(notes, "note", "notes"));
    }
    match parts.len() {
        0 => String::new(),
        _ => format!("; {} not shown (--show info)", parts.join(" and ")),
    }
}

/// `--statistics`: findings per rule, most frequent first.
fn write_statistics(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let tallies = report.tallies();
    if tallies.is_empty() {
        return Ok(());
    }
    let width = tallies
        .iter()
        .map(|t| visible(&report.rules.rules[t.rule].id).chars().count())
        .max()
        .unwrap_or(4);
    writeln!(
        out,
        "{:>8} {:>6}  {:<8} {:<width$}  summary",
        "findings", "files", "severity", "rule"
    )?;
    for t in &tallies {
        let rule = &report.rules.rules[t.rule];
        writeln!(
            out,
            "{:>8} {:>6}  {:<8} {:<width$}  {}",
            t.findings,
            t.files,
            t.severity.as_str(),
            visible(&rule.id),
            visible(&rule.summary)
        )?;
    }
    writeln!(out)
}

enum Item<'a> {
    Warning(&'a crate::error::InputWarning),
    Finding(&'a Finding),
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The problems that are not about an input, each called what it is:
/// `; 1 rule file error; 1 API profile error; 1 report not written`.
fn problem_counts(report: &Report) -> String {
    use crate::error::{ConfigErrorKind, RuleErrorKind};
    let api = |k: &RuleErrorKind| {
        use RuleErrorKind::*;
        matches!(
            k,
            ApiUnreadable | ApiInvalidYaml | InvalidApi | DuplicateApiId
        )
    };
    let (apis, rules): (Vec<_>, Vec<_>) = report.rule_errors.iter().partition(|e| api(&e.kind));
    let config = report
        .config_problems
        .iter()
        .filter(|p| p.kind.severity() == crate::severity::Severity::Error);
    let (written, config): (Vec<_>, Vec<_>) = config.partition(|p| {
        matches!(
            p.kind,
            ConfigErrorKind::Output | ConfigErrorKind::OutputRefused
        )
    });
    let mut out = String::new();
    for (n, one, many) in [
        (rules.len(), "rule file error", "rule file errors"),
        (apis.len(), "API profile error", "API profile errors"),
        (config.len(), "configuration error", "configuration errors"),
        (written.len(), "file not written", "files not written"),
    ] {
        if n > 0 {
            out.push_str(&format!("; {}", plural(n, one, many)));
        }
    }
    out
}

/// `storylint: 2 errors, 1 warning, 0 info in 3 files (1 checked, 1 skipped: not a Tines export, 1 failed)`
pub(crate) fn summary_line(report: &Report) -> String {
    let s = report.summary();
    if s.files == 0 && s.config_errors > 0 {
        let problems = problem_counts(report);
        let problems = problems
            .strip_prefix("; ")
            .unwrap_or(&problems)
            .replace("; ", ", ");
        return format!("storylint: stopped before checking any file: {problems}");
    }
    if s.files == 0 && s.rule_errors == 0 {
        return "storylint: no JSON files found to check".into();
    }
    // Checked files can carry input errors too (a byte order mark).
    let flawed = s.flawed;
    let mut parts = vec![if flawed > 0 {
        format!(
            "{} checked ({flawed} despite {})",
            s.checked,
            if flawed == 1 {
                "an input error"
            } else {
                "input errors"
            }
        )
    } else {
        format!("{} checked", s.checked)
    }];
    if s.skipped > 0 {
        parts.push(format!("{} skipped: not a Tines export", s.skipped));
    }
    if s.failed > 0 {
        parts.push(format!("{} failed: could not be checked", s.failed));
    }
    let mut line = format!(
        "storylint: {}, {}, {} in {} ({})",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "info"),
        plural(s.files, "file", "files"),
        parts.join(", "),
    );
    if s.suppressed() > 0 {
        let mut by = Vec::new();
        for (n, what) in [
            (s.suppressed_directive, "by directives"),
            (s.suppressed_config, "by configuration"),
            (s.suppressed_baseline, "by the baseline"),
        ] {
            if n > 0 {
                by.push(format!("{n} {what}"));
            }
        }
        line.push_str(&format!(
            "; {} suppressed ({})",
            s.suppressed(),
            by.join(", ")
        ));
    }
    line.push_str(&problem_counts(report));
    line
}
