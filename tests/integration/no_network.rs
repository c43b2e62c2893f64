//! storylint never makes a network call (README), so nothing in its
//! dependency graph may be an HTTP client, a network stack or an async
//! network runtime. This reads `Cargo.lock` and fails, naming the package and
//! the chain of packages that pulled it in, if one appears.

use crate::common::repo;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// HTTP clients, network stacks and async network runtimes.
const BANNED: &[&str] = &[
    "reqwest",
    "hyper",
    "ureq",
    "curl",
    "curl-sys",
    "isahc",
    "attohttpc",
    "surf",
    "http-client",
    "reqwless",
    "minreq",
    "tokio",
    "async-std",
];

/// One `[[package]]` entry of a lock file.
#[derive(Debug, Default)]
struct Package {
    name: String,
    version: String,
    /// Names of the packages it depends on (`"name"` or `"name version"`).
    dependencies: Vec<String>,
}

/// A banned package found in a lock file, and who pulled it in.
#[derive(Debug)]
struct Violation {
    name: String,
    version: String,
    /// Packages that depend on it directly.
    dependents: Vec<String>,
    /// A path from a root package (one nothing depends on, normally the
    /// workspace's own crate) down to it.
    chain: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{} {}`", self.name, self.version)?;
        if self.dependents.is_empty() {
            write!(f, " (nothing depends on it)")?;
        } else {
            write!(f, ", required by {}", self.dependents.join(", "))?;
        }
        if self.chain.len() > 1 {
            write!(f, "; pulled in via {}", self.chain.join(" -> "))?;
        }
        Ok(())
    }
}

/// A quoted TOML string value: `name = "x"` gives `x`.
fn quoted(value: &str) -> Option<&str> {
    let v = value.trim();
    v.strip_prefix('"')?.strip_suffix('"')
}

/// Parses the `[[package]]` entries of a Cargo.lock (versions 1 to 4).
fn parse_lock(text: &str) -> Vec<Package> {
    let mut packages = Vec::new();
    let mut current: Option<Package> = None;
    let mut in_deps = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && !in_deps {
            if let Some(p) = current.take() {
                packages.push(p);
            }
            if trimmed == "[[package]]" {
                current = Some(Package::default());
            }
            continue;
        }
        let Some(pkg) = current.as_mut() else {
            continue;
        };
        if in_deps {
            if trimmed.starts_with(']') {
                in_deps = false;
            } else if let Some(dep) = quoted(trimmed.trim_end_matches(',')) {
                pkg.dependencies.push(dep.to_string());
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        match key.trim() {
            "name" => pkg.name = quoted(value).unwrap_or_default().to_string(),
            "version" => pkg.version = quoted(value).unwrap_or_default().to_string(),
            "dependencies" => {
                let value = value.trim();
                if value.starts_with('[') && value.ends_with(']') {
                    // All on one line: `dependencies = ["a", "b 1.0"]`.
                    for dep in value[1..value.len() - 1].split(',') {
                        if let Some(dep) = quoted(dep) {
                            pkg.dependencies.push(dep.to_string());
                        }
                    }
                } else {
                    in_deps = true;
                }
            }
            _ => {}
        }
    }
    if let Some(p) = current {
        packages.push(p);
    }
    packages
}

/// The dependency's package name: `"unicode-width 0.2.3"` gives
/// `unicode-width`; `"foo 1.0 (registry+...)"` (lock v1) gives `foo`.
fn dep_name(dep: &str) -> &str {
    dep.split_whitespace().next().unwrap_or(dep)
}

/// Every banned package in the lock text, with who pulled it in.
fn banned_packages(lock: &str) -> Vec<Violation> {
    let packages = parse_lock(lock);
    // name -> names of the packages depending on it
    let mut dependents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in &packages {
        for d in &p.dependencies {
            dependents
                .entry(dep_name(d))
                .or_default()
                .insert(p.name.as_str());
        }
    }
    let mut found = Vec::new();
    for p in &packages {
        if !BANNED.contains(&p.name.as_str()) {
            continue;
        }
        // Breadth-first up the reverse edges to a root.
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([p.name.as_str()]);
        let mut seen = BTreeSet::from([p.name.as_str()]);
        let mut root = p.name.as_str();
        while let Some(name) = queue.pop_front() {
            let ups = dependents.get(name);
            if ups.is_none_or(|u| u.is_empty()) {
                root = name;
                break;
            }
            for up in ups.into_iter().flatten() {
                if seen.insert(up) {
                    parent.insert(up, name);
                    queue.push_back(up);
                }
            }
        }
        let mut chain = vec![root.to_string()];
        let mut cur = root;
        while let Some(next) = parent.get(cur) {
            chain.push(next.to_string());
            cur = next;
        }
        found.push(Violation {
            name: p.name.clone(),
            version: p.version.clone(),
            dependents: dependents
                .get(p.name.as_str())
                .map(|s| s.iter().map(|d| d.to_string()).collect())
                .unwrap_or_default(),
            chain,
        });
    }
    found
}

#[test]
fn no_http_client_or_network_stack_in_the_dependency_graph() {
    let path = repo().join("Cargo.lock");
    let lock = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let packages = parse_lock(&lock);
    assert!(
        packages.iter().any(|p| p.name == "storylint"),
        "Cargo.lock was not understood: storylint itself is not among {} packages",
        packages.len()
    );
    let found = banned_packages(&lock);
    assert!(
        found.is_empty(),
        "storylint promises never to make a network call, but Cargo.lock holds:\n{}",
        found
            .iter()
            .map(|v| format!("  - {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const SYNTHETIC_LOCK: &str = r#"# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "cloud-sdk"
version = "0.3.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "reqwest",
 "serde",
]

[[package]]
name = "reqwest"
version = "0.12.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "hyper 1.5.0",
 "tokio",
]

[[package]]
name = "hyper"
version = "1.5.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["tokio"]

[[package]]
name = "tokio"
version = "1.41.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "hyperlocal-lookalike"
version = "1.0.0"

[[package]]
name = "serde"
version = "1.0.215"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "storylint"
version = "0.1.0"
dependencies = [
 "cloud-sdk",
 "serde",
]

[metadata]
"#;

#[test]
fn the_check_flags_a_lock_that_pulls_in_reqwest() {
    let found = banned_packages(SYNTHETIC_LOCK);
    let names: Vec<&str> = found.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["reqwest", "hyper", "tokio"]);
    let reqwest = &found[0];
    assert_eq!(reqwest.version, "0.12.9");
    assert_eq!(reqwest.dependents, ["cloud-sdk"]);
    assert_eq!(reqwest.chain, ["storylint", "cloud-sdk", "reqwest"]);
    let text = reqwest.to_string();
    assert!(text.contains("reqwest 0.12.9"), "{text}");
    assert!(text.contains("storylint -> cloud-sdk -> reqwest"), "{text}");
    // `tokio` is reached by two paths; the shortest is reported.
    assert_eq!(
        found[2].chain,
        ["storylint", "cloud-sdk", "reqwest", "tokio"]
    );
    assert_eq!(found[2].dependents, ["hyper", "reqwest"]);

    // The smallest lock text that names reqwest is enough.
    let minimal = "[[package]]\nname = \"reqwest\"\nversion = \"0.12.0\"\n";
    let found = banned_packages(minimal);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "reqwest");
    assert!(found[0].to_string().contains("nothing depends on it"));

    // Clean graphs and look-alike names pass.
    let clean = SYNTHETIC_LOCK
        .replace(" \"reqwest\",\n", "")
        .replace("name = \"reqwest\"", "name = \"reqwest-docs-only\"")
        .replace("name = \"hyper\"", "name = \"hyperlink\"")
        .replace("name = \"tokio\"", "name = \"tokio-lookalike\"");
    assert!(banned_packages(&clean).is_empty(), "{clean}");
}
