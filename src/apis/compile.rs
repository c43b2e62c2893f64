//! Turning a profile file into a checked [`Profile`]: YAML is deserialised
//! into the spec, then every id, glob, URL, requirement and form is
//! validated. Problems are reported at the YAML bytes they come from.

use super::glob::{self, Glob};
use super::spec::{ApiExampleSpec, ApiSpec, EndpointSpec, FormSpec, SourceSpec};
use super::{ApiExample, Endpoint, Form, Origin, Place, Profile, Requirement, Source};
use crate::error::{RuleError, RuleErrorKind};
use crate::yaml::Reader;
use serde_saphyr::Spanned;

/// Reads one profile file; a built-in one from its JSON form (see
/// `build.rs`), if it has one.
pub(super) fn compile_profile(
    name: &str,
    yaml: &str,
    json: Option<&str>,
    origin: Origin,
) -> Result<Profile, Vec<RuleError>> {
    let mut r = match origin {
        Origin::Builtin => Reader::builtin(name, yaml, json),
        Origin::File(_) => Reader::new(name, yaml),
    };
    let Some(spec): Option<ApiSpec> =
        r.parse((RuleErrorKind::ApiInvalidYaml, RuleErrorKind::InvalidApi))
    else {
        return Err(r.errors);
    };
    let profile = Cx { r: &mut r }.profile(spec, origin);
    if r.errors.is_empty() {
        Ok(profile)
    } else {
        Err(r.errors)
    }
}

/// The error for a profile whose id another one already has.
pub(super) fn duplicate(name: &str, profile: &Profile, existing: &Profile) -> RuleError {
    let where_ = match &existing.origin {
        Origin::Builtin => "a built-in API profile".to_string(),
        Origin::File(p) => p.display().to_string(),
    };
    RuleError::new(
        RuleErrorKind::DuplicateApiId,
        name,
        format!("API id `{}` is already used by {where_}", profile.id),
    )
    .with_help("give the profile a different id")
}

struct Cx<'r, 'a> {
    r: &'r mut Reader<'a>,
}

impl Cx<'_, '_> {
    fn invalid<T>(&mut self, at: &Spanned<T>, message: impl Into<String>, help: Option<&str>) {
        self.r.at(RuleErrorKind::InvalidApi, at, message, help);
    }

    fn profile(&mut self, spec: ApiSpec, origin: Origin) -> Profile {
        let id = spec.id.value.clone();
        if !crate::yaml::valid_id(&id) {
            self.invalid(
                &spec.id,
                format!("API id `{id}` is not lower-case words joined by `-`"),
                Some("use an id such as `virustotal`"),
            );
        }
        self.url(&spec.docs);
        for h in spec.hosts.iter().chain(&spec.resource_hosts) {
            self.glob(h);
        }
        if spec.hosts.is_empty() && spec.resource_hosts.is_empty() {
            self.invalid(
                &spec.id,
                "the profile covers no host",
                Some("list the API's hosts in `hosts`"),
            );
        }
        let paths = spec.paths.unwrap_or_default();
        let path_globs = self.paths(&paths);
        let credential = self.requirement(&spec.credential);
        let credential_source = self.source(&spec.credential_source);
        let accepts = self.forms(&spec.accepts);
        if accepts.is_empty() && credential != Requirement::None {
            self.invalid(
                &spec.credential,
                "the API takes a credential but `accepts` lists no way to send one",
                Some("list each documented form, or say `credential: none`"),
            );
        }
        let endpoints = spec.endpoints.iter().map(|e| self.endpoint(e)).collect();
        let valid = spec
            .examples
            .valid
            .iter()
            .map(|e| self.example(e, false))
            .collect();
        let invalid = spec
            .examples
            .invalid
            .iter()
            .map(|e| self.example(e, true))
            .collect();
        Profile {
            id,
            name: spec.name.trim().to_string(),
            docs: spec.docs.value,
            hosts: spec
                .hosts
                .into_iter()
                .map(|h| h.value.to_ascii_lowercase())
                .collect(),
            resource_hosts: spec.resource_hosts.into_iter().map(|h| h.value).collect(),
            paths: paths.into_iter().map(|p| p.value).collect(),
            path_globs,
            credential,
            credential_source,
            accepts,
            endpoints,
            valid,
            invalid,
            notes: spec.notes.map(|n| n.trim().to_string()),
            origin,
        }
    }

    /// Reports a pattern that is not a glob.
    fn glob(&mut self, at: &Spanned<String>) {
        if let Some(problem) = glob::problem(&at.value) {
            self.invalid(at, format!("invalid glob `{}`: {problem}", at.value), None);
        }
    }

    /// The globs of `paths`; empty for no paths (every path).
    fn paths(&mut self, paths: &[Spanned<String>]) -> Vec<Glob> {
        for p in paths {
            if !p.value.starts_with('/') {
                self.invalid(
                    p,
                    format!("path `{}` does not start with `/`", p.value),
                    None,
                );
            }
            self.glob(p);
        }
        paths.iter().map(|p| Glob::path(&p.value)).collect()
    }

    fn url(&mut self, at: &Spanned<String>) {
        if !(at.value.starts_with("https://") || at.value.starts_with("http://")) {
            self.invalid(
                at,
                format!("`{}` is not a web address", at.value),
                Some("give the vendor's documentation page, starting with `https://`"),
            );
        }
    }

    fn source(&mut self, spec: &SourceSpec) -> Source {
        self.url(&spec.url);
        Source {
            url: spec.url.value.clone(),
            quote: spec.quote.as_ref().map(|q| q.trim().to_string()),
        }
    }

    fn requirement(&mut self, at: &Spanned<String>) -> Requirement {
        match at.value.as_str() {
            "required" => Requirement::Required,
            "optional" => Requirement::Optional,
            "none" => Requirement::None,
            other => {
                let other = other.to_string();
                self.invalid(
                    at,
                    format!("unknown credential requirement `{other}`"),
                    Some("use `required`, `optional` or `none`"),
                );
                Requirement::Optional
            }
        }
    }

    fn forms(&mut self, specs: &[Spanned<FormSpec>]) -> Vec<Form> {
        specs.iter().filter_map(|f| self.form(f)).collect()
    }

    /// One form: exactly one of `header`, `query`, `basic-auth` and
    /// `payload`; `scheme` only with `header`.
    fn form(&mut self, at: &Spanned<FormSpec>) -> Option<Form> {
        let f = &at.value;
        let given = [
            f.header.is_some(),
            f.query.is_some(),
            f.basic_auth.is_some(),
            f.payload.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            self.invalid(
                at,
                "a form says where the credential goes with exactly one of `header`, `query`, `basic-auth` and `payload`",
                None,
            );
            return None;
        }
        if f.scheme.is_some() && f.header.is_none() {
            self.invalid(at, "`scheme` goes with `header`", None);
        }
        let place = if let Some(h) = &f.header {
            self.name(h)?;
            let scheme = f.scheme.as_ref().and_then(|s| s.value.0.clone());
            let scheme = scheme
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            Place::Header {
                name: h.value.clone(),
                scheme,
            }
        } else if let Some(q) = &f.query {
            self.name(q)?;
            Place::Query(q.value.clone())
        } else if let Some(p) = &f.payload {
            self.name(p)?;
            Place::Payload(p.value.clone())
        } else {
            if f.basic_auth.as_ref().is_some_and(|b| !b.value) {
                self.invalid(
                    at,
                    "`basic-auth: false` says nothing; leave the form out",
                    None,
                );
                return None;
            }
            Place::BasicAuth
        };
        Some(Form {
            place,
            note: f.note.as_ref().map(|n| n.trim().to_string()),
            source: self.source(&f.source),
        })
    }

    /// A header, parameter or field name: not empty, no spaces.
    fn name(&mut self, at: &Spanned<String>) -> Option<()> {
        let n = at.value.trim();
        if n.is_empty() || n.contains(char::is_whitespace) {
            self.invalid(
                at,
                format!("`{}` is not a header, parameter or field name", at.value),
                None,
            );
            return None;
        }
        Some(())
    }

    fn endpoint(&mut self, at: &Spanned<EndpointSpec>) -> Endpoint {
        let e = &at.value;
        if e.paths.is_empty() {
            self.invalid(at, "an endpoint needs `paths`", None);
        }
        Endpoint {
            paths: e.paths.iter().map(|p| p.value.clone()).collect(),
            globs: self.paths(&e.paths),
            credential: self.requirement(&e.credential),
            accepts: e.accepts.as_ref().map(|a| self.forms(a)),
            note: e.note.as_ref().map(|n| n.trim().to_string()),
            source: self.source(&e.source),
        }
    }

    fn example(&mut self, at: &Spanned<ApiExampleSpec>, invalid: bool) -> ApiExample {
        let e = &at.value;
        match (&e.rule, invalid) {
            (None, true) => self.invalid(
                at,
                "an invalid example needs `rule`: the rule that must report it",
                None,
            ),
            (Some(rule), false) => self.invalid(
                rule,
                "a valid example reports nothing, so it names no rule",
                None,
            ),
            _ => {}
        }
        ApiExample {
            name: e.name.clone(),
            rule: e.rule.as_ref().map(|r| r.value.clone()),
            input: e.input.clone(),
            line: self.r.line_of(at),
        }
    }
}
