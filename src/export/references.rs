//! The references a string of an action's options makes: every name a
//! formula pill (`<<...>>`), a formula field (a value that starts with
//! `=`) or a Liquid expression (`{{ ... }}`, `{% ... %}`) reads from, with
//! what kind of thing that name is and where it is written.
//!
//! In a formula the first name of a path is a key of the incoming event,
//! which is the slug of an upstream action (`get_token` in
//! `<<get_token.body.access_token>>`), unless it is a global Tines knows
//! (`CREDENTIAL`, `RESOURCE`, `META`, ...), a function (`URL_ENCODE(...)`),
//! a literal (`TRUE`), or a name bound in the expression (a `LAMBDA`
//! parameter). In Liquid both `{{ .name }}` and `{{ name }}` read the
//! incoming event, and names set by `assign`, `capture` and `for` are
//! local. The parser is lenient: what it cannot read yields no reference,
//! never a wrong one.

use super::templates::find_pair;
use std::ops::Range;

/// What the first name of a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RootKind {
    /// A key of the incoming event: an upstream action's slug.
    Action,
    /// `CREDENTIAL`, or the legacy `{% credential name %}`.
    Credential,
    /// `RESOURCE`, or the legacy `{% global_resource name %}`.
    Resource,
    /// `INPUT` or `INPUTS`.
    Input,
    /// `META`.
    Meta,
    /// `INFO`.
    Info,
    /// Another global: `LOCAL`, `LOOP`, `STORY`, or any other upper-case
    /// name (storylint does not guess at those).
    Global,
    /// A function call: `URL_ENCODE(...)`.
    Function,
    /// A name bound inside the expression: a `LAMBDA` parameter, or a
    /// Liquid `assign`, `capture` or `for` variable.
    Local,
    /// `TRUE`, `FALSE`, `NULL` (Liquid: `true`, `nil`, `empty`, ...).
    Literal,
}

impl RootKind {
    /// The name rule files use for it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RootKind::Action => "action",
            RootKind::Credential => "credential",
            RootKind::Resource => "resource",
            RootKind::Input => "input",
            RootKind::Meta => "meta",
            RootKind::Info => "info",
            RootKind::Global => "global",
            RootKind::Function => "function",
            RootKind::Local => "local",
            RootKind::Literal => "literal",
        }
    }

    pub(crate) const ALL: [RootKind; 10] = [
        RootKind::Action,
        RootKind::Credential,
        RootKind::Resource,
        RootKind::Input,
        RootKind::Meta,
        RootKind::Info,
        RootKind::Global,
        RootKind::Function,
        RootKind::Local,
        RootKind::Literal,
    ];
}

/// How a reference is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// Inside `<<...>>`.
    Pill,
    /// In a value that starts with `=`.
    Formula,
    /// Inside `{{ ... }}` or `{% ... %}`.
    Liquid,
}

impl Syntax {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Syntax::Pill => "pill",
            Syntax::Formula => "formula",
            Syntax::Liquid => "liquid",
        }
    }
}

/// One reference, with byte ranges in the text it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reference {
    pub(crate) kind: RootKind,
    pub(crate) syntax: Syntax,
    /// The first name.
    pub(crate) root: Range<usize>,
    /// The whole path from the first name (`get_token.body.token`).
    pub(crate) path: Range<usize>,
    /// The name a `CREDENTIAL` or `RESOURCE` reference asks for, when it is
    /// written out (`x` in `CREDENTIAL.x` or `{% credential x %}`).
    pub(crate) name: Option<Range<usize>>,
}

/// Every reference in `text`, in order.
#[cfg(test)]
pub(crate) fn references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    Parser::default().parse(text, &mut out);
    out
}

/// Reads references, reusing its buffers from one text to the next.
#[derive(Debug, Default)]
pub(crate) struct Parser {
    toks: Vec<Token>,
}

impl Parser {
    /// Every reference in `text`, in order, into `out` (cleared first).
    pub(crate) fn parse(&mut self, text: &str, out: &mut Vec<Reference>) {
        out.clear();
        match text.strip_prefix('=') {
            Some(rest) => formula(rest, 1, Syntax::Formula, out, &mut self.toks),
            None => templated(text, out, &mut self.toks),
        }
    }
}

/// The references of text that is not a formula field: its pills and its
/// Liquid.
fn templated(text: &str, out: &mut Vec<Reference>, toks: &mut Vec<Token>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut skip_until: Option<&str> = None;
    while let Some(rel) = memchr::memchr2(b'<', b'{', &bytes[i..]) {
        let at = i + rel;
        let rest = &bytes[at..];
        if rest.starts_with(b"<<") && skip_until.is_none() {
            // `\<<` is written for a literal `<<`.
            if at > 0 && bytes[at - 1] == b'\\' {
                i = at + 2;
                continue;
            }
            if let Some((r, end)) = simple_pill(text, at + 2) {
                out.extend(r);
                i = end + 2;
                continue;
            }
            match pill_end(text, at + 2) {
                Some(end) => {
                    formula(&text[at + 2..end], at + 2, Syntax::Pill, out, toks);
                    i = end + 2;
                }
                None => i = at + 2,
            }
        } else if rest.starts_with(b"{{") || rest.starts_with(b"{%") {
            let close = if rest[1] == b'{' { "}}" } else { "%}" };
            let Some(end) = find_pair(&bytes[at + 2..], close.as_bytes()).map(|e| at + 2 + e)
            else {
                i = at + 2;
                continue;
            };
            let inner = &text[at + 2..end];
            if close == "%}" {
                let tag = first_word(inner);
                match (skip_until, tag) {
                    (Some(want), t) if t == want => skip_until = None,
                    (Some(_), _) => {}
                    (None, "comment") => skip_until = Some("endcomment"),
                    (None, "raw") => skip_until = Some("endraw"),
                    (None, _) => liquid_tag(inner, at + 2, out, toks),
                }
            } else if skip_until.is_none() {
                liquid_expression(inner, at + 2, out, toks);
            }
            i = end + 2;
        } else {
            i = at + 1;
        }
    }
    mark_liquid_locals(text, out);
}

/// Where the pill whose content starts at `from` ends (the offset of its
/// `>>`), with quoted text skipped.
fn pill_end(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' && bytes.get(i + 1) == Some(&b'>') => return Some(i),
            // A new pill opening inside means this one never closed.
            None if b == b'<' && bytes.get(i + 1) == Some(&b'<') => return None,
            None => {}
        }
        i += 1;
    }
    None
}

fn first_word(s: &str) -> &str {
    let s = s.trim_start_matches('-').trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ident,
    Number,
    Str,
    Dot,
    Open(u8),
    Close(u8),
    Comma,
    Colon,
    Pipe,
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    start: u32,
    end: u32,
}

impl Token {
    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// What a scan of an expression's tokens saw, so that the rarer passes run
/// only where they are needed.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// A `LAMBDA` name.
    lambda: bool,
    /// A `{`.
    brace: bool,
}

/// Bytes of a name: ASCII letters, digits and `_`.
const NAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

/// The tokens of an expression, into `out`; `\` escapes in strings are
/// honoured and an unterminated string runs to the end. Expressions are
/// short: offsets fit in `u32` (longer text yields no tokens).
fn tokens(s: &str, out: &mut Vec<Token>) -> Seen {
    out.clear();
    let mut seen = Seen::default();
    let bytes = s.as_bytes();
    if u32::try_from(bytes.len()).is_err() {
        return seen;
    }
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let tok = match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            q @ (b'"' | b'\'') => {
                i = string_end(bytes, i + 1, q);
                Tok::Str
            }
            b if NAME_BYTE[usize::from(b)] => {
                i = name_end(bytes, i);
                let word = &bytes[start..i];
                if word.iter().all(u8::is_ascii_digit) {
                    i = decimals_end(bytes, i);
                    Tok::Number
                } else {
                    seen.lambda |= word.eq_ignore_ascii_case(b"LAMBDA");
                    Tok::Ident
                }
            }
            b => {
                i += 1;
                punctuation(b, bytes, &mut i, &mut seen)
            }
        };
        out.push(Token {
            tok,
            start: start as u32,
            end: i as u32,
        });
    }
    seen
}

/// The token of the punctuation byte `b`, whose next byte is at `*i`
/// (moved past what the token takes).
fn punctuation(b: u8, bytes: &[u8], i: &mut usize, seen: &mut Seen) -> Tok {
    match b {
        b'.' => Tok::Dot,
        b'(' | b'[' | b'{' => {
            seen.brace |= b == b'{';
            Tok::Open(b)
        }
        b')' | b']' | b'}' => Tok::Close(b),
        b',' => Tok::Comma,
        b':' => Tok::Colon,
        b'|' if bytes.get(*i) == Some(&b'>') => {
            *i += 1;
            Tok::Other
        }
        b'|' => Tok::Pipe,
        _ => {
            // One character of anything else (operators, `%`, and
            // non-ASCII text).
            while *i < bytes.len() && (bytes[*i] & 0xC0) == 0x80 {
                *i += 1;
            }
            Tok::Other
        }
    }
}

/// Where a string whose content starts at `i` ends (after its closing
/// `quote`, or at the end).
fn string_end(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() && bytes[i] != quote {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    (i + 1).min(bytes.len())
}

/// Where the name that starts at `i` ends.
fn name_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && NAME_BYTE[usize::from(bytes[i])] {
        i += 1;
    }
    i
}

/// Where a number's decimals end, if a decimal point follows it at `i`.
fn decimals_end(bytes: &[u8], i: usize) -> usize {
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        let mut j = i + 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        return j;
    }
    i
}

/// The end of the path that starts with the name at `toks[i]`: `.name`
/// and `[...]` steps after it.
fn path_end(toks: &[Token], mut i: usize) -> usize {
    let mut end = toks[i].end as usize;
    i += 1;
    loop {
        match toks.get(i).map(|t| t.tok) {
            Some(Tok::Dot)
                if toks
                    .get(i + 1)
                    .is_some_and(|t| t.tok == Tok::Ident || t.tok == Tok::Number) =>
            {
                end = toks[i + 1].end as usize;
                i += 2;
            }
            Some(Tok::Open(b'[')) => match matching(toks, i) {
                Some(close) => {
                    end = toks[close].end as usize;
                    i = close + 1;
                }
                None => return end,
            },
            _ => return end,
        }
    }
}

/// The index of the bracket that closes the one at `open`.
fn matching(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Open(_) => depth += 1,
            Tok::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// What an upper-case first name is.
fn global_kind(name: &str) -> Option<RootKind> {
    // Most names are slugs: lower case from the start.
    if name.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    if !name.bytes().any(|b| b.is_ascii_uppercase()) || name.bytes().any(|b| b.is_ascii_lowercase())
    {
        return None;
    }
    Some(match name {
        "CREDENTIAL" | "CREDENTIALS" => RootKind::Credential,
        "RESOURCE" | "RESOURCES" => RootKind::Resource,
        "INPUT" | "INPUTS" => RootKind::Input,
        "META" => RootKind::Meta,
        "INFO" => RootKind::Info,
        "TRUE" | "FALSE" | "NULL" => RootKind::Literal,
        _ => RootKind::Global,
    })
}

/// The name a `CREDENTIAL` or `RESOURCE` path asks for: `x` in
/// `CREDENTIAL.x`.
fn named(toks: &[Token], root: usize, base: usize) -> Option<Range<usize>> {
    match (toks.get(root + 1), toks.get(root + 2)) {
        (Some(dot), Some(name)) if dot.tok == Tok::Dot && name.tok == Tok::Ident => {
            Some(base + name.start as usize..base + name.end as usize)
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Formulas
// ---------------------------------------------------------------------------

/// The references of the formula expression `expr`, which starts at byte
/// `base` of the text.
fn formula(
    expr: &str,
    base: usize,
    syntax: Syntax,
    out: &mut Vec<Reference>,
    toks: &mut Vec<Token>,
) {
    if let Some(r) = simple_path(expr, base, syntax) {
        out.extend(r);
        return;
    }
    let seen = tokens(expr, toks);
    let toks = &toks[..];
    // Most expressions have neither: no scopes to work out.
    let lambdas = if seen.lambda {
        lambda_scopes(expr, toks)
    } else {
        Vec::new()
    };
    let placeholders = if seen.brace {
        placeholders(toks)
    } else {
        Vec::new()
    };
    let mut depth_call = 0usize;
    for i in 0..toks.len() {
        let t = toks[i];
        if placeholders.iter().any(|p| p.contains(&i)) {
            continue;
        }
        match t.tok {
            Tok::Open(b'(') => depth_call += 1,
            Tok::Close(b')') => depth_call = depth_call.saturating_sub(1),
            _ => {}
        }
        if t.tok != Tok::Ident {
            continue;
        }
        // A property (`.name`) is no root; a leading `.` (`<<.CREDENTIAL.x>>`)
        // at the start of a path is.
        let after_dot = i > 0 && toks[i - 1].tok == Tok::Dot;
        let dot_opens_path = after_dot && (i == 1 || !ends_value(toks[i - 2].tok));
        if after_dot && !dot_opens_path {
            continue;
        }
        let name = &expr[t.range()];
        let next = toks.get(i + 1).map(|n| n.tok);
        if next == Some(Tok::Colon) && depth_call > 0 {
            continue; // a named argument's label
        }
        let kind = if next == Some(Tok::Open(b'(')) {
            RootKind::Function
        } else if lambdas
            .iter()
            .any(|(scope, params)| scope.contains(&i) && params.contains(&name))
        {
            RootKind::Local
        } else {
            global_kind(name).unwrap_or(RootKind::Action)
        };
        let end = if kind == RootKind::Function {
            t.end as usize
        } else {
            path_end(toks, i)
        };
        let name_range = match kind {
            RootKind::Credential | RootKind::Resource => named(toks, i, base),
            _ => None,
        };
        let root = t.range();
        out.push(Reference {
            kind,
            syntax,
            root: base + root.start..base + root.end,
            path: base + root.start..base + end,
            name: name_range,
        });
    }
}

/// A path of names read in one pass: `get_token.body.access_token`, or
/// `.CREDENTIAL.x`.
struct PlainPath {
    /// The first name.
    root: Range<usize>,
    /// The second name, if any.
    second: Option<Range<usize>>,
    /// The whole path.
    path: Range<usize>,
    /// Where the blanks after the path end.
    end: usize,
}

fn is_name_byte(b: u8) -> bool {
    NAME_BYTE[usize::from(b)]
}

/// The path of names that starts at `from` (after blanks and an optional
/// leading `.`), with the blanks after it; `None` where no name starts or
/// a `.` is not followed by one.
fn plain_path(bytes: &[u8], from: usize) -> Option<PlainPath> {
    let blanks = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut i = blanks(from);
    i += usize::from(bytes.get(i) == Some(&b'.'));
    let start = i;
    let (mut root, mut second) = (None, None);
    loop {
        let segment = i;
        while bytes.get(i).is_some_and(|b| is_name_byte(*b)) {
            i += 1;
        }
        if i == segment {
            return None;
        }
        match root {
            None => root = Some(segment..i),
            Some(_) if second.is_none() => second = Some(segment..i),
            Some(_) => {}
        }
        if bytes.get(i) != Some(&b'.') {
            break;
        }
        i += 1;
    }
    Some(PlainPath {
        root: root?,
        second,
        path: start..i,
        end: blanks(i),
    })
}

/// The reference a plain path makes, in text whose offset 0 is `base`;
/// `None` for a number.
fn plain_reference(text: &str, p: PlainPath, base: usize, syntax: Syntax) -> Option<Reference> {
    let root_text = &text[p.root.clone()];
    if root_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kind = global_kind(root_text).unwrap_or(RootKind::Action);
    let name = match kind {
        RootKind::Credential | RootKind::Resource => p.second.map(|n| base + n.start..base + n.end),
        _ => None,
    };
    Some(Reference {
        kind,
        syntax,
        root: base + p.root.start..base + p.root.end,
        path: base + p.path.start..base + p.path.end,
        name,
    })
}

/// The reference of an expression that is only a path of names, found
/// without tokenizing: most formulas are. `None` for anything else;
/// `Some(None)` for a path that is no reference (a number).
fn simple_path(expr: &str, base: usize, syntax: Syntax) -> Option<Option<Reference>> {
    let p = plain_path(expr.as_bytes(), 0).filter(|p| p.end == expr.len())?;
    Some(plain_reference(expr, p, base, syntax))
}

/// A pill whose content (from `from`) is only a path of names, read in
/// one pass: most pills are. Its reference and the offset of its `>>`.
fn simple_pill(text: &str, from: usize) -> Option<(Option<Reference>, usize)> {
    let bytes = text.as_bytes();
    let p = plain_path(bytes, from).filter(|p| bytes[p.end..].starts_with(b">>"))?;
    let end = p.end;
    Some((plain_reference(text, p, 0, Syntax::Pill), end))
}

/// The tokens of template placeholders such as `{my-credential}` (braces
/// around names and dashes, no key and value): text a user was meant to
/// replace, not an expression.
fn placeholders(toks: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.tok != Tok::Open(b'{') {
            continue;
        }
        if let Some(close) = matching(toks, i) {
            let inside = &toks[i + 1..close];
            if !inside.is_empty()
                && inside
                    .iter()
                    .all(|t| matches!(t.tok, Tok::Ident | Tok::Number | Tok::Other))
            {
                out.push(i..close + 1);
            }
        }
    }
    out
}

/// Whether a token can end a value (so that a `.` after it reads a
/// property rather than opening a path).
fn ends_value(tok: Tok) -> bool {
    matches!(tok, Tok::Ident | Tok::Number | Tok::Str | Tok::Close(_))
}

/// For each `LAMBDA(...)` call: the token indices of its arguments and the
/// names of its parameters (every argument but the last that is a bare
/// name).
fn lambda_scopes<'s>(expr: &'s str, toks: &[Token]) -> Vec<(Range<usize>, Vec<&'s str>)> {
    let mut out = Vec::new();
    for i in 0..toks.len() {
        let t = toks[i];
        let is_lambda = t.tok == Tok::Ident
            && expr[t.range()].eq_ignore_ascii_case("LAMBDA")
            && toks.get(i + 1).is_some_and(|n| n.tok == Tok::Open(b'('));
        if !is_lambda {
            continue;
        }
        let Some(close) = matching(toks, i + 1) else {
            continue;
        };
        // The arguments, split at commas of this call's own depth.
        let mut args: Vec<Range<usize>> = Vec::new();
        let (mut depth, mut start) = (0usize, i + 2);
        for (j, tok) in toks.iter().enumerate().take(close).skip(i + 2) {
            match tok.tok {
                Tok::Open(_) => depth += 1,
                Tok::Close(_) => depth = depth.saturating_sub(1),
                Tok::Comma if depth == 0 => {
                    args.push(start..j);
                    start = j + 1;
                }
                _ => {}
            }
        }
        args.push(start..close);
        let params: Vec<&str> = args[..args.len().saturating_sub(1)]
            .iter()
            .filter(|a| a.len() == 1 && toks[a.start].tok == Tok::Ident)
            .map(|a| &expr[toks[a.start].range()])
            .collect();
        out.push((i + 2..close, params));
    }
    out
}

// ---------------------------------------------------------------------------
// Liquid
// ---------------------------------------------------------------------------

/// Liquid's operators that are words.
const LIQUID_OPERATORS: [&str; 5] = ["and", "or", "not", "contains", "in"];
/// Liquid's literals that are words.
const LIQUID_LITERALS: [&str; 6] = ["true", "false", "nil", "null", "empty", "blank"];

/// The names a Liquid expression reads: in `{{ value | filter: arg, ... }}`
/// the value and the filters' arguments (the filters' own names are no
/// reference).
fn liquid_expression(expr: &str, base: usize, out: &mut Vec<Reference>, toks: &mut Vec<Token>) {
    tokens(expr, toks);
    let toks = &toks[..];
    for i in 0..toks.len() {
        let t = toks[i];
        if t.tok != Tok::Ident {
            continue;
        }
        let prev = i.checked_sub(1).map(|p| toks[p].tok);
        let next = toks.get(i + 1).map(|n| n.tok);
        // A filter's name follows `|`; a label is followed by `:`.
        if prev == Some(Tok::Pipe) || next == Some(Tok::Colon) {
            continue;
        }
        let after_dot = prev == Some(Tok::Dot);
        let dot_opens_path = after_dot && (i == 1 || !ends_value(toks[i - 2].tok));
        if after_dot && !dot_opens_path {
            continue;
        }
        let name = &expr[t.range()];
        if LIQUID_OPERATORS.contains(&name) {
            continue;
        }
        let kind = if LIQUID_LITERALS.contains(&name) {
            RootKind::Literal
        } else {
            global_kind(name).unwrap_or(RootKind::Action)
        };
        let name_range = match kind {
            RootKind::Credential | RootKind::Resource => named(toks, i, base),
            _ => None,
        };
        let root = t.range();
        out.push(Reference {
            kind,
            syntax: Syntax::Liquid,
            root: base + root.start..base + root.end,
            path: base + root.start..base + path_end(toks, i),
            name: name_range,
        });
    }
}

/// `{% tag ... %}`: the names its expression reads. Tags storylint does not
/// know yield nothing.
fn liquid_tag(inner: &str, base: usize, out: &mut Vec<Reference>, toks: &mut Vec<Token>) {
    let lead = inner.len() - inner.trim_start_matches(['-', ' ', '\t', '\n', '\r']).len();
    let body = &inner[lead..];
    let tag = first_word(body);
    let rest_at = lead + tag.len();
    let rest = &inner[rest_at..];
    let rest = rest.trim_end_matches(['-', ' ', '\t', '\n', '\r']);
    match tag {
        "if" | "elsif" | "unless" | "case" | "when" => {
            liquid_expression(rest, base + rest_at, out, toks);
        }
        "assign" => {
            if let Some(eq) = rest.find('=') {
                liquid_expression(&rest[eq + 1..], base + rest_at + eq + 1, out, toks);
            }
        }
        "for" => {
            if let Some(inn) = rest.find(" in ") {
                let from = inn + 4;
                liquid_expression(&rest[from..], base + rest_at + from, out, toks);
            }
        }
        "credential" | "global_resource" => {
            let name = rest.trim();
            if name.is_empty() {
                return;
            }
            let at = base + rest_at + (rest.len() - rest.trim_start().len());
            let kind = if tag == "credential" {
                RootKind::Credential
            } else {
                RootKind::Resource
            };
            let tag_at = base + lead;
            out.push(Reference {
                kind,
                syntax: Syntax::Liquid,
                root: tag_at..tag_at + tag.len(),
                path: tag_at..at + name.len(),
                name: Some(at..at + name.len()),
            });
        }
        _ => {}
    }
}

/// Marks as local the Liquid names that `assign`, `capture` and `for` set
/// anywhere in the text (and `forloop`): a name that could be a local is
/// never reported as an unknown action.
fn mark_liquid_locals(text: &str, refs: &mut [Reference]) {
    if !refs.iter().any(|r| r.syntax == Syntax::Liquid) {
        return;
    }
    let mut locals: Vec<&str> = vec!["forloop", "tablerowloop"];
    let mut i = 0;
    while let Some(rel) = find_pair(&text.as_bytes()[i..], b"{%") {
        let at = i + rel + 2;
        let Some(end) = find_pair(&text.as_bytes()[at..], b"%}").map(|e| at + e) else {
            break;
        };
        let inner = text[at..end].trim_matches(['-', ' ', '\t', '\n', '\r']);
        let tag = first_word(inner);
        if matches!(
            tag,
            "assign" | "capture" | "for" | "increment" | "decrement"
        ) {
            let name = first_word(inner[tag.len()..].trim_start());
            if !name.is_empty() {
                locals.push(name);
            }
        }
        i = end + 2;
    }
    for r in refs.iter_mut() {
        if r.syntax == Syntax::Liquid
            && r.kind == RootKind::Action
            && locals.contains(&&text[r.root.clone()])
        {
            r.kind = RootKind::Local;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (kind, syntax, root, path) of each reference.
    fn refs(text: &str) -> Vec<(&'static str, &'static str, &str, &str)> {
        references(text)
            .into_iter()
            .map(|r| {
                (
                    r.kind.name(),
                    r.syntax.name(),
                    &text[r.root.clone()],
                    &text[r.path.clone()],
                )
            })
            .collect()
    }

    #[test]
    fn pills_name_actions_globals_and_functions() {
        assert_eq!(
            refs("Bearer <<get_token.body.access_token>>"),
            [("action", "pill", "get_token", "get_token.body.access_token")]
        );
        assert_eq!(
            refs("<<URL_ENCODE(get_token.body.x)>>"),
            [
                ("function", "pill", "URL_ENCODE", "URL_ENCODE"),
                ("action", "pill", "get_token", "get_token.body.x")
            ]
        );
        assert_eq!(
            refs("<<GET(CREDENTIAL, prev.body.name)>>"),
            [
                ("function", "pill", "GET", "GET"),
                ("credential", "pill", "CREDENTIAL", "CREDENTIAL"),
                ("action", "pill", "prev", "prev.body.name")
            ]
        );
        assert_eq!(
            refs(r#"<<my_event["a key"].x>> <<.CREDENTIAL.tines_api>>"#),
            [
                ("action", "pill", "my_event", r#"my_event["a key"].x"#),
                ("credential", "pill", "CREDENTIAL", "CREDENTIAL.tines_api")
            ]
        );
        let r = &references("<<CREDENTIAL.okta_token>>")[0];
        assert_eq!(
            &"<<CREDENTIAL.okta_token>>"[r.name.clone().unwrap()],
            "okta_token"
        );
        assert_eq!(
            refs("<<META.story.name>> <<INFO.credential.x.metadata.user>> <<LOOP.value>> <<TRUE>>"),
            [
                ("meta", "pill", "META", "META.story.name"),
                ("info", "pill", "INFO", "INFO.credential.x.metadata.user"),
                ("global", "pill", "LOOP", "LOOP.value"),
                ("literal", "pill", "TRUE", "TRUE")
            ]
        );
    }

    #[test]
    fn a_reused_parser_reads_each_text_as_a_fresh_one() {
        let texts = [
            "=MAP(a.body.items, LAMBDA(item, item.url))",
            "Bearer <<get_token.body.access_token>>",
            "<<DATE(b.body.at, \"%Y\")>> {{ .c.d | x: e.f }}",
            "{% for i in g.list %}{{ i }}{% endfor %}",
            "",
            "<< .CREDENTIAL.x >> <<1.5>> <<h[\"k\"].v>>",
        ];
        let mut parser = Parser::default();
        let mut out = Vec::new();
        for text in texts.iter().chain(texts.iter().rev()) {
            parser.parse(text, &mut out);
            assert_eq!(out, references(text), "{text}");
        }
    }

    #[test]
    fn formula_fields_lambdas_named_arguments_and_strings() {
        assert_eq!(
            refs("=FILTER(get_users.body, LAMBDA(element, MATCH(element.email, \"<<x>>\")))"),
            [
                ("function", "formula", "FILTER", "FILTER"),
                ("action", "formula", "get_users", "get_users.body"),
                ("function", "formula", "LAMBDA", "LAMBDA"),
                ("local", "formula", "element", "element"),
                ("function", "formula", "MATCH", "MATCH"),
                ("local", "formula", "element", "element.email")
            ]
        );
        assert_eq!(
            refs("=TO_SNAKE_CASE(prev.name, from_camel_case: TRUE) |> UPCASE(%)"),
            [
                ("function", "formula", "TO_SNAKE_CASE", "TO_SNAKE_CASE"),
                ("action", "formula", "prev", "prev.name"),
                ("literal", "formula", "TRUE", "TRUE"),
                ("function", "formula", "UPCASE", "UPCASE")
            ]
        );
        // Quoted `>>` does not end a pill; `\<<` is no pill.
        assert_eq!(
            refs(r#"<<REPLACE(a.b, ">>", "")>> and \<<not_a_pill>>"#),
            [
                ("function", "pill", "REPLACE", "REPLACE"),
                ("action", "pill", "a", "a.b")
            ]
        );
        assert!(refs("<<unclosed.x").is_empty());
        assert_eq!(
            refs("Bearer <<CREDENTIAL.{my-credential}>>"),
            [("credential", "pill", "CREDENTIAL", "CREDENTIAL")]
        );
        assert!(refs("plain text, 1 << 2").is_empty());
    }

    #[test]
    fn liquid_outputs_tags_and_locals() {
        assert_eq!(
            refs("{{ .receive_alert.body.user | downcase }} {{ counter.count | plus: step.size }}"),
            [
                (
                    "action",
                    "liquid",
                    "receive_alert",
                    "receive_alert.body.user"
                ),
                ("action", "liquid", "counter", "counter.count"),
                ("action", "liquid", "step", "step.size")
            ]
        );
        assert_eq!(
            refs(
                "{% assign m = .receive_sts.method %}{{ m }}{% for row in .q.body.rows %}{{ row[forloop.index0] }}{% endfor %}"
            ),
            [
                ("action", "liquid", "receive_sts", "receive_sts.method"),
                ("local", "liquid", "m", "m"),
                ("action", "liquid", "q", "q.body.rows"),
                ("local", "liquid", "row", "row[forloop.index0]"),
                ("local", "liquid", "forloop", "forloop.index0")
            ]
        );
        let text =
            "x:{% credential HybridAnalysisAPI %} {{ .CREDENTIAL.vt }} {% global_resource jira %}";
        let found = references(text);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].kind, RootKind::Credential);
        assert_eq!(&text[found[0].name.clone().unwrap()], "HybridAnalysisAPI");
        assert_eq!(&text[found[1].name.clone().unwrap()], "vt");
        assert_eq!(found[2].kind, RootKind::Resource);
        assert!(refs("{% comment %}{{ gone.x }}{% endcomment %}{% line_break %}").is_empty());
        assert_eq!(
            refs("{% if a.b == 'x' and c %}{% endif %}"),
            [
                ("action", "liquid", "a", "a.b"),
                ("action", "liquid", "c", "c")
            ]
        );
    }
}
