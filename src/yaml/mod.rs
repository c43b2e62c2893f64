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
    /// The same document as JSON, made by `build.rs` for a built-in file:
    /// read instead of the YAML, several times faster.
    json: Option<&'a str>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(name: &'a str, yaml: &'a str) -> Self {
        Reader {
            name,
            yaml,
            index: LineIndex::new(yaml),
            errors: Vec::new(),
            json: None,
        }
    }

    /// A built-in file, with the JSON form `build.rs` made of it (if any).
    pub(crate) fn builtin(name: &'a str, yaml: &'a str, json: Option<&'a str>) -> Self {
        Reader {
            json,
            ..Reader::new(name, yaml)
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
        // The JSON form holds no location, so should it not read (a
        // defect the test suite catches), the YAML is read to say where.
        if let Some(spec) = self.json.and_then(|json| serde_json::from_str(json).ok()) {
            return Some(spec);
        }
        let yaml = self.yaml;
        read_past_unknown_keys(yaml, |e| {
            let mut message = yaml_message(e);
            let kind = if is_shape_error(e) { shape } else { syntax };
            // The library places a missing key at some key of the mapping
            // that lacks it; point at the mapping itself.
            let span = match (is_missing_field(e), error_span(e)) {
                (true, Some(s)) => {
                    let at = mapping_start(yaml, s.start);
                    message.push_str(" in the mapping that starts here");
                    Some(at..at + 1)
                }
                (_, span) => span,
            };
            self.error(kind, span, message, None);
        })
    }

    /// The line (1-based) where the value `at` starts.
    pub(crate) fn line_of<T>(&self, at: &Spanned<T>) -> Option<usize> {
        span_of(at).map(|s| self.index.position(self.yaml, s.start).line)
    }
}

/// Where a YAML error is, as a byte range of at least one byte.
pub(crate) fn error_span(e: &serde_saphyr::Error) -> Option<Range<usize>> {
    e.location().and_then(|l| {
        let s = l.span();
        let start = s.byte_offset()? as usize;
        Some(start..start + (s.byte_len().unwrap_or(0) as usize).max(1))
    })
}

/// The most unknown keys one reading goes past.
const MAX_UNKNOWN_KEYS: usize = 64;

/// Reads `yaml` as `T`, giving every problem to `problem`. An unknown key
/// does not end the reading: it is blanked out, with its value, in a copy
/// (same offsets), and the rest is read again, so one run reports every
/// misspelt key and then whatever else is wrong. Any other problem ends it
/// (`None`). A `T` read past unknown keys is returned all the same, so its
/// values can be checked too; the caller knows from the problems that the
/// file is not valid.
pub(crate) fn read_past_unknown_keys<T: serde::de::DeserializeOwned>(
    yaml: &str,
    mut problem: impl FnMut(&serde_saphyr::Error),
) -> Option<T> {
    let mut text = std::borrow::Cow::Borrowed(yaml);
    // Keys whose absence is said already: those an unknown key was taken
    // for, and those whose value was wrong and is blanked out.
    let mut said: Vec<String> = Vec::new();
    for _ in 0..=MAX_UNKNOWN_KEYS {
        let options = serde_saphyr::options! { with_snippet: false };
        let e = match serde_saphyr::from_str_with_options(&text, options) {
            Ok(spec) => return Some(spec),
            Err(e) => e,
        };
        let at = error_span(&e).map(|s| s.start);
        let entry = match innermost(&e) {
            serde_saphyr::Error::SerdeMissingField { field, .. }
                if said.iter().any(|s| s == field) =>
            {
                return None;
            }
            // Nothing to blank: the reading ends with it (blanking the
            // entry the error points at said it again for each key).
            serde_saphyr::Error::SerdeMissingField { .. } => None,
            serde_saphyr::Error::SerdeUnknownField {
                field, expected, ..
            } => {
                said.extend(crate::suggest::closest(field, expected).map(String::from));
                at
            }
            // A value of the wrong type or form: its whole entry goes.
            _ if is_shape_error(&e) => {
                at.and_then(|at| entry_key_at(&text, at))
                    .map(|(start, key)| {
                        said.push(key);
                        start
                    })
            }
            _ => None,
        };
        problem(&e);
        text = std::borrow::Cow::Owned(entry.and_then(|start| blank_entry(&text, start))?);
    }
    None
}

/// The key of the block mapping entry on the line of `offset` (after any
/// indentation and `- `): where it starts, and its name.
fn entry_key_at(yaml: &str, offset: usize) -> Option<(usize, String)> {
    let offset = offset.min(yaml.len());
    let line = yaml[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = yaml[line..].find('\n').map_or(yaml.len(), |i| line + i);
    let text = &yaml[line..end];
    let rest = text.trim_start_matches(' ');
    let rest = rest
        .strip_prefix("- ")
        .map_or(rest, |r| r.trim_start_matches(' '));
    let colon = rest
        .find(": ")
        .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))?;
    let key = &rest[..colon];
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| (line + (text.len() - rest.len()), key.to_string()))
}

/// The error itself, without the snippets and alias notes around it.
fn innermost(e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    use serde_saphyr::Error as E;
    let mut e = e;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = e {
        e = error;
    }
    e
}

/// `yaml` with the block mapping entry whose key starts at `key` replaced
/// by spaces: the key, its value and the lines below it indented further.
/// `None` where the key does not begin its line (after any `- `), as in a
/// flow mapping.
fn blank_entry(yaml: &str, key: usize) -> Option<String> {
    let line = yaml[..key].rfind('\n').map_or(0, |i| i + 1);
    let lead = &yaml[line..key];
    if !lead
        .trim_start_matches(' ')
        .trim_start_matches("- ")
        .trim_start_matches(' ')
        .is_empty()
    {
        return None;
    }
    let column = key - line;
    let mut end = yaml[key..].find('\n').map_or(yaml.len(), |i| key + i);
    while end < yaml.len() {
        let next = end + 1;
        let stop = yaml[next..].find('\n').map_or(yaml.len(), |i| next + i);
        let text = &yaml[next..stop];
        let indent = text.len() - text.trim_start_matches(' ').len();
        if !text.trim().is_empty() && indent <= column {
            break;
        }
        end = stop;
    }
    let mut out = yaml.to_string();
    let blank: String = yaml[key..end]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    // Multi-byte characters become one space each: pad to the same length.
    let pad = (end - key) - blank.len();
    out.replace_range(key..end, &format!("{blank}{}", " ".repeat(pad)));
    Some(out)
}

/// Whether a YAML error is about the document's shape (it reads as YAML
/// but does not fit the format) rather than its syntax.
pub(crate) fn is_shape_error(e: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    matches!(
        innermost(e),
        E::SerdeInvalidType { .. }
            | E::SerdeInvalidValue { .. }
            | E::SerdeInvalidLength { .. }
            | E::SerdeUnknownVariant { .. }
            | E::SerdeUnknownField { .. }
            | E::SerdeMissingField { .. }
            | E::Unexpected { .. }
            | E::NullIntoString { .. }
            | E::InvalidScalar { .. }
            | E::InvalidBooleanStrict { .. }
            | E::InvalidCharNull { .. }
            | E::InvalidCharNotSingleScalar { .. }
            | E::NonFiniteFloat { .. }
    )
}

fn is_missing_field(e: &serde_saphyr::Error) -> bool {
    matches!(innermost(e), serde_saphyr::Error::SerdeMissingField { .. })
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
    let start = line_at(offset);
    let level = indent(start);
    // Upward over the entry's siblings and what is nested under them, to
    // the first line at the level (or a sequence item's first key).
    let (mut first, mut at) = (start, start);
    while at > 0 {
        let above = line_at(at - 1);
        at = above;
        let text = yaml[above..].lines().next().unwrap_or("").trim();
        if text.is_empty() || text.starts_with('#') || indent(above) > level {
            continue;
        }
        if indent(above) < level {
            break;
        }
        first = above;
        if text.starts_with('-') {
            break;
        }
    }
    first + level
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
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            let guess = crate::suggest::closest(field, expected)
                .map(|g| format!("; did you mean `{g}`?"))
                .unwrap_or_default();
            format!(
                "unknown field `{field}`{guess} (expected one of {})",
                expected.join(", ")
            )
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
        // Past what is nested under the keys above.
        assert_eq!(at("list"), 0);
    }

    fn message(yaml: &str) -> String {
        let e = serde_saphyr::from_str::<serde_json::Value>(yaml).unwrap_err();
        yaml_message(&e)
    }

    #[test]
    fn an_unknown_key_is_blanked_with_its_value() {
        let yaml = "id: x\nsumary: |\n  two\n\n  lines\nlist:\n  - bad: 1\n    ok: 2\n";
        let out = blank_entry(yaml, yaml.find("sumary").unwrap()).unwrap();
        assert_eq!(out.len(), yaml.len());
        assert_eq!(
            out,
            "id: x\n         \n     \n\n       \nlist:\n  - bad: 1\n    ok: 2\n"
        );
        let out = blank_entry(yaml, yaml.find("bad").unwrap()).unwrap();
        assert!(out.contains("  -       \n    ok: 2"), "{out}");
        assert_eq!(blank_entry("{a: 1, b: 2}", 7), None);
    }

    #[test]
    fn every_unknown_key_is_reported_then_the_rest_is_read() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            id: String,
            list: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Item {
            ok: u8,
        }
        let yaml =
            "id: x\nsumary: |\n  two\nlist:\n  - bad: 1\n    ok: 2\n  - ok: 3\n    worse: [1, 2]\n";
        let mut seen = Vec::new();
        let s: Option<S> = read_past_unknown_keys(yaml, |e| seen.push(yaml_message(e)));
        assert_eq!(s.map(|s| s.list.len()), Some(2));
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(
            seen[0].contains("sumary") && seen[1].contains("bad") && seen[2].contains("worse"),
            "{seen:?}"
        );
    }

    #[test]
    fn a_missing_key_is_said_once() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct S {
            id: String,
            summary: String,
            message: String,
        }
        for yaml in ["id: x\nmessage: m\n", "id: x\nsumary: s\nmessage: m\n"] {
            let mut seen = Vec::new();
            let s: Option<S> = read_past_unknown_keys(yaml, |e| seen.push(yaml_message(e)));
            assert!(s.is_none());
            assert_eq!(seen.len(), 1, "{yaml:?}: {seen:?}");
        }
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
