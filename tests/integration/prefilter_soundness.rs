//! The literal prefilters (per rule, from one scan of each value, and per
//! regex, before it is compiled) only skip work: they must never change
//! what a run reports. Each case here is linted twice, with and without
//! them, and the findings must be identical.
//!
//! Inputs are HTTP Request actions built from fragments that the built-in
//! rules look for (schemes, credential references in every syntax, vendor
//! token prefixes, URL parts, Liquid and formula delimiters), mixed case,
//! JSON escapes and non-ASCII look-alikes (the Kelvin sign folds to `k`,
//! the long s to `s`), so that near-misses of every literal are common.

use crate::common::{builtin_rules, fixture_exports};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::sync::OnceLock;
use storylint::finding::FileReport;
use storylint::lint::lint_bytes;
use storylint::rules::RuleSet;

const FRAGMENTS: &[&str] = &[
    "Bearer ",
    "bearer:",
    "Basic ",
    "BASIC ",
    "Token ",
    "SSWS ",
    "<<",
    ">>",
    "{{",
    "}}",
    "{%",
    "%}",
    "{% credential ",
    "{{ .CREDENTIAL.",
    "<<CREDENTIAL.",
    "<<credential.",
    "<<CREDENTIALS.",
    "CREDENTIAL",
    "credential",
    "INFO.credential.",
    "RESOURCE.",
    "eyJhbGciOiJIUzI1NiJ9",
    ".eyJleHAiOjEwMDAwMDAwMDB9",
    ".c2lnbmF0dXJlc2lnbmF0dXJl",
    "ghp_",
    "github_pat_",
    "xoxb-",
    "AKIA",
    "ASIA",
    "IOSFODNN7EXAMPLE",
    "http://",
    "https://",
    "://",
    "api.example.com",
    ".amazonaws.com",
    "?",
    "&",
    "=",
    "apikey=",
    "api_key=",
    "token=",
    ":",
    "@",
    "admin:hunter2",
    "YWRtaW46aHVudGVyMg==",
    "dXNlcm5hbWU=",
    "BASE64_ENCODE(",
    "CONCAT(",
    "\\\"a\\\"",
    "'a'",
    "BASE64_ENCODE(CONCAT(\\\"user\\\", \\\":\\\"))",
    "{% credential jira_token %}",
    "xoxb-1234567890-abcdef",
    "ghp_0123456789abcdefghijABCDEFGHIJ012345",
    "AKIAIOSFODNN7EXAMPLE",
    "https://api.example.com/v1?apikey=0123456789abcdefghij",
    ")",
    "{my-domain}",
    "{",
    "}",
    "=",
    " ",
    "0123456789abcdefghijKLMNOPQRST",
    "x",
    "_",
    "-",
    ".",
    "\u{212A}",
    "\u{17F}",
    "é",
    "\\u003c",
    "\\u003e",
    "\\n",
    "\\\"",
];

const KEYS: &[&str] = &[
    "Authorization",
    "authorization",
    "AUTHORIZATION",
    "Authorisation",
    "Authentication",
    "Authorization:",
    "Proxy-Authorization",
    "Content-Type",
    "content-type",
    "X-Api-Key",
    "X-Token",
    "api_key",
    "password",
    "Accept",
    "\u{212A}ey",
];

const OPTION_KEYS: &[&str] = &[
    "url",
    "payload",
    "basic_auth",
    "content_type",
    "body",
    "header",
    "content-type",
    "retry_on_status",
    "method",
];

/// Fragments joined, then twisted letter by letter: case flipped, and `s`
/// and `k` swapped for the non-ASCII letters that fold to them.
fn text() -> impl Strategy<Value = String> {
    (vec(prop::sample::select(FRAGMENTS), 0..8), vec(0u8..20, 64)).prop_map(|(parts, dice)| {
        let joined = parts.concat();
        let mut out = String::with_capacity(joined.len());
        let mut escape = false;
        for (i, c) in joined.chars().enumerate() {
            let roll = dice[i % dice.len()];
            // Letters right after a backslash belong to an escape.
            let twisted = match c {
                _ if escape => c,
                's' | 'S' if roll <= 2 => '\u{17F}',
                'k' | 'K' if roll <= 2 => '\u{212A}',
                c if c.is_ascii_alphabetic() && roll >= 17 => {
                    if c.is_ascii_lowercase() {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                }
                c => c,
            };
            escape = c == '\\' && !escape;
            out.push(twisted);
        }
        out
    })
}

fn member(keys: &'static [&'static str]) -> impl Strategy<Value = (String, String)> {
    (prop::sample::select(keys), text()).prop_map(|(k, v)| (k.to_string(), v))
}

/// An HTTP Request action whose headers, URL, method and other options
/// are made of fragments; values are JSON string literals written as they
/// are (the fragments already hold valid escapes).
fn action() -> impl Strategy<Value = String> {
    (
        text(),
        text(),
        vec(member(KEYS), 0..4),
        vec(member(OPTION_KEYS), 0..3),
        vec(text(), 0..3),
    )
        .prop_map(|(url, method, headers, options, list)| {
            let pairs = |members: &[(String, String)]| {
                members
                    .iter()
                    .map(|(k, v)| format!("\"{}\": \"{v}\"", k.replace('"', "\\\"")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let list = list
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "{{\"type\": \"Agents::HTTPRequestAgent\", \"name\": \"n\", \"guid\": \"g\", \
                 \"options\": {{\"url\": \"{url}\", \"method\": \"{method}\", \
                 \"headers\": {{{}}}, \"payload\": {{\"list\": [{list}], \"nested\": {{{}}}}}, {}}}}}",
                pairs(&headers),
                pairs(&options),
                if options.is_empty() {
                    "\"timeout\": 1".to_string()
                } else {
                    pairs(&options)
                },
            )
        })
}

fn rules(prefilter: bool) -> &'static RuleSet {
    static ON: OnceLock<RuleSet> = OnceLock::new();
    static OFF: OnceLock<RuleSet> = OnceLock::new();
    let cell = if prefilter { &ON } else { &OFF };
    cell.get_or_init(|| {
        let mut rules = builtin_rules();
        rules.use_prefilter = prefilter;
        rules.now = 1_700_000_000;
        rules
    })
}

/// What a run reports about one file, in a comparable form.
fn findings(report: &FileReport) -> Vec<(usize, std::ops::Range<usize>, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule, f.span.clone(), f.message.to_string()))
        .collect()
}

fn same_with_and_without(text: &str) -> Result<usize, TestCaseError> {
    let with = lint_bytes("a.json", text.as_bytes().to_vec(), rules(true));
    let without = lint_bytes("a.json", text.as_bytes().to_vec(), rules(false));
    prop_assert!(with.errors.is_empty(), "{:?}", with.errors);
    prop_assert_eq!(findings(&with), findings(&without), "input: {}", text);
    Ok(with.findings.len())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn prefilters_never_change_findings(actions in vec(action(), 1..4)) {
        let text = format!("[{}]", actions.join(", "));
        same_with_and_without(&text)?;
    }
}

#[test]
fn the_generated_actions_do_reach_the_rules() {
    // A generator that produced nothing the rules report would make the
    // property above vacuous: check that a sample finds plenty.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = vec(action(), 1..4);
    let mut total = 0;
    let mut rules_seen = std::collections::BTreeSet::new();
    for _ in 0..300 {
        let actions = strategy
            .new_tree(&mut runner)
            .map_err(|e| e.to_string())
            .unwrap()
            .current();
        let text = format!("[{}]", actions.join(", "));
        let report = lint_bytes("a.json", text.into_bytes(), rules(true));
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        total += report.findings.len();
        rules_seen.extend(report.findings.iter().map(|f| f.rule));
    }
    assert!(total > 300, "only {total} findings in 300 samples");
    assert!(
        rules_seen.len() >= 10,
        "only {} rules ever fired",
        rules_seen.len()
    );
}

#[test]
fn fixtures_report_the_same_with_and_without_prefilters() {
    let mut checked = 0;
    for path in fixture_exports() {
        let text = std::fs::read_to_string(&path).unwrap();
        let n = same_with_and_without(&text).unwrap();
        checked += usize::from(n > 0);
    }
    assert!(checked >= 8, "only {checked} fixtures have findings");
}
