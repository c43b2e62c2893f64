//! `--format junit`: JUnit XML for CI systems that show test reports.
//!
//! One `<testsuite>` per input (named after the file) and per rule file
//! with problems. Each finding is a `<testcase classname="storylint.RULE"
//! name="FILE:LINE:COL">` holding a `<failure>` whose text gives the
//! pointer, the action and the rule's help. A finding at or above the
//! `--fail-on` severity is a failure; one below it (an info note, by
//! default) passes, with the same text in `<system-out>`, so that the test
//! view agrees with the exit code. An
//! input or rule file that could not be used is a testcase with an
//! `<error>`; a JSON file that is not an export is a `<skipped>` testcase
//! (named `FILE:LINE:COL` too: the place that makes it no export);
//! and a file with nothing to report gets one passing testcase, so that
//! CI lists it.
//!
//! Text is escaped for XML (`& < > " '`; line breaks everywhere, and tabs
//! in attributes, as character references so parsers keep them), and
//! characters XML 1.0 does not allow (control characters other than tab,
//! line feed and carriage return, U+FFFE, U+FFFF) are removed. Since no
//! line break is written raw except between elements, every line of the
//! report starts with markup: text from an input (a file or action name
//! such as `x\n::error file=a::b`) can never begin a line that a CI system
//! (GitHub Actions reads every line a step prints for `::` workflow
//! commands) would take for a command.
//!
//! Findings set aside by a directive, the configuration or a baseline are
//! not testcases; a file's suite counts them in `<properties>`
//! (`storylint.suppressed`, and `storylint.suppressed.directive`,
//! `.config`, `.baseline` for each source with any).

use super::Report;
use crate::error::{InputWarningKind, Problem, ProblemKind};
use crate::finding::SuppressedBy;
use crate::finding::{FileReport, Finding};
use crate::severity::Severity;
use std::fmt::Write as _;
use std::io::{self, Write};

/// One `<testcase>`.
struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

enum Outcome {
    Pass,
    /// Passes, with a note.
    Note {
        text: String,
    },
    Failure {
        kind: String,
        message: String,
        text: String,
    },
    Error {
        kind: String,
        message: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

/// One `<testsuite>`.
struct Suite {
    name: String,
    cases: Vec<Case>,
    /// `<properties>`: name and value.
    properties: Vec<(String, String)>,
    /// Notes for `<system-out>`.
    out: Vec<String>,
}

impl Suite {
    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.cases.iter().filter(|c| f(&c.outcome)).count()
    }
}

/// Writes the JUnit document. The totals come first, counted without
/// building any test case; then each suite is built, written and dropped
/// in turn, so that a large run never holds the whole document.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let problems = problem_suites(report);
    let mut total = Counts::default();
    for suite in &problems {
        total.add(suite.counts());
    }
    for file in &report.files {
        total.add(file_counts(file, report.fail_on));
    }
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"storylint\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        total.tests, total.failures, total.errors, total.skipped
    );
    for suite in &problems {
        write_suite(&mut xml, suite);
    }
    out.write_all(xml.as_bytes())?;
    for file in &report.files {
        // The suite without its findings, whose cases are written one by
        // one after the others.
        let suite = file_suite(report, file, false);
        xml.clear();
        write_suite_head(&mut xml, &suite, file_counts(file, report.fail_on));
        for case in &suite.cases {
            write_case(&mut xml, case);
        }
        out.write_all(xml.as_bytes())?;
        for f in &file.findings {
            xml.clear();
            write_case(&mut xml, &finding_case(report, f));
            out.write_all(xml.as_bytes())?;
        }
        xml.clear();
        write_suite_tail(&mut xml, &suite);
        out.write_all(xml.as_bytes())?;
    }
    out.write_all(b"</testsuites>\n")
}

/// How many test cases a suite has, by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }
}

impl Suite {
    fn counts(&self) -> Counts {
        Counts {
            tests: self.cases.len(),
            failures: self.count(|o| matches!(o, Outcome::Failure { .. })),
            errors: self.count(|o| matches!(o, Outcome::Error { .. })),
            skipped: self.count(|o| matches!(o, Outcome::Skipped { .. })),
        }
    }
}

/// The counts of [`file_suite`]'s suite for `file`, without building it.
fn file_counts(file: &FileReport, fail_on: Severity) -> Counts {
    let skipped = file
        .warnings
        .iter()
        .filter(|w| w.kind == InputWarningKind::NotAnExport)
        .count();
    let c = Counts {
        tests: file.errors.len() + skipped + file.findings.len(),
        failures: file
            .findings
            .iter()
            .filter(|f| f.severity >= fail_on)
            .count(),
        errors: file.errors.len(),
        skipped,
    };
    // A file with nothing to say is one passing case.
    if c.tests == 0 {
        Counts { tests: 1, ..c }
    } else {
        c
    }
}

/// One suite per rule file and configuration file with errors.
fn problem_suites(report: &Report) -> Vec<Suite> {
    let mut suites: Vec<Suite> = Vec::new();
    let rule_errors = report
        .rule_errors
        .iter()
        .map(|e| (&e.file, error_case("storylint.rules", e)));
    let config_errors = report
        .config_problems
        .iter()
        .filter(|e| e.kind.severity() == Severity::Error)
        .map(|e| (&e.file, error_case("storylint.config", e)));
    for (file, case) in rule_errors.chain(config_errors) {
        match suites.last_mut() {
            Some(s) if &s.name == file => s.cases.push(case),
            _ => suites.push(Suite {
                name: file.clone(),
                cases: vec![case],
                properties: Vec::new(),
                out: Vec::new(),
            }),
        }
    }
    suites
}

/// The suite of `file`; its findings' cases only `with_findings`.
fn file_suite(report: &Report, file: &FileReport, with_findings: bool) -> Suite {
    let mut suite = Suite {
        name: file.file.clone(),
        cases: Vec::new(),
        properties: suppressed_properties(file),
        out: Vec::new(),
    };
    for e in &file.errors {
        suite.cases.push(error_case("storylint.input", e));
    }
    for w in &file.warnings {
        match w.kind {
            InputWarningKind::NotAnExport => suite.cases.push(Case {
                classname: "storylint".into(),
                // Where it says so: `agents` that is not an array has a place.
                name: location_name(w),
                outcome: Outcome::Skipped {
                    message: w.message.clone(),
                },
            }),
            _ => suite.out.push(format!(
                "{}: warning[{}]: {}",
                location_name(w),
                w.kind.code(),
                w.message
            )),
        }
    }
    if with_findings {
        for f in &file.findings {
            suite.cases.push(finding_case(report, f));
        }
    }
    if suite.cases.is_empty() && file.findings.is_empty() {
        suite.cases.push(Case {
            classname: "storylint".into(),
            name: file.file.clone(),
            outcome: Outcome::Pass,
        });
    }
    suite
}

/// `storylint.suppressed` (the number of the file's findings set aside)
/// and, per source with any, `storylint.suppressed.directive`, `.config`
/// and `.baseline`; nothing when no finding was set aside.
fn suppressed_properties(file: &FileReport) -> Vec<(String, String)> {
    if file.suppressed.is_empty() {
        return Vec::new();
    }
    let mut properties = vec![(
        "storylint.suppressed".to_string(),
        file.suppressed.len().to_string(),
    )];
    for (by, name) in [
        (SuppressedBy::Directive, "directive"),
        (SuppressedBy::Config, "config"),
        (SuppressedBy::Baseline, "baseline"),
    ] {
        let n = file.suppressed.iter().filter(|s| s.by == by).count();
        if n > 0 {
            properties.push((format!("storylint.suppressed.{name}"), n.to_string()));
        }
    }
    properties
}

fn finding_case(report: &Report, f: &Finding) -> Case {
    let rule = &report.rules.rules[f.rule];
    let mut text = format!(
        "{}:{}:{}: {}[{}]: {}\npointer: {}\n",
        f.file,
        f.start.line,
        f.start.column,
        f.severity,
        rule.id,
        f.message,
        f.pointer()
    );
    if let Some(a) = &f.action {
        let name = a
            .name()
            .map_or_else(|| "(unnamed)".to_string(), |n| format!("\"{n}\""));
        let ty = a.action_type.as_deref().unwrap_or("no type");
        let _ = write!(text, "action: {name} ({ty})");
        if let Some(guid) = a.guid() {
            let _ = write!(text, ", guid {guid}");
        }
        text.push('\n');
    }
    if let Some(s) = &f.suggestion {
        let _ = writeln!(text, "suggestion: {s}");
    }
    if let Some(h) = &rule.help {
        let _ = writeln!(text, "help: {h}");
    }
    let outcome = if f.severity >= report.fail_on {
        Outcome::Failure {
            kind: rule.id.clone(),
            message: f.message.to_string(),
            text,
        }
    } else {
        Outcome::Note { text }
    };
    Case {
        classname: format!("storylint.{}", rule.id),
        name: format!("{}:{}:{}", f.file, f.start.line, f.start.column),
        outcome,
    }
}

/// `FILE:LINE:COL` when the problem is located, else `FILE`.
fn location_name<K: ProblemKind>(p: &Problem<K>) -> String {
    match &p.location {
        Some(l) => format!("{}:{}:{}", p.file, l.start.line, l.start.column),
        None => p.file.clone(),
    }
}

fn error_case<K: ProblemKind>(classname: &str, p: &Problem<K>) -> Case {
    let name = location_name(p);
    let mut text = format!("{name}: error[{}]: {}\n", p.kind.code(), p.message);
    if let Some(h) = &p.help {
        let _ = writeln!(text, "help: {h}");
    }
    Case {
        classname: classname.into(),
        name,
        outcome: Outcome::Error {
            kind: p.kind.code().into(),
            message: p.message.clone(),
            text,
        },
    }
}

fn write_suite(xml: &mut String, suite: &Suite) {
    write_suite_head(xml, suite, suite.counts());
    for case in &suite.cases {
        write_case(xml, case);
    }
    write_suite_tail(xml, suite);
}

/// The `<testsuite>` element's start, with `counts`, and its properties.
fn write_suite_head(xml: &mut String, suite: &Suite, c: Counts) {
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        attr(&suite.name),
        c.tests,
        c.failures,
        c.errors,
        c.skipped,
    );
    if !suite.properties.is_empty() {
        xml.push_str("    <properties>\n");
        for (name, value) in &suite.properties {
            let _ = writeln!(
                xml,
                "      <property name=\"{}\" value=\"{}\"/>",
                attr(name),
                attr(value)
            );
        }
        xml.push_str("    </properties>\n");
    }
}

fn write_case(xml: &mut String, case: &Case) {
    let open = format!(
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(&case.classname),
        attr(&case.name)
    );
    match &case.outcome {
        Outcome::Pass => {
            let _ = writeln!(xml, "{open}/>");
        }
        Outcome::Note { text } => {
            let _ = writeln!(xml, "{open}>");
            let _ = writeln!(xml, "      <system-out>{}</system-out>", text_content(text));
            xml.push_str("    </testcase>\n");
        }
        Outcome::Skipped { message } => {
            let _ = writeln!(xml, "{open}>");
            let _ = writeln!(xml, "      <skipped message=\"{}\"/>", attr(message));
            xml.push_str("    </testcase>\n");
        }
        Outcome::Failure {
            kind,
            message,
            text,
        }
        | Outcome::Error {
            kind,
            message,
            text,
        } => {
            let element = match case.outcome {
                Outcome::Failure { .. } => "failure",
                _ => "error",
            };
            let _ = writeln!(xml, "{open}>");
            let _ = writeln!(
                xml,
                "      <{element} type=\"{}\" message=\"{}\">{}</{element}>",
                attr(kind),
                attr(message),
                text_content(text)
            );
            xml.push_str("    </testcase>\n");
        }
    }
}

/// The suite's notes and the end of its element.
fn write_suite_tail(xml: &mut String, suite: &Suite) {
    if !suite.out.is_empty() {
        let _ = writeln!(
            xml,
            "    <system-out>{}</system-out>",
            text_content(&(suite.out.join("\n") + "\n"))
        );
    }
    xml.push_str("  </testsuite>\n");
}

/// Whether XML 1.0 allows `c` in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn escape(s: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // A literal CR is read back as LF, and in an attribute any
            // line break or tab as a space: keep them as references. A
            // line feed is one in element content too, so that input text
            // never starts a line of the report.
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes `s` for an attribute value in double quotes.
pub(crate) fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes `s` for element content.
pub(crate) fn text_content(s: &str) -> String {
    escape(s, false)
}

#[cfg(test)]
mod tests {
    /// The totals are counted without building the suites; they must be
    /// what the suites hold.
    #[test]
    fn counted_totals_are_those_of_the_suites() {
        let (rules, _) = crate::rules::RuleSet::builtin();
        let inputs: [(&str, &[u8]); 5] = [
            ("clean.json", br#"{"agents": []}"#),
            ("bad.json", b"{\"agents\": ["),
            ("not.json", br#"{"name": "x"}"#),
            ("two.json", br#"[{"type": "Agents::HTTPRequestAgent", "options": {"method": "HEAD"}}, {"type": "Agents::HTTPRequestAgent", "options": {"method": "TRACE", "headers": "x"}}]"#),
            ("bom.json", b"\xef\xbb\xbf{\"agents\": []}"),
        ];
        let files: Vec<FileReport> = inputs
            .iter()
            .map(|(name, bytes)| crate::lint::lint_bytes(name, bytes.to_vec(), &rules))
            .collect();
        let report = Report::new(&rules, files, Vec::new(), Vec::new(), Vec::new());
        for file in &report.files {
            assert_eq!(
                file_counts(file, report.fail_on),
                file_suite(&report, file, true).counts(),
                "{}",
                file.file
            );
        }
    }

    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            attr("a & <b> \"c\" 'd'\u{1}\u{0}\u{1b}\u{FFFE}\n\te\r"),
            "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;&#10;&#9;e&#13;"
        );
        assert_eq!(text_content("x\ny\tz\u{7}"), "x&#10;y\tz");
        assert_eq!(text_content("snowman ☃ 𝄞"), "snowman ☃ 𝄞");
    }
}
