//! Every hostile input at once, in every format: each format says the
//! same things about the same files at the same places.

use super::*;

/// One thing a report says about a file: a problem's kind or a finding's
/// rule, and its line and column when it has them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Said {
    file: String,
    what: String,
    at: Option<(u64, u64)>,
}

fn said(file: &str, what: &str, at: Option<(u64, u64)>) -> Said {
    Said {
        file: file.to_string(),
        what: what.to_string(),
        at,
    }
}

/// `FILE:LINE:COL`, or `FILE`.
fn split_location(name: &str) -> (String, Option<(u64, u64)>) {
    let mut parts = name.rsplitn(3, ':');
    let (c, l, file) = (parts.next(), parts.next(), parts.next());
    match (
        file,
        l.and_then(|l| l.parse().ok()),
        c.and_then(|c| c.parse().ok()),
    ) {
        (Some(file), Some(l), Some(c)) => (file.to_string(), Some((l, c))),
        _ => (name.to_string(), None),
    }
}

fn said_json(doc: &Value) -> Vec<Said> {
    let mut out = Vec::new();
    for (section, key) in [
        ("errors", "kind"),
        ("warnings", "kind"),
        ("findings", "rule"),
    ] {
        for v in doc[section].as_array().unwrap() {
            let at = v["line"].as_u64().zip(v["column"].as_u64());
            out.push(said(
                v["file"].as_str().unwrap(),
                v[key].as_str().unwrap(),
                at,
            ));
        }
    }
    out.sort();
    out
}

fn said_sarif(doc: &Value) -> Vec<Said> {
    let run = &doc["runs"][0];
    let place = |v: &Value| {
        let physical = &v["locations"][0]["physicalLocation"];
        let region = &physical["region"];
        let file = physical["artifactLocation"]["uri"].as_str().unwrap();
        (
            file.to_string(),
            region["startLine"]
                .as_u64()
                .zip(region["startColumn"].as_u64()),
        )
    };
    let mut out = Vec::new();
    for n in run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap()
    {
        let (file, at) = place(n);
        out.push(said(&file, n["descriptor"]["id"].as_str().unwrap(), at));
    }
    for r in run["results"].as_array().unwrap() {
        let (file, at) = place(r);
        out.push(said(&file, r["ruleId"].as_str().unwrap(), at));
    }
    out.sort();
    out
}

fn said_github(text: &str) -> Vec<Said> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("::")) {
        let (head, _message) = line[2..].split_once("::").unwrap();
        let (_command, props) = head.split_once(' ').unwrap();
        let mut file = None;
        let (mut l, mut c, mut what) = (None, None, None);
        for prop in props.split(',') {
            let (k, v) = prop.split_once('=').unwrap();
            let v = v
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%0A", "\n")
                .replace("%0D", "\r")
                .replace("%25", "%");
            match k {
                "file" => file = Some(v),
                "line" => l = v.parse().ok(),
                "col" => c = v.parse().ok(),
                "title" => {
                    what = Some(
                        v.trim_start_matches("storylint(")
                            .trim_end_matches(')')
                            .to_string(),
                    )
                }
                _ => {}
            }
        }
        out.push(said(&file.unwrap(), &what.unwrap(), l.zip(c)));
    }
    out.sort();
    out
}

fn said_junit(text: &str) -> Vec<Said> {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut out = Vec::new();
    for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        let (file, at) = split_location(case.attribute("name").unwrap());
        for child in case.children().filter(|c| c.is_element()) {
            let what = match child.tag_name().name() {
                "error" | "failure" => child.attribute("type").unwrap(),
                "skipped" => "not-an-export",
                // A finding below --fail-on passes, its text as output:
                // `FILE:L:C: info[RULE]: ...`.
                "system-out" => {
                    let first = child.text().unwrap_or("").lines().next().unwrap_or("");
                    first
                        .split_once('[')
                        .and_then(|(_, r)| r.split_once(']'))
                        .unwrap()
                        .0
                }
                other => panic!("unexpected <{other}>"),
            };
            out.push(said(&file, what, at));
        }
    }
    // Other warnings are lines of <system-out>: `FILE:L:C: warning[KIND]: ...`.
    let suite_level = |n: &roxmltree::Node| n.parent().is_some_and(|p| p.has_tag_name("testsuite"));
    for system_out in doc
        .descendants()
        .filter(|n| n.has_tag_name("system-out") && suite_level(n))
    {
        for line in system_out.text().unwrap_or("").lines() {
            let (place, rest) = line.split_once(": warning[").unwrap();
            let kind = rest.split_once(']').unwrap().0;
            let (file, at) = split_location(place);
            out.push(said(&file, kind, at));
        }
    }
    out.sort();
    out
}

/// Checks the human report says everything in `expected`: for each, a
/// diagnostic headed by its kind or rule, naming the file and placing it
/// at `[FILE:LINE:COL]` when it has a place.
fn check_human(text: &str, expected: &[Said]) {
    // Diagnostics start with their code on a line of its own.
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        let is_code = !line.is_empty()
            && !line.starts_with(' ')
            && !line.starts_with("storylint:")
            && !line.contains(' ');
        if is_code || blocks.is_empty() {
            blocks.push(String::new());
        }
        let block = blocks.last_mut().unwrap();
        block.push_str(line);
        block.push('\n');
    }
    for s in expected {
        let found = blocks.iter().any(|b| {
            b.starts_with(&format!("{}\n", s.what))
                && match s.at {
                    Some((l, c)) => b.contains(&format!("[{}:{l}:{c}]", s.file)),
                    None => b.contains(&format!("× {}: ", s.file)),
                }
        });
        assert!(found, "the human report does not say {s:?}:\n{text}");
    }
}

#[test]
fn every_hostile_input_at_once_in_every_format() {
    let dir = setup();
    let d = dir.path();
    let huge = {
        let head = r#"{"type": "Agents::HTTPRequestAgent", "name": "huge token", "options": {"url": "https://api.example.com", "method": "post", "headers": {"Authorization": ""#;
        let mut text = String::with_capacity(40 * 1024 * 1024 + 200);
        text.push_str(head);
        text.extend(std::iter::repeat_n('A', 40 * 1024 * 1024));
        text.push_str("\"}}}\n");
        text
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.json", Vec::new()),
        ("blank.json", WHITESPACE.into()),
        ("truncated.json", truncated().into()),
        ("latin1.json", LATIN1.into()),
        ("bom.json", with_bom()),
        ("utf16.json", utf16le()),
        ("deep-arrays.json", deep_arrays().into()),
        ("deep-objects.json", deep_objects().into()),
        ("huge-token.json", huge.into()),
        ("huge-numbers.json", HUGE_NUMBERS.into()),
        ("surrogates.json", LONE_SURROGATES.into()),
        ("more-surrogates.json", MORE_SURROGATES.into()),
        ("duplicates.json", DUPLICATE_KEYS.into()),
        ("two.json", TWO_DOCUMENTS.into()),
        ("image.json", binary()),
        ("zeros.json", vec![0; 4096]),
        ("x.json/inner.json", SENTINEL.into()),
        ("agents-null.json", story("null").into()),
        ("odd-actions.json", odd_actions().into()),
        ("odd-options.json", odd_options().into()),
        ("odd-headers.json", odd_headers().into()),
        ("odd-methods.json", odd_methods().into()),
        ("unknown-types.json", unknown_types().into()),
    ];
    for (name, bytes) in &files {
        put(d, name, bytes);
    }
    drop(files);
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("loop-b.json", d.join("loop-a.json")).unwrap();
        symlink("loop-a.json", d.join("loop-b.json")).unwrap();
        // What a file deleted after the walk found it looks like.
        symlink("deleted.json", d.join("gone.json")).unwrap();
    }
    // An unreadable file, when storylint can be run as a user that file
    // permissions apply to.
    #[cfg(unix)]
    let prefix = unprivileged(d);
    #[cfg(not(unix))]
    let prefix: Option<Vec<String>> = None;
    let locked = prefix.is_some();
    #[cfg(unix)]
    if locked {
        use std::os::unix::fs::PermissionsExt;
        let path = put(d, "locked.json", SENTINEL);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let prefix = prefix.unwrap_or_default();

    // What each bad input must be reported for; `None` for no place.
    let at = |l: u64, c: u64| Some((l, c));
    let truncated_at = {
        let text = truncated();
        let last = text.trim_end().char_indices().last().unwrap().0;
        Some(line_col(&text, last))
    };
    let blank_at = Some(line_col(WHITESPACE, WHITESPACE.len()));
    // The place of `needle` in `text`, `skip` bytes on.
    let place = |text: &str, needle: &str, skip: usize| {
        Some(line_col(text, text.find(needle).unwrap() + skip))
    };
    let latin1_at = {
        let bad = LATIN1.iter().position(|b| *b == 0xE9).unwrap();
        Some(line_col(std::str::from_utf8(&LATIN1[..bad]).unwrap(), bad))
    };
    let mut expected = vec![
        said("empty.json", "invalid-json", None),
        said("blank.json", "invalid-json", blank_at),
        said("truncated.json", "invalid-json", truncated_at),
        said("latin1.json", "invalid-utf8", latin1_at),
        said("bom.json", "byte-order-mark", at(1, 1)),
        said("utf16.json", "utf16", None),
        said("deep-arrays.json", "invalid-json", at(1, 1025)),
        said("deep-objects.json", "invalid-json", at(1, 5121)),
        said("two.json", "invalid-json", at(2, 1)),
        said("image.json", "invalid-utf8", at(1, 1)),
        said("zeros.json", "invalid-utf8", at(1, 1)),
        said("loop-a.json", "unreadable", None),
        said("loop-b.json", "unreadable", None),
        said("gone.json", "unreadable", None),
        said("agents-null.json", "not-an-export", at(2, 11)),
        said(
            "odd-actions.json",
            "unexpected-shape",
            place(&odd_actions(), "null,", 0),
        ),
        said(
            "odd-options.json",
            "unexpected-shape",
            place(&odd_options(), "\"options\": \"=base_options\"", 11),
        ),
        said(
            "odd-headers.json",
            "unexpected-shape",
            place(&odd_headers(), "\"headers\": [", 11),
        ),
    ];
    if locked {
        expected.push(said("locked.json", "unreadable", None));
    }
    // Valid inputs with odd values: checked, and their findings reported.
    let findings = [
        ("bom.json", "missing-bearer-prefix"),
        ("huge-token.json", "missing-bearer-prefix"),
        ("huge-numbers.json", "unsupported-http-method"),
        ("surrogates.json", "unsupported-http-method"),
        ("more-surrogates.json", "unsupported-http-method"),
        ("duplicates.json", "unsupported-http-method"),
        ("x.json/inner.json", "unsupported-http-method"),
        ("odd-actions.json", "unsupported-http-method"),
        ("odd-options.json", "unsupported-http-method"),
        ("odd-headers.json", "unsupported-http-method"),
        ("odd-methods.json", "unsupported-http-method"),
        ("unknown-types.json", "unsupported-http-method"),
    ];

    let json = run_as(d, &prefix, &["check", "--format", "json", "."]);
    assert_eq!(json.code, 2, "{}", json.stdout);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let reference = said_json(&doc);
    for s in &expected {
        assert!(
            reference.contains(s),
            "the JSON report does not say {s:?}:\n{doc:#}"
        );
    }
    for (file, rule) in findings {
        assert!(
            reference
                .iter()
                .any(|s| s.file == file && s.what == rule && s.at.is_some()),
            "no {rule} finding in {file}:\n{doc:#}"
        );
    }
    // The defective export's findings, at their places.
    let defective: Vec<&Said> = reference
        .iter()
        .filter(|s| s.file == DEFECTIVE && s.what == "missing-bearer-prefix")
        .collect();
    assert_eq!(defective.len(), DEFECTIVE_POINTERS.len(), "{doc:#}");
    assert!(defective.iter().any(|s| s.at == at(115, 29)));
    // Every input is accounted for.
    let files_reported: std::collections::BTreeSet<&str> =
        reference.iter().map(|s| s.file.as_str()).collect();
    for s in &expected {
        assert!(files_reported.contains(s.file.as_str()));
    }

    // Every other format says the same things about the same files at the
    // same places, with the same exit code.
    for format in ["human", "sarif", "github", "junit"] {
        let ran = run_as(
            d,
            &prefix,
            &[
                "check", "--color", "never", "--show", "info", "--format", format, ".",
            ],
        );
        assert_eq!(ran.code, 2, "--format {format}:\n{}", ran.stdout);
        let got = match format {
            "human" => {
                check_human(&ran.stdout, &reference);
                continue;
            }
            "sarif" => said_sarif(&serde_json::from_str(&ran.stdout).unwrap()),
            "github" => said_github(&ran.stdout),
            _ => said_junit(&ran.stdout),
        };
        assert_eq!(
            got, reference,
            "--format {format} differs from --format json"
        );
    }
}
