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
