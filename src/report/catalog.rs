//! Output about the rules themselves: `storylint rules`, `storylint explain`
//! and `storylint test-rules`. A user's rule file is input like any other:
//! its texts and its path are made visible (see [`super::escape`]) in every
//! format but JSON, which escapes them itself.

use crate::escape::{visible, visible_block, visible_lines};
use crate::rules::{Rule, RuleOrigin, RuleSet};
use crate::selftest::{ExampleFailure, Tested};
use serde::Serialize;
use std::io::{self, Write};

fn origin(rule: &Rule) -> String {
    match &rule.origin {
        RuleOrigin::Builtin => "built-in".into(),
        RuleOrigin::File(p) => crate::paths::slashed(&p.display().to_string()).into_owned(),
    }
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    severity: &'a str,
    summary: &'a str,
    origin: String,
}

/// `storylint rules`: every rule with its severity and summary, as JSON
/// (`json: true`) or a table.
pub(crate) fn write_list(rules: &RuleSet, json: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut sorted: Vec<&Rule> = rules.rules.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    match json {
        true => {
            let listed: Vec<Listed> = sorted
                .iter()
                .map(|r| Listed {
                    id: &r.id,
                    severity: r.severity.as_str(),
                    summary: &r.summary,
                    origin: origin(r),
                })
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({ "version": 1, "rules": listed }),
            )
            .map_err(io::Error::other)?;
            writeln!(out)
        }
        false => {
            let width = sorted.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in sorted {
                let from = match r.origin {
                    RuleOrigin::Builtin => String::new(),
                    _ => format!("  [{}]", visible(&origin(r))),
                };
                writeln!(
                    out,
                    "{:width$}  {:7}  {}{from}",
                    r.id,
                    r.severity.as_str(),
                    visible(&r.summary)
                )?;
            }
            Ok(())
        }
    }
}

/// Markers around the generated part of `docs/rules.md`.
pub const DOCS_BEGIN: &str =
    "<!-- BEGIN GENERATED RULE REFERENCE: `storylint rules --format markdown` -->";
pub const DOCS_END: &str = "<!-- END GENERATED RULE REFERENCE -->";

/// The rule reference in Markdown, as kept in `docs/rules.md`.
pub fn markdown(rules: &RuleSet) -> String {
    let mut sorted: Vec<&Rule> = rules.rules.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut md = String::from("| id | severity | summary |\n|---|---|---|\n");
    for r in &sorted {
        md.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            r.id,
            r.id,
            r.severity,
            visible(&r.summary)
        ));
    }
    for r in &sorted {
        md.push_str(&format!(
            "\n### {}\n\n**{}**: {}",
            r.id,
            r.severity,
            visible(&r.summary)
        ));
        if !r.action_types.is_empty() {
            md.push_str(&format!(
                " (applies to `{}`)",
                visible(&r.action_types.join("`, `"))
            ));
        }
        md.push('\n');
        if let Some(why) = &r.rationale {
            md.push_str(&format!("\n{}\n", visible_lines(why)));
        }
        if let Some(help) = &r.help {
            md.push_str(&format!("\n**Fix:** {}\n", visible_lines(help)));
        }
        if let Some(ex) = r.invalid.first() {
            md.push_str(&format!(
                "\nReported:\n\n```json\n{}\n```\n",
                visible_block(ex.input.trim_end())
            ));
        }
        if let Some(ex) = r.valid.first() {
            md.push_str(&format!(
                "\nNot reported:\n\n```json\n{}\n```\n",
                visible_block(ex.input.trim_end())
            ));
        }
        md.push_str(&fix_markdown(r));
    }
    md
}

/// What `--fix` does for a rule: how certain it is, and its first example
/// fixed.
fn fix_markdown(r: &Rule) -> String {
    let Some(fix) = &r.fix else {
        return String::new();
    };
    let mut md = format!("\n**`--fix`:** {}.\n", fix_applies(fix.applicability));
    if let Some((ex, fixed)) = r.invalid.iter().find_map(|e| Some((e, e.fixed.as_ref()?))) {
        md.push_str(&format!(
            "\nFixed, from the first example that has a fix:\n\n```json\n{}\n```\n\nbecomes\n\n```json\n{}\n```\n",
            visible_block(ex.input.trim_end()),
            visible_block(fixed.trim_end())
        ));
    }
    md
}

/// Which option applies a fix of this applicability.
fn fix_applies(a: crate::rules::Applicability) -> &'static str {
    match a {
        crate::rules::Applicability::Safe => {
            "safe, applied by `storylint check --fix` where the fix is certain"
        }
        crate::rules::Applicability::Unsafe => {
            "unsafe (likely, not certain), applied only by `storylint check --fix --unsafe-fixes`; review it"
        }
    }
}

/// `storylint explain RULE`: rationale, examples and the fix.
pub(crate) fn write_explain(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} ({})", rule.id, rule.severity)?;
    writeln!(out, "{}", visible(&rule.summary))?;
    if !rule.action_types.is_empty() {
        writeln!(
            out,
            "Applies to: {}",
            visible(&rule.action_types.join(", "))
        )?;
    }
    if let Some(r) = &rule.rationale {
        writeln!(out, "\nWhy\n\n{}", indent(&visible_lines(r)))?;
    }
    if let Some(h) = &rule.help {
        writeln!(out, "\nHow to fix\n\n{}", indent(&visible_lines(h)))?;
    }
    write_examples(out, "Reported (bad)", &rule.invalid)?;
    write_examples(out, "Not reported (good)", &rule.valid)?;
    if let Some(fix) = &rule.fix {
        writeln!(out, "\nFix: {}", fix_applies(fix.applicability))?;
    }
    writeln!(out, "\nDefined in: {}", visible(&origin(rule)))
}

fn write_examples(
    out: &mut dyn Write,
    title: &str,
    examples: &[crate::rules::Example],
) -> io::Result<()> {
    if examples.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    for ex in examples {
        writeln!(out)?;
        if let Some(name) = &ex.name {
            writeln!(out, "  # {}", visible(name))?;
        }
        writeln!(out, "{}", indent(&visible_block(ex.input.trim_end())))?;
        if !ex.highlight.is_empty() {
            writeln!(
                out,
                "  -> underlines: {}",
                visible(&ex.highlight.join(", "))
            )?;
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `storylint test-rules`: a line per rule and API profile, details for
/// each failure.
/// `unusable`: how many rule or profile files could not be loaded (shown
/// above), which the closing line counts too.
pub(crate) fn write_tests(
    results: &[Tested],
    unusable: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    for t in results {
        let label = match t.kind {
            "rule" => t.id.clone(),
            kind => format!("{kind} {}", t.id),
        };
        if t.passed() {
            writeln!(out, "ok    {label} ({} examples)", t.examples)?;
            continue;
        }
        let from = match &t.file {
            Some(p) => crate::paths::slashed(&p.display().to_string()).into_owned(),
            None => "built-in".into(),
        };
        writeln!(out, "FAIL  {label} [{}]", visible(&from))?;
        for m in &t.missing {
            writeln!(
                out,
                "      has no {m} examples; every {} needs both valid and invalid ones",
                t.kind
            )?;
        }
        for f in &t.failures {
            write_failure(f, out)?;
        }
    }
    let count = |kind: &str, passed: bool| {
        results
            .iter()
            .filter(|t| t.kind == kind && t.passed() == passed)
            .count()
    };
    let unusable = match unusable {
        0 => String::new(),
        1 => "; 1 file could not be loaded (see above)".into(),
        n => format!("; {n} files could not be loaded (see above)"),
    };
    writeln!(
        out,
        "\n{} rules and {} API profiles passed their examples, {} failed{unusable}",
        count("rule", true),
        count("API", true),
        count("rule", false) + count("API", false)
    )
}

fn write_failure(f: &ExampleFailure, out: &mut dyn Write) -> io::Result<()> {
    let name = f
        .name
        .as_deref()
        .map(|n| format!(" \"{}\"", visible(n)))
        .unwrap_or_default();
    let line = f.line.map(|l| format!(" (line {l})")).unwrap_or_default();
    writeln!(out, "      {} example {}{name}{line}:", f.kind, f.index + 1)?;
    for p in &f.problems {
        writeln!(out, "        the example itself: {}", visible(p))?;
    }
    if f.expected != f.reported {
        writeln!(out, "        expected: {}", list(&f.expected))?;
        writeln!(out, "        reported: {}", list(&f.reported))?;
    }
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "no finding".into()
    } else {
        items
            .iter()
            .map(|i| format!("`{}`", visible(i)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
