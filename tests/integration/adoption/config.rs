//! The `.storylint.yaml` configuration: discovery, every key, located
//! errors and `--show-config`.

use super::*;

/// Guid of the slack fixture's story.
const SLACK_STORY: &str = "b8ef310b841e1e4e8b08fc77b5ae6051";
/// Guid of agent 5, "Page On-Call via PagerDuty".
const PAGERDUTY_GUID: &str = "227140e248bac5b56a1d864292323063";

fn file_count(doc: &Value) -> u64 {
    doc["summary"]["files"].as_u64().unwrap()
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

// ------------------------------------------------------- configuration

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
fn every_error_of_a_configuration_is_reported_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(
        d,
        ".storylint.yaml",
        "rulez:\n  x: off\nfail-on: error\nexlude: [\"a\"]\nshow: bogus\n",
    );
    put(d, "a.json", crate::common::DEFECTIVE_ACTION);
    let (code, doc) = check_json(d, &["a.json"]);
    assert_eq!(code, 2);
    let found: Vec<(String, u64)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("invalid-config".to_string(), 1),
            ("invalid-config".to_string(), 4),
            ("invalid-config".to_string(), 5)
        ]
        .map(|(k, l)| (k, l))
        .to_vec(),
        "{doc}"
    );
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

// -------------------------------------------------- configuration errors

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
    // (The ignore entry also gets a note: with its rule misspelt, it sets
    // nothing aside.)
    let ws: Vec<_> = warnings(&doc)
        .into_iter()
        .filter(|w| w["kind"] != "unused-ignore-in-config")
        .collect();
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
    assert_eq!(
        warning_kinds(&doc),
        [
            "unknown-rule-in-config",
            "unknown-rule-in-config",
            "unknown-rule-in-config",
            "unused-ignore-in-config"
        ]
    );

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

// ----------------------------------------------------------- show-config

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

/// `rule-dirs` and `api-dirs` from the configuration reach every
/// subcommand, not only `check`.
#[test]
fn every_subcommand_reads_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rule = "id: acme-no-head\nseverity: warning\nsummary: ACME forbids HEAD\nmessage: \"no {value}\"\ntarget:\n  path: options.method\nwhen:\n  one-of: [HEAD]\nexamples:\n  valid:\n    - input: '{\"type\": \"Agents::HTTPRequestAgent\", \"options\": {\"method\": \"GET\"}}'\n  invalid:\n    - input: '{\"type\": \"Agents::HTTPRequestAgent\", \"options\": {\"method\": \"HEAD\"}}'\n      highlight: HEAD\n";
    put(d, "ci/rules/acme-no-head.yaml", rule);
    let profile = crate::common::read_repo_file("fixtures/custom-api/apis/acme-cmdb.yaml");
    put(d, "ci/apis/acme-cmdb.yaml", &profile);
    put(
        d,
        ".storylint.yaml",
        "rule-dirs: [ci/rules]\napi-dirs: [ci/apis]\n",
    );
    let out = run(d, &["rules"]);
    assert!(out.stdout.contains("acme-no-head"), "rules: {}", out.stdout);
    let out = run(d, &["explain", "acme-no-head"]);
    assert_eq!(out.code, 0, "explain: {}{}", out.stdout, out.stderr);
    let out = run(d, &["apis"]);
    assert!(out.stdout.contains("acme-cmdb"), "apis: {}", out.stdout);
    let out = run(d, &["explain", "acme-cmdb"]);
    assert_eq!(out.code, 0, "explain API: {}{}", out.stdout, out.stderr);
    let out = run(d, &["test-rules"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("ok    acme-no-head") && out.stdout.contains("ok    API acme-cmdb"),
        "{}",
        out.stdout
    );
    // --no-config leaves them out.
    let out = run(d, &["rules", "--no-config"]);
    assert!(!out.stdout.contains("acme-no-head"));
}
