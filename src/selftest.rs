//! Running a rule's own `examples` through the same pipeline users run:
//! every valid example must produce no finding of the rule, and every
//! invalid one must produce findings that underline exactly the expected
//! source text, in order.

use crate::finding::FileStatus;
use crate::lint;
use crate::rules::{Example, RuleSet};

/// One example that did not behave as its rule file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    pub rule: String,
    pub kind: &'static str,
    /// Index of the example in its list, and its name if it has one.
    pub index: usize,
    pub name: Option<String>,
    pub line: Option<usize>,
    pub expected: Vec<String>,
    pub reported: Vec<String>,
    /// Problems with the example itself (invalid JSON, not an export).
    pub problems: Vec<String>,
}

/// Runs the examples of the rule at `rule` in `rules`.
pub fn check_examples(rules: &RuleSet, rule: usize) -> Vec<ExampleFailure> {
    let r = &rules.rules[rule];
    let mut failures = Vec::new();
    let lists: [(&'static str, &[Example]); 2] = [("valid", &r.valid), ("invalid", &r.invalid)];
    for (kind, list) in lists {
        for (i, ex) in list.iter().enumerate() {
            let name = format!("{}/{kind}[{i}]", r.id);
            let report = lint::lint_bytes(&name, ex.input.clone().into_bytes(), rules);
            let reported: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.rule == rule)
                .map(|f| ex.input[f.span.clone()].to_string())
                .collect();
            let mut problems: Vec<String> =
                report.errors.iter().map(|e| e.message.clone()).collect();
            problems.extend(report.warnings.iter().map(|w| w.message.clone()));
            if report.status != FileStatus::Checked && problems.is_empty() {
                problems.push("the example was not checked".into());
            }
            let expected = if kind == "valid" {
                Vec::new()
            } else {
                ex.highlight.clone()
            };
            if reported != expected || !problems.is_empty() {
                failures.push(ExampleFailure {
                    rule: r.id.clone(),
                    kind,
                    index: i,
                    name: ex.name.clone(),
                    line: ex.line,
                    expected,
                    reported,
                    problems,
                });
            }
        }
    }
    failures
}
