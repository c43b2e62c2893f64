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

/// One edit of the text, for the finding at `finding`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edit {
    rule: usize,
    span: Range<usize>,
    replacement: String,
    /// The finding's span, which holds the edit (or touches it, for text
    /// inserted before or after it).
    finding: Range<usize>,
}

/// Why an edit was taken back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refused {
    DoesNotParse,
    FindingRemains,
    /// The line it changes holds a secret once it is applied (a key renamed
    /// to `Authorization` makes its value one): a diff would show it.
    ShowsSecret,
}

/// How a round of edits failed.
enum Failure {
    /// The result does not parse: which edit is at fault is not known.
    DoesNotParse,
    /// These edits (by index) are at fault, the rest are fine.
    Edits(Vec<(usize, Refused)>),
}

/// Applies the fixes `first` (the report of `text`) offers, safe ones and,
/// with `unsafe_fixes`, unsafe ones, except on the findings `keep` marks
/// (those a baseline accepts); `lint` checks a text as the run does.
pub(crate) fn fix_text(
    text: &str,
    first: FileReport,
    unsafe_fixes: bool,
    keep: &dyn Fn(&[Finding]) -> Vec<bool>,
    lint: &dyn Fn(&str) -> FileReport,
) -> Fixed {
    let mut text = text.to_string();
    let mut report = first;
    let mut applied = 0;
    let mut refused: Vec<(Edit, Refused)> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let edits = candidates(&report.findings, unsafe_fixes, keep, &refused);
        let Some((edits, new_text, new_report)) = round(&text, edits, lint, &mut refused) else {
            break;
        };
        shift(&mut refused, &edits);
        applied += edits.len();
        text = new_text;
        report = new_report;
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

/// One round: `edits` applied together, less those at fault, which are
/// noted in `refused`; `None` when none can be applied. An edit whose own
/// finding remains is known at once; one that breaks the file, or one of
/// several on a line that comes to hold a secret, is found by halving.
fn round(
    text: &str,
    mut edits: Vec<Edit>,
    lint: &dyn Fn(&str) -> FileReport,
    refused: &mut Vec<(Edit, Refused)>,
) -> Option<(Vec<Edit>, String, FileReport)> {
    loop {
        if edits.is_empty() {
            return None;
        }
        let failure = match attempt(text, &edits, lint) {
            Ok((new_text, report)) => return Some((edits, new_text, report)),
            Err(failure) => failure,
        };
        match failure {
            Failure::Edits(bad)
                if bad.len() == 1 || bad.iter().all(|(_, w)| *w == Refused::FindingRemains) =>
            {
                // From the last, so that the indices before stay right.
                for &(i, why) in bad.iter().rev() {
                    refused.push((edits.remove(i), why));
                }
            }
            Failure::Edits(bad) if edits.len() == 1 => {
                refused.push((edits.remove(0), bad[0].1));
                return None;
            }
            Failure::DoesNotParse if edits.len() == 1 => {
                refused.push((edits.remove(0), Refused::DoesNotParse));
                return None;
            }
            _ => return halves(text, edits, lint, refused),
        }
    }
}

/// [`round`] for each half of `edits` in turn: the first half, then the
/// second moved past what the first applied. Edits come back (applied, or
/// in `refused`) as they were given.
fn halves(
    text: &str,
    mut edits: Vec<Edit>,
    lint: &dyn Fn(&str) -> FileReport,
    refused: &mut Vec<(Edit, Refused)>,
) -> Option<(Vec<Edit>, String, FileReport)> {
    let second = edits.split_off(edits.len() / 2);
    let (applied, base) = match round(text, edits, lint, refused) {
        Some((applied, t, r)) => (applied, Some((t, r))),
        None => (Vec::new(), None),
    };
    let grown: isize = applied
        .iter()
        .map(|a| a.replacement.len() as isize - a.span.len() as isize)
        .sum();
    let moved: Vec<Edit> = second.iter().map(|e| moved_by(e, grown)).collect();
    let back = |m: &Edit| moved.iter().position(|x| x == m).map(|i| second[i].clone());
    let mut local = Vec::new();
    let base_text = base.as_ref().map_or(text, |(t, _)| t.as_str());
    let rest = round(base_text, moved.clone(), lint, &mut local);
    refused.extend(
        local
            .iter()
            .filter_map(|(e, why)| back(e).map(|e| (e, *why))),
    );
    match rest {
        Some((more, t, r)) => {
            let applied = applied.into_iter().chain(more.iter().filter_map(back));
            Some((applied.collect(), t, r))
        }
        None => base.map(|(t, r)| (applied, t, r)),
    }
}

/// `e` with its spans moved by `by` bytes.
fn moved_by(e: &Edit, by: isize) -> Edit {
    let moved =
        |x: &Range<usize>| x.start.saturating_add_signed(by)..x.end.saturating_add_signed(by);
    Edit {
        span: moved(&e.span),
        finding: moved(&e.finding),
        ..e.clone()
    }
}

/// The edits to apply: the fixes of `findings` that may be applied, not
/// refused before, in order, none overlapping another.
fn candidates(
    findings: &[Finding],
    unsafe_fixes: bool,
    keep: &dyn Fn(&[Finding]) -> Vec<bool>,
    refused: &[(Edit, Refused)],
) -> Vec<Edit> {
    let kept = keep(findings);
    let mut edits: Vec<(Edit, Option<&str>)> = findings
        .iter()
        .zip(kept)
        .filter(|(_, kept)| !kept)
        .filter_map(|(f, _)| {
            let fix = f.fix.as_ref()?;
            let allowed = fix.applicability == Applicability::Safe || unsafe_fixes;
            let edit = Edit {
                rule: f.rule,
                span: fix.span.clone(),
                replacement: fix.replacement.clone(),
                finding: f.span.clone(),
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
        // Neither the edit nor its finding overlaps the last one kept.
        let free = e.span.start.min(e.finding.start) >= end
            && renames_in.is_none_or(|o| names.insert((o, e.replacement.to_ascii_lowercase())));
        if free {
            end = e.span.end.max(e.finding.end);
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
/// export, no edit leaves its finding where it was, and no changed line
/// holds a secret.
fn attempt(
    text: &str,
    edits: &[Edit],
    lint: &dyn Fn(&str) -> FileReport,
) -> Result<(String, FileReport), Failure> {
    let new_text = apply(text, edits);
    let report = lint(&new_text);
    // A byte order mark is an error the file had before and still has.
    let broken = report
        .errors
        .iter()
        .any(|e| e.kind != InputErrorKind::ByteOrderMark);
    if report.status != FileStatus::Checked || broken {
        return Err(Failure::DoesNotParse);
    }
    let mut bad = Vec::new();
    let mut delta: isize = 0;
    let (mut line, mut counted) = (0, 0);
    for (i, e) in edits.iter().enumerate() {
        let grown = e.replacement.len() as isize - e.span.len() as isize;
        // Where the finding's bytes are now.
        let start = e
            .finding
            .start
            .min(e.span.start)
            .saturating_add_signed(delta);
        let end = (e.finding.end.max(e.span.end)).saturating_add_signed(delta + grown);
        delta += grown;
        let remains = report
            .findings
            .iter()
            .any(|f| f.rule == e.rule && f.span.start < end.max(start + 1) && start < f.span.end);
        // Edits are in order: count line breaks only since the last one.
        let upto = start.min(new_text.len()).max(counted);
        line += memchr::memchr_iter(b'\n', &new_text.as_bytes()[counted..upto]).count();
        counted = upto;
        if remains {
            bad.push((i, Refused::FindingRemains));
        } else if report.secret_lines.binary_search(&line).is_ok() {
            bad.push((i, Refused::ShowsSecret));
        }
    }
    if bad.is_empty() {
        Ok((new_text, report))
    } else {
        Err(Failure::Edits(bad))
    }
}

/// Moves the spans of refused edits past `applied` edits (in order); a
/// refused edit that an applied one overlaps is dropped: its text changed.
fn shift(refused: &mut Vec<(Edit, Refused)>, applied: &[Edit]) {
    refused.retain_mut(|(r, _)| {
        let mut delta: isize = 0;
        for a in applied {
            if a.span.end <= r.span.start && a.span.end <= r.finding.start {
                delta += a.replacement.len() as isize - a.span.len() as isize;
            } else if a.span.start < r.span.end.max(r.finding.end) {
                return false;
            }
        }
        let moved = |x: &Range<usize>| {
            x.start.saturating_add_signed(delta)..x.end.saturating_add_signed(delta)
        };
        r.span = moved(&r.span);
        r.finding = moved(&r.finding);
        true
    });
}

/// The warning for a fix that was taken back. It names the place by line
/// and column rather than showing it, so no snippet can show a secret.
fn warning(file: &str, text: &str, edit: &Edit, why: Refused) -> InputWarning {
    let before = &text[..edit.span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    let why = match why {
        Refused::DoesNotParse => "the fixed file would not parse as an export",
        Refused::FindingRemains => "the finding would still be there",
        Refused::ShowsSecret => "the fixed line would hold a secret, which a diff would show",
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
            finding: span.clone(),
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

    /// The report of `text` with the built-in rules, counting the calls.
    fn linter<'a>(
        rules: &'a crate::rules::RuleSet,
        calls: &'a std::cell::Cell<usize>,
    ) -> impl Fn(&str) -> FileReport + 'a {
        move |t: &str| {
            calls.set(calls.get() + 1);
            crate::lint::lint_bytes("f.json", t.as_bytes().to_vec(), rules)
        }
    }

    #[test]
    fn a_refused_fix_among_many_costs_one_more_check_not_one_per_fix() {
        let (rules, _) = crate::rules::RuleSet::builtin();
        let mut actions: Vec<String> = (0..60)
            .map(|i| format!(r#"{{"type": "Agents::HTTPRequestAgent", "name": "a{i}", "options": {{"headers": {{"X": "<<CREDENTIALS.tok{i}>>"}}}}}}"#))
            .collect();
        // Its fix (`CREDENTIAL.abc`) leaves the finding: always refused.
        actions.push(r#"{"type": "Agents::HTTPRequestAgent", "name": "bad", "options": {"headers": {"X": "<<CREDENTIALS.abc.x-y>>"}}}"#.into());
        let text = format!("{{\"agents\": [{}]}}", actions.join(",\n"));
        let calls = std::cell::Cell::new(0);
        let lint = linter(&rules, &calls);
        let fixed = fix_text(
            &text,
            lint(&text),
            false,
            &|f: &[Finding]| vec![false; f.len()],
            &lint,
        );
        assert_eq!(fixed.applied, 60);
        assert_eq!(
            fixed.report.warnings.len(),
            1,
            "{:?}",
            fixed.report.warnings
        );
        // The first check, one round that finds the bad edit, one without
        // it, and one that finds nothing more to do.
        assert!(calls.get() <= 4, "{} checks", calls.get());
    }

    #[test]
    fn a_fix_refused_for_a_secret_leaves_the_others_on_its_line() {
        let (rules, _) = crate::rules::RuleSet::builtin();
        // One line: renamed, the first header's value is a literal Basic
        // credential; the misspelt option of the second action is not.
        let text = r#"{"agents": [{"type": "Agents::HTTPRequestAgent", "name": "a", "options": {"url": "https://api.example.com/x", "headers": {"Autorization": "Basic YWRtaW46aHVudGVyMjAyNSFTZWNyZXQ="}}}, {"type": "Agents::HTTPRequestAgent", "name": "b", "options": {"url": "https://api.example.com/y", "headres": {}}}]}"#;
        let calls = std::cell::Cell::new(0);
        let lint = linter(&rules, &calls);
        let none = |f: &[Finding]| vec![false; f.len()];
        let fixed = fix_text(text, lint(text), false, &none, &lint);
        assert_eq!(fixed.applied, 1);
        assert!(fixed.text.contains(r#""headers": {}"#) && fixed.text.contains("Autorization"));
        let [w] = &fixed.report.warnings[..] else {
            panic!("{:?}", fixed.report.warnings);
        };
        assert!(w.message.contains("would hold a secret"), "{}", w.message);
    }
}
