//! The subcommands about the rules themselves: `rules`, `explain` and
//! `test-rules`.

use super::{ColorChoice, ExplainArgs, RulesArgs, RulesFormat, TestRulesArgs, with_stdout};
use crate::report;
use crate::rules::RuleSet;
use std::io::Write;
use std::path::PathBuf;

/// The built-in rules plus those at `paths`, or the exit code after
/// printing why they could not all be loaded.
fn load_rules(paths: &[PathBuf], out: &mut dyn Write) -> Result<RuleSet, u8> {
    let (mut rules, mut errors) = RuleSet::builtin();
    for path in paths {
        rules.add_path(path, &mut errors);
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        let options = super::human_options(ColorChoice::Auto, false);
        let _ = report::human::write_problems(&errors, &options, out);
        Err(report::exit::ERROR)
    }
}

pub(super) fn list_rules(args: RulesArgs) -> u8 {
    with_stdout(|out| match load_rules(&args.rule_paths, out) {
        Ok(rules) => {
            let _ = match args.format {
                RulesFormat::Human => report::catalog::write_list(&rules, false, out),
                RulesFormat::Json => report::catalog::write_list(&rules, true, out),
                RulesFormat::Markdown => {
                    out.write_all(report::catalog::markdown(&rules).as_bytes())
                }
            };
            report::exit::CLEAN
        }
        Err(code) => code,
    })
}

pub(super) fn explain(args: ExplainArgs) -> u8 {
    with_stdout(|out| {
        let rules = match load_rules(&args.rule_paths, out) {
            Ok(r) => r,
            Err(code) => return code,
        };
        match rules.get(&args.rule) {
            Some(rule) => {
                let _ = report::catalog::write_explain(rule, out);
                report::exit::CLEAN
            }
            None => {
                let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
                let _ = report::unknown_rule(&args.rule, &ids);
                report::exit::ERROR
            }
        }
    })
}

pub(super) fn test_rules(args: TestRulesArgs) -> u8 {
    with_stdout(|out| {
        let rules = match load_rules(&args.paths, out) {
            Ok(r) => r,
            Err(code) => return code,
        };
        let results: Vec<report::catalog::RuleTest> = rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let mut missing = Vec::new();
                if rule.valid.is_empty() {
                    missing.push("valid");
                }
                if rule.invalid.is_empty() {
                    missing.push("invalid");
                }
                report::catalog::RuleTest {
                    rule,
                    failures: crate::selftest::check_examples(&rules, i),
                    missing,
                }
            })
            .collect();
        let _ = report::catalog::write_rule_tests(&results, out);
        if results
            .iter()
            .all(|r| r.failures.is_empty() && r.missing.is_empty())
        {
            report::exit::CLEAN
        } else {
            report::exit::FINDINGS
        }
    })
}
