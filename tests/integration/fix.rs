//! `check --fix`, `--unsafe-fixes` and `--diff`: fixes change only the
//! bytes of the edited strings and keys, the result parses and lints clean
//! of what was fixable, a second run changes nothing, the diff applies with
//! `patch -p1` to the same bytes, and no secret is ever shown.

use crate::common::*;
use proptest::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Copies the defective fixtures to `dir/defective`.
fn copy_defective(dir: &Path) {
    let from = repo().join("fixtures/defective");
    for entry in fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        put(dir, &format!("defective/{name}"), &fs::read(&path).unwrap());
    }
}

/// Applies `diff` in `dir` with `patch -p1`, which must succeed; where GNU
/// patch is not installed (the tests need only the Rust toolchain), with
/// [`apply_unified`], which is as strict as patch without fuzz.
fn apply_patch(dir: &Path, diff: &str) {
    use std::io::Write;
    let spawned = std::process::Command::new("patch")
        .args(["-p1", "--batch", "--forward", "--fuzz=0"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut patch) = spawned else {
        return apply_unified(dir, diff);
    };
    patch
        .stdin
        .take()
        .unwrap()
        .write_all(diff.as_bytes())
        .unwrap();
    let out = patch.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Applies a unified diff (`-p1` names) in `dir`: every context and removed
/// line must be there as written.
fn apply_unified(dir: &Path, diff: &str) {
    let mut lines = diff.split_inclusive('\n').peekable();
    while let Some(header) = lines.next() {
        let name = header.strip_prefix("--- a/").expect("a file header");
        let name = name.trim_end_matches('\n').trim_end_matches('\t');
        lines.next().expect("+++ line");
        let path = dir.join(name);
        let old = fs::read_to_string(&path).unwrap();
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let (mut out, mut at) = (String::new(), 0);
        while lines.peek().is_some_and(|l| l.starts_with("@@ ")) {
            let hunk = lines.next().unwrap();
            let start: usize = hunk[4..].split(',').next().unwrap().parse().unwrap();
            for l in &old_lines[at..start - 1] {
                out.push_str(l);
            }
            at = start - 1;
            while let Some(l) = lines.next_if(|l| !l.starts_with("@@ ") && !l.starts_with("--- ")) {
                let no_newline = lines.next_if(|n| n.starts_with("\\ ")).is_some();
                let text = if no_newline {
                    l[1..].trim_end_matches('\n')
                } else {
                    &l[1..]
                };
                match &l[..1] {
                    " " | "-" => {
                        assert_eq!(old_lines[at], text, "{name}: context differs");
                        at += 1;
                        if l.starts_with(' ') {
                            out.push_str(text);
                        }
                    }
                    _ => out.push_str(text),
                }
            }
        }
        for l in &old_lines[at..] {
            out.push_str(l);
        }
        fs::write(&path, out).unwrap();
    }
}

#[test]
fn the_test_patcher_applies_what_patch_applies() {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "x y.json", "a\nb\nc");
    apply_unified(
        dir.path(),
        "--- a/x y.json\t\n+++ b/x y.json\t\n@@ -2,2 +2,2 @@\n b\n-c\n\\ No newline at end of file\n+C\n\\ No newline at end of file\n",
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("x y.json")).unwrap(),
        "a\nb\nC"
    );
}

/// The pointers of the findings that offer a fix (of `applicability`, or
/// any), from a JSON report.
fn fixable(doc: &Value, applicability: Option<&str>) -> BTreeSet<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let a = f["fix"]["applicability"].as_str();
            a.is_some() && (applicability.is_none() || a == applicability)
        })
        .map(|f| {
            format!(
                "{}|{}",
                f["file"].as_str().unwrap(),
                f["pointer"].as_str().unwrap()
            )
        })
        .collect()
}

/// `fixed` equals `original` as JSON except at `edited` pointers: a string
/// there may differ, and a member there may have a new name. Members keep
/// their order (fixes never move bytes around).
fn equal_but_edited(
    original: &Value,
    fixed: &Value,
    at: &str,
    edited: &BTreeSet<String>,
) -> Result<(), String> {
    match (original, fixed) {
        (Value::Object(a), Value::Object(b)) => {
            let here = |k: &str| format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
            let gone: Vec<&String> = a.keys().filter(|k| !b.contains_key(*k)).collect();
            let mut new: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
            if gone.len() != new.len() {
                return Err(format!("{at}: members {} became {}", a.len(), b.len()));
            }
            for k in a.keys().filter(|k| b.contains_key(*k)) {
                equal_but_edited(&a[k], &b[k], &here(k), edited)?;
            }
            // A renamed member keeps its value (edited only where a fix was).
            for k in gone {
                if !edited.contains(&here(k)) {
                    return Err(format!("{}: renamed without a fix", here(k)));
                }
                let i = new
                    .iter()
                    .position(|n| equal_but_edited(&a[k], &b[*n], &here(k), edited).is_ok())
                    .ok_or_else(|| format!("{}: renamed, and its value changed", here(k)))?;
                new.remove(i);
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (x, y))| equal_but_edited(x, y, &format!("{at}/{i}"), edited)),
        (Value::String(a), Value::String(b)) if a != b => {
            if edited.contains(at) {
                Ok(())
            } else {
                Err(format!("{at}: {a:?} became {b:?} without a fix"))
            }
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{at}: {a} became {b}")),
    }
}

/// The parsed document, which must parse.
fn parse_ordered(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("does not parse ({e}):\n{text}"))
}

#[test]
fn every_defective_fixture_fixed_parses_and_changes_only_the_edited_values() {
    let dir = tempfile::tempdir().unwrap();
    copy_defective(dir.path());
    let (_, before) = check_json(dir.path(), &["--no-config", "defective"]);
    let edited_all = fixable(&before, None);
    let offered = before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"].is_object())
        .count();
    assert!(offered >= 8, "the fixtures offer fixes: {edited_all:?}");
    let originals: Vec<(String, String)> = fs::read_dir(dir.path().join("defective"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                format!("defective/{}", p.file_name().unwrap().to_str().unwrap()),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    let out = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "defective",
        ],
    );
    assert!(
        out.stdout
            .contains(&format!("storylint: fixed {offered} findings in")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("fix-not-applied"), "{}", out.stdout);
    for (name, original) in &originals {
        let fixed = fs::read_to_string(dir.path().join(name)).unwrap();
        let edited: BTreeSet<String> = edited_all
            .iter()
            .filter_map(|e| e.strip_prefix(&format!("{name}|")).map(String::from))
            .collect();
        if edited.is_empty() {
            assert_eq!(
                &fixed, original,
                "{name} had nothing to fix and must be untouched"
            );
        }
        equal_but_edited(
            &parse_ordered(original),
            &parse_ordered(&fixed),
            "",
            &edited,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // What remains offers no fix, and fixing again changes nothing.
    let (_, after) = check_json(dir.path(), &["--no-config", "defective"]);
    assert_eq!(fixable(&after, None), BTreeSet::new());
    let again = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "defective",
        ],
    );
    assert!(
        again.stdout.contains("storylint: nothing to fix"),
        "{}",
        again.stdout
    );
    for (name, _) in &originals {
        let (_, one) = check_json(dir.path(), &["--no-config", name]);
        assert_eq!(one["summary"]["failed"], 0, "{name}");
    }
}

#[test]
fn fix_applies_safe_fixes_only_keeps_the_mode_and_exits_by_what_remains() {
    let dir = tempfile::tempdir().unwrap();
    copy_defective(dir.path());
    let (_, before) = check_json(dir.path(), &["--no-config", "defective"]);
    let unsafe_ = fixable(&before, Some("unsafe"));
    assert!(!unsafe_.is_empty());
    let unsafe_count = before["summary"]["fixes"]["fixable_unsafe"]
        .as_u64()
        .unwrap();
    let target = dir.path().join("defective/vuln-disclosure-intake.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let untouched = dir.path().join("defective/jira-basic-auth-plaintext.json");
    let untouched_before = fs::read(&untouched).unwrap();
    let out = run(dir.path(), &["check", "--no-config", "--fix", "defective"]);
    // Errors remain, so the exit code is 1; the summary says what was done.
    assert_eq!(out.code, 1, "{}", out.stdout);
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("storylint: fixed"))
        .unwrap();
    assert!(
        line.ends_with(&format!(
            "; {} more fixable with --unsafe-fixes",
            unsafe_count
        )),
        "{line}"
    );
    let (_, after) = check_json(dir.path(), &["--no-config", "defective"]);
    assert_eq!(fixable(&after, Some("safe")), BTreeSet::new());
    assert_eq!(fixable(&after, Some("unsafe")), unsafe_);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    assert_eq!(fs::read(&untouched).unwrap(), untouched_before);
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("defective"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".storylint-")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn diff_applies_with_patch_and_gives_the_bytes_fix_writes() {
    let fixed = tempfile::tempdir().unwrap();
    let patched = tempfile::tempdir().unwrap();
    copy_defective(fixed.path());
    copy_defective(patched.path());
    let diff = run(
        patched.path(),
        &[
            "check",
            "--no-config",
            "--diff",
            "--unsafe-fixes",
            "defective",
        ],
    );
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(
        diff.stdout.starts_with("--- a/defective/"),
        "{}",
        diff.stdout
    );
    assert!(diff.stderr.contains("would fix"), "{}", diff.stderr);
    // --diff wrote nothing.
    for entry in fs::read_dir(patched.path().join("defective")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            fs::read(&p).unwrap(),
            fs::read(repo().join("fixtures/defective").join(name)).unwrap()
        );
    }
    apply_patch(patched.path(), &diff.stdout);
    run(
        fixed.path(),
        &[
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "defective",
        ],
    );
    for entry in fs::read_dir(fixed.path().join("defective")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap();
        let other = patched.path().join("defective").join(name);
        assert_eq!(fs::read(&p).unwrap(), fs::read(&other).unwrap(), "{name}");
    }
    // Nothing left to show.
    let none = run(
        fixed.path(),
        &[
            "check",
            "--no-config",
            "--diff",
            "--unsafe-fixes",
            "defective",
        ],
    );
    assert_eq!(
        (none.code, none.stdout.as_str()),
        (0, ""),
        "{}",
        none.stderr
    );
}

#[test]
fn stdin_gets_the_fixed_document_on_stdout_and_the_report_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://x", "headres": {"Authorization": "Token {% credential cmdb %}"}}}"#;
    let out = output_with_stdin(
        storylint(dir.path()).args(["check", "--no-config", "--fix", "-"]),
        doc,
    );
    assert_eq!(
        out.stdout,
        r#"{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://x", "headers": {"Authorization": "Token {% credential cmdb %}"}}}"#
    );
    assert!(
        out.stderr
            .contains("storylint: fixed 1 finding in 1 file; 1 more fixable with --unsafe-fixes"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The JSON summary counts them too.
    let json = output_with_stdin(
        storylint(dir.path()).args(["check", "--no-config", "--fix", "--format", "json", "-"]),
        doc,
    );
    let report: Value = serde_json::from_str(&json.stderr).unwrap();
    assert_eq!(report["summary"]["fixes"]["applied"], 1);
    assert_eq!(report["summary"]["fixes"]["fixable_unsafe"], 1);
    assert_eq!(report["summary"]["fixes"]["files"], 1);
    put(dir.path(), "s.json", doc);
    let (_, unfixed) = check_json(dir.path(), &["--no-config", "s.json"]);
    assert_eq!(unfixed["summary"]["fixes"]["fixable_safe"], 1, "{unfixed}");
    assert_eq!(
        unfixed["summary"]["fixes"]["fixable_unsafe"], 1,
        "{unfixed}"
    );
    // With --unsafe-fixes, both.
    let both = output_with_stdin(
        storylint(dir.path()).args(["check", "--no-config", "--fix", "--unsafe-fixes", "-"]),
        doc,
    );
    assert!(
        both.stdout
            .contains(r#""headers": {"Authorization": "Token <<CREDENTIAL.cmdb>>"}"#),
        "{}",
        both.stdout
    );
}

#[test]
fn a_file_with_a_byte_order_mark_is_fixed_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}{\"type\": \"Agents::HTTPRequestAgent\", \"options\": {\"headers\": {\"X\": \"<<CREDENTIALS.a>>\"}}}";
    let path = put(dir.path(), "bom.json", text);
    let out = run(dir.path(), &["check", "--no-config", "--fix", "bom.json"]);
    assert!(
        out.stdout.contains("storylint: fixed 1 finding in 1 file"),
        "{}",
        out.stdout
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        text.replace("CREDENTIALS.a", "CREDENTIAL.a")
    );
    // The byte order mark is still an error of the file.
    assert_eq!(out.code, 2);
}

#[test]
fn machine_formats_carry_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"type": "Agents::HTTPRequestAgent", "options": {"headers": {"Authorization": "\u003c\u003cCREDENTIALS.gh\u003e\u003e"}}}"#;
    put(dir.path(), "a.json", text);
    let (_, doc) = check_json(dir.path(), &["--no-config", "a.json"]);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "malformed-credential-reference")
        .unwrap();
    let fix = &f["fix"];
    assert_eq!(fix["applicability"], "safe");
    let (offset, length) = (
        fix["offset"].as_u64().unwrap() as usize,
        fix["length"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[offset..offset + length], "CREDENTIALS.gh");
    assert_eq!(fix["replacement"], "CREDENTIAL.gh");
    let sarif = run(
        dir.path(),
        &["check", "--no-config", "--format", "sarif", "a.json"],
    );
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "malformed-credential-reference")
        .unwrap();
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "a.json");
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["deletedRegion"]["byteOffset"], offset as u64);
    assert_eq!(replacement["deletedRegion"]["byteLength"], length as u64);
    assert_eq!(replacement["insertedContent"]["text"], "CREDENTIAL.gh");
    // Written as the file writes strings: `<` as `\u003c`.
    let legacy = r#"{"type": "Agents::HTTPRequestAgent", "options": {"headers": {"X-A": "\u003c\u003cCREDENTIAL.a\u003e\u003e", "X-B": "{% credential b %}"}}}"#;
    put(dir.path(), "b.json", legacy);
    let out = output_with_stdin(
        storylint(dir.path()).args(["check", "--no-config", "--fix", "--unsafe-fixes", "-"]),
        legacy,
    );
    assert!(
        out.stdout
            .ends_with(r#""X-B": "\u003c\u003cCREDENTIAL.b\u003e\u003e"}}}"#),
        "{}",
        out.stdout
    );
}

#[test]
fn a_secret_is_never_shown_by_a_fix_or_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    // Minified: the one line holds the secret, so no fix is offered on it.
    let minified = format!(
        r#"{{"type": "Agents::HTTPRequestAgent", "options": {{"headers": {{"X-Token": "{secret}", "X-A": "<<CREDENTIALS.a>>"}}}}}}"#
    );
    put(dir.path(), "min.json", &minified);
    // Pretty: the fix is two lines from the secret, which context skips.
    let pretty = format!(
        "{{\n  \"type\": \"Agents::HTTPRequestAgent\",\n  \"options\": {{\n    \"headers\": {{\n      \"X-Token\": \"{secret}\",\n      \"X-A\": \"<<CREDENTIALS.a>>\"\n    }}\n  }}\n}}\n"
    );
    put(dir.path(), "pretty.json", &pretty);
    let (_, doc) = check_json(dir.path(), &["--no-config", "min.json", "pretty.json"]);
    assert!(!doc.to_string().contains(secret));
    let offered: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fix"].is_object())
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["pretty.json"]);
    let diff = run(
        dir.path(),
        &["check", "--no-config", "--diff", "min.json", "pretty.json"],
    );
    assert!(
        !diff.stdout.contains(secret) && !diff.stderr.contains(secret),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("+      \"X-A\": \"<<CREDENTIAL.a>>\""),
        "{}",
        diff.stdout
    );
    let copy = tempfile::tempdir().unwrap();
    put(copy.path(), "pretty.json", &pretty);
    apply_patch(copy.path(), &diff.stdout);
    assert_eq!(
        fs::read_to_string(copy.path().join("pretty.json")).unwrap(),
        pretty.replace("CREDENTIALS.a", "CREDENTIAL.a")
    );
}

#[test]
fn a_fix_that_leaves_its_finding_is_not_applied_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    put(
        dir.path(),
        "rules/echo.yaml",
        r#"id: echo-echo
severity: error
summary: s
message: m
target:
  path: options.note
when:
  matches: '(?P<span>echo)'
fix:
  applicability: safe
  replace: 'echo echo'
examples:
  valid:
    - input: '{"type": "Agents::A", "options": {"note": "x"}}'
  invalid:
    - input: '{"type": "Agents::A", "options": {"note": "echo"}}'
      highlight: echo
      fixed: '{"type": "Agents::A", "options": {"note": "echo"}}'
"#,
    );
    let text = r#"{"type": "Agents::A", "options": {"note": "echo"}}"#;
    let path = put(dir.path(), "a.json", text);
    let (code, doc) = check_json(
        dir.path(),
        &["--no-config", "--rules", "rules", "--fix", "a.json"],
    );
    assert_eq!(code, 1);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    let kinds: Vec<&str> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["fix-not-applied"]);
    assert!(
        doc["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 1, column"),
        "{doc}"
    );
    // test-rules says the same of the rule's own example.
    let out = run(dir.path(), &["test-rules", "--rules", "rules"]);
    assert!(
        out.stdout.contains("the finding would still be there"),
        "{}",
        out.stdout
    );
}

/// One HTTP Request action with a planted defect: (options JSON, whether
/// the defect has a safe fix).
fn planted() -> impl Strategy<Value = String> {
    let name = "[a-z][a-z0-9_]{0,8}";
    (0usize..7, name).prop_map(|(kind, n)| match kind {
        0 => format!(r#"{{"headers": {{"Authorization": "Token {{% credential {n} %}}"}}}}"#),
        1 => format!(r#"{{"headers": {{"X-Key": "<<CREDENTIALS.{n}>>"}}}}"#),
        2 => format!(r#"{{"headers": {{"Authentication": "Bearer <<CREDENTIAL.{n}>>"}}}}"#),
        3 => format!(r#"{{"url": "https://x/{n}", "headres": {{}}, "mehtod": "get"}}"#),
        4 => format!(r#"{{"headers": {{"Authorization": "<<CREDENTIAL.{n}>>"}}}}"#),
        5 => format!(r#"{{"payload": {{"a": "{{{{ .CREDENTIAL.{n} }}}}", "b": "<<credential.{n}>>"}}}}"#),
        _ => format!(r#"{{"url": "https://x/{n}", "headers": {{"Authorization": "Bearer <<CREDENTIAL.{n}>>"}}}}"#),
    })
}

/// A story export of the planted actions, written pretty, minified, or
/// minified with `<`, `>` and `&` escaped as Rails writes them.
fn export(actions: &[String], style: u8) -> String {
    let agents: Vec<Value> = actions
        .iter()
        .enumerate()
        .map(|(i, o)| {
            serde_json::json!({"type": "Agents::HTTPRequestAgent", "name": format!("Action {i}"),
                "guid": format!("{i:032}"), "options": serde_json::from_str::<Value>(o).unwrap()})
        })
        .collect();
    let doc = serde_json::json!({"schema_version": 4, "name": "S", "guid": "s", "agents": agents, "links": []});
    match style % 3 {
        0 => serde_json::to_string_pretty(&doc).unwrap(),
        1 => serde_json::to_string(&doc).unwrap(),
        _ => serde_json::to_string(&doc)
            .unwrap()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    }
}

fn fix_stdin(dir: &Path, text: &str) -> (String, String) {
    let out = output_with_stdin(
        storylint(dir).args([
            "check",
            "--no-config",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "json",
            "-",
        ]),
        text,
    );
    (out.stdout, out.stderr)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Fixing a generated export always gives JSON that parses, in the same
    /// style, with nothing fixable left, and fixing that again is a no-op.
    #[test]
    fn fixed_exports_parse_and_a_second_fix_changes_nothing(
        actions in prop::collection::vec(planted(), 1..6),
        style in any::<u8>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let text = export(&actions, style);
        let (fixed, report) = fix_stdin(dir.path(), &text);
        let parsed: Result<Value, _> = serde_json::from_str(&fixed);
        prop_assert!(parsed.is_ok(), "{}", fixed);
        let report: Value = serde_json::from_str(&report).unwrap();
        prop_assert_eq!(fixable(&report, None), BTreeSet::new());
        prop_assert_eq!(fixed.lines().count(), text.lines().count());
        prop_assert_eq!(fixed.contains("\\u003c"), text.contains("\\u003c"));
        let (again, _) = fix_stdin(dir.path(), &fixed);
        prop_assert_eq!(again, fixed);
    }
}

/// A one-action export whose options are `options` (JSON), pretty-printed.
fn one_action(options: &str) -> String {
    format!(
        "{{\"agents\": [{{\"type\": \"Agents::HTTPRequestAgent\", \"name\": \"x\", \"options\": {options}}}]}}\n"
    )
}

#[test]
fn a_finding_the_baseline_accepts_is_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    let path = put(dir.path(), "a.json", &text);
    run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--write-baseline",
            "base.json",
            "a.json",
        ],
    );
    let diff = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--baseline",
            "base.json",
            "--diff",
            "a.json",
        ],
    );
    assert_eq!(
        (diff.code, diff.stdout.as_str()),
        (0, ""),
        "{}",
        diff.stderr
    );
    run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--baseline",
            "base.json",
            "--fix",
            "a.json",
        ],
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
    // Without the baseline, it is fixed.
    run(dir.path(), &["check", "--no-config", "--fix", "a.json"]);
    assert!(fs::read_to_string(&path).unwrap().contains("\"headers\""));
}

#[test]
fn a_fix_that_would_show_a_secret_on_its_line_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "YWRtaW46aHVudGVyMjAyNSFTZWNyZXQ=";
    // Misspelt, the header's value is no secret to storylint; renamed, it
    // is one (a literal Basic credential), and the diff would show it.
    let text = format!(
        "{{\"agents\": [{{\"type\": \"Agents::HTTPRequestAgent\", \"name\": \"x\", \"options\": {{\n  \"url\": \"https://api.example.com/user\",\n  \"headers\": {{\n    \"Authentication\": \"Basic {secret}\"\n  }}\n}}}}]}}\n"
    );
    let path = put(dir.path(), "s.json", &text);
    let diff = run(dir.path(), &["check", "--no-config", "--diff", "s.json"]);
    assert!(
        !diff.stdout.contains(secret) && !diff.stderr.contains(secret),
        "{}",
        diff.stdout
    );
    // (The human report's snippet shows the value as `check` always has:
    // misspelt, it is no secret to storylint. JSON shows no snippet.)
    let (_, doc) = check_json(dir.path(), &["--no-config", "--fix", "s.json"]);
    let warning = &doc["warnings"][0];
    assert_eq!(warning["kind"], "fix-not-applied");
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("would hold a secret"),
        "{doc}"
    );
    assert!(!doc.to_string().contains(secret), "{doc}");
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_long_secret_copied_to_another_line_is_not_diff_context() {
    let dir = tempfile::tempdir().unwrap();
    let secret = format!("c3ZjLWFjY291bnRA{}", "WHE5".repeat(80));
    let text = format!(
        "{{\"agents\": [{{\"type\": \"Agents::HTTPRequestAgent\", \"name\": \"x\", \"options\": {{\n  \"url\": \"https://api.example.com/user\",\n  \"headers\": {{\n    \"Authorization\": \"Basic {secret}\"\n  }},\n  \"a\": 1,\n  \"b\": 2,\n  \"metod\": \"get\",\n  \"payload\": {{\"backup\": \"{secret}\"}}\n}}}}]}}\n"
    );
    put(dir.path(), "l.json", &text);
    let diff = run(dir.path(), &["check", "--no-config", "--diff", "l.json"]);
    assert!(
        diff.stdout.contains("+  \"method\": \"get\""),
        "{}",
        diff.stdout
    );
    assert!(!diff.stdout.contains(&secret), "{}", diff.stdout);
}

#[test]
fn diffs_name_files_so_that_patch_finds_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    put(dir.path(), "sub dir/my story.json", &text);
    put(dir.path(), "stories/deep/a.json", &text);
    let diff = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--diff",
            "sub dir/my story.json",
            "stories/./deep/../deep/a.json",
        ],
    );
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(
        diff.stdout.contains("--- a/stories/deep/a.json\n"),
        "{}",
        diff.stdout
    );
    apply_patch(dir.path(), &diff.stdout);
    for name in ["sub dir/my story.json", "stories/deep/a.json"] {
        assert_eq!(
            fs::read_to_string(dir.path().join(name)).unwrap(),
            text.replace("headres", "headers")
        );
    }
}

#[test]
fn one_of_two_members_of_one_name_is_never_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(
        r#"{"url": "https://api.example.com/x", "headers": {"Authentication": "Bearer <<CREDENTIAL.old>>", "Authentication": "Bearer <<CREDENTIAL.new>>"}}"#,
    );
    let path = put(dir.path(), "d.json", &text);
    run(dir.path(), &["check", "--no-config", "--fix", "d.json"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn an_inserted_scheme_keeps_every_byte_of_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(
        r#"{"url": "https://api.example.com/x", "headers": {"Authorization": "<<CREDENTIAL.my\u005fkey>>"}}"#,
    );
    let path = put(dir.path(), "b.json", &text);
    run(
        dir.path(),
        &["check", "--no-config", "--fix", "--unsafe-fixes", "b.json"],
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        text.replace(
            r#""<<CREDENTIAL.my\u005fkey>>""#,
            r#""Bearer <<CREDENTIAL.my\u005fkey>>""#
        )
    );
}

#[test]
fn stdin_over_the_size_limit_comes_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    let out = output_with_stdin(
        storylint(dir.path()).args([
            "check",
            "--no-config",
            "--fix",
            "--max-file-size",
            "20",
            "-",
        ]),
        &text,
    );
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, text);
    assert!(out.stderr.contains("more than 20 bytes"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_not_rewritten() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    let path = put(dir.path(), "r.json", &text);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(dir.path(), &["check", "--no-config", "--fix", "r.json"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stdout.contains("fix-not-written") && out.stdout.contains("read-only"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("storylint: nothing to fix"),
        "{}",
        out.stdout
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn a_new_finding_like_one_the_baseline_accepts_is_still_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let one = r#"{"type": "Agents::HTTPRequestAgent", "name": "x", "options": {"url": "https://api.example.com/x", "headres": {}}}"#;
    let path = put(dir.path(), "a.json", &format!("[{one}]\n"));
    run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--write-baseline",
            "base.json",
            "a.json",
        ],
    );
    // The same action again, in the same file and in another: new findings.
    put(dir.path(), "a.json", &format!("[{one},\n{one}]\n"));
    let other = put(dir.path(), "b.json", &format!("[{one}]\n"));
    run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--baseline",
            "base.json",
            "--fix",
            "a.json",
            "b.json",
        ],
    );
    let a = fs::read_to_string(&path).unwrap();
    assert_eq!(a.matches("\"headres\"").count(), 1, "{a}");
    assert!(fs::read_to_string(&other).unwrap().contains("\"headers\""));
}

#[cfg(unix)]
#[test]
fn a_path_through_a_link_and_up_is_named_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    put(dir.path(), "real/inner/keep.json", "{}");
    put(dir.path(), "real/t.json", &text);
    std::os::unix::fs::symlink("real/inner", dir.path().join("lnk")).unwrap();
    let diff = run(
        dir.path(),
        &["check", "--no-config", "--diff", "lnk/../t.json"],
    );
    assert!(
        diff.stdout.starts_with("--- a/lnk/../t.json\n"),
        "{}",
        diff.stdout
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_fixed_document_that_cannot_be_written_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = storylint(dir.path())
        .args(["check", "--no-config", "--fix", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("could not be written on stdout"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn one_file_named_twice_is_fixed_and_diffed_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = one_action(r#"{"url": "https://api.example.com/x", "headres": {}}"#);
    put(dir.path(), "a.json", &text);
    std::os::unix::fs::symlink("a.json", dir.path().join("link.json")).unwrap();
    let diff = run(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--diff",
            "a.json",
            "./a.json",
            "link.json",
        ],
    );
    assert_eq!(diff.stdout.matches("+++ ").count(), 1, "{}", diff.stdout);
    let out = run(
        dir.path(),
        &["check", "--no-config", "--fix", "a.json", "link.json"],
    );
    assert!(
        out.stdout.contains("storylint: fixed 1 finding in 1 file"),
        "{}",
        out.stdout
    );
}
