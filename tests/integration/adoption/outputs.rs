//! Extra reports with `--output`, and every file storylint writes
//! (reports and baselines): never over an input, with the usual modes,
//! through links, and into FIFOs and devices.

use super::*;
use crate::common::{output_of, storylint_via};
use std::process::Command;

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
            "json=warning.json/dir/out.json",
            "warning.json",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("warning.json/dir/out.json")
            && out.stdout.contains("output-unwritable"),
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

/// A report into a directory that does not exist yet makes the directory;
/// a report that cannot be written is called that in the summary, not a
/// configuration error.
#[test]
fn output_makes_its_directory_and_write_problems_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    put(d, "warning.json", WARNING_ONLY);
    let out = run(
        d,
        &[
            "check",
            "--output",
            "json=out/ci/report.json",
            "warning.json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc: Value =
        serde_json::from_str(&fs::read_to_string(d.join("out/ci/report.json")).unwrap()).unwrap();
    assert_eq!(findings(&doc).len(), 1);
    let out = run(
        d,
        &["check", "--output", "json=warning.json", "warning.json"],
    );
    assert_eq!(out.code, 2);
    let summary = out.stdout.lines().last().unwrap();
    assert!(summary.ends_with("; 1 file not written"), "{summary}");
    assert!(!summary.contains("configuration"), "{summary}");
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
    let script = format!("umask {umask} && exec \"$0\" \"$@\"");
    output_of(storylint_via(dir, &["sh", "-c", &script]).args(args))
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
