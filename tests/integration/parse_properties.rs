//! Property tests for the span parser (`storylint::parse`): spans re-parse to
//! the values they claim, the tree links are consistent, the decoded-string
//! offset map round-trips, and no input makes the parser or the per-file
//! pipeline panic.

use crate::common::fixture_exports;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use std::sync::OnceLock;
use storylint::parse::{Document, Kind, NONE, decode};
use storylint::rules::RuleSet;

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Characters that stress string handling: quotes, backslashes, every control
/// character, the JSON-but-not-JavaScript separators, a BOM, multi-byte and
/// astral characters, surrogate-adjacent code points.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => prop::sample::select(vec![
            '"', '\\', '/', '\u{8}', '\u{c}', '\n', '\r', '\t', '\u{0}', '\u{1f}', '\u{7f}',
            '\u{2028}', '\u{2029}', '\u{feff}', '\u{fffd}', '\u{d7ff}', '\u{e000}', '\u{ffff}',
            '\u{10000}', '\u{10ffff}', 'é', '中', '😀', '~', ' ', 'u',
        ]),
        2 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        4 => prop::char::range('a', 'z'),
    ]
}

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    vec(tricky_char(), 0..max).prop_map(String::from_iter)
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        (-1000i64..1000).prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        (-1e6f64..1e6).prop_filter_map("finite", Number::from_f64),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        tricky_string(12).prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(tricky_string(6), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

// ---------------------------------------------------------------------------
// A serialiser with random whitespace and random string escapes
// ---------------------------------------------------------------------------

/// Deterministic stream of choices drawn from a proptest-generated vector.
struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self) -> u8 {
        if self.bytes.is_empty() {
            return 0;
        }
        let b = self.bytes[self.at % self.bytes.len()];
        self.at += 1;
        b
    }
}

fn push_u_escape(out: &mut String, unit: u16, upper: bool) {
    if upper {
        out.push_str(&format!("\\u{unit:04X}"));
    } else {
        out.push_str(&format!("\\u{unit:04x}"));
    }
}

/// Writes `c` into a JSON string literal: literally (where allowed), as a
/// short escape (where one exists) or as `\uXXXX` (a surrogate pair for
/// astral characters), as `mode` asks.
fn push_char(out: &mut String, c: char, mode: u8) {
    let short = match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '/' => Some("\\/"),
        '\u{8}' => Some("\\b"),
        '\u{c}' => Some("\\f"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        _ => None,
    };
    let literal_ok = c != '"' && c != '\\' && (c as u32) >= 0x20;
    match mode % 3 {
        0 if literal_ok => out.push(c),
        1 if short.is_some() => out.push_str(short.unwrap()),
        _ => {
            let mut units = [0u16; 2];
            let upper = mode & 0x80 != 0;
            for u in c.encode_utf16(&mut units) {
                push_u_escape(out, *u, upper);
            }
        }
    }
}

/// The JSON string literal (quotes included) for `s`, with per-character
/// encodings taken from `choices`.
fn literal(s: &str, choices: &mut Choices) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        push_char(&mut out, c, choices.next());
    }
    out.push('"');
    out
}

fn ws(out: &mut String, choices: &mut Choices) {
    let n = choices.next();
    // Mostly nothing, sometimes a little of every JSON whitespace byte.
    if n < 160 {
        return;
    }
    for i in 0..(n % 4 + 1) {
        out.push([' ', '\t', '\n', '\r'][((n >> 2) as usize + i as usize) % 4]);
    }
}

fn write_value(v: &Value, out: &mut String, choices: &mut Choices) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&literal(s, choices)),
        Value::Array(items) => {
            out.push('[');
            ws(out, choices);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    ws(out, choices);
                    out.push(',');
                    ws(out, choices);
                }
                write_value(item, out, choices);
            }
            ws(out, choices);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            ws(out, choices);
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    ws(out, choices);
                    out.push(',');
                    ws(out, choices);
                }
                out.push_str(&literal(k, choices));
                ws(out, choices);
                out.push(':');
                ws(out, choices);
                write_value(item, out, choices);
            }
            ws(out, choices);
            out.push('}');
        }
    }
}

fn random_serialise(v: &Value, choices: &[u8]) -> String {
    let mut choices = Choices {
        bytes: choices,
        at: 0,
    };
    let mut out = String::new();
    ws(&mut out, &mut choices);
    write_value(v, &mut out, &mut choices);
    ws(&mut out, &mut choices);
    out
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

fn count_values(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_values).sum(),
        Value::Object(map) => map.values().map(count_values).sum(),
        _ => 0,
    }
}

fn kind_of(v: &Value) -> Kind {
    match v {
        Value::Null => Kind::Null,
        Value::Bool(_) => Kind::Bool,
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::Array,
        Value::Object(_) => Kind::Object,
    }
}

/// Checks every node of the parsed `text` against `expected`, the value
/// serde_json reads from the same text (so float reading is identical on
/// both sides). `expected` must not hold duplicate keys.
fn check_document(text: &str, expected: &Value) -> Result<(), TestCaseError> {
    let doc = Document::parse(text)
        .map_err(|e| TestCaseError::fail(format!("parse failed: {e:?} on {text:?}")))?;
    let nodes = doc.nodes();
    prop_assert_eq!(
        nodes.len(),
        count_values(expected),
        "node count for {:?}",
        text
    );

    // The root spans the trimmed text.
    let root = doc.node(doc.root());
    prop_assert_eq!(root.parent, NONE);
    prop_assert_eq!(root.key_start, NONE);
    prop_assert_eq!(root.index, 0);
    prop_assert_eq!(root.next as usize, nodes.len());
    prop_assert_eq!(
        doc.raw(doc.root()),
        text.trim_matches([' ', '\t', '\n', '\r'])
    );
    prop_assert_eq!(doc.pointer(doc.root()), "");

    for id in 0..nodes.len() as u32 {
        let node = *doc.node(id);
        let ptr = doc.pointer(id);
        let sub = expected
            .pointer(&ptr)
            .ok_or_else(|| TestCaseError::fail(format!("pointer {ptr:?} not in value")))?;

        // The value span re-parses to exactly the sub-value.
        prop_assert!(node.start <= node.end && node.end as usize <= text.len());
        let raw = doc.raw(id);
        let reparsed: Value = serde_json::from_str(raw).map_err(|e| {
            TestCaseError::fail(format!("span {raw:?} of node {id} does not parse: {e}"))
        })?;
        prop_assert_eq!(&reparsed, sub, "span of node {} at {:?}", id, ptr);
        prop_assert_eq!(node.kind, kind_of(sub), "kind of node {}", id);
        // Spans are tight: no surrounding whitespace.
        prop_assert_eq!(raw.trim_matches([' ', '\t', '\n', '\r']), raw);

        // Strings decode to the serde_json string.
        match (doc.string(id), sub) {
            (Some(d), Value::String(s)) => {
                prop_assert_eq!(d.text.as_ref(), s.as_str());
                prop_assert_eq!(doc.str_value(id).map(|c| c.into_owned()), Some(s.clone()));
                // The whole-string range maps to the inside of the quotes.
                let src = d.map.to_source(0..d.text.len());
                prop_assert_eq!(src, node.start as usize + 1..node.end as usize - 1);
            }
            (None, Value::String(_)) => prop_assert!(false, "string node {} not decoded", id),
            (Some(_), _) => prop_assert!(false, "non-string node {} decoded", id),
            (None, _) => {}
        }

        // Tree links.
        if id == 0 {
            continue;
        }
        prop_assert!(node.parent < id, "parent of {} is {}", id, node.parent);
        let parent = *doc.node(node.parent);
        prop_assert!(parent.start < node.start && node.end < parent.end);
        prop_assert!(node.next <= parent.next);
        prop_assert!(doc.children(node.parent).any(|c| c == id));
        match parent.kind {
            Kind::Object => {
                prop_assert!(node.has_key(), "object member {} has no key", id);
                prop_assert!(node.key_end != NONE);
                prop_assert!(parent.start < node.key_start && node.key_end <= node.start);
                let raw_key = doc.raw_key(id).unwrap();
                prop_assert_eq!(
                    &text[node.key_start as usize..node.key_end as usize],
                    raw_key
                );
                let key: String = serde_json::from_str(raw_key).map_err(|e| {
                    TestCaseError::fail(format!("key span {raw_key:?} does not parse: {e}"))
                })?;
                prop_assert_eq!(doc.key(id).map(|c| c.into_owned()), Some(key.clone()));
                prop_assert_eq!(
                    doc.key_decoded(id).map(|d| d.text.into_owned()),
                    Some(key.clone())
                );
                prop_assert!(doc.key_is(id, &key));
                prop_assert_eq!(doc.get(node.parent, &key), Some(id));
                // Only ':' and whitespace between the key and its value.
                let between = &text[node.key_end as usize..node.start as usize];
                prop_assert_eq!(between.trim_matches([' ', '\t', '\n', '\r']), ":");
            }
            Kind::Array => {
                prop_assert_eq!(node.key_start, NONE);
                prop_assert_eq!(doc.raw_key(id), None);
                prop_assert_eq!(doc.key(id), None);
                prop_assert_eq!(doc.item(node.parent, node.index), Some(id));
            }
            other => prop_assert!(false, "node {} has a {:?} parent", id, other),
        }
    }

    // Children of every node: order, indices, parents, next pointers.
    for id in 0..nodes.len() as u32 {
        let node = *doc.node(id);
        let children: Vec<u32> = doc.children(id).collect();
        let sub = expected.pointer(&doc.pointer(id)).unwrap();
        let want = match sub {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        };
        prop_assert_eq!(children.len(), want, "child count of node {}", id);
        if children.is_empty() {
            prop_assert_eq!(node.next, id + 1, "next of childless node {}", id);
            continue;
        }
        prop_assert_eq!(children[0], id + 1, "first child of {}", id);
        let mut prev_end = node.start;
        for (i, &c) in children.iter().enumerate() {
            let child = doc.node(c);
            prop_assert_eq!(child.parent, id);
            prop_assert_eq!(child.index as usize, i);
            let child_start = if child.has_key() {
                child.key_start
            } else {
                child.start
            };
            prop_assert!(prev_end < child_start, "siblings overlap under {}", id);
            prev_end = child.end;
            if i + 1 < children.len() {
                prop_assert_eq!(child.next, children[i + 1]);
            }
        }
        let last = doc.node(*children.last().unwrap());
        prop_assert_eq!(last.next, node.next, "next of last child of {}", id);
    }
    Ok(())
}

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(crate::common::builtin_rules)
}

/// The fixture exports, used as seeds for mutation so that mutated inputs
/// also reach export recognition and the rules.
fn fixtures() -> &'static [String] {
    static FIXTURES: OnceLock<Vec<String>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        fixture_exports()
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    })
}

/// serde_json errors that the span parser is allowed not to share: it
/// accepts numbers that overflow f64, and it nests deeper than serde_json's
/// recursion limit of 128.
fn serde_only_limit(e: &serde_json::Error) -> bool {
    let m = e.to_string();
    m.contains("number out of range") || m.contains("recursion limit exceeded")
}

/// No panic anywhere, and the parser agrees with serde_json on validity.
fn check_arbitrary(bytes: &[u8]) -> Result<(), TestCaseError> {
    let report = storylint::lint::lint_bytes("input.json", bytes.to_vec(), rules());
    prop_assert_eq!(report.file.as_str(), "input.json");
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    let ours = Document::parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
        (Err(e), _) => {
            prop_assert!(
                e.offset <= text.len(),
                "error offset {} past end {}",
                e.offset,
                text.len()
            );
            prop_assert!(
                text.is_char_boundary(e.offset),
                "error offset {} inside a character",
                e.offset
            );
            prop_assert!(!e.message.is_empty());
            if let Ok(v) = &theirs {
                prop_assert!(
                    false,
                    "serde_json accepts {:?} (as {}) but the parser rejects it: {:?}",
                    text,
                    v,
                    e
                );
            }
        }
        (Ok(_), Err(e)) => {
            prop_assert!(
                serde_only_limit(e),
                "the parser accepts {:?} but serde_json rejects it: {}",
                text,
                e
            );
        }
        (Ok(doc), Ok(_)) => {
            prop_assert!(!doc.nodes().is_empty());
            for n in doc.nodes() {
                prop_assert!(n.start <= n.end && n.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(n.start as usize));
                prop_assert!(text.is_char_boundary(n.end as usize));
            }
        }
    }
    Ok(())
}

/// JSON tokens and near-misses: bad numbers, bad escapes, lone surrogates,
/// raw control characters, JavaScript-isms.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "{", "[", "]", "}", ",", ":",
    " ", "\n", "\t", "\r", "\u{feff}", "\u{a0}",
    r#""a""#, r#""""#, r#""\u00e9""#, r#""\ud83d\ude00""#, r#""\ud83d""#, r#""\ude00""#,
    r#""\ud83d\u0041""#, r#""\x""#, r#""\u12""#, r#""\u12g4""#, "\"\t\"", "\"\u{7f}\"",
    r#""\/""#, r#""\U0041""#, r#""\""#, r#""\\""#, "'a'", "\"",
    "0", "-0", "01", "1.", ".5", "1e", "1e+5", "-", "+1", "1.5E-3", "-0.0e0", "1e400",
    "-1e-400", "123456789012345678901234567890", "18446744073709551616", "-9223372036854775809",
    "true", "tru", "false", "null", "nul", "NaN", "Infinity", "-Infinity",
    "//c\n", "/*c*/",
    // Multi-byte characters where an error is likely, so error offsets
    // must land on character boundaries.
    "\u{e9}", "\u{1f600}", "\"\\\u{e9}\"", "\"\\u00\u{e9}\"", "\"\\u\u{1f600}\"",
    "\"\\ud83d\\\u{e9}\"", "\"\u{e9}\"", "t\u{e9}", "1\u{e9}", "-\u{1f600}", "1.\u{e9}",
    "1e\u{e9}",
];

#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Duplicate(usize, usize),
    InsertStr(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let structural = prop::sample::select(b"[]{}\",:\\ \n0-.eEu".to_vec());
    prop_oneof![
        1 => any::<usize>().prop_map(Mutation::Truncate),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        3 => (any::<usize>(), structural.clone()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        2 => (any::<usize>(), structural).prop_map(|(p, b)| Mutation::Flip(p, b)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => (any::<usize>(), 0usize..16).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        1 => (any::<usize>(), prop::sample::select(vec!["\u{e9}", "\u{1f600}", "\\u", "\\ud83d", "1e400", "\\"]))
            .prop_map(|(p, s)| Mutation::InsertStr(p, s)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match *m {
            Mutation::Truncate(p) => bytes.truncate(p % (len + 1)),
            Mutation::Flip(p, b) if len > 0 => bytes[p % len] = b,
            Mutation::Insert(p, b) => bytes.insert(p % (len + 1), b),
            Mutation::Delete(p) if len > 0 => {
                bytes.remove(p % len);
            }
            Mutation::Duplicate(p, n) if len > 0 => {
                let at = p % len;
                let chunk = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, chunk);
            }
            Mutation::InsertStr(p, s) => {
                let at = p % (len + 1);
                bytes.splice(at..at, s.bytes());
            }
            _ => {}
        }
    }
    bytes
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// `cases` per property unless `PROPTEST_CASES` asks for more (or fewer),
/// e.g. `PROPTEST_CASES=50000 cargo test --release --test integration parse_properties::`.
/// Failures are not persisted to a regressions file; the shrunk input is in
/// the failure message.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Compact, pretty and randomly spaced/escaped serialisations of a value
    /// parse into a span tree that agrees with the value everywhere.
    #[test]
    fn spans_agree_with_serde(v in json_value(), choices in vec(any::<u8>(), 1..64)) {
        let compact = serde_json::to_string(&v).unwrap();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        let random = random_serialise(&v, &choices);
        for text in [&compact, &pretty, &random] {
            let expected: Value = serde_json::from_str(text).unwrap();
            check_document(text, &expected)?;
        }
        // The writer itself is sound: serde_json reads the random text back
        // to the same tree as the compact one.
        let a: Value = serde_json::from_str(&compact).unwrap();
        let b: Value = serde_json::from_str(&random).unwrap();
        prop_assert_eq!(a, b);
    }

    /// Decoded ranges on char boundaries map to source bytes that decode to
    /// exactly the same text.
    #[test]
    fn offset_map_round_trips(
        s in tricky_string(24),
        choices in vec(any::<u8>(), 1..64),
        ranges in vec((any::<usize>(), any::<usize>()), 1..16),
        prefix_ws in 0usize..4,
    ) {
        let mut c = Choices { bytes: &choices, at: 0 };
        let lit = literal(&s, &mut c);
        let prefix = format!("{{{}\"k\\u00e9\":{}", " ".repeat(prefix_ws), "\t".repeat(prefix_ws));
        let text = format!("{prefix}{lit}}}");
        let start = prefix.len();
        let end = start + lit.len();

        // serde_json agrees the literal means `s`.
        prop_assert_eq!(serde_json::from_str::<String>(&lit).unwrap(), s.clone());

        let d = decode(&text, start, end);
        prop_assert_eq!(d.text.as_ref(), s.as_str());

        // The parser finds the same literal and decodes it the same way.
        let doc = Document::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(doc.nodes().len(), 2);
        prop_assert_eq!(doc.raw(1), lit.as_str());
        prop_assert_eq!(doc.key(1).map(|c| c.into_owned()), Some("k\u{e9}".to_string()));
        let via_doc = doc.string(1).unwrap();
        prop_assert_eq!(&via_doc, &d);

        let decoded = d.text.as_ref();
        let mut bounds: Vec<usize> = decoded.char_indices().map(|(i, _)| i).collect();
        bounds.push(decoded.len());
        let mut all = vec![(0, decoded.len())];
        all.extend(ranges.iter().map(|&(x, y)| {
            let (a, b) = (bounds[x % bounds.len()], bounds[y % bounds.len()]);
            (a.min(b), a.max(b))
        }));
        for (a, b) in all {
            let src = d.map.to_source(a..b);
            prop_assert!(
                src.start > start,
                "range {}..{} maps to {:?}, before the literal at {}", a, b, src, start
            );
            prop_assert!(src.start <= src.end && src.end < end,
                "range {}..{} maps to {:?}, outside {}..{}", a, b, src, start, end);
            let piece = &text[src.clone()];
            let back: String = serde_json::from_str(&format!("\"{piece}\"")).map_err(|e| {
                TestCaseError::fail(format!(
                    "range {a}..{b} of {decoded:?} maps to {src:?} = {piece:?}, not a whole literal body: {e}"
                ))
            })?;
            prop_assert_eq!(
                back.as_str(), &decoded[a..b],
                "range {}..{} maps to {:?} = {:?} in {:?}", a, b, src, piece, lit
            );
            if a == b {
                prop_assert_eq!(src.start, src.end);
            }
        }
    }

    /// Arbitrary bytes never panic the parser or the pipeline.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        check_arbitrary(&bytes)?;
    }

    /// Arbitrary short strings of JSON-ish characters: the parser agrees with
    /// serde_json on validity.
    #[test]
    fn jsonish_strings_agree(s in "[ \t\r\n\\[\\]{}:,\"\\\\/0-9.eE+\\-a-zA-Zé😀\u{0}-\u{1f}]{0,40}") {
        check_arbitrary(s.as_bytes())?;
    }

    /// Sequences of valid and almost-valid JSON tokens: the parser agrees
    /// with serde_json on validity.
    #[test]
    fn token_soup_agrees(tokens in vec(prop::sample::select(TOKENS), 0..16)) {
        check_arbitrary(tokens.concat().as_bytes())?;
    }

    /// Mutated serialisations of generated values never panic and the
    /// parser agrees with serde_json on validity.
    #[test]
    fn mutated_values_never_panic(
        v in json_value(),
        pretty in any::<bool>(),
        mutations in vec(mutation(), 0..6),
    ) {
        let text = if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        };
        check_arbitrary(&mutate(text.into_bytes(), &mutations))?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Mutated fixture exports reach export recognition and the rules
    /// without panicking.
    #[test]
    fn mutated_fixtures_never_panic(
        which in any::<usize>(),
        mutations in vec(mutation(), 0..4),
        bom in prop::bool::weighted(0.1),
    ) {
        let seeds = fixtures();
        prop_assume!(!seeds.is_empty());
        let seed = &seeds[which % seeds.len()];
        let mut bytes = mutate(seed.clone().into_bytes(), &mutations);
        if bom {
            bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
        }
        check_arbitrary(&bytes)?;
    }
}

// ---------------------------------------------------------------------------
// Handcrafted cases
// ---------------------------------------------------------------------------

/// (kind, raw value, raw key, decoded key, pointer) per node.
type Row<'a> = (Kind, &'a str, Option<&'a str>, Option<String>, String);

fn rows(text: &str) -> Vec<Row<'_>> {
    let doc = Document::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
    (0..doc.nodes().len() as u32)
        .map(|i| {
            (
                doc.kind(i),
                doc.raw(i),
                doc.raw_key(i),
                doc.key(i).map(|k| k.into_owned()),
                doc.pointer(i),
            )
        })
        .collect()
}

#[test]
fn tricky_inputs() {
    // Surrogate-pair key.
    let text = r#"{"\ud83d\ude00":1}"#;
    assert_eq!(
        rows(text),
        vec![
            (Kind::Object, text, None, None, String::new()),
            (
                Kind::Number,
                "1",
                Some(r#""\ud83d\ude00""#),
                Some("😀".into()),
                "/😀".into()
            ),
        ]
    );
    let doc = Document::parse(text).unwrap();
    assert_eq!(doc.get(0, "😀"), Some(1));
    let kd = doc.key_decoded(1).unwrap();
    assert_eq!(kd.map.to_source(0..4), 2..14);

    // Keys with escaped quotes and backslashes, and pointer escaping.
    let text = r#"{"a\"b":{"\\\"":[]},"~/\"":"x\"y"}"#;
    assert_eq!(
        rows(text),
        vec![
            (Kind::Object, text, None, None, String::new()),
            (
                Kind::Object,
                r#"{"\\\"":[]}"#,
                Some(r#""a\"b""#),
                Some("a\"b".into()),
                "/a\"b".into()
            ),
            (
                Kind::Array,
                "[]",
                Some(r#""\\\"""#),
                Some("\\\"".into()),
                "/a\"b/\\\"".into()
            ),
            (
                Kind::String,
                r#""x\"y""#,
                Some(r#""~/\"""#),
                Some("~/\"".into()),
                "/~0~1\"".into()
            ),
        ]
    );
    let doc = Document::parse(text).unwrap();
    assert_eq!(doc.get(0, "a\"b"), Some(1));
    assert_eq!(doc.get(1, "\\\""), Some(2));
    assert_eq!(doc.get(0, "~/\""), Some(3));
    assert_eq!(doc.str_value(3).as_deref(), Some("x\"y"));

    // Empty containers, alone and nested.
    for text in ["{}", "[]", " { } ", "\t[\n]\r\n"] {
        let doc = Document::parse(text).unwrap();
        assert_eq!(doc.nodes().len(), 1, "{text:?}");
        assert_eq!(doc.raw(0), text.trim());
        assert_eq!(doc.node(0).next, 1);
        assert_eq!(doc.children(0).count(), 0);
    }
    let text = r#"[[],{},[[]],{"":{}},[{}]]"#;
    let got: Vec<_> = rows(text)
        .into_iter()
        .map(|(k, raw, _, key, ptr)| (k, raw, key, ptr))
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        got,
        vec![
            (Kind::Array, text, None, s("")),
            (Kind::Array, "[]", None, s("/0")),
            (Kind::Object, "{}", None, s("/1")),
            (Kind::Array, "[[]]", None, s("/2")),
            (Kind::Array, "[]", None, s("/2/0")),
            (Kind::Object, r#"{"":{}}"#, None, s("/3")),
            (Kind::Object, "{}", Some(s("")), s("/3/")),
            (Kind::Array, "[{}]", None, s("/4")),
            (Kind::Object, "{}", None, s("/4/0")),
        ]
    );
    let doc = Document::parse(text).unwrap();
    let nexts: Vec<u32> = doc.nodes().iter().map(|n| n.next).collect();
    assert_eq!(nexts, vec![9, 2, 3, 5, 5, 7, 7, 9, 9]);
    assert_eq!(doc.children(0).collect::<Vec<_>>(), vec![1, 2, 3, 5, 7]);

    // Whitespace everywhere.
    let text = " \t\r\n{ \n\"a\" \t:\r\n[ 1 ,\t\"b\" , { \"c\" : null } , [ ] ] ,\n\"d\"\t:\ttrue\r\n}\n\t ";
    let got: Vec<_> = rows(text)
        .into_iter()
        .map(|(k, raw, rk, _, ptr)| (k, raw, rk, ptr))
        .collect();
    assert_eq!(
        got,
        vec![
            (Kind::Object, text.trim(), None, s("")),
            (
                Kind::Array,
                "[ 1 ,\t\"b\" , { \"c\" : null } , [ ] ]",
                Some("\"a\""),
                s("/a")
            ),
            (Kind::Number, "1", None, s("/a/0")),
            (Kind::String, "\"b\"", None, s("/a/1")),
            (Kind::Object, "{ \"c\" : null }", None, s("/a/2")),
            (Kind::Null, "null", Some("\"c\""), s("/a/2/c")),
            (Kind::Array, "[ ]", None, s("/a/3")),
            (Kind::Bool, "true", Some("\"d\""), s("/d")),
        ]
    );

    // Scalars at the root, with whitespace around them.
    for (text, kind, raw) in [
        (" \"\\u0000\" ", Kind::String, "\"\\u0000\""),
        ("\n-0.5e+3\t", Kind::Number, "-0.5e+3"),
        ("\rnull\n", Kind::Null, "null"),
        (" false", Kind::Bool, "false"),
    ] {
        let doc = Document::parse(text).unwrap();
        assert_eq!(doc.nodes().len(), 1);
        assert_eq!((doc.kind(0), doc.raw(0)), (kind, raw), "{text:?}");
    }

    // Invalid inputs are located inside the text.
    for text in [
        "{\"a\":}",
        "[1,]",
        "{\"a\" 1}",
        "\"\\x\"",
        "\"\u{1}\"",
        "[\"\\ud83d\"]",
        "[",
        "{\"a\":1,",
        "[1 2]",
        "01",
        "\"abc",
        "{\"\\ud83d\\u0041\":1}",
    ] {
        let e = Document::parse(text).expect_err(text);
        assert!(e.offset <= text.len(), "{text:?}: {e:?}");
        assert!(serde_json::from_str::<Value>(text).is_err(), "{text:?}");
    }
}
