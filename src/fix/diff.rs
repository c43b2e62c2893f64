//! `--diff`: what `--fix` would change, as a unified diff that `patch -p1`
//! applies. A fix edits bytes inside one string or key and never writes a
//! line break (JSON strings hold none), so a file keeps its lines and line
//! `i` of the old text is line `i` of the new one.
//!
//! A line that holds a secret is never shown: a fix is not offered on such
//! a line (see `FindingBuilder::fix`), and as context a hunk stops short of
//! it.

/// Lines of context around a change.
const CONTEXT: usize = 3;

/// The unified diff from `old` to `new` (which have the same number of
/// lines) of the file called `name`; `secret_lines` (0-based) are never
/// shown. Empty when nothing changed.
pub(crate) fn unified(name: &str, old: &str, new: &str, secret_lines: &[usize]) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let changed: Vec<usize> = (0..old_lines.len().min(new_lines.len()))
        .filter(|&i| old_lines[i] != new_lines[i])
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let path = header_path(name);
    // A name with a space ends with a tab, as `diff -u` writes it, so that
    // `patch` reads all of it.
    let end = if path.contains(' ') { "\t" } else { "" };
    let mut out = format!("--- a/{path}{end}\n+++ b/{path}{end}\n");
    let shown = |i: usize| secret_lines.binary_search(&i).is_err();
    for hunk in hunks(&changed, old_lines.len(), &shown) {
        out.push_str(&format!(
            "@@ -{start},{len} +{start},{len} @@\n",
            start = hunk.start + 1,
            len = hunk.len()
        ));
        for i in hunk {
            if changed.binary_search(&i).is_ok() {
                push_line(&mut out, '-', old_lines[i]);
                push_line(&mut out, '+', new_lines[i]);
            } else {
                push_line(&mut out, ' ', old_lines[i]);
            }
        }
    }
    out
}

/// The file's name as the diff's header gives it: `patch -p1` strips the
/// `a/`, so `.` and `dir/..` steps are taken out (patch refuses names with
/// `..` in them) and an absolute path is taken from `/`; a control
/// character is shown, never written (it could start a line of its own).
fn header_path(name: &str) -> String {
    let root = if name.starts_with('/') { "/" } else { "" };
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        // `link/..` is where the link leads, up one: not a step to take out.
        let through_link = || {
            let here = format!("{root}{}", parts.join("/"));
            std::fs::symlink_metadata(here).is_ok_and(|m| m.file_type().is_symlink())
        };
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") && !through_link() => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    crate::escape::visible(&parts.join("/")).into_owned()
}

/// The line ranges of the hunks: each changed line with up to [`CONTEXT`]
/// shown lines on either side, joined where they would touch.
fn hunks(
    changed: &[usize],
    lines: usize,
    shown: &dyn Fn(usize) -> bool,
) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for &c in changed {
        let mut start = c;
        while start > 0 && c - start < CONTEXT && shown(start - 1) {
            start -= 1;
        }
        let mut end = c + 1;
        while end < lines && end - c - 1 < CONTEXT && shown(end) {
            end += 1;
        }
        match out.last_mut() {
            // Joined when the context reaches the last hunk.
            Some(last) if start <= last.end => last.end = end.max(last.end),
            _ => out.push(start..end),
        }
    }
    out
}

/// One line of a hunk; a last line without a line break gets the marker
/// `patch` expects.
fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_line_file_is_one_hunk_and_says_it_has_no_newline() {
        let d = unified("./s.json", r#"{"a": "x"}"#, r#"{"a": "y"}"#, &[]);
        assert_eq!(
            d,
            "--- a/s.json\n+++ b/s.json\n@@ -1,1 +1,1 @@\n-{\"a\": \"x\"}\n\\ No newline at end of file\n+{\"a\": \"y\"}\n\\ No newline at end of file\n"
        );
        assert_eq!(unified("s", "a\n", "a\n", &[]), "");
    }

    #[test]
    fn header_names_are_what_patch_reads() {
        assert_eq!(header_path("./stories/./deep/../a.json"), "stories/a.json");
        assert_eq!(header_path("/abs/x.json"), "abs/x.json");
        assert_eq!(header_path("../up.json"), "../up.json");
        assert!(!header_path("a\nb.json").contains('\n'));
        let d = unified("my story.json", "x\n", "y\n", &[]);
        assert!(
            d.starts_with("--- a/my story.json\t\n+++ b/my story.json\t\n"),
            "{d}"
        );
    }

    #[test]
    fn context_stops_at_a_secret_and_near_changes_share_a_hunk() {
        let old: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let new = old
            .replace("l5\n", "L5\n")
            .replace("l9\n", "L9\n")
            .replace("l18\n", "L18\n");
        let d = unified("f", &old, &new, &[3]);
        // Line 3 (0-based) holds a secret: the first hunk starts after it.
        assert!(d.contains("@@ -5,9 +5,9 @@\n l4\n-l5\n+L5\n"), "{d}");
        assert!(!d.contains("l3"), "{d}");
        assert!(d.contains("@@ -16,5 +16,5 @@\n l15\n"), "{d}");
    }
}
