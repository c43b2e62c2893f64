//! Hostile inputs through the real binary.
//!
//! Every test puts one hostile input in a temporary directory next to a copy
//! of a known-defective export (`fixtures/defective/slack-alert-missing-bearer.json`,
//! three `missing-bearer-prefix` findings) and runs `storylint check` twice,
//! with `--format human` and `--format json`. Each run must end without a
//! panic or a signal, with the documented exit code (the same in both
//! formats); a bad input must be reported under its file name and, where the
//! fault has a place, at its line and column; and the defective export's
//! findings must still be reported: one bad file never hides the others.
//!
//! Large inputs are generated at test time, never committed.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The known-defective export copied next to every hostile input.
const DEFECTIVE: &str = "slack-alert-missing-bearer.json";
/// Its three findings (see fixtures/README.md).
const DEFECTIVE_POINTERS: [&str; 3] = [
    "/agents/3/options/headers/Authorization",
    "/agents/5/options/headers/authorization",
    "/agents/6/options/headers/AUTHORIZATION",
];
/// What storylint says about a symbolic link loop.
const LINK_LOOP: &str = "symbolic link loop: too many levels of symbolic links";

/// Rules that judge an HTTP request's method and credentials by their
/// values. Tests that say "nothing to report here" look only at these, so
/// new rules about other things do not break them.
const VALUE_RULES: &[&str] = &[
    "unsupported-http-method",
    "missing-bearer-prefix",
    "basic-auth-not-base64",
    "credential-over-http",
];

/// A one-action export with one certain finding (`HEAD` is not a method
/// Tines can send), used inside odd shapes to show the rest of the file is
/// still checked.
const SENTINEL: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "sentinel", "options": {"url": "https://api.example.com", "method": "HEAD"}}"#;

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn defective_text() -> String {
    fs::read_to_string(repo().join("fixtures/defective").join(DEFECTIVE))
        .expect("read the defective fixture")
}

/// A temporary directory holding a copy of the defective export.
fn setup() -> TempDir {
    let dir = tempfile::tempdir().expect("create a temp dir");
    fs::write(dir.path().join(DEFECTIVE), defective_text()).expect("copy the defective fixture");
    dir
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, bytes).unwrap();
    path
}

fn storylint(dir: &Path) -> Command {
    storylint_as(dir, &[])
}

/// storylint run through `prefix` (a command that runs another as a
/// different user), or directly when it is empty.
fn storylint_as(dir: &Path, prefix: &[String]) -> Command {
    let bin = env!("CARGO_BIN_EXE_storylint");
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut cmd = Command::new(first);
            cmd.args(rest).arg(bin);
            cmd
        }
        None => Command::new(bin),
    };
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        // Wide enough that no message is wrapped in the human report.
        .env("COLUMNS", "1000");
    cmd
}

/// One finished run.
struct Ran {
    args: Vec<String>,
    code: i32,
    stdout: String,
    elapsed: Duration,
}

/// Runs storylint and asserts it ended on its own: no panic, no signal.
fn run(dir: &Path, args: &[&str]) -> Ran {
    run_as(dir, &[], args)
}

/// [`run`] through a command prefix (see [`storylint_as`]).
fn run_as(dir: &Path, prefix: &[String], args: &[&str]) -> Ran {
    let start = Instant::now();
    let out = storylint_as(dir, prefix)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run storylint");
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflowed its stack"),
        "storylint {args:?} panicked:\n{stderr}"
    );
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "storylint {args:?} was killed by a signal ({:?}); stderr:\n{stderr}",
            out.status
        )
    });
    let stdout = String::from_utf8(out.stdout)
        .unwrap_or_else(|e| panic!("storylint {args:?} printed invalid UTF-8: {e}"));
    Ran {
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        stdout,
        elapsed,
    }
}

/// Where a reported problem must be placed.
#[derive(Clone, Copy, Debug)]
enum Loc {
    /// At this 1-based line and column.
    At(usize, usize),
    /// Somewhere (line and column present).
    Located,
    /// The fault has no place in the text (missing file, empty file, ...).
    Anywhere,
}

/// The same check in both formats.
struct Check {
    human: Ran,
    json: Ran,
    doc: Value,
}

impl Check {
    fn run(dir: &Path, args: &[&str]) -> Check {
        Check::run_as(dir, &[], args)
    }

    fn run_as(dir: &Path, prefix: &[String], args: &[&str]) -> Check {
        let mut h = vec!["check", "--format", "human", "--color", "never"];
        h.extend_from_slice(args);
        let mut j = vec!["check", "--format", "json"];
        j.extend_from_slice(args);
        let human = run_as(dir, prefix, &h);
        let json = run_as(dir, prefix, &j);
        let doc: Value = serde_json::from_str(&json.stdout).unwrap_or_else(|e| {
            panic!(
                "--format json did not print one JSON document ({e}):\n{}",
                json.stdout
            )
        });
        assert_eq!(doc["version"], 1, "{doc:#}");
        Check { human, json, doc }
    }

    /// Both formats exit with `code`.
    fn exit(&self, code: i32) -> &Self {
        for ran in [&self.human, &self.json] {
            assert_eq!(
                ran.code, code,
                "storylint {:?}: expected exit code {code}, got {}\n--- stdout ---\n{}",
                ran.args, ran.code, ran.stdout
            );
        }
        self
    }

    fn section(&self, section: &str) -> &[Value] {
        self.doc[section]
            .as_array()
            .unwrap_or_else(|| panic!("no `{section}` array in {:#}", self.doc))
    }

    fn in_file<'a>(&'a self, section: &str, file: &str) -> Vec<&'a Value> {
        self.section(section)
            .iter()
            .filter(|v| v["file"] == file)
            .collect()
    }

    /// The input error `kind` reported for `file`, placed per `loc`, and the
    /// same problem in the human report.
    fn error(&self, file: &str, kind: &str, loc: Loc) -> &Value {
        self.problem("errors", file, kind, loc)
    }

    fn warning(&self, file: &str, kind: &str, loc: Loc) -> &Value {
        self.problem("warnings", file, kind, loc)
    }

    fn problem(&self, section: &str, file: &str, kind: &str, loc: Loc) -> &Value {
        let placed = |v: &Value| match loc {
            Loc::At(l, c) => v["line"] == l && v["column"] == c,
            _ => true,
        };
        let found = self
            .section(section)
            .iter()
            .find(|v| v["file"] == file && v["kind"] == kind && placed(v))
            .unwrap_or_else(|| {
                panic!(
                    "expected `{kind}` in `{section}` for {file} (at {loc:?}); the JSON report is\n{:#}",
                    self.doc
                )
            });
        let message = found["message"].as_str().expect("message is a string");
        assert!(!message.is_empty(), "{found:#}");
        let (line, column) = (found["line"].as_u64(), found["column"].as_u64());
        match loc {
            Loc::At(l, c) => assert_eq!(
                (line, column),
                (Some(l as u64), Some(c as u64)),
                "{file}: `{kind}` is placed wrongly: {found:#}"
            ),
            Loc::Located => assert!(
                line.is_some_and(|l| l >= 1) && column.is_some_and(|c| c >= 1),
                "{file}: `{kind}` has no line and column: {found:#}"
            ),
            Loc::Anywhere => {}
        }
        // The human report names the file (at line:col when there is one)
        // and says the same thing.
        let human = &self.human.stdout;
        assert!(
            human.contains(kind),
            "human report lacks `{kind}`:\n{human}"
        );
        match (line, column) {
            (Some(l), Some(c)) => {
                let at = format!("[{file}:{l}:{c}]");
                assert!(human.contains(&at), "human report lacks {at}:\n{human}");
                assert!(
                    human.contains(message),
                    "human report lacks `{message}`:\n{human}"
                );
            }
            _ => {
                let said = format!("{file}: {message}");
                assert!(
                    human.contains(&said),
                    "human report lacks `{said}`:\n{human}"
                );
            }
        }
        found
    }

    fn no_errors_for(&self, file: &str) -> &Self {
        let errors = self.in_file("errors", file);
        assert!(
            errors.is_empty(),
            "{file} is valid JSON and must be checked, not rejected: {errors:#?}"
        );
        self
    }

    fn findings_in(&self, file: &str) -> Vec<&Value> {
        self.in_file("findings", file)
    }

    /// Findings in `file` of one of `rules` at or below `pointer`.
    fn findings_under(&self, file: &str, rules: &[&str], pointer: &str) -> Vec<&Value> {
        self.findings_in(file)
            .into_iter()
            .filter(|f| rules.iter().any(|r| f["rule"] == *r))
            .filter(|f| {
                let p = f["pointer"].as_str().unwrap_or("");
                p == pointer || p.starts_with(&format!("{pointer}/"))
            })
            .collect()
    }

    /// The finding of `rule` at `pointer` in `file`, in both reports.
    fn finding(&self, file: &str, rule: &str, pointer: &str) -> &Value {
        let found = self
            .section("findings")
            .iter()
            .find(|f| f["file"] == file && f["rule"] == rule && f["pointer"] == pointer)
            .unwrap_or_else(|| {
                panic!(
                    "expected `{rule}` at {file}#{pointer}; the JSON report is\n{:#}",
                    self.doc
                )
            });
        let at = format!("[{file}:{}:{}]", found["line"], found["column"]);
        assert!(
            self.human.stdout.contains(&at),
            "human report lacks the finding at {at}:\n{}",
            self.human.stdout
        );
        found
    }

    /// The defective export's three findings are all reported.
    fn defective_reported(&self) -> &Self {
        for pointer in DEFECTIVE_POINTERS {
            self.finding(DEFECTIVE, "missing-bearer-prefix", pointer);
        }
        let first = self.finding(DEFECTIVE, "missing-bearer-prefix", DEFECTIVE_POINTERS[0]);
        assert_eq!(
            (&first["line"], &first["column"]),
            (&115.into(), &29.into())
        );
        self
    }

    fn summary(&self, key: &str) -> u64 {
        self.doc["summary"][key]
            .as_u64()
            .unwrap_or_else(|| panic!("no summary.{key} in {:#}", self.doc))
    }
}

/// 1-based line and character column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn at(text: &str, offset: usize) -> Loc {
    let (l, c) = line_col(text, offset);
    Loc::At(l, c)
}

/// A story export around `agents` (a JSON text).
fn story(agents: &str) -> String {
    format!(
        "{{\"schema_version\": 26, \"name\": \"Hostile\", \"guid\": \"0123456789abcdef0123456789abcdef\",\n\"agents\": {agents}\n}}\n"
    )
}

// ---------------------------------------------------------------------------
// Generated hostile inputs
// ---------------------------------------------------------------------------

const WHITESPACE: &str = " \n\t \r\n  ";

fn truncated() -> String {
    let text = defective_text();
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_string()
}

/// Latin-1 `é` on line 3.
const LATIN1: &[u8] =
    b"{\n  \"schema_version\": 26,\n  \"name\": \"Caf\xe9 Alerts\",\n  \"agents\": []\n}\n";

fn with_bom() -> Vec<u8> {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(defective_text().as_bytes());
    bytes
}

fn utf16le() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in defective_text().encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

const DEPTH: usize = 200_000;

fn deep_arrays() -> String {
    "[".repeat(DEPTH) + &"]".repeat(DEPTH)
}

fn deep_objects() -> String {
    "{\"a\":".repeat(DEPTH) + "1" + &"}".repeat(DEPTH)
}

/// A PNG signature and deterministic noise.
fn binary() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        bytes.push((x >> 24) as u8);
    }
    bytes
}

const TWO_DOCUMENTS: &str = "{\"agents\": []}\n{\"agents\": []}\n";

const HUGE_NUMBERS: &str = r#"{"type": "Agents::HTTPRequestAgent", "name": "huge numbers", "options": {"url": "https://api.example.com", "method": "HEAD", "timeout": 1e999999, "retry_on_status": [1e999999, -1e999999, 1e-999999, 401]}}"#;

const LONE_SURROGATES: &str = r#"[
  {"type": "Agents::HTTPRequestAgent", "name": "lone surrogates", "options": {"url": "https://api.example.com", "method": "HEAD", "headers": {"X-Trace": "\ud800", "Authorization": "Bearer \udc00<<CREDENTIAL.token>>"}, "payload": {"text": "a\ud800b"}}},
  {"type": "Agents::HTTPRequestAgent", "name": "surrogate method", "options": {"url": "https://api.example.com", "method": "GET\ud800"}}
]
"#;

/// Arrangements an audit found rejected: a lone high surrogate followed by
/// another escape, two highs before a low, a low before a high.
const MORE_SURROGATES: &str = r#"[{"type": "Agents::HTTPRequestAgent", "name": "a\ud800\u0041", "options": {"url": "https://api.example.com", "method": "HEAD", "x": "\ud800\ud800\udfff", "y": "\udc00\ud800", "z": "\ud800\n"}}]"#;

const DUPLICATE_KEYS: &str = r#"[
  {"type": "Agents::HTTPRequestAgent", "name": "fixed later", "options": {"url": "https://api.example.com", "method": "HEAD", "method": "post", "headers": {"Authorization": "<<CREDENTIAL.token>>", "Authorization": "Bearer <<CREDENTIAL.token>>"}}},
  {"type": "Agents::HTTPRequestAgent", "name": "broken later", "options": {"url": "https://api.example.com", "method": "post", "method": "HEAD", "headers": {"Authorization": "Bearer <<CREDENTIAL.token>>", "Authorization": "<<CREDENTIAL.token>>"}}}
]
"#;

fn odd_actions() -> String {
    story(&format!(
        "[null, \"Agents::HTTPRequestAgent\", 3, true, {SENTINEL}]"
    ))
}

fn odd_options() -> String {
    story(&format!(
        r#"[
  {{"type": "Agents::HTTPRequestAgent", "name": "no options"}},
  {{"type": "Agents::HTTPRequestAgent", "name": "null options", "options": null}},
  {{"type": "Agents::HTTPRequestAgent", "name": "string options", "options": "=base_options"}},
  {{"type": "Agents::HTTPRequestAgent", "name": "array options", "options": [{{"method": "HEAD"}}]}},
  {{"type": "Agents::HTTPRequestAgent", "name": "number options", "options": 3}},
  {SENTINEL}
]"#
    ))
}

fn odd_headers() -> String {
    story(&format!(
        r#"[
  {{"type": "Agents::HTTPRequestAgent", "name": "formula headers", "options": {{"url": "https://api.example.com", "headers": "=MERGE(base_headers, OBJECT(\"X-Id\", 1))"}}}},
  {{"type": "Agents::HTTPRequestAgent", "name": "array headers", "options": {{"url": "https://api.example.com", "headers": [{{"Authorization": "<<CREDENTIAL.token>>"}}, "Accept: */*"]}}}},
  {{"type": "Agents::HTTPRequestAgent", "name": "pill headers", "options": {{"url": "https://api.example.com", "headers": "<<prepare.headers>>"}}}},
  {{"type": "Agents::HTTPRequestAgent", "name": "odd values", "options": {{"url": "https://api.example.com", "headers": {{"Authorization": 12345, "X-Count": 3, "X-Null": null, "X-List": ["a"], "X-Object": {{}}}}}}}},
  {{"type": "Agents::HTTPRequestAgent", "name": "null credential over http", "options": {{"url": "http://intranet.example.com/api", "headers": {{"Authorization": null}}}}}},
  {SENTINEL}
]"#
    ))
}

fn odd_methods() -> String {
    story(&format!(
        r#"[
  {{"type": "Agents::HTTPRequestAgent", "name": "number method", "options": {{"url": "https://api.example.com", "method": 405}}}},
  {{"type": "Agents::HTTPRequestAgent", "name": "null method", "options": {{"url": "https://api.example.com", "method": null}}}},
  {{"type": "Agents::HTTPRequestAgent", "name": "array method", "options": {{"url": "https://api.example.com", "method": ["get"]}}}},
  {SENTINEL}
]"#
    ))
}

fn unknown_types() -> String {
    story(&format!(
        r#"[
  {{"type": "Agents::QuantumTeleportAgent", "name": "future", "options": {{"url": "https://api.example.com", "method": "HEAD"}}}},
  {{"type": "Custom::Thing", "options": {{"method": "HEAD"}}}},
  {{"type": 42, "options": {{"method": "HEAD"}}}},
  {{"type": null}},
  {{"type": ["Agents::HTTPRequestAgent"], "options": {{"method": "HEAD"}}}},
  {{"type": "Agents::"}},
  {{}},
  {SENTINEL}
]"#
    ))
}

// ---------------------------------------------------------------------------
// Empty, truncated and non-UTF-8 inputs
// ---------------------------------------------------------------------------

#[test]
fn empty_file() {
    let dir = setup();
    write(dir.path(), "empty.json", "");
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("empty.json", "invalid-json", Loc::Anywhere);
    assert!(e["message"].as_str().unwrap().contains("empty"), "{e:#}");
    assert_eq!(c.summary("failed"), 1);
}

#[test]
fn only_whitespace() {
    let dir = setup();
    write(dir.path(), "blank.json", WHITESPACE);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    c.error("blank.json", "invalid-json", Loc::Located);
}

#[test]
fn truncated_json() {
    let dir = setup();
    let text = truncated();
    write(dir.path(), "truncated.json", &text);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("truncated.json", "invalid-json", Loc::Located);
    // Placed where the text stops: on the last character or just after it.
    let last = text.trim_end().char_indices().last().unwrap().0;
    let (line, column) = line_col(&text, last);
    assert_eq!(e["line"], line, "{e:#}");
    let got = e["column"].as_u64().unwrap() as usize;
    assert!(got == column || got == column + 1, "{e:#}");
    assert!(c.findings_in("truncated.json").is_empty());
}

#[test]
fn invalid_utf8() {
    let dir = setup();
    write(dir.path(), "latin1.json", LATIN1);
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
    write(dir.path(), "bom.json", with_bom());
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
    write(dir.path(), "utf16.json", utf16le());
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("utf16.json", "utf16", Loc::Anywhere);
    assert!(e["message"].as_str().unwrap().contains("UTF-16"), "{e:#}");
    assert!(c.findings_in("utf16.json").is_empty());
}

#[test]
fn binary_file_named_json() {
    let dir = setup();
    write(dir.path(), "image.json", binary());
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
    write(dir.path(), "zeros.json", [0u8; 4096]);
    let c = Check::run(dir.path(), &["."]);
    c.exit(2).defective_reported();
    let e = c.error("zeros.json", "invalid-utf8", Loc::At(1, 1));
    assert!(e["message"].as_str().unwrap().contains("binary"), "{e:#}");
}

#[test]
fn no_break_space_is_not_json_whitespace() {
    let dir = setup();
    write(dir.path(), "nbsp.json", "\u{a0}\n");
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
    write(dir.path(), "two.json", TWO_DOCUMENTS);
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
    write(dir.path(), "deep-arrays.json", deep_arrays());
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
    write(dir.path(), "deep-objects.json", deep_objects());
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
    write(dir.path(), "huge-token.json", &text);
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
    write(d, "small.json", small);
    let mut exactly = SENTINEL.to_string();
    exactly.push_str(&" ".repeat(1000 - SENTINEL.len() - 1));
    exactly.push('\n');
    assert_eq!(exactly.len(), 1000);
    write(d, "exactly-the-limit.json", &exactly);
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
    let mut child = storylint(d)
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
    write(dir.path(), "huge-numbers.json", HUGE_NUMBERS);
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
    write(dir.path(), "surrogates.json", LONE_SURROGATES);
    write(dir.path(), "more-surrogates.json", MORE_SURROGATES);
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
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains("Duplicate keys are accepted and the last one wins"),
        "README no longer documents duplicate keys"
    );
    let dir = setup();
    write(dir.path(), "duplicates.json", DUPLICATE_KEYS);
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
        write(dir.path(), name, story(agents));
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
    write(dir.path(), "odd-actions.json", &text);
    let list = format!("[null, \"Agents::HTTPRequestAgent\", 3, {SENTINEL}]");
    write(dir.path(), "odd-action-list.json", &list);
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
    write(dir.path(), "odd-options.json", odd_options());
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
    write(dir.path(), "odd-headers.json", odd_headers());
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
    write(dir.path(), "odd-methods.json", odd_methods());
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
    write(dir.path(), "unknown-types.json", unknown_types());
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

// ---------------------------------------------------------------------------
// Control characters in what is reported
// ---------------------------------------------------------------------------

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
    write(d, "evil-name.json", action.to_string());
    // Raw control characters in a file make it invalid JSON; its snippet
    // must not carry them out either.
    write(d, "raw.json", "{\"name\": \"x\u{1b}[2J\ry\"}\n");
    // File names can hold them too.
    let evil_file = "file\u{1b}[1m\n::error file=y::pwned.json";
    write(d, evil_file, "{\"agents\": 3}");
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
    write(d, name, EVIL_RULE);
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
    write(
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

// ---------------------------------------------------------------------------
// Paths: directories, links, permissions, missing files
// ---------------------------------------------------------------------------

#[test]
fn directory_named_x_json_is_walked() {
    let dir = setup();
    write(dir.path(), "x.json/inner.json", SENTINEL);
    for args in [&["."][..], &["x.json", DEFECTIVE][..]] {
        let c = Check::run(dir.path(), args);
        c.exit(1).defective_reported();
        assert!(c.section("errors").is_empty(), "{:#}", c.doc);
        c.finding(
            "x.json/inner.json",
            "unsupported-http-method",
            "/options/method",
        );
        assert_eq!(c.summary("checked"), 2);
    }
}

#[test]
fn nonexistent_path_among_good_ones() {
    let dir = setup();
    write(dir.path(), "good.json", SENTINEL);
    let c = Check::run(dir.path(), &["good.json", "vanished.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("vanished.json", "unreadable", Loc::Anywhere);
    assert!(
        e["message"].as_str().unwrap().contains("no such file"),
        "{e:#}"
    );
    c.finding("good.json", "unsupported-http-method", "/options/method");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_inside_a_directory() {
    // What a file deleted between discovery and reading looks like.
    let dir = setup();
    write(dir.path(), "exports/good.json", SENTINEL);
    std::os::unix::fs::symlink("deleted.json", dir.path().join("exports/gone.json")).unwrap();
    let c = Check::run(dir.path(), &["."]);
    c.finding(
        "exports/good.json",
        "unsupported-http-method",
        "/options/method",
    );
    c.defective_reported();
    let e = c.error("exports/gone.json", "unreadable", Loc::Anywhere);
    assert!(
        e["message"].as_str().unwrap().contains("no such file"),
        "{e:#}"
    );
    c.exit(2);
}

#[cfg(unix)]
#[test]
fn symlink_loop_named_on_the_command_line() {
    let dir = setup();
    let d = dir.path();
    std::os::unix::fs::symlink("loop-b.json", d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", d.join("loop-b.json")).unwrap();
    let c = Check::run(d, &["loop-a.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("loop-a.json", "unreadable", Loc::Anywhere);
    // The same words as when the walk meets it.
    assert_eq!(e["message"], LINK_LOOP, "{e:#}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_inside_a_walked_directory() {
    let dir = setup();
    let d = dir.path();
    std::os::unix::fs::symlink("loop-b.json", d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", d.join("loop-b.json")).unwrap();
    // A directory loop as well: the walk must end.
    fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    write(d, "sub/good.json", SENTINEL);
    let c = Check::run(d, &["."]);
    c.defective_reported();
    c.finding(
        "sub/good.json",
        "unsupported-http-method",
        "/options/method",
    );
    // A `*.json` entry that cannot be read is reported, never silently dropped.
    for name in ["loop-a.json", "loop-b.json"] {
        let e = c.error(name, "unreadable", Loc::Anywhere);
        assert_eq!(e["message"], LINK_LOOP, "{e:#}");
    }
    // The directory link leads back into the walk: its files are checked
    // under their own paths, so nothing is lost and nothing is said.
    assert_eq!(c.section("errors").len(), 2, "{:#}", c.doc);
    c.exit(2);
}

#[cfg(unix)]
#[test]
fn dangling_links_the_walk_would_not_check_are_not_errors() {
    let dir = setup();
    let d = dir.path();
    write(d, "exports/good.json", SENTINEL);
    std::os::unix::fs::symlink("deleted.txt", d.join("exports/broken.txt")).unwrap();
    std::os::unix::fs::symlink("deleted.json", d.join("exports/.hidden.json")).unwrap();
    write(d, "exports/.gitignore", "ignored.json\n");
    std::os::unix::fs::symlink("deleted.json", d.join("exports/ignored.json")).unwrap();
    let c = Check::run(d, &["."]);
    c.exit(1).defective_reported();
    assert!(c.section("errors").is_empty(), "{:#}", c.doc);
    c.finding(
        "exports/good.json",
        "unsupported-http-method",
        "/options/method",
    );
    // Unless the walk is told to look at hidden files: then it is one.
    let c = Check::run(d, &["--hidden", "."]);
    c.exit(2).defective_reported();
    c.error("exports/.hidden.json", "unreadable", Loc::Anywhere);
    assert_eq!(c.section("errors").len(), 1, "{:#}", c.doc);
}

/// How to run storylint as a user that file permissions apply to: no
/// prefix when this user is one already; when it is not (root, or
/// CAP_DAC_OVERRIDE, as in CI), `setpriv` or `runuser` to the `nobody`
/// user, with `dir` opened up so that user can reach the files in it.
/// `None`, with a note, if there is no way to drop privileges.
#[cfg(unix)]
fn unprivileged(dir: &Path) -> Option<Vec<String>> {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join(".probe");
    fs::write(&probe, "x").unwrap();
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = fs::read(&probe).is_ok();
    fs::remove_file(&probe).unwrap();
    if !privileged {
        return Some(Vec::new());
    }
    let candidates: [&[&str]; 2] = [
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ],
        &["runuser", "-u", "nobody", "--"],
    ];
    for prefix in candidates {
        let works = Command::new(prefix[0])
            .args(&prefix[1..])
            .arg(env!("CARGO_BIN_EXE_storylint"))
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if works {
            open_to_all(dir);
            return Some(prefix.iter().map(|s| s.to_string()).collect());
        }
    }
    eprintln!("skipped: this user reads any file and cannot run storylint as another user");
    None
}

/// Makes `dir` and everything in it readable (and directories enterable)
/// by any user, without following links.
#[cfg(unix)]
fn open_to_all(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            open_to_all(&path);
        } else if meta.is_file() {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

#[cfg(unix)]
#[test]
fn file_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let d = dir.path();
    write(d, "good.json", SENTINEL);
    write(d, "locked-dir/inside.json", SENTINEL);
    let Some(prefix) = unprivileged(d) else {
        return;
    };
    let path = write(d, "locked.json", SENTINEL);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(d.join("locked-dir"), fs::Permissions::from_mode(0o000)).unwrap();
    let c = Check::run_as(d, &prefix, &["."]);
    c.exit(2).defective_reported();
    // Named, with the reason; no line and column, as there is no text.
    for name in ["locked.json", "locked-dir"] {
        let e = c.error(name, "unreadable", Loc::Anywhere);
        assert_eq!(e["message"], "permission denied", "{e:#}");
        assert_eq!(e["line"], Value::Null, "{e:#}");
    }
    c.finding("good.json", "unsupported-http-method", "/options/method");
    assert_eq!(c.summary("checked"), 2);
    // Named on the command line, the same.
    let c = Check::run_as(d, &prefix, &["locked.json", "good.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("locked.json", "unreadable", Loc::Anywhere);
    assert_eq!(e["message"], "permission denied", "{e:#}");
    c.finding("good.json", "unsupported-http-method", "/options/method");
    fs::set_permissions(d.join("locked-dir"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
}

/// A directory that cannot be read is reported only when the
/// configuration would check a file in it: one in an excluded tree is
/// passed over, walked or named.
#[cfg(unix)]
#[test]
fn unreadable_directory_the_configuration_excludes_is_not_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let d = dir.path();
    write(d, "vendor/locked/inside.json", SENTINEL);
    write(d, "stories/locked/inside.json", SENTINEL);
    write(d, ".storylint.yaml", "exclude: [\"vendor/**\"]\n");
    let Some(prefix) = unprivileged(d) else {
        return;
    };
    let locked = [d.join("vendor/locked"), d.join("stories/locked")];
    for path in &locked {
        fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let c = Check::run_as(d, &prefix, &["."]);
    c.exit(2).defective_reported();
    let e = c.error("stories/locked", "unreadable", Loc::Anywhere);
    assert_eq!(e["message"], "permission denied", "{e:#}");
    assert_eq!(c.section("errors").len(), 1, "{:#}", c.doc);
    let c = Check::run_as(d, &prefix, &["vendor/locked", "vendor", DEFECTIVE]);
    c.exit(1).defective_reported();
    assert!(c.section("errors").is_empty(), "{:#}", c.doc);
    for path in &locked {
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Runs `storylint check --format json ARGS` and fails, rather than hangs,
/// if it has not ended within `limit`.
#[cfg(unix)]
fn json_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, Value) {
    let mut child = storylint(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run storylint");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("storylint {args:?} was still running after {limit:?}: it blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = reader.join().unwrap().unwrap();
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}:\n{stdout}"));
    (status.code().expect("no signal"), doc)
}

fn errors_of<'a>(doc: &'a Value, file: &str) -> Vec<&'a Value> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == file)
        .collect()
}

fn has_finding(doc: &Value, file: &str, rule: &str) -> bool {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == file && f["rule"] == rule)
}

/// Makes a FIFO with the `mkfifo` command; `None` (with a note) if there
/// is no such command here.
#[cfg(unix)]
fn mkfifo(path: &Path) -> Option<()> {
    match Command::new("mkfifo").arg(path).status() {
        Ok(status) => {
            assert!(status.success(), "mkfifo {path:?} failed");
            Some(())
        }
        Err(e) => {
            eprintln!("skipped: no mkfifo command ({e})");
            None
        }
    }
}

#[cfg(unix)]
#[test]
fn socket_named_on_the_command_line_is_not_a_regular_file() {
    let dir = setup();
    let d = dir.path();
    let _listener = std::os::unix::net::UnixListener::bind(d.join("sock.json")).unwrap();
    let c = Check::run(d, &["sock.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("sock.json", "unreadable", Loc::Anywhere);
    assert_eq!(e["message"], "not a regular file: a socket", "{e:#}");
    // A walk passes over it without a word.
    let c = Check::run(d, &["."]);
    c.exit(1).defective_reported();
    assert!(c.section("errors").is_empty(), "{:#}", c.doc);
    assert_eq!(c.summary("files"), 1);
}

#[cfg(unix)]
#[test]
fn fifo_named_on_the_command_line_is_read_as_a_stream() {
    let dir = setup();
    let d = dir.path();
    let fifo = d.join("piped.json");
    if mkfifo(&fifo).is_none() {
        return;
    }
    // The writer blocks until storylint opens the FIFO, then writes and
    // closes it: storylint must read to the end, as `cat` would.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, SENTINEL))
    };
    let (code, doc) = json_within(d, &["piped.json", DEFECTIVE], Duration::from_secs(60));
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors_of(&doc, "piped.json").is_empty(), "{doc:#}");
    assert!(
        has_finding(&doc, "piped.json", "unsupported-http-method"),
        "{doc:#}"
    );
    assert!(has_finding(&doc, DEFECTIVE, "missing-bearer-prefix"));
    writer.join().unwrap().unwrap();
}

#[cfg(unix)]
#[test]
fn walks_never_open_a_fifo() {
    let dir = setup();
    let d = dir.path();
    // No writer: opening it would block for ever.
    if mkfifo(&d.join("waiting.json")).is_none() {
        return;
    }
    let (code, doc) = json_within(d, &["."], Duration::from_secs(60));
    assert_eq!(code, 1, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["summary"]["files"], 1, "{doc:#}");
    assert!(has_finding(&doc, DEFECTIVE, "missing-bearer-prefix"));
}

#[cfg(target_os = "linux")]
#[test]
fn dev_stdin_named_on_the_command_line_is_read_as_a_stream() {
    let dir = setup();
    let mut child = storylint(dir.path())
        .args(["check", "--format", "json", "/dev/stdin", DEFECTIVE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(SENTINEL.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert!(
        has_finding(&doc, "/dev/stdin", "unsupported-http-method"),
        "{doc:#}"
    );
}

// ---------------------------------------------------------------------------
// Every hostile input at once, in every format
// ---------------------------------------------------------------------------

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
                other => panic!("unexpected <{other}>"),
            };
            out.push(said(&file, what, at));
        }
    }
    // Other warnings are lines of <system-out>: `FILE:L:C: warning[KIND]: ...`.
    for system_out in doc.descendants().filter(|n| n.has_tag_name("system-out")) {
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
        write(d, name, bytes);
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
        let path = write(d, "locked.json", SENTINEL);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let prefix = prefix.unwrap_or_default();

    // What each bad input must be reported for; `None` for no place.
    let at = |l: u64, c: u64| Some((l, c));
    let truncated_at = {
        let text = truncated();
        let last = text.trim_end().char_indices().last().unwrap().0;
        let (l, c) = line_col(&text, last);
        Some((l as u64, c as u64))
    };
    let blank_at = {
        let (l, c) = line_col(WHITESPACE, WHITESPACE.len());
        Some((l as u64, c as u64))
    };
    // The place of `needle` in `text`, `skip` bytes on.
    let place = |text: &str, needle: &str, skip: usize| {
        let (l, c) = line_col(text, text.find(needle).unwrap() + skip);
        Some((l as u64, c as u64))
    };
    let latin1_at = {
        let bad = LATIN1.iter().position(|b| *b == 0xE9).unwrap();
        let (l, c) = line_col(std::str::from_utf8(&LATIN1[..bad]).unwrap(), bad);
        Some((l as u64, c as u64))
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
            &["check", "--color", "never", "--format", format, "."],
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

// ---------------------------------------------------------------------------
// The process as a whole
// ---------------------------------------------------------------------------

#[test]
fn closed_stdout_ends_quietly() {
    // `storylint check <many files> | head -1`
    let dir = setup();
    let text = defective_text();
    let names: Vec<String> = (0..300).map(|i| format!("story-{i:03}.json")).collect();
    for name in &names {
        write(dir.path(), name, &text);
    }
    for format in ["human", "json"] {
        let mut child = storylint(dir.path())
            .args(["check", "--color", "never", "--format", format])
            .args(&names)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(!line.trim().is_empty(), "{format}: no first line");
        // The reader is dropped here: the pipe is closed.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.trim().is_empty(),
            "{format}: a closed pipe is not worth a word, got:\n{stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {:?} (a signal, or the wrong code)",
            out.status
        );
    }
}

/// What a tree looks like on disk: per path, its type, permissions, size,
/// modification time and a hash of its bytes (or a link's target).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = meta.file_type();
            let what = if kind.is_symlink() {
                format!("link -> {}", fs::read_link(&path).unwrap().display())
            } else if kind.is_dir() {
                stack.push(path.clone());
                "dir".to_string()
            } else {
                let content = match fs::read(&path) {
                    Ok(bytes) => {
                        let mut h = DefaultHasher::new();
                        bytes.hash(&mut h);
                        format!("{:016x}", h.finish())
                    }
                    Err(e) => format!("unreadable ({:?})", e.kind()),
                };
                format!("file {} bytes, hash {content}", meta.len())
            };
            let perms = format!("{:?}", meta.permissions());
            let modified = meta.modified().ok();
            out.insert(rel, format!("{what}, {perms}, modified {modified:?}"));
        }
    }
    out
}

#[test]
fn inputs_are_never_modified() {
    let dir = setup();
    let d = dir.path();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.json", Vec::new()),
        ("blank.json", WHITESPACE.into()),
        ("truncated.json", truncated().into()),
        ("latin1.json", LATIN1.into()),
        ("bom.json", with_bom()),
        ("utf16.json", utf16le()),
        ("deep-arrays.json", deep_arrays().into()),
        ("deep-objects.json", deep_objects().into()),
        ("image.json", binary()),
        ("two.json", TWO_DOCUMENTS.into()),
        ("huge-numbers.json", HUGE_NUMBERS.into()),
        ("surrogates.json", LONE_SURROGATES.into()),
        ("duplicates.json", DUPLICATE_KEYS.into()),
        ("odd-actions.json", odd_actions().into()),
        ("odd-options.json", odd_options().into()),
        ("odd-headers.json", odd_headers().into()),
        ("odd-methods.json", odd_methods().into()),
        ("unknown-types.json", unknown_types().into()),
        ("agents-null.json", story("null").into()),
        ("x.json/inner.json", SENTINEL.into()),
    ];
    for (name, bytes) in &files {
        write(d, name, bytes);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{PermissionsExt, symlink};
        symlink("loop-b.json", d.join("loop-a.json")).unwrap();
        symlink("loop-a.json", d.join("loop-b.json")).unwrap();
        symlink("deleted.json", d.join("gone.json")).unwrap();
        symlink(DEFECTIVE, d.join("link-to-defective.json")).unwrap();
        let locked = write(d, "locked.json", SENTINEL);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let before = snapshot(d);
    let mut named: Vec<String> = before
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    named.push("missing.json".into());
    let mut named: Vec<&str> = named.iter().map(String::as_str).collect();
    let c = Check::run(d, &["."]);
    c.exit(2).defective_reported();
    named.insert(0, "--max-file-size");
    named.insert(1, "100000");
    let c = Check::run(d, &named);
    c.exit(2).defective_reported();
    let after = snapshot(d);
    assert_eq!(before, after, "storylint changed its inputs");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(d.join("locked.json"), fs::Permissions::from_mode(0o644)).unwrap();
    }
}
