//! One file through the middle of the pipeline: read its bytes, parse them
//! with spans, recognise the export, evaluate the rules, and extract
//! everything the report needs (positions, snippets) so the file's text can
//! be dropped before the next file is read.

use crate::discover::{Input, InputSource};
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
            if meta.is_dir() {
                return Err(error("is a directory".into()));
            }
            if meta.len() > limit {
                return Err(too_large(meta.len()));
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

/// A short, stable description of an I/O error.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
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
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let binary = memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some();
            // Show the text up to the bad byte, which stands as U+FFFD.
            let prefix = format!("{}\u{FFFD}", String::from_utf8_lossy(&bytes[..valid]));
            let index = LineIndex::new(&prefix);
            let message = if binary {
                format!("file is binary, not JSON text (invalid UTF-8 at byte {valid})")
            } else {
                format!("file is not valid UTF-8: invalid byte sequence at byte {valid}")
            };
            return report.failed(
                InputError::new(InputErrorKind::InvalidUtf8, name, message)
                    .with_help(
                        "exports are UTF-8 JSON; re-export the story or re-save the file as UTF-8",
                    )
                    .at(&prefix, &index, valid..prefix.len()),
            );
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
    let index = LineIndex::new(&text);
    if bom {
        report.errors.push(
            InputError::new(
                InputErrorKind::ByteOrderMark,
                name,
                "file starts with a UTF-8 byte order mark, which JSON does not allow (RFC 8259, section 8.1)",
            )
            .with_help("save the file without a BOM; the rest of the file was still checked")
            .at(&text, &index, 0..3),
        );
        report.status = FileStatus::Failed;
    }
    if text.trim().is_empty() {
        let what = if text.is_empty() {
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
            e = e.at(&text, &index, text.len()..text.len());
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
            let at = if e.offset >= text.trim_end().len() {
                text.trim_end().char_indices().last().map_or(0, |(i, _)| i)
            } else {
                e.offset
            };
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            return report.failed(
                InputError::new(
                    InputErrorKind::InvalidJson,
                    name,
                    format!("invalid JSON: {}", e.message),
                )
                .at(&text, &index, at..end),
            );
        }
    };
    let (actions, notes) = match export::recognise(&doc) {
        Recognised::Export { actions, notes, .. } => (actions, notes),
        Recognised::NotAnExport { reason } => {
            let root = doc.node(doc.root());
            report.warnings.push(
                InputWarning::new(InputWarningKind::NotAnExport, name, format!("not a Tines export: {reason}"))
                    .with_help("storylint checks story exports, single actions and lists of actions; this file was skipped")
                    .at(&text, &index, root.start as usize..root.start as usize + 1),
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
                &index,
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
        // Masking replaces whole characters with ASCII, so this cannot fail.
        masked_text = String::from_utf8_lossy(&bytes).into_owned();
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
    let positions = index.positions(&text, &ends);
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
            snippet: Snippet::at(name, shown_text, &index, raw.span.clone(), start),
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
    fn report(
        &self,
        doc: &Document,
        rules: &RuleSet,
        name: &str,
        text: &str,
        index: &LineIndex,
        out: &mut Vec<InputWarning>,
    ) {
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
