//! The exit code never depends on the output format.

use super::*;

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
