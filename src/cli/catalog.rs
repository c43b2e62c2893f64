//! The subcommands about the rules and API profiles themselves: `rules`,
//! `explain`, `apis` and `test-rules`. Each reads the configuration as
//! `check` does, for its `rule-dirs` and `api-dirs`.

use super::{
    ApisArgs, ColorChoice, ExplainArgs, RulesArgs, RulesFormat, Sources, TestRulesArgs, with_stdout,
};
use crate::config::{self, Config};
use crate::error::RuleError;
use crate::report;
use crate::rules::RuleSet;
use std::io::Write;
use std::path::PathBuf;

/// The built-in rules and API profiles, the configuration's and those
/// named by flags (and `extra` rule paths), with every problem loading
/// them; `Err` with the exit code once a configuration problem is printed.
fn load(
    sources: &Sources,
    extra: &[PathBuf],
    out: &mut dyn Write,
) -> Result<(RuleSet, Vec<RuleError>), u8> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let path = config::locate(sources.config.as_deref(), sources.no_config, &cwd);
    let config = match Config::load_or_empty(path.as_deref(), &cwd) {
        Ok(c) => c,
        Err(errors) => {
            let _ = report::human::write_problems(&errors, &human(), out);
            return Err(report::exit::ERROR);
        }
    };
    let (mut rules, mut errors) = RuleSet::builtin();
    let rule_paths = config
        .rule_dirs
        .iter()
        .chain(&sources.rule_paths)
        .chain(extra);
    for path in rule_paths {
        rules.add_path(path, &mut errors);
    }
    for path in config.api_dirs.iter().chain(&sources.api_paths) {
        rules.apis.add_path(path, &mut errors);
    }
    Ok((rules, errors))
}

fn human() -> report::human::Options {
    super::human_options(ColorChoice::Auto, false)
}

/// Like [`load`], but every problem stops the command.
fn load_all(sources: &Sources, out: &mut dyn Write) -> Result<RuleSet, u8> {
    let (rules, errors) = load(sources, &[], out)?;
    if errors.is_empty() {
        Ok(rules)
    } else {
        let _ = report::human::write_problems(&errors, &human(), out);
        Err(report::exit::ERROR)
    }
}

pub(super) fn list_rules(args: RulesArgs) -> u8 {
    with_stdout(|out| match load_all(&args.sources, out) {
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

pub(super) fn list_apis(args: ApisArgs) -> u8 {
    with_stdout(|out| match load_all(&args.sources, out) {
        Ok(rules) => {
            let apis = &rules.apis;
            let _ = match args.format {
                RulesFormat::Human => report::apis::write_list(apis, false, out),
                RulesFormat::Json => report::apis::write_list(apis, true, out),
                RulesFormat::Markdown => out.write_all(report::apis::markdown(apis).as_bytes()),
            };
            report::exit::CLEAN
        }
        Err(code) => code,
    })
}

pub(super) fn explain(args: ExplainArgs) -> u8 {
    with_stdout(|out| {
        let rules = match load_all(&args.sources, out) {
            Ok(r) => r,
            Err(code) => return code,
        };
        if let Some(rule) = rules.get(&args.rule) {
            let _ = report::catalog::write_explain(rule, out);
            return report::exit::CLEAN;
        }
        if let Some(api) = rules.apis.get(&args.rule) {
            let _ = report::apis::write_explain(api, out);
            return report::exit::CLEAN;
        }
        let ids: Vec<&str> = rules
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(rules.apis.profiles.iter().map(|p| p.id.as_str()))
            .collect();
        let _ = report::unknown_rule(&args.rule, &ids);
        report::exit::ERROR
    })
}

pub(super) fn test_rules(args: TestRulesArgs) -> u8 {
    with_stdout(|out| {
        // A rule file or profile that cannot be read is reported; the
        // others are still tested.
        let (rules, errors) = match load(&args.sources, &args.paths, out) {
            Ok(loaded) => loaded,
            Err(code) => return code,
        };
        if !errors.is_empty() {
            let _ = report::human::write_problems(&errors, &human(), out);
        }
        let tested = crate::selftest::test_all(&rules);
        let unusable: std::collections::BTreeSet<&str> =
            errors.iter().map(|e| e.file.as_str()).collect();
        let _ = report::catalog::write_tests(&tested, unusable.len(), out);
        if !errors.is_empty() {
            report::exit::ERROR
        } else if tested.iter().all(|t| t.passed()) {
            report::exit::CLEAN
        } else {
            report::exit::FINDINGS
        }
    })
}
