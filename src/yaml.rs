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

/// The error text without the location, which the diagnostic shows itself.
pub(crate) fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // serde-saphyr appends " at line L column C"; the snippet already says where.
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}
