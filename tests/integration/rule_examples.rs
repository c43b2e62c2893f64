//! Every built-in rule is tested by its own examples, through the engine
//! users run.

use crate::common::{builtin_rules, repo};
use storylint::rules::RuleSet;
use storylint::selftest::check_examples;

#[test]
fn builtin_rules_compile_and_ship_the_seed_rules() {
    let rules = builtin_rules();
    for id in [
        "missing-bearer-prefix",
        "basic-auth-not-base64",
        "unsupported-http-method",
    ] {
        assert!(rules.get(id).is_some(), "missing built-in rule {id}");
    }
}

#[test]
fn every_builtin_rule_has_valid_and_invalid_examples() {
    for rule in &builtin_rules().rules {
        assert!(!rule.valid.is_empty(), "{} has no valid examples", rule.id);
        assert!(
            !rule.invalid.is_empty(),
            "{} has no invalid examples",
            rule.id
        );
        assert!(
            rule.invalid.iter().all(|e| !e.highlight.is_empty()),
            "{}: every invalid example names what it must highlight",
            rule.id
        );
    }
}

#[test]
fn every_builtin_rule_passes_its_examples() {
    let rules = builtin_rules();
    let failures: Vec<_> = (0..rules.rules.len())
        .flat_map(|i| check_examples(&rules, i))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_wrong_expectation_is_caught() {
    // The harness must be able to fail: a rule whose example expects the
    // wrong highlight, and one whose valid example fires.
    let yaml = r#"
id: demo-method
severity: warning
summary: demo
message: "method {value}"
target:
  path: options.method
when:
  one-of: [HEAD]
examples:
  valid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"method": "HEAD"}}'
  invalid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"method": "HEAD"}}'
      highlight: GET
"#;
    let mut rules = RuleSet::default();
    let mut errors = Vec::new();
    rules.add(
        "demo.yaml",
        yaml,
        storylint::rules::RuleOrigin::Builtin,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let failures = check_examples(&rules, 0);
    assert_eq!(failures.len(), 2, "{failures:#?}");
    assert_eq!(failures[0].kind, "valid");
    assert_eq!(failures[0].reported, ["HEAD"]);
    assert_eq!(failures[1].expected, ["GET"]);
    assert_eq!(failures[1].reported, ["HEAD"]);
}

/// `docs/rules.md` carries the rule reference generated from `rules/`.
/// After changing a rule, regenerate it with
/// `STORYLINT_UPDATE_DOCS=1 cargo test --test integration rule_examples::docs`.
#[test]
fn docs_rule_reference_is_up_to_date() {
    use storylint::report::catalog::{DOCS_BEGIN, DOCS_END, markdown};
    let path = repo().join("docs/rules.md");
    let docs = std::fs::read_to_string(&path).expect("docs/rules.md");
    let (Some(begin), Some(end)) = (docs.find(DOCS_BEGIN), docs.find(DOCS_END)) else {
        panic!("docs/rules.md lacks the generated-section markers");
    };
    let current = &docs[begin + DOCS_BEGIN.len()..end];
    let wanted = format!("\n\n{}\n", markdown(&builtin_rules()));
    if current != wanted {
        if std::env::var_os("STORYLINT_UPDATE_DOCS").is_some() {
            let updated = format!("{}{DOCS_BEGIN}{wanted}{}", &docs[..begin], &docs[end..]);
            std::fs::write(&path, updated).expect("write docs/rules.md");
        } else {
            panic!(
                "docs/rules.md is out of date with rules/; regenerate it with \
                 `STORYLINT_UPDATE_DOCS=1 cargo test --test integration rule_examples::docs`"
            );
        }
    }
}

/// README's table of built-in rules lists every rule with its severity.
#[test]
fn readme_lists_every_builtin_rule() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    for rule in &builtin_rules().rules {
        let row = format!("| `{}` | {} |", rule.id, rule.severity);
        assert!(
            readme.contains(&row),
            "README.md's built-in rules table lacks the row starting `{row}`"
        );
    }
}
