//! Adversarial inputs for the benchmark's "adversarial" section: files that
//! made storylint's time or memory grow faster than the work.
//!
//! ```sh
//! cargo run --release --example gen_adversarial -- OUT_DIR
//! ```
//!
//! Writes, under `OUT_DIR`:
//!
//! - `findings-100k/story.json`: one minified export (about 11 MB) whose
//!   100,000 actions each send the unsupported method `HEAD`: 100,000
//!   findings in one file;
//! - `findings-1m/story.json`: the same with 1,000,000 actions (about
//!   113 MB);
//! - `memory-1m/story-NNN.json`: a hundred exports of 10,000 findings
//!   each, 1,000,000 findings in all, for peak memory in each output
//!   format;
//! - `secret-10k/story.json`: 10,000 actions sending one literal token, so
//!   10,000 findings share one secret;
//! - `warnings-minified/story.json` and `warnings-pretty/story.json`: the
//!   same 10,000 actions whose `headers` are a string (an `unexpected-shape`
//!   warning each), on one 1.7 MB line and pretty-printed;
//! - `overrides/.storylint.yaml` with 10,000 `overrides` entries, and
//!   `overrides/story.json` with 200,000 findings;
//! - `linked-50k/story.json`: 50,000 actions linked in one chain, each
//!   referencing the action before it, one scattered through the chain
//!   (upstream or not), and a misspelt name: tracing links and "did you
//!   mean" over a story that large.
//!
//! Output is deterministic; nothing is random.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out) = std::env::args().nth(1) else {
        eprintln!("usage: gen_adversarial OUT_DIR");
        return ExitCode::from(2);
    };
    match generate(Path::new(&out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_adversarial: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn generate(out: &Path) -> std::io::Result<()> {
    let head = |i: usize| {
        format!(
            r#"{{"type":"Agents::HTTPRequestAgent","name":"a{i}","guid":"g{i:08}","options":{{"url":"https://api.example.com","method":"HEAD"}}}}"#
        )
    };
    let story100k = story(100_000, head);
    write(out, "findings-100k/story.json", &story100k)?;
    write(out, "findings-1m/story.json", &story(1_000_000, head))?;
    let story10k = story(10_000, head);
    for n in 0..100 {
        write(out, &format!("memory-1m/story-{n:03}.json"), &story10k)?;
    }
    let token = "ghp_B3nchm4rkT0k3nV4lu3Sh4r3dByAll0123";
    write(
        out,
        "secret-10k/story.json",
        &story(10_000, |i| {
            format!(
                r#"{{"type":"Agents::HTTPRequestAgent","name":"a{i}","options":{{"url":"https://api.github.com","headers":{{"Authorization":"Bearer {token}"}}}}}}"#
            )
        }),
    )?;
    let odd = |i: usize| {
        format!(
            r#"{{"type":"Agents::HTTPRequestAgent","name":"a{i}","options":{{"url":"https://api.example.com","headers":"not an object, a string of some length"}}}}"#
        )
    };
    let minified = story(10_000, odd);
    write(out, "warnings-minified/story.json", &minified)?;
    write(out, "warnings-pretty/story.json", &pretty(&minified))?;
    let mut config = String::from("overrides:\n");
    for i in 0..10_000 {
        let _ = writeln!(
            config,
            "  - files: ['team-{i}/**/*.json']\n    rules: {{unsupported-http-method: warning}}"
        );
    }
    write(out, "overrides/.storylint.yaml", &config)?;
    write(out, "overrides/story.json", &story(200_000, head))?;
    write(out, "linked-50k/story.json", &linked(50_000))
}

/// A story of `n` actions linked in one chain, each referencing the one
/// before it, one elsewhere in the chain, and a misspelt name.
fn linked(n: usize) -> String {
    let mut s = String::from(r#"{"schema_version":23,"name":"linked","guid":"s1","agents":["#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let (before, elsewhere) = (i.saturating_sub(1), (i * 7919) % n);
        let _ = write!(
            s,
            r#"{{"type":"Agents::HTTPRequestAgent","name":"Step {i}","guid":"g{i:08}","options":{{"url":"https://api.example.com/<<step_{before}.body.id>>/<<step_{elsewhere}.body.id>>/<<stpe_{i}.body.id>>"}}}}"#
        );
    }
    s.push_str(r#"],"links":["#);
    for i in 1..n {
        if i > 1 {
            s.push(',');
        }
        let _ = write!(s, r#"{{"source":{},"receiver":{i}}}"#, i - 1);
    }
    s.push_str("]}");
    s
}

/// A minified story export of `n` actions.
fn story(n: usize, action: impl Fn(usize) -> String) -> String {
    let mut s = String::from(r#"{"schema_version":23,"name":"adversarial","guid":"s1","agents":["#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&action(i));
    }
    s.push_str(r#"],"links":[]}"#);
    s
}

/// `json` re-indented: a line per value, two spaces per level. Only for the
/// generated text above, which has no escaped quotes.
fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    for c in json.chars() {
        if in_string {
            out.push(c);
            in_string = c != '"';
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                depth += 1;
                out.push(c);
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out.push('\n');
    out
}

fn write(out: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let path = out.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::File::create(path)?.write_all(text.as_bytes())
}
