//! Text from inputs made safe to print on a terminal or in a CI log.
//!
//! A story export, a file name or a rule's message can hold control
//! characters: an escape sequence (`\u001b[31m`) would recolour or rewrite
//! the terminal, a carriage return would overwrite the line, and a line
//! break followed by `::error file=...` would be a workflow command to
//! GitHub Actions, which reads every line a step prints. Each control
//! character (C0, DEL and C1) is shown as one visible character instead:
//! the Unicode "control pictures" (`␛`, `␍`, `␊` ...) for C0 and DEL, and
//! U+FFFD for C1. So are the invisible characters that reorder or break
//! text (bidirectional embeddings, overrides, isolates and marks, and the
//! line and paragraph separators), shown as U+FFFD: they could make a
//! snippet or a message read differently from what it holds. One
//! character for one keeps columns, which are counted in characters,
//! where they were.
//!
//! A runner reads a line as a workflow command when it starts with `::`
//! after leading whitespace; in text made visible, such a line start has
//! its first colon shown as `∶` (U+2236), so text from a rule file or an
//! input never starts a command, wherever storylint places it.

use std::borrow::Cow;

/// The visible stand-in for a control character or an invisible
/// formatting character, or `None` for any other.
pub(crate) fn picture(c: char) -> Option<char> {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' => Some('\u{FFFD}'),
        // Bidirectional marks, embeddings, overrides and isolates; line
        // and paragraph separators.
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' => Some('\u{FFFD}'),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some('\u{FFFD}'),
        _ => None,
    }
}

/// What a colon that would start a workflow command is shown as.
pub(crate) const COMMAND_COLON: char = '\u{2236}';

/// `s` with every control and formatting character, line breaks and tabs
/// included, made visible: for text that must stay on one line.
pub(crate) fn visible(s: &str) -> Cow<'_, str> {
    visible_except(s, |_| false)
}

/// `s` with every control and formatting character but the line feed made
/// visible: for multi-line text storylint writes itself around input.
pub(crate) fn visible_lines(s: &str) -> Cow<'_, str> {
    visible_except(s, |c| c == '\n')
}

/// `s` with every control and formatting character but the line feed and
/// the tab made visible: for multi-line text whose layout matters, such as
/// a rule's JSON examples.
pub(crate) fn visible_block(s: &str) -> Cow<'_, str> {
    visible_except(s, |c| c == '\n' || c == '\t')
}

fn visible_except(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let shown = if s.chars().any(|c| !keep(c) && picture(c).is_some()) {
        Cow::Owned(
            s.chars()
                .map(|c| match picture(c) {
                    Some(p) if !keep(c) => p,
                    _ => c,
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    };
    match command_starts(&shown) {
        starts if starts.is_empty() => shown,
        starts => {
            let mut out = shown.into_owned();
            // From the end, so earlier offsets stay right.
            for at in starts.into_iter().rev() {
                out.replace_range(at..at + 1, COMMAND_COLON.encode_utf8(&mut [0; 4]));
            }
            Cow::Owned(out)
        }
    }
}

/// Byte offsets of the first colon of every line of `s` that starts, after
/// whitespace, with `::`: a workflow command to GitHub Actions.
fn command_starts(s: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in s.split_inclusive('\n') {
        let body = line.trim_start_matches(char::is_whitespace);
        if body.starts_with("::") {
            starts.push(line_start + (line.len() - body.len()));
        }
        line_start += line.len();
    }
    starts
}

/// A window of a file made visible for a snippet: line breaks (LF and
/// CRLF) and tabs keep the layout, every other control character is
/// replaced. Returns the text and a map from byte offsets in `s` to byte
/// offsets in it (replacements change byte lengths, not characters).
pub(crate) fn visible_layout(s: &str) -> (Cow<'_, str>, OffsetShift) {
    let bytes = s.as_bytes();
    let keep = |i: usize, c: char| match c {
        '\n' | '\t' => true,
        '\r' => bytes.get(i + 1) == Some(&b'\n'),
        _ => false,
    };
    let mut shifts = Vec::new();
    let mut grown = 0;
    let mut out: Option<String> = None;
    for (i, c) in s.char_indices() {
        match picture(c).filter(|_| !keep(i, c)) {
            Some(p) => {
                let out = out.get_or_insert_with(|| {
                    let mut o = String::with_capacity(s.len() + 8);
                    o.push_str(&s[..i]);
                    o
                });
                out.push(p);
                grown += p.len_utf8() as isize - c.len_utf8() as isize;
                shifts.push((i, grown));
            }
            None => {
                if let Some(out) = out.as_mut() {
                    out.push(c);
                }
            }
        }
    }
    let text = out.map_or(Cow::Borrowed(s), Cow::Owned);
    (text, OffsetShift { shifts })
}

/// Maps byte offsets in a text to those in its visible form.
#[derive(Clone, Debug, Default)]
pub(crate) struct OffsetShift {
    /// (offset of a replaced character, bytes the text grew by up to and
    /// including it), in order.
    shifts: Vec<(usize, isize)>,
}

impl OffsetShift {
    /// The offset in the visible text of offset `at` of the original.
    pub(crate) fn map(&self, at: usize) -> usize {
        let n = self.shifts.partition_point(|(i, _)| *i < at);
        let grown = n.checked_sub(1).map_or(0, |last| self.shifts[last].1);
        at.saturating_add_signed(grown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_one_visible_character_each() {
        assert_eq!(
            visible("a\u{1b}[31mb\rc\n::error\td\u{7f}\u{9b}"),
            "a\u{241b}[31mb\u{240d}c\u{240a}::error\u{2409}d\u{2421}\u{FFFD}"
        );
        assert!(matches!(visible("plain é ☃"), Cow::Borrowed(_)));
        assert_eq!(visible_lines("a\nb\rc"), "a\nb\u{240d}c");
        for s in ["\u{0}\u{1f}x", "tab\there", "\u{85}"] {
            assert_eq!(visible(s).chars().count(), s.chars().count());
            assert!(visible(s).chars().all(|c| picture(c).is_none()));
        }
    }

    #[test]
    fn bidirectional_and_invisible_formatting_characters_become_visible() {
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{2028}', '\u{2029}', '\u{061c}',
        ] {
            let s = format!("a{c}b");
            assert_eq!(visible(&s), "a\u{FFFD}b", "{:?}", c);
            assert_eq!(visible_lines(&s), "a\u{FFFD}b", "{:?}", c);
            let (shown, shift) = visible_layout(&s);
            assert_eq!(shown, "a\u{FFFD}b", "{:?}", c);
            assert_eq!(shift.map(s.len()), shown.len());
        }
        // Other non-ASCII text is left alone.
        assert!(matches!(visible("é ☃ \u{200b}x"), Cow::Borrowed(_)));
    }

    #[test]
    fn no_line_starts_a_workflow_command() {
        assert_eq!(visible("::error::x"), "\u{2236}:error::x");
        assert_eq!(visible("  ::warning a::b"), "  \u{2236}:warning a::b");
        assert_eq!(visible("a ::error::x"), "a ::error::x");
        // A line break made visible starts no line.
        assert_eq!(visible("a\n::error::x"), "a\u{240a}::error::x");
        assert_eq!(
            visible_lines("ok\n ::error::x\n\u{a0}::notice::y\n:: z"),
            "ok\n \u{2236}:error::x\n\u{a0}\u{2236}:notice::y\n\u{2236}: z"
        );
        assert_eq!(visible_block("{\n\t::x\n}"), "{\n\t\u{2236}:x\n}");
        assert!(matches!(visible_lines("a: b\nc::d"), Cow::Borrowed(_)));
        // One character for one.
        let s = "\t::error::x\n::y";
        assert_eq!(visible_lines(s).chars().count(), s.chars().count());
    }

    #[test]
    fn layouts_keep_line_breaks_and_tabs_and_map_offsets() {
        let s = "a\u{1b}b\r\n\tc\rd\u{85}e";
        let (shown, shift) = visible_layout(s);
        assert_eq!(shown, "a\u{241b}b\r\n\tc\u{240d}d\u{FFFD}e");
        // Every character boundary maps to the same character's boundary.
        let starts: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
        let shown_starts: Vec<usize> = shown.char_indices().map(|(i, _)| i).collect();
        let mapped: Vec<usize> = starts.iter().map(|i| shift.map(*i)).collect();
        assert_eq!(mapped, shown_starts);
        assert_eq!(shift.map(s.len()), shown.len());
        let (same, shift) = visible_layout("x\r\ny\tz");
        assert!(matches!(same, Cow::Borrowed(_)));
        assert_eq!(shift.map(4), 4);
    }
}
