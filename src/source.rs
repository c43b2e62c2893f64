//! Positions in source text: line and column from byte offsets, and small
//! windows of a file for diagnostics.
//!
//! Exports are often minified onto one line of 100 KB or more, and miette
//! prints whole lines. A [`Snippet`] keeps only the lines around a span, and
//! for a long line only a window of it, so a report stays readable and the
//! file's text can be dropped as soon as its findings are extracted.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::ops::Range;
use std::sync::Arc;

/// Widest line kept whole in a snippet, in bytes.
const MAX_LINE: usize = 160;
/// Bytes kept on each side of a span on a long line.
const WINDOW_SIDE: usize = 60;
/// Longest stretch of a span shown.
const MAX_SPAN: usize = 200;

/// A file's text and name, with its line index built on first use: most
/// files have nothing to locate.
pub(crate) struct SourceText<'t> {
    pub(crate) name: &'t str,
    pub(crate) text: &'t str,
    index: std::cell::OnceCell<LineIndex>,
}

impl<'t> SourceText<'t> {
    pub(crate) fn new(name: &'t str, text: &'t str) -> Self {
        SourceText {
            name,
            text,
            index: std::cell::OnceCell::new(),
        }
    }

    pub(crate) fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.text))
    }
}

/// A file as reports may show it: its text with every secret found in it
/// masked byte for byte (so offsets, lines and columns are those of
/// `source`).
pub(crate) struct Shown<'a> {
    pub source: &'a SourceText<'a>,
    pub text: &'a str,
}

/// Byte offsets of line starts.
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    /// (0-based line, offset, column) of the last [`LineIndex::position`]:
    /// the next one on the same line further on counts from there, so
    /// locating many things along one long line in order costs the line
    /// once.
    last: std::cell::Cell<Option<(usize, usize, usize)>>,
}

/// A 1-based line and column (column counted in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            last: std::cell::Cell::new(None),
        }
    }

    /// 0-based line holding `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// End of a line, without its line break.
    pub(crate) fn line_end(&self, text: &str, line: usize) -> usize {
        let end = self.starts.get(line + 1).map_or(text.len(), |s| s - 1);
        if end > self.starts[line] && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end - 1
        } else {
            end
        }
    }

    /// 1-based line and character column of `offset`.
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let (from, col) = match self.last.get() {
            Some((l, o, c)) if l == line && o <= offset => (o, c),
            _ => (self.starts[line], 1),
        };
        let column = col + text[from..offset].chars().count();
        self.last.set(Some((line, offset, column)));
        Position {
            line: line + 1,
            column,
        }
    }
}

impl LineIndex {
    /// Positions of many offsets in one pass over the text: offsets are
    /// visited in sorted order and columns counted on from the previous
    /// offset on the same line, so no stretch of a long line is counted
    /// twice. The result is in the order of `offsets`.
    pub(crate) fn positions(&self, text: &str, offsets: &[usize]) -> Vec<Position> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&i| offsets[i]);
        let mut out = vec![Position { line: 1, column: 1 }; offsets.len()];
        // (line, offset, column) of the last position computed.
        let mut last: Option<(usize, usize, usize)> = None;
        for i in order {
            let offset = floor_char(text, offsets[i].min(text.len()));
            let line = self.line_of(offset);
            let (from, col) = match last {
                Some((l, o, c)) if l == line => (o, c),
                _ => (self.starts[line], 1),
            };
            let column = col + text[from..offset].chars().count();
            last = Some((line, offset, column));
            out[i] = Position {
                line: line + 1,
                column,
            };
        }
        out
    }
}

/// [`LineIndex::positions`] without an index: one pass over the text up
/// to the last offset, counting line breaks on the way. For reports that
/// show no snippet, building the index of a whole file (a push per line)
/// cost more than locating its few findings.
pub(crate) fn positions(text: &str, offsets: &[usize]) -> Vec<Position> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![Position { line: 1, column: 1 }; offsets.len()];
    // 0-based line and where it starts, as far as the text is read; the
    // offset and column last computed.
    let (mut line, mut line_start, mut read) = (0, 0, 0);
    let (mut last, mut column) = (0, 1);
    for i in order {
        let offset = floor_char(text, offsets[i].min(text.len()));
        let stretch = &text.as_bytes()[read..offset];
        if let Some(nl) = memchr::memrchr(b'\n', stretch) {
            line += 1 + memchr::memchr_iter(b'\n', &stretch[..nl]).count();
            line_start = read + nl + 1;
        }
        read = offset;
        let (from, col) = match last >= line_start {
            true => (last, column),
            false => (line_start, 1),
        };
        column = col + text[from..offset].chars().count();
        last = offset;
        out[i] = Position {
            line: line + 1,
            column,
        };
    }
    out
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A window of a file around one span, able to stand in for the whole file
/// when miette renders the span. The text is shared: the snippets of one
/// file keep one [`Excerpt`] of the windows they show, so many findings on
/// one long line cost the line once, not once each.
#[derive(Clone, Debug)]
pub struct Snippet {
    excerpt: Arc<Excerpt>,
    /// This window's text in the excerpt: contiguous bytes of the file,
    /// with control characters made visible.
    window: Range<usize>,
    /// File offset of the window's first byte.
    base: usize,
    /// 0-based line and character column of the window's first byte.
    line: usize,
    column: usize,
    /// The span as shown (clipped to the window), in file offsets up to the
    /// window and offsets of the visible window after it.
    span: Range<usize>,
    /// Whether the window cut a line short (what the tests check).
    #[cfg(test)]
    clipped: bool,
}

/// The windows of one file that snippets show, merged where they overlap,
/// made visible and stored once.
#[derive(Debug)]
struct Excerpt {
    /// The file's name, made visible.
    name: String,
    text: String,
}

/// Where a snippet's window lies in the file, before its text is taken.
struct Window {
    /// File offsets of the window.
    from: usize,
    to: usize,
    /// File offsets of the span shown (clipped to at most [`MAX_SPAN`]).
    start: usize,
    end: usize,
    line: usize,
    column: usize,
    #[cfg(test)]
    clipped: bool,
}

impl Window {
    /// The window of `text` around `span`, whose start is at `start_at`.
    fn of(text: &str, index: &LineIndex, span: Range<usize>, start_at: Position) -> Window {
        let start = floor_char(text, span.start.min(text.len()));
        let mut end = ceil_char(text, span.end.clamp(start, text.len()));
        if end - start > MAX_SPAN {
            end = ceil_char(text, start + MAX_SPAN);
        }
        let first = index.line_of(start);
        let last = index.line_of(end.saturating_sub(1).max(start));
        let long = (first..=last).any(|l| index.line_end(text, l) - index.line_start(l) > MAX_LINE);
        let (from, to) = if long {
            let from = floor_char(
                text,
                start
                    .saturating_sub(WINDOW_SIDE)
                    .max(index.line_start(first)),
            );
            let to = ceil_char(text, (end + WINDOW_SIDE).min(index.line_end(text, last)));
            (from, to)
        } else {
            // Whole lines, with one line of context each side when short.
            let before = first
                .checked_sub(1)
                .filter(|l| index.line_end(text, *l) - index.line_start(*l) <= MAX_LINE)
                .unwrap_or(first);
            let after = Some(last + 1)
                .filter(|l| *l < index.starts.len())
                .filter(|l| index.line_end(text, *l) - index.line_start(*l) <= MAX_LINE)
                .unwrap_or(last);
            (index.line_start(before), index.line_end(text, after))
        };
        let line = index.line_of(from);
        let column = if line == first {
            (start_at.column - 1).saturating_sub(text[from..start].chars().count())
        } else {
            0
        };
        Window {
            from,
            to,
            start,
            end,
            line,
            column,
            #[cfg(test)]
            clipped: long,
        }
    }
}

impl Snippet {
    /// Builds the window of `text` around the file span `span`.
    pub(crate) fn new(name: &str, text: &str, index: &LineIndex, span: Range<usize>) -> Self {
        let at = index.position(text, span.start);
        let mut one = Snippet::many(name, text, index, &[(span, at)]);
        one.pop().unwrap_or_else(|| Snippet::empty(name))
    }

    /// The snippets of many spans of one file (each with the position of
    /// its start), sharing one excerpt of the windows they show.
    pub(crate) fn many(
        name: &str,
        text: &str,
        index: &LineIndex,
        spans: &[(Range<usize>, Position)],
    ) -> Vec<Snippet> {
        let windows: Vec<Window> = spans
            .iter()
            .map(|(span, at)| Window::of(text, index, span.clone(), *at))
            .collect();
        // The windows' union, as disjoint ranges in file order.
        let mut ranges: Vec<(usize, usize)> = windows.iter().map(|w| (w.from, w.to)).collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (from, to) in ranges {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        // Control characters are shown as visible stand-ins, one character
        // each (see `escape`), so lines and columns are unchanged; offsets
        // move with the bytes they add.
        let mut excerpt = String::new();
        let mut placed: Vec<(usize, crate::escape::OffsetShift)> = Vec::with_capacity(merged.len());
        for &(from, to) in &merged {
            let (visible, shift) = crate::escape::visible_layout(&text[from..to]);
            placed.push((excerpt.len(), shift));
            excerpt.push_str(&visible);
        }
        let excerpt = Arc::new(Excerpt {
            name: crate::escape::visible(name).into_owned(),
            text: excerpt,
        });
        windows
            .into_iter()
            .map(|w| {
                let i = merged.partition_point(|m| m.1 < w.to).min(merged.len() - 1);
                let (m_from, (at, shift)) = (merged[i].0, &placed[i]);
                let visible = |offset: usize| at + shift.map(offset - m_from);
                let (from_v, to_v) = (visible(w.from), visible(w.to));
                Snippet {
                    excerpt: Arc::clone(&excerpt),
                    window: from_v..to_v,
                    base: w.from,
                    line: w.line,
                    column: w.column,
                    span: w.from + visible(w.start) - from_v..w.from + visible(w.end) - from_v,
                    #[cfg(test)]
                    clipped: w.clipped,
                }
            })
            .collect()
    }

    fn empty(name: &str) -> Snippet {
        Snippet {
            excerpt: Arc::new(Excerpt {
                name: crate::escape::visible(name).into_owned(),
                text: String::new(),
            }),
            window: 0..0,
            base: 0,
            line: 0,
            column: 0,
            span: 0..0,
            #[cfg(test)]
            clipped: false,
        }
    }

    /// The window's visible text.
    fn text(&self) -> &str {
        &self.excerpt.text[self.window.clone()]
    }

    /// The span to label, clipped to what the window shows.
    pub(crate) fn span(&self) -> SourceSpan {
        (self.span.start, self.span.end - self.span.start).into()
    }

    #[cfg(test)]
    pub(crate) fn clipped(&self) -> bool {
        self.clipped
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text();
        let rel_start = span.offset().saturating_sub(self.base).min(text.len());
        let rel_end = (span.offset() + span.len())
            .saturating_sub(self.base)
            .clamp(rel_start, text.len());
        let name = self.excerpt.name.clone();
        if context_lines_before == 0 && context_lines_after == 0 {
            // miette asks for the label alone to print `file:line:col`.
            let before = &text[..floor_char(text, rel_start)];
            let newlines = before.matches('\n').count();
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let mut column = before[line_start..].chars().count();
            if newlines == 0 {
                column += self.column;
            }
            return Ok(Box::new(MietteSpanContents::new_named(
                name,
                &text.as_bytes()[rel_start..rel_end],
                *span,
                self.line + newlines,
                column,
                1,
            )));
        }
        let line_count = text.matches('\n').count() + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            name,
            text.as_bytes(),
            (self.base, text.len()).into(),
            self.line,
            self.column,
            line_count,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\n\"ééé\": \"x\"\r\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), Position { line: 2, column: 9 });
        assert_eq!(
            idx.position(text, text.len()),
            Position { line: 3, column: 5 }
        );
        assert_eq!(idx.line_end(text, 1), text.find('\r').unwrap());
    }

    #[test]
    fn positions_in_one_pass_match_one_at_a_time() {
        let text = "{\"é\": \"ab\",\n  \"ü\": [\"x\", \"yé\", \"z\"]}\r\nend";
        let idx = LineIndex::new(text);
        // Unsorted, repeated, mid-character and out-of-range offsets.
        let offsets = [30, 0, 3, 3, 14, 2, text.len() + 5, 21, 9];
        let many = idx.positions(text, &offsets);
        let one: Vec<Position> = offsets.iter().map(|&o| idx.position(text, o)).collect();
        assert_eq!(many, one);
        assert_eq!(positions(text, &offsets), one);
    }

    #[test]
    fn positions_without_an_index_agree_with_the_index() {
        let pieces = ["\n", "\r\n", "a", "é", "\"", " ", "😀"];
        let mut lcg = crate::testing::Lcg(0x2545_f491);
        for _ in 0..2_000 {
            let text = lcg.text(&pieces, 40);
            let offsets: Vec<usize> = (0..lcg.below(8))
                .map(|_| lcg.below(text.len() + 3))
                .collect();
            let idx = LineIndex::new(&text);
            assert_eq!(
                positions(&text, &offsets),
                idx.positions(&text, &offsets),
                "{text:?} {offsets:?}"
            );
        }
    }

    #[test]
    fn long_lines_are_windowed() {
        let text = format!(
            "{{\"pad\":\"{}\",\"k\":\"Basic user:pass\"}}",
            "y".repeat(100_000)
        );
        let idx = LineIndex::new(&text);
        let at = text.find("user:pass").unwrap();
        let s = Snippet::new("f.json", &text, &idx, at..at + 9);
        assert!(s.clipped());
        assert!(s.text().len() < 200, "{}", s.text().len());
        assert!(s.text().contains("Basic user:pass"));
        let contents = s.read_span(&s.span(), 0, 0).unwrap();
        assert_eq!(contents.line(), 0);
        assert_eq!(contents.column() + 1, idx.position(&text, at).column);
    }

    #[test]
    fn short_lines_keep_context() {
        let text = "{\n  \"a\": 1,\n  \"m\": \"HEAD\",\n  \"z\": 2\n}";
        let idx = LineIndex::new(text);
        let at = text.find("HEAD").unwrap();
        let s = Snippet::new("f.json", text, &idx, at..at + 4);
        assert!(!s.clipped());
        assert_eq!(s.text(), "  \"a\": 1,\n  \"m\": \"HEAD\",\n  \"z\": 2");
        let c = s.read_span(&s.span(), 0, 0).unwrap();
        assert_eq!((c.line(), c.column()), (2, 8));
    }

    #[test]
    fn control_characters_are_shown_without_moving_columns() {
        let text = "{\"a\": \"\u{1b}[31m\r\", \"b\": HEAD}\r\n";
        let idx = LineIndex::new(text);
        let at = text.find("HEAD").unwrap();
        let s = Snippet::new("f\u{1b}.json", text, &idx, at..at + 4);
        assert_eq!(s.excerpt.name, "f\u{241b}.json");
        assert_eq!(
            s.text(),
            "{\"a\": \"\u{241b}[31m\u{240d}\", \"b\": HEAD}\r\n"
        );
        let c = s.read_span(&s.span(), 0, 0).unwrap();
        assert_eq!(c.column() + 1, idx.position(text, at).column);
        assert_eq!(std::str::from_utf8(c.data()).unwrap(), "HEAD");
    }
}
