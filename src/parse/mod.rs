//! Stage 2: parse a JSON text into a flat tree of nodes that carry byte spans.
//!
//! `serde_json` gives no positions, so the tree is built with the `jiter` pull
//! parser. Every node records the byte range of its value and, for object
//! members, of its key (quotes included). Strings are not decoded here: a rule
//! that inspects one decodes it with [`strings::decode`], which also returns a
//! map from decoded offsets back to source bytes.
//!
//! The walk keeps its own stack, so nesting depth is bounded by
//! [`MAX_DEPTH`] and never by the thread's stack.

pub mod strings;

use jiter::{Jiter, Peek};
use std::borrow::Cow;

pub use strings::{DecodedStr, decode, decode_text};

/// Deepest nesting accepted. Real exports nest a few dozen levels; this cap
/// turns pathological input into a located error instead of unbounded work.
pub const MAX_DEPTH: usize = 1024;

/// Largest text the `u32` offsets can address.
pub const MAX_LEN: usize = u32::MAX as usize - 1;

/// What kind of JSON value a node holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "boolean",
            Kind::Number => "number",
            Kind::String => "string",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }
}

/// Sentinel for "no parent" / "no key".
pub const NONE: u32 = u32::MAX;

/// One JSON value, stored in pre-order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    /// Byte range of the value (strings include their quotes).
    pub start: u32,
    pub end: u32,
    /// Byte range of the member key including quotes, or `NONE` for array
    /// items and the root.
    pub key_start: u32,
    pub key_end: u32,
    /// Index of the parent node, `NONE` for the root.
    pub parent: u32,
    /// Index one past this node's subtree: the next sibling, if any.
    pub next: u32,
    /// Position among the parent's children.
    pub index: u32,
}

impl Node {
    pub fn has_key(&self) -> bool {
        self.key_start != NONE
    }
}

/// A parse failure at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub offset: usize,
    /// The parser stopped on an unpaired UTF-16 surrogate escape, which the
    /// JSON grammar allows; see [`replace_lone_surrogates`].
    pub lone_surrogate: bool,
}

/// Byte offsets of the unpaired UTF-16 surrogate escapes in `text`: a
/// `\ud800`-style high surrogate not directly followed by a low surrogate
/// escape, or a low surrogate escape not preceded by a high one. Escaped
/// backslashes (`\\ud800`) are skipped as two-byte escapes, as a JSON
/// string reader does. This one scan serves both to locate the escape the
/// parser stopped on and to replace them all ([`replace_lone_surrogates`]).
pub fn lone_surrogate_escapes(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    let hex_at = move |i: usize| -> Option<u16> {
        if bytes.get(i) != Some(&b'\\') || bytes.get(i + 1) != Some(&b'u') {
            return None;
        }
        let h = bytes.get(i + 2..i + 6)?;
        if !h.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let Some(at) = memchr::memchr(b'\\', &bytes[i..]).map(|r| i + r) else {
                i = bytes.len();
                break;
            };
            match hex_at(at) {
                Some(0xD800..=0xDBFF) => {
                    if matches!(hex_at(at + 6), Some(0xDC00..=0xDFFF)) {
                        i = at + 12;
                    } else {
                        i = at + 6;
                        return Some(at);
                    }
                }
                Some(0xDC00..=0xDFFF) => {
                    i = at + 6;
                    return Some(at);
                }
                Some(_) => i = at + 6,
                // Any other escape, including `\\`, is two bytes.
                None => i = at + 2,
            }
        }
        None
    })
}

/// `text` with every unpaired surrogate escape (`\ud800` not followed by a
/// low surrogate, or a lone `\udc00`) replaced by `\ufffd`, the
/// replacement character: same length, so every offset is unchanged. JSON's
/// grammar allows unpaired surrogates and Tines' parsers accept them; the
/// span parser does not, so it parses this copy instead.
pub fn replace_lone_surrogates(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    for at in lone_surrogate_escapes(text) {
        out[at + 2..at + 6].copy_from_slice(b"fffd");
    }
    // Only ASCII hex digits were replaced by ASCII.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A parsed JSON document: the text and its span tree.
#[derive(Debug)]
pub struct Document<'t> {
    text: &'t str,
    nodes: Vec<Node>,
}

struct Frame {
    node: u32,
    is_object: bool,
    children: u32,
}

impl<'t> Document<'t> {
    /// Parses `text` (already known to be UTF-8) into a span tree.
    pub fn parse(text: &'t str) -> Result<Self, ParseError> {
        if text.len() > MAX_LEN {
            return Err(ParseError {
                message: "file is too large to address".into(),
                offset: 0,
                lone_surrogate: false,
            });
        }
        let data = text.as_bytes();
        let mut jiter = Jiter::new(data);
        let mut nodes: Vec<Node> = Vec::with_capacity(data.len() / 24 + 1);
        let mut stack: Vec<Frame> = Vec::new();
        let err = |e: jiter::JiterError| {
            let offset = e.index.min(data.len());
            match lone_surrogate(text, &e.error_type, offset) {
                Some((at, esc)) => ParseError {
                    message: format!(
                        "`{esc}` is half of a UTF-16 surrogate pair with no other half, \
                         which is not valid Unicode"
                    ),
                    offset: at,
                    lone_surrogate: true,
                },
                None => ParseError {
                    message: describe(&e.error_type),
                    offset,
                    lone_surrogate: false,
                },
            }
        };

        // `pending` holds the peek of the next value to read and its key span.
        let mut pending: Option<(Peek, u32, u32)> = Some((jiter.peek().map_err(err)?, NONE, NONE));
        loop {
            if let Some((peek, key_start, key_end)) = pending.take() {
                let start = skip_ws(data, jiter.current_index()) as u32;
                let (parent, index) = match stack.last_mut() {
                    Some(frame) => {
                        frame.children += 1;
                        (frame.node, frame.children - 1)
                    }
                    None => (NONE, 0),
                };
                let id = nodes.len() as u32;
                let kind = match peek {
                    Peek::Null => Kind::Null,
                    Peek::True | Peek::False => Kind::Bool,
                    Peek::String => Kind::String,
                    Peek::Array => Kind::Array,
                    Peek::Object => Kind::Object,
                    _ => Kind::Number,
                };
                nodes.push(Node {
                    kind,
                    start,
                    end: start,
                    key_start,
                    key_end,
                    parent,
                    next: id + 1,
                    index,
                });
                match kind {
                    Kind::Array | Kind::Object => {
                        if stack.len() >= MAX_DEPTH {
                            return Err(ParseError {
                                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
                                offset: start as usize,
                                lone_surrogate: false,
                            });
                        }
                        stack.push(Frame {
                            node: id,
                            is_object: kind == Kind::Object,
                            children: 0,
                        });
                        if kind == Kind::Array {
                            if let Some(p) = jiter.known_array().map_err(err)? {
                                pending = Some((p, NONE, NONE));
                            }
                        } else if let Some(key) = jiter.next_object_bytes().map_err(err)? {
                            let (ks, ke) = key_span(data, key);
                            pending = Some((jiter.peek().map_err(err)?, ks, ke));
                        }
                        if pending.is_none() {
                            // Empty container: closed already.
                            close(&mut nodes, &mut stack, jiter.current_index());
                        } else {
                            continue;
                        }
                    }
                    _ => {
                        jiter.known_skip(peek).map_err(err)?;
                        let n = &mut nodes[id as usize];
                        n.end = jiter.current_index() as u32;
                    }
                }
            }
            // A value just finished: advance the innermost container.
            let Some(frame) = stack.last() else { break };
            if frame.is_object {
                match jiter.next_key_bytes().map_err(err)? {
                    Some(key) => {
                        let (ks, ke) = key_span(data, key);
                        pending = Some((jiter.peek().map_err(err)?, ks, ke));
                    }
                    None => close(&mut nodes, &mut stack, jiter.current_index()),
                }
            } else {
                match jiter.array_step().map_err(err)? {
                    Some(p) => pending = Some((p, NONE, NONE)),
                    None => close(&mut nodes, &mut stack, jiter.current_index()),
                }
            }
        }
        jiter.finish().map_err(|e| ParseError {
            message: match e.error_type {
                jiter::JiterErrorType::JsonError(jiter::JsonErrorType::TrailingCharacters) => {
                    "unexpected content after the JSON value (two documents in one file?)".into()
                }
                other => describe(&other),
            },
            offset: e.index.min(data.len()),
            lone_surrogate: false,
        })?;
        Ok(Document { text, nodes })
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn node(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn root(&self) -> u32 {
        0
    }

    pub fn kind(&self, id: u32) -> Kind {
        self.node(id).kind
    }

    /// The children of an array or object, in source order.
    pub fn children(&self, id: u32) -> Children<'_, 't> {
        let node = self.node(id);
        Children {
            doc: self,
            next: id + 1,
            end: node.next,
        }
    }

    /// Raw source text of a node's value.
    pub fn raw(&self, id: u32) -> &'t str {
        let n = self.node(id);
        &self.text[n.start as usize..n.end as usize]
    }

    /// Raw source text of a node's key, quotes included.
    pub fn raw_key(&self, id: u32) -> Option<&'t str> {
        let n = self.node(id);
        n.has_key()
            .then(|| &self.text[n.key_start as usize..n.key_end as usize])
    }

    /// Decoded key of an object member.
    pub fn key(&self, id: u32) -> Option<Cow<'t, str>> {
        let n = self.node(id);
        n.has_key()
            .then(|| decode_text(self.text, n.key_start as usize, n.key_end as usize))
    }

    /// Decoded key with its offset map.
    pub fn key_decoded(&self, id: u32) -> Option<DecodedStr<'t>> {
        let n = self.node(id);
        n.has_key()
            .then(|| decode(self.text, n.key_start as usize, n.key_end as usize))
    }

    /// Decoded string value with its offset map; `None` for non-strings.
    pub fn string(&self, id: u32) -> Option<DecodedStr<'t>> {
        let n = self.node(id);
        (n.kind == Kind::String).then(|| decode(self.text, n.start as usize, n.end as usize))
    }

    /// Decoded string value without the offset map.
    pub fn str_value(&self, id: u32) -> Option<Cow<'t, str>> {
        let n = self.node(id);
        (n.kind == Kind::String).then(|| decode_text(self.text, n.start as usize, n.end as usize))
    }

    /// The member of object `id` named `key`. With duplicate keys the last
    /// one wins, as in Ruby's and JavaScript's JSON parsers (and so Tines').
    pub fn get(&self, id: u32, key: &str) -> Option<u32> {
        let [found] = self.get_many(id, [key]);
        found
    }

    /// The members of object `id` named `keys`, in one pass over the
    /// object; with duplicate keys the last one wins (see [`Document::get`]).
    /// Always inlined: with the keys known where it is called, each
    /// comparison is a few instructions (an outlined copy cost the action
    /// model 40% more).
    #[inline(always)]
    pub fn get_many<const N: usize>(&self, id: u32, keys: [&str; N]) -> [Option<u32>; N] {
        let mut found = [None; N];
        if self.kind(id) != Kind::Object {
            return found;
        }
        for child in self.children(id) {
            if let Some(i) = keys.iter().position(|k| self.key_is(child, k)) {
                found[i] = Some(child);
            }
        }
        found
    }

    /// The children of `id` that count: for an object, its members except
    /// those overridden by a later member with the same key (the last one
    /// wins, as in [`Document::get`]); for an array, its items.
    pub fn live_children(&self, id: u32) -> Vec<u32> {
        let mut out = Vec::new();
        self.live_children_into(id, &mut out);
        out
    }

    /// Appends to `out` the members of object `id` that a later member with
    /// the same name overrides (see [`Document::live_children`]).
    pub fn overridden_members_into(&self, id: u32, out: &mut Vec<u32>) {
        self.members_into(id, out, false);
    }

    /// Appends the children of `id` that count (see [`Document::live_children`])
    /// to `out`.
    pub fn live_children_into(&self, id: u32, out: &mut Vec<u32>) {
        self.members_into(id, out, true);
    }

    /// Appends to `out` the children of `id` that are live (`live`) or
    /// overridden (not `live`).
    fn members_into(&self, id: u32, out: &mut Vec<u32>, live: bool) {
        let from = out.len();
        out.extend(self.children(id));
        let Some(flags) = self.live_flags(id, &out[from..]) else {
            // Every child counts.
            if !live {
                out.truncate(from);
            }
            return;
        };
        let mut i = 0;
        out.retain(|_| {
            // Entries before `from` are not ours: keep them.
            let keep = i < from || flags[i - from] == live;
            i += 1;
            keep
        });
    }

    /// Per child of `id` (given as `children`), whether it counts: `None`
    /// when all do, as in an array or an object with distinct keys.
    fn live_flags(&self, id: u32, children: &[u32]) -> Option<Vec<bool>> {
        if self.kind(id) != Kind::Object || children.len() < 2 {
            return None;
        }
        // Nearly every object has distinct keys: for a small one, compare
        // the raw keys pairwise, without decoding or hashing. A key with an
        // escape may equal another once decoded, so it takes the full path.
        if children.len() <= 16 && self.distinct_raw_keys(children) {
            return None;
        }
        let keys: Vec<Cow<'t, str>> = children
            .iter()
            .map(|&c| self.key(c).unwrap_or_default())
            .collect();
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let mut live = vec![false; keys.len()];
        for i in (0..keys.len()).rev() {
            live[i] = seen.insert(keys[i].as_ref());
        }
        Some(live)
    }

    /// Whether the members `children` (at most 16) have distinct raw keys
    /// without escapes: keys are told apart by length and first and last
    /// byte, and only those alike are compared whole.
    fn distinct_raw_keys(&self, children: &[u32]) -> bool {
        let raw = |c: u32| self.raw_key(c).unwrap_or_default().as_bytes();
        let mut sigs = [0u32; 16];
        if children.len() > sigs.len() {
            return false;
        }
        for (sig, &c) in sigs.iter_mut().zip(children) {
            let k = raw(c);
            if k.len() < 2 || k.contains(&b'\\') {
                return false;
            }
            *sig = (k.len() as u32) << 16 | u32::from(k[1]) << 8 | u32::from(k[k.len() - 2]);
        }
        let sigs = &sigs[..children.len()];
        sigs.iter().enumerate().all(|(i, a)| {
            sigs[i + 1..]
                .iter()
                .enumerate()
                .all(|(j, b)| a != b || raw(children[i]) != raw(children[i + 1 + j]))
        })
    }

    /// Whether a member's key equals `key`, without allocating when the key
    /// has no escapes.
    // Always inlined: lookups call it on every member they pass.
    #[inline(always)]
    pub fn key_is(&self, id: u32, key: &str) -> bool {
        let n = self.node(id);
        if !n.has_key() {
            return false;
        }
        let inner = &self.text.as_bytes()[n.key_start as usize + 1..n.key_end as usize - 1];
        let key = key.as_bytes();
        // An escape is longer than what it decodes to, so a raw key equals
        // `key` byte for byte (and has no backslash), or is longer and
        // starts with `key`'s first byte or an escape. Most keys fail the
        // length or first-byte test at once.
        if inner.len() == key.len() {
            inner == key && !inner.contains(&b'\\')
        } else if inner.len() > key.len()
            && key
                .first()
                .is_some_and(|&b| inner[0] == b || inner[0] == b'\\')
        {
            self.escaped_key_is(id, key)
        } else {
            false
        }
    }

    /// The slow path of [`Document::key_is`]: decode the key and compare.
    #[inline(never)]
    fn escaped_key_is(&self, id: u32, key: &[u8]) -> bool {
        let n = self.node(id);
        let inner = &self.text.as_bytes()[n.key_start as usize + 1..n.key_end as usize - 1];
        inner.contains(&b'\\') && self.key(id).is_some_and(|k| k.as_bytes() == key)
    }

    /// The `n`th item of an array.
    pub fn item(&self, id: u32, n: u32) -> Option<u32> {
        if self.kind(id) != Kind::Array {
            return None;
        }
        self.children(id).find(|c| self.node(*c).index == n)
    }

    /// RFC 6901 JSON Pointer of a node.
    pub fn pointer(&self, id: u32) -> String {
        let mut parts = Vec::new();
        let mut cur = id;
        while self.node(cur).parent != NONE {
            let node = self.node(cur);
            parts.push(match self.key(cur) {
                Some(k) => k.replace('~', "~0").replace('/', "~1"),
                None => node.index.to_string(),
            });
            cur = node.parent;
        }
        let mut out = String::new();
        for p in parts.iter().rev() {
            out.push('/');
            out.push_str(p);
        }
        out
    }
}

/// Iterator over the children of a container node.
pub struct Children<'d, 't> {
    doc: &'d Document<'t>,
    next: u32,
    end: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next >= self.end {
            return None;
        }
        let id = self.next;
        self.next = self.doc.node(id).next;
        Some(id)
    }
}

fn close(nodes: &mut [Node], stack: &mut Vec<Frame>, index: usize) {
    if let Some(frame) = stack.pop() {
        let next = nodes.len() as u32;
        let n = &mut nodes[frame.node as usize];
        n.end = index as u32;
        n.next = next;
    }
}

fn skip_ws(data: &[u8], mut i: usize) -> usize {
    while i < data.len() && matches!(data[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Span of a key (quotes included) from the raw key bytes jiter hands back,
/// which are a sub-slice of `data`.
fn key_span(data: &[u8], key: &[u8]) -> (u32, u32) {
    let inner_start = key.as_ptr() as usize - data.as_ptr() as usize;
    (
        (inner_start - 1) as u32,
        (inner_start + key.len() + 1) as u32,
    )
}

/// The unpaired surrogate escape the parser stopped on, when it stopped on
/// one: jiter (like serde_json) rejects them with one of two error types,
/// raised only for surrogate escapes. The escape is the first unpaired one
/// in the text, since the parser reads every string before the error.
fn lone_surrogate(
    text: &str,
    error: &jiter::JiterErrorType,
    offset: usize,
) -> Option<(usize, String)> {
    use jiter::JsonErrorType as J;
    if !matches!(
        error,
        jiter::JiterErrorType::JsonError(
            J::LoneLeadingSurrogateInHexEscape | J::UnexpectedEndOfHexEscape
        )
    ) {
        return None;
    }
    let at = lone_surrogate_escapes(text)
        .next()
        .filter(|at| *at <= offset)?;
    Some((at, text.get(at..at + 6)?.to_string()))
}

fn describe(e: &jiter::JiterErrorType) -> String {
    use jiter::JsonErrorType as J;
    match e {
        jiter::JiterErrorType::JsonError(j) => match j {
            J::EofWhileParsingList
            | J::EofWhileParsingObject
            | J::EofWhileParsingString
            | J::EofWhileParsingValue => {
                format!("the file ends too early ({j}); is it truncated?")
            }
            J::RecursionLimitExceeded => format!("nesting is deeper than {MAX_DEPTH} levels"),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(Kind, &str, Option<&str>)> {
        let doc = Document::parse(text).unwrap();
        (0..doc.nodes().len() as u32)
            .map(|i| (doc.kind(i), doc.raw(i), doc.raw_key(i)))
            .collect()
    }

    #[test]
    fn records_value_and_key_spans() {
        let got = spans(r#" {"a": [1, "x\"y", null], "b\u0041": {"c": true}} "#);
        assert_eq!(
            got,
            vec![
                (
                    Kind::Object,
                    r#"{"a": [1, "x\"y", null], "b\u0041": {"c": true}}"#,
                    None
                ),
                (Kind::Array, r#"[1, "x\"y", null]"#, Some(r#""a""#)),
                (Kind::Number, "1", None),
                (Kind::String, r#""x\"y""#, None),
                (Kind::Null, "null", None),
                (Kind::Object, r#"{"c": true}"#, Some(r#""b\u0041""#)),
                (Kind::Bool, "true", Some(r#""c""#)),
            ]
        );
    }

    #[test]
    fn live_children_drop_only_members_a_later_one_overrides() {
        let live = |text: &str| -> Vec<String> {
            let doc = Document::parse(text).unwrap();
            doc.live_children(0)
                .into_iter()
                .map(|c| format!("{}={}", doc.key(c).unwrap(), doc.raw(c)))
                .collect()
        };
        // Alike in length and first and last byte, yet distinct.
        assert_eq!(
            live(r#"{"a1b":1,"a2b":2,"":3,"ab":4}"#),
            ["a1b=1", "a2b=2", "=3", "ab=4"]
        );
        assert_eq!(live(r#"{"k":1,"x":2,"k":3}"#), ["x=2", "k=3"]);
        assert_eq!(live(r#"{"":1,"":2}"#), ["=2"]);
        // An escaped name equals its plain spelling.
        assert_eq!(live(r#"{"k":1,"\u006b":2}"#), ["k=2"]);
        // Past 16 members, the same answer by hashing.
        let many: Vec<String> = (0..20).map(|i| format!("\"m{}\":{i}", i % 18)).collect();
        assert_eq!(live(&format!("{{{}}}", many.join(","))).len(), 18);
    }

    #[test]
    fn navigation_and_pointers() {
        let doc = Document::parse(r#"{"agents":[{"a/b":{"x~y":1}},{}],"k":1,"k":2}"#).unwrap();
        let agents = doc.get(0, "agents").unwrap();
        let first = doc.item(agents, 0).unwrap();
        let ab = doc.get(first, "a/b").unwrap();
        let xy = doc.get(ab, "x~y").unwrap();
        assert_eq!(doc.pointer(xy), "/agents/0/a~1b/x~0y");
        assert_eq!(
            doc.item(agents, 1).map(|n| doc.pointer(n)).as_deref(),
            Some("/agents/1")
        );
        // Duplicate keys: the last one wins.
        assert_eq!(doc.raw(doc.get(0, "k").unwrap()), "2");
        assert_eq!(doc.children(agents).count(), 2);
        assert_eq!(doc.key(ab).as_deref(), Some("a/b"));
    }

    #[test]
    fn errors_are_located() {
        let e = Document::parse(r#"{"a": [1, 2"#).unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        assert_eq!(e.offset, 11);
        let e = Document::parse("{} {}").unwrap_err();
        assert!(e.message.contains("two documents"), "{}", e.message);
        assert_eq!(e.offset, 3);
        assert!(Document::parse("").is_err());
        assert!(Document::parse("   \n").is_err());
        assert!(Document::parse(r#"["\ud800"]"#).is_err());
        assert!(Document::parse("[1e999999]").is_ok());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        let e = Document::parse(&deep).unwrap_err();
        assert!(e.message.contains("nesting"));
        assert_eq!(e.offset, MAX_DEPTH);
        let ok = "{\"a\":".repeat(500) + "1" + &"}".repeat(500);
        assert!(Document::parse(&ok).is_ok());
    }

    #[test]
    fn lone_surrogates_are_replaced_in_place() {
        let text = r#"["\ud800x", "\ud83d\ude00", "\\ud800", "\udc00", "\u0041"]"#;
        let err = Document::parse(text).unwrap_err();
        assert!(err.lone_surrogate, "{err:?}");
        let fixed = replace_lone_surrogates(text);
        assert_eq!(fixed.len(), text.len());
        assert_eq!(
            fixed,
            r#"["\ufffdx", "\ud83d\ude00", "\\ud800", "\ufffd", "\u0041"]"#
        );
        let doc = Document::parse(&fixed).unwrap();
        assert_eq!(doc.str_value(doc.item(0, 0).unwrap()).unwrap(), "\u{FFFD}x");
    }

    /// One piece of a string literal: its source text and the UTF-16 code
    /// units it stands for.
    fn piece(src: &str, units: &[u16]) -> (String, Vec<u16>) {
        (src.to_string(), units.to_vec())
    }

    /// Pieces the arrangements are made of: surrogate escapes alone and in
    /// pairs, other escapes (among them an escaped backslash before `u`),
    /// and literal text (ASCII, BMP and astral).
    fn pieces() -> Vec<(String, Vec<u16>)> {
        vec![
            piece(r"\ud800", &[0xD800]),
            piece(r"\uDBFF", &[0xDBFF]),
            piece(r"\udc00", &[0xDC00]),
            piece(r"\uDFFF", &[0xDFFF]),
            piece(r"\ud83d\ude00", &[0xD83D, 0xDE00]),
            piece(r"\u0041", &[0x41]),
            piece(r"\ufffd", &[0xFFFD]),
            piece(r"\\", &[0x5C]),
            piece(r"\\ud800", &[0x5C, 0x75, 0x64, 0x38, 0x30, 0x30]),
            piece(r"\n", &[0x0A]),
            piece(r#"\""#, &[0x22]),
            piece("a", &[0x61]),
            piece("é", &[0xE9]),
            piece("😀", &[0xD83D, 0xDE00]),
        ]
    }

    /// Checks one arrangement against a model: the string is UTF-16 code
    /// units, and decoding replaces each unpaired surrogate with U+FFFD
    /// (`String::from_utf16_lossy`). The parser must stop on the first
    /// unpaired surrogate escape, flag it as such and point at it; the
    /// patched text must parse and decode like the model.
    fn check_arrangement(parts: &[&(String, Vec<u16>)]) {
        let prefix = r#"{"agents": [], "n": ""#;
        let mut text = prefix.to_string();
        // (unit, byte offset of the escape it came from, if an escape)
        let mut units: Vec<(u16, Option<usize>)> = Vec::new();
        for (src, us) in parts {
            let at = text.len();
            let escape = src.starts_with(r"\u");
            let mut off = at;
            for u in us.iter() {
                units.push((*u, escape.then_some(off)));
                off += 6;
            }
            text.push_str(src);
        }
        text.push_str("\"}");
        let expected = String::from_utf16_lossy(&units.iter().map(|u| u.0).collect::<Vec<_>>());
        let mut first_lone = None;
        let mut i = 0;
        while i < units.len() {
            let u = units[i].0;
            if (0xD800..0xDC00).contains(&u)
                && units
                    .get(i + 1)
                    .is_some_and(|n| (0xDC00..0xE000).contains(&n.0))
            {
                i += 2;
                continue;
            }
            if (0xD800..0xE000).contains(&u) && first_lone.is_none() {
                first_lone = units[i].1;
            }
            i += 1;
        }
        match Document::parse(&text) {
            Ok(_) => assert_eq!(first_lone, None, "{text}: accepted with a lone surrogate"),
            Err(e) => {
                assert!(e.lone_surrogate, "{text}: rejected: {e:?}");
                assert_eq!(Some(e.offset), first_lone, "{text}: {e:?}");
                assert!(e.message.contains(&text[e.offset..e.offset + 6]), "{e:?}");
            }
        }
        let found: Vec<usize> = lone_surrogate_escapes(&text).collect();
        assert_eq!(found.first().copied(), first_lone, "{text}");
        let patched = replace_lone_surrogates(&text);
        assert_eq!(patched.len(), text.len());
        let doc = Document::parse(&patched).unwrap_or_else(|e| panic!("{patched}: {e:?}"));
        let n = doc.get(0, "n").unwrap();
        assert_eq!(doc.str_value(n).unwrap(), expected, "{text}");
    }

    #[test]
    fn surrogate_arrangements_from_the_audit() {
        for (text, lone_at) in [
            (r#"{"agents": [], "n": "\ud800\u0041"}"#, Some(21)),
            (r#"{"agents": [], "n": "\ud800\ud800\udfff"}"#, Some(21)),
            (r#"{"agents": [], "n": "\udc00\ud800"}"#, Some(21)),
            (r#"{"agents": [], "n": "x\ud800"}"#, Some(22)),
            (r#"{"agents": [], "n": "\ud800\n"}"#, Some(21)),
            (r#"{"agents": [], "n": "\\ud800\ud83d\ude00"}"#, None),
            (r#"{"agents": [], "\ud800": 1}"#, Some(16)),
        ] {
            match Document::parse(text) {
                Ok(_) => assert_eq!(lone_at, None, "{text}"),
                Err(e) => {
                    assert!(e.lone_surrogate, "{text}: {e:?}");
                    assert_eq!(Some(e.offset), lone_at, "{text}: {e:?}");
                }
            }
            assert!(Document::parse(&replace_lone_surrogates(text)).is_ok());
        }
        // Not surrogate errors: other bad escapes and truncation stay errors.
        for text in [r#"["\ud800\uZZZZ"]"#, r#"["\ud800"#, r#"["\u+d80"]"#] {
            let e = Document::parse(text).unwrap_err();
            assert!(!e.lone_surrogate, "{text}: {e:?}");
        }
    }

    #[test]
    fn every_short_surrogate_arrangement() {
        let all = pieces();
        for a in &all {
            check_arrangement(&[a]);
            for b in &all {
                check_arrangement(&[a, b]);
                for c in &all {
                    check_arrangement(&[a, b, c]);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn long_surrogate_arrangements(picks in proptest::collection::vec(0usize..14, 0..24)) {
            let all = pieces();
            let parts: Vec<_> = picks.iter().map(|i| &all[*i]).collect();
            check_arrangement(&parts);
        }
    }
}
