//! The documentation says what the code does: the architecture page
//! describes the tree as it is.

use crate::common::repo;
use std::collections::BTreeSet;

/// Every `src/...` path docs/architecture.md names exists, and every
/// top-level module of `src/` is described there.
#[test]
fn architecture_page_matches_the_source_tree() {
    let text = std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap();
    let named: BTreeSet<&str> = text
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("src/"))
        .collect();
    for path in &named {
        assert!(
            repo().join(path).exists(),
            "docs/architecture.md names {path}, which does not exist"
        );
    }
    for entry in std::fs::read_dir(repo().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if name == "lib.rs" || name == "main.rs" {
            continue;
        }
        let written = if path.is_dir() {
            format!("src/{name}/")
        } else {
            format!("src/{name}")
        };
        assert!(
            named.contains(written.as_str()),
            "docs/architecture.md does not describe {written}"
        );
    }
}

/// README's first command, and the summary line and exit code it says the
/// command ends with.
#[test]
fn readme_first_command_prints_the_summary_it_quotes() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- check fixtures/"));
    let said = readme
        .split("Its last line\nreads `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .expect("README quotes the summary line")
        .replace('\n', " ");
    let out = crate::common::run(repo(), &["check", "fixtures/"]);
    assert_eq!(out.code, 1, "README says the command exits 1");
    assert!(readme.contains("exits with code 1"));
    assert_eq!(out.stdout.lines().last().unwrap(), said);
    assert!(readme.contains("cargo install --locked --path ."));
    let cargo = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let msrv = cargo
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap();
    assert!(
        readme.contains(&format!("Rust {msrv} or newer")),
        "README names the MSRV {msrv}"
    );
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, punctuation
/// other than `-` and `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// README stays what a newcomer reads in five minutes (12 KB at most), and
/// every relative link in it and in docs/ leads to a file that exists and,
/// with `#anchor`, to a heading of that file.
#[test]
fn readme_is_short_and_every_link_resolves() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.len() <= 12 * 1024,
        "README.md is {} bytes",
        readme.len()
    );
    let mut pages = vec![repo().join("README.md"), repo().join("fixtures/README.md")];
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for link in text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            if link.contains("://") || link.starts_with("mailto:") || link.contains(' ') {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            assert!(
                target.exists(),
                "{}: link to {link}, which does not exist",
                page.display()
            );
            if !anchor.is_empty() {
                let headings = std::fs::read_to_string(&target).unwrap();
                let found = headings
                    .lines()
                    .filter_map(|l| l.strip_prefix('#'))
                    .any(|h| slug(h.trim_start_matches('#')) == anchor);
                assert!(
                    found,
                    "{}: no heading for #{anchor} in {}",
                    page.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links found");
}
