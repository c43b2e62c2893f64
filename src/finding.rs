//! What storylint found, in the form every later stage uses: a [`Finding`]
//! is a rule's hit placed in its file (line and column, snippet, the action
//! it is in, a fingerprint), with any secret it shows masked. A
//! [`FileReport`] gathers one file's findings, problems and what was set
//! aside. [`FindingBuilder`] turns the engine's raw hits into findings, as
//! zizmor's `FindingBuilder` does. Nothing here prints.

use crate::error::{InputError, InputWarning};
use crate::export::Action;
use crate::parse::Document;
use crate::rules::{RawFinding, RuleSet};
use crate::secret::{mask_bytes, mask_secret, replace_token};
use crate::severity::Severity;
use crate::source::{Position, Snippet, SourceText};
use std::ops::Range;

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
    pub reason: String,
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
    pub(crate) fn new(file: &str) -> Self {
        FileReport {
            file: file.to_string(),
            status: FileStatus::Checked,
            findings: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            suppressed: Vec::new(),
        }
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
    pub(crate) rules: &'a RuleSet,
    pub(crate) doc: &'a Document<'t>,
    pub(crate) actions: &'a [Action],
    pub(crate) source: &'a SourceText<'a>,
}

impl FindingBuilder<'_, '_> {
    pub(crate) fn build(&self, raws: &[RawFinding]) -> Vec<Finding> {
        // Secrets found anywhere in the file are masked in every finding's
        // snippet and text, whichever rule's finding shows them.
        let secrets: Vec<(&Range<usize>, &str)> = raws
            .iter()
            .filter_map(|r| Some((&r.span, r.secret.as_deref()?)))
            .collect();
        let masked_text;
        let shown_text: &str = if secrets.is_empty() {
            self.source.text
        } else {
            masked_text = masked(self.source.text, secrets.iter().map(|(s, _)| *s));
            &masked_text
        };
        let hide = |s: String| -> String {
            secrets.iter().fold(s, |s, (_, secret)| {
                replace_token(&s, secret, &mask_secret(secret))
            })
        };
        // Line and column of every span end, in one pass over the text.
        let ends: Vec<usize> = raws
            .iter()
            .flat_map(|r| [r.span.start, r.span.end])
            .collect();
        let positions = if ends.is_empty() {
            Vec::new()
        } else {
            self.source.index().positions(self.source.text, &ends)
        };
        raws.iter()
            .enumerate()
            .map(|(i, raw)| {
                let (start, end) = (positions[2 * i], positions[2 * i + 1]);
                self.finding(raw, (start, end), shown_text, &hide)
            })
            .collect()
    }

    fn finding(
        &self,
        raw: &RawFinding,
        (start, end): (Position, Position),
        shown_text: &str,
        hide: &dyn Fn(String) -> String,
    ) -> Finding {
        let rule = &self.rules.rules[raw.rule];
        let action = self.action_info(&self.actions[raw.action]);
        let pointer = self.doc.pointer(raw.node);
        let fingerprint = fingerprint(&FingerprintParts {
            rule: &rule.id,
            story: action.story.as_deref(),
            action: action.guid.as_deref().or(action.name.as_deref()),
            path: pointer.strip_prefix(&action.pointer).unwrap_or(&pointer),
            // Masked as every output shows it: fingerprints are published
            // (SARIF), and one of a secret would let guesses be tested.
            text: &hide(raw.text.clone()),
        });
        let name = self.source.name;
        Finding {
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
            snippet: Snippet::at(
                name,
                shown_text,
                self.source.index(),
                raw.span.clone(),
                start,
            ),
            span: raw.span.clone(),
            action: Some(action),
        }
    }

    fn action_info(&self, action: &Action) -> ActionInfo {
        let story = action
            .story
            .and_then(|s| self.doc.get(s, "guid"))
            .and_then(|g| self.doc.str_value(g))
            .map(|g| g.into_owned());
        ActionInfo {
            name: action.name.clone(),
            guid: action.guid.clone(),
            action_type: action.action_type.clone(),
            pointer: self.doc.pointer(action.node),
            story,
        }
    }
}

/// `text` with the secrets at `spans` masked byte for byte.
fn masked<'s>(text: &str, spans: impl Iterator<Item = &'s Range<usize>>) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for span in spans {
        mask_bytes(&mut bytes, span.clone());
    }
    // Masking replaces whole characters with ASCII, so the text stays
    // UTF-8 (and if it somehow did not, a lossy copy is still safe).
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
pub(crate) fn fingerprint(parts: &FingerprintParts) -> String {
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
}
