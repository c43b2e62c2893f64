//! The configuration's part in setting findings aside: per-path rule
//! settings, then `ignore` entries.

use super::{Suppressed, SuppressedBy};
use crate::config::{Config, RuleSetting};
use crate::finding::FileReport;
use crate::rules::RuleSet;
use std::path::Path;

/// Applies the configuration to one file's findings: per-path rule
/// settings (a rule turned off for the path drops its findings; a severity
/// changes theirs), then `ignore` entries, which set findings aside.
pub(super) fn apply(file: &mut FileReport, config: &Config, rules: &RuleSet, ignores: bool) {
    let path = Path::new(&file.file);
    // A rule off for this path reports nothing, not even what a directive
    // already set aside.
    file.suppressed.retain(|s| {
        config.setting_for(&rules.rules[s.finding.rule].id, Some(path)) != Some(RuleSetting::Off)
    });
    let mut kept = Vec::with_capacity(file.findings.len());
    for mut f in std::mem::take(&mut file.findings) {
        let rule = &rules.rules[f.rule];
        match config.setting_for(&rule.id, Some(path)) {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(s)) => f.severity = s,
            None => {}
        }
        let ignore = ignores
            .then(|| {
                let a = f.action.as_ref();
                config.ignores.iter().find(|i| {
                    i.matches(
                        &rule.id,
                        a.and_then(|a| a.story.as_deref()),
                        a.and_then(|a| a.guid.as_deref()),
                        a.and_then(|a| a.name.as_deref()),
                    )
                })
            })
            .flatten();
        match ignore {
            Some(i) => file.suppressed.push(Suppressed {
                finding: f,
                by: SuppressedBy::Config,
                reason: i.reason.clone(),
            }),
            None => kept.push(f),
        }
    }
    file.findings = kept;
}
