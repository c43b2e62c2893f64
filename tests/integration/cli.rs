//! The command line as users run it: snapshots of stdout, stderr and the
//! exit code, and the contract that one bad file never hides the others.

use crate::common::{DEFECTIVE_ACTION, repo, run, storylint};
use insta_cmd::assert_cmd_snapshot;
use std::fs;

#[test]
fn human_report_on_pretty_exports() {
    assert_cmd_snapshot!(storylint(repo()).args([
        "check",
        "--color",
        "never",
        "fixtures/defective/jira-basic-auth-plaintext.json",
        "fixtures/shapes",
    ]));
}

#[test]
fn human_report_windows_long_minified_lines() {
    let out = storylint(repo())
        .args([
            "check",
            "--color",
            "never",
            "fixtures/defective/incident-response.min.json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The file is one line of ~34 KB; no printed source line may come near that.
    let longest = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("1 │"))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    assert!(longest > 100, "source lines are shown: {stdout}");
    assert!(longest < 200, "longest line is {longest} characters");
    assert!(
        stdout.contains("incident-response.min.json:1:6713"),
        "{stdout}"
    );
    assert_cmd_snapshot!(storylint(repo()).args([
        "check",
        "--color",
        "never",
        "fixtures/defective/incident-response.min.json"
    ]));
}

#[test]
fn bad_inputs_are_located_errors_and_never_hide_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("a-truncated.json"),
        "{\n  \"agents\": [\n    {\"type\": \"Agents::HTTPRequestAgent\"",
    )
    .unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(DEFECTIVE_ACTION.as_bytes());
    fs::write(d.join("b-bom.json"), bom).unwrap();
    fs::write(d.join("c-latin1.json"), b"{\"name\": \"caf\xe9\"}").unwrap();
    fs::write(d.join("d-empty.json"), "").unwrap();
    fs::write(d.join("e-two-docs.json"), "{}\n{}\n").unwrap();
    fs::write(d.join("f-defective.json"), DEFECTIVE_ACTION).unwrap();
    fs::write(d.join("g-utf16.json"), [0xFF, 0xFE, b'{', 0, b'}', 0]).unwrap();
    assert_cmd_snapshot!(
        "bad_inputs_human",
        storylint(d).args(["check", "--color", "never", "."])
    );
    assert_cmd_snapshot!(
        "bad_inputs_json",
        storylint(d).args(["check", "--format", "json", "."])
    );
}

#[test]
fn missing_path_is_an_error_but_other_paths_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ok.json"), DEFECTIVE_ACTION).unwrap();
    assert_cmd_snapshot!(storylint(dir.path()).args([
        "check",
        "--color",
        "never",
        "missing.json",
        "ok.json"
    ]));
}

#[test]
fn invalid_user_rule_is_located_in_the_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("rules")).unwrap();
    fs::write(
        d.join("rules/bad.yaml"),
        "id: no-head\nseverity: error\nsummary: s\nmessage: m\ntarget:\n  path: options.method\nwhen:\n  matches: '^(HEAD'\nexamples: {}\n",
    )
    .unwrap();
    fs::write(
        d.join("rules/typo.yaml"),
        "id: typo\nseverity: error\nsumary: s\n",
    )
    .unwrap();
    fs::write(d.join("x.json"), DEFECTIVE_ACTION).unwrap();
    assert_cmd_snapshot!(
        storylint(d).args(["check", "--color", "never", "--rules", "rules", "x.json"])
    );
}

#[test]
fn show_on_the_command_line_limits_every_format_but_not_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let legacy = r#"{"type": "Agents::HTTPRequestAgent", "options": {"method": "HEAD", "headers": {"X": "{% credential a %}"}}}"#;
    crate::common::put(d, "a.json", legacy);
    let rules = |doc: &serde_json::Value| -> Vec<String> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    // Without the flag, machine formats list everything, whatever the
    // configuration's `show`.
    crate::common::put(d, ".storylint.yaml", "show: error\n");
    let (code, all) = crate::common::check_json(d, &["a.json"]);
    assert_eq!(
        rules(&all),
        ["unsupported-http-method", "legacy-liquid-reference"]
    );
    let (shown_code, shown) = crate::common::check_json(d, &["--show", "warning", "a.json"]);
    assert_eq!(rules(&shown), ["unsupported-http-method"]);
    assert_eq!(shown["summary"]["findings"], all["summary"]["findings"]);
    assert_eq!(shown_code, code);
    let sarif = crate::common::run(
        d,
        &["check", "--show", "warning", "--format", "sarif", "a.json"],
    );
    assert_eq!(
        sarif.stdout.matches("\"ruleId\"").count(),
        1,
        "{}",
        sarif.stdout
    );
    // Failing on info still fails on the finding that is not listed.
    let (code, _) = crate::common::check_json(
        d,
        &[
            "--show",
            "error",
            "--fail-on",
            "info",
            "--no-config",
            "a.json",
        ],
    );
    assert_eq!(code, 1);
}

#[test]
fn every_misspelt_key_of_a_rule_file_is_reported_in_one_run_then_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::common::put(
        d,
        "rules/bad.yaml",
        "id: Bad_Rule\nseverity: fatal\nsummary: s\nmesage: m\nmessage: 'x {nope}'\ntarget:\n  pathh: options.url\n  path: options.url\nwhen:\n  matchs: 'a'\nexamples:\n  valid: []\n",
    );
    let (code, doc) = crate::common::check_json(d, &["--no-config", "--rules", "rules", "rules"]);
    assert_eq!(code, 2);
    let errors: Vec<(String, u64)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"].as_str().unwrap().ends_with("bad.yaml"))
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // Three misspelt keys, each at its line, then what is wrong with the
    // values: the id, the severity, the placeholder.
    let kinds: Vec<&str> = errors.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.iter().all(|k| *k == "invalid-rule"), "{errors:?}");
    let lines: Vec<u64> = errors.iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, [4, 7, 10, 1, 2, 5], "{errors:?}");
}

#[test]
fn a_value_of_the_wrong_type_does_not_hide_the_other_errors_of_a_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::common::put(
        d,
        "rules/bad.yaml",
        "id: Bad_Rule\nseverity: fatal\nsummary: s\nlabel: [not, a, string]\nmesage: m\nmessage: 'x {nope}'\ntarget:\n  path: options.url\n  skip-templated: maybe\nwhen:\n  matches: 'a'\nexamples:\n  valid: []\n",
    );
    let (code, doc) = crate::common::check_json(d, &["--no-config", "--rules", "rules", "rules"]);
    assert_eq!(code, 2);
    let lines: Vec<u64> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "invalid-rule")
        .map(|e| e["line"].as_u64().unwrap_or(0))
        .collect();
    // The label's type, the misspelt key, the boolean, then the values.
    assert_eq!(lines, [4, 5, 9, 1, 2, 6], "{doc}");
}

#[test]
fn user_rules_run_and_fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("no-example-hosts.yaml"),
        r#"id: example-host
severity: info
summary: Request goes to an example host
message: "request to {value} goes to an example host"
target:
  action-types: [Agents::HTTPRequestAgent]
  path: options.url
when:
  host-matches: ["*.example.com"]
examples:
  valid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.github.com"}}'
  invalid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.example.com"}}'
      highlight: "https://api.example.com"
"#,
    )
    .unwrap();
    let action =
        r#"{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.example.com/v1"}}"#;
    fs::write(d.join("x.json"), action).unwrap();
    let code = |extra: &[&str]| {
        storylint(d)
            .args(["check", "--rules", "no-example-hosts.yaml", "x.json"])
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        code(&[]),
        Some(0),
        "an info finding does not fail by default"
    );
    assert_eq!(code(&["--fail-on", "info"]), Some(1));
    assert_eq!(code(&["--fail-on", "warning"]), Some(0));
    assert_cmd_snapshot!(storylint(d).args([
        "check",
        "--format",
        "json",
        "--rules",
        "no-example-hosts.yaml",
        "x.json"
    ]));
}

#[test]
fn stdin_is_checked_under_the_given_name() {
    assert_cmd_snapshot!(
        storylint(repo())
            .args([
                "check",
                "--format",
                "json",
                "--stdin-filename",
                "pasted.json",
                "-"
            ])
            .pass_stdin(DEFECTIVE_ACTION)
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = storylint(repo())
        .args(["check", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'xml'"));
    let out = storylint(repo()).args(["--version"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = storylint(repo());
        cmd.args(["check", "fixtures/shapes/action-array.json"])
            .args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(&["--color", "always"], false).contains("\x1b["));
    assert!(!run(&["--color", "never"], false).contains("\x1b["));
    // Not a terminal: auto means no colour, and never a hyperlink escape.
    let auto = run(&[], false);
    assert!(!auto.contains("\x1b["));
    assert!(!auto.contains("\x1b]8;"));
    assert!(!run(&[], true).contains("\x1b["));
    let forced = {
        let mut cmd = storylint(repo());
        cmd.args(["check", "fixtures/shapes/action-array.json"])
            .env("CLICOLOR_FORCE", "1");
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(forced.contains("\x1b["));
}

#[test]
fn json_output_is_identical_whatever_the_thread_count() {
    let run = |threads: &str| {
        storylint(repo())
            .args([
                "check",
                "--format",
                "json",
                "--threads",
                threads,
                "fixtures",
            ])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run("1"), run("2"));
    assert_eq!(run("1"), run("7"));
}

#[test]
fn rules_lists_and_explains_the_rules() {
    assert_cmd_snapshot!(storylint(repo()).args(["rules"]));
    let out = storylint(repo())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"missing-bearer-prefix"), "{ids:?}");
    let explain = storylint(repo())
        .args(["explain", "basic-auth-not-base64"])
        .output()
        .unwrap();
    let text = String::from_utf8(explain.stdout).unwrap();
    assert_eq!(explain.status.code(), Some(0));
    for part in [
        "Why",
        "How to fix",
        "Reported (bad)",
        "Not reported (good)",
        "Basic jira_bot:S3cr3t!pass",
    ] {
        assert!(text.contains(part), "explain lacks {part}: {text}");
    }
    let unknown = storylint(repo())
        .args(["explain", "missing-bearer"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("did you mean `missing-bearer-prefix`")
    );
}

#[test]
fn test_rules_shows_expected_and_reported_for_failing_examples() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("no-get.yaml"),
        r#"id: no-get
severity: warning
summary: GET requests
message: "GET"
target:
  path: options.method
when:
  one-of: [get]
  ignore-case: true
examples:
  valid:
    - name: post is fine
      input: '{"type": "Agents::HTTPRequestAgent", "options": {"method": "post"}}'
    - name: wrongly listed as valid
      input: '{"type": "Agents::HTTPRequestAgent", "options": {"method": "GET"}}'
  invalid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"method": "get"}}'
      highlight: GET
    - input: 'not json'
      highlight: get
"#,
    )
    .unwrap();
    fs::write(
        d.join("bare.yaml"),
        "id: bare\nseverity: info\nsummary: s\nmessage: m\ntarget:\n  path: name\nexamples: {}\n",
    )
    .unwrap();
    assert_cmd_snapshot!(storylint(d).args(["test-rules", "no-get.yaml", "bare.yaml"]));
    let ok = storylint(repo()).args(["test-rules"]).output().unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[test]
fn statistics_tabulates_findings_per_rule_instead_of_listing_them() {
    // fixtures/ holds 60 findings of 15 rules in 15 files (fixtures/README.md).
    assert_cmd_snapshot!(storylint(repo()).args([
        "check",
        "--color",
        "never",
        "--now",
        "2026-01-01",
        "--statistics",
        "fixtures",
    ]));
}

#[test]
fn json_summary_counts_findings_per_rule_and_file() {
    let out = storylint(repo())
        .args([
            "check",
            "--format",
            "json",
            "--now",
            "2026-01-01",
            "fixtures",
        ])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["findings"].as_array().unwrap();
    let rules = doc["summary"]["rules"].as_array().unwrap();
    // The table agrees with the findings it summarises, row by row.
    let mut total = 0;
    for row in rules {
        let (rule, severity) = (
            row["rule"].as_str().unwrap(),
            row["severity"].as_str().unwrap(),
        );
        let of_row: Vec<&serde_json::Value> = findings
            .iter()
            .filter(|f| f["rule"] == rule && f["severity"] == severity)
            .collect();
        assert_eq!(
            row["findings"].as_u64().unwrap() as usize,
            of_row.len(),
            "{row}"
        );
        let files: std::collections::BTreeSet<&str> =
            of_row.iter().map(|f| f["file"].as_str().unwrap()).collect();
        assert_eq!(
            row["files"].as_u64().unwrap() as usize,
            files.len(),
            "{row}"
        );
        total += of_row.len();
    }
    assert_eq!(total, findings.len());
    // Most frequent first.
    let counts: Vec<u64> = rules
        .iter()
        .map(|r| r["findings"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(rules[0]["rule"], "legacy-liquid-reference");
    assert_eq!(rules[0]["findings"], 11);
}

#[test]
fn completions_print_scripts_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    // Every shell the CLI offers, and the README names them all.
    let help = run(dir.path(), &["completions", "--help"]).stdout;
    let offered = help
        .split("[possible values: ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("completions --help lists the shells");
    let shells: Vec<&str> = offered.split(", ").collect();
    assert_eq!(shells.len(), 5, "{offered}");
    let readme = crate::common::read_repo_file("docs/usage.md");
    let documented = format!("`storylint completions {}`", {
        let mut sorted = shells.clone();
        sorted.sort_by_key(|s| {
            ["bash", "zsh", "fish", "elvish", "powershell"]
                .iter()
                .position(|k| k == s)
        });
        sorted.join("|")
    });
    assert!(
        readme.contains(&documented),
        "docs/usage.md lacks {documented}"
    );
    for shell in shells {
        let out = run(dir.path(), &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.len() > 100, "{shell}: {}", out.stdout);
        assert!(out.stdout.contains("storylint"), "{shell}");
        assert!(out.stdout.contains("check"), "{shell}");
        assert!(out.stdout.contains("baseline"), "{shell}");
    }
    let out = run(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.code, 2);
}

/// The human format lists errors and warnings; info findings and notes are
/// counted in the summary with the flag that shows them. `--show` and the
/// configuration's `show` set the threshold; JSON keeps everything, and
/// the exit code does not change.
#[test]
fn info_findings_are_hidden_from_the_human_format_and_counted() {
    let legacy = crate::common::repo().join("fixtures/legacy");
    let out = run(&legacy, &["check", "--color", "never", "."]);
    assert_eq!(out.code, 0);
    assert!(
        !out.stdout.contains("legacy-liquid-reference"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.trim_end(),
        "storylint: 0 errors, 0 warnings, 7 info in 1 file (1 checked); 7 info not shown (--show info)"
    );
    let shown = run(
        &legacy,
        &["check", "--color", "never", "--show", "info", "."],
    );
    assert_eq!(
        shown.stdout.matches("\nlegacy-liquid-reference\n").count()
            + usize::from(shown.stdout.starts_with("legacy-liquid-reference\n")),
        7
    );
    assert!(
        shown.stdout.trim_end().ends_with("in 1 file (1 checked)"),
        "{}",
        shown.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    crate::common::put(dir.path(), ".storylint.yaml", "show: info\n");
    crate::common::put(
        dir.path(),
        "a.json",
        &crate::common::read_repo_file("fixtures/legacy/aws-sqs-enrichment.min.json"),
    );
    let from_config = run(dir.path(), &["check", "--color", "never", "a.json"]);
    assert!(
        from_config.stdout.contains("legacy-liquid-reference"),
        "{}",
        from_config.stdout
    );
    let (_, doc) = crate::common::check_json(&legacy, &["."]);
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        7,
        "JSON keeps everything"
    );
    let errors_only = run(
        &legacy,
        &[
            "check",
            "--color",
            "never",
            "--show",
            "error",
            "--fail-on",
            "info",
            ".",
        ],
    );
    assert_eq!(errors_only.code, 1, "the threshold hides, it does not pass");
}

/// A key missing from a rule file is placed at the mapping that lacks it
/// (the top of the file for `examples`), not at an unrelated key; a
/// misspelt key is `invalid-rule`, not invalid YAML.
#[test]
fn rule_file_shape_errors_are_invalid_rule_at_the_right_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("missing.yaml"),
        "id: x-rule\nseverity: warning\nsummary: s\nmessage: m\ntarget:\n  path: options.method\n",
    )
    .unwrap();
    fs::write(d.join("x.json"), DEFECTIVE_ACTION).unwrap();
    let (_, doc) = crate::common::check_json(d, &["--rules", "missing.yaml", "x.json"]);
    let e = &doc["errors"][0];
    assert_eq!(
        (e["kind"].as_str(), e["line"].as_u64(), e["column"].as_u64()),
        (Some("invalid-rule"), Some(1), Some(1)),
        "{doc:#}"
    );
    assert!(
        e["message"].as_str().unwrap().contains("`examples`"),
        "{e:#}"
    );
}
