//! What storylint found, in the form every later stage uses: a [`Finding`]
//! is a rule's hit placed in its file (line and column, snippet, the action
//! it is in, a fingerprint), with any secret it shows masked. A
//! [`FileReport`] gathers one file's findings, problems and what was set
//! aside. [`FindingBuilder`] turns the engine's raw hits into findings, as
//! zizmor's `FindingBuilder` does. Nothing here prints.

use crate::error::{InputError, InputWarning};
use crate::export::Action;
use crate::parse::Document;
use crate::parse::strings::Style;
use crate::rules::{RawFinding, RuleSet};
use crate::secret::Masker;
use crate::severity::Severity;
use crate::source::{Position, Snippet, SourceText};
use std::ops::Range;
use std::sync::Arc;

/// The action a finding is in: its name, guid, type, pointer and story.
/// Every finding of the action shares one; its own texts are kept in one
/// allocation, as a file with many one-finding actions has many of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionInfo {
    /// The name, the guid and the pointer, one after the other.
    text: Box<str>,
    /// Where the name ends and the guid ends in `text`; `None` when the
    /// action has none.
    name_end: Option<usize>,
    guid_end: Option<usize>,
    /// Shared by the actions of a file of one type.
    pub action_type: Option<Arc<str>>,
    /// The guid of the story (or sub-story) that holds the action, shared
    /// by the story's actions.
    pub story: Option<Arc<str>>,
}

impl ActionInfo {
    pub(crate) fn new(
        name: Option<&str>,
        guid: Option<&str>,
        action_type: Option<Arc<str>>,
        pointer: &str,
        story: Option<Arc<str>>,
    ) -> Self {
        let mut text = String::with_capacity(
            name.map_or(0, str::len) + guid.map_or(0, str::len) + pointer.len(),
        );
        text.push_str(name.unwrap_or(""));
        let name_end = name.map(|_| text.len());
        text.push_str(guid.unwrap_or(""));
        let guid_end = guid.map(|_| text.len());
        text.push_str(pointer);
        ActionInfo {
            text: text.into_boxed_str(),
            name_end,
            guid_end,
            action_type,
            story,
        }
    }

    pub fn name(&self) -> Option<&str> {
        self.name_end.map(|end| &self.text[..end])
    }

    pub fn guid(&self) -> Option<&str> {
        let start = self.name_end.unwrap_or(0);
        self.guid_end.map(|end| &self.text[start..end])
    }

    /// RFC 6901 pointer to the action.
    pub fn pointer(&self) -> &str {
        let start = self.guid_end.or(self.name_end).unwrap_or(0);
        &self.text[start..]
    }
}

impl serde::Serialize for ActionInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ActionInfo", 5)?;
        st.serialize_field("name", &self.name())?;
        st.serialize_field("guid", &self.guid())?;
        st.serialize_field("type", &self.action_type)?;
        st.serialize_field("pointer", self.pointer())?;
        st.serialize_field("story", &self.story)?;
        st.end()
    }
}

/// A rule's finding, placed in its file.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Index of the rule in the [`RuleSet`].
    pub rule: usize,
    pub severity: Severity,
    /// Shared by the findings of a file that say the same.
    pub message: Arc<str>,
    pub label: Option<Arc<str>>,
    /// A replacement for the underlined text.
    pub suggestion: Option<Box<str>>,
    /// Shared by the file's findings.
    pub file: Arc<str>,
    /// RFC 6901 pointer to the value from its action (all of it when the
    /// finding has no action), shared by the findings at the same place of
    /// their actions; see [`Finding::pointer`].
    pub path: Arc<str>,
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
    /// Shared by the findings of the action.
    pub action: Option<Arc<ActionInfo>>,
    /// The window of the file a human report shows; left out when no
    /// human report is written.
    pub snippet: Option<Box<Snippet>>,
    /// Identifies the finding across re-exports, formatting and reordering;
    /// see [`fingerprint`].
    pub fingerprint: Fingerprint,
    /// The edit that fixes it, when the rule offers one here.
    /// Boxed: few findings have one, and a run may hold a million findings.
    pub fix: Option<Box<Fix>>,
}

/// An edit that fixes a finding: the file's bytes `span` become
/// `replacement`, which is written as the file writes its strings (see
/// [`crate::parse::strings::Style`]). It never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: crate::rules::Applicability,
    pub span: Range<usize>,
    pub replacement: String,
    /// For a key renamed: the pointer of its object, so that two members
    /// are never renamed to one name.
    pub(crate) renames_in: Option<String>,
}

impl Finding {
    /// RFC 6901 pointer to the value.
    pub fn pointer(&self) -> String {
        match &self.action {
            Some(a) => format!("{}{}", a.pointer(), self.path),
            None => self.path.to_string(),
        }
    }
}

/// What set a finding aside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressedBy {
    Directive,
    Config,
    Baseline,
}

/// A finding the user has accepted, and why.
#[derive(Clone, Debug)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: SuppressedBy,
    pub reason: Arc<str>,
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
    /// The lines (0-based) that hold a secret: no output shows them whole.
    pub(crate) secret_lines: Vec<usize>,
    /// Fixes applied (with `--diff`: that would be applied).
    pub fixes_applied: usize,
    /// What fixing gives the reporting layer to print: the fixed document
    /// of stdin (`--fix`), or the diff (`--diff`).
    pub(crate) fix_output: Option<Vec<u8>>,
    /// After `fix_output`, the rest of stdin goes out as it is (stdin over
    /// the size limit with `--fix -`).
    pub(crate) pass_stdin: bool,
    /// Findings left out of the report by `--show`, by severity (info,
    /// warning, error): counted, not listed.
    pub(crate) hidden: [usize; 3],
}

impl FileReport {
    pub(crate) fn new(file: &str) -> Self {
        FileReport {
            file: file.to_string(),
            status: FileStatus::Checked,
            findings: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            suppressed: Vec::new(),
            secret_lines: Vec::new(),
            fixes_applied: 0,
            fix_output: None,
            pass_stdin: false,
            hidden: [0; 3],
        }
    }

    /// Leaves out the findings below `show`, counting them.
    pub(crate) fn hide_below(&mut self, show: Severity) {
        let hidden = &mut self.hidden;
        self.findings.retain(|f| {
            let keep = f.severity >= show;
            if !keep {
                hidden[f.severity as usize] += 1;
            }
            keep
        });
    }

    /// A file that could not be checked, and why.
    pub(crate) fn failed(mut self, error: InputError) -> Self {
        self.status = FileStatus::Failed;
        self.errors.push(error);
        self
    }
}

/// Places the engine's raw findings of one file: line and column, snippet,
/// action, fingerprint, with every secret found in the file masked in
/// every text and snippet.
pub(crate) struct FindingBuilder<'a, 't> {
    pub rules: &'a RuleSet,
    pub doc: &'a Document<'t>,
    pub actions: &'a [Action],
    /// The file as it is (positions are counted in it) ...
    pub source: &'a SourceText<'a>,
    /// ... and as it may be shown, its secrets masked.
    pub shown: &'a str,
    pub masker: &'a Masker,
    /// Whether findings need snippets (a human report is written).
    pub snippets: bool,
    /// How the file writes strings, worked out for its first fix.
    pub style: std::cell::OnceCell<Style>,
}

impl FindingBuilder<'_, '_> {
    /// The findings of `raws`, in their order, each with the index of its
    /// action.
    pub(crate) fn build(&self, raws: Vec<RawFinding>) -> Vec<(usize, Finding)> {
        let source = self.source;
        // Line and column of every span end, in one pass over the text.
        let ends: Vec<usize> = raws
            .iter()
            .flat_map(|r| [r.span.start, r.span.end])
            .collect();
        let positions = match (ends.is_empty(), self.snippets) {
            (true, _) => Vec::new(),
            // Snippets need the index anyway.
            (false, true) => source.index().positions(source.text, &ends),
            (false, false) => crate::source::positions(source.text, &ends),
        };
        let mut snippets = if self.snippets && !raws.is_empty() {
            let spans: Vec<(Range<usize>, Position)> = raws
                .iter()
                .zip(positions.chunks(2))
                .map(|(r, p)| (r.span.clone(), p[0]))
                .collect();
            Snippet::many(source.name, self.shown, source.index(), &spans)
        } else {
            Vec::new()
        }
        .into_iter();
        let mut shared = Shared::new(source.name, self.actions.len());
        raws.into_iter()
            .zip(positions.chunks(2))
            .map(|(raw, p)| {
                let mut f = self.finding(&raw, (p[0], p[1]), &mut shared);
                f.snippet = snippets.next().map(Box::new);
                (raw.action, f)
            })
            .collect()
    }

    fn finding(
        &self,
        raw: &RawFinding,
        (start, end): (Position, Position),
        shared: &mut Shared,
    ) -> Finding {
        let rule = &self.rules.rules[raw.rule];
        let action = match shared.actions[raw.action].as_ref() {
            Some(a) => Arc::clone(a),
            None => {
                let a = Arc::new(self.action_info(&self.actions[raw.action], shared));
                shared.actions[raw.action] = Some(Arc::clone(&a));
                a
            }
        };
        let pointer = self.doc.pointer(raw.node);
        let path = pointer.strip_prefix(action.pointer());
        let hide = |s: &str| -> String {
            if self.masker.is_empty() {
                s.to_string()
            } else {
                self.masker.text(s)
            }
        };
        // Shared as they come unless a secret must be masked in them.
        let mut said = |t: &Arc<str>| {
            if self.masker.is_empty() {
                Arc::clone(t)
            } else {
                shared.text(self.masker.text(t))
            }
        };
        let fingerprint = fingerprint(&FingerprintParts {
            rule: &rule.id,
            story: action.story.as_deref(),
            action: action.guid().or(action.name()),
            path: path.unwrap_or(&pointer),
            // Masked as every output shows it: fingerprints are published
            // (SARIF), and one of a secret would let guesses be tested.
            text: &hide(&raw.text),
        });
        Finding {
            fingerprint,
            rule: raw.rule,
            severity: rule.severity,
            message: said(&raw.message),
            label: raw.label.as_ref().map(&mut said),
            suggestion: raw.suggestion.as_deref().map(|s| hide(s).into()),
            file: Arc::clone(&shared.file),
            path: match path {
                Some(p) => shared.text(p.to_string()),
                None => Arc::from(pointer),
            },
            start,
            end,
            snippet: None,
            span: raw.span.clone(),
            action: Some(action),
            fix: self.fix(raw),
        }
    }

    /// The fix of `raw`, placed: none where a line it changes holds a
    /// secret (a diff would show that line) or its text would show one.
    fn fix(&self, raw: &RawFinding) -> Option<Box<Fix>> {
        let fix = raw.fix.as_ref()?;
        let text = self.source.text;
        if !self.masker.is_empty() {
            let from = text[..raw.span.start].rfind('\n').map_or(0, |i| i + 1);
            let to = text[raw.span.end..]
                .find('\n')
                .map_or(text.len(), |i| raw.span.end + i);
            if self.shown.get(from..to) != Some(&text[from..to])
                || self.masker.text(&fix.text) != fix.text
            {
                return None;
            }
        }
        let style = self.style.get_or_init(|| Style::of(text));
        let n = self.doc.node(raw.node);
        let on_key = n.has_key() && raw.span == (n.key_start as usize + 1..n.key_end as usize - 1);
        // Text added before or after the underlined text is inserted, so
        // that its own bytes (and escapes) stay as they are.
        let (span, added) = match (
            fix.text.strip_suffix(raw.text.as_str()),
            fix.text.strip_prefix(raw.text.as_str()),
        ) {
            (Some(before), _) if !raw.text.is_empty() => (raw.span.start..raw.span.start, before),
            (_, Some(after)) if !raw.text.is_empty() => (raw.span.end..raw.span.end, after),
            _ => (raw.span.clone(), fix.text.as_str()),
        };
        Some(Box::new(Fix {
            applicability: fix.applicability,
            span,
            replacement: style.encode(added),
            renames_in: on_key.then(|| self.doc.pointer(n.parent)),
        }))
    }

    fn action_info(&self, action: &Action, shared: &mut Shared) -> ActionInfo {
        let story = action
            .story
            .and_then(|s| self.doc.get(s, "guid"))
            .and_then(|g| self.doc.str_value(g))
            .map(|g| shared.text(g.into_owned()));
        ActionInfo::new(
            action.name.as_deref(),
            action.guid.as_deref(),
            action.action_type.clone().map(|t| shared.text(t)),
            &self.doc.pointer(action.node),
            story,
        )
    }
}

/// What the findings of one file share rather than each keeping a copy:
/// the file name, each action's details, and texts said more than once.
struct Shared {
    file: Arc<str>,
    actions: Vec<Option<Arc<ActionInfo>>>,
    texts: std::collections::HashMap<String, Arc<str>>,
}

impl Shared {
    fn new(file: &str, actions: usize) -> Self {
        Shared {
            file: Arc::from(file),
            actions: vec![None; actions],
            texts: std::collections::HashMap::new(),
        }
    }

    fn text(&mut self, s: String) -> Arc<str> {
        if let Some(t) = self.texts.get(&s) {
            return Arc::clone(t);
        }
        let t: Arc<str> = Arc::from(s.as_str());
        self.texts.insert(s, Arc::clone(&t));
        t
    }
}

/// A finding's fingerprint: the first 16 bytes of a SHA-256, written as
/// 32 hexadecimal digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 16]);

impl Fingerprint {
    /// The fingerprint written as `hex` (as a baseline stores it), if it
    /// is one.
    pub(crate) fn parse(hex: &str) -> Option<Fingerprint> {
        let mut bytes = [0; 16];
        if hex.len() != 32 || !hex.is_ascii() {
            return None;
        }
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Fingerprint(bytes))
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What identifies a finding across exports of the same story.
pub(crate) struct FingerprintParts<'a> {
    pub(crate) rule: &'a str,
    /// Guid of the story holding the action.
    pub(crate) story: Option<&'a str>,
    /// Guid of the action (its name when it has none).
    pub(crate) action: Option<&'a str>,
    /// JSON pointer of the value from the action object.
    pub(crate) path: &'a str,
    /// The underlined text, decoded.
    pub(crate) text: &'a str,
}

/// A stable identifier for a finding: the SHA-256 (first 16 bytes, hex) of
/// the rule, story guid, action guid, the value's path from its action with
/// array indices left out, and the underlined text with whitespace runs
/// collapsed. Line numbers, formatting, escapes, `exported_at` and the order
/// of actions do not enter it, so it survives re-exporting, reformatting,
/// minifying and reordering. Secrets enter only through the hash.
pub(crate) fn fingerprint(parts: &FingerprintParts) -> Fingerprint {
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
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    Fingerprint(bytes)
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
        assert_eq!(fp.to_string().len(), 32);
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
}
