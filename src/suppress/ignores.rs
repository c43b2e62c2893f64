//! The configuration's part in setting findings aside: per-path rule
//! settings, then `ignore` entries. Both are worked out once per file, or
//! looked up by what an entry names, so a configuration with thousands of
//! overrides or entries costs little per finding.

use super::{Suppressed, SuppressedBy};
use crate::config::{Config, RuleSetting};
use crate::finding::FileReport;
use crate::rules::RuleSet;
use std::path::Path;

/// Applies the configuration to one file's findings: per-path rule
/// settings (a rule turned off for the path drops its findings; a severity
/// changes theirs), then `ignore` entries, which set findings aside.
pub(super) fn apply(file: &mut FileReport, config: &Config, rules: &RuleSet, ignores: bool) {
    if file.findings.is_empty() && file.suppressed.is_empty() {
        return;
    }
    let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let settings = config.settings_in(Path::new(&file.file), &ids);
    // A rule off for this path reports nothing, not even what a directive
    // already set aside.
    file.suppressed
        .retain(|s| settings[s.finding.rule] != Some(RuleSetting::Off));
    let mut kept = Vec::with_capacity(file.findings.len());
    for mut f in std::mem::take(&mut file.findings) {
        match settings[f.rule] {
            Some(RuleSetting::Off) => continue,
            Some(RuleSetting::Severity(s)) => f.severity = s,
            None => {}
        }
        let a = f.action.as_deref();
        let ignore = ignores
            .then(|| {
                config.ignore_for(
                    ids[f.rule],
                    a.and_then(|a| a.story.as_deref()),
                    a.and_then(|a| a.guid()),
                    a.and_then(|a| a.name()),
                )
            })
            .flatten();
        match ignore {
            Some(i) => file.suppressed.push(Suppressed {
                finding: f,
                by: SuppressedBy::Config,
                reason: i.reason.as_str().into(),
            }),
            None => kept.push(f),
        }
    }
    file.findings = kept;
}
