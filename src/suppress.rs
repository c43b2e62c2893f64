//! Between evaluating rules and reporting: findings the user has accepted
//! are set aside (and counted), never silently dropped. Three sources, in
//! order: `storylint: ignore[...]` directives in an action's description
//! (they live in Tines, so they survive re-exporting), `ignore` entries in
//! the configuration, and a baseline of fingerprints.

use crate::config::{Config, RuleSetting};
use crate::lint::{FileReport, Finding};
use crate::rules::RuleSet;
use std::ops::Range;
use std::path::Path;

/// What set a finding aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressedBy {
    Directive,
    Config,
    Baseline,
}

/// A finding the user has accepted, and why.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
    pub reason: String,
}

/// One `storylint:` line of a description, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
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
pub fn parse_directives(description: &str) -> Vec<Directive> {
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

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Applies the configuration to one file's findings: per-path rule
/// settings (a rule turned off for the path drops its findings; a severity
/// changes theirs), then `ignore` entries, which set findings aside.
pub fn apply_config(file: &mut FileReport, config: &Config, rules: &RuleSet, ignores: bool) {
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
