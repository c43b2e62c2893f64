//! Stages 2 to 6 for one file: read its bytes, decode them as text, parse
//! them with spans, recognise the export and its actions, evaluate the
//! rules, build the findings and set aside the accepted ones. Everything the
//! report needs (positions, snippets) is extracted here, so the file's text
//! is dropped before the next file is read.

use crate::discover::{Input, InputSource};
use crate::error::{InputError, InputErrorKind, InputWarning, InputWarningKind, io_message};
use crate::export::{self, Action, Recognised, Shape, ShapeNote};
use crate::finding::{FileReport, FileStatus, FindingBuilder};
use crate::parse::{Document, Kind};
use crate::paths::{FileKind, not_regular};
use crate::rules::{self, RuleSet};
use crate::secret::Masker;
use crate::source::{LineIndex, Shown, SourceText};
use crate::suppress::{FileContext, Suppressor};
use std::io::Read;

/// Default limit on the size of one input.
pub(crate) const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// Settings that apply to every file.
#[derive(Clone, Debug)]
pub(crate) struct LintOptions {
    pub(crate) max_file_size: u64,
    /// Keep the snippets a human report shows; other formats need none.
    pub(crate) snippets: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            snippets: true,
        }
    }
}

/// Reads and checks one input.
pub(crate) fn lint_input(
    input: &Input,
    rules: &RuleSet,
    options: &LintOptions,
    suppressor: &Suppressor,
) -> FileReport {
    READ_BUF.with(|kept| {
        // The thread's buffer, unless it is in use (then a fresh one).
        let mut fresh = ReadBuf::default();
        let mut kept = kept.try_borrow_mut();
        let buf = kept.as_deref_mut().unwrap_or(&mut fresh);
        buf.clear();
        match read_into(input, options, buf) {
            Ok(()) => lint_bytes_with(&input.name, buf.bytes(), rules, options, suppressor),
            Err(e) => FileReport::new(&input.name).failed(e),
        }
    })
}

thread_local! {
    /// Each thread's read buffer, kept from file to file.
    static READ_BUF: std::cell::RefCell<ReadBuf> = std::cell::RefCell::default();
}

/// Room past which a kept read buffer is let go: one large file does not
/// hold its size in memory for the rest of the run.
const KEEP_READ_ROOM: usize = 4 << 20;

/// A buffer files are read into. Its room stays initialised from one file
/// to the next, so a file is read into it without first zeroing as many
/// bytes as it has (a whole pass over each file's memory).
#[derive(Debug, Default)]
pub(crate) struct ReadBuf {
    /// Initialised bytes: the data, then room for more.
    room: Vec<u8>,
    len: usize,
}

impl ReadBuf {
    /// The bytes read.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.room[..self.len]
    }

    /// The bytes read, as a vector of their own.
    pub(crate) fn into_bytes(mut self) -> Vec<u8> {
        self.room.truncate(self.len);
        self.room
    }

    /// Forgets what was read (and lets go of a large room).
    fn clear(&mut self) {
        self.len = 0;
        if self.room.len() > KEEP_READ_ROOM {
            self.room = Vec::new();
        }
    }
}

/// Reads `input` into `buf`; on an error, `buf` holds what was read (for
/// stdin over the limit: the first `max_file_size + 1` bytes).
pub(crate) fn read_into(
    input: &Input,
    options: &LintOptions,
    buf: &mut ReadBuf,
) -> Result<(), InputError> {
    let error = |msg: String| InputError::new(InputErrorKind::Unreadable, &input.name, msg);
    let limit = options.max_file_size;
    // A stream's size is not known: only that it is over the limit.
    let too_large = |size: Option<u64>| {
        let size = size.map_or_else(|| format!("more than {limit}"), |n| n.to_string());
        InputError::new(
            InputErrorKind::TooLarge,
            &input.name,
            format!("file is {size} bytes, over the {limit} byte limit"),
        )
        .with_help("raise the limit with --max-file-size if this really is an export")
    };
    match &input.source {
        InputSource::Stdin => {
            read_up_to(std::io::stdin().lock(), buf, limit, 0)
                .map_err(|e| error(io_message(&e)))?;
        }
        InputSource::Path(path) => {
            // Opened read-only; nothing is ever written next to an input.
            let file = std::fs::File::open(path).map_err(|e| error(io_message(&e)))?;
            let meta = file.metadata().map_err(|e| error(io_message(&e)))?;
            match FileKind::of(&meta.file_type()) {
                FileKind::Directory => return Err(error("is a directory".into())),
                FileKind::Regular if meta.len() > limit => return Err(too_large(Some(meta.len()))),
                // Pipes and character devices have no size up front: read
                // them like stdin, up to the limit.
                FileKind::Regular | FileKind::Stream => {}
                FileKind::Other(what) => return Err(error(not_regular(what))),
            }
            let size = usize::try_from(meta.len()).unwrap_or(0);
            read_up_to(file, buf, limit, size).map_err(|e| error(io_message(&e)))?;
        }
    }
    if buf.len as u64 > limit {
        // Read only up to the limit: its size is not known.
        return Err(too_large(None));
    }
    Ok(())
}

/// Reads `reader` to its end into `buf`, after what it holds, but no more
/// than one byte over `limit`, expecting about `size` bytes: a file of the
/// size its metadata says takes one read and one that finds its end
/// (`read_to_end` through `take` reads 8 KiB, then 16 KiB, ...: four reads
/// for a 34 KB export).
fn read_up_to(
    mut reader: impl Read,
    buf: &mut ReadBuf,
    limit: u64,
    size: usize,
) -> std::io::Result<()> {
    let most = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .saturating_add(buf.len);
    let mut room = size.saturating_add(1).max(8 * 1024);
    loop {
        if buf.len >= most {
            return Ok(());
        }
        if buf.len == buf.room.len() {
            // Only new room is zeroed.
            buf.room.resize(buf.len.saturating_add(room).min(most), 0);
            room = room.saturating_mul(2);
        }
        let end = buf.room.len().min(most);
        match reader.read(&mut buf.room[buf.len..end]) {
            Ok(0) => return Ok(()),
            Ok(n) => buf.len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Checks the bytes of one file, honouring its ignore directives: what
/// the rule examples and the library's users run.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, rules: &RuleSet) -> FileReport {
    let suppressor = Suppressor::new(rules, None, true);
    lint_bytes_with(name, &bytes, rules, &LintOptions::default(), &suppressor)
}

/// Checks the bytes of one file.
pub(crate) fn lint_bytes_with(
    name: &str,
    bytes: &[u8],
    rules: &RuleSet,
    options: &LintOptions,
    suppressor: &Suppressor,
) -> FileReport {
    let report = FileReport::new(name);
    let text = match decode(name, bytes) {
        Ok(text) => text,
        Err(e) => return report.failed(e),
    };
    let source = SourceText::new(name, text);
    let mut report = report;
    if let Err(e) = lint_text(&source, rules, options, suppressor, &mut report) {
        report = report.failed(e);
    }
    report
}

/// The bytes as UTF-8 text, or why they are not JSON text.
fn decode<'b>(name: &str, bytes: &'b [u8]) -> Result<&'b str, InputError> {
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || looks_like_utf16(bytes)
    {
        return Err(InputError::new(
            InputErrorKind::Utf16,
            name,
            "file is UTF-16 text; JSON exports are UTF-8",
        )
        .with_help("re-save or re-export the file as UTF-8"));
    }
    // A NUL byte near the start marks a binary file (as for git and grep),
    // even one that happens to be valid UTF-8.
    let nul = memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]);
    match (std::str::from_utf8(bytes), nul) {
        (Ok(text), None) => Ok(text),
        (Ok(text), Some(_)) => Err(not_text(name, bytes, text.len(), nul)),
        (Err(e), _) => Err(not_text(name, bytes, e.valid_up_to(), nul)),
    }
}

/// Parses, recognises, evaluates and sets aside; problems that stop the
/// file are returned, others are added to `report`.
fn lint_text(
    source: &SourceText,
    rules: &RuleSet,
    options: &LintOptions,
    suppressor: &Suppressor,
    report: &mut FileReport,
) -> Result<(), InputError> {
    let bom = source.text.starts_with('\u{feff}');
    // The parser sees the byte order mark blanked (in memory, never on
    // disk) so offsets stay those of the file and the rest can be checked;
    // positions and snippets use the file's own text.
    let blanked;
    let json_text: &str = if bom {
        // The file is still checked (and counted so); the error alone
        // makes the exit code 2.
        report.errors.push(bom_error(source));
        blanked = format!("   {}", &source.text[3..]);
        &blanked
    } else {
        source.text
    };
    if json_text.bytes().all(is_json_space) {
        return Err(blank_error(source, json_text.len() == usize::from(bom) * 3));
    }
    let mut patched = None;
    let doc = parse(source, json_text, &mut patched)?;
    let Some((shape, actions, notes)) = recognise(&doc, source, report) else {
        return Ok(());
    };
    let raws = rules::check(rules, &doc, &actions, shape);
    // Every literal secret a rule found is masked wherever the file shows
    // it, in every snippet of every finding and note.
    let masker = Masker::new(raws.iter().filter_map(|r| r.secret.as_deref()));
    let secret_spans = raws
        .iter()
        .filter(|r| r.secret.is_some())
        .map(|r| r.span.clone());
    let shown_text = masker.file(source.text, secret_spans);
    let shown = Shown {
        source,
        text: &shown_text,
    };
    if !masker.is_empty() {
        report.secret_lines = differing_lines(source.text, &shown_text);
    }
    for note in notes {
        let n = doc.node(note.node);
        let warning =
            InputWarning::new(InputWarningKind::UnexpectedShape, source.name, note.message);
        report
            .warnings
            .push(warning.at_shown(&shown, n.start as usize..n.end as usize));
    }
    let builder = FindingBuilder {
        rules,
        doc: &doc,
        actions: &actions,
        source,
        shown: &shown_text,
        masker: &masker,
        snippets: options.snippets,
        style: std::cell::OnceCell::new(),
    };
    let placed = builder.build(raws);
    let file = FileContext {
        doc: &doc,
        actions: &actions,
        shown: &shown,
    };
    suppressor.in_file(placed, &file, report);
    Ok(())
}

/// The lines (0-based) where `a` and `b`, texts of the same length, differ:
/// equal blocks are skipped whole, and lines counted only up to each
/// difference.
fn differing_lines(a: &str, b: &str) -> Vec<usize> {
    const BLOCK: usize = 64;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut out = Vec::new();
    // `line` is the number of line breaks in `a[..counted]`.
    let (mut line, mut counted, mut at) = (0, 0, 0);
    while at < a.len().min(b.len()) {
        let end = (at + BLOCK).min(a.len()).min(b.len());
        let Some(d) = a[at..end].iter().zip(&b[at..end]).position(|(x, y)| x != y) else {
            at = end;
            continue;
        };
        let d = at + d;
        line += memchr::memchr_iter(b'\n', &a[counted..d]).count();
        out.push(line);
        match memchr::memchr(b'\n', &a[d..]) {
            Some(n) => {
                at = d + n + 1;
                line += 1;
                counted = at;
            }
            None => break,
        }
    }
    out
}

fn bom_error(source: &SourceText) -> InputError {
    InputError::new(
        InputErrorKind::ByteOrderMark,
        source.name,
        "file starts with a UTF-8 byte order mark, which JSON does not allow (RFC 8259, section 8.1)",
    )
    .with_help("save the file without a BOM; the rest of the file was still checked")
    .at(source.text, source.index(), 0..3)
}

/// The error for a file that is empty (apart from a BOM) or holds only
/// JSON whitespace.
fn blank_error(source: &SourceText, empty: bool) -> InputError {
    let what = if empty {
        "file is empty"
    } else {
        "file holds only whitespace"
    };
    let e = InputError::new(
        InputErrorKind::InvalidJson,
        source.name,
        format!("{what}; expected a JSON export"),
    );
    let end = source.text.len();
    if end == 0 {
        e
    } else {
        e.at(source.text, source.index(), end..end)
    }
}

/// The span tree of `json_text`. JSON allows unpaired surrogate escapes and
/// Tines' parsers accept them; the span parser does not, so such a file is
/// parsed from a copy (kept in `patched`) with each one replaced by
/// `\ufffd` (same length, same offsets).
fn parse<'t>(
    source: &SourceText,
    json_text: &'t str,
    patched: &'t mut Option<String>,
) -> Result<Document<'t>, InputError> {
    let parsed = match Document::parse(json_text) {
        Err(e) if e.lone_surrogate => {
            let copy = patched.insert(crate::parse::replace_lone_surrogates(json_text));
            Document::parse(copy)
        }
        other => other,
    };
    parsed.map_err(|e| json_error(source, e.offset, &e.message))
}

/// A JSON syntax error at byte `offset`, located at the character at fault.
fn json_error(source: &SourceText, offset: usize, why: &str) -> InputError {
    let text = source.text;
    // At the end of the file, point at the last thing in it.
    let content = text.trim_end_matches([' ', '\t', '\n', '\r']);
    let at = if offset >= content.len() {
        content.char_indices().last().map_or(0, |(i, _)| i)
    } else {
        offset
    };
    let found = text[at..].chars().next();
    let end = found.map_or(at, |c| at + c.len_utf8());
    let mut message = format!("invalid JSON: {why}");
    // A no-break space and its kin look like whitespace but are not JSON's.
    if let Some(c) = found.filter(|c| c.is_whitespace() && !c.is_ascii()) {
        message.push_str(&format!(
            "; U+{:04X} is not whitespace in JSON, which allows only space, tab, line feed and carriage return",
            c as u32
        ));
    }
    InputError::new(InputErrorKind::InvalidJson, source.name, message).at(
        text,
        source.index(),
        at..end,
    )
}

/// The actions of an export, and the parts of an unexpected shape (noted
/// once the file's secrets are known); `None` (and the file skipped, with
/// a warning) if it is no export.
fn recognise(
    doc: &Document,
    source: &SourceText,
    report: &mut FileReport,
) -> Option<(Shape, Vec<Action>, Vec<ShapeNote>)> {
    match export::recognise(doc) {
        Recognised::Export {
            shape,
            actions,
            notes,
        } => Some((shape, actions, notes)),
        Recognised::NotAnExport { .. } if is_own_baseline(doc) => {
            // storylint's own baseline, staged beside the exports.
            report.status = FileStatus::Skipped;
            None
        }
        Recognised::NotAnExport { reason, node } => {
            // The whole value at fault, or only the start of the document.
            let n = doc.node(node);
            let end = if node == doc.root() {
                n.start + 1
            } else {
                n.end
            };
            let warning = InputWarning::new(
                InputWarningKind::NotAnExport,
                source.name,
                format!("not a Tines export: {reason}"),
            )
            .with_help("storylint checks story exports, single actions and lists of actions; this file was skipped")
            .at(source.text, source.index(), n.start as usize..end as usize);
            report.warnings.push(warning);
            if report.status == FileStatus::Checked {
                report.status = FileStatus::Skipped;
            }
            None
        }
    }
}

/// Whether the document is a baseline storylint wrote
/// (`--write-baseline`): exactly `version` and a `findings` array.
fn is_own_baseline(doc: &Document) -> bool {
    let root = doc.root();
    let mut members = Vec::new();
    doc.live_children_into(root, &mut members);
    let findings = doc.get(root, "findings");
    matches!(doc.kind(root), Kind::Object)
        && members.len() == 2
        && doc
            .get(root, "version")
            .is_some_and(|v| matches!(doc.kind(v), Kind::Number))
        && findings.is_some_and(|f| matches!(doc.kind(f), Kind::Array))
}

/// The error for bytes that are not JSON text: invalid UTF-8 from byte
/// `valid` on, or binary (a NUL byte at `nul`), placed at the first bad byte.
fn not_text(name: &str, bytes: &[u8], valid: usize, nul: Option<usize>) -> InputError {
    let at = nul.map_or(valid, |n| n.min(valid));
    let message = match nul {
        Some(n) if n == at => format!("file is binary, not JSON text (a NUL byte at byte {at})"),
        Some(_) => format!("file is binary, not JSON text (invalid UTF-8 at byte {at})"),
        None => format!("file is not valid UTF-8: invalid byte sequence at byte {at}"),
    };
    // Show the text up to the bad byte, which stands as U+FFFD.
    let prefix = format!("{}\u{FFFD}", String::from_utf8_lossy(&bytes[..at]));
    let index = LineIndex::new(&prefix);
    InputError::new(InputErrorKind::InvalidUtf8, name, message)
        .with_help("exports are UTF-8 JSON; re-export the story or re-save the file as UTF-8")
        .at(&prefix, &index, at..prefix.len())
}

/// How much of a file is searched for a NUL byte, the mark of a binary file.
const BINARY_SNIFF: usize = 8192;

fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// UTF-16 without a byte order mark: ASCII text with every other byte NUL.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    head.len() >= 4 && {
        let even_nul = head.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_nul = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let half = head.len() / 2;
        (even_nul * 10 >= half * 9 && odd_nul == 0) || (odd_nul * 10 >= half * 9 && even_nul == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that gives at most `step` bytes a call and is interrupted
    /// before every other call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls % 2 == 1 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit_whatever_the_size_hint() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        for (limit, hint, step) in [
            (1 << 20, 0, 7_000),
            (1 << 20, 50_000, 50_000),
            (1 << 20, 10, 3),
            (20_000, 50_000, 9_000),
            (20_000, 0, 1 << 20),
            (0, 0, 5),
        ] {
            let mut buf = ReadBuf::default();
            read_up_to(&b"kept"[..], &mut buf, 4, 0).unwrap();
            let reader = Trickle {
                data: &data,
                step,
                calls: 0,
            };
            read_up_to(reader, &mut buf, limit, hint).unwrap();
            let want = data.len().min(limit as usize + 1);
            let bytes = buf.bytes();
            assert_eq!(&bytes[..4], b"kept");
            assert_eq!(&bytes[4..], &data[..want], "limit {limit}, hint {hint}");
        }
    }

    #[test]
    fn a_file_of_the_size_it_says_is_read_in_one_call_and_one_at_its_end() {
        let data = vec![b'x'; 34_000];
        let mut buf = ReadBuf::default();
        let mut reader = Trickle {
            data: &data,
            step: usize::MAX,
            calls: 0,
        };
        read_up_to(&mut reader, &mut buf, 1 << 20, data.len()).unwrap();
        assert_eq!(buf.bytes(), data);
        // Every other call is interrupted: two reads that count.
        assert_eq!(reader.calls, 4);
    }

    #[test]
    fn a_kept_read_buffer_holds_each_file_alone_and_lets_a_large_room_go() {
        let mut buf = ReadBuf::default();
        let long = vec![b'a'; 20_000];
        read_up_to(&long[..], &mut buf, 1 << 20, long.len()).unwrap();
        let room = buf.room.len();
        // A shorter file after it: none of the first is left, no new room.
        buf.clear();
        read_up_to(&b"short"[..], &mut buf, 1 << 20, 5).unwrap();
        assert_eq!((buf.bytes(), buf.room.len()), (&b"short"[..], room));
        // Over the limit: one byte past it, whatever the room.
        buf.clear();
        read_up_to(&long[..], &mut buf, 100, long.len()).unwrap();
        assert_eq!(buf.bytes(), &long[..101]);
        // A room grown past what is kept is let go.
        let huge = vec![b'h'; KEEP_READ_ROOM + 1];
        buf.clear();
        read_up_to(&huge[..], &mut buf, u64::MAX, huge.len()).unwrap();
        assert_eq!(buf.bytes().len(), huge.len());
        buf.clear();
        assert_eq!((buf.bytes(), buf.room.len()), (&b""[..], 0));
        assert_eq!(buf.into_bytes(), Vec::<u8>::new());
    }

    #[test]
    fn files_checked_one_after_another_on_a_thread_are_read_alone() {
        let (rules, _) = RuleSet::builtin();
        let suppressor = Suppressor::new(&rules, None, true);
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("long.json");
        let short = dir.path().join("short.json");
        let pad = " ".repeat(5_000);
        std::fs::write(&long, format!("{{\"agents\": []{pad}}}")).unwrap();
        std::fs::write(&short, "[1,").unwrap();
        let input = |p: &std::path::Path| Input {
            name: p.display().to_string(),
            source: InputSource::Path(p.to_path_buf()),
        };
        let options = LintOptions::default();
        assert!(
            lint_input(&input(&long), &rules, &options, &suppressor)
                .errors
                .is_empty()
        );
        // The short file is read alone, not over the long one's bytes: its
        // JSON is cut short at its own end.
        let report = lint_input(&input(&short), &rules, &options, &suppressor);
        let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("the file ends too early"),
            "{messages:?}"
        );
    }

    /// Kind, message and line:col of an input error.
    type Reported = (String, String, Option<(usize, usize)>);

    fn input_errors(bytes: &[u8]) -> Vec<Reported> {
        use crate::error::ProblemKind;
        let (rules, _) = RuleSet::builtin();
        let report = lint_bytes("f.json", bytes.to_vec(), &rules);
        report
            .errors
            .iter()
            .map(|e| {
                (
                    e.kind.code().to_string(),
                    e.message.clone(),
                    e.location.as_ref().map(|l| (l.start.line, l.start.column)),
                )
            })
            .collect()
    }

    #[test]
    fn differing_lines_are_found_past_equal_blocks() {
        let a = format!("{}\nab\ncd\n{}x\ny", "e".repeat(200), "f".repeat(70));
        let b = a.replace("cd", "c*").replace("x\ny", "*\n*");
        assert_eq!(differing_lines(&a, &b), [2, 3, 4]);
        assert_eq!(differing_lines("same", "same"), Vec::<usize>::new());
    }

    #[test]
    fn nul_bytes_make_a_file_binary() {
        assert_eq!(
            input_errors(&[0; 100]),
            [(
                "invalid-utf8".to_string(),
                "file is binary, not JSON text (a NUL byte at byte 0)".to_string(),
                Some((1, 1))
            )]
        );
        let mut late = b"{\"agents\": [\n  \"x".to_vec();
        late.push(0);
        late.extend_from_slice(b"\"]}");
        let e = &input_errors(&late)[0];
        assert_eq!(e.1, "file is binary, not JSON text (a NUL byte at byte 17)");
        assert_eq!(e.2, Some((2, 5)));
        // Invalid UTF-8 before the NUL: placed at the first bad byte.
        let e = &input_errors(b"\xff\x00")[0];
        assert_eq!(
            (e.1.as_str(), e.2),
            (
                "file is binary, not JSON text (invalid UTF-8 at byte 0)",
                Some((1, 1))
            )
        );
    }

    #[test]
    fn only_json_whitespace_is_whitespace() {
        let blank = input_errors(b" \t\r\n");
        assert_eq!(
            blank[0].1,
            "file holds only whitespace; expected a JSON export"
        );
        let e = &input_errors("\u{a0}".as_bytes())[0];
        assert_eq!(e.0, "invalid-json");
        assert!(e.1.contains("U+00A0 is not whitespace in JSON"), "{}", e.1);
        assert_eq!(e.2, Some((1, 1)));
        // After the document, it is still the character at fault.
        let e = &input_errors("{\"agents\": []}\n\u{a0}\n".as_bytes())[0];
        assert!(e.1.contains("U+00A0"), "{}", e.1);
        assert_eq!(e.2, Some((2, 1)));
        let e = &input_errors("\u{feff}".as_bytes());
        assert_eq!(e[1].1, "file is empty; expected a JSON export");
    }

    #[test]
    fn a_file_gone_between_discovery_and_reading_is_unreadable() {
        use crate::discover::{WalkOptions, discover};
        use crate::error::ProblemKind;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.json");
        std::fs::write(&path, r#"{"agents": []}"#).unwrap();
        let found = discover(&[dir.path().to_path_buf()], &WalkOptions::default());
        assert_eq!(found.inputs.len(), 1);
        let input = &found.inputs[0];
        assert_eq!(input.source, InputSource::Path(path.clone()));
        std::fs::remove_file(&path).unwrap();
        let (rules, _) = RuleSet::builtin();
        let report = lint_input(
            input,
            &rules,
            &LintOptions::default(),
            &Suppressor::new(&rules, None, true),
        );
        assert_eq!(report.status, FileStatus::Failed);
        assert_eq!(report.file, input.name);
        assert!(report.file.ends_with("gone.json"), "{}", report.file);
        let [e] = &report.errors[..] else {
            panic!("{:?}", report.errors);
        };
        assert_eq!(e.kind.code(), "unreadable");
        assert_eq!(e.file, input.name);
        assert_eq!(e.message, "no such file or directory");
    }
}
