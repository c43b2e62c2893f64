//! Output about the API profiles: `storylint apis` (a list, JSON, or the
//! Markdown kept in `docs/apis.md`) and `storylint explain API-ID`. A
//! user's profile is input like any other: its texts are made visible (see
//! [`crate::escape`]) in every format but JSON.

use crate::apis::{ApiExample, ApiSet, Endpoint, Form, Origin, Place, Profile};
use crate::escape::{visible, visible_block, visible_lines};
use serde_json::{Value, json};
use std::io::{self, Write};

fn origin(p: &Profile) -> String {
    match &p.origin {
        Origin::Builtin => "built-in".into(),
        Origin::File(f) => crate::paths::slashed(&f.display().to_string()).into_owned(),
    }
}

fn sorted(apis: &ApiSet) -> Vec<&Profile> {
    let mut all: Vec<&Profile> = apis.profiles.iter().collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

/// Where the profile applies: hosts (and resources), with paths.
fn covers(p: &Profile) -> String {
    let mut hosts = p.hosts.join(", ");
    if !p.resource_hosts.is_empty() {
        if !hosts.is_empty() {
            hosts.push_str(", ");
        }
        hosts.push_str(&format!("RESOURCE names {}", p.resource_hosts.join(", ")));
    }
    match p.paths.is_empty() {
        true => hosts,
        false => format!("{hosts}; paths {}", p.paths.join(", ")),
    }
}

fn forms(forms: &[Form]) -> String {
    if forms.is_empty() {
        return "no credential".into();
    }
    forms
        .iter()
        .map(|f| f.place.describe())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `storylint apis`: every profile, as JSON (`json: true`) or a block
/// each.
pub(crate) fn write_list(apis: &ApiSet, json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        let listed: Vec<Value> = sorted(apis).into_iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut *out, &json!({ "version": 1, "apis": listed }))
            .map_err(io::Error::other)?;
        return writeln!(out);
    }
    for p in sorted(apis) {
        let from = match p.origin {
            Origin::Builtin => String::new(),
            _ => format!("  [{}]", visible(&origin(p))),
        };
        writeln!(
            out,
            "{}  {} (credential {}){from}",
            p.id,
            visible(&p.name),
            p.credential.name()
        )?;
        writeln!(out, "    covers:  {}", visible(&covers(p)))?;
        writeln!(out, "    accepts: {}", visible(&forms(&p.accepts)))?;
        writeln!(out, "    source:  {}\n", visible(&p.docs))?;
    }
    writeln!(
        out,
        "{} API profiles; `storylint explain ID` shows one",
        apis.profiles.len()
    )
}

fn form_json(f: &Form) -> Value {
    let (kind, name, scheme) = match &f.place {
        Place::Header { name, scheme } => ("header", Some(name.as_str()), scheme.as_deref()),
        Place::Query(q) => ("query", Some(q.as_str()), None),
        Place::BasicAuth => ("basic-auth", None, None),
        Place::Payload(p) => ("payload", Some(p.as_str()), None),
    };
    json!({
        "place": kind, "name": name, "scheme": scheme, "note": f.note,
        "source": { "url": f.source.url, "quote": f.source.quote },
    })
}

fn to_json(p: &Profile) -> Value {
    let endpoints: Vec<Value> = p
        .endpoints
        .iter()
        .map(|e| {
            json!({
                "paths": e.paths, "credential": e.credential.name(),
                "accepts": e.accepts.as_ref().map(|a| a.iter().map(form_json).collect::<Vec<_>>()),
                "note": e.note, "source": { "url": e.source.url, "quote": e.source.quote },
            })
        })
        .collect();
    json!({
        "id": p.id, "name": p.name, "docs": p.docs, "hosts": p.hosts,
        "resource_hosts": p.resource_hosts, "paths": p.paths,
        "credential": p.credential.name(),
        "credential_source": { "url": p.credential_source.url, "quote": p.credential_source.quote },
        "accepts": p.accepts.iter().map(form_json).collect::<Vec<_>>(),
        "endpoints": endpoints, "notes": p.notes, "origin": origin(p),
    })
}

/// Markers around the generated part of `docs/apis.md`.
pub const DOCS_BEGIN: &str =
    "<!-- BEGIN GENERATED API REFERENCE: `storylint apis --format markdown` -->";
pub const DOCS_END: &str = "<!-- END GENERATED API REFERENCE -->";

/// The API reference in Markdown, as kept in `docs/apis.md`.
pub fn markdown(apis: &ApiSet) -> String {
    let all = sorted(apis);
    let mut md = String::from("| id | API | credential | accepted forms |\n|---|---|---|---|\n");
    for p in &all {
        md.push_str(&format!(
            "| [`{}`](#{}) | {} | {} | {} |\n",
            p.id,
            p.id,
            visible(&p.name),
            p.credential.name(),
            visible(&forms(&p.accepts)).replace('|', "\\|")
        ));
    }
    for p in &all {
        md.push_str(&format!(
            "\n### {}\n\n**{}**. Covers {}.\n",
            p.id,
            visible(&p.name),
            visible(&covers(p))
        ));
        md.push_str(&format!(
            "\nCredential **{}** ([source]({})){}\n",
            p.credential.name(),
            p.credential_source.url,
            quoted(&p.credential_source.quote)
        ));
        md.push_str("\nAccepted forms:\n\n");
        md.push_str(&form_lines(&p.accepts, "- "));
        for e in &p.endpoints {
            md.push_str(&endpoint_markdown(e));
        }
        if let Some(n) = &p.notes {
            md.push_str(&format!("\nNotes: {}\n", visible_lines(n)));
        }
    }
    md
}

fn quoted(quote: &Option<String>) -> String {
    match quote {
        Some(q) => format!(": “{}”", visible(q)),
        None => String::new(),
    }
}

fn form_lines(forms: &[Form], bullet: &str) -> String {
    if forms.is_empty() {
        return format!("{bullet}none\n");
    }
    forms
        .iter()
        .map(|f| {
            let note = f
                .note
                .as_deref()
                .map(|n| format!(" ({})", visible(n)))
                .unwrap_or_default();
            format!(
                "{bullet}{}{note}: [source]({}){}\n",
                f.place.describe(),
                f.source.url,
                quoted(&f.source.quote)
            )
        })
        .collect()
}

fn endpoint_markdown(e: &Endpoint) -> String {
    let mut md = format!(
        "\nOn `{}`: credential **{}** ([source]({})){}\n",
        visible(&e.paths.join("`, `")),
        e.credential.name(),
        e.source.url,
        e.note
            .as_deref()
            .map(|n| format!(". {}", visible(n)))
            .unwrap_or_default()
    );
    if let Some(a) = &e.accepts {
        md.push('\n');
        md.push_str(&form_lines(a, "- "));
    }
    md
}

/// `storylint explain API-ID`: what the API accepts, where it applies and
/// the pages that say so.
pub(crate) fn write_explain(p: &Profile, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} (API profile)", p.id)?;
    writeln!(out, "{}", visible(&p.name))?;
    writeln!(out, "Covers: {}", visible(&covers(p)))?;
    writeln!(
        out,
        "Credential: {} (source: {}){}",
        p.credential.name(),
        visible(&p.credential_source.url),
        visible(&quoted(&p.credential_source.quote))
    )?;
    writeln!(out, "\nAccepted forms\n")?;
    write!(out, "{}", visible_block(&form_lines(&p.accepts, "  - ")))?;
    for e in &p.endpoints {
        write!(
            out,
            "{}",
            visible_block(&endpoint_markdown(e).replace("\n- ", "\n  - "))
        )?;
    }
    if let Some(n) = &p.notes {
        writeln!(
            out,
            "\nNotes\n\n  {}",
            visible_lines(n).replace('\n', "\n  ")
        )?;
    }
    write_examples(out, "Reported (bad)", &p.invalid)?;
    write_examples(out, "Not reported (good)", &p.valid)?;
    writeln!(out, "\nDocumentation: {}", visible(&p.docs))?;
    writeln!(out, "Defined in: {}", visible(&origin(p)))
}

fn write_examples(out: &mut dyn Write, title: &str, examples: &[ApiExample]) -> io::Result<()> {
    if examples.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    for ex in examples {
        writeln!(out)?;
        if let Some(name) = &ex.name {
            writeln!(out, "  # {}", visible(name))?;
        }
        writeln!(
            out,
            "  {}",
            visible_block(ex.input.trim_end()).replace('\n', "\n  ")
        )?;
        if let Some(rule) = &ex.rule {
            writeln!(out, "  -> {}", visible(rule))?;
        }
    }
    Ok(())
}
