//! `--format json`: one document, `{"version": 1, "findings": [...],
//! "errors": [...], "warnings": [...], "summary": {...}}`.

use super::{Report, Streamed};
use crate::error::{Problem, ProblemKind};
use crate::finding::ActionInfo;
use crate::severity::Severity;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Document<'a, F> {
    version: u32,
    /// Written one by one as they are serialized (see [`Streamed`]).
    findings: F,
    errors: Vec<Issue<'a>>,
    warnings: Vec<Issue<'a>>,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    pointer: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    offset: usize,
    length: usize,
    action: Option<&'a ActionInfo>,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<&'a str>,
    /// The edit that fixes the finding: bytes `offset..offset + length`
    /// become `replacement` (as the file writes strings).
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<Fix<'a>>,
    fingerprint: &'a crate::finding::Fingerprint,
}

#[derive(Serialize)]
struct Fix<'a> {
    applicability: &'a str,
    offset: usize,
    length: usize,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Issue<'a> {
    file: &'a str,
    kind: &'a str,
    severity: &'a str,
    message: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    checked: usize,
    skipped: usize,
    failed: usize,
    findings: Counts,
    errors: usize,
    suppressed: Suppressed,
    fixes: Fixes,
    /// Findings per rule and severity, most frequent first.
    rules: Vec<RuleCount<'a>>,
}

/// Fixes applied by this run (`--fix`; with `--diff`, that would be), in
/// how many files, and the findings left with a fix of each kind.
#[derive(Serialize)]
struct Fixes {
    applied: usize,
    files: usize,
    fixable_safe: usize,
    fixable_unsafe: usize,
}

#[derive(Serialize)]
struct RuleCount<'a> {
    rule: &'a str,
    severity: &'static str,
    findings: usize,
    files: usize,
}

#[derive(Serialize)]
struct Suppressed {
    total: usize,
    directive: usize,
    config: usize,
    baseline: usize,
}

#[derive(Serialize)]
struct Counts {
    error: usize,
    warning: usize,
    info: usize,
}

fn issue<K: ProblemKind>(p: &Problem<K>) -> Issue<'_> {
    Issue {
        file: &p.file,
        kind: p.kind.code(),
        severity: match p.kind.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        },
        message: &p.message,
        line: p.location.as_ref().map(|l| l.start.line),
        column: p.location.as_ref().map(|l| l.start.column),
        offset: p.location.as_ref().map(|l| l.span.start),
        help: p.help.as_deref(),
    }
}

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let mut errors: Vec<Issue> = report.rule_errors.iter().map(issue).collect();
    let mut warnings = Vec::new();
    for p in &report.config_problems {
        if p.kind.severity() == Severity::Error {
            errors.push(issue(p));
        } else {
            warnings.push(issue(p));
        }
    }
    for file in &report.files {
        errors.extend(file.errors.iter().map(issue));
        warnings.extend(file.warnings.iter().map(issue));
    }
    let findings = Streamed(|| {
        report
            .files
            .iter()
            .flat_map(|file| &file.findings)
            .map(|f| {
                let rule = &report.rules.rules[f.rule];
                Finding {
                    rule: &rule.id,
                    severity: f.severity.as_str(),
                    message: &f.message,
                    file: &f.file,
                    pointer: f.pointer(),
                    line: f.start.line,
                    column: f.start.column,
                    end_line: f.end.line,
                    end_column: f.end.column,
                    offset: f.span.start,
                    length: f.span.end - f.span.start,
                    action: f.action.as_deref(),
                    help: rule.help.as_deref(),
                    suggestion: f.suggestion.as_deref(),
                    fix: f.fix.as_ref().map(|x| Fix {
                        applicability: x.applicability.as_str(),
                        offset: x.span.start,
                        length: x.span.len(),
                        replacement: &x.replacement,
                    }),
                    fingerprint: &f.fingerprint,
                }
            })
    });
    let doc = Document {
        version: 1,
        findings,
        errors,
        warnings,
        summary: Summary {
            files: s.files,
            checked: s.checked,
            skipped: s.skipped,
            failed: s.failed,
            findings: Counts {
                error: s.errors,
                warning: s.warnings,
                info: s.infos,
            },
            errors: s.input_errors + s.rule_errors + s.config_errors,
            suppressed: Suppressed {
                total: s.suppressed(),
                directive: s.suppressed_directive,
                config: s.suppressed_config,
                baseline: s.suppressed_baseline,
            },
            fixes: Fixes {
                applied: s.fixed,
                files: s.files_fixed,
                fixable_safe: s.fixable[0].iter().sum(),
                fixable_unsafe: s.fixable[1].iter().sum(),
            },
            rules: report
                .tallies()
                .into_iter()
                .map(|t| RuleCount {
                    rule: &report.rules.rules[t.rule].id,
                    severity: t.severity.as_str(),
                    findings: t.findings,
                    files: t.files,
                })
                .collect(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}
