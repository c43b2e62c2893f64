//! Adopting storylint in a repository, end to end through the real binary:
//! the `.storylint.yaml` configuration (discovery, every key, located
//! errors, `--show-config`), ignore directives in action descriptions,
//! baselines, extra reports with `--output`, and the promise that the exit
//! code never depends on the output format.
//!
//! Every test runs in a fresh temporary directory populated with copies of
//! the fixtures, so nothing in the repository (or above it) is read as a
//! configuration.
//!
//! The tests are grouped by feature: `config` (the configuration file,
//! its errors and `--show-config`), `suppressions` (ignore directives and
//! baselines), `outputs` (extra reports with `--output` and the files
//! storylint writes) and `exit_codes` (the exit code never depends on the
//! output format). This module holds what they share.

use crate::common::{Out, check_json, fixture, line_col, put, run, storylint};
use insta_cmd::assert_cmd_snapshot;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

mod config;
mod exit_codes;
mod outputs;
mod suppressions;

// ---------------------------------------------------------------- helpers

/// The slack fixture: three `missing-bearer-prefix` errors (agents 3, 5 and
/// 6) and one `legacy-liquid-reference` info (agent 5).
const SLACK: &str = "slack-alert-missing-bearer.json";

/// One action whose only finding is the `basic-auth-and-header` warning.
const WARNING_ONLY: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "Both", "options": {"url": "https://api.example.com", "method": "GET", "basic_auth": "u:<<CREDENTIAL.p>>", "headers": {"Authorization": "Bearer <<CREDENTIAL.t>>"}}}"#;

/// One action with no finding from the built-in rules, sent to an example
/// host (which the user rule below reports).
const EXAMPLE_HOST: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "Call Example", "options": {"url": "https://api.example.com/v1", "method": "GET"}}"#;

/// A user rule in the format of `rules/retry-on-auth-error.yaml`, with its
/// own examples.
const EXAMPLE_HOST_RULE: &str = r#"id: example-host
severity: warning
summary: Request goes to an example host
message: "request to {value} goes to an example host"
label: example host
help: "Point the action at the real API host."
rationale: |
  `*.example.com` hosts are placeholders from documentation; a story that
  still calls one was never finished.
target:
  action-types: [Agents::HTTPRequestAgent]
  path: options.url
when:
  host-matches: ["*.example.com"]
examples:
  valid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.github.com"}}'
  invalid:
    - name: an example host
      input: '{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.example.com"}}'
      highlight: "https://api.example.com"
"#;

/// Runs `check ARGS` and returns only the exit code.
fn check_code(dir: &Path, args: &[&str]) -> i32 {
    storylint(dir)
        .arg("check")
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

/// `text` with the one occurrence of `from` replaced by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` must occur exactly once"
    );
    text.replacen(from, to, 1)
}

/// (rule, severity, pointer) of every finding.
fn findings(doc: &Value) -> Vec<(String, String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn finding(rule: &str, severity: &str, pointer: &str) -> (String, String, String) {
    (rule.into(), severity.into(), pointer.into())
}

fn slack_findings() -> Vec<(String, String, String)> {
    vec![
        finding(
            "missing-bearer-prefix",
            "error",
            "/agents/3/options/headers/Authorization",
        ),
        finding(
            "legacy-liquid-reference",
            "info",
            "/agents/5/options/headers/authorization",
        ),
        finding(
            "missing-bearer-prefix",
            "error",
            "/agents/5/options/headers/authorization",
        ),
        finding(
            "missing-bearer-prefix",
            "error",
            "/agents/6/options/headers/AUTHORIZATION",
        ),
    ]
}

fn suppressed(doc: &Value) -> (u64, u64, u64, u64) {
    let s = &doc["summary"]["suppressed"];
    (
        s["total"].as_u64().unwrap(),
        s["directive"].as_u64().unwrap(),
        s["config"].as_u64().unwrap(),
        s["baseline"].as_u64().unwrap(),
    )
}

fn warnings(doc: &Value) -> Vec<&Value> {
    doc["warnings"].as_array().unwrap().iter().collect()
}

fn warning_kinds(doc: &Value) -> Vec<&str> {
    warnings(doc)
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect()
}

/// Files named in the findings, sorted and deduplicated.
fn finding_files(doc: &Value) -> Vec<String> {
    let mut files: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["file"].as_str().unwrap().replace('\\', "/");
            name.trim_start_matches("./").to_string()
        })
        .collect();
    files.dedup();
    files
}

/// Byte offset of `needle` in `text`, which must hold it once.
fn offset_of(text: &str, needle: &str) -> usize {
    assert_eq!(text.matches(needle).count(), 1, "`{needle}` is not unique");
    text.find(needle).unwrap()
}

/// Whether a run's output reports a problem at `file:line:col` (`col` may
/// be empty to accept any column): in human output as text, in JSON
/// output as an entry of `errors` or `warnings` with that file, line and
/// column.
fn reports_location(stdout: &str, stderr: &str, location: &str) -> bool {
    let all = format!("{stdout}{stderr}");
    if all.contains(location) {
        return true;
    }
    let mut parts = location.rsplitn(3, ':');
    let (col, line, file) = (parts.next(), parts.next(), parts.next());
    let (Some(col), Some(line), Some(file)) = (col, line, file) else {
        return false;
    };
    let Ok(doc) = serde_json::from_str::<Value>(stdout) else {
        return false;
    };
    ["errors", "warnings"].iter().any(|k| {
        doc[*k].as_array().is_some_and(|items| {
            items.iter().any(|e| {
                e["file"].as_str().is_some_and(|f| f.ends_with(file))
                    && e["line"].as_u64().map(|l| l.to_string()).as_deref() == Some(line)
                    && (col.is_empty()
                        || e["column"].as_u64().map(|c| c.to_string()).as_deref() == Some(col))
            })
        })
    })
}

/// The slack fixture with `extra` appended (as JSON-escaped text) to the
/// description `was`.
fn add_to_description(text: &str, was: &str, extra: &str) -> String {
    let from = format!("\"description\": \"{was}\"");
    let extra = serde_json::to_string(extra).unwrap();
    let to = format!("\"description\": \"{was}{}\"", &extra[1..extra.len() - 1]);
    replace_once(text, &from, &to)
}

const SLACK_DESCRIPTION: &str = "Posts the alert into #sev-alerts.";
const PAGERDUTY_DESCRIPTION: &str = "Copied from the 2021 Liquid version of this story.";
const WEBHOOK_DESCRIPTION: &str = "Datadog monitor webhook.";
const SQS_DESCRIPTION: &str =
    "AWS credential: Tines signs the request itself, so no scheme in the header.";

/// Reads a baseline file and checks its shape.
fn read_baseline(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap();
    let b: Value = serde_json::from_str(&text).expect("the baseline is JSON");
    assert_eq!(b["version"], 1, "{b:#}");
    for e in b["findings"].as_array().unwrap() {
        for key in ["fingerprint", "rule", "file", "pointer", "message"] {
            assert!(e[key].is_string(), "{key} in {e:#}");
        }
    }
    b
}
