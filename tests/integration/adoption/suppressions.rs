//! What hides a finding: ignore directives in action descriptions,
//! baselines, and `--no-ignores`, which disregards them all.

use super::*;

// ------------------------------------------------------- directives

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
    let out = run(d, &["check", "--color", "never", "--show", "info", SLACK]);
    assert!(
        out.stdout.contains("did you mean `missing-bearer-prefix`?"),
        "{}",
        out.stdout
    );
    assert_cmd_snapshot!(
        "directive_problems_human",
        storylint(d).args(["check", "--color", "never", "--show", "info", SLACK])
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

// ---------------------------------------------------------- baselines

/// Reorders a story's agents as `reorder` does (each tagged with its old
/// index; a new one with `usize::MAX`), renumbering the story's links to
/// match, as a re-export would.
fn reorder_agents(story: &mut Value, reorder: impl FnOnce(&mut Vec<(usize, Value)>)) {
    let agents = story["agents"].as_array_mut().unwrap();
    let mut tagged: Vec<(usize, Value)> = agents.drain(..).enumerate().collect();
    reorder(&mut tagged);
    let mut new_index = std::collections::HashMap::new();
    for (new, (old, _)) in tagged.iter().enumerate() {
        new_index.insert(*old, new);
    }
    *agents = tagged.into_iter().map(|(_, a)| a).collect();
    for link in story["links"].as_array_mut().into_iter().flatten() {
        for end in ["source", "receiver"] {
            if let Some(old) = link[end].as_u64() {
                link[end] = json!(new_index[&(old as usize)]);
            }
        }
    }
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
    assert_eq!(n, 18);

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
                reorder_agents(&mut v, |a| a.reverse());
                serde_json::to_string_pretty(&v).unwrap()
            },
            {
                let mut v = value(&ir);
                reorder_agents(&mut v, |a| a.rotate_left(7));
                reorder_agents(&mut v["send_to_stories"][0], |a| a.reverse());
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
    reorder_agents(&mut v, |a| {
        a.insert(
            2,
            (
                usize::MAX,
                json!({
                    "type": "Agents::HTTPRequestAgent",
                    "name": "Probe Status Page",
                    "guid": "0123456789abcdef0123456789abcdef",
                    "options": {"url": "https://status.example.com", "method": "HEAD"}
                }),
            ),
        )
    });
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
    let all = per_file(&[(SLACK, 4), ("vuln.json", 14)]);
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
        per_file(&[(SLACK, 3), ("vuln.json", 14)])
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

/// pre-commit passes a staged baseline like any other `.json` file: it is
/// storylint's own, so it is skipped without a warning. A file that only
/// looks alike is still warned about.
#[test]
fn a_baseline_among_the_inputs_is_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    let (code, _) = check_json(d, &["--write-baseline", "storylint-baseline.json", SLACK]);
    assert_eq!(code, 0);
    let (_, doc) = check_json(d, &["storylint-baseline.json", SLACK]);
    assert_eq!(doc["warnings"], json!([]), "{doc}");
    assert_eq!(doc["summary"]["skipped"], 1);
    put(
        d,
        "other.json",
        r#"{"version": 1, "findings": [], "name": "x"}"#,
    );
    let (_, doc) = check_json(d, &["other.json"]);
    assert_eq!(doc["warnings"][0]["kind"], "not-an-export");
}

/// Entries of a rule that is turned off are not stale: the finding was not
/// fixed, the rule did not run. They are kept when the baseline is
/// rewritten, and count again once the rule is back on.
#[test]
fn baseline_entries_of_a_disabled_rule_are_kept_not_stale() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    let (_, _) = check_json(d, &["--write-baseline", "base.json", SLACK]);
    let before = read_baseline(&d.join("base.json"))["findings"]
        .as_array()
        .unwrap()
        .len();
    put(
        d,
        ".storylint.yaml",
        "rules:\n  missing-bearer-prefix: off\n",
    );
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK]);
    assert_eq!(code, 0);
    assert_eq!(doc["warnings"], json!([]), "no entry is stale: {doc}");
    let (_, _) = check_json(
        d,
        &[
            "--baseline",
            "base.json",
            "--write-baseline",
            "base.json",
            SLACK,
        ],
    );
    let after = read_baseline(&d.join("base.json"))["findings"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before, "the disabled rule's entries are kept");
    // Per path too, and back on they set the findings aside again.
    put(
        d,
        ".storylint.yaml",
        "overrides:\n  - files: [\"*.json\"]\n    rules: {missing-bearer-prefix: off}\n",
    );
    let (_, doc) = check_json(d, &["--baseline", "base.json", SLACK]);
    assert_eq!(doc["warnings"], json!([]), "{doc}");
    fs::remove_file(d.join(".storylint.yaml")).unwrap();
    let (code, doc) = check_json(d, &["--baseline", "base.json", SLACK]);
    assert_eq!(
        (code, doc["findings"].as_array().unwrap().len()),
        (0, 0),
        "{doc}"
    );
}

/// `--write-baseline` in the human format confirms what it wrote in one
/// line instead of listing the findings it accepts; a format asked for
/// gets the full report.
#[test]
fn writing_a_baseline_confirms_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    put(d, "vuln.json", &fixture("vuln-disclosure-intake.json"));
    let out = run(
        d,
        &[
            "check",
            "--no-config",
            "--write-baseline",
            "base.json",
            SLACK,
            "vuln.json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0], "storylint: wrote baseline base.json: 18 entries",
        "{}",
        out.stdout
    );
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert!(
        lines[1].starts_with("storylint: "),
        "the summary follows: {}",
        out.stdout
    );
    // Rewritten from one file: the other's entries are kept.
    let out = run(
        d,
        &[
            "check",
            "--no-config",
            "--write-baseline",
            "base.json",
            SLACK,
        ],
    );
    assert!(
        out.stdout.starts_with(
            "storylint: wrote baseline base.json: 18 entries, 14 entries kept from earlier runs\n"
        ),
        "{}",
        out.stdout
    );
    let out = run(
        d,
        &[
            "check",
            "--no-config",
            "--format",
            "human",
            "--write-baseline",
            "base.json",
            SLACK,
        ],
    );
    assert!(
        out.stdout.contains("missing-bearer-prefix"),
        "{}",
        out.stdout
    );
}

/// A configuration `ignore` entry that sets nothing aside gets a located
/// note, as an unused directive does; it changes no exit code, and one that
/// is used gets none.
#[test]
fn an_unused_config_ignore_entry_gets_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, SLACK, &fixture(SLACK));
    let config = "ignore:\n  - rules: [credential-in-url]\n    action-name: Nothing Like This\n    reason: the vendor takes the key in the query\n";
    put(d, ".storylint.yaml", config);
    let (code, doc) = check_json(d, &["--fail-on", "error", SLACK]);
    assert_eq!(code, 1, "the findings, not the note, fail the run");
    let notes: Vec<&Value> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "unused-ignore-in-config")
        .collect();
    assert_eq!(notes.len(), 1, "{doc:#}");
    assert_eq!(
        (notes[0]["line"].as_u64(), notes[0]["severity"].as_str()),
        (Some(2), Some("info"))
    );
    // The human format, streamed file by file, says it too with --show info.
    let out = run(d, &["check", "--color", "never", "--show", "info", SLACK]);
    assert!(
        out.stdout.contains("unused-ignore-in-config"),
        "{}",
        out.stdout
    );
    // Used: no note.
    let used = config
        .replace("credential-in-url", "missing-bearer-prefix")
        .replace("Nothing Like This", "Post Alert to Slack");
    put(d, ".storylint.yaml", &used);
    let (_, doc) = check_json(d, &[SLACK]);
    assert!(
        !doc.to_string().contains("unused-ignore-in-config"),
        "{doc:#}"
    );
    assert!(doc["summary"]["suppressed"]["config"].as_u64().unwrap() > 0);
}
