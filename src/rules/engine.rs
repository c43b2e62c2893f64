//! Running compiled rules over the actions of one document.

use super::condition::{Ctx, Subject, value_text};
use super::{Highlight, RuleSet, Var};
use crate::export::{Action, templates};
use crate::parse::{Document, Kind};
use std::ops::Range;

/// A finding before it is placed in a file: rule, node and byte span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFinding {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// The node the finding is about (its JSON pointer is reported).
    pub node: u32,
    /// Byte span to underline.
    pub span: Range<usize>,
    pub message: String,
    pub label: Option<String>,
    /// Index of the action in the list given to [`check`].
    pub action: usize,
}

/// Longest value quoted in a message, in characters.
const MAX_QUOTED: usize = 80;

/// Evaluates every rule on every action. Findings come out in document
/// order.
pub fn check(rules: &RuleSet, doc: &Document, actions: &[Action]) -> Vec<RawFinding> {
    let mut out = Vec::new();
    for (ai, action) in actions.iter().enumerate() {
        let ctx = Ctx {
            doc,
            action: action.node,
        };
        for (ri, rule) in rules.rules.iter().enumerate() {
            if !rule.applies_to(action.action_type.as_deref()) {
                continue;
            }
            for target in rule.path.resolve(doc, action.node) {
                let text = value_text(doc, target);
                let kind = doc.kind(target);
                if rule.skip_templated
                    && kind == Kind::String
                    && templates::is_templated(&text.text)
                {
                    continue;
                }
                let subject = Subject {
                    text: &text,
                    range: 0..text.text.len(),
                    kind,
                    node: target,
                };
                let Some(hit) = rule.when.eval(&ctx, &subject) else {
                    continue;
                };
                let value_span = content_span(doc, target);
                let (node, span, matched) = match (rule.highlight, hit.narrow) {
                    (Highlight::Key, _) if doc.node(target).has_key() => {
                        let n = doc.node(target);
                        (
                            target,
                            n.key_start as usize + 1..n.key_end as usize - 1,
                            doc.key(target).map(|k| k.into_owned()),
                        )
                    }
                    (Highlight::Match, Some(n)) => (n.node, n.span, Some(n.text)),
                    _ => (target, value_span, None),
                };
                let lookup = |v: Var| match v {
                    Var::Value => quote(&text.text),
                    Var::Match => quote(matched.as_deref().unwrap_or(&text.text)),
                    Var::Key => quote(&doc.key(target).unwrap_or_default()),
                    Var::Action => action
                        .name
                        .clone()
                        .unwrap_or_else(|| "(unnamed action)".into()),
                    Var::Type => action
                        .action_type
                        .clone()
                        .unwrap_or_else(|| "(no type)".into()),
                };
                let finding = RawFinding {
                    rule: ri,
                    node,
                    message: rule.message.render(lookup),
                    label: rule.label.as_ref().map(|l| l.render(lookup)),
                    span,
                    action: ai,
                };
                if !out
                    .iter()
                    .any(|f: &RawFinding| f.rule == ri && f.span == finding.span)
                {
                    out.push(finding);
                }
            }
        }
    }
    out.sort_by_key(|f| (f.span.start, f.rule));
    out
}

/// The bytes of a value worth underlining: a string's content without its
/// quotes (or the quotes of an empty string), other values whole.
fn content_span(doc: &Document, node: u32) -> Range<usize> {
    let n = doc.node(node);
    let (s, e) = (n.start as usize, n.end as usize);
    if n.kind == Kind::String && e - s > 2 {
        s + 1..e - 1
    } else {
        s..e
    }
}

/// A value made safe to quote in one line of a message.
fn quote(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_QUOTED {
            out.push('…');
            break;
        }
        out.extend(
            c.escape_debug()
                .filter(|_| c.is_control())
                .chain(Some(c).filter(|c| !c.is_control())),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_controls_and_truncates() {
        assert_eq!(quote("a\nb"), "a\\nb");
        assert_eq!(quote(&"x".repeat(100)).chars().count(), MAX_QUOTED + 1);
    }
}
