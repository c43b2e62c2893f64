//! The API profile format, exactly as written in YAML. Every struct denies
//! unknown keys, so a typo in a profile is an error rather than a form
//! that silently never matches.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One profile file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ApiSpec {
    /// Stable identifier, lower-case words joined by `-`.
    pub(crate) id: Spanned<String>,
    /// The API's name, as its vendor writes it.
    pub(crate) name: String,
    /// The vendor's page on authentication.
    pub(crate) docs: Spanned<String>,
    /// Globs over the URL's host (lower case, no port): `*` matches any
    /// run of characters, dots included.
    pub(crate) hosts: Vec<Spanned<String>>,
    /// Globs over a `RESOURCE` name that is the whole host
    /// (`https://<<RESOURCE.okta_domain>>/...`).
    #[serde(default)]
    pub(crate) resource_hosts: Vec<Spanned<String>>,
    /// Globs over the URL's path; absent means every path.
    #[serde(default)]
    pub(crate) paths: Option<Vec<Spanned<String>>>,
    /// `required`, `optional` or `none`.
    pub(crate) credential: Spanned<String>,
    /// Where the vendor says whether a credential is needed.
    pub(crate) credential_source: SourceSpec,
    /// Every documented way to send the credential.
    pub(crate) accepts: Vec<Spanned<FormSpec>>,
    /// Paths that differ from the rest of the API.
    #[serde(default)]
    pub(crate) endpoints: Vec<Spanned<EndpointSpec>>,
    /// Requests that must pass and requests that must be reported.
    pub(crate) examples: ApiExamplesSpec,
    /// What is uncertain or left out, and why.
    #[serde(default)]
    pub(crate) notes: Option<String>,
}

/// One way to send a credential: exactly one of `header`, `query`,
/// `basic-auth` and `payload`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FormSpec {
    #[serde(default)]
    pub(crate) header: Option<Spanned<String>>,
    /// With `header`: the text before the credential (`Bearer`,
    /// `Token token=`); `null` when the credential is the whole value.
    #[serde(default)]
    pub(crate) scheme: Option<Spanned<Scheme>>,
    #[serde(default)]
    pub(crate) query: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) basic_auth: Option<Spanned<bool>>,
    #[serde(default)]
    pub(crate) payload: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    pub(crate) source: SourceSpec,
}

/// The vendor's page that says it, and what it says.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct SourceSpec {
    pub(crate) url: Spanned<String>,
    #[serde(default)]
    pub(crate) quote: Option<String>,
}

/// Paths of the API whose requirement or forms differ.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct EndpointSpec {
    pub(crate) paths: Vec<Spanned<String>>,
    pub(crate) credential: Spanned<String>,
    /// Replaces the API's forms on these paths.
    #[serde(default)]
    pub(crate) accepts: Option<Vec<Spanned<FormSpec>>>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    pub(crate) source: SourceSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ApiExamplesSpec {
    #[serde(default)]
    pub(crate) valid: Vec<Spanned<ApiExampleSpec>>,
    #[serde(default)]
    pub(crate) invalid: Vec<Spanned<ApiExampleSpec>>,
}

/// A request (an HTTP Request action, a list of them or a story) and, for
/// an invalid one, the rule that must report it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ApiExampleSpec {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) rule: Option<Spanned<String>>,
    pub(crate) input: String,
}

/// A header's scheme: its text, or none (`null`).
#[derive(Debug)]
pub(crate) struct Scheme(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for Scheme {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(SchemeVisitor)
    }
}

struct SchemeVisitor;

impl<'de> serde::de::Visitor<'de> for SchemeVisitor {
    type Value = Scheme;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a scheme or null")
    }

    fn visit_none<E>(self) -> Result<Scheme, E> {
        Ok(Scheme(None))
    }

    fn visit_unit<E>(self) -> Result<Scheme, E> {
        Ok(Scheme(None))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Scheme, D::Error> {
        String::deserialize(d).map(|s| Scheme(Some(s)))
    }

    /// A deserializer of a lone value hands text straight over: the JSON
    /// form of a built-in profile (see `build.rs`) is read that way.
    fn visit_str<E>(self, s: &str) -> Result<Scheme, E> {
        Ok(Scheme(Some(s.to_string())))
    }
}
