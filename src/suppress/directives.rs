//! `storylint: ignore[rule-id] reason` lines in an action's description.
//! They live in Tines, so they survive re-exporting; they are read while
//! the file's document is open, and each one that suppresses nothing, or
//! names no rule, gets a located note.

use super::{FileContext, Suppressed, SuppressedBy};
use crate::error::{InputWarning, InputWarningKind};
use crate::export::Action;
use crate::finding::Finding;
use crate::parse::Document;
use crate::rules::RuleSet;
use std::ops::Range;

/// One `storylint:` line of a description, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Directive {
    /// `storylint: ignore[rule-a, rule-b] reason`.
    Ignore {
        /// The line, as a byte range of the description.
        span: Range<usize>,
        /// Rule ids with their byte ranges in the description.
        rules: Vec<(String, Range<usize>)>,
        reason: String,
    },
    /// A `storylint:` line that is not a valid directive.
    Malformed { span: Range<usize>, why: String },
}

/// The directives in an action's description. A directive is a line whose
/// text, after leading whitespace, starts with `storylint:`.
pub(crate) fn parse_directives(description: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw_line in description.split_inclusive('\n') {
        let start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start().len();
        let body = &line[indent..];
        let Some(rest) = strip_prefix_ignore_case(body, "storylint:") else {
            continue;
        };
        let span = start + indent..start + line.trim_end().len();
        let rest_at = start + indent + "storylint:".len();
        let trimmed = rest.trim_start();
        let at = rest_at + (rest.len() - trimmed.len());
        let Some(after) = strip_prefix_ignore_case(trimmed, "ignore") else {
            out.push(Directive::Malformed {
                span,
                why: "the only directive is `ignore[rule-id, ...] reason`".into(),
            });
            continue;
        };
        let gap = after.len() - after.trim_start().len();
        let Some(list) = after.trim_start().strip_prefix('[') else {
            out.push(Directive::Malformed {
                span,
                why: "name the rules in brackets: `ignore[rule-id] reason`".into(),
            });
            continue;
        };
        let list_at = at + "ignore".len() + gap + 1;
        let Some(close) = list.find(']') else {
            out.push(Directive::Malformed {
                span,
                why: "the rule list has no closing `]`".into(),
            });
            continue;
        };
        let mut rules = Vec::new();
        let mut pos = 0;
        for part in list[..close].split(',') {
            let lead = part.len() - part.trim_start().len();
            let id = part.trim();
            if !id.is_empty() {
                let s = list_at + pos + lead;
                rules.push((id.to_string(), s..s + id.len()));
            }
            pos += part.len() + 1;
        }
        let reason = list[close + 1..]
            .trim()
            .trim_start_matches(['-', ':', '—', '–'])
            .trim();
        if rules.is_empty() {
            out.push(Directive::Malformed {
                span,
                why: "the rule list is empty".into(),
            });
        } else if reason.is_empty() {
            out.push(Directive::Malformed {
                span,
                why: "a reason is required after the rule list".into(),
            });
        } else {
            out.push(Directive::Ignore {
                span,
                rules,
                reason: reason.to_string(),
            });
        }
    }
    out
}

/// Sets aside the findings of `placed` (each with the index of its action)
/// that a directive of their action names, and adds a note for each
/// directive that is malformed, names an unknown rule or suppresses nothing.
pub(super) fn apply(
    placed: Vec<(usize, Finding)>,
    file: &FileContext,
    rules: &RuleSet,
    report: &mut crate::finding::FileReport,
) {
    let mut directives = ActionDirectives::read(file.doc, file.actions);
    if directives.entries.is_empty() && report.findings.is_empty() {
        // The common case: the findings move in without being copied.
        report.findings = placed.into_iter().map(|(_, f)| f).collect();
        return;
    }
    report.findings.reserve(placed.len());
    for (action, finding) in placed {
        match directives.claim(action, &rules.rules[finding.rule].id) {
            Some(reason) => report.suppressed.push(Suppressed {
                finding,
                by: SuppressedBy::Directive,
                reason: reason.into(),
            }),
            None => report.findings.push(finding),
        }
    }
    directives.notes(file, rules, &mut report.warnings);
}

/// The ignore directives of the actions of one file, and which of them
/// have suppressed something.
#[derive(Default)]
struct ActionDirectives {
    /// (action index, description node, directive, used).
    entries: Vec<(usize, u32, Directive, bool)>,
}

impl ActionDirectives {
    fn read(doc: &Document, actions: &[Action]) -> Self {
        let mut entries = Vec::new();
        for (ai, action) in actions.iter().enumerate() {
            let Some(node) = action.description else {
                continue;
            };
            let Some(text) = doc.str_value(node) else {
                continue;
            };
            if !text.to_ascii_lowercase().contains("storylint") {
                continue;
            }
            for d in parse_directives(&text) {
                entries.push((ai, node, d, false));
            }
        }
        ActionDirectives { entries }
    }

    /// The reason of a directive of `action` that names `rule`, marking it
    /// used.
    fn claim(&mut self, action: usize, rule: &str) -> Option<String> {
        self.entries
            .iter_mut()
            .find_map(|(ai, _, d, used)| match d {
                Directive::Ignore { rules, reason, .. }
                    if *ai == action && rules.iter().any(|(id, _)| id == rule) =>
                {
                    *used = true;
                    Some(reason.clone())
                }
                _ => None,
            })
    }

    /// Notes for malformed directives, unknown rule ids, and directives
    /// that suppressed nothing.
    fn notes(&self, file: &FileContext, rules: &RuleSet, out: &mut Vec<InputWarning>) {
        for (_, node, d, used) in &self.entries {
            let Some(decoded) = file.doc.string(*node) else {
                continue;
            };
            let at = |r: &Range<usize>| decoded.map.to_source(r.clone());
            let note = |kind, message: String, help: String, span: &Range<usize>| {
                InputWarning::new(kind, file.shown.source.name, message)
                    .with_help(help)
                    .at_shown(file.shown, at(span))
            };
            match d {
                Directive::Malformed { span, why } => out.push(note(
                    InputWarningKind::MalformedIgnore,
                    format!("malformed storylint directive: {why}"),
                    "write `storylint: ignore[rule-id, other-rule] reason` on its own line of the action's description".into(),
                    span,
                )),
                Directive::Ignore { span, rules: named, .. } => {
                    let known = unknown_rule_notes(named, rules, &note, out);
                    // A directive for rules that are all turned off has
                    // nothing to suppress, and that is not its fault.
                    if known > 0 && !used {
                        out.push(note(
                            InputWarningKind::UnusedIgnore,
                            "storylint directive suppresses nothing in this action".into(),
                            "remove it if the finding it was written for is fixed".into(),
                            span,
                        ));
                    }
                }
            }
        }
    }
}

/// Makes a located note: kind, message, help, span in the description.
type Note<'a> = dyn Fn(InputWarningKind, String, String, &Range<usize>) -> InputWarning + 'a;

/// A note for each id of `named` that is no rule's; returns how many name
/// a rule that is turned on.
fn unknown_rule_notes(
    named: &[(String, Range<usize>)],
    rules: &RuleSet,
    note: &Note,
    out: &mut Vec<InputWarning>,
) -> usize {
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let mut known = 0;
    for (id, id_span) in named {
        if let Some(rule) = rules.get(id) {
            known += usize::from(rule.enabled);
            continue;
        }
        let help = match crate::suggest::closest(id, &ids) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "`storylint rules` lists the rule ids".into(),
        };
        out.push(note(
            InputWarningKind::UnknownRuleInIgnore,
            format!("storylint directive names unknown rule `{id}`"),
            help,
            id_span,
        ));
    }
    known
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_directives_with_their_spans() {
        let d = "Posts to Slack.\n  storylint: ignore[missing-bearer-prefix, x] Slack takes the bare token here\nstorylint: ignore y r\nSTORYLINT: ignore[] r\nstorylint: ignore[z]\nstorylint: skip[a] r\n";
        let got = parse_directives(d);
        assert_eq!(got.len(), 5, "{got:?}");
        match &got[0] {
            Directive::Ignore {
                span,
                rules,
                reason,
            } => {
                assert_eq!(
                    &d[span.clone()],
                    "storylint: ignore[missing-bearer-prefix, x] Slack takes the bare token here"
                );
                assert_eq!(rules[0].0, "missing-bearer-prefix");
                assert_eq!(&d[rules[0].1.clone()], "missing-bearer-prefix");
                assert_eq!(&d[rules[1].1.clone()], "x");
                assert_eq!(reason, "Slack takes the bare token here");
            }
            other => panic!("{other:?}"),
        }
        let whys: Vec<String> = got[1..]
            .iter()
            .map(|d| match d {
                Directive::Malformed { why, .. } => why.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(whys[0].contains("brackets"), "{whys:?}");
        assert!(whys[1].contains("empty"));
        assert!(whys[2].contains("reason"));
        assert!(whys[3].contains("only directive"));
    }

    #[test]
    fn space_before_the_bracket_is_fine() {
        let d = "storylint: ignore [a,b] why";
        match &parse_directives(d)[0] {
            Directive::Ignore { rules, .. } => {
                assert_eq!(&d[rules[0].1.clone()], "a");
                assert_eq!(&d[rules[1].1.clone()], "b");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_text_is_not_a_directive() {
        assert!(parse_directives("uses storylint: nothing here").is_empty());
        assert!(parse_directives("").is_empty());
    }
}
