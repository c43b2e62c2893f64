//! One file through the middle of the pipeline: read its bytes, parse them
//! with spans, recognise the export, evaluate the rules, and extract
//! everything the report needs (positions, snippets) so the file's text can
//! be dropped before the next file is read.

use crate::discover::{FileKind, Input, InputSource, not_regular};
use crate::error::{InputError, InputErrorKind, InputWarning, InputWarningKind};
use crate::export::{self, Recognised};
use crate::parse::Document;
use crate::rules::engine::{mask_bytes, mask_secret};
use crate::rules::{self, RuleSet, Severity};
use crate::source::{LineIndex, Position, Snippet};
use crate::suppress::{Directive, Suppressed, SuppressedBy, parse_directives};
use std::io::Read;
use std::ops::Range;

/// Default limit on the size of one input.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// Settings that apply to every file.
#[derive(Clone, Debug)]
pub struct LintOptions {
    pub max_file_size: u64,
    /// Honour `storylint: ignore[...]` directives in descriptions.
    pub directives: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            directives: true,
        }
    }
}

/// The action a finding is in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ActionInfo {
    pub name: Option<String>,
    pub guid: Option<String>,
    #[serde(rename = "type")]
    pub action_type: Option<String>,
    pub pointer: String,
    /// The guid of the story (or sub-story) that holds the action.
    pub story: Option<String>,
}

/// A rule's finding, placed in its file.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Index of the rule in the [`RuleSet`].
    pub rule: usize,
    pub severity: Severity,
    pub message: String,
    pub label: Option<String>,
    /// A replacement for the underlined text.
    pub suggestion: Option<String>,
    pub file: String,
    /// RFC 6901 pointer to the value.
    pub pointer: String,
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub action: Option<ActionInfo>,
    pub snippet: Snippet,
    /// Identifies the finding across re-exports, formatting and reordering;
    /// see [`fingerprint`].
    pub fingerprint: String,
}

/// What became of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// Parsed, recognised and checked.
    Checked,
    /// Valid JSON but not a Tines export.
    Skipped,
    /// Could not be read or parsed.
    Failed,
}

/// Everything found in one file.
#[derive(Debug)]
pub struct FileReport {
    pub file: String,
    pub status: FileStatus,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Warnings and notes (severity advice) about the input.
    pub warnings: Vec<InputWarning>,
    /// Findings set aside by a directive, the configuration or a baseline.
    pub suppressed: Vec<Suppressed>,
}

impl FileReport {
    fn new(file: &str) -> Self {
        FileReport {
            file: file.to_string(),
            status: FileStatus::Checked,
            findings: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            suppressed: Vec::new(),
        }
    }

    fn failed(mut self, error: InputError) -> Self {
        self.status = FileStatus::Failed;
        self.errors.push(error);
        self
    }
}

/// Reads and checks one input.
pub fn lint_input(input: &Input, rules: &RuleSet, options: &LintOptions) -> FileReport {
    match read_input(input, options) {
        Ok(bytes) => lint_bytes_with(&input.name, bytes, rules, options),
        Err(e) => FileReport::new(&input.name).failed(e),
    }
}

fn read_input(input: &Input, options: &LintOptions) -> Result<Vec<u8>, InputError> {
    let error = |msg: String| InputError::new(InputErrorKind::Unreadable, &input.name, msg);
    let too_large = |size: u64| {
        InputError::new(
            InputErrorKind::TooLarge,
            &input.name,
            format!(
                "file is {} bytes, over the {} byte limit",
                size, options.max_file_size
            ),
        )
        .with_help("raise the limit with --max-file-size if this really is an export")
    };
    let limit = options.max_file_size;
    let mut bytes = Vec::new();
    match &input.source {
        InputSource::Stdin => {
            std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| error(io_message(&e)))?;
        }
        InputSource::Path(path) => {
            // Opened read-only; nothing is ever written next to an input.
            let file = std::fs::File::open(path).map_err(|e| error(io_message(&e)))?;
            let meta = file.metadata().map_err(|e| error(io_message(&e)))?;
            match FileKind::of(&meta.file_type()) {
                FileKind::Directory => return Err(error("is a directory".into())),
                FileKind::Regular if meta.len() > limit => return Err(too_large(meta.len())),
                // Pipes and character devices have no size up front: read
                // them like stdin, up to the limit.
                FileKind::Regular | FileKind::Stream => {}
                FileKind::Other(what) => return Err(error(not_regular(what))),
            }
            file.take(limit + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| error(io_message(&e)))?;
        }
    }
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What storylint says about a symbolic link loop, wherever it meets one.
pub const LINK_LOOP: &str = "symbolic link loop: too many levels of symbolic links";

/// Whether `e` is ELOOP: too many levels of symbolic links.
fn is_link_loop(e: &std::io::Error) -> bool {
    // `ErrorKind::FilesystemLoop` cannot be named on stable Rust yet.
    cfg!(any(target_os = "linux", target_os = "android")) && e.raw_os_error() == Some(40)
        || format!("{:?}", e.kind()) == "FilesystemLoop"
}

/// A short, stable description of an I/O error.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    if is_link_loop(e) {
        return LINK_LOOP.into();
    }
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "is a directory".into(),
        K::InvalidData => "invalid data".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Checks the bytes of one file with the default options.
pub fn lint_bytes(name: &str, bytes: Vec<u8>, rules: &RuleSet) -> FileReport {
    lint_bytes_with(name, bytes, rules, &LintOptions::default())
}

/// Checks the bytes of one file.
pub fn lint_bytes_with(
    name: &str,
    bytes: Vec<u8>,
    rules: &RuleSet,
    options: &LintOptions,
) -> FileReport {
    let mut report = FileReport::new(name);
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || looks_like_utf16(&bytes)
    {
        return report.failed(
            InputError::new(
                InputErrorKind::Utf16,
                name,
                "file is UTF-16 text; JSON exports are UTF-8",
            )
            .with_help("re-save or re-export the file as UTF-8"),
        );
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    // A NUL byte near the start marks a binary file (as for git and grep),
    // even one that happens to be valid UTF-8.
    let nul = memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF)]);
    let text = match (String::from_utf8(bytes), nul) {
        (Ok(text), None) => text,
        (Ok(text), Some(_)) => {
            let end = text.len();
            return report.failed(not_text(name, text.as_bytes(), end, nul));
        }
        (Err(e), _) => {
            let valid = e.utf8_error().valid_up_to();
            return report.failed(not_text(name, e.as_bytes(), valid, nul));
        }
    };
    // The parser sees the byte order mark blanked (in memory, never on
    // disk) so offsets stay those of the file and the rest can be checked;
    // positions and snippets use the file's own text.
    let blanked;
    let json_text: &str = if bom {
        blanked = format!("   {}", &text[3..]);
        &blanked
    } else {
        &text
    };
    // Lines are indexed only when something is located: most files have
    // nothing to report.
    let line_index = std::cell::OnceCell::new();
    let index = || line_index.get_or_init(|| LineIndex::new(&text));
    if bom {
        report.errors.push(
            InputError::new(
                InputErrorKind::ByteOrderMark,
                name,
                "file starts with a UTF-8 byte order mark, which JSON does not allow (RFC 8259, section 8.1)",
            )
            .with_help("save the file without a BOM; the rest of the file was still checked")
            .at(&text, index(), 0..3),
        );
        // The file is still checked (and counted so); the error alone
        // makes the exit code 2.
    }
    // JSON's whitespace is space, tab, line feed and carriage return only.
    if json_text.bytes().all(is_json_space) {
        let what = if json_text.len() == usize::from(bom) * 3 {
            "file is empty"
        } else {
            "file holds only whitespace"
        };
        let mut e = InputError::new(
            InputErrorKind::InvalidJson,
            name,
            format!("{what}; expected a JSON export"),
        );
        if !text.is_empty() {
            e = e.at(&text, index(), text.len()..text.len());
        }
        return report.failed(e);
    }
    // JSON allows unpaired surrogate escapes and Tines' parsers accept them;
    // the span parser does not, so such a file is parsed from a copy with
    // each one replaced by `\ufffd` (same length, same offsets).
    let patched;
    let parsed = match Document::parse(json_text) {
        Err(e) if e.lone_surrogate => {
            patched = crate::parse::replace_lone_surrogates(json_text);
            Document::parse(&patched)
        }
        other => other,
    };
    let doc = match parsed {
        Ok(doc) => doc,
        Err(e) => {
            // At the end of the file, point at the last thing in it.
            let content = text.trim_end_matches([' ', '\t', '\n', '\r']);
            let at = if e.offset >= content.len() {
                content.char_indices().last().map_or(0, |(i, _)| i)
            } else {
                e.offset
            };
            let found = text[at..].chars().next();
            let end = found.map_or(at, |c| at + c.len_utf8());
            let mut message = format!("invalid JSON: {}", e.message);
            // A no-break space and its kin look like whitespace but are not
            // JSON's.
            if let Some(c) = found.filter(|c| c.is_whitespace() && !c.is_ascii()) {
                message.push_str(&format!(
                    "; U+{:04X} is not whitespace in JSON, which allows only space, tab, line feed and carriage return",
                    c as u32
                ));
            }
            return report.failed(
                InputError::new(InputErrorKind::InvalidJson, name, message).at(
                    &text,
                    index(),
                    at..end,
                ),
            );
        }
    };
    let (actions, notes) = match export::recognise(&doc) {
        Recognised::Export { actions, notes, .. } => (actions, notes),
        Recognised::NotAnExport { reason, node } => {
            // The whole value at fault, or only the start of the document.
            let n = doc.node(node);
            let at = if node == doc.root() {
                n.start as usize..n.start as usize + 1
            } else {
                n.start as usize..n.end as usize
            };
            report.warnings.push(
                InputWarning::new(InputWarningKind::NotAnExport, name, format!("not a Tines export: {reason}"))
                    .with_help("storylint checks story exports, single actions and lists of actions; this file was skipped")
                    .at(&text, index(), at),
            );
            if report.status == FileStatus::Checked {
                report.status = FileStatus::Skipped;
            }
            return report;
        }
    };
    for note in notes {
        let n = doc.node(note.node);
        report.warnings.push(
            InputWarning::new(InputWarningKind::UnexpectedShape, name, note.message).at(
                &text,
                index(),
                n.start as usize..n.end as usize,
            ),
        );
    }
    let raws = rules::check(rules, &doc, &actions);
    // Secrets found anywhere in the file are masked in every finding's
    // snippet and text, whichever rule's finding shows them.
    let secrets: Vec<(&Range<usize>, &str)> = raws
        .iter()
        .filter_map(|r| Some((&r.span, r.secret.as_deref()?)))
        .collect();
    let masked_text;
    let shown_text: &str = if secrets.is_empty() {
        &text
    } else {
        let mut bytes = text.as_bytes().to_vec();
        for (span, _) in &secrets {
            mask_bytes(&mut bytes, (*span).clone());
        }
        // Masking replaces whole characters with ASCII, so the text stays
        // UTF-8 (and if it somehow did not, a lossy copy is still safe).
        masked_text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        &masked_text
    };
    let hide = |s: String| -> String {
        secrets.iter().fold(s, |s, (_, secret)| {
            replace_token(&s, secret, &mask_secret(secret))
        })
    };
    let mut directives = if options.directives {
        ActionDirectives::read(&doc, &actions)
    } else {
        ActionDirectives::default()
    };
    // Line and column of every span end, in one pass over the text.
    let ends: Vec<usize> = raws
        .iter()
        .flat_map(|r| [r.span.start, r.span.end])
        .collect();
    let positions = if ends.is_empty() {
        Vec::new()
    } else {
        index().positions(&text, &ends)
    };
    for (i, raw) in raws.iter().enumerate() {
        let (start, end) = (positions[2 * i], positions[2 * i + 1]);
        let rule = &rules.rules[raw.rule];
        let action = &actions[raw.action];
        let story = action
            .story
            .and_then(|s| doc.get(s, "guid"))
            .and_then(|g| doc.str_value(g))
            .map(|g| g.into_owned());
        let action_pointer = doc.pointer(action.node);
        let pointer = doc.pointer(raw.node);
        let fingerprint = fingerprint(&FingerprintParts {
            rule: &rule.id,
            story: story.as_deref(),
            action: action.guid.as_deref().or(action.name.as_deref()),
            path: pointer.strip_prefix(&action_pointer).unwrap_or(&pointer),
            // Masked as every output shows it: fingerprints are published
            // (SARIF), and one of a secret would let guesses be tested.
            text: &hide(raw.text.clone()),
        });
        let finding = Finding {
            fingerprint,
            rule: raw.rule,
            severity: rule.severity,
            message: hide(raw.message.clone()),
            label: raw.label.clone().map(hide),
            suggestion: raw.suggestion.clone().map(hide),
            file: name.to_string(),
            pointer,
            start,
            end,
            snippet: Snippet::at(name, shown_text, index(), raw.span.clone(), start),
            span: raw.span.clone(),
            action: Some(ActionInfo {
                name: action.name.clone(),
                guid: action.guid.clone(),
                action_type: action.action_type.clone(),
                pointer: action_pointer,
                story,
            }),
        };
        match directives.claim(raw.action, &rule.id) {
            Some(reason) => report.suppressed.push(Suppressed {
                finding,
                by: SuppressedBy::Directive,
                reason,
            }),
            None => report.findings.push(finding),
        }
    }
    directives.report(&doc, rules, name, &text, &index, &mut report.warnings);
    report
}

/// The ignore directives of the actions of one file, and which of them
/// have suppressed something.
#[derive(Default)]
struct ActionDirectives {
    /// (action index, description node, directive, used).
    entries: Vec<(usize, u32, Directive, bool)>,
}

impl ActionDirectives {
    fn read(doc: &Document, actions: &[export::Action]) -> Self {
        let mut entries = Vec::new();
        for (ai, action) in actions.iter().enumerate() {
            let Some(node) = doc.get(action.node, "description") else {
                continue;
            };
            let Some(text) = doc.str_value(node) else {
                continue;
            };
            if !text.to_ascii_lowercase().contains("storylint") {
                continue;
            }
            for d in parse_directives(&text) {
                entries.push((ai, node, d, false));
            }
        }
        ActionDirectives { entries }
    }

    /// The reason of a directive of `action` that names `rule`, marking it
    /// used.
    fn claim(&mut self, action: usize, rule: &str) -> Option<String> {
        self.entries
            .iter_mut()
            .find_map(|(ai, _, d, used)| match d {
                Directive::Ignore { rules, reason, .. }
                    if *ai == action && rules.iter().any(|(id, _)| id == rule) =>
                {
                    *used = true;
                    Some(reason.clone())
                }
                _ => None,
            })
    }

    /// Notes for malformed directives, unknown rule ids, and directives
    /// that suppressed nothing.
    fn report<'i>(
        &self,
        doc: &Document,
        rules: &RuleSet,
        name: &str,
        text: &str,
        index: &dyn Fn() -> &'i LineIndex,
        out: &mut Vec<InputWarning>,
    ) {
        if self.entries.is_empty() {
            return;
        }
        let index = index();
        let ids: Vec<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
        let enabled = |id: &str| rules.rules.iter().any(|r| r.id == id && r.enabled);
        for (_, node, d, used) in &self.entries {
            let Some(decoded) = doc.string(*node) else {
                continue;
            };
            let at = |r: &Range<usize>| decoded.map.to_source(r.clone());
            match d {
                Directive::Malformed { span, why } => out.push(
                    InputWarning::new(
                        InputWarningKind::MalformedIgnore,
                        name,
                        format!("malformed storylint directive: {why}"),
                    )
                    .with_help("write `storylint: ignore[rule-id, other-rule] reason` on its own line of the action's description")
                    .at(text, index, at(span)),
                ),
                Directive::Ignore { span, rules: named, .. } => {
                    // A directive for rules that are all turned off has
                    // nothing to suppress, and that is not its fault.
                    let mut known = 0;
                    for (id, id_span) in named {
                        if ids.contains(&id.as_str()) {
                            known += usize::from(enabled(id));
                            continue;
                        }
                        let mut w = InputWarning::new(
                            InputWarningKind::UnknownRuleInIgnore,
                            name,
                            format!("storylint directive names unknown rule `{id}`"),
                        );
                        w = match crate::report::closest(id, &ids) {
                            Some(best) => w.with_help(format!("did you mean `{best}`?")),
                            None => w.with_help("`storylint rules` lists the rule ids"),
                        };
                        out.push(w.at(text, index, at(id_span)));
                    }
                    if known > 0 && !used {
                        out.push(
                            InputWarning::new(
                                InputWarningKind::UnusedIgnore,
                                name,
                                "storylint directive suppresses nothing in this action",
                            )
                            .with_help("remove it if the finding it was written for is fixed")
                            .at(text, index, at(span)),
                        );
                    }
                }
            }
        }
    }
}

/// What identifies a finding across exports of the same story.
pub struct FingerprintParts<'a> {
    pub rule: &'a str,
    /// Guid of the story holding the action.
    pub story: Option<&'a str>,
    /// Guid of the action (its name when it has none).
    pub action: Option<&'a str>,
    /// JSON pointer of the value from the action object.
    pub path: &'a str,
    /// The underlined text, decoded.
    pub text: &'a str,
}

/// A stable identifier for a finding: the SHA-256 (first 16 bytes, hex) of
/// the rule, story guid, action guid, the value's path from its action with
/// array indices left out, and the underlined text with whitespace runs
/// collapsed. Line numbers, formatting, escapes, `exported_at` and the order
/// of actions do not enter it, so it survives re-exporting, reformatting,
/// minifying and reordering. Secrets enter only through the hash.
pub fn fingerprint(parts: &FingerprintParts) -> String {
    use sha2::{Digest, Sha256};
    let path: Vec<&str> = parts
        .path
        .split('/')
        .filter(|seg| !seg.is_empty() && !seg.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let text: Vec<&str> = parts.text.split_whitespace().collect();
    let mut hasher = Sha256::new();
    for field in [
        parts.rule,
        parts.story.unwrap_or(""),
        parts.action.unwrap_or(""),
        &path.join("/"),
        &text.join(" "),
    ] {
        hasher.update(field.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// `s` with each occurrence of `token` that is not part of a longer word
/// (alphanumerics on either side) replaced by `with`.
fn replace_token(s: &str, token: &str, with: &str) -> String {
    if token.is_empty() {
        return s.to_string();
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, _) in s.match_indices(token) {
        if i < last {
            continue;
        }
        let before = s[..i].chars().next_back();
        let after = s[i + token.len()..].chars().next();
        if word(before) || word(after) {
            continue;
        }
        out.push_str(&s[last..i]);
        out.push_str(with);
        last = i + token.len();
    }
    out.push_str(&s[last..]);
    out
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

    #[test]
    fn fingerprints_ignore_indices_and_spacing_but_not_identity() {
        let base = FingerprintParts {
            rule: "r",
            story: Some("s"),
            action: Some("a"),
            path: "/options/retry_on_status/1",
            text: "Basic  admin:x",
        };
        let fp = fingerprint(&base);
        assert_eq!(fp.len(), 32);
        let moved = FingerprintParts {
            path: "/options/retry_on_status/3",
            text: "Basic admin:x",
            ..base
        };
        assert_eq!(fingerprint(&moved), fp);
        for other in [
            FingerprintParts { rule: "q", ..moved },
            FingerprintParts {
                story: None,
                ..moved
            },
            FingerprintParts {
                action: Some("b"),
                ..moved
            },
            FingerprintParts {
                path: "/options/x",
                ..moved
            },
            FingerprintParts {
                text: "Basic admin:y",
                ..moved
            },
        ] {
            assert_ne!(fingerprint(&other), fp);
        }
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
        let report = lint_input(input, &rules, &LintOptions::default());
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

    #[test]
    fn secrets_are_replaced_only_as_whole_tokens() {
        assert_eq!(
            replace_token("a literal password `pass`", "pass", "p***"),
            "a literal password `p***`"
        );
        assert_eq!(replace_token("pass:pass", "pass", "*"), "*:*");
        assert_eq!(replace_token("x", "", "*"), "x");
    }
}
