//! `--fix`: the edits rules offer, applied to a file's text. An edit
//! replaces only the bytes of one string or key, so every other byte of the
//! file stays as it was. After each round of edits the text is parsed and
//! linted again in memory: an edit whose result does not parse, or whose
//! finding is still there, is taken back and reported. Rounds go on until
//! nothing changes (or [`MAX_ROUNDS`]), so a second `--fix` finds nothing.

pub(crate) mod diff;

use crate::error::{InputErrorKind, InputWarning, InputWarningKind};
use crate::finding::{FileReport, FileStatus, Finding};
use crate::rules::Applicability;
use std::ops::Range;

/// Rounds of edits before giving up on a file whose fixes keep changing it.
pub(crate) const MAX_ROUNDS: usize = 10;

/// The text of a file after its fixes, and its report.
pub(crate) struct Fixed {
    pub(crate) text: String,
    /// The report of `text`: what remains.
    pub(crate) report: FileReport,
    /// How many edits were applied.
    pub(crate) applied: usize,
}

/// One edit of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edit {
    rule: usize,
    span: Range<usize>,
    replacement: String,
}

/// Why an edit was taken back.
#[derive(Clone, Copy, Debug)]
enum Refused {
    DoesNotParse,
    FindingRemains,
}

/// Applies the fixes `first` (the report of `text`) offers, safe ones and,
/// with `unsafe_fixes`, unsafe ones; `lint` checks a text as the run does.
pub(crate) fn fix_text(
    text: &str,
    first: FileReport,
    unsafe_fixes: bool,
    lint: &dyn Fn(&str) -> FileReport,
) -> Fixed {
    let mut text = text.to_string();
    let mut report = first;
    let mut applied = 0;
    let mut refused: Vec<(Edit, Refused)> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let edits = candidates(&report.findings, unsafe_fixes, &refused);
        if edits.is_empty() {
            break;
        }
        // All at once; if that fails, one at a time (from the end, so the
        // spans before stay where they are) to find the edit at fault.
        let batch = match attempt(&text, &edits, lint) {
            Ok(done) => vec![(edits, done)],
            Err(_) => one_by_one(&mut text, edits, lint, &mut refused),
        };
        for (edits, (new_text, new_report)) in batch {
            shift(&mut refused, &edits);
            applied += edits.len();
            text = new_text;
            report = new_report;
        }
    }
    let notes: Vec<InputWarning> = refused
        .iter()
        .map(|(e, why)| warning(&report.file, &text, e, *why))
        .collect();
    report.warnings.extend(notes);
    Fixed {
        text,
        report,
        applied,
    }
}

/// Applies `edits` one at a time, keeping each that works; returns the
/// last state reached (or nothing if none worked) and notes the others.
fn one_by_one(
    text: &mut String,
    mut edits: Vec<Edit>,
    lint: &dyn Fn(&str) -> FileReport,
    refused: &mut Vec<(Edit, Refused)>,
) -> Vec<(Vec<Edit>, (String, FileReport))> {
    let mut done = Vec::new();
    edits.reverse();
    for edit in edits {
        let one = vec![edit];
        match attempt(text, &one, lint) {
            Ok((new_text, report)) => {
                text.clone_from(&new_text);
                done.push((one, (new_text, report)));
            }
            Err(why) => refused.extend(one.into_iter().map(|e| (e, why))),
        }
    }
    // Only the last state counts; every edit that worked is in it.
    let last = done.pop();
    let mut applied: Vec<Edit> = done.into_iter().flat_map(|(e, _)| e).collect();
    match last {
        Some((mut edits, state)) => {
            // Counted once, and shifted past as a whole: the edits were
            // applied from the end, so earlier ones are not moved by later.
            applied.append(&mut edits);
            applied.sort_by_key(|e| e.span.start);
            vec![(applied, state)]
        }
        None => Vec::new(),
    }
}

/// The edits to apply: the fixes of `findings` that may be applied, not
/// refused before, in order, none overlapping another.
fn candidates(findings: &[Finding], unsafe_fixes: bool, refused: &[(Edit, Refused)]) -> Vec<Edit> {
    let mut edits: Vec<(Edit, Option<&str>)> = findings
        .iter()
        .filter_map(|f| {
            let fix = f.fix.as_ref()?;
            let allowed = fix.applicability == Applicability::Safe || unsafe_fixes;
            let edit = Edit {
                rule: f.rule,
                span: fix.span.clone(),
                replacement: fix.replacement.clone(),
            };
            allowed.then_some((edit, fix.renames_in.as_deref()))
        })
        .filter(|(e, _)| !refused.iter().any(|(r, _)| r == e))
        .collect();
    edits.sort_by_key(|(e, _)| (e.span.start, e.span.end));
    let mut end = 0;
    // Two members of one object are never renamed to one name in a round;
    // the next round sees the first renamed and offers no second.
    let mut names = std::collections::HashSet::new();
    edits.retain(|(e, renames_in)| {
        let free = e.span.start >= end
            && renames_in.is_none_or(|o| names.insert((o, e.replacement.to_ascii_lowercase())));
        if free {
            end = e.span.end;
        }
        free
    });
    edits.into_iter().map(|(e, _)| e).collect()
}

/// `text` with `edits` (in order, not overlapping) applied.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Applies `edits` and checks the result: it parses as the same kind of
/// export, and no edit leaves its finding where it was.
fn attempt(
    text: &str,
    edits: &[Edit],
    lint: &dyn Fn(&str) -> FileReport,
) -> Result<(String, FileReport), Refused> {
    let new_text = apply(text, edits);
    let report = lint(&new_text);
    // A byte order mark is an error the file had before and still has.
    let broken = report
        .errors
        .iter()
        .any(|e| e.kind != InputErrorKind::ByteOrderMark);
    if report.status != FileStatus::Checked || broken {
        return Err(Refused::DoesNotParse);
    }
    let mut delta: isize = 0;
    for e in edits {
        let start = e.span.start.saturating_add_signed(delta);
        let end = start + e.replacement.len();
        delta += e.replacement.len() as isize - e.span.len() as isize;
        let remains = report
            .findings
            .iter()
            .any(|f| f.rule == e.rule && f.span.start < end.max(start + 1) && start < f.span.end);
        if remains {
            return Err(Refused::FindingRemains);
        }
    }
    Ok((new_text, report))
}

/// Moves the spans of refused edits past `applied` edits (in order); a
/// refused edit that an applied one overlaps is dropped: its text changed.
fn shift(refused: &mut Vec<(Edit, Refused)>, applied: &[Edit]) {
    refused.retain_mut(|(r, _)| {
        let mut delta: isize = 0;
        for a in applied {
            if a.span.end <= r.span.start {
                delta += a.replacement.len() as isize - a.span.len() as isize;
            } else if a.span.start < r.span.end {
                return false;
            }
        }
        r.span = r.span.start.saturating_add_signed(delta)..r.span.end.saturating_add_signed(delta);
        true
    });
}

/// The warning for a fix that was taken back. It names the place by line
/// and column rather than showing it, so no snippet can show a secret.
fn warning(file: &str, text: &str, edit: &Edit, why: Refused) -> InputWarning {
    let line = text[..edit.span.start.min(text.len())]
        .matches('\n')
        .count()
        + 1;
    let column = text[..edit.span.start.min(text.len())]
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    let why = match why {
        Refused::DoesNotParse => "the fixed file would not parse as an export",
        Refused::FindingRemains => "the finding would still be there",
    };
    InputWarning::new(
        InputWarningKind::FixNotApplied,
        file,
        format!("a fix at line {line}, column {column} was not applied: {why}"),
    )
    .with_help("fix this one by hand; the rule's help says how")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(span: Range<usize>, r: &str) -> Edit {
        Edit {
            rule: 0,
            span,
            replacement: r.into(),
        }
    }

    #[test]
    fn edits_replace_only_their_bytes() {
        let text = r#"{"a": "xx", "b": "yy"}"#;
        let out = apply(text, &[edit(7..9, "zzz"), edit(18..20, "")]);
        assert_eq!(out, r#"{"a": "zzz", "b": ""}"#);
    }

    #[test]
    fn refused_edits_move_with_the_text() {
        let mut refused = vec![
            (edit(10..12, "q"), Refused::FindingRemains),
            (edit(3..5, "q"), Refused::DoesNotParse),
        ];
        shift(&mut refused, &[edit(0..2, "abcd"), edit(4..6, "")]);
        // The first moved by +2 - 2; the second overlapped and went.
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0.span, 10..12);
    }
}
