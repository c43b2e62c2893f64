//! Files whose bytes are hostile: empty, truncated, not UTF-8, huge,
//! deeply nested, or valid JSON with odd values.

use super::*;

/// Rules that judge an HTTP request's method and credentials by their
/// values. Tests that say "nothing to report here" look only at these, so
/// new rules about other things do not break them.
const VALUE_RULES: &[&str] = &[
    "unsupported-http-method",
    "missing-bearer-prefix",
    "basic-auth-not-base64",
    "credential-over-http",
];

// ---------------------------------------------------------------------------
// Empty, truncated and non-UTF-8 inputs
// ---------------------------------------------------------------------------

#[test]
fn empty_file() {
    let dir = setup();
    put(dir.path(), "empty.json", "");
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("empty.json", "invalid-json", Loc::Anywhere);
    assert!(e["message"].as_str().unwrap().contains("empty"), "{e:#}");
    assert_eq!(c.summary("failed"), 1);
}

#[test]
fn only_whitespace() {
    let dir = setup();
    put(dir.path(), "blank.json", WHITESPACE);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    c.error("blank.json", "invalid-json", Loc::Located);
}

#[test]
fn truncated_json() {
    let dir = setup();
    let text = truncated();
    put(dir.path(), "truncated.json", &text);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("truncated.json", "invalid-json", Loc::Located);
    // Placed where the text stops: on the last character or just after it.
    let last = text.trim_end().char_indices().last().unwrap().0;
    let (line, column) = line_col(&text, last);
    assert_eq!(e["line"], line, "{e:#}");
    let got = e["column"].as_u64().unwrap();
    assert!(got == column || got == column + 1, "{e:#}");
    assert!(c.findings_in("truncated.json").is_empty());
}

#[test]
fn invalid_utf8() {
    let dir = setup();
    put(dir.path(), "latin1.json", LATIN1);
    let bad = LATIN1.iter().position(|b| *b == 0xE9).unwrap();
    let prefix = std::str::from_utf8(&LATIN1[..bad]).unwrap();
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("latin1.json", "invalid-utf8", at(prefix, bad));
    assert_eq!(e["offset"], bad, "{e:#}");
}

#[test]
fn utf8_byte_order_mark_is_an_error_but_the_file_is_still_checked() {
    let dir = setup();
    put(dir.path(), "bom.json", &with_bom());
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    c.error("bom.json", "byte-order-mark", Loc::At(1, 1));
    // README: "the rest of the file is still checked".
    for pointer in DEFECTIVE_POINTERS {
        c.finding("bom.json", "missing-bearer-prefix", pointer);
    }
    let first = c.finding("bom.json", "missing-bearer-prefix", DEFECTIVE_POINTERS[0]);
    assert_eq!(
        (&first["line"], &first["column"]),
        (&115.into(), &29.into())
    );
    // Offsets are bytes of the file as it is on disk, BOM included.
    assert_eq!(first["offset"], 4261 + 3);
    // Checked, so counted as checked; the error alone fails the run.
    assert_eq!((c.summary("checked"), c.summary("failed")), (2, 0));
    assert_eq!(c.summary("errors"), 1);
    assert!(
        c.human
            .stdout
            .contains("in 2 files (2 checked (1 despite an input error))"),
        "{}",
        c.human.stdout
    );
}

#[test]
fn utf16_le_with_bom() {
    let dir = setup();
    put(dir.path(), "utf16.json", &utf16le());
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("utf16.json", "utf16", Loc::Anywhere);
    assert!(e["message"].as_str().unwrap().contains("UTF-16"), "{e:#}");
    assert!(c.findings_in("utf16.json").is_empty());
}

#[test]
fn binary_file_named_json() {
    let dir = setup();
    put(dir.path(), "image.json", &binary());
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("image.json", "invalid-utf8", Loc::At(1, 1));
    assert!(e["message"].as_str().unwrap().contains("binary"), "{e:#}");
    // The noise is never echoed into the report.
    assert!(c.human.stdout.len() < 64 * 1024);
}

#[test]
fn file_of_nul_bytes_is_binary() {
    let dir = setup();
    put(dir.path(), "zeros.json", &[0u8; 4096]);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("zeros.json", "invalid-utf8", Loc::At(1, 1));
    assert!(e["message"].as_str().unwrap().contains("binary"), "{e:#}");
}

#[test]
fn no_break_space_is_not_json_whitespace() {
    let dir = setup();
    put(dir.path(), "nbsp.json", "\u{a0}\n");
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("nbsp.json", "invalid-json", Loc::At(1, 1));
    let message = e["message"].as_str().unwrap();
    assert!(!message.contains("only whitespace"), "{e:#}");
    assert!(
        message.contains("U+00A0 is not whitespace in JSON"),
        "{e:#}"
    );
}

#[test]
fn two_json_documents_in_one_file() {
    let dir = setup();
    put(dir.path(), "two.json", TWO_DOCUMENTS);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("two.json", "invalid-json", Loc::At(2, 1));
    assert!(e["message"].as_str().unwrap().contains("after"), "{e:#}");
}

// ---------------------------------------------------------------------------
// Sizes and depths
// ---------------------------------------------------------------------------

#[test]
fn nesting_200000_arrays_deep() {
    let dir = setup();
    put(dir.path(), "deep-arrays.json", &deep_arrays());
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    // The 1,025th `[` is the first one too deep.
    let e = c.error("deep-arrays.json", "invalid-json", Loc::At(1, 1025));
    assert!(e["message"].as_str().unwrap().contains("nesting"), "{e:#}");
    assert!(
        c.human.stdout.len() < 64 * 1024,
        "the long line is windowed"
    );
}

#[test]
fn nesting_200000_objects_deep() {
    let dir = setup();
    put(dir.path(), "deep-objects.json", &deep_objects());
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    // `{"a":` is 5 bytes; the 1,025th object starts at byte 5,120.
    let e = c.error("deep-objects.json", "invalid-json", Loc::At(1, 5121));
    assert!(e["message"].as_str().unwrap().contains("nesting"), "{e:#}");
    assert!(
        c.human.stdout.len() < 64 * 1024,
        "the long line is windowed"
    );
}

#[test]
fn string_value_of_40_mb() {
    let dir = setup();
    let size = 40 * 1024 * 1024;
    let head = r#"{"type": "Agents::HTTPRequestAgent", "name": "huge token", "options": {"url": "https://api.example.com", "method": "post", "headers": {"Authorization": ""#;
    let mut text = String::with_capacity(size + 200);
    text.push_str(head);
    text.extend(std::iter::repeat_n('A', size));
    text.push_str("\"}}}\n");
    put(dir.path(), "huge-token.json", &text);
    drop(text);
    let c = Check::run(dir.path(), &["."]);
    // A bare 40 MB token is still a credential with no scheme: a finding,
    // checked like any other, with a bounded report.
    c.exit(1)
        .defective_reported()
        .no_errors_for("huge-token.json");
    let f = c.finding(
        "huge-token.json",
        "missing-bearer-prefix",
        "/options/headers/Authorization",
    );
    assert_eq!(f["offset"], head.len(), "{f:#}");
    assert_eq!(f["length"], size, "{f:#}");
    assert!(
        f["message"].as_str().unwrap().len() < 1024,
        "{}",
        f["message"]
    );
    assert_eq!(c.summary("checked"), 2);
    for ran in [&c.human, &c.json] {
        assert!(
            ran.stdout.len() < 64 * 1024,
            "{:?} printed {} bytes for a 40 MB value",
            ran.args,
            ran.stdout.len()
        );
        assert!(
            ran.elapsed < Duration::from_secs(120),
            "{:?} took {:?}",
            ran.args,
            ran.elapsed
        );
    }
}

#[test]
fn max_file_size_turns_a_larger_file_into_an_error_and_checks_the_rest() {
    let dir = setup();
    let d = dir.path();
    // The defective fixture (12,987 bytes) is the larger file here; a small
    // defective action stands in for "the other files".
    let small = r#"{"type": "Agents::HTTPRequestAgent", "name": "small", "options": {"url": "https://api.example.com", "headers": {"Authorization": "<<CREDENTIAL.token>>"}}}"#;
    put(d, "small.json", small);
    let mut exactly = SENTINEL.to_string();
    exactly.push_str(&" ".repeat(1000 - SENTINEL.len() - 1));
    exactly.push('\n');
    assert_eq!(exactly.len(), 1000);
    put(d, "exactly-the-limit.json", &exactly);
    let c = Check::run(d, &["--max-file-size", "1000", "."]);
    c.exit(2);
    let e = c.error(DEFECTIVE, "too-large", Loc::Anywhere);
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("1000"), "{e:#}");
    assert!(c.findings_in(DEFECTIVE).is_empty());
    c.finding(
        "small.json",
        "missing-bearer-prefix",
        "/options/headers/Authorization",
    );
    c.no_errors_for("exactly-the-limit.json");
    c.finding(
        "exactly-the-limit.json",
        "unsupported-http-method",
        "/options/method",
    );
    assert_eq!(c.summary("failed"), 1);

    // The same limit applies to stdin, whose size is not known up front.
    let mut child = storylint_as(d, &[])
        .args([
            "check",
            "--format",
            "json",
            "--max-file-size",
            "1000",
            "--stdin-filename",
            "piped.json",
            "-",
            "small.json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut big = SENTINEL.to_string();
    big.push_str(&" ".repeat(1001 - SENTINEL.len()));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(big.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = doc["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["file"] == "piped.json" && e["kind"] == "too-large"),
        "{doc:#}"
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == "small.json"),
        "{doc:#}"
    );
}

// ---------------------------------------------------------------------------
// Valid JSON with odd values
// ---------------------------------------------------------------------------

#[test]
fn number_1e999999() {
    let dir = setup();
    put(dir.path(), "huge-numbers.json", HUGE_NUMBERS);
    let c = Check::run(dir.path(), &["."]);
    // Valid JSON (RFC 8259 sets no range): checked, not rejected.
    c.exit(1)
        .defective_reported()
        .no_errors_for("huge-numbers.json");
    c.finding(
        "huge-numbers.json",
        "unsupported-http-method",
        "/options/method",
    );
    assert_eq!(c.summary("failed"), 0);
}

#[test]
fn lone_surrogate_escape_in_an_action_option() {
    let dir = setup();
    put(dir.path(), "surrogates.json", LONE_SURROGATES);
    put(dir.path(), "more-surrogates.json", MORE_SURROGATES);
    let c = Check::run(dir.path(), &["."]);
    c.no_errors_for("more-surrogates.json");
    let f = c.finding(
        "more-surrogates.json",
        "unsupported-http-method",
        "/0/options/method",
    );
    assert_eq!(f["action"]["name"], "a\u{FFFD}A", "{f:#}");
    // `"\ud800"` matches the JSON grammar and the parsers Tines uses (Ruby,
    // JavaScript) accept it, so the file is checked like any other.
    c.no_errors_for("surrogates.json")
        .exit(1)
        .defective_reported();
    c.finding(
        "surrogates.json",
        "unsupported-http-method",
        "/0/options/method",
    );
    // A method holding a lone surrogate is not one Tines can send either.
    c.finding(
        "surrogates.json",
        "unsupported-http-method",
        "/1/options/method",
    );
}

#[test]
fn duplicate_keys_last_one_wins() {
    let readme = fs::read_to_string(repo().join("docs/usage.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains("Duplicate keys are accepted and the last one wins"),
        "docs/usage.md no longer documents duplicate keys"
    );
    let dir = setup();
    put(dir.path(), "duplicates.json", DUPLICATE_KEYS);
    let c = Check::run(dir.path(), &["."]);
    c.exit(1)
        .defective_reported()
        .no_errors_for("duplicates.json");
    // First action: the bad values come first and are overridden. (A rule
    // saying the key is set twice is fine; judging the dead value is not.)
    let first = c.findings_under("duplicates.json", VALUE_RULES, "/0");
    assert!(
        first.is_empty(),
        "findings on overridden values: {first:#?}"
    );
    // Second action: the last value is the bad one, and the finding points
    // at it, not at the first occurrence.
    let head = DUPLICATE_KEYS.rfind("\"HEAD\"").unwrap() + 1;
    let f = c.finding(
        "duplicates.json",
        "unsupported-http-method",
        "/1/options/method",
    );
    assert_eq!(f["offset"], head, "{f:#}");
    let bare = DUPLICATE_KEYS.rfind("\"<<CREDENTIAL.token>>\"").unwrap() + 1;
    let f = c.finding(
        "duplicates.json",
        "missing-bearer-prefix",
        "/1/options/headers/Authorization",
    );
    assert_eq!(f["offset"], bare, "{f:#}");
    assert_eq!(
        c.findings_under("duplicates.json", VALUE_RULES, "/1").len(),
        2
    );
}

#[test]
fn agents_that_is_not_an_array() {
    let dir = setup();
    let variants = [
        (
            "agents-object.json",
            r#"{"a": {"type": "Agents::HTTPRequestAgent"}}"#,
        ),
        ("agents-string.json", r#""Agents::HTTPRequestAgent""#),
        ("agents-null.json", "null"),
        ("agents-number.json", "7"),
    ];
    for (name, agents) in variants {
        put(dir.path(), name, &story(agents));
    }
    let c = Check::run(dir.path(), &["."]);
    // Valid JSON that is not an export: a located warning, skipped; the
    // exit code follows the findings (the defective export's).
    c.exit(1).defective_reported();
    for (name, agents) in variants {
        c.no_errors_for(name);
        // At the value of `agents`, on line 2 after `"agents": `.
        let w = c.warning(name, "not-an-export", Loc::At(2, 11));
        let kind = match agents.as_bytes()[0] {
            b'{' => "an object",
            b'"' => "a string",
            b'n' => "null",
            _ => "a number",
        };
        assert_eq!(
            w["message"],
            format!("not a Tines export: `agents` is {kind}, not an array of actions"),
            "{w:#}"
        );
    }
    assert_eq!(c.summary("skipped"), variants.len() as u64);
    assert_eq!(c.summary("failed"), 0);
}

#[test]
fn actions_that_are_null_strings_or_numbers() {
    let dir = setup();
    let text = odd_actions();
    put(dir.path(), "odd-actions.json", &text);
    let list = format!("[null, \"Agents::HTTPRequestAgent\", 3, {SENTINEL}]");
    put(dir.path(), "odd-action-list.json", &list);
    let c = Check::run(dir.path(), &["."]);
    c.exit(1)
        .defective_reported()
        .no_errors_for("odd-actions.json")
        .no_errors_for("odd-action-list.json");
    // In a story, each entry that is not an action is a located warning.
    for entry in ["null", "\"Agents::HTTPRequestAgent\"", "3", "true"] {
        let offset = text.find(&format!("{entry},")).unwrap();
        c.problem(
            "warnings",
            "odd-actions.json",
            "unexpected-shape",
            at(&text, offset),
        );
    }
    assert_eq!(c.in_file("warnings", "odd-actions.json").len(), 4);
    // ... and the real action after them is still checked.
    c.finding(
        "odd-actions.json",
        "unsupported-http-method",
        "/agents/4/options/method",
    );
    c.finding(
        "odd-action-list.json",
        "unsupported-http-method",
        "/3/options/method",
    );
    assert_eq!(c.summary("checked"), 3);
}

#[test]
fn options_missing_or_null() {
    let dir = setup();
    put(dir.path(), "odd-options.json", &odd_options());
    let c = Check::run(dir.path(), &["."]);
    c.exit(1)
        .defective_reported()
        .no_errors_for("odd-options.json");
    c.finding(
        "odd-options.json",
        "unsupported-http-method",
        "/agents/5/options/method",
    );
    // Actions with no usable options have nothing to judge.
    for i in 0..5 {
        let found = c.findings_under("odd-options.json", VALUE_RULES, &format!("/agents/{i}"));
        assert!(found.is_empty(), "{found:#?}");
    }
    // Options that are not an object are said so, at the value; missing or
    // null options are simply no options.
    let text = odd_options();
    for value in ["\"=base_options\"", "[{\"method\"", "3}"] {
        let offset = text.find(&format!("\"options\": {value}")).unwrap() + 11;
        let w = c.warning("odd-options.json", "unexpected-shape", at(&text, offset));
        assert!(
            w["message"]
                .as_str()
                .unwrap()
                .starts_with("`options` of this action is "),
            "{w:#}"
        );
    }
    assert_eq!(c.in_file("warnings", "odd-options.json").len(), 3);
}

#[test]
fn headers_as_formula_array_or_with_null_and_number_values() {
    let dir = setup();
    put(dir.path(), "odd-headers.json", &odd_headers());
    let c = Check::run(dir.path(), &["."]);
    c.exit(1)
        .defective_reported()
        .no_errors_for("odd-headers.json");
    c.finding(
        "odd-headers.json",
        "unsupported-http-method",
        "/agents/5/options/method",
    );
    // Formula and pill headers are computed at run time: nothing to say.
    for i in [0, 2] {
        let found = c.findings_under("odd-headers.json", VALUE_RULES, &format!("/agents/{i}"));
        assert!(
            found.is_empty(),
            "findings on templated headers: {found:#?}"
        );
    }
    // Headers that are an array are said so, at the value; formula and
    // pill headers are not.
    let text = odd_headers();
    let offset = text.find("\"headers\": [").unwrap() + 11;
    let w = c.warning("odd-headers.json", "unexpected-shape", at(&text, offset));
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .starts_with("`headers` is an array"),
        "{w:#}"
    );
    assert_eq!(c.in_file("warnings", "odd-headers.json").len(), 1);
    // `"Authorization": null` sends no credential, so plain http is no leak.
    let null_auth = c.findings_under("odd-headers.json", VALUE_RULES, "/agents/4");
    assert!(
        null_auth.is_empty(),
        "a null Authorization header is reported as a credential: {null_auth:#?}"
    );
}

#[test]
fn method_that_is_a_number_null_or_an_array() {
    let dir = setup();
    put(dir.path(), "odd-methods.json", &odd_methods());
    let c = Check::run(dir.path(), &["."]);
    c.exit(1)
        .defective_reported()
        .no_errors_for("odd-methods.json");
    // A number or an array is no method Tines can send; null means the
    // default (README: "a missing method is fine").
    c.finding(
        "odd-methods.json",
        "unsupported-http-method",
        "/agents/0/options/method",
    );
    c.finding(
        "odd-methods.json",
        "unsupported-http-method",
        "/agents/2/options/method",
    );
    c.finding(
        "odd-methods.json",
        "unsupported-http-method",
        "/agents/3/options/method",
    );
    let null_method = c.findings_under("odd-methods.json", VALUE_RULES, "/agents/1");
    assert!(
        null_method.is_empty(),
        "a null method is reported: {null_method:#?}"
    );
}

#[test]
fn unknown_action_types() {
    let dir = setup();
    put(dir.path(), "unknown-types.json", &unknown_types());
    let c = Check::run(dir.path(), &["."]);
    c.exit(1)
        .defective_reported()
        .no_errors_for("unknown-types.json");
    // Only HTTP Request actions are held to HTTP rules.
    c.finding(
        "unknown-types.json",
        "unsupported-http-method",
        "/agents/7/options/method",
    );
    for i in 0..7 {
        let found = c.findings_under("unknown-types.json", VALUE_RULES, &format!("/agents/{i}"));
        assert!(found.is_empty(), "{found:#?}");
    }
}
