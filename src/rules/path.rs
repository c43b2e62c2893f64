//! Paths from an action object to the values a rule looks at, such as
//! `options.headers.*`: segments separated by dots, where `*` matches every
//! member of an object and every item of an array, a number also matches an
//! array index, `**` matches any number of levels (zero included), and a
//! segment in double quotes may hold dots or `*`.

use crate::parse::{Document, Kind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Any,
    /// Zero or more levels.
    Deep,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathPattern {
    segments: Vec<Segment>,
}

impl PathPattern {
    /// Parses a path; the error says what is wrong.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut segments = Vec::new();
        let mut chars = text.chars().peekable();
        if text.is_empty() {
            return Err("the path is empty".into());
        }
        loop {
            let seg = if chars.peek() == Some(&'"') {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => s.push(c),
                            None => return Err("unterminated quoted segment".into()),
                        },
                        Some(c) => s.push(c),
                        None => return Err("unterminated quoted segment".into()),
                    }
                }
                Segment::Key(s)
            } else {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                match s.as_str() {
                    "" => return Err("the path has an empty segment".into()),
                    "*" => Segment::Any,
                    "**" => Segment::Deep,
                    _ => Segment::Key(s),
                }
            };
            segments.push(seg);
            match chars.next() {
                None => break,
                Some('.') => continue,
                Some(c) => return Err(format!("expected `.` after a quoted segment, found `{c}`")),
            }
        }
        Ok(PathPattern { segments })
    }

    /// The nodes reached from `from`, in document order.
    pub(crate) fn resolve(&self, doc: &Document, from: u32) -> Vec<u32> {
        let mut current = vec![from];
        let mut next = Vec::new();
        let mut stack = Vec::new();
        for seg in &self.segments {
            next.clear();
            step(doc, seg, &current, &mut next, &mut stack);
            if next.is_empty() {
                return next;
            }
            std::mem::swap(&mut current, &mut next);
        }
        current
    }
}

/// The nodes one segment leads to from `current` (in document order),
/// appended to `next`; `stack` is scratch space.
fn step(doc: &Document, seg: &Segment, current: &[u32], next: &mut Vec<u32>, stack: &mut Vec<u32>) {
    for &node in current {
        match (seg, doc.kind(node)) {
            (Segment::Deep, _) => deep(doc, node, next, stack),
            (Segment::Any, Kind::Object | Kind::Array) => doc.live_children_into(node, next),
            (Segment::Key(k), Kind::Object) => next.extend(doc.get(node, k)),
            (Segment::Key(k), Kind::Array) => {
                if let Ok(i) = k.parse::<u32>() {
                    next.extend(doc.item(node, i));
                }
            }
            _ => {}
        }
    }
    if *seg == Segment::Deep && current.len() > 1 {
        // Subtrees of nested starting nodes overlap.
        next.sort_unstable();
        next.dedup();
    }
}

/// Several paths, resolved together: paths that begin with the same
/// segments (`options.headers.*` and `options.url` share `options`) resolve
/// them once.
/// `node` and every node below it that counts (members overridden by a
/// duplicate key do not), in document order: nodes are stored in that
/// order, so this is the range of its subtree less the subtrees of
/// overridden members. `skip` is scratch space.
fn deep(doc: &Document, node: u32, out: &mut Vec<u32>, skip: &mut Vec<u32>) {
    skip.clear();
    let end = doc.node(node).next;
    let mut i = node;
    while i < end {
        // `skip` runs from last to first: the next to skip is last.
        if skip.last() == Some(&i) {
            skip.pop();
            i = doc.node(i).next;
            continue;
        }
        out.push(i);
        if doc.kind(i) == Kind::Object {
            // Those waiting are after this object's subtree, so its own
            // go after them, last first.
            let at = skip.len();
            doc.overridden_members_into(i, skip);
            skip[at..].reverse();
        }
        i += 1;
    }
}

#[derive(Debug, Default)]
pub(crate) struct PathTrie {
    /// Node 0 is the starting node; every other node is a segment after its
    /// parent, which comes before it.
    nodes: Vec<(usize, Segment)>,
}

/// What a [`PathTrie`] has resolved from one starting node so far.
#[derive(Debug, Default)]
pub(crate) struct Resolution {
    from: u32,
    sets: Vec<Vec<u32>>,
    done: Vec<bool>,
    stack: Vec<u32>,
    /// The trie nodes [`PathTrie::get`] resolves, kept for its next call.
    chain: Vec<usize>,
}

impl PathTrie {
    /// The trie of `paths`, and the node each path ends at.
    pub(crate) fn new<'p>(paths: impl IntoIterator<Item = &'p PathPattern>) -> (Self, Vec<usize>) {
        let mut trie = PathTrie {
            nodes: vec![(0, Segment::Any)],
        };
        let ends = paths
            .into_iter()
            .map(|path| {
                path.segments.iter().fold(0, |parent, seg| {
                    match trie.nodes[1..]
                        .iter()
                        .position(|(p, s)| *p == parent && s == seg)
                    {
                        Some(i) => i + 1,
                        None => {
                            trie.nodes.push((parent, seg.clone()));
                            trie.nodes.len() - 1
                        }
                    }
                })
            })
            .collect();
        (trie, ends)
    }

    /// Starts resolving from `from`, forgetting what was resolved before
    /// (buffers are kept).
    pub(crate) fn start(&self, from: u32, r: &mut Resolution) {
        r.from = from;
        r.sets.resize_with(self.nodes.len(), Vec::new);
        r.done.clear();
        r.done.resize(self.nodes.len(), false);
    }

    /// The nodes trie node `end` reaches from the starting node, in
    /// document order; each trie node is resolved at most once.
    pub(crate) fn get<'r>(&self, doc: &Document, end: usize, r: &'r mut Resolution) -> &'r [u32] {
        // The chain from the nearest resolved ancestor down to `end`.
        let mut chain = std::mem::take(&mut r.chain);
        chain.clear();
        let mut at = end;
        while at != 0 && !r.done[at] {
            chain.push(at);
            at = self.nodes[at].0;
        }
        if !r.done[0] {
            r.sets[0].clear();
            r.sets[0].push(r.from);
            r.done[0] = true;
        }
        for &i in chain.iter().rev() {
            let (parent, seg) = &self.nodes[i];
            let mut out = std::mem::take(&mut r.sets[i]);
            out.clear();
            step(doc, seg, &r.sets[*parent], &mut out, &mut r.stack);
            r.sets[i] = out;
            r.done[i] = true;
        }
        r.chain = chain;
        &r.sets[end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_resolves() {
        let doc = Document::parse(
            r#"{"options":{"headers":{"A":"1","b.c":"2"},"list":[{"x":1},{"x":2}]}}"#,
        )
        .unwrap();
        let raw = |p: &str| -> Vec<String> {
            PathPattern::parse(p)
                .unwrap()
                .resolve(&doc, 0)
                .into_iter()
                .map(|n| doc.raw(n).to_string())
                .collect()
        };
        assert_eq!(raw("options.headers.*"), [r#""1""#, r#""2""#]);
        assert_eq!(raw(r#"options.headers."b.c""#), [r#""2""#]);
        assert_eq!(raw("options.list.*.x"), ["1", "2"]);
        assert_eq!(raw("options.list.1.x"), ["2"]);
        assert!(raw("options.missing.*").is_empty());
        assert_eq!(raw("options.**.x"), ["1", "2"]);
        assert_eq!(raw("options.list.**").len(), 5);
        assert_eq!(raw("**.A"), [r#""1""#]);
        assert!(raw("options.headers.A.deeper").is_empty());
    }

    #[test]
    fn overridden_duplicate_members_are_not_reached() {
        let doc = Document::parse(
            r#"{"o":{"h":{"k":"first","x":"1","k":"last"},"h":{"k":"final"}},"p":{"a":{"z":1},"a":{"z":2}}}"#,
        )
        .unwrap();
        let raw = |p: &str| -> Vec<String> {
            PathPattern::parse(p)
                .unwrap()
                .resolve(&doc, 0)
                .into_iter()
                .map(|n| doc.raw(n).to_string())
                .collect()
        };
        assert_eq!(raw("o.h.*"), [r#""final""#]);
        assert_eq!(raw("o.*.k"), [r#""final""#]);
        assert_eq!(raw("p.**.z"), ["2"]);
        assert_eq!(raw("**.k"), [r#""final""#]);
    }

    #[test]
    fn deep_paths_reach_what_a_walk_over_live_children_reaches() {
        fn walk(doc: &Document, n: u32, out: &mut Vec<u32>) {
            out.push(n);
            for c in doc.live_children(n) {
                walk(doc, c, out);
            }
        }
        for text in [
            r#"{"c":{"d":{"q":1,"q":[2,{"q":3,"r":4,"q":5}]}},"a":1,"b":{"y":{"z":1,"z":2},"a":3},"a":{"k":2},"b":0}"#,
            r#"[{"a":{"a":{"a":1,"a":2},"a":3},"a":{"b":1}},{"x":{"y":1,"y":2},"x":[]},{"k\u0031":1,"k1":2}]"#,
            r#"{"o":{"h":{"k":"first","x":"1","k":"last"},"h":{"k":"final"}},"p":{"a":{"z":1},"a":{"z":2}}}"#,
        ] {
            let doc = Document::parse(text).unwrap();
            let mut want = Vec::new();
            walk(&doc, 0, &mut want);
            let got = PathPattern::parse("**").unwrap().resolve(&doc, 0);
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn a_trie_resolves_like_each_path() {
        let doc = Document::parse(
            r#"{"options":{"headers":{"A":"1","b":"2"},"url":"u","list":[{"x":1},{"x":2}]},"other":3}"#,
        )
        .unwrap();
        let texts = [
            "*",
            "options.headers.*",
            "options.url",
            "options.**",
            "options.list.*.x",
            "options.headers.*",
            "other",
            "missing.x",
            "**.x",
            "*",
        ];
        let paths: Vec<PathPattern> = texts
            .iter()
            .map(|p| PathPattern::parse(p).unwrap())
            .collect();
        let (trie, ends) = PathTrie::new(&paths);
        // Shared prefixes share nodes: `options` once, the repeated path once.
        assert_eq!(ends[1], ends[5]);
        assert_eq!(ends[0], ends[9]);
        assert!(
            trie.nodes.len() < 1 + texts.iter().map(|t| t.split('.').count()).sum::<usize>() - 3
        );
        let mut r = Resolution::default();
        for from in [0, doc.get(0, "options").unwrap()] {
            trie.start(from, &mut r);
            // In an order that resolves children before their parents.
            for i in (0..paths.len()).rev() {
                assert_eq!(
                    trie.get(&doc, ends[i], &mut r),
                    paths[i].resolve(&doc, from).as_slice(),
                    "{} from {from}",
                    texts[i]
                );
            }
        }
    }

    #[test]
    fn rejects_bad_paths() {
        assert!(PathPattern::parse("").is_err());
        assert!(PathPattern::parse("a..b").is_err());
        assert!(PathPattern::parse("a.\"b").is_err());
        assert!(PathPattern::parse("a.\"b\"c").is_err());
    }
}
