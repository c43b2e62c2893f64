//! The machine-readable formats for CI: SARIF (validated against the
//! official 2.1.0 schema), GitHub workflow commands and JUnit XML, each
//! checked against the JSON format of the same run, and the rule that the
//! exit code never depends on the format.

use crate::common::{DEFECTIVE_ACTION, repo, storylint};
use serde_json::Value;
use std::fs;
use std::path::Path;

const SLACK: &str = "fixtures/defective/slack-alert-missing-bearer.json";
const MIXED: &str = "fixtures/defective/mixed-methods.json";
const CLEAN: &str = "fixtures/clean/okta-user-offboarding.json";
const NOT_AN_EXPORT: &str = "fixtures/shapes/not-an-export.json";

const BROKEN: &str = "{\n  \"agents\": [\n    {\"type\": \"Agents::HTTPRequestAgent\"";

/// A user rule whose message carries the action's name as it is, so a
/// finding's message can hold any character an action name can.
const ACTION_NAME_RULE: &str = r#"id: action-name-echo
severity: warning
summary: Echoes the action name
message: "action {action} sends method {value}\nsecond line"
target:
  action-types: [Agents::HTTPRequestAgent]
  path: options.method
when:
  matches: 'HEAD'
examples:
  valid: []
  invalid: []
"#;

/// An action whose name holds `%`, `,`, `:`, a line break, a control
/// character and XML markup.
const AWKWARD_ACTION: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "50% off, a:b\n\u0001<&>\"'", "options": {"url": "https://api.example.com", "method": "HEAD"}}"#;

const FORMATS: [&str; 5] = ["human", "json", "sarif", "github", "junit"];

/// Runs `storylint check --format FORMAT ARGS...` in `dir`.
fn check(dir: &Path, format: &str, args: &[&str]) -> (String, i32) {
    let out = storylint(dir)
        .args(["check", "--color", "never", "--format", format])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).expect("output is UTF-8");
    (stdout, out.status.code().expect("exited normally"))
}

fn check_value(dir: &Path, format: &str, args: &[&str]) -> (Value, i32) {
    let (stdout, code) = check(dir, format, args);
    let doc = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("--format {format} is not JSON ({e}):\n{stdout}"));
    (doc, code)
}

/// A temporary directory holding a defective action and a truncated file.
fn broken_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("broken.json"), BROKEN).unwrap();
    fs::write(dir.path().join("defective.json"), DEFECTIVE_ACTION).unwrap();
    dir
}

// ---------------------------------------------------------------- SARIF

/// The official schema, compiled offline (it has no external `$ref`), with
/// `format` checked (`uri`, `uri-reference`, `date-time`).
fn sarif_validator() -> jsonschema::Validator {
    let text = fs::read_to_string(repo().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    // The published schema's `language` patterns (of `run` and
    // `toolComponent`) have a stray `]`, which is not a valid ECMA-262
    // regex, so a validator checking formats rejects the schema itself.
    // Escape it (same meaning: the stray `]` was a literal).
    let typo = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert_eq!(text.matches(typo).count(), 2, "the schema changed");
    let text = text.replace(typo, r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid_sarif(doc: &Value) {
    let errors = schema_errors(&sarif_validator(), doc);
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

fn run0(doc: &Value) -> &Value {
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run");
    &runs[0]
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn uri_of(location: &Value) -> &str {
    location["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("artifactLocation.uri")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let (doc, _) = check_value(repo(), "sarif", &[SLACK, MIXED, CLEAN, NOT_AN_EXPORT]);
    assert_valid_sarif(&doc);
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().starts_with("https://"));

    let dir = broken_dir();
    fs::write(dir.path().join("a b,c.json"), DEFECTIVE_ACTION).unwrap();
    let (doc, _) = check_value(dir.path(), "sarif", &["./a b,c.json", "."]);
    assert_valid_sarif(&doc);
}

#[test]
fn sarif_schema_check_rejects_broken_documents() {
    // Without this, a validator that accepts everything would pass the
    // test above.
    let validator = sarif_validator();
    let (doc, _) = check_value(repo(), "sarif", &[MIXED]);
    assert!(schema_errors(&validator, &doc).is_empty());

    let mut bad_level = doc.clone();
    bad_level["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schema_errors(&validator, &bad_level).is_empty());

    let mut bad_region = doc.clone();
    bad_region["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!schema_errors(&validator, &bad_region).is_empty());

    let mut no_driver_name = doc.clone();
    no_driver_name["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!schema_errors(&validator, &no_driver_name).is_empty());

    let mut bad_uri = doc;
    bad_uri["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "a b:[c".into();
    assert!(!schema_errors(&validator, &bad_uri).is_empty());
}

#[test]
fn sarif_driver_lists_every_rule_and_results_point_at_them() {
    let (doc, _) = check_value(repo(), "sarif", &[SLACK, MIXED]);
    let driver = &run0(&doc)["tool"]["driver"];
    assert_eq!(driver["name"], "storylint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    let out = storylint(repo())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = listed["rules"].as_array().unwrap();
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        listed.len(),
        "every rule, not only those that fired"
    );
    for l in listed {
        let id = l["id"].as_str().unwrap();
        let r = rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("rule {id} missing from the driver"));
        let level = match l["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            "info" => "note",
            other => panic!("severity {other}"),
        };
        assert_eq!(r["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(r["shortDescription"]["text"], l["summary"], "{id}");
        let name = r["name"].as_str().unwrap();
        assert!(
            name.chars().next().unwrap().is_ascii_uppercase() && !name.contains('-'),
            "{id}: name {name}"
        );
        assert!(
            !r["fullDescription"]["text"].as_str().unwrap().is_empty(),
            "{id}"
        );
        assert!(!r["help"]["text"].as_str().unwrap().is_empty(), "{id}");
        assert!(!r["help"]["markdown"].as_str().unwrap().is_empty(), "{id}");
        assert!(
            !r["properties"]["tags"].as_array().unwrap().is_empty(),
            "{id}"
        );
        assert!(r["properties"]["precision"].is_string(), "{id}");
        assert!(r["properties"]["problem.severity"].is_string(), "{id}");
    }

    let results = run0(&doc)["results"].as_array().unwrap();
    assert!(results.len() >= 6);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(
            r["level"], rules[index]["defaultConfiguration"]["level"],
            "a finding has its rule's severity"
        );
        assert!(
            r["partialFingerprints"]["storylint/v1"]
                .as_str()
                .is_some_and(|f| !f.is_empty())
        );
    }
}

#[test]
fn sarif_results_match_the_json_format() {
    let inputs = [SLACK, MIXED, CLEAN, NOT_AN_EXPORT];
    let (sarif, sarif_code) = check_value(repo(), "sarif", &inputs);
    let (json, json_code) = check_value(repo(), "json", &inputs);
    assert_eq!(sarif_code, json_code);
    assert_eq!(
        run0(&sarif)["columnKind"],
        "unicodeCodePoints",
        "columns are characters, as in the JSON format"
    );

    let results = run0(&sarif)["results"].as_array().unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    assert!(findings.len() >= 6);
    for (r, f) in results.iter().zip(findings) {
        let loc = &r["locations"][0];
        let region = &loc["physicalLocation"]["region"];
        assert_eq!(r["ruleId"], f["rule"]);
        assert_eq!(r["message"]["text"], f["message"]);
        let uri = uri_of(loc);
        assert!(!uri.contains(':') && !uri.starts_with('/') && !uri.starts_with("./"));
        assert_eq!(percent_decode(uri), f["file"].as_str().unwrap());
        assert_eq!(region["startLine"], f["line"]);
        assert_eq!(region["startColumn"], f["column"]);
        assert_eq!(region["endLine"], f["end_line"]);
        assert_eq!(region["endColumn"], f["end_column"]);
        assert_eq!(region["byteOffset"], f["offset"]);
        assert_eq!(region["byteLength"], f["length"]);
        assert_eq!(
            loc["logicalLocations"][0]["fullyQualifiedName"],
            f["pointer"]
        );
        if let Some(name) = f["action"]["name"].as_str() {
            assert_eq!(loc["logicalLocations"][0]["name"], name);
        }
        // The JSON format may not expose the fingerprint.
        if let Some(fp) = f.get("fingerprint") {
            assert_eq!(&r["partialFingerprints"]["storylint/v1"], fp);
        }
    }
    let invocation = &run0(&sarif)["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
}

#[test]
fn sarif_uris_are_relative_and_encoded() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub dir")).unwrap();
    fs::write(dir.path().join("sub dir/a b%c.json"), DEFECTIVE_ACTION).unwrap();
    let (doc, _) = check_value(dir.path(), "sarif", &["./sub dir/a b%c.json"]);
    assert_valid_sarif(&doc);
    let results = run0(&doc)["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        uri_of(&results[0]["locations"][0]),
        "sub%20dir/a%20b%25c.json"
    );

    // Stdin is reported under the name it was given.
    let out = storylint(repo())
        .args([
            "check",
            "--format",
            "sarif",
            "--stdin-filename",
            "pasted/story.json",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(DEFECTIVE_ACTION.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        uri_of(&run0(&doc)["results"][0]["locations"][0]),
        "pasted/story.json"
    );
}

#[test]
fn sarif_reports_input_errors_as_execution_notifications() {
    let dir = broken_dir();
    let (doc, code) = check_value(dir.path(), "sarif", &["."]);
    let (json, json_code) = check_value(dir.path(), "json", &["."]);
    assert_eq!(code, 2);
    assert_eq!(code, json_code);
    assert_valid_sarif(&doc);

    let invocation = &run0(&doc)["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    let errors: Vec<&Value> = notes.iter().filter(|n| n["level"] == "error").collect();
    assert_eq!(errors.len(), 1, "{notes:#?}");
    let e = errors[0];
    let json_error = &json["errors"][0];
    assert_eq!(e["message"]["text"], json_error["message"]);
    assert_eq!(e["descriptor"]["id"], "invalid-json");
    assert_eq!(uri_of(&e["locations"][0]), "broken.json");
    let region = &e["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], json_error["line"]);
    assert_eq!(region["startColumn"], json_error["column"]);

    // The other file is still checked.
    let results = run0(&doc)["results"].as_array().unwrap();
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    assert_eq!(uri_of(&results[0]["locations"][0]), "defective.json");

    // A rule file that cannot be used is a notification too.
    fs::write(dir.path().join("bad.yaml"), "id: x\nseverity: fatal\n").unwrap();
    let (doc, code) = check_value(
        dir.path(),
        "sarif",
        &["--rules", "bad.yaml", "defective.json"],
    );
    assert_eq!(code, 2);
    assert_valid_sarif(&doc);
    let invocation = &run0(&doc)["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["level"] == "error" && uri_of(&n["locations"][0]) == "bad.yaml"),
        "{notes:#?}"
    );
}

// ---------------------------------------------------------------- GitHub

#[test]
fn github_annotations_for_a_known_fixture() {
    let (stdout, code) = check(repo(), "github", &[MIXED]);
    let (_, json_code) = check(repo(), "json", &[MIXED]);
    assert_eq!(code, json_code);
    insta::assert_snapshot!("github_mixed_methods", stdout);
}

#[test]
fn github_lines_match_the_json_format() {
    let inputs = [SLACK, MIXED, CLEAN];
    let (stdout, _) = check(repo(), "github", &inputs);
    let (json, _) = check_value(repo(), "json", &inputs);
    let findings = json["findings"].as_array().unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), findings.len() + 1, "{stdout}");
    for (line, f) in lines.iter().zip(findings) {
        let command = match f["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        let expected = format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title=storylint({})::",
            f["file"].as_str().unwrap(),
            f["line"],
            f["column"],
            f["end_line"],
            f["end_column"],
            f["rule"].as_str().unwrap(),
        );
        assert!(line.starts_with(&expected), "{line}\nexpected {expected}");
    }
    let summary = lines.last().unwrap();
    assert!(summary.starts_with("storylint: ") && !summary.starts_with("::"));
    assert!(
        summary.contains(&format!("in {} files", inputs.len())),
        "{summary}"
    );
}

#[test]
fn github_escapes_messages_and_properties() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("echo.yaml"), ACTION_NAME_RULE).unwrap();
    fs::write(d.join("50%,a:b.json"), AWKWARD_ACTION).unwrap();
    let args = ["--rules", "echo.yaml", "50%,a:b.json"];
    let (stdout, code) = check(d, "github", &args);
    let (json, json_code) = check_value(d, "json", &args);
    assert_eq!(code, json_code);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        json["findings"].as_array().unwrap().len() + 1,
        "no raw line break leaks out of a command:\n{stdout}"
    );
    let echo = lines
        .iter()
        .find(|l| l.contains("storylint(action-name-echo)"))
        .expect("the user rule fired");
    assert_eq!(
        *echo,
        "::warning file=50%25%2Ca%3Ab.json,line=1,col=133,endLine=1,endColumn=137,\
         title=storylint(action-name-echo)::action 50%25 off, a:b%0A\u{2401}<&>\"' sends method \
         HEAD%0Asecond line"
    );
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "action-name-echo")
        .unwrap();
    assert_eq!(
        (f["column"].as_u64(), f["end_column"].as_u64()),
        (Some(133), Some(137))
    );
}

/// Control characters from a file name or a header key (a placeholder of
/// the message) are shown as visible stand-ins, never passed to the log.
#[cfg(unix)]
#[test]
fn github_shows_control_characters_from_file_names_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let action = r#"{"type": "Agents::HTTPRequestAgent", "name": "n", "options": {"url": "https://api.example.com", "method": "GET", "headers": {"X-Key\u001b[31m\u0007": "a", "x-key\u001b[31m\u0007": "b"}}}"#;
    fs::write(d.join("f\u{1b}]0;title\u{7}\u{202e}.json"), action).unwrap();
    fs::write(d.join("broken\u{1b}[2J.json"), BROKEN).unwrap();
    let (stdout, code) = check(d, "github", &["."]);
    assert_eq!(code, 2, "{stdout}");
    for c in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!stdout.contains(c), "{c:?} got out:\n{stdout}");
    }
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l
            .starts_with("::warning file=f\u{241b}]0;title\u{2407}\u{FFFD}.json,line=1,")
            && l.contains("title=storylint(duplicate-header)::")
            && l.contains("`X-Key\u{241b}[31m\u{2407}`")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::error file=broken\u{241b}[2J.json,line=3,col=39,title=storylint(invalid-json)::"
        )),
        "{stdout}"
    );
}

#[test]
fn github_reports_input_errors_as_error_commands() {
    let dir = broken_dir();
    let (stdout, code) = check(dir.path(), "github", &["missing.json", "."]);
    let (_, json_code) = check(dir.path(), "json", &["missing.json", "."]);
    assert_eq!(code, 2);
    assert_eq!(code, json_code);
    assert!(
        stdout.lines().any(|l| l.starts_with(
            "::error file=broken.json,line=3,col=39,title=storylint(invalid-json)::invalid JSON"
        )),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error file=missing.json,title=storylint(unreadable)::")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::error file=defective.json,line=1,")),
        "{stdout}"
    );
}

/// GitHub resolves `file=` against the workspace: a path storylint knows as
/// absolute (the configuration it found upward, an input named by its
/// absolute path) must come out relative when it is under the directory
/// storylint ran in, in the GitHub format as in SARIF.
#[test]
fn github_and_sarif_paths_are_relative_to_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    fs::create_dir(d.join("stories")).unwrap();
    fs::write(d.join("stories/defective.json"), DEFECTIVE_ACTION).unwrap();
    // An unknown rule id: a warning located in the configuration.
    fs::write(
        d.join(".storylint.yaml"),
        "rules:\n  hardcoded-secrets: off\n",
    )
    .unwrap();
    let absolute = d.join("stories/defective.json");
    let args = [absolute.to_str().unwrap()];
    let (stdout, code) = check(&d, "github", &args);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        !stdout.contains(d.to_str().unwrap()),
        "an absolute path leaked:\n{stdout}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::warning file=.storylint.yaml,line=2,col=3,title=storylint(unknown-rule-in-config)::"
        )),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error file=stories/defective.json,line=1,")),
        "{stdout}"
    );
    let (doc, _) = check_value(&d, "sarif", &args);
    let run = run0(&doc);
    assert_eq!(
        uri_of(&run["results"][0]["locations"][0]),
        "stories/defective.json"
    );
    let notification = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(uri_of(&notification["locations"][0]), ".storylint.yaml");

    // Outside the workspace, a path stays absolute (GitHub then cannot
    // place it, but it is not made up).
    let sub = d.join("sub");
    fs::create_dir(&sub).unwrap();
    let (stdout, _) = check(&sub, "github", &args);
    assert!(
        stdout.contains(&format!("file={}", absolute.display()).replace(':', "%3A")),
        "{stdout}"
    );
}

/// A workspace reached through a linked directory (`cd logical` where
/// `logical -> real`): the kernel's current directory is `real`, the
/// shell's `$PWD` and the paths the user types say `logical`. Both
/// spellings of a file under it come out relative, with `$PWD` or without.
#[cfg(unix)]
#[test]
fn github_and_sarif_paths_are_relative_through_a_linked_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("real/stories")).unwrap();
    fs::write(root.join("real/stories/defective.json"), DEFECTIVE_ACTION).unwrap();
    std::os::unix::fs::symlink("real", root.join("logical")).unwrap();
    let logical = root.join("logical");
    for arg in [logical.join("stories"), root.join("real/stories")] {
        for pwd in [Some(&logical), None] {
            let mut cmd = storylint(&logical);
            match pwd {
                Some(p) => cmd.env("PWD", p),
                None => cmd.env_remove("PWD"),
            };
            let out = cmd
                .args(["check", "--format", "github", "--output", "sarif=out.sarif"])
                .arg(&arg)
                .output()
                .unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert_eq!(out.status.code(), Some(1), "{stdout}");
            assert!(
                stdout
                    .lines()
                    .any(|l| l.starts_with("::error file=stories/defective.json,line=1,")),
                "{arg:?} with $PWD {pwd:?}:\n{stdout}"
            );
            let doc: Value =
                serde_json::from_str(&fs::read_to_string(root.join("real/out.sarif")).unwrap())
                    .unwrap();
            assert_eq!(
                uri_of(&run0(&doc)["results"][0]["locations"][0]),
                "stories/defective.json",
                "{arg:?} with $PWD {pwd:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- JUnit

fn testcases<'a>(doc: &'a roxmltree::Document) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect()
}

fn child<'a>(node: roxmltree::Node<'a, 'a>, tag: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children().find(|c| c.has_tag_name(tag))
}

#[test]
fn junit_matches_the_json_findings() {
    let dir = broken_dir();
    let clean = repo().join(CLEAN);
    let slack = repo().join(SLACK);
    fs::copy(&clean, dir.path().join("clean.json")).unwrap();
    fs::copy(&slack, dir.path().join("slack.json")).unwrap();
    // Every finding is a failure from `--fail-on info` (see below for the
    // default).
    let (xml, code) = check(dir.path(), "junit", &["--fail-on", "info", "."]);
    let (json, json_code) = check_value(dir.path(), "json", &["--fail-on", "info", "."]);
    assert_eq!(code, json_code);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));

    let root = doc.root_element();
    assert!(root.has_tag_name("testsuites"));
    assert_eq!(root.attribute("name"), Some("storylint"));
    let findings = json["findings"].as_array().unwrap();
    let cases = testcases(&doc);
    let failures: Vec<_> = cases
        .iter()
        .filter(|c| child(**c, "failure").is_some())
        .collect();
    let errors: Vec<_> = cases
        .iter()
        .filter(|c| child(**c, "error").is_some())
        .collect();
    assert_eq!(failures.len(), findings.len());
    assert_eq!(errors.len(), json["errors"].as_array().unwrap().len());
    assert_eq!(
        root.attribute("tests"),
        Some(cases.len().to_string().as_str())
    );
    assert_eq!(
        root.attribute("failures"),
        Some(findings.len().to_string().as_str())
    );
    assert_eq!(
        root.attribute("errors"),
        Some(errors.len().to_string().as_str())
    );

    // One suite per file, in file order.
    let suites: Vec<&str> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(
        suites,
        ["broken.json", "clean.json", "defective.json", "slack.json"]
    );

    for (case, f) in failures.iter().zip(findings) {
        let failure = child(**case, "failure").unwrap();
        let rule = f["rule"].as_str().unwrap();
        assert_eq!(
            case.attribute("classname"),
            Some(format!("storylint.{rule}").as_str())
        );
        assert_eq!(
            case.attribute("name"),
            Some(
                format!(
                    "{}:{}:{}",
                    f["file"].as_str().unwrap(),
                    f["line"],
                    f["column"]
                )
                .as_str()
            )
        );
        assert_eq!(failure.attribute("type"), Some(rule));
        assert_eq!(failure.attribute("message"), f["message"].as_str());
        let text = failure.text().unwrap();
        assert!(text.contains(f["pointer"].as_str().unwrap()), "{text}");
        if let Some(help) = f["help"].as_str() {
            assert!(text.contains(help), "{text}");
        }
        if let Some(name) = f["action"]["name"].as_str() {
            assert!(text.contains(name), "{text}");
        }
    }

    let error = child(*errors[0], "error").unwrap();
    assert_eq!(error.attribute("type"), Some("invalid-json"));
    assert_eq!(
        error.attribute("message"),
        json["errors"][0]["message"].as_str()
    );
    assert_eq!(errors[0].attribute("name"), Some("broken.json:3:39"));

    let clean_case: Vec<_> = cases
        .iter()
        .filter(|c| c.parent().unwrap().attribute("name") == Some("clean.json"))
        .collect();
    assert_eq!(clean_case.len(), 1, "a clean file is one passing testcase");
    assert!(clean_case[0].children().all(|c| !c.is_element()));
}

/// Suppressed findings are not testcases, but each file's suite says how
/// many there were, and by what.
/// A finding below `--fail-on` passes, with its text kept, so that CI's
/// test view agrees with the exit code.
#[test]
fn junit_fails_only_findings_that_fail_the_run() {
    let legacy = repo().join("fixtures/legacy");
    let count = |xml: &str, tag: &str| {
        let doc = roxmltree::Document::parse(xml).unwrap();
        let cases = testcases(&doc);
        cases.iter().filter(|c| child(**c, tag).is_some()).count()
    };
    let (xml, code) = check(&legacy, "junit", &["."]);
    assert_eq!(code, 0);
    assert!(xml.contains("failures=\"0\""), "{xml}");
    assert_eq!((count(&xml, "failure"), count(&xml, "system-out")), (0, 7));
    assert!(xml.contains("legacy-liquid-reference"));
    let (xml, code) = check(&legacy, "junit", &["--fail-on", "info", "."]);
    assert_eq!(code, 1);
    assert!(xml.contains("failures=\"7\""), "{xml}");
    assert_eq!(count(&xml, "failure"), 7);
}

#[test]
fn junit_counts_suppressed_findings_per_file() {
    let dir = broken_dir();
    let d = dir.path();
    fs::copy(repo().join(SLACK), d.join("slack.json")).unwrap();
    let (_, code) = check(d, "json", &["--write-baseline", "base.json", "slack.json"]);
    assert_eq!(code, 0);
    // One finding suppressed by configuration, the rest by the baseline.
    fs::write(
        d.join(".storylint.yaml"),
        "ignore:\n  - action-name: Call API\n    reason: a probe\n",
    )
    .unwrap();
    let args = [
        "--baseline",
        "base.json",
        "slack.json",
        "defective.json",
        "broken.json",
    ];
    let (xml, _) = check(d, "junit", &args);
    let (json, _) = check_value(d, "json", &args);
    assert_eq!(
        json["summary"]["suppressed"],
        serde_json::json!({"total": 5, "directive": 0, "config": 1, "baseline": 4})
    );
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let properties = |suite: &str| -> Vec<(String, String)> {
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(suite))
            .unwrap_or_else(|| panic!("no suite {suite}:\n{xml}"));
        suite
            .children()
            .filter(|n| n.has_tag_name("properties"))
            .flat_map(|p| p.children().filter(|n| n.has_tag_name("property")))
            .map(|p| {
                (
                    p.attribute("name").unwrap().to_string(),
                    p.attribute("value").unwrap().to_string(),
                )
            })
            .collect()
    };
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        properties("slack.json"),
        pairs(&[
            ("storylint.suppressed", "4"),
            ("storylint.suppressed.baseline", "4")
        ])
    );
    assert_eq!(
        properties("defective.json"),
        pairs(&[
            ("storylint.suppressed", "1"),
            ("storylint.suppressed.config", "1")
        ])
    );
    assert!(properties("broken.json").is_empty());
    assert!(
        testcases(&doc)
            .iter()
            .all(|c| child(*c, "failure").is_none()),
        "suppressed findings are not failures:\n{xml}"
    );
}

#[test]
fn junit_escapes_markup_and_strips_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("echo.yaml"), ACTION_NAME_RULE).unwrap();
    fs::write(d.join("a&b<c>.json"), AWKWARD_ACTION).unwrap();
    let args = [
        "--fail-on",
        "warning",
        "--rules",
        "echo.yaml",
        "a&b<c>.json",
    ];
    let (xml, code) = check(d, "junit", &args);
    let (_, json_code) = check(d, "json", &args);
    assert_eq!(code, json_code);
    assert!(!xml.contains('\u{1}'), "{xml}");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let echo = testcases(&doc)
        .into_iter()
        .find(|c| c.attribute("classname") == Some("storylint.action-name-echo"))
        .expect("the user rule fired");
    assert_eq!(echo.attribute("name"), Some("a&b<c>.json:1:133"));
    let failure = child(echo, "failure").unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("action 50% off, a:b\n<&>\"' sends method HEAD\nsecond line"),
        "markup escaped, line breaks kept, the control character removed"
    );
    assert!(failure.text().unwrap().contains("\"50% off, a:b\n<&>\"'\""));
}

// ---------------------------------------------------------------- all

#[test]
fn exit_code_never_depends_on_the_format() {
    let broken = broken_dir();
    let cases: Vec<(&Path, Vec<&str>)> = vec![
        (repo(), vec![CLEAN]),
        (repo(), vec![SLACK, MIXED]),
        (repo(), vec!["--fail-on", "info", CLEAN, NOT_AN_EXPORT]),
        (repo(), vec!["--fail-on", "info", MIXED]),
        (broken.path(), vec!["."]),
        (broken.path(), vec!["missing.json", "defective.json"]),
    ];
    for (dir, args) in cases {
        let codes: Vec<i32> = FORMATS.iter().map(|f| check(dir, f, &args).1).collect();
        assert!(
            codes.iter().all(|c| *c == codes[0]),
            "{args:?}: exit codes {codes:?} for {FORMATS:?}"
        );
    }
}

#[test]
fn output_is_deterministic_whatever_the_thread_count() {
    let inputs = [SLACK, MIXED, CLEAN, NOT_AN_EXPORT, "fixtures/defective"];
    for format in ["sarif", "github", "junit"] {
        let one = check(repo(), format, &[&["--threads", "1"][..], &inputs].concat());
        let many = check(repo(), format, &[&["--threads", "4"][..], &inputs].concat());
        assert_eq!(one, many, "--format {format}");
    }
}
