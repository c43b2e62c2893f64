//! Conditions that look at the document around the value.

use super::Hit;
use crate::parse::Document;

/// An earlier member of the same object has the subject's key.
pub(super) fn duplicate_key(doc: &Document, node: u32, ignore_case: bool) -> Vec<Hit> {
    match earlier_same_key(doc, node, ignore_case) {
        Some(first) => vec![Hit {
            reason: Some(format!("`{first}` is set earlier in the same object")),
            ..Hit::default()
        }],
        None => Vec::new(),
    }
}

/// The key of an earlier member of the same object equal to `node`'s key.
fn earlier_same_key(doc: &Document, node: u32, ignore_case: bool) -> Option<String> {
    let key = doc.key_decoded(node)?;
    let parent = doc.node(node).parent;
    if parent == crate::parse::NONE {
        return None;
    }
    for sibling in doc.children(parent) {
        if sibling == node {
            return None;
        }
        if let Some(k) = doc.key_decoded(sibling) {
            let same = if ignore_case {
                k.text.eq_ignore_ascii_case(&key.text)
            } else {
                k.text == key.text
            };
            if same {
                return Some(k.text.into_owned());
            }
        }
    }
    None
}
