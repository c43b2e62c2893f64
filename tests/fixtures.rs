//! The bundled fixtures through the real binary: exactly the planted
//! findings, at the right bytes, and nothing on the clean stories.

use serde_json::Value;
use std::process::Command;

fn check_json(args: &[&str]) -> (Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_storylint"))
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run storylint");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    (doc, out.status.code().unwrap_or(-1))
}

/// (file, rule, pointer, offset, length, line, column) for every planted defect.
const EXPECTED: &[(&str, &str, &str, u64, u64, u64, u64)] = &[
    (
        "fixtures/defective/incident-response.min.json",
        "unsupported-http-method",
        "/agents/5/options/method",
        6712,
        4,
        1,
        6713,
    ),
    (
        "fixtures/defective/incident-response.min.json",
        "unsupported-http-method",
        "/agents/6/options/method",
        7639,
        4,
        1,
        7640,
    ),
    (
        "fixtures/defective/incident-response.min.json",
        "missing-bearer-prefix",
        "/agents/14/options/headers/Authorization",
        15606,
        24,
        1,
        15607,
    ),
    (
        "fixtures/defective/incident-response.min.json",
        "basic-auth-not-base64",
        "/agents/15/options/headers/Authorization",
        16836,
        44,
        1,
        16837,
    ),
    (
        "fixtures/defective/incident-response.min.json",
        "unsupported-http-method",
        "/send_to_stories/0/agents/1/options/method",
        27822,
        7,
        1,
        27823,
    ),
    (
        "fixtures/defective/jira-basic-auth-plaintext.json",
        "basic-auth-not-base64",
        "/agents/2/options/headers/Authorization",
        3519,
        20,
        82,
        35,
    ),
    (
        "fixtures/defective/jira-basic-auth-plaintext.json",
        "basic-auth-not-base64",
        "/agents/4/options/headers/Authorization",
        5485,
        53,
        148,
        35,
    ),
    (
        "fixtures/defective/jira-basic-auth-plaintext.json",
        "basic-auth-not-base64",
        "/agents/7/options/headers/Authorization",
        9508,
        18,
        274,
        35,
    ),
    (
        "fixtures/defective/mixed-methods.json",
        "unsupported-http-method",
        "/agents/0/options/method",
        1153,
        5,
        19,
        20,
    ),
    (
        "fixtures/defective/mixed-methods.json",
        "unsupported-http-method",
        "/agents/7/options/method",
        8538,
        5,
        248,
        20,
    ),
    (
        "fixtures/defective/mixed-methods.json",
        "unsupported-http-method",
        "/agents/8/options/method",
        9466,
        7,
        279,
        20,
    ),
    (
        "fixtures/defective/slack-alert-missing-bearer.json",
        "missing-bearer-prefix",
        "/agents/3/options/headers/Authorization",
        4261,
        30,
        115,
        29,
    ),
    (
        "fixtures/defective/slack-alert-missing-bearer.json",
        "missing-bearer-prefix",
        "/agents/5/options/headers/authorization",
        6685,
        31,
        188,
        29,
    ),
    (
        "fixtures/defective/slack-alert-missing-bearer.json",
        "missing-bearer-prefix",
        "/agents/6/options/headers/AUTHORIZATION",
        8094,
        32,
        233,
        31,
    ),
    (
        "fixtures/shapes/action-array.json",
        "unsupported-http-method",
        "/1/options/method",
        1339,
        4,
        45,
        18,
    ),
    (
        "fixtures/shapes/copied-actions.json",
        "basic-auth-not-base64",
        "/agents/1/options/headers/Authorization",
        1580,
        9,
        46,
        35,
    ),
    (
        "fixtures/shapes/single-action.json",
        "missing-bearer-prefix",
        "/options/headers/Authorization",
        524,
        30,
        12,
        25,
    ),
];

#[test]
fn fixtures_report_exactly_the_planted_findings_in_order() {
    let (doc, code) = check_json(&["fixtures/"]);
    assert_eq!(code, 1, "error findings make the exit code 1");
    let got: Vec<(String, String, String, u64, u64, u64, u64)> = doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["pointer"].as_str().unwrap_or_default().to_string(),
                f["offset"].as_u64().unwrap_or_default(),
                f["length"].as_u64().unwrap_or_default(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let want: Vec<_> = EXPECTED
        .iter()
        .map(|(a, b, c, d, e, f, g)| (a.to_string(), b.to_string(), c.to_string(), *d, *e, *f, *g))
        .collect();
    assert_eq!(got, want);
    assert_eq!(doc["summary"]["files"], 11);
    assert_eq!(doc["summary"]["checked"], 10);
    assert_eq!(doc["summary"]["skipped"], 1);
    assert_eq!(doc["summary"]["findings"]["error"], 17);
    assert_eq!(doc["warnings"][0]["kind"], "not-an-export");
    assert_eq!(
        doc["warnings"][0]["file"],
        "fixtures/shapes/not-an-export.json"
    );
}

#[test]
fn highlighted_bytes_are_the_offending_text() {
    let (doc, _) = check_json(&["fixtures/defective/jira-basic-auth-plaintext.json"]);
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/defective/jira-basic-auth-plaintext.json"),
    )
    .unwrap();
    let spans: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = f["offset"].as_u64().unwrap() as usize;
            &text[at..at + f["length"].as_u64().unwrap() as usize]
        })
        .collect();
    assert_eq!(
        spans,
        [
            "jira_bot:S3cr3t!pass",
            "<<CREDENTIAL.jira_user>>:<<CREDENTIAL.jira_password>>",
            r"\u0061dmin:hunter2"
        ]
    );
    let action = &doc["findings"][0]["action"];
    assert_eq!(action["name"], "Search Existing Jira Issues");
    assert_eq!(action["type"], "Agents::HTTPRequestAgent");
    assert_eq!(action["pointer"], "/agents/2");
    assert!(action["guid"].as_str().is_some_and(|g| g.len() == 32));
}

#[test]
fn clean_fixtures_have_no_findings() {
    let (doc, code) = check_json(&["fixtures/clean"]);
    assert_eq!(doc["findings"], Value::Array(vec![]));
    assert_eq!(doc["summary"]["checked"], 3);
    assert_eq!(code, 0);
}
