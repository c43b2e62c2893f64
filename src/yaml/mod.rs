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
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        kind: RuleErrorKind,
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
                let message = yaml_message(&e);
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
