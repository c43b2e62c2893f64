//! `check --fix` and `check --diff` for one input: lint it, apply the fixes
//! its findings offer (see [`crate::fix`]), and write the file back, keep
//! the fixed document of stdin for the report to print, or keep the diff.

use crate::discover::{Input, InputSource};
use crate::error::{InputError, InputErrorKind, io_message};
use crate::finding::FileReport;
use crate::fix::{self, diff};
use crate::lint::{self, LintOptions};
use crate::rules::RuleSet;
use crate::suppress::Suppressor;
use std::path::Path;

/// What to do with the fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Apply them (`--fix`).
    Fix,
    /// Show them as a diff (`--diff`).
    Diff,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Fixing {
    pub(super) mode: Mode,
    pub(super) unsafe_fixes: bool,
}

/// Lints `input` and fixes it as `fixing` says; the report is that of the
/// fixed text, with the number of fixes applied.
pub(super) fn lint_and_fix(
    input: &Input,
    rules: &RuleSet,
    options: &LintOptions,
    suppressor: &Suppressor,
    fixing: Fixing,
) -> FileReport {
    let stdin = input.source == InputSource::Stdin;
    let mut read = lint::ReadBuf::default();
    match lint::read_into(input, options, &mut read) {
        Ok(()) => {}
        Err(e) if stdin && fixing.mode == Mode::Fix => {
            return stdin_as_it_is(input, e, read.into_bytes());
        }
        Err(e) => return FileReport::new(&input.name).failed(e),
    }
    let bytes = read.into_bytes();
    let report = lint::lint_bytes_with(&input.name, &bytes, rules, options, suppressor);
    // A document that is not text cannot be fixed; stdin still gets it back.
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let mut report = report;
            if stdin && fixing.mode == Mode::Fix {
                report.fix_output = Some(e.into_bytes());
            }
            return report;
        }
    };
    let mut secret_lines = report.secret_lines.clone();
    let lint =
        |t: &str| lint::lint_bytes_with(&input.name, t.as_bytes(), rules, options, suppressor);
    let held = |findings: &[crate::finding::Finding]| suppressor.held(&input.name, findings);
    let fixed = fix::fix_text(&text, report, fixing.unsafe_fixes, &held, &lint);
    // Lines keep their numbers: a line with a secret before or after the
    // fixes is never shown.
    secret_lines.extend(&fixed.report.secret_lines);
    secret_lines.sort_unstable();
    secret_lines.dedup();
    let mut report = fixed.report;
    report.fixes_applied = fixed.applied;
    match (fixing.mode, &input.source) {
        (Mode::Diff, _) => {
            let d = diff::unified(&input.name, &text, &fixed.text, &secret_lines);
            report.fix_output = (!d.is_empty()).then(|| d.into_bytes());
        }
        (Mode::Fix, InputSource::Stdin) => report.fix_output = Some(fixed.text.into_bytes()),
        (Mode::Fix, InputSource::Path(path)) if fixed.applied > 0 => {
            if let Err(why) = write_back(path, &text, &fixed.text) {
                report.fixes_applied = 0;
                report.errors.push(not_written(&input.name, why));
            }
        }
        (Mode::Fix, InputSource::Path(_)) => {}
    }
    report
}

/// The report of stdin that could not be read whole (over the size
/// limit): what was read goes back out, and the rest after it, so that a
/// pipeline (`storylint check --fix - < a > b`) never loses the document.
fn stdin_as_it_is(input: &Input, error: InputError, head: Vec<u8>) -> FileReport {
    let mut report = FileReport::new(&input.name).failed(error);
    report.fix_output = Some(head);
    report.pass_stdin = true;
    report
}

fn not_written(name: &str, why: String) -> InputError {
    InputError::new(
        InputErrorKind::NotWritten,
        name,
        format!("fixed, but not written: {why}"),
    )
    .with_help("the file is as it was; the findings shown are those the fixes would leave")
}

/// Replaces the file at `path`, which held `old`, with `new`, through the
/// write path reports use (a temporary file renamed over it, its mode
/// kept). A file that changed since it was read is left alone.
fn write_back(path: &Path, old: &str, new: &str) -> Result<(), String> {
    // As an editor asks before writing over a read-only file, --fix leaves it.
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return Err("the file is read-only".into());
    }
    match std::fs::read(path) {
        Ok(now) if now == old.as_bytes() => {}
        Ok(_) => return Err("the file changed while it was checked".into()),
        Err(e) => return Err(io_message(&e)),
    }
    crate::paths::replace_file(path, |w| w.write_all(new.as_bytes())).map_err(|e| io_message(&e))
}
