//! Paths from an action object to the values a rule looks at, such as
//! `options.headers.*`: segments separated by dots, where `*` matches every
//! member of an object and every item of an array, a number also matches an
//! array index, `**` matches any number of levels (zero included), and a
//! segment in double quotes may hold dots or `*`.

use crate::parse::{Document, Kind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Any,
    /// Zero or more levels.
    Deep,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    segments: Vec<Segment>,
}

impl PathPattern {
    /// Parses a path; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
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
    pub fn resolve(&self, doc: &Document, from: u32) -> Vec<u32> {
        let mut current = vec![from];
        let mut next = Vec::new();
        let mut stack = Vec::new();
        for seg in &self.segments {
            next.clear();
            for &node in &current {
                match (seg, doc.kind(node)) {
                    (Segment::Deep, _) => {
                        // The node and every node below it that counts
                        // (members overridden by a duplicate key do not), in
                        // document order.
                        stack.push(node);
                        while let Some(n) = stack.pop() {
                            next.push(n);
                            if matches!(doc.kind(n), Kind::Object | Kind::Array) {
                                let at = stack.len();
                                doc.live_children_into(n, &mut stack);
                                stack[at..].reverse();
                            }
                        }
                    }
                    (Segment::Any, Kind::Object | Kind::Array) => {
                        doc.live_children_into(node, &mut next);
                    }
                    (Segment::Key(k), Kind::Object) => next.extend(doc.get(node, k)),
                    (Segment::Key(k), Kind::Array) => {
                        if let Ok(i) = k.parse::<u32>() {
                            next.extend(doc.item(node, i));
                        }
                    }
                    _ => {}
                }
            }
            if next.is_empty() {
                return next;
            }
            if *seg == Segment::Deep && current.len() > 1 {
                next.sort_unstable();
                next.dedup();
            }
            std::mem::swap(&mut current, &mut next);
        }
        current
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
    fn rejects_bad_paths() {
        assert!(PathPattern::parse("").is_err());
        assert!(PathPattern::parse("a..b").is_err());
        assert!(PathPattern::parse("a.\"b").is_err());
        assert!(PathPattern::parse("a.\"b\"c").is_err());
    }
}
