//! The bundled fixtures through the real binary: exactly the planted
//! findings, at the right bytes, nothing on the clean stories, only
//! informational Liquid findings on the legacy story, and no secret ever
//! printed.
//!
//! Every expectation here is listed, with its highlight, in
//! `fixtures/README.md`.

use crate::common::{read_repo_file, repo, run};
use serde_json::Value;

/// Pins the clock for `expired-jwt`, so the suite gives the same answer
/// whatever day it runs.
const NOW: &str = "2026-01-01";

/// Runs `storylint check ARGS` at the repository root, which must print
/// nothing on stderr; returns stdout and the exit code.
fn check_repo(args: &[&str]) -> (String, i32) {
    let out = run(repo(), &[&["check"][..], args].concat());
    assert!(out.stderr.is_empty(), "unexpected stderr: {}", out.stderr);
    (out.stdout, out.code)
}

/// [`check_repo`] with `--format json`.
fn check_repo_json(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (stdout, code) = check_repo(&all);
    let doc: Value = serde_json::from_str(&stdout).expect("stdout is one JSON document");
    (doc, code)
}

/// One finding storylint must report.
struct Planted {
    file: &'static str,
    rule: &'static str,
    severity: &'static str,
    pointer: &'static str,
    /// Byte offset of the highlight in the file.
    offset: u64,
    /// Byte length of the highlight.
    length: u64,
    line: u64,
    column: u64,
    /// The highlighted source bytes, as written in the file (escapes kept).
    highlight: &'static str,
}

type Row = (String, String, String, String, u64, u64, u64, u64);

impl Planted {
    fn row(&self) -> Row {
        (
            self.file.to_string(),
            self.rule.to_string(),
            self.severity.to_string(),
            self.pointer.to_string(),
            self.offset,
            self.length,
            self.line,
            self.column,
        )
    }
}

fn rows(doc: &Value) -> Vec<Row> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            let n = |k: &str| f[k].as_u64().unwrap_or_default();
            (
                s("file"),
                s("rule"),
                s("severity"),
                s("pointer"),
                n("offset"),
                n("length"),
                n("line"),
                n("column"),
            )
        })
        .collect()
}

fn expected_rows(prefix: &str) -> Vec<Row> {
    EXPECTED
        .iter()
        .filter(|p| p.file.starts_with(prefix))
        .map(Planted::row)
        .collect()
}

/// A JWT whose `exp` is 2001-09-09 (`defective/edr-alert-enrichment.min.json`).
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2ZhbGNvbi5jcm93ZHN0cmlrZS5jb20iLCJzdWIiOiJzdmMtdGluZXMtZWRyIiwiYXVkIjoiYWxlcnRzIiwiaWF0Ijo5OTk5OTY0MDAsImV4cCI6MTAwMDAwMDAwMH0.SJ0-r-YQGJVkTaHEBiLBh8V1xZdcRP-TFYH-wW4iz3U";
/// A GitHub token (`defective/vuln-disclosure-intake.json`).
const GITHUB_TOKEN: &str = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";
/// A Slack bot token (`defective/edr-alert-enrichment.min.json`).
const SLACK_TOKEN: &str = "xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOpQrStUvWx";

/// Secrets planted in the fixtures. Each is reported by `hardcoded-secret`
/// and must never be printed, in any format. (`pass` in
/// `shapes/copied-actions.json` is a secret too, but the word is part of the
/// rules' help text, so it cannot be searched for.)
const SECRETS: &[&str] = &[
    JWT,
    GITHUB_TOKEN,
    SLACK_TOKEN,
    "KLzdocJ2isAjIhKt",
    "c3ZjLWppcmE=",
    "S3cr3t!pass",
    "hunter2",
    "u+e7Rk2PbW9xJq4TmZ1vNc8s",
];

/// Every finding on `fixtures/`, in the order of the JSON output (file, then
/// offset), with `--now 2026-01-01`.
const EXPECTED: &[Planted] = &[
    Planted {
        file: "fixtures/defective/api-auth-forms.json",
        rule: "wrong-auth-form",
        severity: "warning",
        pointer: "/agents/1/options/headers/Authorization",
        offset: 933,
        length: 32,
        line: 30,
        column: 29,
        highlight: "Bearer <<CREDENTIAL.virustotal>>",
    },
    Planted {
        file: "fixtures/defective/api-auth-forms.json",
        rule: "missing-credential",
        severity: "warning",
        pointer: "/agents/2/options/url",
        offset: 1230,
        length: 13,
        line: 41,
        column: 25,
        highlight: "api.shodan.io",
    },
    Planted {
        file: "fixtures/defective/api-auth-forms.json",
        rule: "missing-bearer-prefix",
        severity: "error",
        pointer: "/agents/6/options/headers/Authorization",
        offset: 3395,
        length: 23,
        line: 110,
        column: 29,
        highlight: "<<CREDENTIAL.opsgenie>>",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "expired-jwt",
        severity: "warning",
        pointer: "/agents/2/options/headers/Authorization",
        offset: 2590,
        length: 228,
        line: 1,
        column: 2591,
        highlight: JWT,
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/2/options/headers/Authorization",
        offset: 2590,
        length: 228,
        line: 1,
        column: 2591,
        highlight: JWT,
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "basic-auth-not-base64",
        severity: "error",
        pointer: "/agents/4/options/headers/Authorization",
        offset: 4343,
        length: 75,
        line: 1,
        column: 4344,
        highlight: r"\u003c\u003cCREDENTIAL.splunk_user}}:\u003c\u003cCREDENTIAL.splunk_password",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "malformed-credential-reference",
        severity: "error",
        pointer: "/agents/4/options/headers/Authorization",
        offset: 4343,
        length: 36,
        line: 1,
        column: 4344,
        highlight: r"\u003c\u003cCREDENTIAL.splunk_user}}",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "malformed-credential-reference",
        severity: "error",
        pointer: "/agents/4/options/headers/Authorization",
        offset: 4380,
        length: 38,
        line: 1,
        column: 4381,
        highlight: r"\u003c\u003cCREDENTIAL.splunk_password",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/5/options/headers/x-apikey",
        offset: 5313,
        length: 28,
        line: 1,
        column: 5314,
        highlight: "{{ .CREDENTIAL.virustotal }}",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "misspelled-auth-header",
        severity: "warning",
        pointer: "/agents/6/options/headers/Authorization:",
        offset: 6099,
        length: 14,
        line: 1,
        column: 6100,
        highlight: "Authorization:",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "conflicting-content-type",
        severity: "warning",
        pointer: "/agents/7/options/headers/Content-Type",
        offset: 6898,
        length: 16,
        line: 1,
        column: 6899,
        highlight: "application/json",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "unfilled-template-placeholder",
        severity: "error",
        pointer: "/agents/8/options/url",
        offset: 7576,
        length: 20,
        line: 1,
        column: 7577,
        highlight: "{your-instance_name}",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "unknown-http-option",
        severity: "warning",
        pointer: "/agents/8/options/contentType",
        offset: 7654,
        length: 11,
        line: 1,
        column: 7655,
        highlight: "contentType",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "duplicate-header",
        severity: "warning",
        pointer: "/agents/8/options/headers/Accept",
        offset: 7791,
        length: 6,
        line: 1,
        column: 7792,
        highlight: "Accept",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "concat-in-basic-auth",
        severity: "error",
        pointer: "/agents/9/options/headers/Authorization",
        offset: 8692,
        length: 6,
        line: 1,
        column: 8693,
        highlight: "concat",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "credential-in-url",
        severity: "warning",
        pointer: "/agents/10/options/url",
        offset: 9542,
        length: 65,
        line: 1,
        column: 9543,
        highlight: r"svc_tines:\u003c\u003cCREDENTIAL.artifactory_password\u003e\u003e",
    },
    Planted {
        file: "fixtures/defective/edr-alert-enrichment.min.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/11/options/payload/token",
        offset: 10365,
        length: 51,
        line: 1,
        column: 10366,
        highlight: SLACK_TOKEN,
    },
    Planted {
        file: "fixtures/defective/incident-response.min.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/agents/5/options/method",
        offset: 6712,
        length: 4,
        line: 1,
        column: 6713,
        highlight: "HEAD",
    },
    Planted {
        file: "fixtures/defective/incident-response.min.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/agents/6/options/method",
        offset: 7639,
        length: 4,
        line: 1,
        column: 7640,
        highlight: "pots",
    },
    Planted {
        file: "fixtures/defective/incident-response.min.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/14/options/headers/Authorization",
        offset: 15606,
        length: 24,
        line: 1,
        column: 15607,
        highlight: "u+e7Rk2PbW9xJq4TmZ1vNc8s",
    },
    Planted {
        file: "fixtures/defective/incident-response.min.json",
        rule: "missing-bearer-prefix",
        severity: "error",
        pointer: "/agents/14/options/headers/Authorization",
        offset: 15606,
        length: 24,
        line: 1,
        column: 15607,
        highlight: "u+e7Rk2PbW9xJq4TmZ1vNc8s",
    },
    Planted {
        file: "fixtures/defective/incident-response.min.json",
        rule: "basic-auth-not-base64",
        severity: "error",
        pointer: "/agents/15/options/headers/Authorization",
        offset: 16836,
        length: 44,
        line: 1,
        column: 16837,
        highlight: "svc_tines:<<CREDENTIAL.servicenow_password>>",
    },
    Planted {
        file: "fixtures/defective/incident-response.min.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/send_to_stories/0/agents/1/options/method",
        offset: 27822,
        length: 7,
        line: 1,
        column: 27823,
        highlight: "OPTIONS",
    },
    Planted {
        file: "fixtures/defective/jira-basic-auth-plaintext.json",
        rule: "basic-auth-not-base64",
        severity: "error",
        pointer: "/agents/2/options/headers/Authorization",
        offset: 3519,
        length: 20,
        line: 82,
        column: 35,
        highlight: "jira_bot:S3cr3t!pass",
    },
    Planted {
        file: "fixtures/defective/jira-basic-auth-plaintext.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/2/options/headers/Authorization",
        offset: 3528,
        length: 11,
        line: 82,
        column: 44,
        highlight: "S3cr3t!pass",
    },
    Planted {
        file: "fixtures/defective/jira-basic-auth-plaintext.json",
        rule: "basic-auth-not-base64",
        severity: "error",
        pointer: "/agents/4/options/headers/Authorization",
        offset: 5485,
        length: 53,
        line: 148,
        column: 35,
        highlight: "<<CREDENTIAL.jira_user>>:<<CREDENTIAL.jira_password>>",
    },
    Planted {
        file: "fixtures/defective/jira-basic-auth-plaintext.json",
        rule: "basic-auth-not-base64",
        severity: "error",
        pointer: "/agents/7/options/headers/Authorization",
        offset: 9508,
        length: 18,
        line: 274,
        column: 35,
        highlight: r"\u0061dmin:hunter2",
    },
    Planted {
        file: "fixtures/defective/jira-basic-auth-plaintext.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/7/options/headers/Authorization",
        offset: 9519,
        length: 7,
        line: 274,
        column: 46,
        highlight: "hunter2",
    },
    Planted {
        file: "fixtures/defective/mixed-methods.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/agents/0/options/method",
        offset: 1153,
        length: 5,
        line: 19,
        column: 20,
        highlight: "fetch",
    },
    Planted {
        file: "fixtures/defective/mixed-methods.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/6/options/headers/Authorization",
        offset: 7572,
        length: 34,
        line: 219,
        column: 35,
        highlight: "{% credential inventory_service %}",
    },
    Planted {
        file: "fixtures/defective/mixed-methods.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/agents/7/options/method",
        offset: 8538,
        length: 5,
        line: 248,
        column: 20,
        highlight: "TRACE",
    },
    Planted {
        file: "fixtures/defective/mixed-methods.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/agents/8/options/method",
        offset: 9466,
        length: 7,
        line: 279,
        column: 20,
        highlight: "CONNECT",
    },
    Planted {
        file: "fixtures/defective/slack-alert-missing-bearer.json",
        rule: "missing-bearer-prefix",
        severity: "error",
        pointer: "/agents/3/options/headers/Authorization",
        offset: 4261,
        length: 30,
        line: 115,
        column: 29,
        highlight: "<<CREDENTIAL.slack_bot_token>>",
    },
    Planted {
        file: "fixtures/defective/slack-alert-missing-bearer.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/5/options/headers/authorization",
        offset: 6685,
        length: 31,
        line: 188,
        column: 29,
        highlight: "{{ .CREDENTIAL.pagerduty_key }}",
    },
    Planted {
        file: "fixtures/defective/slack-alert-missing-bearer.json",
        rule: "missing-bearer-prefix",
        severity: "error",
        pointer: "/agents/5/options/headers/authorization",
        offset: 6685,
        length: 31,
        line: 188,
        column: 29,
        highlight: "{{ .CREDENTIAL.pagerduty_key }}",
    },
    Planted {
        file: "fixtures/defective/slack-alert-missing-bearer.json",
        rule: "missing-bearer-prefix",
        severity: "error",
        pointer: "/agents/6/options/headers/AUTHORIZATION",
        offset: 8094,
        length: 32,
        line: 233,
        column: 31,
        highlight: "<<.CREDENTIAL.servicenow_token>>",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "unresolved-reference",
        severity: "error",
        pointer: "/agents/2/options/url",
        offset: 1129,
        length: 14,
        line: 38,
        column: 53,
        highlight: "get_tenant_idd",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "empty-credential",
        severity: "error",
        pointer: "/agents/3/options/headers/x-apikey",
        offset: 1819,
        length: 2,
        line: 58,
        column: 23,
        highlight: "\"\"",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "empty-credential",
        severity: "error",
        pointer: "/agents/4/options/headers/Key",
        offset: 2216,
        length: 1,
        line: 72,
        column: 19,
        highlight: " ",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "empty-credential",
        severity: "error",
        pointer: "/agents/5/options/headers/Authorization",
        offset: 2660,
        length: 7,
        line: 88,
        column: 29,
        highlight: "Bearer ",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "empty-credential",
        severity: "error",
        pointer: "/agents/6/options/url",
        offset: 3239,
        length: 4,
        line: 108,
        column: 81,
        highlight: "key=",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "wrong-auth-form",
        severity: "warning",
        pointer: "/agents/7/options/url",
        offset: 3590,
        length: 46,
        line: 119,
        column: 94,
        highlight: "key=<<URL_ENCODE(CREDENTIAL.urlscan_api_key)>>",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "credential-in-url",
        severity: "warning",
        pointer: "/agents/7/options/url",
        offset: 3607,
        length: 26,
        line: 119,
        column: 111,
        highlight: "CREDENTIAL.urlscan_api_key",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "credential-over-http",
        severity: "error",
        pointer: "/agents/8/options/url",
        offset: 3900,
        length: 4,
        line: 130,
        column: 17,
        highlight: "http",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "reference-not-upstream",
        severity: "warning",
        pointer: "/agents/9/options/headers/Authorization",
        offset: 4588,
        length: 18,
        line: 151,
        column: 38,
        highlight: "get_defender_token",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "reference-not-upstream",
        severity: "warning",
        pointer: "/agents/10/options/payload/vt",
        offset: 5041,
        length: 26,
        line: 168,
        column: 20,
        highlight: "look_up_hash_in_virustotal",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "unresolved-reference",
        severity: "error",
        pointer: "/agents/11/options/url",
        offset: 5483,
        length: 15,
        line: 180,
        column: 54,
        highlight: "azure_tenant_id",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "unresolved-reference",
        severity: "error",
        pointer: "/agents/11/options/payload/client_id",
        offset: 5623,
        length: 9,
        line: 184,
        column: 28,
        highlight: "client_id",
    },
    Planted {
        file: "fixtures/defective/story-references.json",
        rule: "unresolved-reference",
        severity: "error",
        pointer: "/agents/11/options/payload/client_secret",
        offset: 5669,
        length: 13,
        line: 185,
        column: 32,
        highlight: "client_secret",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/1/options/basic_auth",
        offset: 2146,
        length: 16,
        line: 48,
        column: 35,
        highlight: "KLzdocJ2isAjIhKt",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "basic-auth-missing-colon",
        severity: "error",
        pointer: "/agents/3/options/headers/Authorization",
        offset: 4767,
        length: 12,
        line: 117,
        column: 35,
        highlight: "c3ZjLWppcmE=",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/3/options/headers/Authorization",
        offset: 4767,
        length: 12,
        line: 117,
        column: 35,
        highlight: "c3ZjLWppcmE=",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "concat-in-basic-auth",
        severity: "error",
        pointer: "/agents/4/options/headers/Authorization",
        offset: 5803,
        length: 6,
        line: 150,
        column: 51,
        highlight: "CONCAT",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "misspelled-auth-header",
        severity: "warning",
        pointer: "/agents/5/options/headers/Authentication",
        offset: 7267,
        length: 14,
        line: 197,
        column: 12,
        highlight: "Authentication",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/6/options/headers/Authorization",
        offset: 8405,
        length: 40,
        line: 229,
        column: 35,
        highlight: GITHUB_TOKEN,
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "credential-in-url",
        severity: "warning",
        pointer: "/agents/7/options/url",
        offset: 9379,
        length: 26,
        line: 258,
        column: 107,
        highlight: "<<CREDENTIAL.nvd_api_key>>",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "conflicting-content-type",
        severity: "warning",
        pointer: "/agents/8/options/headers/Content-Type",
        offset: 10534,
        length: 10,
        line: 295,
        column: 28,
        highlight: "text/plain",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "unknown-http-option",
        severity: "warning",
        pointer: "/agents/9/options/content-type",
        offset: 11754,
        length: 12,
        line: 331,
        column: 10,
        highlight: "content-type",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "unknown-http-option",
        severity: "warning",
        pointer: "/agents/9/options/body",
        offset: 11786,
        length: 4,
        line: 332,
        column: 10,
        highlight: "body",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "unfilled-template-placeholder",
        severity: "error",
        pointer: "/agents/10/options/url",
        offset: 12890,
        length: 24,
        line: 364,
        column: 25,
        highlight: "{my-mastodon-web_domain}",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "unfilled-template-placeholder",
        severity: "error",
        pointer: "/agents/10/options/headers/Authorization",
        offset: 13060,
        length: 15,
        line: 368,
        column: 49,
        highlight: "{my-credential}",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "duplicate-header",
        severity: "warning",
        pointer: "/agents/11/options/headers/authorization",
        offset: 14347,
        length: 13,
        line: 406,
        column: 12,
        highlight: "authorization",
    },
    Planted {
        file: "fixtures/defective/vuln-disclosure-intake.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/12/options/headers/Authorization",
        offset: 15632,
        length: 25,
        line: 442,
        column: 35,
        highlight: "{% credential cmdb_api %}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/0/options/headers/Authorization",
        offset: 733,
        length: 25,
        line: 1,
        column: 734,
        highlight: "{{ .CREDENTIAL.aws_sqs }}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/4/options/headers/Authorization",
        offset: 2260,
        length: 34,
        line: 1,
        column: 2261,
        highlight: "{% credential HybridAnalysisAPI %}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/5/options/headers/Authorization",
        offset: 2815,
        length: 32,
        line: 1,
        column: 2816,
        highlight: "{{ .CREDENTIAL.lambda_invoker }}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/7/options/headers/Authorization",
        offset: 3873,
        length: 31,
        line: 1,
        column: 3874,
        highlight: "{% credential onelogin_token %}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/9/options/headers/Authorization",
        offset: 4667,
        length: 28,
        line: 1,
        column: 4668,
        highlight: "{{ .CREDENTIAL.jira_basic }}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/10/options/headers/Authorization",
        offset: 5513,
        length: 54,
        line: 1,
        column: 5514,
        highlight: "{{ .CREDENTIAL.servicenow_user_pass | base64_encode }}",
    },
    Planted {
        file: "fixtures/legacy/aws-sqs-enrichment.min.json",
        rule: "legacy-liquid-reference",
        severity: "info",
        pointer: "/agents/11/options/headers/Authorization",
        offset: 6037,
        length: 25,
        line: 1,
        column: 6038,
        highlight: "{{ .CREDENTIAL.aws_sqs }}",
    },
    Planted {
        file: "fixtures/shapes/action-array.json",
        rule: "unsupported-http-method",
        severity: "error",
        pointer: "/1/options/method",
        offset: 1339,
        length: 4,
        line: 45,
        column: 18,
        highlight: "HEAD",
    },
    Planted {
        file: "fixtures/shapes/copied-actions.json",
        rule: "basic-auth-not-base64",
        severity: "error",
        pointer: "/agents/1/options/headers/Authorization",
        offset: 1580,
        length: 9,
        line: 46,
        column: 35,
        highlight: "user:pass",
    },
    Planted {
        file: "fixtures/shapes/copied-actions.json",
        rule: "hardcoded-secret",
        severity: "warning",
        pointer: "/agents/1/options/headers/Authorization",
        offset: 1585,
        length: 4,
        line: 46,
        column: 40,
        highlight: "pass",
    },
    Planted {
        file: "fixtures/shapes/single-action.json",
        rule: "missing-bearer-prefix",
        severity: "error",
        pointer: "/options/headers/Authorization",
        offset: 524,
        length: 30,
        line: 12,
        column: 25,
        highlight: "<< CREDENTIAL.tines_api_key >>",
    },
];

#[test]
fn fixtures_report_exactly_the_planted_findings_in_order() {
    let (doc, code) = check_repo_json(&["--now", NOW, "fixtures/"]);
    assert_eq!(code, 1, "error findings make the exit code 1");
    assert_eq!(rows(&doc), expected_rows(""));
    assert_eq!(doc["summary"]["files"], 19);
    assert_eq!(doc["summary"]["checked"], 18);
    assert_eq!(doc["summary"]["skipped"], 1);
    assert_eq!(doc["summary"]["failed"], 0);
    let count = |sev: &str| EXPECTED.iter().filter(|p| p.severity == sev).count();
    assert_eq!(doc["summary"]["findings"]["error"], count("error"));
    assert_eq!(doc["summary"]["findings"]["warning"], count("warning"));
    assert_eq!(doc["summary"]["findings"]["info"], count("info"));
    assert_eq!(
        (count("error"), count("warning"), count("info")),
        (36, 27, 11)
    );
    assert_eq!(doc["errors"], Value::Array(vec![]));
    assert_eq!(doc["warnings"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["warnings"][0]["kind"], "not-an-export");
    assert_eq!(
        doc["warnings"][0]["file"],
        "fixtures/shapes/not-an-export.json"
    );
}

#[test]
fn each_file_reports_its_planted_findings_alone() {
    let mut files: Vec<&str> = EXPECTED.iter().map(|p| p.file).collect();
    files.dedup();
    for file in files {
        let (doc, _) = check_repo_json(&["--now", NOW, file]);
        assert_eq!(rows(&doc), expected_rows(file), "{file}");
    }
}

#[test]
fn highlighted_bytes_are_the_offending_text() {
    let (doc, _) = check_repo_json(&["--now", NOW, "fixtures/"]);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), EXPECTED.len());
    for (f, want) in findings.iter().zip(EXPECTED) {
        let text = read_repo_file(want.file);
        let at = f["offset"].as_u64().unwrap() as usize;
        let len = f["length"].as_u64().unwrap() as usize;
        assert_eq!(
            &text[at..at + len],
            want.highlight,
            "{} {} {}",
            want.file,
            want.rule,
            want.pointer
        );
        // Line and column are those of the offset (all fixtures are ASCII).
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').map_or(0, |nl| nl + 1) + 1;
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(line as u64), Some(column as u64)),
            "{} {}",
            want.file,
            want.pointer
        );
        // The finding names the action it is in.
        let action = f["action"]["pointer"].as_str().unwrap();
        assert!(
            want.pointer.starts_with(&format!("{action}/")),
            "{action} does not hold {}",
            want.pointer
        );
    }
    let action = &findings
        .iter()
        .find(|f| f["file"] == "fixtures/defective/jira-basic-auth-plaintext.json")
        .unwrap()["action"];
    assert_eq!(action["name"], "Search Existing Jira Issues");
    assert_eq!(action["type"], "Agents::HTTPRequestAgent");
    assert_eq!(action["pointer"], "/agents/2");
    assert!(action["guid"].as_str().is_some_and(|g| g.len() == 32));
}

#[test]
fn secrets_are_never_printed() {
    // Each secret really is in a fixture, and is highlighted by a finding.
    for secret in SECRETS {
        assert!(
            EXPECTED
                .iter()
                .any(|p| p.rule == "hardcoded-secret" && p.highlight.contains(secret)),
            "{secret} is not a planted hardcoded-secret"
        );
    }
    for format in ["json", "human"] {
        for now in [NOW, "2000-01-01"] {
            let (stdout, code) = check_repo(&[
                "--format",
                format,
                "--color",
                "never",
                "--now",
                now,
                "fixtures/",
            ]);
            assert_eq!(code, 1);
            assert!(stdout.contains("hardcoded-secret"), "{format}");
            for secret in SECRETS {
                assert!(
                    !stdout.contains(secret),
                    "--format {format} --now {now} prints the secret {secret}"
                );
            }
        }
    }
}

#[test]
fn expired_jwt_depends_on_now() {
    let file = "fixtures/defective/edr-alert-enrichment.min.json";
    let (after, _) = check_repo_json(&["--now", NOW, file]);
    let (before, _) = check_repo_json(&["--now", "2000-01-01", file]);
    let after = rows(&after);
    let before = rows(&before);
    let expired: Vec<Row> = after
        .iter()
        .filter(|r| r.1 == "expired-jwt")
        .cloned()
        .collect();
    assert_eq!(
        expired,
        [(
            file.to_string(),
            "expired-jwt".to_string(),
            "warning".to_string(),
            "/agents/2/options/headers/Authorization".to_string(),
            2590,
            228,
            1,
            2591
        )]
    );
    // Before the token expired, only that finding goes; `hardcoded-secret`
    // still reports the same token.
    let rest: Vec<Row> = after.into_iter().filter(|r| r.1 != "expired-jwt").collect();
    assert_eq!(before, rest);
    assert!(
        before
            .iter()
            .any(|r| r.1 == "hardcoded-secret" && r.4 == 2590)
    );
}

#[test]
fn clean_fixtures_have_no_findings() {
    let (doc, code) = check_repo_json(&["--now", NOW, "--fail-on", "info", "fixtures/clean"]);
    assert_eq!(doc["findings"], Value::Array(vec![]));
    assert_eq!(doc["errors"], Value::Array(vec![]));
    assert_eq!(doc["warnings"], Value::Array(vec![]));
    assert_eq!(doc["summary"]["files"], 5);
    assert_eq!(doc["summary"]["checked"], 5);
    assert_eq!(code, 0);
}

#[test]
fn legacy_fixtures_report_only_liquid_references() {
    let (doc, code) = check_repo_json(&["--now", NOW, "fixtures/legacy"]);
    assert_eq!(code, 0, "info findings do not fail the run by default");
    let want = expected_rows("fixtures/legacy/");
    assert_eq!(want.len(), 7);
    assert!(
        want.iter()
            .all(|r| r.1 == "legacy-liquid-reference" && r.2 == "info")
    );
    assert_eq!(rows(&doc), want);
    assert_eq!(doc["summary"]["checked"], 1);
    assert_eq!(doc["summary"]["findings"]["error"], 0);
    assert_eq!(doc["summary"]["findings"]["warning"], 0);
    assert_eq!(doc["summary"]["findings"]["info"], 7);
    assert_eq!(doc["errors"], Value::Array(vec![]));
    assert_eq!(doc["warnings"], Value::Array(vec![]));
    // Plain references come with the formula form; one with a filter does not.
    let suggestions: Vec<Option<&str>> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["suggestion"].as_str())
        .collect();
    assert_eq!(suggestions[0], Some("<<CREDENTIAL.aws_sqs>>"));
    assert_eq!(suggestions[2], Some("<<CREDENTIAL.lambda_invoker>>"));
    assert_eq!(suggestions[3], Some("<<CREDENTIAL.onelogin_token>>"));
    assert_eq!(suggestions[4], Some("<<CREDENTIAL.jira_basic>>"));
    assert_eq!(suggestions[5], None);
    assert_eq!(suggestions[6], Some("<<CREDENTIAL.aws_sqs>>"));

    let (_, code) = check_repo_json(&["--now", NOW, "--fail-on", "info", "fixtures/legacy"]);
    assert_eq!(code, 1, "--fail-on info counts them");
}
