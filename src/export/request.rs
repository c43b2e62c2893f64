//! The request an HTTP Request action makes, as far as its options tell
//! before it runs: where it goes (host, path, query) and every header,
//! parameter and option that may carry a credential, with the form each
//! uses. Nothing here knows an API; the `api` condition holds this against
//! the API profiles.

use super::references::{Parser, Reference, RootKind};
use super::templates;
use crate::parse::{Document, Kind};
use std::ops::Range;

/// What an HTTP Request action's options say about its request.
#[derive(Debug, Default)]
pub(crate) struct Request {
    /// `options.url`, when it is a string whose host storylint can read.
    pub(crate) url: Option<Url>,
    pub(crate) headers: Headers,
    /// `options.basic_auth`, when set to something.
    pub(crate) basic_auth: Option<u32>,
    /// The body holds a credential reference somewhere.
    pub(crate) payload_credential: bool,
    /// `options.payload`, when it is an object.
    pub(crate) payload: Option<u32>,
    /// `options.mutual_tls` is set: a client certificate is sent.
    pub(crate) mutual_tls: bool,
}

/// Where the request goes.
#[derive(Debug)]
pub(crate) struct Url {
    /// The `url` string's node.
    pub(crate) node: u32,
    /// What its text says: shared by every `url` written the same way.
    pub(crate) text: std::rc::Rc<UrlText>,
}

impl std::ops::Deref for Url {
    type Target = UrlText;
    fn deref(&self) -> &UrlText {
        &self.text
    }
}

/// What the text of a `url` says, wherever it is written.
#[derive(Debug)]
pub(crate) struct UrlText {
    pub(crate) host: Host,
    /// The host's bytes in the decoded `url` string.
    pub(crate) host_range: Range<usize>,
    /// The path, without query or fragment (`/` when empty).
    pub(crate) path: String,
    pub(crate) query: Vec<Param>,
    /// `user:password@` before the host.
    pub(crate) userinfo: bool,
}

/// The host as far as storylint can tell.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Host {
    /// Lower case, without port; each template in it reads as `x`s.
    Literal(String),
    /// The whole host is one `RESOURCE` reference: its name.
    Resource(String),
    /// Computed in some other way.
    Unknown,
}

/// One query parameter.
#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) name: String,
    /// `name=value` in the decoded `url` string.
    pub(crate) range: Range<usize>,
    pub(crate) credential_ref: bool,
    pub(crate) empty: bool,
}

/// The `headers` option.
#[derive(Debug, Default)]
pub(crate) enum Headers {
    #[default]
    Absent,
    /// A string: computed at run time (`=MERGE(...)`, `<<prep.headers>>`).
    Computed,
    Listed(Vec<Header>),
}

/// One header.
#[derive(Debug)]
pub(crate) struct Header {
    /// The value's node.
    pub(crate) node: u32,
    /// What its name and value say: shared by every header written the
    /// same way.
    pub(crate) text: std::rc::Rc<HeaderText>,
}

impl std::ops::Deref for Header {
    type Target = HeaderText;
    fn deref(&self) -> &HeaderText {
        &self.text
    }
}

/// What a header's name and value say, wherever it is written.
#[derive(Debug)]
pub(crate) struct HeaderText {
    /// The name; `None` when it is templated.
    pub(crate) name: Option<String>,
    /// The value's text, decoded.
    text: String,
    scheme: std::cell::OnceCell<Scheme>,
    /// The value holds a credential reference.
    pub(crate) credential_ref: bool,
    /// The value is empty or blank (or not a string).
    pub(crate) empty: bool,
}

impl HeaderText {
    /// What the member `value` of a `headers` object says.
    pub(crate) fn of(doc: &Document, value: u32) -> HeaderText {
        let name = doc.key(value).map(|k| k.into_owned());
        let name = name.filter(|n| !templates::is_templated(n));
        let text = doc.str_value(value).unwrap_or_default();
        let mut refs = Vec::new();
        Parser::default().parse(&text, &mut refs);
        HeaderText {
            name,
            credential_ref: has_credential(&refs),
            empty: text.trim().is_empty(),
            text: text.into_owned(),
            scheme: std::cell::OnceCell::new(),
        }
    }

    /// What comes before the credential in the value, worked out only for
    /// the few headers that carry one.
    pub(crate) fn scheme(&self) -> &Scheme {
        self.scheme.get_or_init(|| {
            let mut refs = Vec::new();
            Parser::default().parse(&self.text, &mut refs);
            scheme(&self.text, &refs)
        })
    }
}

/// What comes before the credential in a header's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// Nothing: the credential is the whole value.
    Raw,
    /// This text (`Bearer`, `Token token=`).
    Text(String),
    /// Storylint cannot tell: a formula, or a value that is all one
    /// reference to something other than a credential (it may hold the
    /// scheme itself).
    Unknown,
}

impl Request {
    /// The request of the action at `action`.
    pub(crate) fn of(doc: &Document, action: u32) -> Request {
        let options = doc.get(action, "options");
        let header = |value| HeaderText::of(doc, value).into();
        Request::with_url(doc, options, Url::in_options(doc, options), header)
    }

    /// The rest of the request of an action whose `options` member is
    /// `options` and whose URL is `url` (read first, so that a request to
    /// no known API costs no more than its URL); `header` reads what a
    /// member of `headers` says ([`HeaderText::of`], or a copy of it).
    pub(crate) fn with_url(
        doc: &Document,
        options: Option<u32>,
        url: Option<Url>,
        header: impl FnMut(u32) -> std::rc::Rc<HeaderText>,
    ) -> Request {
        let Some(options) = options else {
            return Request::default();
        };
        let set = |key: &str| {
            doc.get(options, key)
                .filter(|&n| !matches!(doc.kind(n), Kind::Null) && !doc.raw(n).trim().is_empty())
                .filter(|&n| doc.str_value(n).is_none_or(|s| !s.trim().is_empty()))
        };
        let payload = doc.get(options, "payload");
        Request {
            url,
            headers: headers(doc, doc.get(options, "headers"), header),
            basic_auth: set("basic_auth"),
            payload_credential: payload.is_some_and(|p| mentions_credential(doc.raw(p))),
            payload: payload.filter(|&p| matches!(doc.kind(p), Kind::Object)),
            mutual_tls: set("mutual_tls").is_some(),
        }
    }
}

impl Url {
    /// `url` in an action's `options` member `options`, when storylint can
    /// read its host.
    pub(crate) fn in_options(doc: &Document, options: Option<u32>) -> Option<Url> {
        let node = doc.get(options?, "url")?;
        let text = UrlText::of(doc, node)?;
        Some(Url {
            node,
            text: text.into(),
        })
    }
}

impl UrlText {
    /// What the value `node` says, when it is a string storylint can split
    /// into host, path and query: the same for every value written alike.
    pub(crate) fn of(doc: &Document, node: u32) -> Option<UrlText> {
        url(doc, node, &mut Parser::default(), &mut Vec::new())
    }
}

/// Whether raw JSON text may hold a credential reference, in any syntax
/// (escaped forms included): it names `CREDENTIAL`, or a Liquid
/// `credential` tag.
fn mentions_credential(raw: &str) -> bool {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    // Built once: building a searcher costs more than most searches.
    static FINDERS: LazyLock<[Finder<'static>; 2]> =
        LazyLock::new(|| [Finder::new(b"CREDENTIAL"), Finder::new(b"credential ")]);
    FINDERS.iter().any(|f| f.find(raw.as_bytes()).is_some())
}

/// The top-level field `name` (any case) of an object payload, when it
/// holds something: for APIs that take a credential as a body field.
pub(crate) fn payload_field(doc: &Document, payload: u32, name: &str) -> Option<u32> {
    let mut live = Vec::new();
    doc.live_children_into(payload, &mut live);
    live.into_iter().find(|&v| {
        doc.key(v).is_some_and(|k| k.eq_ignore_ascii_case(name))
            && !matches!(doc.kind(v), Kind::Null)
            && doc.str_value(v).is_none_or(|s| !s.trim().is_empty())
    })
}

/// Whether `refs` hold a credential reference.
fn has_credential(refs: &[Reference]) -> bool {
    refs.iter().any(|r| r.kind == RootKind::Credential)
}

fn headers(
    doc: &Document,
    node: Option<u32>,
    mut header: impl FnMut(u32) -> std::rc::Rc<HeaderText>,
) -> Headers {
    let Some(node) = node else {
        return Headers::Absent;
    };
    match doc.kind(node) {
        Kind::Object => {}
        Kind::Null => return Headers::Absent,
        _ => return Headers::Computed,
    }
    let mut live = Vec::new();
    doc.live_children_into(node, &mut live);
    let list = live.into_iter().map(|value| Header {
        node: value,
        text: header(value),
    });
    Headers::Listed(list.collect())
}

/// What comes before the credential in the header value `text`, whose
/// references are `refs`.
pub(crate) fn scheme(text: &str, refs: &[Reference]) -> Scheme {
    let text = text.trim();
    if templates::is_formula_field(text) {
        return Scheme::Unknown;
    }
    let first = templates::expressions(text).first().map(|r| r.start);
    let Some(first) = first else {
        // A literal: the scheme is what comes before its last word.
        return match text.rfind(char::is_whitespace) {
            Some(i) => Scheme::Text(text[..i].trim().to_string()),
            None => Scheme::Raw,
        };
    };
    let prefix = text[..first]
        .trim()
        .trim_end_matches(['"', '\''])
        .trim_end();
    if !prefix.is_empty() {
        return Scheme::Text(prefix.to_string());
    }
    // The value starts with a template: the credential itself, or
    // something computed that may carry its own scheme.
    let leading = refs.iter().find(|r| r.kind != RootKind::Function);
    match leading {
        Some(r) if r.kind == RootKind::Credential => Scheme::Raw,
        _ => Scheme::Unknown,
    }
}

/// The request's URL, when `node` is a string storylint can split.
fn url(
    doc: &Document,
    node: u32,
    parser: &mut Parser,
    refs: &mut Vec<Reference>,
) -> Option<UrlText> {
    let text = doc.str_value(node)?;
    let masked = templates::mask(&text);
    let parts = split_masked(&masked)?;
    let host_text = &text[parts.host.clone()];
    let host = host(host_text, &masked[parts.host.clone()], parser, refs);
    let path = match &text[parts.path.clone()] {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    let query = parts
        .query
        .map(|q| params(&text, &masked, q, parser, refs))
        .unwrap_or_default();
    Some(UrlText {
        host,
        host_range: parts.host,
        path,
        query,
        userinfo: parts.userinfo,
    })
}

fn host(text: &str, masked: &str, parser: &mut Parser, refs: &mut Vec<Reference>) -> Host {
    if text == masked {
        return Host::Literal(text.trim_end_matches('.').to_ascii_lowercase());
    }
    if templates::is_whole_template(text) {
        parser.parse(text, refs);
        return match refs.as_slice() {
            [r] if r.kind == RootKind::Resource => r
                .name
                .clone()
                .map_or(Host::Unknown, |n| Host::Resource(text[n].to_string())),
            _ => Host::Unknown,
        };
    }
    Host::Literal(masked.trim_end_matches('.').to_ascii_lowercase())
}

/// The parts of a URL, as byte ranges of its text.
#[derive(Debug, PartialEq, Eq)]
struct UrlParts {
    host: Range<usize>,
    path: Range<usize>,
    query: Option<Range<usize>>,
    userinfo: bool,
}

/// Splits `text` into host, path and query, reading its structure with
/// every template masked (so a template never ends a part), and keeping
/// the original's offsets. `None` without a `scheme://` at the start.
#[cfg(test)]
fn split_url(text: &str) -> Option<UrlParts> {
    split_masked(&templates::mask(text))
}

/// [`split_url`] of a text already masked.
fn split_masked(masked: &str) -> Option<UrlParts> {
    let lead = masked.len() - masked.trim_start().len();
    let m = &masked[..masked.trim_end().len().max(lead)];
    let sep = m[lead..].find("://")? + lead;
    let scheme = &m[lead..sep];
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
    {
        return None;
    }
    let start = sep + 3;
    let end_of = |from: usize, stops: &[u8]| {
        let rest = &m.as_bytes()[from..];
        let found = match *stops {
            [a, b, c] => memchr::memchr3(a, b, c, rest),
            [a, b] => memchr::memchr2(a, b, rest),
            _ => memchr::memchr(stops[0], rest),
        };
        found.map_or(m.len(), |i| from + i)
    };
    let authority_end = end_of(start, b"/?#");
    let authority = &m[start..authority_end];
    let (host_start, userinfo) = match authority.rfind('@') {
        Some(at) => (start + at + 1, true),
        None => (start, false),
    };
    let host_part = &m[host_start..authority_end];
    let mut host_end = authority_end;
    // A port after the last `:` (digits, or a template masked as `x`s),
    // unless that colon is inside an IPv6 literal such as `[::1]`.
    if let Some(colon) = host_part.rfind(':') {
        let in_brackets = host_part.starts_with('[') && !host_part[..colon].ends_with(']');
        let port = &host_part[colon + 1..];
        if !in_brackets && port.bytes().all(|b| b.is_ascii_digit() || b == b'x') {
            host_end = host_start + colon;
        }
    }
    let path_end = end_of(authority_end, b"?#");
    let query = (m[path_end..].starts_with('?')).then(|| path_end + 1..end_of(path_end, b"#"));
    Some(UrlParts {
        host: host_start..host_end,
        path: authority_end..path_end,
        query,
        userinfo,
    })
}

/// The query parameters in `text[query]`.
fn params(
    text: &str,
    masked: &str,
    query: Range<usize>,
    parser: &mut Parser,
    refs: &mut Vec<Reference>,
) -> Vec<Param> {
    let mut out = Vec::new();
    let mut at = query.start;
    for piece in masked[query.clone()].split('&') {
        let range = at..at + piece.len();
        at = range.end + 1;
        if piece.is_empty() {
            continue;
        }
        let (name_end, value_start) = match piece.find('=') {
            Some(eq) => (range.start + eq, range.start + eq + 1),
            None => (range.end, range.end),
        };
        let value = &text[value_start..range.end];
        parser.parse(value, refs);
        out.push(Param {
            name: text[range.start..name_end].to_string(),
            range,
            credential_ref: has_credential(refs),
            empty: value.trim().is_empty(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, String, Option<String>, bool) {
        let p = split_url(url).unwrap();
        (
            url[p.host].to_string(),
            url[p.path].to_string(),
            p.query.map(|q| url[q].to_string()),
            p.userinfo,
        )
    }

    #[test]
    fn urls_split_around_templates_ports_and_userinfo() {
        assert_eq!(
            parts("https://www.virustotal.com/api/v3/files/<<a.body.sha>>?x=<<b.c>>&y=1#top"),
            (
                "www.virustotal.com".into(),
                "/api/v3/files/<<a.body.sha>>".into(),
                Some("x=<<b.c>>&y=1".into()),
                false
            )
        );
        assert_eq!(
            parts("https://<<RESOURCE.splunk_host>>:8089/services/search/jobs"),
            (
                "<<RESOURCE.splunk_host>>".into(),
                "/services/search/jobs".into(),
                None,
                false
            )
        );
        assert_eq!(
            parts(" https://user:<<CREDENTIAL.pw>>@api.example.com:<<RESOURCE.port>>?q=1 "),
            (
                "api.example.com".into(),
                "".into(),
                Some("q=1".into()),
                true
            )
        );
        assert_eq!(parts("https://[::1]:8080/x").0, "[::1]");
        assert!(split_url("<<RESOURCE.base_url>>/v1/users").is_none());
        assert!(split_url("api.example.com/v1").is_none());
    }

    #[test]
    fn any_slice_of_a_url_splits_without_panicking() {
        let samples = [
            " \t https://ü:<<CREDENTIAL.p>>@[::1]:<<RESOURCE.port>>/p/ä?q=<<a.b>>&r=#f  ",
            "h://@:/?#",
            "   ",
            "://x",
            "https://{% global_resource host %}:8089/services?x=1",
        ];
        for sample in samples {
            let bounds: Vec<usize> = (0..=sample.len())
                .filter(|&i| sample.is_char_boundary(i))
                .collect();
            for &a in &bounds {
                for &b in bounds.iter().filter(|&&b| b >= a) {
                    if let Some(p) = split_url(&sample[a..b]) {
                        assert!(
                            p.host.end <= p.path.start && p.path.end <= b - a,
                            "{:?}",
                            &sample[a..b]
                        );
                    }
                }
            }
        }
    }

    fn request(options: &str) -> Request {
        let json = format!(r#"{{"type": "Agents::HTTPRequestAgent", "options": {options}}}"#);
        let doc = Document::parse(&json).unwrap();
        Request::of(&doc, 0)
    }

    #[test]
    fn hosts_headers_and_query_are_read() {
        let r = request(
            r#"{"url": "https://<<RESOURCE.okta_domain>>/api/v1/users?apikey=<<CREDENTIAL.k>>&limit=5&token=",
                "headers": {"Authorization": "SSWS <<CREDENTIAL.okta>>", "X-Api-Key": "<<CREDENTIAL.x>>",
                            "X-Other": "<<prep.body.token>>", "<<RESOURCE.h>>": "v", "Empty": " "},
                "payload": {"a": "{{ .CREDENTIAL.y }}"}, "basic_auth": ["u", "<<CREDENTIAL.p>>"]}"#,
        );
        let url = r.url.unwrap();
        assert_eq!(url.host, Host::Resource("okta_domain".into()));
        assert_eq!(url.path, "/api/v1/users");
        let q: Vec<(&str, bool, bool)> = url
            .query
            .iter()
            .map(|p| (p.name.as_str(), p.credential_ref, p.empty))
            .collect();
        assert_eq!(
            q,
            [
                ("apikey", true, false),
                ("limit", false, false),
                ("token", false, true)
            ]
        );
        let Headers::Listed(h) = r.headers else {
            panic!()
        };
        let h: Vec<(Option<&str>, Scheme, bool, bool)> = h
            .iter()
            .map(|h| {
                (
                    h.name.as_deref(),
                    h.scheme().clone(),
                    h.credential_ref,
                    h.empty,
                )
            })
            .collect();
        assert_eq!(
            h,
            [
                (
                    Some("Authorization"),
                    Scheme::Text("SSWS".into()),
                    true,
                    false
                ),
                (Some("X-Api-Key"), Scheme::Raw, true, false),
                (Some("X-Other"), Scheme::Unknown, false, false),
                (None, Scheme::Raw, false, false),
                (Some("Empty"), Scheme::Raw, false, true),
            ]
        );
        assert!(r.payload_credential && r.basic_auth.is_some() && !r.mutual_tls);
        let json = r#"{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://x.io", "payload": {"Token": "xoxb-1", "empty": " ", "none": null, "n": 0}}}"#;
        let doc = Document::parse(json).unwrap();
        let p = Request::of(&doc, 0).payload.unwrap();
        let found = |name: &str| payload_field(&doc, p, name).map(|n| doc.raw(n).to_string());
        assert_eq!(
            (found("token"), found("N")),
            (Some("\"xoxb-1\"".into()), Some("0".into()))
        );
        assert_eq!(
            (found("empty"), found("none"), found("other")),
            (None, None, None)
        );
        let r = request(
            r#"{"url": "https://acme.<<RESOURCE.region>>.okta.com/x", "headers": "=MERGE(a, b)"}"#,
        );
        assert_eq!(
            r.url.unwrap().host,
            Host::Literal(format!(
                "acme.{}.okta.com",
                "x".repeat("<<RESOURCE.region>>".len())
            ))
        );
        assert!(matches!(r.headers, Headers::Computed));
    }

    #[test]
    fn schemes_are_what_comes_before_the_credential() {
        let s = |text: &str| {
            let mut refs = Vec::new();
            Parser::default().parse(text, &mut refs);
            scheme(text, &refs)
        };
        assert_eq!(s("Bearer <<CREDENTIAL.x>>"), Scheme::Text("Bearer".into()));
        assert_eq!(
            s("Token token=<<CREDENTIAL.x>>"),
            Scheme::Text("Token token=".into())
        );
        assert_eq!(
            s("Token token=\"<<CREDENTIAL.x>>\""),
            Scheme::Text("Token token=".into())
        );
        assert_eq!(s(" {{ .CREDENTIAL.x }} "), Scheme::Raw);
        assert_eq!(s("<<URL_ENCODE(CREDENTIAL.x)>>"), Scheme::Raw);
        assert_eq!(
            s("<<get_token.body.token_type>> <<get_token.body.access_token>>"),
            Scheme::Unknown
        );
        assert_eq!(s("=CONCAT('Bearer ', CREDENTIAL.x)"), Scheme::Unknown);
        assert_eq!(s("Bearer abc.def"), Scheme::Text("Bearer".into()));
        assert_eq!(s("abcdef0123456789abcdef"), Scheme::Raw);
    }
}
