//! Control characters in what is reported: text from inputs and rule
//! files never controls the terminal or the CI log.

use super::*;

/// An action whose name holds an escape sequence, a carriage return and a
/// line that GitHub Actions would run as a workflow command.
const EVIL_NAME: &str = "\u{1b}[31mred\rover\n::error file=x::pwned";

/// Lines a CI runner would read as a workflow command (it trims leading
/// whitespace first).
fn workflow_commands(out: &str) -> Vec<&str> {
    out.split(['\n', '\r'])
        .filter(|l| l.trim_start().starts_with("::"))
        .collect()
}

#[cfg(unix)]
#[test]
fn control_characters_in_inputs_never_reach_the_terminal() {
    let dir = setup();
    let d = dir.path();
    let action = serde_json::json!({
        "type": "Agents::HTTPRequestAgent",
        "name": EVIL_NAME,
        "options": {"url": "https://api.example.com", "method": "HEAD"},
    });
    put(d, "evil-name.json", &action.to_string());
    // Raw control characters in a file make it invalid JSON; its snippet
    // must not carry them out either.
    put(d, "raw.json", "{\"name\": \"x\u{1b}[2J\ry\"}\n");
    // File names can hold them too.
    let evil_file = "file\u{1b}[1m\n::error file=y::pwned.json";
    put(d, evil_file, "{\"agents\": 3}");
    let args = ["check", "--format", "human", "--color", "never", "."];
    let human = run(d, &args);
    assert_eq!(human.code, 2, "{}", human.stdout);
    let out = &human.stdout;
    assert!(
        !out.contains('\u{1b}'),
        "an escape character got out:\n{out}"
    );
    assert!(!out.contains('\r'), "a carriage return got out:\n{out}");
    assert_eq!(workflow_commands(out), Vec::<&str>::new(), "{out}");
    // Shown, one visible character for each control character.
    assert!(
        out.contains(
            "in action \"␛[31mred␍over␊::error file=x::pwned\" (Agents::HTTPRequestAgent)"
        ),
        "{out}"
    );
    assert!(out.contains("\"x␛[2J␍y\""), "{out}");
    assert!(out.contains("file␛[1m␊::error file=y::pwned.json"), "{out}");
    // The snippet's underline still sits under the character at fault: the
    // column miette prints is the column JSON reports.
    let json = Check::run(d, &["."]);
    let raw = json.error("raw.json", "invalid-json", Loc::Located);
    assert_eq!(
        (&raw["line"], &raw["column"]),
        (&1.into(), &12.into()),
        "{raw:#}"
    );
    json.finding(
        "evil-name.json",
        "unsupported-http-method",
        "/options/method",
    );

    // With colour, only storylint's own escape sequences appear.
    let coloured = run(d, &["check", "--format", "human", "--color", "always", "."]);
    assert!(
        !coloured.stdout.contains("\u{1b}[2J"),
        "{}",
        coloured.stdout
    );
    assert!(!coloured.stdout.contains('\r'));
    assert_eq!(workflow_commands(&coloured.stdout), Vec::<&str>::new());

    // JUnit: no raw line break in text from an input, so no line a runner
    // would execute, and a parser still reads the name back.
    let junit = run(d, &["check", "--format", "junit", "."]);
    assert_eq!(junit.code, 2);
    assert_eq!(
        workflow_commands(&junit.stdout),
        Vec::<&str>::new(),
        "{}",
        junit.stdout
    );
    let xml = roxmltree::Document::parse(&junit.stdout).unwrap();
    let failure = xml
        .descendants()
        .find(|n| {
            n.has_tag_name("failure") && n.attribute("type") == Some("unsupported-http-method")
        })
        .unwrap();
    // XML cannot hold U+001B; the rest of the name is kept exactly.
    assert!(
        failure
            .text()
            .unwrap()
            .contains("\"[31mred\rover\n::error file=x::pwned\""),
        "{:?}",
        failure.text()
    );
    assert!(
        xml.descendants()
            .any(|n| n.attribute("name") == Some("file[1m\n::error file=y::pwned.json")),
        "{}",
        junit.stdout
    );
    // The other machine formats escape by their own rules: JSON and SARIF
    // are JSON strings, and GitHub's own commands are the only `::` lines.
    for format in ["json", "sarif"] {
        let ran = run(d, &["check", "--format", format, "."]);
        assert_eq!(
            workflow_commands(&ran.stdout),
            Vec::<&str>::new(),
            "{format}"
        );
        assert!(
            !ran.stdout.contains('\u{1b}') && !ran.stdout.contains('\r'),
            "{format}"
        );
    }
}

/// A user rule file whose texts (summary, rationale, help, examples,
/// action types) and own name carry escape sequences, a bidirectional
/// override and lines a runner would take for workflow commands.
const EVIL_RULE: &str = r#"id: evil-texts
severity: warning
summary: "sends \x1b[31mred\x07 text\n::error file=x::pwned \u202eevil"
message: "request to {value}"
help: "fix it\n::error::help\x1b]0;title\x07"
rationale: "why\n::error file=y::pwned\n   ::notice::indented \u2066x\u2069"
target:
  action-types: ["Agents::HTTPRequestAgent", "Agents::\x1b[2JOther"]
  path: options.url
when:
  host-matches: ["*.example.com"]
examples:
  invalid:
    - name: "bad \x1b[1mname\n::error::n"
      input: "{\"type\": \"Agents::HTTPRequestAgent\", \"options\": {\"url\": \"https://api.example.com\"}}\n::error::ex\x1b[2J"
      highlight: "https://api.example.com\x1b[0m"
"#;

/// Fails if `out` holds a character that controls a terminal or reorders
/// text, or a line a runner would read as a workflow command.
fn assert_inert(what: &str, out: &str) {
    for c in ['\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{2066}', '\u{2069}'] {
        assert!(!out.contains(c), "{what}: {c:?} got out:\n{out}");
    }
    assert_eq!(workflow_commands(out), Vec::<&str>::new(), "{what}:\n{out}");
}

#[test]
fn rule_files_never_control_the_terminal_or_the_ci_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = "evil\u{1b}[31m\n::error::file.yaml";
    put(d, name, EVIL_RULE);
    for args in [
        &["rules", "--rules", name][..],
        &["rules", "--format", "markdown", "--rules", name],
        &["explain", "evil-texts", "--rules", name],
        &["test-rules", name],
    ] {
        let ran = run(d, args);
        assert_inert(&format!("{args:?}"), &ran.stdout);
        assert!(
            ran.stdout.contains("evil-texts"),
            "{args:?}:\n{}",
            ran.stdout
        );
    }
    let explain = run(d, &["explain", "evil-texts", "--rules", name]);
    assert_eq!(explain.code, 0, "{}", explain.stdout);
    let out = &explain.stdout;
    // Shown, one visible character for each.
    assert!(
        out.contains("sends ␛[31mred␇ text␊::error file=x::pwned \u{FFFD}evil"),
        "{out}"
    );
    assert!(out.contains("\n  \u{2236}:error file=y::pwned\n"), "{out}");
    assert!(
        out.contains("Defined in: evil␛[31m␊::error::file.yaml"),
        "{out}"
    );
    // The rule's test fails (it has no valid examples, and its example is
    // not JSON); the failure is shown the same way.
    let tested = run(d, &["test-rules", name]);
    assert_eq!(tested.code, 1, "{}", tested.stdout);
    assert!(
        tested
            .stdout
            .contains("FAIL  evil-texts [evil␛[31m␊::error::file.yaml]"),
        "{}",
        tested.stdout
    );
    // JSON escapes them its own way.
    let json = run(d, &["rules", "--format", "json", "--rules", name]);
    assert!(!json.stdout.contains('\u{1b}'), "{}", json.stdout);
    assert_eq!(workflow_commands(&json.stdout), Vec::<&str>::new());
    // And in a check, the rule's help in the human report.
    put(
        d,
        "host.json",
        r#"{"type": "Agents::HTTPRequestAgent", "name": "x", "options": {"url": "https://api.example.com"}}"#,
    );
    let checked = run(
        d,
        &["check", "--rules", name, "--color", "never", "host.json"],
    );
    assert_eq!(checked.code, 0, "{}", checked.stdout);
    assert!(checked.stdout.contains("evil-texts"), "{}", checked.stdout);
    assert_inert("check", &checked.stdout);
}
