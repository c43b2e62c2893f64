//! storylint: a fast, offline static analyzer for Tines story exports.
//!
//! A file passes through the stages in order: `config` settles what to
//! check and how, `discover` finds it, [`parse`] builds a span tree,
//! `export` recognises the export and its actions, [`rules`] evaluates the
//! rule set, [`finding`] places what they find, `suppress` sets aside what
//! the user accepted (directives, configuration, baseline), and [`report`]
//! renders the results. [`lint`] runs the stages of one file; [`cli`]
//! wires them to the command line. Modules below the stages hold what
//! several stages share (errors, severity, positions, paths, secrets).
//! No two top-level modules import each other (checked by a test).

// The stages (see above), then what they share.
pub mod apis;
pub mod cli;
mod config;
mod discover;
mod export;
pub mod finding;
mod fix;
pub mod lint;
pub mod parse;
pub mod report;
pub mod rules;
pub mod selftest;
mod suppress;

pub mod error;
mod escape;
mod paths;
mod secret;
pub mod severity;
pub mod source;
mod suggest;
mod yaml;

/// What the unit tests of several stages share.
#[cfg(test)]
pub(crate) mod testing {
    /// A fixed sequence of pseudo-random numbers (a linear congruential
    /// generator): randomised tests see the same cases on every run.
    pub(crate) struct Lcg(pub(crate) u64);

    impl Lcg {
        /// The next number below `n` (which must not be 0).
        pub(crate) fn below(&mut self, n: usize) -> usize {
            self.0 = (self.0)
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) as usize % n
        }

        /// A text of fewer than `most` pieces, each drawn from `pieces`.
        pub(crate) fn text(&mut self, pieces: &[&str], most: usize) -> String {
            let len = self.below(most);
            (0..len).map(|_| pieces[self.below(pieces.len())]).collect()
        }
    }
}

/// The layering of `src/`: no two top-level modules import each other,
/// directly or through others. Test modules (`#[cfg(test)]`) may reach
/// further up, so they are left out.
#[cfg(test)]
mod layering {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Top-level module name → the source of its non-test code.
    fn modules() -> BTreeMap<String, String> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if name == "lib" || name == "main" {
                continue;
            }
            let mut text = String::new();
            for file in rust_files(&path) {
                let code = std::fs::read_to_string(&file).unwrap();
                text.push_str(code.split("#[cfg(test)]").next().unwrap_or(""));
            }
            out.insert(name, text);
        }
        out
    }

    fn rust_files(path: &Path) -> Vec<std::path::PathBuf> {
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .unwrap()
                .flat_map(|e| rust_files(&e.unwrap().path()))
                .collect();
            files.sort();
            files
        } else if path.extension().is_some_and(|e| e == "rs") {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        }
    }

    /// The top-level modules `code` names through `crate::`.
    fn imports(code: &str, known: &BTreeSet<&str>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or("").trim())
                    .collect(),
                None => vec![
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap_or(""),
                ],
            };
            out.extend(
                names
                    .into_iter()
                    .filter(|n| known.contains(n))
                    .map(String::from),
            );
        }
        out
    }

    /// A cycle through `node`, as the path that closes it.
    fn cycle(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut c = path[i..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in &edges[node] {
            if let Some(c) = cycle(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }

    #[test]
    fn no_two_top_level_modules_import_each_other() {
        let modules = modules();
        let known: BTreeSet<&str> = modules.keys().map(String::as_str).collect();
        let edges: BTreeMap<String, BTreeSet<String>> = modules
            .iter()
            .map(|(name, code)| {
                let mut to = imports(code, &known);
                to.remove(name);
                (name.clone(), to)
            })
            .collect();
        let mut done = BTreeSet::new();
        for name in edges.keys() {
            if let Some(c) = cycle(name, &edges, &mut Vec::new(), &mut done) {
                panic!("import cycle: {}", c.join(" -> "));
            }
        }
    }

    #[test]
    fn the_check_finds_a_cycle() {
        let known: BTreeSet<&str> = ["a", "b", "c"].into_iter().collect();
        let code = |s: &str| imports(s, &known);
        assert_eq!(
            code("use crate::{b::X, c};"),
            ["b", "c"].map(String::from).into()
        );
        let edges: BTreeMap<String, BTreeSet<String>> = [
            ("a".to_string(), code("use crate::b::Y;")),
            ("b".to_string(), code("fn f() { crate::c::g() }")),
            ("c".to_string(), code("use crate::{a::Z};")),
        ]
        .into();
        let found = cycle("a", &edges, &mut Vec::new(), &mut BTreeSet::new());
        assert_eq!(found, Some(["a", "b", "c", "a"].map(String::from).to_vec()));
    }
}
