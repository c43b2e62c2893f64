//! API profiles: how the services stories call accept a credential, as
//! data. One YAML file per API (`apis/` in the source tree, embedded in the
//! binary; users add their own with `api-dirs` or `--apis`) says which
//! hosts and paths it covers, whether a request must carry a credential,
//! and every documented way to send one, each with the vendor's page that
//! says so. Rules consult them through the `api` condition; nothing here
//! knows a vendor.

mod compile;
mod glob;
mod spec;

use crate::error::RuleError;
use crate::yaml::files::Role;
use glob::Glob;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Whether a request must carry a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Optional,
    None,
}

impl Requirement {
    pub fn name(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::Optional => "optional",
            Requirement::None => "none",
        }
    }
}

/// The vendor's page that says it, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub url: String,
    pub quote: Option<String>,
}

/// Where a credential goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A header (its name as the vendor writes it; compared ignoring
    /// case), with the text before the credential (`None`: the credential
    /// is the whole value).
    Header {
        name: String,
        scheme: Option<String>,
    },
    /// A query parameter.
    Query(String),
    /// HTTP Basic: the `basic_auth` option or `Authorization: Basic`.
    BasicAuth,
    /// A field of the request body.
    Payload(String),
}

impl Place {
    /// How the place reads in a message: `` `x-apikey: <credential>` ``,
    /// `` `Authorization: Bearer <credential>` ``.
    pub fn describe(&self) -> String {
        match self {
            Place::Header { name, scheme: None } => format!("`{name}: <credential>`"),
            Place::Header {
                name,
                scheme: Some(s),
            } => {
                let gap = if s.ends_with(['=', ':']) { "" } else { " " };
                format!("`{name}: {s}{gap}<credential>`")
            }
            Place::Query(q) => format!("`?{q}=<credential>`"),
            Place::BasicAuth => "HTTP Basic authentication (`basic_auth`)".into(),
            Place::Payload(p) => format!("`{p}` in the body"),
        }
    }
}

/// One documented way to send the credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub place: Place,
    pub note: Option<String>,
    pub source: Source,
}

/// Paths whose requirement or forms differ from the rest of the API.
#[derive(Debug)]
pub struct Endpoint {
    pub paths: Vec<String>,
    globs: Vec<Glob>,
    pub credential: Requirement,
    /// Replaces the API's forms on these paths.
    pub accepts: Option<Vec<Form>>,
    pub note: Option<String>,
    pub source: Source,
}

/// A request from a profile's `examples`.
#[derive(Clone, Debug)]
pub struct ApiExample {
    pub name: Option<String>,
    /// For an invalid one: the rule that must report it.
    pub rule: Option<String>,
    pub input: String,
    /// Line of the example in its profile.
    pub line: Option<usize>,
}

/// Where a profile came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    File(PathBuf),
}

/// One API.
#[derive(Debug)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub docs: String,
    pub hosts: Vec<String>,
    pub resource_hosts: Vec<String>,
    /// Empty: every path.
    pub paths: Vec<String>,
    path_globs: Vec<Glob>,
    pub credential: Requirement,
    pub credential_source: Source,
    pub accepts: Vec<Form>,
    pub endpoints: Vec<Endpoint>,
    pub valid: Vec<ApiExample>,
    pub invalid: Vec<ApiExample>,
    pub notes: Option<String>,
    pub origin: Origin,
}

impl Profile {
    /// Whether any of its paths takes a credential, so that a request can
    /// send one the wrong way or leave it out. A profile that takes none
    /// anywhere (a webhook whose URL is the secret) only keeps requests
    /// to it from being judged by generic shapes.
    pub fn takes_credential(&self) -> bool {
        self.credential != Requirement::None
            || self
                .endpoints
                .iter()
                .any(|e| e.credential != Requirement::None)
    }

    /// How specific the profile is about `path`: the length of its longest
    /// path glob that matches (0 with no paths), or `None` when none does.
    fn specificity(&self, path: &str) -> Option<usize> {
        if self.path_globs.is_empty() {
            return Some(0);
        }
        self.path_globs
            .iter()
            .filter(|g| g.is_match(path))
            .map(|g| g.len)
            .max()
    }

    /// The first endpoint whose paths match `path`, by index: what
    /// applies there (else the API's own requirement and forms, see
    /// [`Profile::resolved`]).
    fn endpoint_at(&self, path: &str) -> Option<usize> {
        self.endpoints
            .iter()
            .position(|e| e.globs.iter().any(|g| g.is_match(path)))
    }

    /// What the profile says at its endpoint `endpoint`, or where none
    /// matches.
    fn resolved(&self, endpoint: Option<usize>) -> Resolved<'_> {
        let endpoint = endpoint.and_then(|i| self.endpoints.get(i));
        Resolved {
            profile: self,
            credential: endpoint.map_or(self.credential, |e| e.credential),
            accepts: endpoint
                .and_then(|e| e.accepts.as_deref())
                .unwrap_or(&self.accepts),
            endpoint,
        }
    }
}

/// What a profile says about one request path.
#[derive(Clone, Copy, Debug)]
pub struct Resolved<'a> {
    pub profile: &'a Profile,
    pub credential: Requirement,
    pub accepts: &'a [Form],
    pub endpoint: Option<&'a Endpoint>,
}

impl Resolved<'_> {
    /// The page that says what applies here.
    pub fn source(&self) -> &str {
        match self.endpoint {
            Some(e) => &e.source.url,
            None => &self.profile.docs,
        }
    }
}

/// The host a request goes to, as far as storylint can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host<'a> {
    /// Written out (lower case, without port): `www.virustotal.com`. A
    /// part made of templates reads `x`.
    Literal(&'a str),
    /// The whole host is one `RESOURCE` reference: its name.
    Resource(&'a str),
}

/// The profiles in force for a run.
#[derive(Debug, Default)]
pub struct ApiSet {
    pub profiles: Vec<Profile>,
    index: OnceLock<Index>,
}

/// Every profile's host globs together, made on first use: each with the
/// profile it belongs to.
#[derive(Debug)]
struct Index {
    /// Told apart from every other index in this process: what is
    /// remembered of a lookup holds while the index does.
    id: u64,
    /// Hosts written out in full, looked up at once.
    exact: std::collections::HashMap<String, Vec<usize>>,
    hosts: Vec<(Glob, usize)>,
    resources: Vec<(Glob, usize)>,
}

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_apis.rs"));
}

impl ApiSet {
    /// Adds the built-in profiles: whole, or as a run that checks files
    /// reads them (`for_check`: from the JSON form `build.rs` made of them,
    /// without examples, notes and quotes). They are checked by the test
    /// suite, so an error here is a build defect; it is still reported,
    /// not panicked on.
    pub(crate) fn add_builtin(&mut self, for_check: bool, errors: &mut Vec<RuleError>) {
        for (name, yaml, json) in builtin::APIS {
            let name = format!("apis/{name}");
            let json = json.filter(|_| for_check);
            let profile = compile::compile_profile(&name, yaml, json, Origin::Builtin);
            self.add_compiled(&name, profile, errors);
        }
    }

    /// Adds one profile file; problems go to `errors`.
    pub fn add(&mut self, name: &str, yaml: &str, origin: Origin, errors: &mut Vec<RuleError>) {
        let profile = compile::compile_profile(name, yaml, None, origin);
        self.add_compiled(name, profile, errors);
    }

    /// Adds a compiled profile (or its problems); a profile with the id of
    /// one already there is an error.
    fn add_compiled(
        &mut self,
        name: &str,
        profile: Result<Profile, Vec<RuleError>>,
        errors: &mut Vec<RuleError>,
    ) {
        self.index = OnceLock::new();
        match profile {
            Ok(profile) => match self.get(&profile.id) {
                Some(existing) => errors.push(compile::duplicate(name, &profile, existing)),
                None => self.profiles.push(profile),
            },
            Err(errs) => errors.extend(errs),
        }
    }

    /// Adds the profiles (`*.yaml`, `*.yml`) at `path`: a file, or a
    /// directory read recursively in sorted order.
    pub fn add_path(&mut self, path: &Path, errors: &mut Vec<RuleError>) {
        let (files, unusable) = crate::yaml::files::list(path, Role::Api);
        errors.extend(unusable);
        for file in files {
            match std::fs::read_to_string(&file) {
                Ok(text) => {
                    let name = file.display().to_string();
                    self.add(&name, &text, Origin::File(file.clone()), errors);
                }
                Err(e) => errors.push(Role::Api.unreadable(&file, &crate::error::io_message(&e))),
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let owned = |globs: fn(&Profile) -> &Vec<String>| -> Vec<(Glob, usize)> {
                let all = self.profiles.iter().enumerate();
                all.flat_map(|(i, p)| globs(p).iter().map(move |h| (Glob::host(h), i)))
                    .collect()
            };
            let (mut exact, mut hosts) = (std::collections::HashMap::new(), Vec::new());
            for (glob, i) in owned(|p| &p.hosts) {
                match glob.literal() {
                    Some(host) => exact.entry(host).or_insert_with(Vec::new).push(i),
                    None => hosts.push((glob, i)),
                }
            }
            static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
            Index {
                id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                exact,
                hosts,
                resources: owned(|p| &p.resource_hosts),
            }
        })
    }

    /// Told apart from every other set of profiles in this process, and
    /// from this one before a profile was added: a [`Found`] holds for the
    /// set of this id.
    pub(crate) fn id(&self) -> u64 {
        self.index().id
    }

    /// The profile a request to `host` and `path` meets, and what it says
    /// there. Of several, the one most specific about the path wins; on a
    /// tie, the one added last (a user's profile over a built-in one).
    pub fn lookup(&self, host: Host, path: &str) -> Option<Resolved<'_>> {
        self.find(host, path).map(|found| self.resolved(found))
    }

    /// What [`ApiSet::lookup`] finds, as indices: it can be remembered.
    pub(crate) fn find(&self, host: Host, path: &str) -> Option<Found> {
        if self.profiles.is_empty() {
            return None;
        }
        // `https://host` and `https://host?q` ask for the root.
        let path = if path.is_empty() { "/" } else { path };
        let index = self.index();
        let (globs, text, exact) = match host {
            Host::Literal(h) => (&index.hosts, h, Some(&index.exact)),
            Host::Resource(name) => (&index.resources, name, None),
        };
        let folded;
        let text = if text.bytes().any(|b| b.is_ascii_uppercase()) {
            folded = text.to_ascii_lowercase();
            folded.as_str()
        } else {
            text
        };
        let exact = exact
            .and_then(|e| e.get(text))
            .into_iter()
            .flatten()
            .copied();
        let wild = globs
            .iter()
            .filter(|(g, _)| g.is_match(text))
            .map(|&(_, i)| i);
        let (_, profile) = exact
            .chain(wild)
            .filter_map(|i| Some((self.profiles[i].specificity(path)?, i)))
            .max()?;
        Some(Found {
            profile,
            endpoint: self.profiles[profile].endpoint_at(path),
        })
    }

    /// What a profile says where [`ApiSet::find`] found it (of this set).
    pub(crate) fn resolved(&self, found: Found) -> Resolved<'_> {
        self.profiles[found.profile].resolved(found.endpoint)
    }
}

/// A profile and the endpoint of it a request meets, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    profile: usize,
    endpoint: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(id: &str, hosts: &str, extra: &str) -> String {
        format!(
            "id: {id}\nname: {id}\ndocs: https://example.com/{id}\nhosts: {hosts}\n{extra}\
             credential: required\ncredential-source: {{url: https://example.com/s}}\n\
             accepts:\n  - header: X-Key\n    source: {{url: https://example.com/f}}\n\
             endpoints:\n  - paths: [/]\n    credential: none\n    source: {{url: https://example.com/root}}\n\
             examples: {{}}\n"
        )
    }

    fn set(profiles: &[String]) -> ApiSet {
        let mut set = ApiSet::default();
        let mut errors = Vec::new();
        for (i, p) in profiles.iter().enumerate() {
            set.add(&format!("p{i}.yaml"), p, Origin::Builtin, &mut errors);
        }
        assert!(errors.is_empty(), "{errors:?}");
        set
    }

    fn found(set: &ApiSet, host: Host, path: &str) -> Option<(String, Requirement)> {
        set.lookup(host, path)
            .map(|r| (r.profile.id.clone(), r.credential))
    }

    #[test]
    fn hosts_match_ignoring_case_and_the_most_specific_path_wins() {
        let set = set(&[
            profile("wide", "['*.example.com']", ""),
            profile("narrow", "['api.example.com']", "paths: ['/v2/**']\n"),
            profile("res", "[]", "resource-hosts: ['*okta*']\n"),
        ]);
        let lit = Host::Literal;
        assert_eq!(
            found(&set, lit("a.b.example.com"), "/v2/x").unwrap().0,
            "wide"
        );
        assert_eq!(found(&set, lit("A.Example.COM"), "/").unwrap().0, "wide");
        assert_eq!(
            found(&set, lit("api.example.com"), "/v2/x").unwrap().0,
            "narrow"
        );
        assert_eq!(
            found(&set, lit("api.example.com"), "/v1/x").unwrap().0,
            "wide"
        );
        assert_eq!(found(&set, lit("example.org"), "/"), None);
        assert_eq!(
            found(&set, Host::Resource("my_okta_domain"), "/x")
                .unwrap()
                .0,
            "res"
        );
        assert_eq!(found(&set, lit("okta"), "/x"), None);
    }

    #[test]
    fn endpoints_apply_to_their_paths_and_no_path_is_the_root() {
        let set = set(&[profile("p", "['api.example.com']", "")]);
        let h = Host::Literal("api.example.com");
        assert_eq!(found(&set, h, "/users").unwrap().1, Requirement::Required);
        assert_eq!(found(&set, h, "/").unwrap().1, Requirement::None);
        assert_eq!(found(&set, h, "").unwrap().1, Requirement::None);
    }

    /// A profile without what checking files does not read.
    fn without_prose(mut p: Profile) -> String {
        let quiet = |f: &mut Form| {
            f.note = None;
            f.source.quote = None;
        };
        p.valid.clear();
        p.invalid.clear();
        p.notes = None;
        p.credential_source.quote = None;
        p.accepts.iter_mut().for_each(quiet);
        for e in &mut p.endpoints {
            e.note = None;
            e.source.quote = None;
            e.accepts.iter_mut().flatten().for_each(quiet);
        }
        format!("{p:?}")
    }

    #[test]
    fn lean_profiles_keep_everything_checking_reads() {
        let (mut full, mut check) = (ApiSet::default(), ApiSet::default());
        let mut errors = Vec::new();
        full.add_builtin(false, &mut errors);
        check.add_builtin(true, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        // What a run compiled is read from the JSON form of each profile
        // (the YAML only should one not read).
        for (name, _, json) in builtin::APIS {
            let json = json.unwrap_or_else(|| panic!("{name}: no JSON form"));
            let read = serde_json::from_str::<spec::ApiSpec>(json);
            assert!(read.is_ok(), "{name}: {read:?}");
        }
        assert_eq!(full.profiles.len(), check.profiles.len());
        for (a, b) in full.profiles.into_iter().zip(check.profiles) {
            assert!(b.valid.is_empty() && b.notes.is_none(), "{}", b.id);
            assert!(
                b.accepts.iter().all(|f| f.source.quote.is_none()),
                "{}",
                b.id
            );
            assert_eq!(without_prose(a), format!("{b:?}"));
        }
    }

    #[test]
    fn a_profile_with_the_id_of_another_is_an_error() {
        let mut set = ApiSet::default();
        let mut errors = Vec::new();
        let p = profile("p", "['a.example.com']", "");
        set.add("a.yaml", &p, Origin::Builtin, &mut errors);
        set.add("b.yaml", &p, Origin::Builtin, &mut errors);
        assert_eq!(set.profiles.len(), 1);
        assert_eq!(errors.len(), 1);
    }
}
