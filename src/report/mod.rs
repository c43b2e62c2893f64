//! Stage 5: reporting. Every byte storylint prints goes through here: the
//! results of a run are gathered in a [`Report`], which knows the summary and
//! the exit code, and one module per format renders it.

pub mod apis;
pub mod catalog;
pub(crate) mod github;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod sarif;

use crate::error::{ConfigError, ConfigErrorKind, InputError, ProblemKind, RuleError};
use crate::finding::SuppressedBy;
use crate::finding::{FileReport, FileStatus};
use crate::rules::RuleSet;
use crate::severity::Severity;
use std::io::{self, Write};

/// A JSON array written straight from an iterator, made when it is
/// serialized: a report with a million findings never holds a second copy
/// of them.
pub(crate) struct Streamed<F>(pub(crate) F);

impl<F, I> serde::Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Graphical diagnostics with snippets, and a summary.
    Human,
    /// One JSON document (schema version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// JUnit XML, for CI systems that show test reports.
    Junit,
}

/// Process exit codes.
pub(crate) mod exit {
    /// Nothing at or above the `--fail-on` severity.
    pub(crate) const CLEAN: u8 = 0;
    /// Findings at or above the `--fail-on` severity.
    pub(crate) const FINDINGS: u8 = 1;
    /// Usage error, unreadable or invalid input, or invalid rule file.
    pub(crate) const ERROR: u8 = 2;
}

/// The results of a run.
pub(crate) struct Report<'r> {
    pub(crate) rules: &'r RuleSet,
    /// Per input, sorted by file name.
    pub(crate) files: Vec<FileReport>,
    /// What is left of the files whose findings were written as they were
    /// checked (see [`human::Files`]): enough for the summary, the
    /// statistics and the exit code.
    pub(crate) written: Vec<FileCounts>,
    /// Problems with rule files.
    pub(crate) rule_errors: Vec<RuleError>,
    /// Problems with the configuration or baseline (warnings among them
    /// do not fail the run).
    pub(crate) config_problems: Vec<ConfigError>,
    /// The severity from which a finding fails the run (`--fail-on`), for
    /// formats that say pass or fail per finding (JUnit).
    pub(crate) fail_on: Severity,
    /// The baseline this run wrote (`--write-baseline`), if it did.
    pub(crate) baseline_written: Option<BaselineWritten>,
    /// How this run fixed findings (`--fix`, `--diff`), if it did.
    pub(crate) fix_run: Option<FixRun>,
}

/// A run that fixes (`--fix`) or shows fixes (`--diff`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FixRun {
    /// `--fix` (else `--diff`).
    pub(crate) applying: bool,
    pub(crate) unsafe_fixes: bool,
}

/// What `--write-baseline` wrote.
#[derive(Debug)]
pub(crate) struct BaselineWritten {
    pub(crate) path: String,
    pub(crate) entries: usize,
    /// Entries kept from earlier runs (files not checked in this one, or
    /// rules that did not run).
    pub(crate) kept: usize,
}

/// Counts for the closing summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Summary {
    pub(crate) files: usize,
    pub(crate) checked: usize,
    pub(crate) skipped: usize,
    pub(crate) failed: usize,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) infos: usize,
    /// Notes about inputs (info severity).
    #[serde(skip)]
    pub(crate) notes: usize,
    pub(crate) input_errors: usize,
    pub(crate) rule_errors: usize,
    /// Configuration and baseline errors.
    pub(crate) config_errors: usize,
    /// Checked files that had input errors all the same (a byte order
    /// mark).
    pub(crate) flawed: usize,
    /// Findings set aside, by what set them aside.
    pub(crate) suppressed_directive: usize,
    pub(crate) suppressed_config: usize,
    pub(crate) suppressed_baseline: usize,
    /// Fixes applied, and the files they were applied to.
    #[serde(skip)]
    pub(crate) fixed: usize,
    #[serde(skip)]
    pub(crate) files_fixed: usize,
    /// Findings left with a fix, by applicability (safe, unsafe) and
    /// severity.
    #[serde(skip)]
    pub(crate) fixable: [[usize; 3]; 2],
}

/// Findings of one rule at one severity, across the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RuleTally {
    /// Index of the rule in the rule set.
    pub(crate) rule: usize,
    pub(crate) severity: Severity,
    pub(crate) findings: usize,
    /// Files with at least one of these findings.
    pub(crate) files: usize,
}

/// What the summary, the statistics and the exit code need of one file.
#[derive(Clone, Debug)]
pub(crate) struct FileCounts {
    status: FileStatus,
    /// Input errors.
    errors: usize,
    /// Findings by severity: info, warning, error.
    findings: [usize; 3],
    /// Findings set aside: by directive, configuration, baseline.
    suppressed: [usize; 3],
    /// Findings per rule and severity.
    rules: Vec<(usize, Severity, usize)>,
    /// Notes about the input below a warning (directive problems, stale
    /// baseline entries).
    notes: usize,
    /// Fixes applied (or, with `--diff`, that would be).
    fixed: usize,
    /// Findings left with a fix, by applicability (safe, unsafe) and
    /// severity.
    fixable: [[usize; 3]; 2],
}

impl FileCounts {
    pub(crate) fn of(file: &FileReport) -> Self {
        let mut c = FileCounts {
            status: file.status,
            errors: file.errors.len(),
            findings: [0; 3],
            suppressed: [0; 3],
            rules: Vec::new(),
            notes: file
                .warnings
                .iter()
                .filter(|w| w.kind.severity() < Severity::Warning)
                .count(),
            fixed: file.fixes_applied,
            fixable: [[0; 3]; 2],
        };
        // Left out by `--show`, still counted.
        for (n, hidden) in c.findings.iter_mut().zip(file.hidden) {
            *n += hidden;
        }
        for x in &file.suppressed {
            c.suppressed[match x.by {
                SuppressedBy::Directive => 0,
                SuppressedBy::Config => 1,
                SuppressedBy::Baseline => 2,
            }] += 1;
        }
        for f in &file.findings {
            c.findings[f.severity as usize] += 1;
            if let Some(fix) = &f.fix {
                c.fixable[fix.applicability as usize][f.severity as usize] += 1;
            }
            match c
                .rules
                .iter_mut()
                .find(|(r, s, _)| *r == f.rule && *s == f.severity)
            {
                Some((_, _, n)) => *n += 1,
                None => c.rules.push((f.rule, f.severity, 1)),
            }
        }
        c
    }
}

/// Writes a document the run made (the fixed text of stdin, a diff) as
/// it is, followed by whatever `rest` still holds.
pub(crate) fn write_document(
    bytes: &[u8],
    rest: Option<&mut dyn std::io::Read>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(bytes)?;
    if let Some(rest) = rest {
        std::io::copy(rest, out)?;
    }
    out.flush()
}

impl Summary {
    pub(crate) fn suppressed(&self) -> usize {
        self.suppressed_directive + self.suppressed_config + self.suppressed_baseline
    }
}

impl<'r> Report<'r> {
    /// Builds a report; discovery problems become failed entries so they are
    /// listed in file order with everything else.
    pub(crate) fn new(
        rules: &'r RuleSet,
        mut files: Vec<FileReport>,
        discovery_errors: Vec<InputError>,
        rule_errors: Vec<RuleError>,
        config_problems: Vec<ConfigError>,
    ) -> Self {
        for e in discovery_errors {
            files.push(FileReport::new(&e.file.clone()).failed(e));
        }
        files.sort_by(|a, b| a.file.cmp(&b.file));
        Report {
            rules,
            files,
            written: Vec::new(),
            rule_errors,
            config_problems,
            fail_on: Severity::Error,
            baseline_written: None,
            fix_run: None,
        }
    }

    /// What each file contributes to the summary: those still held, and
    /// those written already and dropped.
    fn counts(&self) -> impl Iterator<Item = std::borrow::Cow<'_, FileCounts>> {
        self.files
            .iter()
            .map(|f| std::borrow::Cow::Owned(FileCounts::of(f)))
            .chain(self.written.iter().map(std::borrow::Cow::Borrowed))
    }

    /// Findings per rule and severity, most frequent first (then by rule
    /// id): what an audit of many files wants to see first.
    pub(crate) fn tallies(&self) -> Vec<RuleTally> {
        let mut tallies: Vec<RuleTally> = Vec::new();
        for file in self.counts() {
            for &(rule, severity, n) in &file.rules {
                match tallies
                    .iter_mut()
                    .find(|t| t.rule == rule && t.severity == severity)
                {
                    Some(t) => {
                        t.findings += n;
                        t.files += 1;
                    }
                    None => tallies.push(RuleTally {
                        rule,
                        severity,
                        findings: n,
                        files: 1,
                    }),
                }
            }
        }
        tallies.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then_with(|| {
                    self.rules.rules[a.rule]
                        .id
                        .cmp(&self.rules.rules[b.rule].id)
                })
                .then_with(|| b.severity.cmp(&a.severity))
        });
        tallies
    }

    pub(crate) fn summary(&self) -> Summary {
        let mut s = Summary {
            rule_errors: self.rule_errors.len(),
            config_errors: self
                .config_problems
                .iter()
                .filter(|p| p.kind.severity() == Severity::Error)
                .count(),
            ..Summary::default()
        };
        for f in self.counts() {
            s.files += 1;
            match f.status {
                FileStatus::Checked => s.checked += 1,
                FileStatus::Skipped => s.skipped += 1,
                FileStatus::Failed => s.failed += 1,
            }
            if f.status == FileStatus::Checked && f.errors > 0 {
                s.flawed += 1;
            }
            s.input_errors += f.errors;
            s.suppressed_directive += f.suppressed[0];
            s.suppressed_config += f.suppressed[1];
            s.suppressed_baseline += f.suppressed[2];
            s.infos += f.findings[0];
            s.notes += f.notes;
            s.warnings += f.findings[1];
            s.errors += f.findings[2];
            s.fixed += f.fixed;
            s.files_fixed += usize::from(f.fixed > 0);
            for (total, file) in s
                .fixable
                .iter_mut()
                .flatten()
                .zip(f.fixable.iter().flatten())
            {
                *total += file;
            }
        }
        s
    }

    /// 2 if any input or rule file was bad, else 1 if a finding is at or
    /// above `fail_on`, else 0. The format never changes it.
    pub(crate) fn exit_code(&self, fail_on: Severity) -> u8 {
        let s = self.summary();
        let at_or_above = [
            (Severity::Info, s.infos),
            (Severity::Warning, s.warnings),
            (Severity::Error, s.errors),
        ]
        .iter()
        .any(|(severity, n)| *severity >= fail_on && *n > 0);
        if s.input_errors > 0 || s.rule_errors > 0 || s.config_errors > 0 {
            exit::ERROR
        } else if at_or_above {
            exit::FINDINGS
        } else {
            exit::CLEAN
        }
    }

    /// Renders the report in `format`.
    pub(crate) fn write(
        &self,
        format: Format,
        human: &human::Options,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        match format {
            Format::Human => human::write(self, human, out),
            Format::Json => json::write(self, out),
            Format::Sarif => sarif::write(self, out),
            Format::Github => github::write(self, out),
            Format::Junit => junit::write(self, out),
        }
    }
}

impl Report<'_> {
    /// Writes the report in `format` to a file, replacing it atomically
    /// (see [`replace_file`]).
    pub(crate) fn write_to_file(
        &self,
        format: Format,
        human: &human::Options,
        path: &std::path::Path,
    ) -> Result<(), ConfigError> {
        crate::paths::replace_file(path, |w| self.write(format, human, w)).map_err(|e| {
            ConfigError::new(
                ConfigErrorKind::Output,
                &path.display().to_string(),
                format!("cannot write report: {}", crate::error::io_message(&e)),
            )
        })
    }
}

/// The directory storylint runs in, in each form a path under it may be
/// written in, for consumers that resolve paths against it (GitHub
/// annotations, SARIF). Made once per report.
#[derive(Clone, Debug, Default)]
pub(crate) struct Workspace {
    /// `getcwd()`, its real path, and `$PWD` when that names the same
    /// directory (the shell's path to it, through links): with `/`
    /// separators and no trailing `/`.
    forms: Vec<String>,
}

impl Workspace {
    /// The current directory.
    pub(crate) fn current() -> Self {
        Workspace::new(
            std::env::current_dir().ok(),
            std::env::var_os("PWD").map(std::path::PathBuf::from),
        )
    }

    /// The directory `cwd` (as `getcwd()` gives it), also known as `pwd`
    /// if that is an absolute path to the same directory.
    pub(crate) fn new(cwd: Option<std::path::PathBuf>, pwd: Option<std::path::PathBuf>) -> Self {
        let real = cwd.as_ref().and_then(|d| d.canonicalize().ok());
        let pwd = pwd.filter(|p| {
            p.is_absolute() && real.is_some() && p.canonicalize().ok().as_ref() == real.as_ref()
        });
        let mut forms: Vec<String> = Vec::new();
        for dir in [cwd, real, pwd].into_iter().flatten() {
            if let Some(d) = dir.to_str() {
                let d = crate::paths::slashed(d).trim_end_matches('/').to_string();
                if !forms.contains(&d) {
                    forms.push(d);
                }
            }
        }
        Workspace { forms }
    }

    /// `file` relative to the workspace when it is under it: separators
    /// are `/`, and a leading `./` is dropped. An absolute path is tried as
    /// it is written and then with its directory's links resolved (the
    /// file's own name kept), against each form of the workspace. Any
    /// other path (relative already, or absolute outside the workspace) is
    /// returned otherwise unchanged.
    pub(crate) fn relative(&self, file: &str) -> String {
        let mut path = if cfg!(windows) {
            file.replace('\\', "/")
        } else {
            file.to_string()
        };
        if is_absolute(&path) {
            let under = self.under(&path).or_else(|| {
                let written = std::path::Path::new(file);
                let dir = written.parent()?.canonicalize().ok()?;
                let real = dir.join(written.file_name()?);
                self.under(&crate::paths::slashed(real.to_str()?))
            });
            match under {
                Some(rel) => path = rel,
                None => return path,
            }
        }
        while let Some(rest) = path.strip_prefix("./") {
            path = rest.trim_start_matches('/').to_string();
        }
        path
    }

    /// `path` (absolute, with `/`) relative to the first form of the
    /// workspace it lies under.
    fn under(&self, path: &str) -> Option<String> {
        self.forms.iter().find_map(|d| {
            path.strip_prefix(d.as_str())?
                .strip_prefix('/')
                .map(str::to_string)
        })
    }
}

/// Whether `path` (with `/` separators) is absolute: `/x`, or `C:/x` on
/// Windows.
pub(crate) fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || (cfg!(windows)
            && b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && b[2] == b'/')
}

/// Prints a command-line parsing error (or `--help` / `--version`) and
/// returns the exit code: 2 for usage errors, 0 for help and version.
pub(crate) fn usage_error(e: &clap::Error) -> u8 {
    let _ = e.print();
    if e.use_stderr() {
        exit::ERROR
    } else {
        exit::CLEAN
    }
}

/// Says that a rule id is unknown, suggesting the closest known one.
pub(crate) fn unknown_rule(id: &str, known: &[&str]) -> io::Result<()> {
    let mut err = io::stderr().lock();
    write!(
        err,
        "storylint: unknown rule `{}`",
        crate::escape::visible(id)
    )?;
    if let Some(best) = crate::suggest::closest(id, known) {
        write!(err, "; did you mean `{best}`?")?;
    }
    writeln!(err, " (`storylint rules` lists them)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_current_directory_become_relative() {
        let cwd = std::env::current_dir().unwrap();
        let ws = Workspace::current();
        let inside = cwd.join("sub").join("x.json");
        assert_eq!(ws.relative(inside.to_str().unwrap()), "sub/x.json");
        assert_eq!(ws.relative("./a/b.json"), "a/b.json");
        assert_eq!(ws.relative("././a.json"), "a.json");
        assert_eq!(ws.relative("a/./b.json"), "a/./b.json");
        assert_eq!(ws.relative("../up.json"), "../up.json");
        assert_eq!(
            ws.relative("/nowhere-storylint/a.json"),
            "/nowhere-storylint/a.json"
        );
        // A sibling whose name starts with the directory's is not under it.
        let sibling = format!("{}-other/x.json", cwd.display());
        assert_eq!(ws.relative(&sibling), sibling);
    }

    #[cfg(unix)]
    #[test]
    fn paths_through_linked_directories_become_relative() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("real/stories")).unwrap();
        std::fs::create_dir_all(root.join("elsewhere")).unwrap();
        std::os::unix::fs::symlink("real", root.join("logical")).unwrap();
        std::os::unix::fs::symlink("../elsewhere", root.join("real/out")).unwrap();
        std::os::unix::fs::symlink("stories/a.json", root.join("real/link.json")).unwrap();
        let real = root.join("real");
        let logical = root.join("logical");
        let s = |p: std::path::PathBuf| p.to_str().unwrap().to_string();
        // Run in real/ (what getcwd() says), from a shell that went
        // through the link ($PWD).
        let ws = Workspace::new(Some(real.clone()), Some(logical.clone()));
        assert_eq!(
            ws.relative(&s(logical.join("stories/a.json"))),
            "stories/a.json"
        );
        assert_eq!(
            ws.relative(&s(real.join("stories/a.json"))),
            "stories/a.json"
        );
        // Without $PWD, or with one naming another directory, the file's
        // own directory is resolved.
        for pwd in [None, Some(root.join("elsewhere")), Some("relative".into())] {
            let ws = Workspace::new(Some(real.clone()), pwd);
            assert_eq!(
                ws.relative(&s(logical.join("stories/a.json"))),
                "stories/a.json"
            );
            assert_eq!(
                ws.relative(&s(logical.join("stories/gone.json"))),
                "stories/gone.json"
            );
        }
        // A linked file keeps its own name; a path that leads out of the
        // workspace stays absolute.
        let ws = Workspace::new(Some(real.clone()), None);
        assert_eq!(ws.relative(&s(logical.join("link.json"))), "link.json");
        let out = s(logical.join("out/x.json"));
        assert_eq!(ws.relative(&out), out);
        // A $PWD that names another directory is never used.
        let ws = Workspace::new(Some(real.clone()), Some(root.join("elsewhere")));
        let other = s(root.join("elsewhere/x.json"));
        assert_eq!(ws.relative(&other), other);
    }
}
