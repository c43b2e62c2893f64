//! Adopting storylint in a repository, end to end through the real binary:
//! the `.storylint.yaml` configuration (discovery, every key, located
//! errors, `--show-config`), ignore directives in action descriptions,
//! baselines, extra reports with `--output`, shell completions, and the
//! promise that the exit code never depends on the output format.
//!
//! Every test runs in a fresh temporary directory populated with copies of
//! the fixtures, so nothing in the repository (or above it) is read as a
//! configuration.

use insta_cmd::assert_cmd_snapshot;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------- helpers

/// The slack fixture: three `missing-bearer-prefix` errors (agents 3, 5 and
/// 6) and one `legacy-liquid-reference` info (agent 5).
const SLACK: &str = "slack-alert-missing-bearer.json";
const SLACK_STORY: &str = "b8ef310b841e1e4e8b08fc77b5ae6051";
/// Guid of agent 5, "Page On-Call via PagerDuty".
const PAGERDUTY_GUID: &str = "227140e248bac5b56a1d864292323063";

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

fn storylint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_storylint"));
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    cmd
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let out = storylint(dir).args(args).output().unwrap();
    Out {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Runs `check ARGS --format json`; returns the exit code and the document.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = storylint(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}) for {args:?}:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

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

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/defective")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `text` to `dir/rel`, creating directories.
fn put(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
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

fn file_count(doc: &Value) -> u64 {
    doc["summary"]["files"].as_u64().unwrap()
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

/// 1-based line and column (characters) of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line as u64, column as u64)
}

/// Byte offset of `needle` in `text`, which must hold it once.
fn offset_of(text: &str, needle: &str) -> usize {
    assert_eq!(text.matches(needle).count(), 1, "`{needle}` is not unique");
    text.find(needle).unwrap()
}

/// Insta settings that replace the temporary directory in output.
fn temp_filters(dir: &Path) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    let mut paths = vec![dir.to_path_buf()];
    if let Ok(real) = dir.canonicalize() {
        paths.insert(0, real);
    }
    for p in paths {
        settings.add_filter(&regex::escape(&p.display().to_string()), "[TEMP]");
    }
    settings
}

// ---------------------------------------------------- 1. configuration

#[test]
fn config_is_found_upward_and_config_flag_and_no_config_choose_another() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: off\n",
    );
    put(d, "other.yaml", "rules:\n  legacy-liquid-reference: off\n");
    put(d, "stories/deep/er/slack.json", &fixture(SLACK));
    let deep = d.join("stories/deep/er");

    // Found in an ancestor of the current directory.
    let (code, doc) = check_json(&deep, &["slack.json"]);
    assert_eq!(code, 0, "only the info finding is left");
    assert_eq!(
        findings(&doc),
        [finding(
            "legacy-liquid-reference",
            "info",
            "/agents/5/options/headers/authorization"
        )]
    );

    // --config uses another file instead.
    let (code, doc) = check_json(&deep, &["--config", "../../../other.yaml", "slack.json"]);
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["missing-bearer-prefix"; 3]);

    // --no-config ignores any file.
    let (code, doc) = check_json(&deep, &["--no-config", "slack.json"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), slack_findings());

    // Both at once is a usage error.
    let out = run(
        &deep,
        &["check", "--no-config", "--config", "x.yaml", "slack.json"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);

    // The nearest file wins, and `.storylint.yml` is found too.
    put(d, "stories/.storylint.yml", "fail-on: info\n");
    let (code, doc) = check_json(&deep, &["slack.json"]);
    assert_eq!(code, 1, "fail-on info from the nearer file");
    assert_eq!(
        findings(&doc),
        slack_findings(),
        "the root file is not used"
    );

    // A missing --config file is an error.
    let out = run(&deep, &["check", "--config", "missing.yaml", "slack.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("missing.yaml"), "{}", out.stdout);
}

#[test]
fn config_fail_on_sets_the_exit_code_and_the_flag_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "warning.json", WARNING_ONLY);
    let (code, doc) = check_json(d, &["warning.json"]);
    assert_eq!(
        findings(&doc),
        [finding(
            "basic-auth-and-header",
            "warning",
            "/options/basic_auth"
        )]
    );
    assert_eq!(code, 0, "a warning does not fail by default");

    put(d, ".storylint.yaml", "fail-on: warning\n");
    assert_eq!(check_code(d, &["warning.json"]), 1);
    assert_eq!(check_code(d, &["--format", "json", "warning.json"]), 1);
    assert_eq!(check_code(d, &["--fail-on", "error", "warning.json"]), 0);
    assert_eq!(check_code(d, &["--no-config", "warning.json"]), 0);

    put(d, ".storylint.yaml", "fail-on: error\n");
    assert_eq!(check_code(d, &["warning.json"]), 0);
    assert_eq!(check_code(d, &["--fail-on", "warning", "warning.json"]), 1);

    put(d, ".storylint.yaml", "fail-on: info\n");
    assert_eq!(check_code(d, &["warning.json"]), 1);
}

#[test]
fn config_rules_turn_rules_off_or_change_their_severity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: warning\n  legacy-liquid-reference: off\n",
    );
    let (code, doc) = check_json(d, &[SLACK]);
    assert_eq!(
        findings(&doc),
        [
            finding(
                "missing-bearer-prefix",
                "warning",
                "/agents/3/options/headers/Authorization"
            ),
            finding(
                "missing-bearer-prefix",
                "warning",
                "/agents/5/options/headers/authorization"
            ),
            finding(
                "missing-bearer-prefix",
                "warning",
                "/agents/6/options/headers/AUTHORIZATION"
            ),
        ]
    );
    assert_eq!(
        doc["summary"]["findings"],
        json!({"error": 0, "warning": 3, "info": 0})
    );
    assert_eq!(code, 0, "warnings do not fail with fail-on error");
    assert_eq!(
        suppressed(&doc),
        (0, 0, 0, 0),
        "a rule turned off is not a suppression"
    );

    // Raising a severity makes the run fail.
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: off\n  legacy-liquid-reference: error\n",
    );
    let (code, doc) = check_json(d, &[SLACK]);
    assert_eq!(
        findings(&doc),
        [finding(
            "legacy-liquid-reference",
            "error",
            "/agents/5/options/headers/authorization"
        )]
    );
    assert_eq!(code, 1);

    // The human report shows the configured severity too.
    let out = run(d, &["check", "--color", "never", SLACK]);
    assert!(
        out.stdout
            .contains("storylint: 1 error, 0 warnings, 0 info in 1 file"),
        "{}",
        out.stdout
    );
}

#[test]
fn config_include_and_exclude_are_relative_to_the_config_and_apply_to_named_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".storylint.yaml",
        "include: ['stories/**']\nexclude: ['stories/archive/**']\n",
    );
    put(d, "stories/current.json", &fixture(SLACK));
    put(d, "stories/archive/old.json", &fixture(SLACK));
    put(d, "other/warning.json", WARNING_ONLY);
    put(d, "top.json", WARNING_ONLY);
    let stories = d.join("stories");

    // From the root: only stories/current.json.
    let (code, doc) = check_json(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(file_count(&doc), 1, "{doc:#}");
    assert_eq!(finding_files(&doc), ["stories/current.json"]);

    // From a subdirectory the globs are still relative to the config.
    let (_, doc) = check_json(&stories, &["."]);
    assert_eq!(file_count(&doc), 1, "{doc:#}");
    assert_eq!(finding_files(&doc), ["current.json"]);

    // Files named explicitly are filtered too.
    let (code, doc) = check_json(&stories, &["archive/old.json"]);
    assert_eq!((code, file_count(&doc)), (0, 0), "{doc:#}");
    let (code, doc) = check_json(
        d,
        &["other/warning.json", "top.json", "stories/current.json"],
    );
    assert_eq!(code, 1);
    assert_eq!(file_count(&doc), 1, "{doc:#}");
    assert_eq!(finding_files(&doc), ["stories/current.json"]);
    let (_, doc) = check_json(&stories, &["../other/warning.json", "current.json"]);
    assert_eq!(file_count(&doc), 1, "{doc:#}");
    assert_eq!(finding_files(&doc), ["current.json"]);

    // --no-config checks everything.
    let (_, doc) = check_json(d, &["--no-config", "."]);
    assert_eq!(file_count(&doc), 4, "{doc:#}");
}

/// A path that cannot be used (a dangling link, a path named but missing)
/// is an error only where the configuration would check a file: in an
/// excluded tree, or outside `include`, it is none of storylint's business.
#[cfg(unix)]
#[test]
fn config_include_and_exclude_apply_to_paths_that_cannot_be_used() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "stories/warning.json", WARNING_ONLY);
    fs::create_dir_all(d.join("vendor/deep")).unwrap();
    fs::create_dir_all(d.join("other")).unwrap();
    symlink("/nonexistent", d.join("vendor/gone.json")).unwrap();
    symlink("/nonexistent", d.join("vendor/deep/gone.json")).unwrap();
    symlink("/nonexistent", d.join("other/gone.json")).unwrap();
    put(d, ".storylint.yaml", "exclude: [\"vendor/**\"]\n");
    let errors = |doc: &Value| -> Vec<String> {
        doc["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["file"].as_str().unwrap().to_string())
            .collect()
    };
    // Walked: the excluded links are passed over, the other one is not.
    let (code, doc) = check_json(d, &["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(errors(&doc), ["other/gone.json"], "{doc:#}");
    fs::remove_file(d.join("other/gone.json")).unwrap();
    let (code, doc) = check_json(d, &["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(errors(&doc), Vec::<String>::new(), "{doc:#}");
    // Named: a missing or dangling path that would not be checked is not
    // an error; one that would be is.
    let (code, doc) = check_json(
        d,
        &[
            "vendor/gone.json",
            "vendor/deleted.json",
            "vendor/deep",
            "stories",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(file_count(&doc), 1, "{doc:#}");
    let (code, doc) = check_json(d, &["stories/deleted.json", "stories"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(errors(&doc), ["stories/deleted.json"], "{doc:#}");
    // With `include`, what lies outside it is passed over the same way.
    put(d, ".storylint.yaml", "include: [\"stories/**\"]\n");
    symlink("/nonexistent", d.join("other/gone.json")).unwrap();
    let (code, doc) = check_json(d, &["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(errors(&doc), Vec::<String>::new(), "{doc:#}");
    symlink("/nonexistent", d.join("stories/gone.json")).unwrap();
    let (code, doc) = check_json(d, &["."]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(errors(&doc), ["stories/gone.json"], "{doc:#}");
    let (code, doc) = check_json(d, &["other/missing.json", "stories/warning.json"]);
    assert_eq!(code, 0, "{doc:#}");
    // A missing path that could be a directory holding included files is
    // an error.
    let (code, doc) = check_json(d, &["stories/typo", "stories/warning.json"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(errors(&doc), ["stories/typo"], "{doc:#}");
}

#[test]
fn config_rule_dirs_are_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "ci/rules/example-host.yaml", EXAMPLE_HOST_RULE);
    put(d, "ci/storylint.yaml", "rule-dirs: [rules]\n");
    put(d, "stories/x.json", EXAMPLE_HOST);

    // The rule's own examples pass.
    let out = run(d, &["test-rules", "ci/rules"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    // Named with --config from the root: `rules` is ci/rules.
    let (code, doc) = check_json(d, &["--config", "ci/storylint.yaml", "stories/x.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        findings(&doc),
        [finding("example-host", "warning", "/options/url")]
    );
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");

    // Discovered from a subdirectory: the rule dir is relative to the
    // config, and the user rule's id is a known id for `rules:`.
    put(
        d,
        ".storylint.yaml",
        "rule-dirs: [ci/rules]\nrules:\n  example-host: error\n",
    );
    let stories = d.join("stories");
    let (code, doc) = check_json(&stories, &["x.json"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        findings(&doc),
        [finding("example-host", "error", "/options/url")]
    );
    assert!(warnings(&doc).is_empty(), "{doc:#}");

    // Without the configuration the rule does not exist.
    let (code, doc) = check_json(&stories, &["--no-config", "x.json"]);
    assert_eq!(code, 0);
    assert!(findings(&doc).is_empty());

    // A missing rule dir is an error, like a missing --rules path.
    put(d, ".storylint.yaml", "rule-dirs: [nope]\n");
    let out = run(&stories, &["check", "x.json"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
}

#[test]
fn config_overrides_apply_per_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: warning\noverrides:\n  - files: ['legacy/**']\n    rules: {missing-bearer-prefix: off}\n  - files: ['legacy/keep/**']\n    rules: {missing-bearer-prefix: error, legacy-liquid-reference: off}\n",
    );
    put(d, "current/slack.json", &fixture(SLACK));
    put(d, "legacy/slack.json", &fixture(SLACK));
    put(d, "legacy/keep/slack.json", &fixture(SLACK));
    let (code, doc) = check_json(d, &["current/slack.json"]);
    assert_eq!(code, 0);
    let severities: Vec<(String, String)> =
        findings(&doc).into_iter().map(|(r, s, _)| (r, s)).collect();
    assert_eq!(
        severities,
        [
            ("missing-bearer-prefix".into(), "warning".into()),
            ("legacy-liquid-reference".into(), "info".into()),
            ("missing-bearer-prefix".into(), "warning".into()),
            ("missing-bearer-prefix".into(), "warning".into()),
        ]
    );

    let (code, doc) = check_json(d, &["legacy/slack.json"]);
    assert_eq!(code, 0);
    assert_eq!(
        findings(&doc),
        [finding(
            "legacy-liquid-reference",
            "info",
            "/agents/5/options/headers/authorization"
        )]
    );

    // The last matching override wins.
    let (code, doc) = check_json(d, &["legacy/keep/slack.json"]);
    assert_eq!(code, 1);
    let all = findings(&doc);
    let rules: Vec<(&str, &str)> = all
        .iter()
        .map(|(r, s, _)| (r.as_str(), s.as_str()))
        .collect();
    assert_eq!(rules, [("missing-bearer-prefix", "error"); 3]);

    // Walking the whole tree applies each file's settings.
    let (code, doc) = check_json(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        doc["summary"]["findings"],
        json!({"error": 3, "warning": 3, "info": 2})
    );
}

/// A rule turned off at the top level can be turned back on for some
/// paths: `rules: {x: off}` with an override `{x: warning}` for one
/// directory reports x there, and only there.
#[test]
fn config_override_turns_a_rule_that_is_off_back_on_for_its_paths() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: off\n  legacy-liquid-reference: off\noverrides:\n  - files: ['strict/**']\n    rules: {missing-bearer-prefix: warning}\n  - files: ['strict/off/**']\n    rules: {missing-bearer-prefix: off}\n",
    );
    put(d, "lax/slack.json", &fixture(SLACK));
    put(d, "strict/slack.json", &fixture(SLACK));
    put(d, "strict/off/slack.json", &fixture(SLACK));

    let (code, doc) = check_json(d, &["lax/slack.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc).is_empty(), "off at the top level: {doc:#}");

    let (code, doc) = check_json(d, &["strict/slack.json"]);
    assert_eq!(code, 0, "warnings do not fail the run: {doc:#}");
    let all = findings(&doc);
    let rules: Vec<(&str, &str)> = all
        .iter()
        .map(|(r, s, _)| (r.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        rules,
        [("missing-bearer-prefix", "warning"); 3],
        "turned back on, at the override's severity"
    );
    assert_eq!(
        check_code(d, &["--fail-on", "warning", "strict/slack.json"]),
        1
    );

    // Walking everything: only the strict directory reports it; a later
    // override turning it off again wins for its own paths.
    let (_, doc) = check_json(d, &["."]);
    assert_eq!(finding_files(&doc), ["strict/slack.json"], "{doc:#}");
    assert_eq!(
        doc["summary"]["findings"],
        json!({"error": 0, "warning": 3, "info": 0})
    );
}

#[test]
fn config_ignores_suppress_by_story_action_and_name_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    put(d, "jira.json", &fixture("jira-basic-auth-plaintext.json"));
    put(
        d,
        ".storylint.yaml",
        &format!(
            "ignore:
  - rules: [missing-bearer-prefix]
    action-name: Open ServiceNow Incident
    reason: ServiceNow takes the bare token
  - rules: [missing-bearer-prefix]
    action: {PAGERDUTY_GUID}
    reason: PagerDuty's Events API key is sent bare
  - rules: [legacy-liquid-reference]
    story: {SLACK_STORY}
    reason: migrating later
  - action-name: Post Alert to Slack
    story: not-this-story
    reason: matches nothing (wrong story)
"
        ),
    );
    let (code, doc) = check_json(d, &[SLACK, "jira.json"]);
    assert_eq!(code, 1);
    let slack: Vec<_> = findings(&doc)
        .into_iter()
        .filter(|f| f.0 == "missing-bearer-prefix" || f.0 == "legacy-liquid-reference")
        .collect();
    assert_eq!(
        slack,
        [finding(
            "missing-bearer-prefix",
            "error",
            "/agents/3/options/headers/Authorization"
        )]
    );
    assert_eq!(
        doc["summary"]["findings"],
        json!({"error": 4, "warning": 2, "info": 0}),
        "jira.json is untouched"
    );
    assert_eq!(suppressed(&doc), (3, 0, 3, 0));

    // An entry with no `rules` hides every rule in what it matches.
    put(
        d,
        ".storylint.yaml",
        "ignore:\n  - action-name: Page On-Call via PagerDuty\n    reason: being rewritten\n",
    );
    let (_, doc) = check_json(d, &[SLACK]);
    assert_eq!(
        findings(&doc),
        [
            finding(
                "missing-bearer-prefix",
                "error",
                "/agents/3/options/headers/Authorization"
            ),
            finding(
                "missing-bearer-prefix",
                "error",
                "/agents/6/options/headers/AUTHORIZATION"
            ),
        ]
    );
    assert_eq!(suppressed(&doc), (2, 0, 2, 0));

    // The human summary says so.
    let out = run(d, &["check", "--color", "never", SLACK]);
    assert!(
        out.stdout.contains("2 suppressed (2 by configuration)"),
        "{}",
        out.stdout
    );
}

// ----------------------------------------------- 2. configuration errors

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

#[test]
fn config_errors_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "stories/slack.json", &fixture(SLACK));
    let stories = d.join("stories");
    let cases: &[(&str, &str, &str)] = &[
        ("fail_on: warning\n", ".storylint.yaml:1:1", "fail_on"),
        (
            "ignore:\n  - rules: [missing-bearer-prefix]\n    action-nam: Post Alert to Slack\n    reason: r\n",
            ".storylint.yaml:3:5",
            "action-nam",
        ),
        (
            "rules:\n  missing-bearer-prefix: loud\n",
            ".storylint.yaml:2:26",
            "`loud` is not a rule setting",
        ),
        (
            "fail-on: critical\n",
            ".storylint.yaml:1:10",
            "unknown severity `critical`",
        ),
        (
            "ignore:\n  - rules: [missing-bearer-prefix]\n    action-name: Post Alert to Slack\n",
            ".storylint.yaml:2:",
            "needs a `reason`",
        ),
        (
            "ignore:\n  - rules: [missing-bearer-prefix]\n    action-name: Post Alert to Slack\n    reason: '  '\n",
            ".storylint.yaml:2:",
            "needs a `reason`",
        ),
    ];
    for (yaml, location, message) in cases {
        put(d, ".storylint.yaml", yaml);
        for format in ["human", "json"] {
            let out = run(
                &stories,
                &[
                    "check",
                    "--color",
                    "never",
                    "--format",
                    format,
                    "slack.json",
                ],
            );
            assert_eq!(out.code, 2, "{yaml}: {}{}", out.stdout, out.stderr);
            let all = format!("{}{}", out.stdout, out.stderr);
            assert!(
                reports_location(&out.stdout, &out.stderr, location),
                "{yaml}: wanted {location} in\n{all}"
            );
            assert!(all.contains(message), "{yaml}: wanted {message} in\n{all}");
            assert!(
                !all.contains("missing-bearer-prefix\n\n  ×"),
                "nothing is linted with a bad configuration:\n{all}"
            );
        }
    }

    // Several problems at once are all reported; snapshot the human form.
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: loud\nfail-on: critical\nignore:\n  - rules: [missing-bearer-prefix]\n    action-name: Post Alert to Slack\n",
    );
    let _guard = temp_filters(d).bind_to_scope();
    assert_cmd_snapshot!(
        "config_errors_human",
        storylint(&stories).args(["check", "--color", "never", "slack.json"])
    );
    put(d, ".storylint.yaml", "fail_on: warning\n");
    assert_cmd_snapshot!(
        "config_unknown_key_human",
        storylint(&stories).args(["check", "--color", "never", "slack.json"])
    );
}

#[test]
fn unknown_rule_ids_in_config_are_warnings_and_the_run_proceeds() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    put(d, "warning.json", WARNING_ONLY);
    let yaml = "rules:\n  missing-bearer-prefx: off\noverrides:\n  - files: ['*.json']\n    rules: {legacy-liquid-refrence: off}\nignore:\n  - rules: [basic-auth-and-headr]\n    action-name: Both\n    reason: r\n";
    put(d, ".storylint.yaml", yaml);

    let (code, doc) = check_json(d, &[SLACK]);
    assert_eq!(code, 1, "the findings still fail the run");
    assert_eq!(
        findings(&doc),
        slack_findings(),
        "the typo turns nothing off"
    );
    assert_eq!(doc["summary"]["errors"], 0);
    let ws = warnings(&doc);
    assert_eq!(ws.len(), 3, "{doc:#}");
    for ((w, id), meant) in ws
        .iter()
        .zip([
            "missing-bearer-prefx",
            "legacy-liquid-refrence",
            "basic-auth-and-headr",
        ])
        .zip([
            "missing-bearer-prefix",
            "legacy-liquid-reference",
            "basic-auth-and-header",
        ])
    {
        assert_eq!(w["kind"], "unknown-rule-in-config");
        // The suggestion reaches JSON too, not only the human format.
        assert_eq!(
            w["help"].as_str(),
            Some(format!("did you mean `{meant}`?").as_str()),
            "{w:#}"
        );
        assert_eq!(w["severity"], "warning");
        assert!(
            w["message"].as_str().unwrap().contains(id),
            "{w:#} should name {id}"
        );
        let (line, column) = line_col(yaml, offset_of(yaml, id));
        assert_eq!(
            (w["line"].as_u64(), w["column"].as_u64()),
            (Some(line), Some(column))
        );
        assert!(
            w["file"].as_str().unwrap().ends_with(".storylint.yaml"),
            "{w:#}"
        );
    }

    // A warning alone does not fail the run.
    let (code, doc) = check_json(d, &["warning.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(warning_kinds(&doc), ["unknown-rule-in-config"; 3]);

    // The human output suggests the right id.
    let out = run(d, &["check", "--color", "never", SLACK]);
    assert_eq!(out.code, 1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("did you mean `missing-bearer-prefix`?"),
        "{all}"
    );
    assert!(
        all.contains("did you mean `legacy-liquid-reference`?"),
        "{all}"
    );
    assert!(
        all.contains("did you mean `basic-auth-and-header`?"),
        "{all}"
    );
    assert!(all.contains(".storylint.yaml:2:3"), "{all}");
}

// -------------------------------------------------------- 3. show-config

#[test]
fn show_config_prints_the_effective_configuration_without_linting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".storylint.yaml",
        "fail-on: warning
rules:
  missing-bearer-prefix: warning
  retry-on-auth-error: off
include: ['stories/**']
exclude: ['stories/archive/**']
overrides:
  - files: ['stories/legacy/**']
    rules: {legacy-liquid-reference: off}
ignore:
  - rules: [missing-bearer-prefix]
    action-name: Open ServiceNow Incident
    reason: ServiceNow takes the bare token
",
    );
    // Would be exit 2 if it were checked.
    put(d, "stories/broken.json", "{\"agents\": [");
    let stories = d.join("stories");

    let out = run(&stories, &["check", "--show-config"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for line in [
        "fail-on: warning\n",
        "  missing-bearer-prefix: warning\n",
        "  retry-on-auth-error: off\n",
        "  basic-auth-and-header: warning  # default\n",
        "  unsupported-http-method: error  # default\n",
        "include:\n  - \"stories/**\"\n",
        "exclude:\n  - \"stories/archive/**\"\n",
        "  - files: [\"stories/legacy/**\"]\n",
        "      legacy-liquid-reference: off\n",
        "  - rules: [missing-bearer-prefix]\n",
        "    action-name: \"Open ServiceNow Incident\"\n",
        "    reason: \"ServiceNow takes the bare token\"\n",
    ] {
        assert!(
            out.stdout.contains(line),
            "wanted {line:?} in\n{}",
            out.stdout
        );
    }
    assert!(!out.stdout.contains("invalid JSON"), "{}", out.stdout);
    assert!(!out.stderr.contains("invalid JSON"), "{}", out.stderr);
    {
        let _guard = temp_filters(d).bind_to_scope();
        assert_cmd_snapshot!(
            "show_config",
            storylint(&stories).args(["check", "--show-config"])
        );
    }

    // --fail-on is reflected, and --no-config shows the defaults.
    let out = run(&stories, &["check", "--show-config", "--fail-on", "info"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--fail-on info"), "{}", out.stdout);
    let out = run(&stories, &["check", "--show-config", "--no-config"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("no .storylint.yaml found"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("fail-on: error\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("  missing-bearer-prefix: error  # default\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("ignore: []\n"), "{}", out.stdout);
}

// ---------------------------------------------------- 4. directives

/// The slack fixture with `extra` appended (as JSON-escaped text) to the
/// description `was`.
/// `--show-config` prints the configuration's path and texts inertly: a
/// directory name with a line break, an escape sequence or a
/// bidirectional override starts no line and controls nothing.
#[cfg(unix)]
#[test]
fn show_config_never_prints_control_characters_from_paths_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("cfg\n::error::pwned\u{1b}[2J\u{202e}");
    fs::create_dir(&d).unwrap();
    put(
        &d,
        ".storylint.yaml",
        "exclude: [\"a\\u202eb/**\"]\noverrides:\n  - files: [x]\n    rules: {\"odd\\nid\": off}\n",
    );
    let out = run(&d, &["check", "--show-config"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for c in ['\u{1b}', '\u{202e}'] {
        assert!(!out.stdout.contains(c), "{c:?}:\n{}", out.stdout);
    }
    assert!(
        !out.stdout.lines().any(|l| l.trim_start().starts_with("::")),
        "{}",
        out.stdout
    );
    let first = out.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("# storylint configuration from ")
            && first.ends_with("/cfg␊::error::pwned␛[2J\u{FFFD}/.storylint.yaml"),
        "{first}"
    );
    assert!(
        out.stdout.contains("  - \"a\\u202eb/**\"\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("      \"odd\\nid\": off\n"),
        "{}",
        out.stdout
    );
}

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

#[test]
fn directive_suppresses_its_rule_in_its_action_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let story = add_to_description(
        &fixture(SLACK),
        SLACK_DESCRIPTION,
        "\nstorylint: ignore[missing-bearer-prefix] Slack takes the bare bot token here",
    );
    put(d, SLACK, &story);
    let (code, doc) = check_json(d, &[SLACK]);
    assert_eq!(code, 1, "the same defect elsewhere still fails");
    let mut want = slack_findings();
    want.remove(0);
    assert_eq!(findings(&doc), want);
    assert_eq!(suppressed(&doc), (1, 1, 0, 0));
    assert!(warnings(&doc).is_empty(), "{doc:#}");

    // Case and leading whitespace do not matter; several rules may be named.
    let story = add_to_description(
        &fixture(SLACK),
        PAGERDUTY_DESCRIPTION,
        "\n  STORYLINT: ignore [legacy-liquid-reference, missing-bearer-prefix] — being migrated",
    );
    put(d, SLACK, &story);
    let (code, doc) = check_json(d, &[SLACK]);
    assert_eq!(code, 1);
    let mut want = slack_findings();
    want.drain(1..3);
    assert_eq!(findings(&doc), want);
    assert_eq!(suppressed(&doc), (2, 2, 0, 0));
    assert!(warnings(&doc).is_empty(), "{doc:#}");

    // In a minified export with Rails-style escapes the directive is read
    // decoded and located at its bytes in the file.
    let minified = r#"{"agents":[{"type":"Agents::HTTPRequestAgent","name":"A","guid":"g1","description":"Uses \u003cb\u003e tags \u0026 more\nstorylint: ignore[missing-bearer-prefix] the API takes the bare key","options":{"url":"https://api.acme.io","method":"GET","headers":{"Authorization":"\u003c\u003cCREDENTIAL.t\u003e\u003e"}}},{"type":"Agents::HTTPRequestAgent","name":"B","guid":"g2","description":"\u003ci\u003eB\u003c/i\u003e\nstorylint: ignore[missing-bearer-prefx] typo","options":{"url":"https://api.acme.io","method":"GET","headers":{"Authorization":"\u003c\u003cCREDENTIAL.u\u003e\u003e"}}}]}"#;
    put(d, "min.json", minified);
    let (code, doc) = check_json(d, &["min.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [finding(
            "missing-bearer-prefix",
            "error",
            "/agents/1/options/headers/Authorization"
        )]
    );
    assert_eq!(suppressed(&doc), (1, 1, 0, 0));
    let ws = warnings(&doc);
    assert_eq!(warning_kinds(&doc), ["unknown-rule-in-ignore"]);
    let at = offset_of(minified, "missing-bearer-prefx");
    assert_eq!(ws[0]["offset"], at as u64, "{doc:#}");
    assert_eq!(
        (ws[0]["line"].as_u64(), ws[0]["column"].as_u64()),
        (Some(1), Some(at as u64 + 1))
    );

    let out = run(d, &["check", "--color", "never", SLACK]);
    assert!(
        out.stdout.contains("2 suppressed (2 by directive"),
        "{}",
        out.stdout
    );
}

#[test]
fn directive_problems_are_located_notes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut story = fixture(SLACK);
    story = add_to_description(
        &story,
        WEBHOOK_DESCRIPTION,
        "\nstorylint: ignore[missing-bearer-prefx] typo in the id",
    );
    story = add_to_description(
        &story,
        PAGERDUTY_DESCRIPTION,
        "\nstorylint: ignore missing-bearer-prefix no brackets\nstorylint: ignore[missing-bearer-prefix]\nstorylint: ignore[] empty list",
    );
    story = add_to_description(
        &story,
        SQS_DESCRIPTION,
        "\nstorylint: ignore[missing-bearer-prefix] exempt by host anyway",
    );
    put(d, SLACK, &story);

    let (code, doc) = check_json(d, &[SLACK]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), slack_findings(), "nothing was suppressed");
    assert_eq!(suppressed(&doc), (0, 0, 0, 0));
    assert_eq!(doc["summary"]["errors"], 0);

    let at = |needle: &str, skip: usize| line_col(&story, offset_of(&story, needle) + skip);
    let mut want = vec![
        (
            "unknown-rule-in-ignore",
            at("missing-bearer-prefx", 0),
            "missing-bearer-prefx",
        ),
        (
            "malformed-ignore",
            at("storylint: ignore missing-bearer-prefix no brackets", 0),
            "brackets",
        ),
        (
            "malformed-ignore",
            at(
                "no brackets\\nstorylint: ignore[missing-bearer-prefix]\\n",
                "no brackets\\n".len(),
            ),
            "reason",
        ),
        (
            "malformed-ignore",
            at("storylint: ignore[] empty list", 0),
            "empty",
        ),
        (
            "unused-ignore",
            at(
                "storylint: ignore[missing-bearer-prefix] exempt by host anyway",
                0,
            ),
            "suppresses nothing",
        ),
    ];
    let mut got: Vec<(&str, (u64, u64), String)> = warnings(&doc)
        .iter()
        .map(|w| {
            assert_eq!(w["severity"], "info", "{w:#}");
            assert_eq!(w["file"], SLACK, "{w:#}");
            (
                w["kind"].as_str().unwrap(),
                (w["line"].as_u64().unwrap(), w["column"].as_u64().unwrap()),
                w["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    want.sort_by_key(|w| w.1);
    got.sort_by_key(|w| w.1);
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.0, g.1), (w.0, w.1), "{got:#?}");
        assert!(g.2.contains(w.2), "{:?} should mention {:?}", g.2, w.2);
    }

    // Notes do not fail the run on their own, at any --fail-on.
    let clean = add_to_description(
        &replace_once(
            &replace_once(
                &replace_once(
                    &fixture(SLACK),
                    "\"Authorization\": \"<<CREDENTIAL.slack_bot_token>>\"",
                    "\"Authorization\": \"Bearer <<CREDENTIAL.slack_bot_token>>\"",
                ),
                "\"authorization\": \"{{ .CREDENTIAL.pagerduty_key }}\"",
                "\"authorization\": \"Token token=<<CREDENTIAL.pagerduty_key>>\"",
            ),
            "\"AUTHORIZATION\": \"  ",
            "\"AUTHORIZATION\": \"Bearer ",
        ),
        SQS_DESCRIPTION,
        "\nstorylint: ignore[missing-bearer-prefix] exempt by host anyway",
    );
    put(d, "clean.json", &clean);
    let (code, doc) = check_json(d, &["clean.json"]);
    assert!(findings(&doc).is_empty(), "{doc:#}");
    assert_eq!(warning_kinds(&doc), ["unused-ignore"]);
    assert_eq!(code, 0);
    assert_eq!(check_code(d, &["--fail-on", "info", "clean.json"]), 0);

    // The human report shows each one at its place, with a suggestion for
    // the unknown id.
    let out = run(d, &["check", "--color", "never", SLACK]);
    assert!(
        out.stdout.contains("did you mean `missing-bearer-prefix`?"),
        "{}",
        out.stdout
    );
    assert_cmd_snapshot!(
        "directive_problems_human",
        storylint(d).args(["check", "--color", "never", SLACK])
    );
}

#[test]
fn no_ignores_disregards_directives_config_ignores_and_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let story = add_to_description(
        &fixture(SLACK),
        SLACK_DESCRIPTION,
        "\nstorylint: ignore[missing-bearer-prefix] Slack takes the bare bot token here",
    );
    put(d, SLACK, &story);
    put(
        d,
        ".storylint.yaml",
        "ignore:\n  - rules: [missing-bearer-prefix]\n    action-name: Open ServiceNow Incident\n    reason: ServiceNow takes the bare token\n",
    );
    // The baseline takes what the directive and the config leave: agent 5.
    let (code, doc) = check_json(d, &["--write-baseline", "base.json", SLACK]);
    assert_eq!(code, 0);
    assert_eq!(findings(&doc).len(), 2);

    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK]);
    assert_eq!(code, 0);
    assert!(findings(&doc).is_empty(), "{doc:#}");
    assert_eq!(suppressed(&doc), (4, 1, 1, 2));

    let (code, doc) = check_json(d, &["--no-ignores", "--baseline", "base.json", SLACK]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), slack_findings());
    assert_eq!(suppressed(&doc), (0, 0, 0, 0));
    assert!(warnings(&doc).is_empty(), "{doc:#}");

    // The configuration's other settings still apply.
    put(
        d,
        ".storylint.yaml",
        "rules: {legacy-liquid-reference: off}\nignore:\n  - rules: [missing-bearer-prefix]\n    action-name: Open ServiceNow Incident\n    reason: ServiceNow takes the bare token\n",
    );
    let (_, doc) = check_json(d, &["--no-ignores", SLACK]);
    let mut want = slack_findings();
    want.remove(1);
    assert_eq!(findings(&doc), want);
}

// ------------------------------------------------------- 5. baselines

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

fn fingerprints(values: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = values
        .iter()
        .map(|v| v["fingerprint"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn write_baseline_then_baseline_hides_the_existing_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    put(d, "vuln.json", &fixture("vuln-disclosure-intake.json"));
    let (code, before) = check_json(d, &[SLACK, "vuln.json"]);
    assert_eq!(code, 1);
    let n = before["findings"].as_array().unwrap().len();
    assert_eq!(n, 19);

    let (code, doc) = check_json(d, &["--write-baseline", "base.json", SLACK, "vuln.json"]);
    assert_eq!(code, 0, "writing a baseline succeeds despite findings");
    assert_eq!(doc["findings"], before["findings"], "the run still reports");
    let b = read_baseline(&d.join("base.json"));
    let entries = b["findings"].as_array().unwrap();
    assert_eq!(entries.len(), n, "one entry per finding");
    assert_eq!(
        fingerprints(entries),
        fingerprints(before["findings"].as_array().unwrap())
    );
    let rules: Vec<&str> = entries
        .iter()
        .filter(|e| e["file"] == SLACK)
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), 4);
    // Human format and an existing file are fine too.
    let out = run(
        d,
        &["check", "--write-baseline", "base.json", SLACK, "vuln.json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(read_baseline(&d.join("base.json")), b, "stable output");

    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK, "vuln.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc).is_empty(), "{doc:#}");
    assert_eq!(suppressed(&doc), (n as u64, 0, 0, n as u64));
    assert!(warnings(&doc).is_empty(), "{doc:#}");
    assert_eq!(
        check_code(
            d,
            &[
                "--baseline",
                "base.json",
                "--fail-on",
                "info",
                SLACK,
                "vuln.json"
            ]
        ),
        0
    );

    // A file not in the baseline is reported in full.
    put(d, "jira.json", &fixture("jira-basic-auth-plaintext.json"));
    let (code, doc) = check_json(d, &["--baseline", "base.json", "jira.json"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc).len(), 5);
    assert!(warnings(&doc).is_empty(), "{doc:#}");

    // Writing a baseline does not hide a broken input.
    put(d, "broken.json", "{\"agents\": [");
    let code = check_code(d, &["--write-baseline", "b2.json", SLACK, "broken.json"]);
    assert_eq!(code, 2);
}

#[test]
fn baseline_fingerprints_survive_reformatting_reordering_and_reexporting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = fixture(SLACK);
    put(d, SLACK, &original);
    put(d, "ir.min.json", &fixture("incident-response.min.json"));
    let files = [SLACK, "ir.min.json"];
    let (_, before) = check_json(d, &["--write-baseline", "base.json", files[0], files[1]]);
    let n = before["findings"].as_array().unwrap().len() as u64;
    assert_eq!(n, 10);

    let value = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
    let ir = fixture("incident-response.min.json");
    let variants: Vec<(&str, String, String)> = vec![
        (
            "minified",
            serde_json::to_string(&value(&original)).unwrap(),
            ir.clone(),
        ),
        (
            "re-indented",
            serde_json::to_string_pretty(&value(&original))
                .unwrap()
                .replace("\n", "\r\n    "),
            serde_json::to_string_pretty(&value(&ir)).unwrap(),
        ),
        (
            "agents reordered",
            {
                let mut v = value(&original);
                v["agents"].as_array_mut().unwrap().reverse();
                serde_json::to_string_pretty(&v).unwrap()
            },
            {
                let mut v = value(&ir);
                v["agents"].as_array_mut().unwrap().rotate_left(7);
                v["send_to_stories"][0]["agents"]
                    .as_array_mut()
                    .unwrap()
                    .reverse();
                serde_json::to_string(&v).unwrap()
            },
        ),
        (
            "re-exported",
            replace_once(
                &original,
                "\"exported_at\": \"2025-02-03T14:27:09Z\"",
                "\"exported_at\": \"2026-07-01T08:00:00Z\"",
            ),
            {
                let mut v = value(&ir);
                v["exported_at"] = json!("2031-01-01T00:00:00Z");
                serde_json::to_string(&v).unwrap()
            },
        ),
    ];
    for (what, slack, ir) in variants {
        put(d, SLACK, &slack);
        put(d, "ir.min.json", &ir);
        // Still the same findings...
        let (code, doc) = check_json(d, &files);
        assert_eq!(code, 1, "{what}");
        assert_eq!(
            fingerprints(doc["findings"].as_array().unwrap()),
            fingerprints(before["findings"].as_array().unwrap()),
            "{what}: fingerprints changed"
        );
        // ...all of them in the baseline.
        let (code, doc) = check_json(d, &["--baseline", "base.json", files[0], files[1]]);
        assert_eq!(code, 0, "{what}: {doc:#}");
        assert!(findings(&doc).is_empty(), "{what}: {doc:#}");
        assert_eq!(suppressed(&doc), (n, 0, 0, n), "{what}");
        assert!(warnings(&doc).is_empty(), "{what}: {doc:#}");
    }
}

#[test]
fn baseline_reports_new_findings_and_stale_entries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = fixture(SLACK);
    put(d, SLACK, &original);
    put(d, "warning.json", WARNING_ONLY);
    check_json(d, &["--write-baseline", "base.json", SLACK, "warning.json"]);

    // A new defect, in a new action: reported; the old ones stay hidden.
    let mut v: Value = serde_json::from_str(&original).unwrap();
    v["agents"].as_array_mut().unwrap().insert(
        2,
        json!({
            "type": "Agents::HTTPRequestAgent",
            "name": "Probe Status Page",
            "guid": "0123456789abcdef0123456789abcdef",
            "options": {"url": "https://status.example.com", "method": "HEAD"}
        }),
    );
    put(d, SLACK, &serde_json::to_string_pretty(&v).unwrap());
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK, "warning.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&doc),
        [finding(
            "unsupported-http-method",
            "error",
            "/agents/2/options/method"
        )]
    );
    assert_eq!(suppressed(&doc), (5, 0, 0, 5));
    assert!(warnings(&doc).is_empty(), "{doc:#}");

    // A new defect in an action that already has a baselined one is new too.
    let twice = replace_once(
        &original,
        "\"method\": \"post\",\n        \"content_type\": \"application_json\",\n        \"headers\": {\n          \"Authorization\": \"<<CREDENTIAL.slack_bot_token>>\"",
        "\"method\": \"TRACE\",\n        \"content_type\": \"application_json\",\n        \"headers\": {\n          \"Authorization\": \"<<CREDENTIAL.slack_bot_token>>\"",
    );
    put(d, SLACK, &twice);
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        findings(&doc),
        [finding(
            "unsupported-http-method",
            "error",
            "/agents/3/options/method"
        )]
    );

    // Fixing a baselined defect leaves a stale entry, noted for its file.
    let fixed = replace_once(
        &original,
        "\"Authorization\": \"<<CREDENTIAL.slack_bot_token>>\"",
        "\"Authorization\": \"Bearer <<CREDENTIAL.slack_bot_token>>\"",
    );
    put(d, SLACK, &fixed);
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK, "warning.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(findings(&doc).is_empty(), "{doc:#}");
    assert_eq!(suppressed(&doc), (4, 0, 0, 4));
    let ws = warnings(&doc);
    assert_eq!(ws.len(), 1, "{doc:#}");
    assert_eq!(ws[0]["kind"], "stale-baseline-entry");
    assert_eq!(ws[0]["file"], SLACK);
    assert_eq!(ws[0]["severity"], "info");
    let message = ws[0]["message"].as_str().unwrap();
    assert!(
        message.contains("missing-bearer-prefix")
            && message.contains("/agents/3/options/headers/Authorization"),
        "{message}"
    );

    // Entries for files not checked in this run are not stale.
    let (code, doc) = check_json(d, &["--baseline", "base.json", "warning.json"]);
    assert_eq!(code, 0);
    assert!(warnings(&doc).is_empty(), "{doc:#}");
}

#[test]
fn baseline_entries_each_hide_one_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let action = |statuses: &str| {
        format!(
            r#"{{"type": "Agents::HTTPRequestAgent", "name": "Retry", "options": {{"url": "https://api.acme.io", "method": "GET", "retry_on_status": [{statuses}]}}}}"#
        )
    };
    put(d, "r.json", &action(r#""401", "401""#));
    let (_, doc) = check_json(d, &["--write-baseline", "b.json", "r.json"]);
    let fps = fingerprints(doc["findings"].as_array().unwrap());
    assert_eq!(fps.len(), 2);
    assert_eq!(fps[0], fps[1], "identical findings, identical fingerprints");
    assert_eq!(
        read_baseline(&d.join("b.json"))["findings"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A third identical finding is new.
    put(d, "r.json", &action(r#""401", "401", "401""#));
    let (_, doc) = check_json(d, &["--fail-on", "info", "--baseline", "b.json", "r.json"]);
    assert_eq!(findings(&doc).len(), 1);
    assert_eq!(suppressed(&doc), (2, 0, 0, 2));
    assert_eq!(
        check_code(d, &["--fail-on", "info", "--baseline", "b.json", "r.json"]),
        1
    );

    // One of the two fixed: one stale entry.
    put(d, "r.json", &action(r#""401", "429""#));
    let (code, doc) = check_json(d, &["--fail-on", "info", "--baseline", "b.json", "r.json"]);
    assert_eq!(code, 0);
    assert!(findings(&doc).is_empty());
    assert_eq!(warning_kinds(&doc), ["stale-baseline-entry"]);
}

/// Updating a baseline in place (`--baseline B --write-baseline B`, the
/// obvious way to accept one more finding) must not forget the findings B
/// already accepted. Refusing the combination would be fine too.
#[test]
fn rewriting_a_baseline_in_place_keeps_the_accepted_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let original = fixture(SLACK);
    put(d, SLACK, &original);
    check_json(d, &["--write-baseline", "base.json", SLACK]);
    let before = fs::read_to_string(d.join("base.json")).unwrap();

    let mut v: Value = serde_json::from_str(&original).unwrap();
    v["agents"].as_array_mut().unwrap().push(json!({
        "type": "Agents::HTTPRequestAgent",
        "name": "Probe Status Page",
        "guid": "0123456789abcdef0123456789abcdef",
        "options": {"url": "https://status.example.com", "method": "HEAD"}
    }));
    put(d, SLACK, &serde_json::to_string_pretty(&v).unwrap());
    let out = run(
        d,
        &[
            "check",
            "--baseline",
            "base.json",
            "--write-baseline",
            "base.json",
            SLACK,
        ],
    );
    if out.code == 2 {
        // Refused: the baseline must be left alone.
        assert_eq!(fs::read_to_string(d.join("base.json")).unwrap(), before);
        return;
    }
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let written = read_baseline(&d.join("base.json"));
    assert_eq!(
        written["findings"].as_array().unwrap().len(),
        5,
        "the 4 accepted findings and the new one: {written:#}"
    );
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK]);
    assert!(findings(&doc).is_empty(), "{doc:#}");
    assert_eq!(code, 0);
}

/// Number of entries per `file` in a baseline.
fn entries_per_file(b: &Value) -> std::collections::BTreeMap<String, usize> {
    let mut out = std::collections::BTreeMap::new();
    for e in b["findings"].as_array().unwrap() {
        *out.entry(e["file"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    out
}

fn per_file(pairs: &[(&str, usize)]) -> std::collections::BTreeMap<String, usize> {
    pairs.iter().map(|(f, n)| (f.to_string(), *n)).collect()
}

/// `--write-baseline` over a run that checks only some files (pre-commit
/// passes only the staged ones) keeps the entries of every other file: of
/// files not in the run, and of files that could not be read or parsed.
#[test]
fn rewriting_a_baseline_keeps_the_entries_of_files_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vuln = fixture("vuln-disclosure-intake.json");
    put(d, SLACK, &fixture(SLACK));
    put(d, "vuln.json", &vuln);
    check_json(d, &["--write-baseline", "base.json", SLACK, "vuln.json"]);
    let all = per_file(&[(SLACK, 4), ("vuln.json", 15)]);
    assert_eq!(entries_per_file(&read_baseline(&d.join("base.json"))), all);

    // Only the slack story in the run: vuln.json's entries stay.
    let (code, _) = check_json(d, &["--write-baseline", "base.json", SLACK]);
    assert_eq!(code, 0);
    assert_eq!(entries_per_file(&read_baseline(&d.join("base.json"))), all);

    // ... also when the old entries come from --baseline, written elsewhere.
    let (code, _) = check_json(
        d,
        &[
            "--baseline",
            "base.json",
            "--write-baseline",
            "new.json",
            SLACK,
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(entries_per_file(&read_baseline(&d.join("new.json"))), all);

    // A file that no longer parses keeps its entries; the run fails.
    put(d, "vuln.json", &vuln[..vuln.len() / 2]);
    let (code, doc) = check_json(d, &["--write-baseline", "base.json", SLACK, "vuln.json"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(entries_per_file(&read_baseline(&d.join("base.json"))), all);
    put(d, "vuln.json", &vuln);

    // A file checked in full has exactly its current findings: fixing one
    // drops its entry.
    put(
        d,
        SLACK,
        &replace_once(
            &fixture(SLACK),
            "\"Authorization\": \"<<CREDENTIAL.slack_bot_token>>\"",
            "\"Authorization\": \"Bearer <<CREDENTIAL.slack_bot_token>>\"",
        ),
    );
    check_json(d, &["--write-baseline", "base.json", SLACK]);
    assert_eq!(
        entries_per_file(&read_baseline(&d.join("base.json"))),
        per_file(&[(SLACK, 3), ("vuln.json", 15)])
    );
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK, "vuln.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(warnings(&doc).is_empty(), "nothing stale: {doc:#}");
}

/// An entry hides a finding of its own file first; a copy of a baselined
/// story (same guids, same findings) is new code and is reported. Entries
/// of a file that is gone (renamed or moved) still apply, and move to the
/// new name when the baseline is rewritten.
#[test]
fn baseline_entries_belong_to_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "b.json", &fixture(SLACK));
    check_json(d, &["--write-baseline", "base.json", "b.json"]);
    put(d, "a.json", &fixture(SLACK));

    let (code, doc) = check_json(d, &["--baseline", "base.json", "a.json", "b.json"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(finding_files(&doc), ["a.json"], "{doc:#}");
    assert_eq!(findings(&doc), slack_findings());
    assert_eq!(suppressed(&doc), (4, 0, 0, 4));
    assert!(warnings(&doc).is_empty(), "{doc:#}");
    // The copy alone (as pre-commit would pass it): b.json still exists,
    // so its entries are not the copy's.
    let (code, doc) = check_json(d, &["--baseline", "base.json", "a.json"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(findings(&doc), slack_findings());

    // Renamed: the entries follow the story.
    fs::remove_file(d.join("a.json")).unwrap();
    fs::rename(d.join("b.json"), d.join("c.json")).unwrap();
    let (code, doc) = check_json(d, &["--baseline", "base.json", "c.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(suppressed(&doc), (4, 0, 0, 4));
    assert!(warnings(&doc).is_empty(), "{doc:#}");
    check_json(
        d,
        &[
            "--baseline",
            "base.json",
            "--write-baseline",
            "base.json",
            "c.json",
        ],
    );
    assert_eq!(
        entries_per_file(&read_baseline(&d.join("base.json"))),
        per_file(&[("c.json", 4)]),
        "moved, not copied"
    );
}

/// Entry files are relative to the baseline's directory, and a file is
/// the same file however the run names it: stale entries are found with
/// `check stories`, `check $PWD/stories` and `cd stories && check .`.
#[test]
fn baseline_paths_are_relative_to_the_baseline_and_match_however_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    put(&d, "stories/slack.json", &fixture(SLACK));
    put(&d, "stories/warning.json", WARNING_ONLY);
    fs::create_dir(d.join("ci")).unwrap();
    check_json(&d, &["--write-baseline", "ci/base.json", "stories"]);
    let b = read_baseline(&d.join("ci/base.json"));
    assert_eq!(
        entries_per_file(&b),
        per_file(&[("../stories/slack.json", 4), ("../stories/warning.json", 1)])
    );

    // Fix one finding: one stale entry, whichever way the files are named.
    put(
        &d,
        "stories/slack.json",
        &replace_once(
            &fixture(SLACK),
            "\"Authorization\": \"<<CREDENTIAL.slack_bot_token>>\"",
            "\"Authorization\": \"Bearer <<CREDENTIAL.slack_bot_token>>\"",
        ),
    );
    let absolute = d.join("stories");
    let absolute_base = d.join("ci/base.json");
    let runs: [(PathBuf, Vec<&str>); 4] = [
        (d.clone(), vec!["--baseline", "ci/base.json", "stories"]),
        (
            d.clone(),
            vec!["--baseline", "ci/base.json", absolute.to_str().unwrap()],
        ),
        (
            d.join("stories"),
            vec!["--baseline", "../ci/base.json", "."],
        ),
        (
            d.join("ci"),
            vec!["--baseline", absolute_base.to_str().unwrap(), "../stories/"],
        ),
    ];
    for (cwd, args) in &runs {
        let (code, doc) = check_json(cwd, args);
        assert_eq!(code, 0, "{args:?}: {doc:#}");
        assert!(findings(&doc).is_empty(), "{args:?}: {doc:#}");
        assert_eq!(suppressed(&doc), (4, 0, 0, 4), "{args:?}");
        assert_eq!(
            warning_kinds(&doc),
            ["stale-baseline-entry"],
            "{args:?}: {doc:#}"
        );
    }

    // Rewritten from elsewhere, the paths stay relative to the baseline.
    check_json(
        &d.join("stories"),
        &["--write-baseline", "../ci/base.json", "."],
    );
    assert_eq!(
        entries_per_file(&read_baseline(&d.join("ci/base.json"))),
        per_file(&[("../stories/slack.json", 3), ("../stories/warning.json", 1)])
    );
}

#[test]
fn invalid_or_missing_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    check_json(d, &["--write-baseline", "base.json", SLACK]);
    let full = fs::read_to_string(d.join("base.json")).unwrap();
    let cut = full.find("\"message\"").unwrap() + 30;
    put(d, "truncated.json", &full[..cut]);
    let (line, column) = line_col(&full, cut - 1);

    for format in ["human", "json"] {
        let out = run(
            d,
            &[
                "check",
                "--color",
                "never",
                "--format",
                format,
                "--baseline",
                "truncated.json",
                SLACK,
            ],
        );
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(
            reports_location(
                &out.stdout,
                &out.stderr,
                &format!("truncated.json:{line}:{column}")
            ),
            "wanted truncated.json:{line}:{column} in\n{all}"
        );
        assert!(all.contains("invalid baseline"), "{all}");

        let out = run(
            d,
            &[
                "check",
                "--format",
                format,
                "--baseline",
                "missing.json",
                SLACK,
            ],
        );
        assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
        assert!(
            format!("{}{}", out.stdout, out.stderr).contains("missing.json"),
            "{}",
            out.stderr
        );
    }
    assert_cmd_snapshot!(
        "truncated_baseline_human",
        storylint(d).args([
            "check",
            "--color",
            "never",
            "--baseline",
            "truncated.json",
            SLACK
        ])
    );

    // Valid JSON that is not a baseline, and an unknown version.
    put(d, "other.json", "{\"version\": 1, \"entries\": []}");
    assert_eq!(check_code(d, &["--baseline", "other.json", SLACK]), 2);
    put(
        d,
        "future.json",
        &full.replacen("\"version\": 1", "\"version\": 2", 1),
    );
    assert_eq!(check_code(d, &["--baseline", "future.json", SLACK]), 2);
}

// -------------------------------------------------------- 6. --output

#[test]
fn output_writes_extra_reports_and_keeps_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    put(d, "warning.json", WARNING_ONLY);
    put(d, "broken.json", "{\"agents\": [");
    let inputs: &[&[&str]] = &[&["warning.json"], &[SLACK], &[SLACK, "broken.json"]];
    for (i, input) in inputs.iter().enumerate() {
        let (json_code, json_doc) = check_json(d, input);
        let plain = check_code(d, input);
        assert_eq!(json_code, plain);
        let path = format!("out-{i}.json");
        let spec = format!("json={path}");
        let mut args = vec!["check", "--format", "human", "--output", &spec];
        args.extend_from_slice(input);
        let out = run(d, &args);
        assert_eq!(out.code, plain, "{input:?}");
        assert!(out.stdout.contains("storylint: "), "human on stdout");
        let written: Value =
            serde_json::from_str(&fs::read_to_string(d.join(&path)).unwrap()).unwrap();
        assert_eq!(written, json_doc, "{input:?}");
    }
    assert_eq!(
        [0, 1, 2],
        [
            check_code(d, &["warning.json"]),
            check_code(d, &[SLACK]),
            check_code(d, &[SLACK, "broken.json"])
        ]
    );

    // Repeatable, in several formats at once, next to --format json.
    let out = run(
        d,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "json=a.json",
            "--output",
            "human=b.txt",
            SLACK,
        ],
    );
    assert_eq!(out.code, 1);
    let stdout: Value = serde_json::from_str(&out.stdout).unwrap();
    let a: Value = serde_json::from_str(&fs::read_to_string(d.join("a.json")).unwrap()).unwrap();
    assert_eq!(a, stdout);
    let b = fs::read_to_string(d.join("b.txt")).unwrap();
    assert!(b.contains("missing-bearer-prefix"), "{b}");
    assert!(!b.contains("\x1b["), "no colour in files");
}

#[test]
fn unwritable_output_is_an_error_but_stdout_still_gets_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "warning.json", WARNING_ONLY);
    let out = run(
        d,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "json=no/such/dir/out.json",
            "warning.json",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("no/such/dir/out.json") && out.stdout.contains("output-unwritable"),
        "{}",
        out.stdout
    );
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(findings(&doc).len(), 1);
    // An error with no help has no `help` key (not `null`).
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{doc:#}");
    assert!(errors[0].get("help").is_none(), "{doc:#}");
}

/// Kinds of the `errors` of a JSON report.
fn error_kinds(doc: &Value) -> Vec<&str> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

/// storylint never writes over what it reads: an input (however the path
/// is spelt, or through a link), the configuration, the baseline in use.
/// The refusal is an error of the run (exit 2), and everything else is
/// still checked, reported and written.
#[cfg(unix)]
#[test]
fn output_over_an_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    let slack = fixture(SLACK);
    put(&d, SLACK, &slack);
    put(&d, "stories/warning.json", WARNING_ONLY);
    put(&d, ".storylint.yaml", "fail-on: error\n");
    put(&d, "base.json", "{\"version\": 1, \"findings\": []}\n");
    std::os::unix::fs::symlink(SLACK, d.join("link.json")).unwrap();
    let absolute = d.join(SLACK);
    let absolute = absolute.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![SLACK], SLACK),
        (vec![SLACK], absolute),
        (vec![SLACK], "./link.json"),
        (vec!["."], "stories/warning.json"),
        (vec![SLACK], ".storylint.yaml"),
        (vec!["--baseline", "base.json", SLACK], "base.json"),
    ];
    for (inputs, target) in &cases {
        for format in ["json", "sarif"] {
            let spec = format!("{format}={target}");
            let mut args = vec!["--output", spec.as_str(), "--output", "json=ok.json"];
            args.extend(inputs);
            let before = fs::read_to_string(d.join(target)).unwrap();
            let (code, doc) = check_json(&d, &args);
            assert_eq!(code, 2, "{args:?}: {doc:#}");
            assert_eq!(error_kinds(&doc), ["output-refused"], "{args:?}: {doc:#}");
            let error = &doc["errors"][0];
            assert_eq!(error["file"], *target, "{doc:#}");
            assert_eq!(
                fs::read_to_string(d.join(target)).unwrap(),
                before,
                "{args:?} overwrote {target}"
            );
            // The rest of the run happened: findings, the other report.
            assert!(
                !findings(&doc).is_empty() || inputs.contains(&"."),
                "{doc:#}"
            );
            let ok: Value =
                serde_json::from_str(&fs::read_to_string(d.join("ok.json")).unwrap()).unwrap();
            assert_eq!(ok["findings"], doc["findings"]);
            fs::remove_file(d.join("ok.json")).unwrap();
        }
    }
    // --write-baseline over an input is refused the same way.
    let (code, doc) = check_json(&d, &["--write-baseline", SLACK, SLACK]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(error_kinds(&doc), ["output-refused"]);
    let message = doc["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("it is one of this run's inputs"),
        "{message}"
    );
    assert_eq!(fs::read_to_string(d.join(SLACK)).unwrap(), slack);
    // Two reports of one run to the same file: the second is refused.
    let (code, doc) = check_json(
        &d,
        &[
            "--output",
            "json=r.json",
            "--output",
            "sarif=./r.json",
            SLACK,
        ],
    );
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(error_kinds(&doc), ["output-refused"]);
    let r: Value = serde_json::from_str(&fs::read_to_string(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(r["version"], 1, "the first one is written");
}

/// The rule files of a run are among what it reads: those found under a
/// `--rules` directory or a configured `rule-dirs` entry (at any depth, and
/// however the report's path is spelt) are kept like the ones named.
#[cfg(unix)]
#[test]
fn reports_and_baselines_never_replace_a_rule_file_in_a_rule_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "stories/host.json", EXAMPLE_HOST);
    let rule = put(d, "r/example-host.yaml", EXAMPLE_HOST_RULE);
    let other_rule = EXAMPLE_HOST_RULE.replace("id: example-host", "id: other-host");
    put(d, "r/nested/other-host.yml", &other_rule);
    let third_rule = EXAMPLE_HOST_RULE.replace("id: example-host", "id: third-host");
    put(d, "ci/rules/third-host.yaml", &third_rule);
    std::os::unix::fs::symlink("../r/example-host.yaml", d.join("ci/link.yaml")).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--rules", "r"], "json=r/example-host.yaml"),
        (&["--rules", "./r/"], "sarif=r/nested/../example-host.yaml"),
        (&["--rules", "r"], "json=r/nested/other-host.yml"),
        (&["--rules", "r"], "junit=ci/link.yaml"),
        (&[], "json=ci/rules/third-host.yaml"),
    ];
    for with_config in [false, true] {
        if with_config {
            put(d, ".storylint.yaml", "rule-dirs: [ci/rules]\n");
        }
        for (rules, spec) in cases {
            if rules.is_empty() && !with_config {
                continue;
            }
            let before: Vec<String> = [
                "r/example-host.yaml",
                "r/nested/other-host.yml",
                "ci/rules/third-host.yaml",
            ]
            .iter()
            .map(|f| fs::read_to_string(d.join(f)).unwrap())
            .collect();
            let mut args = rules.to_vec();
            args.extend(["--output", spec, "stories"]);
            let (code, doc) = check_json(d, &args);
            assert_eq!(code, 2, "{args:?}: {doc:#}");
            assert_eq!(error_kinds(&doc), ["output-refused"], "{args:?}: {doc:#}");
            let message = doc["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.ends_with("it is a rule file of this run"),
                "{message}"
            );
            // The rules still ran.
            assert!(
                finding_files(&doc).contains(&"stories/host.json".to_string()),
                "{doc:#}"
            );
            let after: Vec<String> = [
                "r/example-host.yaml",
                "r/nested/other-host.yml",
                "ci/rules/third-host.yaml",
            ]
            .iter()
            .map(|f| fs::read_to_string(d.join(f)).unwrap())
            .collect();
            assert_eq!(after, before, "{args:?} overwrote a rule file");
        }
    }
    // A baseline the same.
    let (code, doc) = check_json(
        d,
        &[
            "--rules",
            "r",
            "--write-baseline",
            "r/nested/other-host.yml",
            "stories",
        ],
    );
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(error_kinds(&doc), ["output-refused"], "{doc:#}");
    assert_eq!(
        fs::read_to_string(d.join("r/nested/other-host.yml")).unwrap(),
        other_rule
    );
    assert_eq!(fs::read_to_string(&rule).unwrap(), EXAMPLE_HOST_RULE);
    // Other files in a rule directory are not rule files.
    let (code, doc) = check_json(
        d,
        &["--rules", "r", "--output", "json=r/report.json", "stories"],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert!(d.join("r/report.json").is_file());
}

/// A baseline replaces only a baseline: any other existing file is left
/// alone, with an error saying why (located when it is JSON that is not a
/// baseline), and the run is still reported.
#[test]
fn write_baseline_over_a_file_that_is_not_a_baseline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    let others = [
        ("notes.txt", "remember the milk\n"),
        (
            "package.json",
            "{\n  \"name\": \"x\",\n  \"version\": \"1.0.0\"\n}\n",
        ),
        ("future.json", "{\"version\": 2, \"findings\": []}"),
    ];
    for (name, text) in others {
        put(d, name, text);
        let (code, doc) = check_json(d, &["--write-baseline", name, SLACK]);
        assert_eq!(code, 2, "{name}: {doc:#}");
        assert_eq!(error_kinds(&doc), ["output-refused"], "{doc:#}");
        assert!(
            doc["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not a storylint baseline"),
            "{doc:#}"
        );
        assert_eq!(findings(&doc), slack_findings(), "still reported");
        assert_eq!(fs::read_to_string(d.join(name)).unwrap(), text, "{name}");
    }
    // Located in a JSON file: at the unknown key.
    let (_, doc) = check_json(d, &["--write-baseline", "package.json", SLACK]);
    assert_eq!(doc["errors"][0]["line"], 2, "{doc:#}");
    // A baseline, or an empty file, is replaced.
    put(d, "empty.json", "");
    for name in ["empty.json", "fresh.json"] {
        let (code, _) = check_json(d, &["--write-baseline", name, SLACK]);
        assert_eq!(code, 0);
        let (code, _) = check_json(d, &["--write-baseline", name, SLACK]);
        assert_eq!(code, 0, "{name} is a baseline now");
        assert_eq!(
            read_baseline(&d.join(name))["findings"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }
}

/// A configuration or baseline error stops the run before any file is
/// checked, but every --output report is still written, saying so, so a
/// CI step that uploads one does not fail on a missing file.
#[test]
fn reports_are_written_when_the_configuration_or_baseline_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    let outputs = [
        "--output",
        "sarif=out.sarif",
        "--output",
        "json=out.json",
        "--output",
        "junit=out.xml",
    ];
    for (setup, kind) in [
        ("config", "invalid-config"),
        ("baseline", "invalid-baseline"),
    ] {
        let _ = fs::remove_file(d.join(".storylint.yaml"));
        let mut args: Vec<&str> = outputs.to_vec();
        if setup == "config" {
            put(d, ".storylint.yaml", "fail_on: warning\n");
        } else {
            args.extend(["--baseline", "missing-baseline.json"]);
        }
        args.push(SLACK);
        for f in ["out.sarif", "out.json", "out.xml"] {
            let _ = fs::remove_file(d.join(f));
        }
        let (code, doc) = check_json(d, &args);
        assert_eq!(code, 2, "{setup}: {doc:#}");
        assert_eq!(error_kinds(&doc), [kind], "{doc:#}");
        let json: Value =
            serde_json::from_str(&fs::read_to_string(d.join("out.json")).unwrap()).unwrap();
        assert_eq!(json, doc, "{setup}");
        let sarif: Value =
            serde_json::from_str(&fs::read_to_string(d.join("out.sarif")).unwrap()).unwrap();
        let invocation = &sarif["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false, "{sarif:#}");
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["descriptor"]["id"], kind,
            "{sarif:#}"
        );
        let xml = fs::read_to_string(d.join("out.xml")).unwrap();
        assert!(xml.contains(kind), "{xml}");
    }
    // Even then, a report is not written over an input.
    put(d, ".storylint.yaml", "fail_on: warning\n");
    let slack = fixture(SLACK);
    let (code, doc) = check_json(d, &["--output", &format!("json={SLACK}"), SLACK]);
    assert_eq!(code, 2);
    assert_eq!(error_kinds(&doc), ["invalid-config", "output-refused"]);
    assert_eq!(fs::read_to_string(d.join(SLACK)).unwrap(), slack);
    let (code, doc) = check_json(d, &["--output", "json=.storylint.yaml", SLACK]);
    assert_eq!(code, 2);
    assert_eq!(error_kinds(&doc), ["invalid-config", "output-refused"]);
    assert_eq!(
        fs::read_to_string(d.join(".storylint.yaml")).unwrap(),
        "fail_on: warning\n"
    );
}

/// Runs `storylint ARGS` under `umask` (through sh, since the standard
/// library cannot set one).
#[cfg(unix)]
fn run_with_umask(dir: &Path, umask: &str, args: &[&str]) -> Out {
    let out = Command::new("sh")
        .current_dir(dir)
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_storylint"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap();
    Out {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Reports and baselines are files like any other: a new one gets 0666
/// less the umask, an existing one keeps its mode.
#[cfg(unix)]
#[test]
fn written_files_respect_the_umask_and_keep_an_existing_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    for (umask, want) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let sub = format!("new-{umask}");
        fs::create_dir(d.join(&sub)).unwrap();
        let baseline = format!("{sub}/base.json");
        let sarif = format!("sarif={sub}/out.sarif");
        let out = run_with_umask(
            d,
            umask,
            &[
                "check",
                "--write-baseline",
                &baseline,
                "--output",
                &sarif,
                SLACK,
            ],
        );
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert_eq!(mode(&d.join(&baseline)), want, "baseline, umask {umask}");
        assert_eq!(
            mode(&d.join(&sub).join("out.sarif")),
            want,
            "report, umask {umask}"
        );
    }

    // Existing files keep their mode, whatever the umask.
    for (name, existing) in [("base.json", 0o664), ("out.sarif", 0o640)] {
        let path = d.join(name);
        fs::write(&path, "{\"version\": 1, \"findings\": []}").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(existing)).unwrap();
    }
    let out = run_with_umask(
        d,
        "077",
        &[
            "check",
            "--write-baseline",
            "base.json",
            "--output",
            "sarif=out.sarif",
            SLACK,
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(mode(&d.join("base.json")), 0o664);
    assert_eq!(mode(&d.join("out.sarif")), 0o640);
    assert!(
        fs::read_to_string(d.join("out.sarif"))
            .unwrap()
            .contains("\"2.1.0\"")
    );
    assert_eq!(
        read_baseline(&d.join("base.json"))["findings"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    // No temporary file is left behind.
    let stray: Vec<String> = fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

/// Writing through a symbolic link writes the file it points to and
/// leaves the link a link (dotfiles managers and shared report directories
/// rely on that).
#[cfg(unix)]
#[test]
fn written_files_follow_symbolic_links() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    fs::create_dir(d.join("shared")).unwrap();
    fs::write(d.join("shared/report.json"), "old").unwrap();
    symlink("shared/report.json", d.join("report.json")).unwrap();
    // A link to a link to a file not written yet.
    symlink("../shared/base.json", d.join("shared/link.json")).unwrap();
    fs::create_dir(d.join("ci")).unwrap();
    symlink("../shared/link.json", d.join("ci/base.json")).unwrap();
    let out = run(
        d,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "json=report.json",
            "--write-baseline",
            "ci/base.json",
            SLACK,
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    for link in ["report.json", "ci/base.json", "shared/link.json"] {
        assert!(
            fs::symlink_metadata(d.join(link))
                .unwrap()
                .file_type()
                .is_symlink(),
            "{link} is still a link"
        );
    }
    let report: Value =
        serde_json::from_str(&fs::read_to_string(d.join("shared/report.json")).unwrap()).unwrap();
    assert_eq!(report, serde_json::from_str::<Value>(&out.stdout).unwrap());
    let b = read_baseline(&d.join("shared/base.json"));
    assert_eq!(b["findings"].as_array().unwrap().len(), 4);
}

/// A report or baseline whose path leads to something other than a
/// regular file (a FIFO, `/dev/stdout`, `/dev/null`) is written into it,
/// as `>` in a shell would, never replaced with a regular file.
#[cfg(unix)]
#[test]
fn reports_to_fifos_and_devices_are_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    let fifo = d.join("report.fifo");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(status) => assert!(status.success(), "mkfifo failed"),
        Err(e) => {
            eprintln!("skipped: no mkfifo command ({e})");
            return;
        }
    }
    // The reader is a process, so that it can be killed if nothing is
    // ever written into the FIFO (a reader blocked on it would hang).
    let mut reader = Command::new("cat")
        .arg(&fifo)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = run(
        d,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "json=report.fifo",
            SLACK,
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while reader.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if reader.try_wait().unwrap().is_none() {
        reader.kill().unwrap();
        reader.wait().unwrap();
        panic!(
            "nothing was written into the FIFO: {}{}",
            out.stdout, out.stderr
        );
    }
    let read = reader.wait_with_output().unwrap();
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let stdout: Value = serde_json::from_str(&out.stdout).unwrap();
    let written: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(written, stdout);
    assert!(
        fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(),
        "the FIFO was replaced"
    );
    // /dev/stdout on a pipe: the report goes into the pipe, ahead of the
    // report on stdout itself. A baseline to /dev/stdout the same.
    let out = run(
        d,
        &[
            "check",
            "--format",
            "github",
            "--output",
            "json=/dev/stdout",
            SLACK,
        ],
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let mut docs = serde_json::Deserializer::from_str(&out.stdout).into_iter::<Value>();
    let doc = docs.next().unwrap().unwrap();
    assert_eq!(findings(&doc), slack_findings());
    let rest = &out.stdout[docs.byte_offset()..];
    assert!(
        rest.trim_start()
            .starts_with("::error file=slack-alert-missing-bearer.json,"),
        "{rest}"
    );
    let out = run(
        d,
        &[
            "check",
            "--format",
            "github",
            "--write-baseline",
            "/dev/stdout",
            SLACK,
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mut docs = serde_json::Deserializer::from_str(&out.stdout).into_iter::<Value>();
    let baseline = docs.next().unwrap().unwrap();
    assert_eq!(
        baseline["findings"].as_array().unwrap().len(),
        4,
        "{baseline:#}"
    );
    // Such a file takes each write in turn, as with `>` twice: it is not
    // "written by this run already".
    let out = run(
        d,
        &[
            "check",
            "--format",
            "json",
            "--output",
            "sarif=/dev/stdout",
            "--output",
            "junit=/dev/null",
            "--write-baseline",
            "/dev/null",
            "--output",
            "json=/dev/null",
            SLACK,
        ],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let docs: Vec<Value> = serde_json::Deserializer::from_str(&out.stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    assert_eq!(docs.len(), 2, "{}", out.stdout);
    assert_eq!(docs[0]["version"], "2.1.0");
    assert_eq!(error_kinds(&docs[1]), Vec::<&str>::new(), "{:#}", docs[1]);
}

#[test]
fn bad_output_specs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "warning.json", WARNING_ONLY);
    for spec in ["nope=x", "json", "json="] {
        let out = run(d, &["check", "--output", spec, "warning.json"]);
        assert_eq!(out.code, 2, "--output {spec}: {}", out.stderr);
        assert!(out.stderr.contains("--output"), "{}", out.stderr);
        assert!(out.stdout.is_empty(), "nothing checked: {}", out.stdout);
    }
    assert!(!d.join("x").exists());
}

// ---------------------------------------------------- 7. completions

#[test]
fn completions_print_scripts_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
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

// ------------------------------------------------ 8. exit code vs format

/// Inputs and expected codes; each case gets its own directory.
/// A named case: expected exit code, files to create, `check` arguments.
type ExitCodeCase = (
    &'static str,
    i32,
    Vec<(&'static str, String)>,
    Vec<&'static str>,
);

fn exit_code_cases() -> Vec<ExitCodeCase> {
    let slack = fixture(SLACK);
    vec![
        (
            "clean",
            0,
            vec![("x.json", EXAMPLE_HOST.to_string())],
            vec!["x.json"],
        ),
        (
            "findings",
            1,
            vec![("x.json", slack.clone())],
            vec!["x.json"],
        ),
        (
            "warning only",
            0,
            vec![("x.json", WARNING_ONLY.into())],
            vec!["x.json"],
        ),
        (
            "warning with fail-on warning",
            1,
            vec![("x.json", WARNING_ONLY.into())],
            vec!["--fail-on", "warning", "x.json"],
        ),
        (
            "config fail-on warning",
            1,
            vec![
                ("x.json", WARNING_ONLY.into()),
                (".storylint.yaml", "fail-on: warning\n".into()),
            ],
            vec!["x.json"],
        ),
        (
            "all off in config",
            0,
            vec![
                ("x.json", slack.clone()),
                (
                    ".storylint.yaml",
                    "rules:\n  missing-bearer-prefix: off\n".into(),
                ),
            ],
            vec!["x.json"],
        ),
        (
            "broken input",
            2,
            vec![
                ("x.json", slack.clone()),
                ("y.json", "{\"agents\": [".into()),
            ],
            vec!["x.json", "y.json"],
        ),
        (
            "bad config",
            2,
            vec![
                ("x.json", slack.clone()),
                (".storylint.yaml", "fail_on: x\n".into()),
            ],
            vec!["x.json"],
        ),
        (
            "unknown rule in config",
            0,
            vec![
                ("x.json", WARNING_ONLY.into()),
                (".storylint.yaml", "rules: {nope: off}\n".into()),
            ],
            vec!["x.json"],
        ),
        (
            "missing baseline",
            2,
            vec![("x.json", slack.clone())],
            vec!["--baseline", "none.json", "x.json"],
        ),
        (
            "writing a baseline",
            0,
            vec![("x.json", slack.clone())],
            vec!["--write-baseline", "b.json", "x.json"],
        ),
        (
            "directive notes only",
            0,
            vec![
                (
                    "x.json",
                    add_to_description(&slack, SLACK_DESCRIPTION, "\nstorylint: ignore junk"),
                ),
                (
                    ".storylint.yaml",
                    "rules: {missing-bearer-prefix: off}\n".into(),
                ),
            ],
            vec!["--fail-on", "warning", "x.json"],
        ),
    ]
}

fn assert_exit_codes_match(formats: &[&str]) {
    for (name, expected, files, args) in exit_code_cases() {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in &files {
            put(dir.path(), path, text);
        }
        for format in formats {
            let mut all = vec!["check", "--format", format];
            all.extend_from_slice(&args);
            let out = run(dir.path(), &all);
            assert_eq!(
                out.code, expected,
                "{name} with --format {format}:\n{}{}",
                out.stdout, out.stderr
            );
        }
    }
}

#[test]
fn exit_code_is_the_same_in_human_and_json() {
    assert_exit_codes_match(&["human", "json"]);
}

#[test]
fn exit_code_is_the_same_in_every_format() {
    assert_exit_codes_match(&["human", "json", "sarif", "github", "junit"]);
}
