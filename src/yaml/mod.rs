//! What configuration files and rule files share as YAML documents read
//! with serde-saphyr: where a value sits, and the library's error said in
//! storylint's words.

pub(crate) mod files;

use crate::error::{RuleError, RuleErrorKind};
use crate::source::LineIndex;
use serde_saphyr::Spanned;
use std::ops::Range;

/// A YAML file (a rule or an API profile) being read into its spec and
/// checked, with every problem located at the bytes it comes from.
pub(crate) struct Reader<'a> {
    pub(crate) name: &'a str,
    pub(crate) yaml: &'a str,
    pub(crate) index: LineIndex,
    pub(crate) errors: Vec<RuleError>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(name: &'a str, yaml: &'a str) -> Self {
        Reader {
            name,
            yaml,
            index: LineIndex::new(yaml),
            errors: Vec::new(),
        }
    }

    pub(crate) fn error(
        &mut self,
        kind: RuleErrorKind,
        span: Option<Range<usize>>,
        message: impl Into<String>,
        help: Option<&str>,
    ) {
        let mut e = RuleError::new(kind, self.name, message);
        if let Some(h) = help {
            e = e.with_help(h);
        }
        if let Some(span) = span.filter(|s| s.end <= self.yaml.len()) {
            e = e.at(self.yaml, &self.index, span);
        }
        self.errors.push(e);
    }

    /// A problem with the value `at`.
    pub(crate) fn at<T>(
        &mut self,
        kind: RuleErrorKind,
        at: &Spanned<T>,
        message: impl Into<String>,
        help: Option<&str>,
    ) {
        self.error(kind, span_of(at), message, help);
    }

    /// The document read as `T`; `None`, with the error recorded as
    /// `kind`, when it is not valid YAML or not shaped like `T`.
    /// The file's spec: `None`, with a located error, when it is not YAML
    /// (`syntax`) or does not fit the format (`shape`: an unknown key, a
    /// missing field, a value of the wrong type).
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        (syntax, shape): (RuleErrorKind, RuleErrorKind),
    ) -> Option<T> {
        let options = serde_saphyr::options! { with_snippet: false };
        match serde_saphyr::from_str_with_options(self.yaml, options) {
            Ok(spec) => Some(spec),
            Err(e) => {
                let span = e.location().and_then(|l| {
                    let s = l.span();
                    let start = s.byte_offset()? as usize;
                    Some(start..start + (s.byte_len().unwrap_or(0) as usize).max(1))
                });
                let mut message = yaml_message(&e);
                let kind = if is_shape_error(&e) { shape } else { syntax };
                // The library places a missing key at some key of the
                // mapping that lacks it; point at the mapping itself.
                let span = match (is_missing_field(&e), span) {
                    (true, Some(s)) => {
                        let at = mapping_start(self.yaml, s.start);
                        message.push_str(" in the mapping that starts here");
                        Some(at..at + 1)
                    }
                    (_, span) => span,
                };
                self.error(kind, span, message, None);
                None
            }
        }
    }

    /// The line (1-based) where the value `at` starts.
    pub(crate) fn line_of<T>(&self, at: &Spanned<T>) -> Option<usize> {
        span_of(at).map(|s| self.index.position(self.yaml, s.start).line)
    }
}

/// Whether a YAML error is about the document's shape (it reads as YAML
/// but does not fit the format) rather than its syntax.
pub(crate) fn is_shape_error(e: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    let mut e = e;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = e {
        e = error;
    }
    matches!(
        e,
        E::SerdeInvalidType { .. }
            | E::SerdeInvalidValue { .. }
            | E::SerdeInvalidLength { .. }
            | E::SerdeUnknownVariant { .. }
            | E::SerdeUnknownField { .. }
            | E::SerdeMissingField { .. }
            | E::Unexpected { .. }
            | E::NullIntoString { .. }
    )
}

fn is_missing_field(e: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    let mut e = e;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = e {
        e = error;
    }
    matches!(e, E::SerdeMissingField { .. })
}

/// The first key of the block mapping whose key is at `offset`: the
/// nearest line above at the same indentation with none less indented
/// between (blank and comment lines skipped).
fn mapping_start(yaml: &str, offset: usize) -> usize {
    let offset = offset.min(yaml.len());
    let line_at = |o: usize| yaml[..o].rfind('\n').map_or(0, |i| i + 1);
    let indent = |start: usize| {
        let line = &yaml[start..];
        line.len() - line.trim_start_matches([' ', '-']).len()
    };
    let mut start = line_at(offset);
    let level = indent(start);
    while start > 0 {
        let above = line_at(start - 1);
        let text = yaml[above..start].trim();
        if text.is_empty() || text.starts_with('#') {
            start = above;
            continue;
        }
        if indent(above) != level {
            break;
        }
        start = above;
        // A sequence item's first key follows its `- `.
        if yaml[above..].trim_start().starts_with('-') {
            break;
        }
    }
    start + level
}

/// Whether `id` is lower-case words (letters and digits) joined by `-`, as
/// rule and API ids are.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The byte range of a value in the YAML text, when the parser knows it.
pub(crate) fn span_of<T>(s: &Spanned<T>) -> Option<Range<usize>> {
    let span = s.referenced.span();
    let start = span.byte_offset()? as usize;
    let len = span.byte_len()? as usize;
    Some(start..start + len)
}

/// The error text in storylint's words, without the location (the
/// diagnostic shows it) and without advice meant for the programs that use
/// the YAML library ("set DuplicateKeyPolicy in Options").
pub(crate) fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    match e {
        E::WithSnippet { error, .. } => yaml_message(error),
        E::DuplicateMappingKey { key: Some(k), .. } => {
            format!("`{k}` is written twice in the same mapping; write each key once")
        }
        E::DuplicateMappingKey { key: None, .. } => {
            "a key is written twice in the same mapping; write each key once".into()
        }
        E::Budget { .. } => {
            "the document is too large or too deeply nested to read as a storylint file".into()
        }
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            "its aliases expand too far (`*name` referring to `&name` over and over)".into()
        }
        _ => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid YAML").trim();
            // serde-saphyr appends " at line L column C"; the snippet
            // already says where.
            match first.rfind(" at line ") {
                Some(i) => first[..i].to_string(),
                None => first.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_is_placed_at_its_mapping() {
        let yaml = "id: x\n# note\ntarget:\n  a: 1\n\n  b: 2\nlist:\n  - name: n\n    input: i\n";
        let at = |key: &str| mapping_start(yaml, yaml.find(key).unwrap());
        assert_eq!(at("target"), 0);
        assert_eq!(at("b: 2"), yaml.find("a: 1").unwrap());
        assert_eq!(at("input"), yaml.find("name").unwrap());
        assert_eq!(at("name"), yaml.find("name").unwrap());
    }

    fn message(yaml: &str) -> String {
        let e = serde_saphyr::from_str::<serde_json::Value>(yaml).unwrap_err();
        yaml_message(&e)
    }

    #[test]
    fn library_advice_is_said_in_storylints_words() {
        let m = message("id: x\nid: y\n");
        assert_eq!(
            m,
            "`id` is written twice in the same mapping; write each key once"
        );
        assert!(!m.contains("Policy") && !m.contains("Options"), "{m}");
    }
}
