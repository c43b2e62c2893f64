//! `api`: the credentials a request sends, held against the profile of the
//! API it calls (see [`crate::apis`]): sent in a form the API accepts, in
//! one it does not, or not sent where the API requires one.
//!
//! A request is judged only where storylint sees all of it: headers
//! computed at run time, a credential in the body, a client certificate,
//! a templated header name or a value whose scheme is computed make
//! "unaccepted" and "missing" stay silent.

use super::{Ctx, Hit, Narrow, Subject};
use crate::apis::{ApiSet, Form, Found, Host as ApiHost, Place, Requirement, Resolved};
use crate::export::request::{
    HeaderText, Headers, Host, Request, Scheme, Url, UrlText, payload_field,
};
use crate::parse::Document;
use crate::rules::memo::TextTable;
use std::ops::Range;
use std::rc::Rc;

/// What an `api` condition looks for.
#[derive(Debug)]
pub(crate) enum Want {
    Accepted,
    Unaccepted,
    Missing,
}

/// A compiled `api` test.
#[derive(Debug)]
pub(crate) struct ApiTest {
    pub(crate) want: Want,
    /// Only credentials sent with (`true`) or without a scheme.
    pub(crate) scheme: Option<bool>,
    /// Header names (lower case) that carry a credential.
    pub(crate) headers: Vec<String>,
    /// Query parameter names (lower case) that may carry one.
    pub(crate) parameters: Vec<String>,
}

/// The request of an action and the API it calls.
#[derive(Debug)]
pub(crate) struct Called<'a> {
    request: Request,
    resolved: Resolved<'a>,
    /// What each test (by address) finds sent, worked out once: the rules
    /// ask again for every header of the action.
    sent: std::cell::RefCell<Vec<(usize, std::rc::Rc<[Sent]>)>>,
}

impl Called<'_> {
    /// Whether `node` is a value the request sends a credential in: a
    /// header, the URL or `basic_auth`.
    fn carries(&self, node: u32) -> bool {
        let r = &self.request;
        r.url.as_ref().is_some_and(|u| u.node == node)
            || r.basic_auth == Some(node)
            || matches!(&r.headers, Headers::Listed(h) if h.iter().any(|h| h.node == node))
    }

    fn sent(&self, test: &ApiTest, doc: &Document) -> std::rc::Rc<[Sent]> {
        let key = test as *const ApiTest as usize;
        if let Some((_, found)) = self.sent.borrow().iter().find(|(k, _)| *k == key) {
            return found.clone();
        }
        let found: std::rc::Rc<[Sent]> = sent(test, self, doc).into();
        self.sent.borrow_mut().push((key, found.clone()));
        found
    }
}

/// One place the request sends a credential.
#[derive(Debug)]
struct Sent {
    /// The value it is written in, and where in it (a query parameter in
    /// the URL); `None`: the whole value.
    node: u32,
    range: Option<Range<usize>>,
    /// Whether the API accepts it; `None`: storylint cannot tell.
    verdict: Option<bool>,
    /// A credential for sure (a credential reference, or a header that
    /// carries one), not merely named like one.
    sure: bool,
    /// In a header, with a scheme before it (`Some(true)`) or without.
    scheme: Option<bool>,
    /// In a header: its name and value text before the credential.
    header: Option<(String, Scheme)>,
}

/// The hits of `test` on `subject`, the value of an action.
pub(super) fn api(test: &ApiTest, ctx: &Ctx, subject: &Subject, every: bool) -> Vec<Hit> {
    let called = ctx.called.get_or_init(|| called(ctx));
    let Some(called) = called else {
        return Vec::new();
    };
    if !called.carries(subject.node) {
        return Vec::new();
    }
    let sent = called.sent(test, ctx.doc);
    let hits = match test.want {
        Want::Missing => missing(called, &sent, subject),
        Want::Accepted | Want::Unaccepted => judged(test, called, &sent, subject),
    };
    if every {
        hits
    } else {
        hits.into_iter().take(1).collect()
    }
}

/// The action's request, when it calls an API with a profile.
fn called<'d>(ctx: &Ctx<'d, '_>) -> Option<Called<'d>> {
    let node = ctx.doc.get(ctx.options?, "url")?;
    let (text, found) = URLS.with_borrow_mut(|urls| urls.read(ctx.doc, node, ctx.apis))?;
    let header = |value| HEADERS.with_borrow_mut(|headers| headers.read(ctx.doc, value));
    let request = Request::with_url(ctx.doc, ctx.options, Some(Url { node, text }), header);
    Some(Called {
        request,
        resolved: ctx.apis.resolved(found),
        sent: Default::default(),
    })
}

/// What a `url` says and the API it calls, by its raw text: the same URL
/// is written in every action that calls one endpoint, in story after
/// story. Kept per thread from file to file, for one set of profiles at
/// a time.
struct Urls {
    /// The [`ApiSet::id`] of the profiles its lookups were made in.
    apis: u64,
    table: TextTable<Option<(Rc<UrlText>, Found)>>,
}

thread_local! {
    static URLS: std::cell::RefCell<Urls> = std::cell::RefCell::new(Urls {
        apis: 0,
        table: TextTable::new(MAX_URLS, MAX_URL_BYTES),
    });
}

/// Most URLs, and bytes of them, a thread's [`Urls`] remembers.
const MAX_URLS: usize = 1 << 12;
const MAX_URL_BYTES: usize = 1 << 20;

/// What a header says, by its raw name and value: one API's headers are
/// written alike in every action that calls it. Kept per thread from file
/// to file.
struct HeaderTexts(TextTable<Rc<HeaderText>>);

thread_local! {
    static HEADERS: std::cell::RefCell<HeaderTexts> =
        std::cell::RefCell::new(HeaderTexts(TextTable::new(MAX_HEADERS, MAX_HEADER_BYTES)));
}

/// Most headers, and bytes of their names and values, a thread's
/// [`HeaderTexts`] remembers.
const MAX_HEADERS: usize = 1 << 12;
const MAX_HEADER_BYTES: usize = 1 << 20;

impl HeaderTexts {
    /// What the member `value` of a `headers` object says.
    fn read(&mut self, doc: &Document, value: u32) -> Rc<HeaderText> {
        let (raw, key) = (doc.raw(value), doc.raw_key(value));
        if let Some(known) = self.0.get(raw, key) {
            return known.clone();
        }
        let read = Rc::new(HeaderText::of(doc, value));
        self.0.set(raw, key, read.clone());
        read
    }
}

impl Urls {
    /// What the `url` value `node` says, when it calls an API with a
    /// profile in `apis`.
    fn read(&mut self, doc: &Document, node: u32, apis: &ApiSet) -> Option<(Rc<UrlText>, Found)> {
        if self.apis != apis.id() {
            self.apis = apis.id();
            self.table = TextTable::new(MAX_URLS, MAX_URL_BYTES);
        }
        let raw = doc.raw(node);
        if let Some(known) = self.table.get(raw, None) {
            return known.clone();
        }
        let read = UrlText::of(doc, node).and_then(|text| {
            let host = match &text.host {
                Host::Literal(h) => ApiHost::Literal(h),
                Host::Resource(name) => ApiHost::Resource(name),
                Host::Unknown => return None,
            };
            let found = apis.find(host, &text.path)?;
            Some((Rc::new(text), found))
        });
        self.table.set(raw, None, read.clone());
        read
    }
}

/// Every place the request sends a credential, with the API's verdict.
fn sent(test: &ApiTest, called: &Called, doc: &Document) -> Vec<Sent> {
    let (request, accepts) = (&called.request, called.resolved.accepts);
    let mut out = Vec::new();
    if let Headers::Listed(headers) = &request.headers {
        for h in headers {
            let named = h.name.as_deref().is_some_and(|n| {
                test.headers.iter().any(|t| t.eq_ignore_ascii_case(n))
                    || accepts.iter().any(|f| header_named(f, n))
            });
            if !(h.credential_ref || named) {
                continue;
            }
            let scheme = h.scheme();
            let verdict = match (&h.name, h.empty) {
                (Some(name), false) => header_verdict(accepts, name, scheme),
                _ => None,
            };
            out.push(Sent {
                node: h.node,
                range: None,
                verdict,
                sure: !h.empty,
                scheme: match scheme {
                    Scheme::Raw => Some(false),
                    Scheme::Text(_) => Some(true),
                    Scheme::Unknown => None,
                },
                header: h.name.clone().map(|n| (n, scheme.clone())),
            });
        }
    }
    if let Some(url) = &request.url {
        for p in &url.query {
            let accepted = accepts
                .iter()
                .any(|f| matches!(&f.place, Place::Query(q) if q.eq_ignore_ascii_case(&p.name)));
            let named = test
                .parameters
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&p.name));
            if !(p.credential_ref || accepted || named) {
                continue;
            }
            // An empty one is empty-credential's: sent, but not judged.
            out.push(Sent {
                node: url.node,
                range: Some(p.range.clone()),
                verdict: (!p.empty && (p.credential_ref || accepted)).then_some(accepted),
                sure: p.credential_ref,
                scheme: None,
                header: None,
            });
        }
        if url.userinfo {
            out.push(basic(url.node, accepts));
        }
    }
    if let Some(node) = request.basic_auth {
        out.push(basic(node, accepts));
    }
    out.extend(payload_sent(doc, request, accepts));
    out
}

/// Body fields the API takes a credential in: sent and accepted. Fields
/// merely named like one are not counted, since a body often carries a
/// token as data (the token a revocation endpoint revokes).
fn payload_sent(doc: &Document, request: &Request, accepts: &[Form]) -> Vec<Sent> {
    let Some(payload) = request.payload else {
        return Vec::new();
    };
    let fields = accepts.iter().filter_map(|f| match &f.place {
        Place::Payload(name) => payload_field(doc, payload, name),
        _ => None,
    });
    fields
        .map(|node| Sent {
            node,
            range: None,
            verdict: Some(true),
            sure: false,
            scheme: None,
            header: None,
        })
        .collect()
}

fn basic(node: u32, accepts: &[Form]) -> Sent {
    Sent {
        node,
        range: None,
        verdict: Some(accepts_basic(accepts)),
        sure: true,
        scheme: None,
        header: None,
    }
}

fn header_named(form: &Form, name: &str) -> bool {
    matches!(&form.place, Place::Header { name: n, .. } if n.eq_ignore_ascii_case(name))
}

fn accepts_basic(accepts: &[Form]) -> bool {
    accepts.iter().any(|f| match &f.place {
        Place::BasicAuth => true,
        Place::Header {
            name,
            scheme: Some(s),
        } => name.eq_ignore_ascii_case("authorization") && s.eq_ignore_ascii_case("basic"),
        _ => false,
    })
}

/// Whether the API takes a credential in header `name` after `scheme`.
/// Text after the scheme and a blank (`Basic user:<<CREDENTIAL.pw>>`)
/// is part of the credential, so a scheme matches when it starts the text.
fn header_verdict(accepts: &[Form], name: &str, scheme: &Scheme) -> Option<bool> {
    let sent = match scheme {
        Scheme::Unknown => return None,
        Scheme::Raw => None,
        Scheme::Text(s) => Some(normal(s)),
    };
    let starts = |scheme: &str| {
        sent.as_deref().is_some_and(|s| {
            s.strip_prefix(scheme)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        })
    };
    if name.eq_ignore_ascii_case("authorization") && starts("basic") {
        return Some(accepts_basic(accepts));
    }
    Some(accepts.iter().any(|f| match &f.place {
        Place::Header { name: n, scheme } => {
            n.eq_ignore_ascii_case(name)
                && match scheme {
                    Some(want) => starts(&normal(want)),
                    None => sent.is_none(),
                }
        }
        _ => false,
    }))
}

/// A scheme as compared: lower case, without surrounding blanks.
fn normal(scheme: &str) -> String {
    scheme.trim().to_ascii_lowercase()
}

/// A credential the value sends in a form the API accepts, or one the API
/// does not accept while nothing else in the request is accepted (or
/// undecided).
fn judged(test: &ApiTest, called: &Called, sent: &[Sent], subject: &Subject) -> Vec<Hit> {
    let resolved = &called.resolved;
    let want = matches!(test.want, Want::Accepted);
    let request = &called.request;
    let undecided = matches!(request.headers, Headers::Computed)
        || request.payload_credential
        || request.mutual_tls
        || sent.iter().any(|s| s.verdict.is_none());
    let some_accepted = sent.iter().any(|s| s.verdict == Some(true));
    if !want && (undecided || some_accepted || resolved.credential == Requirement::None) {
        return Vec::new();
    }
    sent.iter()
        .filter(|s| s.node == subject.node && s.verdict == Some(want) && (want || s.sure))
        .filter(|s| test.scheme.is_none_or(|w| s.scheme == Some(w)))
        .map(|s| Hit {
            narrow: narrow(subject, s.range.clone()),
            suggestion: if want {
                None
            } else {
                suggestion(resolved.accepts, s, subject)
            },
            reason: Some(takes(resolved)),
            ..Hit::default()
        })
        .collect()
}

/// On the URL: the API requires a credential here and the request sends
/// none anywhere.
fn missing(called: &Called, sent: &[Sent], subject: &Subject) -> Vec<Hit> {
    let (request, resolved) = (&called.request, &called.resolved);
    let Some(url) = &request.url else {
        return Vec::new();
    };
    let none_sent = sent.is_empty()
        && !matches!(request.headers, Headers::Computed)
        && !request.payload_credential
        && !request.mutual_tls;
    if subject.node != url.node || resolved.credential != Requirement::Required || !none_sent {
        return Vec::new();
    }
    vec![Hit {
        narrow: narrow(subject, Some(url.host_range.clone())),
        reason: Some(format!(
            "{} requires one here, as {} ({})",
            resolved.profile.name,
            forms(resolved),
            resolved.source()
        )),
        ..Hit::default()
    }]
}

fn narrow(subject: &Subject, range: Option<Range<usize>>) -> Option<Narrow> {
    let range = range?;
    let text = subject.str().get(range.clone())?.to_string();
    subject.located.then(|| Narrow {
        span: subject.source_span(range),
        node: subject.node,
        text,
    })
}

/// "VirusTotal API v3 takes it as `x-apikey: <credential>` (URL)".
fn takes(resolved: &Resolved) -> String {
    let (name, source) = (&resolved.profile.name, resolved.source());
    format!("{name} takes it as {} ({source})", forms(resolved))
}

/// The accepted forms, described once each: "`a`, `b` or `c`".
fn forms(resolved: &Resolved) -> String {
    let mut forms: Vec<String> = Vec::new();
    for f in resolved.accepts {
        let d = f.place.describe();
        if !forms.contains(&d) {
            forms.push(d);
        }
    }
    match forms.as_slice() {
        [] => "no credential".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// For a credential sent alone in a header the API takes with one scheme:
/// the value with that scheme in front.
fn suggestion(accepts: &[Form], sent: &Sent, subject: &Subject) -> Option<String> {
    let (name, Scheme::Raw) = sent.header.as_ref()? else {
        return None;
    };
    let mut schemes = accepts.iter().filter_map(|f| match &f.place {
        Place::Header {
            name: n,
            scheme: Some(s),
        } if n.eq_ignore_ascii_case(name) => Some(s),
        _ => None,
    });
    let scheme = schemes.next()?;
    if schemes.next().is_some() {
        return None;
    }
    let gap = if scheme.ends_with(['=', ':']) {
        ""
    } else {
        " "
    };
    Some(format!("{scheme}{gap}{}", subject.str().trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apis::Source;

    fn header(name: &str, scheme: Option<&str>) -> Form {
        let place = Place::Header {
            name: name.into(),
            scheme: scheme.map(String::from),
        };
        Form {
            place,
            note: None,
            source: Source {
                url: String::new(),
                quote: None,
            },
        }
    }

    #[test]
    fn header_schemes_match_ignoring_case_and_what_follows_them() {
        let basic = Form {
            place: Place::BasicAuth,
            ..header("x", None)
        };
        let accepts = [
            header("Authorization", Some("Token token=")),
            header("X-Key", None),
            basic,
        ];
        let text = |s: &str| Scheme::Text(s.into());
        let v = |name: &str, scheme: Scheme| header_verdict(&accepts, name, &scheme);
        assert_eq!(v("authorization", text("token token=")), Some(true));
        assert_eq!(v("Authorization", text("Basic svc_tines:")), Some(true));
        assert_eq!(v("Authorization", text("Basically")), Some(false));
        assert_eq!(v("Authorization", text("Bearer")), Some(false));
        assert_eq!(v("Authorization", Scheme::Raw), Some(false));
        assert_eq!(v("x-key", Scheme::Raw), Some(true));
        assert_eq!(v("X-Key", text("Bearer")), Some(false));
        assert_eq!(v("X-Key", Scheme::Unknown), None);
        let only_bearer = [header("Authorization", Some("Bearer"))];
        assert_eq!(
            header_verdict(&only_bearer, "Authorization", &text("Basic u:")),
            Some(false)
        );
    }
}
