//! Decoding JSON string literals while remembering where each decoded byte
//! came from, so a match inside the decoded text can be underlined in the
//! source even when the literal holds escapes such as `\u003c` or `\"`.

use std::borrow::Cow;
use std::ops::Range;

/// A decoded string and the map back to its source bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedStr<'t> {
    pub text: Cow<'t, str>,
    pub map: OffsetMap,
}

/// Maps offsets in a decoded string to byte offsets in the source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetMap {
    /// No escapes: decoded offset `d` is source offset `base + d`.
    Identity { base: usize },
    /// Escapes present: one segment per literal run or escape.
    Segments(Vec<Segment>),
}

/// A run of decoded bytes and the source bytes it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub decoded: u32,
    pub source: u32,
    pub decoded_len: u32,
    pub source_len: u32,
    pub escape: bool,
}

impl OffsetMap {
    /// The source span of a decoded byte range. A boundary inside an escape
    /// widens to the whole escape.
    pub fn to_source(&self, range: Range<usize>) -> Range<usize> {
        match self {
            OffsetMap::Identity { base } => base + range.start..base + range.end,
            OffsetMap::Segments(segs) => {
                let start = map_start(segs, range.start);
                let end = if range.end == range.start {
                    start
                } else {
                    map_end(segs, range.end)
                };
                start..end.max(start)
            }
        }
    }
}

fn map_start(segs: &[Segment], d: usize) -> usize {
    let d = d as u32;
    // Last segment starting at or before d.
    let i = segs.partition_point(|s| s.decoded <= d).saturating_sub(1);
    let s = segs[i];
    if s.escape || d >= s.decoded + s.decoded_len {
        if d >= s.decoded + s.decoded_len {
            return (s.source + s.source_len) as usize;
        }
        s.source as usize
    } else {
        (s.source + (d - s.decoded)) as usize
    }
}

fn map_end(segs: &[Segment], d: usize) -> usize {
    let d = d as u32;
    // Last segment starting before d.
    let i = segs.partition_point(|s| s.decoded < d).saturating_sub(1);
    let s = segs[i];
    if s.escape || d > s.decoded + s.decoded_len {
        (s.source + s.source_len) as usize
    } else {
        (s.source + (d - s.decoded)) as usize
    }
}

/// The decoded text of the string literal at `text[start..end]` (quotes
/// included), without the offset map [`decode`] also builds: for reading a
/// value, not for pointing into it.
pub fn decode_text(text: &str, start: usize, end: usize) -> Cow<'_, str> {
    let mut scratch = String::new();
    match decode_text_in(text, start, end, &mut scratch) {
        Decoded::Source(s) => Cow::Borrowed(s),
        Decoded::Scratch => Cow::Owned(scratch),
    }
}

/// Where [`decode_text_in`] left the text.
pub enum Decoded<'t> {
    /// The literal has no escapes: its source text.
    Source(&'t str),
    /// Decoded into the scratch buffer.
    Scratch,
}

/// [`decode_text`] into a buffer the caller reuses, for reading many
/// values without allocating for each.
pub fn decode_text_in<'t>(
    text: &'t str,
    start: usize,
    end: usize,
    scratch: &mut String,
) -> Decoded<'t> {
    let inner_start = start + 1;
    let inner_end = end.saturating_sub(1).max(inner_start);
    let raw = &text[inner_start..inner_end];
    let bytes = raw.as_bytes();
    let Some(first) = memchr::memchr(b'\\', bytes) else {
        return Decoded::Source(raw);
    };
    scratch.clear();
    let mut i = first;
    let mut run_start = 0;
    loop {
        scratch.push_str(&raw[run_start..i]);
        let (ch, len) = escape_at(bytes, i);
        scratch.push(ch);
        i += len;
        run_start = i;
        match memchr::memchr(b'\\', &bytes[i.min(bytes.len())..]) {
            Some(rel) => i += rel,
            None => break,
        }
    }
    scratch.push_str(&raw[run_start.min(raw.len())..]);
    Decoded::Scratch
}

/// Decodes the string literal at `text[start..end]` (quotes included). The
/// literal must already have been validated by the parser; an invalid escape
/// is decoded as U+FFFD rather than panicking.
pub fn decode(text: &str, start: usize, end: usize) -> DecodedStr<'_> {
    let inner_start = start + 1;
    let inner_end = end.saturating_sub(1).max(inner_start);
    let raw = &text[inner_start..inner_end];
    if !raw.contains('\\') {
        return DecodedStr {
            text: Cow::Borrowed(raw),
            map: OffsetMap::Identity { base: inner_start },
        };
    }
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    // A run and an escape for each backslash, and the last run.
    let mut segs = Vec::with_capacity(2 * memchr::memchr_iter(b'\\', bytes).count() + 1);
    let mut i = 0;
    let mut run_start = 0;
    let push_run = |segs: &mut Vec<Segment>, out: &String, from: usize, to: usize| {
        if to > from {
            segs.push(Segment {
                decoded: (out.len() - (to - from)) as u32,
                source: (inner_start + from) as u32,
                decoded_len: (to - from) as u32,
                source_len: (to - from) as u32,
                escape: false,
            });
        }
    };
    while i < bytes.len() {
        match memchr::memchr(b'\\', &bytes[i..]) {
            Some(rel) => i += rel,
            None => break,
        }
        out.push_str(&raw[run_start..i]);
        push_run(&mut segs, &out, run_start, i);
        let esc_start = i;
        let decoded_before = out.len();
        let (ch, len) = escape_at(bytes, i);
        out.push(ch);
        i += len;
        segs.push(Segment {
            decoded: decoded_before as u32,
            source: (inner_start + esc_start) as u32,
            decoded_len: (out.len() - decoded_before) as u32,
            source_len: len as u32,
            escape: true,
        });
        run_start = i;
    }
    out.push_str(&raw[run_start..]);
    push_run(&mut segs, &out, run_start, bytes.len());
    if segs.is_empty() {
        segs.push(Segment {
            decoded: 0,
            source: inner_start as u32,
            decoded_len: 0,
            source_len: 0,
            escape: false,
        });
    }
    DecodedStr {
        text: Cow::Owned(out),
        map: OffsetMap::Segments(segs),
    }
}

/// Decodes the escape at `bytes[i]` (a backslash): the character and the
/// number of source bytes consumed.
fn escape_at(bytes: &[u8], i: usize) -> (char, usize) {
    let Some(&c) = bytes.get(i + 1) else {
        return ('\u{FFFD}', 1);
    };
    let simple = match c {
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        b'/' => Some('/'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        _ => None,
    };
    if let Some(ch) = simple {
        return (ch, 2);
    }
    if c != b'u' {
        return ('\u{FFFD}', 2);
    }
    let Some(hi) = hex4(bytes, i + 2) else {
        return ('\u{FFFD}', 2);
    };
    if (0xD800..0xDC00).contains(&hi) {
        if bytes.get(i + 6) == Some(&b'\\')
            && bytes.get(i + 7) == Some(&b'u')
            && let Some(lo) = hex4(bytes, i + 8)
            && (0xDC00..0xE000).contains(&lo)
        {
            let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return (char::from_u32(cp).unwrap_or('\u{FFFD}'), 12);
        }
        return ('\u{FFFD}', 6);
    }
    (char::from_u32(hi).unwrap_or('\u{FFFD}'), 6)
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4)?.iter().try_fold(0u32, |acc, &b| {
        let digit = (b as char).to_digit(16)?;
        Some(acc << 4 | digit)
    })
}

/// How a file writes the characters JSON lets it write either way, so
/// that text put into it is written the same way: `<`, `>` and `&` as
/// `\u003c` (as Rails writes them), `/` as `\/`, and everything beyond
/// ASCII as `\u` escapes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Style {
    html: bool,
    upper_hex: bool,
    slash: bool,
    ascii: bool,
}

impl Style {
    /// The style of a file's text.
    pub(crate) fn of(text: &str) -> Style {
        // Each escape it looks for starts with a backslash: one pass over
        // them (a file is read whole, and most have few).
        let bytes = text.as_bytes();
        let (mut style, mut escaped_beyond_ascii) = (Style::default(), false);
        for i in memchr::memchr_iter(b'\\', bytes) {
            match bytes.get(i + 1) {
                Some(b'/') => style.slash = true,
                Some(b'u') => match hex4(bytes, i + 2) {
                    Some(0x3c | 0x3e) => {
                        style.html = true;
                        style.upper_hex |= matches!(bytes.get(i + 5), Some(b'C' | b'E'));
                    }
                    Some(0x26) => style.html = true,
                    Some(c) if c >= 0x80 => escaped_beyond_ascii = true,
                    _ => {}
                },
                _ => {}
            }
        }
        style.ascii = escaped_beyond_ascii && text.is_ascii();
        style
    }

    /// `s` as the inside of a JSON string written in this style.
    pub(crate) fn encode(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '/' if self.slash => out.push_str("\\/"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if self.html => self.unicode(c, &mut out),
                c if (c as u32) < 0x20 || (self.ascii && !c.is_ascii()) => {
                    self.unicode(c, &mut out)
                }
                c => out.push(c),
            }
        }
        out
    }

    /// `c` as `\u` escapes (a surrogate pair beyond the BMP).
    fn unicode(&self, c: char, out: &mut String) {
        let mut units = [0u16; 2];
        for u in c.encode_utf16(&mut units) {
            if self.upper_hex {
                out.push_str(&format!("\\u{:04X}", u));
            } else {
                out.push_str(&format!("\\u{:04x}", u));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_only_decoding_agrees_with_decode() {
        for lit in [
            r#""""#,
            r#""plain""#,
            r#""a\nb""#,
            r#""\u003c\u003cCREDENTIAL.x\u003e\u003e""#,
            r#""\ud83d\ude00 and \ud800 alone""#,
            r#""end\\""#,
            r#""\"quoted\" \/ \t""#,
        ] {
            assert_eq!(
                decode_text(lit, 0, lit.len()),
                decode(lit, 0, lit.len()).text,
                "{lit}"
            );
        }
    }

    fn find(text: &str, needle: &str) -> &'static str {
        // Decodes the first string literal in `text` and maps `needle` back.
        let start = text.find('"').unwrap();
        let end = text.rfind('"').unwrap() + 1;
        let d = decode(text, start, end);
        let at = d.text.find(needle).unwrap();
        let r = d.map.to_source(at..at + needle.len());
        Box::leak(text[r].to_string().into_boxed_str())
    }

    #[test]
    fn maps_through_escapes() {
        let text = r#"{"h":"Basic \u0075ser:pa\"ss"}"#;
        assert_eq!(find(text, "user:pa\"ss"), r#"\u0075ser:pa\"ss"#);
        assert_eq!(find(text, "ser"), "ser");
        assert_eq!(find(text, "u"), r#"\u0075"#);
        let text = r#""Bearer \u003c\u003cCREDENTIAL.x\u003e\u003e""#;
        assert_eq!(
            find(text, "<<CREDENTIAL.x>>"),
            r#"\u003c\u003cCREDENTIAL.x\u003e\u003e"#
        );
        assert_eq!(find(text, "CREDENTIAL"), "CREDENTIAL");
    }

    #[test]
    fn surrogate_pairs_and_plain_strings() {
        let text = r#""a\ud83d\ude00b""#;
        let d = decode(text, 0, text.len());
        assert_eq!(d.text, "a\u{1F600}b");
        assert_eq!(find(text, "\u{1F600}"), r#"\ud83d\ude00"#);
        assert_eq!(find(text, "b"), "b");
        let d = decode(r#""plain""#, 0, 7);
        assert!(matches!(d.text, Cow::Borrowed("plain")));
        assert_eq!(d.map.to_source(1..3), 2..4);
    }

    #[test]
    fn empty_ranges_and_edges() {
        let text = r#""\n""#;
        let d = decode(text, 0, text.len());
        assert_eq!(d.text, "\n");
        assert_eq!(d.map.to_source(0..1), 1..3);
        assert_eq!(d.map.to_source(1..1), 3..3);
        assert_eq!(d.map.to_source(0..0), 1..1);
    }
}

#[cfg(test)]
mod style_tests {
    use super::*;

    #[test]
    fn text_is_written_as_the_file_writes_it() {
        let plain = Style::of(r#"{"a": "<<CREDENTIAL.x>>", "b": "é"}"#);
        assert_eq!(
            plain.encode("<<CREDENTIAL.x>> \"q\" \\ é/"),
            r#"<<CREDENTIAL.x>> \"q\" \\ é/"#
        );
        let rails = Style::of(r#"{"a": "\u003c\u003cCREDENTIAL.x\u003e\u003e"}"#);
        assert_eq!(
            rails.encode("<<C>> & d"),
            r"\u003c\u003cC\u003e\u003e \u0026 d"
        );
        let upper = Style::of(r#"{"a": "\u003C"}"#);
        assert_eq!(upper.encode("<"), r"\u003C");
        let ascii = Style::of(r#"{"a": "caf\u00e9", "b": "a\/b"}"#);
        assert_eq!(ascii.encode("é/😀"), r"\u00e9\/\ud83d\ude00");
        assert_eq!(plain.encode("\u{1}\n"), r"\u0001\n");
        // What is encoded decodes back to the text.
        for style in [plain, rails, upper, ascii] {
            let s = "<<é \"/\\ &>>\t😀";
            let raw = format!("\"{}\"", style.encode(s));
            assert_eq!(decode(&raw, 0, raw.len()).text, s);
        }
    }

    /// The style by its plain definition: a search for each escape.
    fn naive(text: &str) -> Style {
        let has = |needle: &str| text.contains(needle);
        let upper = has("\\u003C") || has("\\u003E");
        let beyond = (text.match_indices("\\u"))
            .filter_map(|(i, _)| hex4(text.as_bytes(), i + 2))
            .any(|c| c >= 0x80);
        Style {
            html: upper || has("\\u003c") || has("\\u003e") || has("\\u0026"),
            upper_hex: upper,
            slash: has("\\/"),
            ascii: text.is_ascii() && beyond,
        }
    }

    #[test]
    fn one_pass_agrees_with_a_search_for_each_escape() {
        let pieces = [
            "\\", "u", "003", "c", "C", "e", "E", "0026", "00e9", "00", "/", "a", "é", "\"",
        ];
        let mut lcg = crate::testing::Lcg(0x9e37_79b9);
        for _ in 0..20_000 {
            let text = lcg.text(&pieces, 17);
            assert_eq!(Style::of(&text), naive(&text), "{text:?}");
        }
    }
}
