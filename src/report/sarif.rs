//! `--format sarif`: one SARIF 2.1.0 log with one run, fit for GitHub code
//! scanning and other SARIF viewers.
//!
//! - `tool.driver.rules` lists every rule in force (not only those that
//!   fired), in the order of the [`RuleSet`](crate::rules::RuleSet), so a
//!   result's `ruleIndex` is its finding's rule index.
//! - Columns: storylint counts columns in Unicode characters (code points),
//!   the same numbers the human and JSON formats print, so the run says
//!   `"columnKind": "unicodeCodePoints"` instead of converting to SARIF's
//!   default UTF-16 code units. For the ASCII text exports almost always
//!   are, both kinds give the same numbers. `byteOffset` and `byteLength`
//!   give the same region in bytes of the file.
//! - Artifact URIs are relative references with forward slashes and
//!   percent-encoding ([`artifact_uri`]), resolved by the consumer against
//!   the directory storylint ran in (for code scanning: the repository root).
//! - `partialFingerprints["storylint/v1"]` is the finding's fingerprint,
//!   which survives re-exports, reformatting and reordering.
//! - Inputs and rule files that could not be used are
//!   `invocations[0].toolExecutionNotifications` at level `error` (and make
//!   `executionSuccessful` false); input warnings are notifications at level
//!   `warning`.
//!
//! - Findings set aside by a directive, the configuration or a baseline are
//!   left out, as in the other formats: GitHub code scanning does not honour
//!   SARIF `suppressions` and would open alerts for them.
//!
//! Everything is built in report order (sorted files, findings by offset)
//! with `BTreeMap`s for property bags, so the output is deterministic.

use super::{Report, Streamed, Workspace};
use crate::error::{Problem, ProblemKind};
use crate::finding::Finding;
use crate::rules::Rule;
use crate::severity::Severity;
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultLevel, Tool,
    ToolComponent,
};
#[cfg(test)]
use serde_sarif::sarif::{Run, Sarif};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The schema the log declares.
pub(crate) const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where users learn about the tool.
pub(crate) const INFORMATION_URI: &str = "https://github.com/storylint/storylint";
/// The key of the finding fingerprint in `partialFingerprints`.
pub(crate) const FINGERPRINT_KEY: &str = "storylint/v1";

/// Writes the SARIF log. Its results are serialized one at a time as they
/// are written (see [`Streamed`]), so a large run never holds the whole
/// log; the bytes are those of serializing [`build`]'s log.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ws = Workspace::current();
    let results = Streamed(|| {
        report
            .files
            .iter()
            .flat_map(|file| &file.findings)
            .map(|f| result(&ws, report, f))
    });
    let log = Log {
        schema: SCHEMA_URI,
        runs: [StreamedRun {
            column_kind: COLUMN_KIND,
            invocations: [invocation(&ws, report)],
            results,
            tool: Tool::from(driver(report)),
        }],
        version: VERSION,
    };
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

/// The SARIF version written.
const VERSION: &str = "2.1.0";
/// How columns are counted: in characters, as storylint reports them.
const COLUMN_KIND: &str = "unicodeCodePoints";

/// A SARIF log of one run, with the keys in the order serde-sarif writes
/// them.
#[derive(serde::Serialize)]
struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [StreamedRun<R>; 1],
    version: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct StreamedRun<R> {
    column_kind: &'static str,
    invocations: [Invocation; 1],
    results: R,
    tool: Tool,
}

/// The whole SARIF log for `report`, built in memory (what [`write`]
/// streams).
#[cfg(test)]
pub(crate) fn build(report: &Report) -> Sarif {
    let ws = Workspace::current();
    let results = report
        .files
        .iter()
        .flat_map(|file| &file.findings)
        .map(|f| result(&ws, report, f))
        .collect::<Vec<_>>();
    let run = Run::builder()
        .tool(Tool::from(driver(report)))
        .column_kind(json!(COLUMN_KIND))
        .invocations(vec![invocation(&ws, report)])
        .results(results)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!(VERSION))
        .runs(vec![run])
        .build()
}

/// storylint and its rules.
fn driver(report: &Report) -> ToolComponent {
    let rules: Vec<ReportingDescriptor> = report.rules.rules.iter().map(descriptor).collect();
    ToolComponent::builder()
        .name("storylint")
        .information_uri(INFORMATION_URI)
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build()
}

/// Whether the run succeeded, with the problems of its inputs, rule files
/// and configuration as notifications.
fn invocation(ws: &Workspace, report: &Report) -> Invocation {
    let mut notifications: Vec<Notification> = report
        .rule_errors
        .iter()
        .map(|p| notification(ws, p))
        .collect();
    notifications.extend(report.config_problems.iter().map(|p| notification(ws, p)));
    for file in &report.files {
        notifications.extend(file.errors.iter().map(|p| notification(ws, p)));
        notifications.extend(file.warnings.iter().map(|p| notification(ws, p)));
    }
    let summary = report.summary();
    let failed = summary.rule_errors + summary.input_errors + summary.config_errors;
    if notifications.is_empty() {
        Invocation::builder()
            .execution_successful(failed == 0)
            .build()
    } else {
        Invocation::builder()
            .execution_successful(failed == 0)
            .tool_execution_notifications(notifications)
            .build()
    }
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `missing-bearer-prefix` → `MissingBearerPrefix`.
pub(crate) fn camel_case(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The first paragraph of `text`, its hard line breaks joined with spaces.
fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tags for GitHub's filters. Rules have no tag field of their own, so
/// those about credentials and secrets are recognised by their id and get
/// `security`; the others are about correctness (requests that fail).
fn tags(rule: &Rule) -> Vec<String> {
    let id = rule.id.to_ascii_lowercase();
    let security = ["credential", "secret", "jwt", "token"]
        .iter()
        .any(|w| id.contains(w));
    let kind = if security { "security" } else { "correctness" };
    vec![kind.to_string(), "tines".to_string()]
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let full = rule
        .rationale
        .as_deref()
        .map(first_paragraph)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| rule.summary.clone());
    let mut help_text = rule.help.clone().unwrap_or_else(|| rule.summary.clone());
    if let Some(r) = rule
        .rationale
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        help_text.push_str("\n\n");
        help_text.push_str(r);
    }
    // Help and rationale are written in Markdown already (backticks).
    let help = MultiformatMessageString::builder()
        .text(help_text.clone())
        .markdown(help_text)
        .build();
    let mut props = BTreeMap::new();
    props.insert("precision".to_string(), json!("high"));
    props.insert(
        "problem.severity".to_string(),
        json!(match rule.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "recommendation",
        }),
    );
    ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(camel_case(&rule.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(rule.summary.clone())
                .build(),
        )
        .full_description(MultiformatMessageString::builder().text(full).build())
        .help(help)
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(rule.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags(rule))
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn result(ws: &Workspace, report: &Report, f: &Finding) -> SarifResult {
    let rule = &report.rules.rules[f.rule];
    let region = Region::builder()
        .start_line(f.start.line as i64)
        .start_column(f.start.column as i64)
        .end_line(f.end.line as i64)
        .end_column(f.end.column as i64)
        .byte_offset(f.span.start as i64)
        .byte_length(f.span.end.saturating_sub(f.span.start) as i64)
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(artifact_uri(ws, &f.file))
                .build(),
        )
        .region(region)
        .build();
    let mut logical = LogicalLocation::builder()
        .fully_qualified_name(f.pointer())
        .kind("value")
        .build();
    if let Some(name) = f.action.as_ref().and_then(|a| a.name()) {
        logical.name = Some(name.to_string());
    }
    let location = Location::builder()
        .physical_location(physical)
        .logical_locations(vec![logical])
        .build();

    let mut props = BTreeMap::new();
    props.insert("pointer".to_string(), json!(f.pointer()));
    if let Some(a) = &f.action {
        props.insert(
            "action".to_string(),
            serde_json::to_value(a).unwrap_or(Value::Null),
        );
    }
    if let Some(s) = &f.suggestion {
        props.insert("suggestion".to_string(), json!(s));
    }
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.to_string());

    let mut result = SarifResult::builder()
        .rule_id(rule.id.clone())
        .rule_index(f.rule as i64)
        .level(level(f.severity))
        .message(Message::builder().text(f.message.to_string()).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    result.fixes = f.fix.as_ref().map(|fix| vec![sarif_fix(ws, f, fix)]);
    result
}

/// A finding's fix as SARIF states one: the bytes to delete and the text to
/// insert in their place (as the file writes it), and whether `--fix`
/// applies it or only `--unsafe-fixes`.
fn sarif_fix(ws: &Workspace, f: &Finding, fix: &crate::finding::Fix) -> serde_sarif::sarif::Fix {
    use serde_sarif::sarif::{ArtifactChange, ArtifactContent, Fix, Replacement};
    let deleted = Region::builder()
        .byte_offset(fix.span.start as i64)
        .byte_length(fix.span.len() as i64)
        .build();
    let replacement = Replacement::builder()
        .deleted_region(deleted)
        .inserted_content(
            ArtifactContent::builder()
                .text(fix.replacement.clone())
                .build(),
        )
        .build();
    let change = ArtifactChange::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(artifact_uri(ws, &f.file))
                .build(),
        )
        .replacements(vec![replacement])
        .build();
    let what = if fix.span.is_empty() {
        "Insert"
    } else {
        "Replace with"
    };
    let how = match fix.applicability {
        crate::rules::Applicability::Safe => "applied by --fix",
        crate::rules::Applicability::Unsafe => "unsafe: applied by --fix --unsafe-fixes",
    };
    let mut props = BTreeMap::new();
    props.insert(
        "applicability".to_string(),
        json!(fix.applicability.as_str()),
    );
    Fix::builder()
        .description(
            Message::builder()
                .text(format!("{what} `{}` ({how})", fix.replacement))
                .build(),
        )
        .artifact_changes(vec![change])
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build()
}

fn notification<K: ProblemKind>(ws: &Workspace, p: &Problem<K>) -> Notification {
    let level = match p.kind.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let mut physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(artifact_uri(ws, &p.file))
                .build(),
        )
        .build();
    if let Some(loc) = &p.location {
        // Only the start is known; SARIF then extends the region to the end
        // of the line, which is what a viewer should highlight anyway.
        physical.region = Some(
            Region::builder()
                .start_line(loc.start.line as i64)
                .start_column(loc.start.column as i64)
                .build(),
        );
    }
    let mut props = BTreeMap::new();
    if let Some(help) = &p.help {
        props.insert("help".to_string(), json!(help));
    }
    let mut n = Notification::builder()
        .message(Message::builder().text(p.message.clone()).build())
        .level(json!(level))
        .descriptor(
            ReportingDescriptorReference::builder()
                .id(p.kind.code())
                .build(),
        )
        .locations(vec![
            Location::builder().physical_location(physical).build(),
        ])
        .build();
    if !props.is_empty() {
        n.properties = Some(PropertyBag::builder().additional_properties(props).build());
    }
    n
}

/// The URI of an input as SARIF wants it: a relative reference with
/// forward slashes, without a leading `./`, percent-encoded where RFC 3986
/// requires it (and `:` always, so that a first segment such as `a:b.json`
/// cannot read as a scheme). An absolute path under the current directory
/// is made relative to it; any other absolute path becomes a `file://` URI.
/// Stdin keeps its display name (`<stdin>` or `--stdin-filename`).
pub(crate) fn artifact_uri(ws: &Workspace, file: &str) -> String {
    let path = ws.relative(file);
    if super::is_absolute(&path) {
        let windows_drive = !path.starts_with('/');
        let encoded = percent_encode(&path, windows_drive);
        return if windows_drive {
            format!("file:///{encoded}")
        } else {
            format!("file://{encoded}")
        };
    }
    percent_encode(&path, false)
}

/// Percent-encodes every byte outside RFC 3986's unreserved characters,
/// sub-delimiters, `@` and `/`; `:` is kept only for a drive letter
/// (`keep_drive`, as in `file:///C:/x`).
fn percent_encode(path: &str, keep_drive: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, &b) in path.as_bytes().iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=@/".contains(&b)
            || (keep_drive && i == 1 && b == b':');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_encoded_references() {
        let ws = Workspace::current();
        assert_eq!(artifact_uri(&ws, "fixtures/x.json"), "fixtures/x.json");
        assert_eq!(artifact_uri(&ws, "./a b.json"), "a%20b.json");
        assert_eq!(artifact_uri(&ws, "././d/a.json"), "d/a.json");
        assert_eq!(artifact_uri(&ws, "a,b:c%#?.json"), "a,b%3Ac%25%23%3F.json");
        assert_eq!(artifact_uri(&ws, "café.json"), "caf%C3%A9.json");
        assert_eq!(artifact_uri(&ws, "<stdin>"), "%3Cstdin%3E");
        assert_eq!(artifact_uri(&ws, "../up.json"), "../up.json");
        assert_eq!(
            artifact_uri(&ws, "/nowhere-storylint/a b.json"),
            "file:///nowhere-storylint/a%20b.json"
        );
        let cwd = std::env::current_dir().unwrap();
        let inside = cwd.join("sub").join("x.json");
        assert_eq!(artifact_uri(&ws, inside.to_str().unwrap()), "sub/x.json");
    }

    /// Fingerprints are published (`partialFingerprints`): one made from a
    /// secret would let anyone test guesses of it offline, so secrets enter
    /// masked, as every output shows them. Two exports that differ only in
    /// a password (of the same length) have the same fingerprints.
    #[test]
    fn fingerprints_are_made_from_masked_secrets() {
        use crate::finding::{FingerprintParts, fingerprint};
        use crate::lint::lint_bytes;
        let (rules, _) = crate::rules::RuleSet::builtin();
        let action = |password: &str| {
            format!(
                r#"{{"type": "Agents::HTTPRequestAgent", "name": "A", "options": {{"url": "https://api.acme.io", "method": "GET", "headers": {{"Authorization": "Basic admin:{password}"}}}}}}"#
            )
        };
        let fingerprints = |password: &str| {
            let file = lint_bytes("a.json", action(password).into_bytes(), &rules);
            let report = Report::new(&rules, vec![file], Vec::new(), Vec::new(), Vec::new());
            let log = serde_json::to_value(build(&report)).unwrap();
            let results = log["runs"][0]["results"].as_array().unwrap().clone();
            results
                .iter()
                .map(|r| {
                    (
                        r["ruleId"].as_str().unwrap().to_string(),
                        r["partialFingerprints"][FINGERPRINT_KEY]
                            .as_str()
                            .unwrap()
                            .to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let one = fingerprints("hunter2");
        let secret = one
            .iter()
            .find(|(rule, _)| rule == "hardcoded-secret")
            .expect("the password is found");
        let parts = |text| FingerprintParts {
            rule: "hardcoded-secret",
            story: None,
            action: Some("A"),
            path: "/options/headers/Authorization",
            text,
        };
        assert_eq!(secret.1, fingerprint(&parts("h******")).to_string());
        assert_ne!(secret.1, fingerprint(&parts("hunter2")).to_string());
        // Every finding on the value, not only the secret's own.
        assert!(one.len() > 1, "{one:?}");
        assert_eq!(fingerprints("hunter3"), one);
    }

    #[test]
    fn rule_names_are_upper_camel_case() {
        assert_eq!(camel_case("missing-bearer-prefix"), "MissingBearerPrefix");
        assert_eq!(camel_case("retry_on-auth-error"), "RetryOnAuthError");
    }

    #[test]
    fn first_paragraph_joins_wrapped_lines() {
        assert_eq!(first_paragraph("a\nb c\n\nd"), "a b c");
    }
}
