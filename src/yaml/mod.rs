//! What configuration files and rule files share as YAML documents read
//! with serde-saphyr: where a value sits, and the library's error said in
//! storylint's words.

use serde_saphyr::Spanned;
use std::ops::Range;

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
