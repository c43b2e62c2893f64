//! Running a rule's own `examples` through the same pipeline users run:
//! every valid example must produce no finding of the rule, and every
//! invalid one must produce findings that underline exactly the expected
//! source text, in order. For a rule with a fix, fixing an invalid
//! example (with the rule's fixes alone, safe and unsafe) must give its
//! `fixed` text byte for byte, or leave it as it is when it has none, and
//! fixing that again must change nothing.

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
            if r.fix.is_some() && kind == "invalid" {
                problems.extend(check_fix(rules, rule, &name, ex));
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

/// One rule's or API profile's examples, run.
/// What is wrong with fixing invalid example `ex` of the rule at `rule`.
fn check_fix(rules: &RuleSet, rule: usize, name: &str, ex: &Example) -> Vec<String> {
    let lint = |t: &str| {
        let mut report = lint::lint_bytes(name, t.as_bytes().to_vec(), rules);
        report.findings.retain(|f| f.rule == rule);
        report
    };
    // Every finding fixed (none held by a baseline), unsafe fixes too.
    let fix = |text: &str| {
        let none_held = |f: &[crate::finding::Finding]| vec![false; f.len()];
        crate::fix::fix_text(text, lint(text), true, &none_held, &lint)
    };
    let fixed = fix(&ex.input);
    let want = ex.fixed.as_deref().unwrap_or(&ex.input);
    let mut problems = Vec::new();
    if fixed.text != want {
        let what = if ex.fixed.is_some() {
            "the `fixed` text"
        } else {
            "the input (no `fixed`: no fix)"
        };
        problems.push(format!("fixing gave\n{}\nnot {what}\n{want}", fixed.text));
    }
    problems.extend(fixed.report.warnings.iter().map(|w| w.message.clone()));
    let again = fix(&fixed.text);
    if again.applied > 0 {
        problems.push(format!("fixing twice changed it again:\n{}", again.text));
    }
    problems
}

#[derive(Debug)]
pub struct Tested {
    /// `rule` or `API`.
    pub kind: &'static str,
    pub id: String,
    /// The file it came from; `None` when built in.
    pub file: Option<std::path::PathBuf>,
    pub examples: usize,
    pub failures: Vec<ExampleFailure>,
    /// Example lists it lacks (`valid`, `invalid`).
    pub missing: Vec<&'static str>,
}

impl Tested {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.missing.is_empty()
    }
}

/// The example lists missing of `valid` and `invalid`.
fn missing(valid: usize, invalid: usize, judged: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    if valid == 0 {
        out.push("valid");
    }
    if invalid == 0 && judged {
        out.push("invalid");
    }
    out
}

/// Runs the examples of every rule, then of every API profile.
pub fn test_all(rules: &RuleSet) -> Vec<Tested> {
    let mut out: Vec<Tested> = (0..rules.rules.len())
        .map(|i| {
            let r = &rules.rules[i];
            Tested {
                kind: "rule",
                id: r.id.clone(),
                file: match &r.origin {
                    crate::rules::RuleOrigin::File(p) => Some(p.clone()),
                    crate::rules::RuleOrigin::Builtin => None,
                },
                examples: r.valid.len() + r.invalid.len(),
                failures: check_examples(rules, i),
                missing: missing(r.valid.len(), r.invalid.len(), true),
            }
        })
        .collect();
    out.extend((0..rules.apis.profiles.len()).map(|i| {
        let p = &rules.apis.profiles[i];
        Tested {
            kind: "API",
            id: p.id.clone(),
            file: match &p.origin {
                crate::apis::Origin::File(f) => Some(f.clone()),
                crate::apis::Origin::Builtin => None,
            },
            examples: p.valid.len() + p.invalid.len(),
            failures: check_api_examples(rules, i),
            missing: missing(p.valid.len(), p.invalid.len(), p.takes_credential()),
        }
    }));
    out
}

/// Runs the examples of the API profile at `api`: every valid request
/// must draw no finding from the rules that consult profiles, and every
/// invalid one a finding of the rule it names. Each must call this API.
pub fn check_api_examples(rules: &RuleSet, api: usize) -> Vec<ExampleFailure> {
    let profile = &rules.apis.profiles[api];
    let consulting: Vec<usize> = (0..rules.rules.len())
        .filter(|&i| rules.rules[i].when.uses_api())
        .collect();
    let lists = [("valid", &profile.valid), ("invalid", &profile.invalid)];
    let mut failures = Vec::new();
    for (kind, list) in lists {
        for (i, ex) in list.iter().enumerate() {
            let name = format!("{}/{kind}[{i}]", profile.id);
            let report = lint::lint_bytes(&name, ex.input.clone().into_bytes(), rules);
            let mut problems: Vec<String> =
                report.errors.iter().map(|e| e.message.clone()).collect();
            problems.extend(report.warnings.iter().map(|w| w.message.clone()));
            problems.extend(calls_other_api(rules, profile, &ex.input));
            let shown = |f: &crate::finding::Finding| {
                format!("{}: {}", rules.rules[f.rule].id, &ex.input[f.span.clone()])
            };
            let reported: Vec<String> = report
                .findings
                .iter()
                .filter(|f| consulting.contains(&f.rule))
                .map(shown)
                .collect();
            let expected: Vec<String> = match (&ex.rule, kind) {
                (Some(rule), "invalid") => {
                    match rules.rules.iter().position(|r| &r.id == rule) {
                        Some(r) if consulting.contains(&r) => {}
                        _ => {
                            problems.push(format!("`{rule}` is no rule that consults API profiles"))
                        }
                    }
                    vec![format!("a finding of {rule}")]
                }
                _ => Vec::new(),
            };
            let holds = match &ex.rule {
                Some(rule) => reported.iter().any(|r| r.starts_with(&format!("{rule}: "))),
                None => reported.is_empty(),
            };
            if !holds || !problems.is_empty() {
                failures.push(ExampleFailure {
                    rule: profile.id.clone(),
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

/// Why the example's requests do not all call `profile`'s API, if they
/// do not.
fn calls_other_api(rules: &RuleSet, profile: &crate::apis::Profile, input: &str) -> Option<String> {
    use crate::export::request::{Host, Request};
    let doc = crate::parse::Document::parse(input).ok()?;
    let crate::export::Recognised::Export { actions, .. } = crate::export::recognise(&doc) else {
        return None;
    };
    for action in &actions {
        let request = Request::of(&doc, action.node);
        let url = request.url.as_ref();
        let host = match url.map(|u| &u.host) {
            Some(Host::Literal(h)) => crate::apis::Host::Literal(h),
            Some(Host::Resource(r)) => crate::apis::Host::Resource(r),
            _ => return Some("a request has no URL whose host storylint can read".into()),
        };
        let path = url.map_or("/", |u| u.path.as_str());
        match rules.apis.lookup(host, path) {
            Some(r) if r.profile.id == profile.id => {}
            Some(r) => return Some(format!("a request calls `{}`, not this API", r.profile.id)),
            None => return Some("a request calls no API with a profile".into()),
        }
    }
    None
}
