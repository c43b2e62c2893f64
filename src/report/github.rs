//! `--format github`: GitHub Actions workflow commands, which the runner
//! turns into annotations on the pull request, one per finding and per
//! problem with an input or rule file, then the summary line as plain log
//! text.
//!
//! ```text
//! ::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=storylint(RULE)::MESSAGE
//! ```
//!
//! Findings map to `::error`, `::warning` and `::notice` by severity; input
//! and rule file errors are `::error` (located when the problem is); other
//! notes on inputs follow their severity (`::warning`, or `::notice` for
//! advice), except that a JSON file that is not an export (such as
//! `package.json`) is only a `::notice`, so that it cannot crowd real
//! findings out of GitHub's per-step annotation limit. Columns count characters, as everywhere in storylint. GitHub
//! takes no column for an annotation spanning lines, so those carry lines
//! only.
//!
//! Escaping follows the runner: in the message `%`, `\r`, `\n` become
//! `%25`, `%0D`, `%0A`; in property values `:` and `,` also become `%3A`
//! and `%2C`. Every other control character (and every invisible
//! formatting character) from a file name or a message is shown as its
//! visible stand-in (`␛`, `␇` ..., see [`super::escape`]), never raw: the
//! runner would pass it on to the log viewer.

use super::{Report, Workspace};
use crate::error::{InputWarningKind, Problem, ProblemKind};
use crate::finding::Finding;
use crate::severity::Severity;
use std::io::{self, Write};

pub(crate) fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let ws = Workspace::current();
    for e in &report.rule_errors {
        problem(&ws, out, "error", e)?;
    }
    for e in &report.config_problems {
        let command = match e.kind.severity() {
            Severity::Error => "error",
            _ => "warning",
        };
        problem(&ws, out, command, e)?;
    }
    for file in &report.files {
        for e in &file.errors {
            problem(&ws, out, "error", e)?;
        }
        // Warnings and findings in file order, as the human format has them.
        let mut items: Vec<(usize, Item)> = file
            .warnings
            .iter()
            .map(|w| {
                (
                    w.location.as_ref().map_or(0, |l| l.span.start),
                    Item::Warning(w),
                )
            })
            .chain(
                file.findings
                    .iter()
                    .map(|f| (f.span.start, Item::Finding(f))),
            )
            .collect();
        items.sort_by_key(|(at, _)| *at);
        for (_, item) in items {
            match item {
                Item::Warning(w) => {
                    let command = match (w.kind, w.kind.severity()) {
                        (InputWarningKind::NotAnExport, _) => "notice",
                        (_, Severity::Error) => "error",
                        (_, Severity::Warning) => "warning",
                        (_, Severity::Info) => "notice",
                    };
                    problem(&ws, out, command, w)?;
                }
                Item::Finding(f) => finding(&ws, report, out, f)?,
            }
        }
    }
    writeln!(out, "{}", super::human::summary_line(report))
}

enum Item<'a> {
    Warning(&'a crate::error::InputWarning),
    Finding(&'a Finding),
}

fn finding(ws: &Workspace, report: &Report, out: &mut dyn Write, f: &Finding) -> io::Result<()> {
    let rule = &report.rules.rules[f.rule];
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = vec![
        ("file", path(ws, &f.file)),
        ("line", f.start.line.to_string()),
    ];
    if f.start.line == f.end.line {
        props.push(("col", f.start.column.to_string()));
        props.push(("endLine", f.end.line.to_string()));
        props.push(("endColumn", f.end.column.to_string()));
    } else {
        props.push(("endLine", f.end.line.to_string()));
    }
    props.push(("title", format!("storylint({})", rule.id)));
    let mut message = f.message.to_string();
    let suggestion = f
        .suggestion
        .as_ref()
        .map(|s| format!("did you mean `{s}`?"));
    let help = match (suggestion, &rule.help) {
        (Some(s), Some(h)) => Some(format!("{s} {h}")),
        (s, h) => s.or_else(|| h.clone()),
    };
    if let Some(help) = help {
        message.push_str("\nhelp: ");
        message.push_str(&help);
    }
    command_line(out, command, &props, &message)
}

fn problem<K: ProblemKind>(
    ws: &Workspace,
    out: &mut dyn Write,
    command: &str,
    p: &Problem<K>,
) -> io::Result<()> {
    let mut props = vec![("file", path(ws, &p.file))];
    if let Some(loc) = &p.location {
        props.push(("line", loc.start.line.to_string()));
        props.push(("col", loc.start.column.to_string()));
    }
    props.push(("title", format!("storylint({})", p.kind.code())));
    let mut message = p.message.clone();
    if let Some(help) = &p.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    command_line(out, command, &props, &message)
}

/// The file as GitHub matches it against the repository: relative to the
/// workspace (the current directory) when it is under it, with forward
/// slashes and without a leading `./` (see [`Workspace::relative`]).
fn path(ws: &Workspace, file: &str) -> String {
    ws.relative(file)
}

fn command_line(
    out: &mut dyn Write,
    command: &str,
    props: &[(&str, String)],
    message: &str,
) -> io::Result<()> {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    writeln!(
        out,
        "::{command} {}::{}",
        props.join(","),
        escape_data(message)
    )
}

/// Escapes a workflow command's message.
pub(crate) fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(crate::escape::picture(c).unwrap_or(c)),
        }
    }
    out
}

/// Escapes a workflow command's property value.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_runner() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
        // `%` first, so an escape is never escaped twice.
        assert_eq!(escape_data("%0A"), "%250A");
        // Other control and formatting characters are shown, not passed on.
        assert_eq!(
            escape_data("a\u{1b}[31m\u{7}\t\u{0}\u{7f}\u{9b}\u{202e}b"),
            "a\u{241b}[31m\u{2407}\u{2409}\u{2400}\u{2421}\u{FFFD}\u{FFFD}b"
        );
        assert_eq!(escape_property("x\u{1b}:y"), "x\u{241b}%3Ay");
    }

    #[test]
    fn paths_are_relative_to_the_workspace() {
        let ws = Workspace::current();
        assert_eq!(path(&ws, "./a/b.json"), "a/b.json");
        assert_eq!(path(&ws, "a/./b.json"), "a/./b.json");
        let inside = std::env::current_dir().unwrap().join("s").join("x.json");
        assert_eq!(path(&ws, inside.to_str().unwrap()), "s/x.json");
    }
}
