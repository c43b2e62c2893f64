//! The second round of hostile inputs: secrets outside the finding's own
//! span, many findings sharing one secret, rule files behind links, names
//! with backslashes, absurd limits, FIFOs in the configuration,
//! interrupted writes, and YAML errors. (How long they take is measured
//! by `scripts/bench.sh`, its "adversarial" section, not here.)

use crate::common::{check_json, put, run, storylint};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

/// A token the `hardcoded-secret` rule recognises (a GitHub token).
const TOKEN: &str = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly0123";

/// A minified export: the token in a header (where `hardcoded-secret`
/// finds it) and again in the action's description and another header on
/// the same line, where no rule looks for it.
fn token_elsewhere_on_the_line() -> String {
    format!(
        r#"{{"agents":[{{"type":"Agents::HTTPRequestAgent","name":"Call GitHub","description":"token {TOKEN} rotated","options":{{"url":"https://api.github.com/user","method":"get","headers":{{"X-Copy":"{TOKEN}","Authorization":"Bearer {TOKEN}"}}}}}}]}}"#
    )
}

/// A pretty-printed export with the token on the line before the finding.
fn token_on_the_line_before() -> String {
    format!(
        "{{\n  \"agents\": [\n    {{\n      \"type\": \"Agents::HTTPRequestAgent\",\n      \"name\": \"Call GitHub\",\n      \"description\": \"{TOKEN}\",\n      \"options\": {{\n        \"url\": \"https://api.github.com/user\",\n        \"headers\": {{\"Authorization\": \"Bearer {TOKEN}\"}}\n      }}\n    }}\n  ]\n}}\n"
    )
}

#[test]
fn a_secret_is_masked_wherever_a_snippet_or_note_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "minified.json", &token_elsewhere_on_the_line());
    put(dir.path(), "pretty.json", &token_on_the_line_before());
    // A note on the same line (an options value of the wrong shape) shows
    // it too.
    put(
        dir.path(),
        "note.json",
        &format!(
            r#"[{{"type":"Agents::HTTPRequestAgent","name":"a","description":"{TOKEN}","options":{{"headers":"{TOKEN}","url":"https://x","basic_auth":"u:{TOKEN}"}}}}]"#
        ),
    );
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = run(dir.path(), &["check", ".", "--format", format]);
        assert!(
            out.stdout.contains("hardcoded-secret"),
            "{format}: the secret is found\n{}",
            out.stdout
        );
        for (what, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains(&TOKEN[8..]),
                "{format}: {what} shows the secret:\n{text}"
            );
        }
    }
}

#[test]
fn ten_thousand_findings_sharing_one_secret_show_it_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let action = format!(
        r#"{{"type":"Agents::HTTPRequestAgent","name":"a","options":{{"url":"https://api.github.com","headers":{{"Authorization":"Bearer {TOKEN}"}}}}}}"#
    );
    let actions = vec![action; 10_000].join(",");
    put(
        dir.path(),
        "many.json",
        &format!(r#"{{"agents":[{actions}]}}"#),
    );
    let (code, doc) = check_json(dir.path(), &["."]);
    assert_eq!(code, 0, "warnings only");
    let findings = doc["findings"].as_array().unwrap();
    let secrets = findings
        .iter()
        .filter(|f| f["rule"] == "hardcoded-secret")
        .count();
    assert_eq!(secrets, 10_000);
    assert!(!doc.to_string().contains(&TOKEN[8..]));
}

#[test]
fn every_finding_of_a_file_with_many_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let action =
        r#"{"type":"Agents::HTTPRequestAgent","options":{"url":"https://x","method":"HEAD"}}"#;
    let actions = vec![action; 20_000].join(",");
    put(dir.path(), "many.json", &format!("[{actions}]"));
    let (code, doc) = check_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["findings"]["error"], 20_000);
}

#[cfg(unix)]
#[test]
fn rule_files_behind_links_are_loaded_and_dangling_ones_reported() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rule = |id: &str| {
        format!(
            "id: {id}\nseverity: warning\nsummary: s\nmessage: m\ntarget:\n  path: options.method\nwhen:\n  matches: '^HEAD$'\nexamples:\n  valid:\n    - input: '{{\"options\": {{\"method\": \"get\"}}}}'\n  invalid:\n    - input: '{{\"options\": {{\"method\": \"HEAD\"}}}}'\n      highlight: HEAD\n"
        )
    };
    put(d, "shared/linked-file.yaml", &rule("linked-file"));
    put(d, "shared/more/linked-dir.yaml", &rule("linked-dir"));
    put(d, "rules/own.yaml", &rule("own-rule"));
    symlink(
        "../shared/linked-file.yaml",
        d.join("rules/linked-file.yaml"),
    )
    .unwrap();
    symlink("../shared/more", d.join("rules/more")).unwrap();
    let listed = run(d, &["rules", "--rules", "rules", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}{}", listed.stdout, listed.stderr);
    for id in ["own-rule", "linked-file", "linked-dir"] {
        assert!(
            listed.stdout.contains(id),
            "{id} not loaded:\n{}",
            listed.stdout
        );
    }
    symlink("../shared/gone.yaml", d.join("rules/dangling.yaml")).unwrap();
    let listed = run(d, &["rules", "--rules", "rules"]);
    assert_eq!(listed.code, 2, "{}{}", listed.stdout, listed.stderr);
    let said = format!("{}{}", listed.stdout, listed.stderr);
    assert!(
        said.contains("dangling.yaml") && said.contains("no such file or directory"),
        "{said}"
    );
}

#[cfg(unix)]
#[test]
fn a_backslash_is_part_of_a_unix_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let defective =
        r#"[{"type":"Agents::HTTPRequestAgent","options":{"url":"https://x","method":"HEAD"}}]"#;
    put(d, "back\\slash.json", defective);
    put(d, "back/slash.json", defective);
    let (_, doc) = check_json(d, &["."]);
    let mut files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["back/slash.json", "back\\slash.json"]);
    // A baseline of one file hides nothing in the other.
    let wrote = run(
        d,
        &["check", "back\\slash.json", "--write-baseline", "b.json"],
    );
    assert_eq!(wrote.code, 0, "{}{}", wrote.stdout, wrote.stderr);
    let (code, doc) = check_json(d, &[".", "--baseline", "b.json"]);
    assert_eq!(code, 1);
    let files: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["back/slash.json"]);
    assert_eq!(doc["summary"]["suppressed"]["baseline"], 1);
}

#[test]
fn the_largest_file_size_limit_is_no_limit() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "a.json",
        r#"[{"type":"Agents::HTTPRequestAgent","options":{"url":"https://x","method":"HEAD"}}]"#,
    );
    let (code, doc) = check_json(
        dir.path(),
        &[".", "--max-file-size", "18446744073709551615"],
    );
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["summary"]["checked"], 1);
    assert_eq!(doc["findings"][0]["rule"], "unsupported-http-method");
}

/// Makes a FIFO at `path`; false where `mkfifo` is missing.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn rule_dirs_naming_a_fifo_is_a_located_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    if !mkfifo(&d.join("rules.yaml")) {
        return;
    }
    put(d, ".storylint.yaml", "rule-dirs:\n  - rules.yaml\n");
    put(d, "a.json", r#"{"agents": []}"#);
    let start = Instant::now();
    let mut child = storylint(d)
        .args(["check", ".", "--format", "human", "--color", "never"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("storylint blocked on the FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("invalid-config"), "{text}");
    assert!(text.contains(".storylint.yaml:2:5"), "{text}");
    assert!(text.contains("not a rule file or directory"), "{text}");
}

#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_no_temporary_file_and_the_old_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "a.json", r#"{"agents": []}"#);
    put(d, "out/report.json", "old report\n");
    for signal in ["TERM", "INT"] {
        let mut child = storylint(d)
            .args(["check", "a.json", "--output", "json=out/report.json"])
            .env("STORYLINT_TEST_WRITE_DELAY_MS", "30000")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let temporary = || {
            fs::read_dir(d.join("out"))
                .unwrap()
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().starts_with(".storylint-"))
        };
        while !temporary() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no temporary file appeared"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(!status.success(), "{signal}: {status:?}");
        assert!(!temporary(), "{signal}: a temporary file was left behind");
        assert_eq!(
            fs::read_to_string(d.join("out/report.json")).unwrap(),
            "old report\n"
        );
    }
}

#[test]
fn yaml_errors_say_it_in_storylints_words() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "dup.yaml", "id: x\nid: y\nseverity: error\n");
    put(
        dir.path(),
        ".storylint.yaml",
        "rules:\n  a: off\n  a: error\n",
    );
    for args in [
        &["rules", "--rules", "dup.yaml"][..],
        &["check", "--format", "json", "."][..],
    ] {
        let out = run(dir.path(), args);
        let text = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(out.code, 2, "{text}");
        assert!(
            text.contains("is written twice in the same mapping"),
            "{text}"
        );
        assert!(
            !text.contains("DuplicateKeyPolicy") && !text.contains("Options"),
            "{text}"
        );
    }
}

/// A human report on stdout alone is written file by file as files are
/// checked; it must be the report written from all files at once (as
/// when another report is also written), whatever the thread count.
#[test]
fn the_human_report_written_as_files_are_checked_is_the_whole_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let repo = crate::common::repo();
    for entry in fs::read_dir(repo.join("fixtures/defective")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, d.join(path.file_name().unwrap())).unwrap();
    }
    put(d, "b-not-json.json", "{\"agents\": [");
    put(d, "m-empty.json", "");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "check",
            ".",
            "missing-a.json",
            "zz-missing.json",
            "--color",
            "never",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let out = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run(d, &a)
    };
    // The other report goes elsewhere, or the next runs would check it.
    let elsewhere = tempfile::tempdir().unwrap();
    let spec = format!("json={}", elsewhere.path().join("report.json").display());
    let whole = out(&["--output", &spec]);
    assert_eq!(whole.code, 2);
    for threads in ["1", "2", "5"] {
        let streamed = out(&["--threads", threads]);
        assert_eq!(streamed.code, whole.code, "--threads {threads}");
        assert_eq!(streamed.stdout, whole.stdout, "--threads {threads}");
    }
    let stats = out(&["--statistics"]);
    let whole_stats = out(&["--statistics", "--output", &spec]);
    assert_eq!(stats.stdout, whole_stats.stdout);
}
