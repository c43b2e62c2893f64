//! Finding rule files and API profiles: a file named, or every `.yaml` and
//! `.yml` file under a directory. Symbolic links are followed (a loop is
//! reported, not walked forever), and every file that cannot be used is
//! reported: a dangling link, an unreadable directory, a FIFO or device
//! named like one. Nothing is opened that could block.

use crate::error::{RuleError, RuleErrorKind, io_message};
use crate::paths::{FileKind, not_regular};
use std::path::{Path, PathBuf};

/// What the files are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Rule,
    Api,
}

impl Role {
    fn noun(self) -> &'static str {
        match self {
            Role::Rule => "rule file",
            Role::Api => "API profile",
        }
    }

    fn kind(self) -> RuleErrorKind {
        match self {
            Role::Rule => RuleErrorKind::Unreadable,
            Role::Api => RuleErrorKind::ApiUnreadable,
        }
    }

    /// The error for `path`, which cannot be read for `why`.
    pub(crate) fn unreadable(self, path: &Path, why: &str) -> RuleError {
        RuleError::new(
            self.kind(),
            &path.display().to_string(),
            format!("cannot read {}: {why}", self.noun()),
        )
    }
}

/// Whether `path` is named like a rule file or API profile.
pub(crate) fn is_yaml_file_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// The files at `path`, in name order, and why any could not be used.
pub(crate) fn list(path: &Path, role: Role) -> (Vec<PathBuf>, Vec<RuleError>) {
    let unusable = |why: String| role.unreadable(path, &why);
    match std::fs::metadata(path).map(|m| FileKind::of(&m.file_type())) {
        Ok(FileKind::Directory) => walk(path, role),
        Ok(FileKind::Regular) => (vec![path.to_path_buf()], Vec::new()),
        Ok(FileKind::Stream) => (Vec::new(), vec![unusable(not_regular("a FIFO or device"))]),
        Ok(FileKind::Other(what)) => (Vec::new(), vec![unusable(not_regular(what))]),
        Err(e) => (Vec::new(), vec![unusable(io_message(&e))]),
    }
}

/// The files under the directory `dir`, following links.
fn walk(dir: &Path, role: Role) -> (Vec<PathBuf>, Vec<RuleError>) {
    let (mut files, mut errors) = (Vec::new(), Vec::new());
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(true)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let kind = entry.file_type().map(|t| FileKind::of(&t));
                match kind {
                    Some(FileKind::Regular) if is_yaml_file_name(entry.path()) => {
                        files.push(entry.into_path());
                    }
                    Some(FileKind::Stream) | Some(FileKind::Other(_))
                        if is_yaml_file_name(entry.path()) =>
                    {
                        let what = match kind {
                            Some(FileKind::Other(what)) => what,
                            _ => "a FIFO or device",
                        };
                        errors.push(role.unreadable(entry.path(), &not_regular(what)));
                    }
                    _ => {}
                }
            }
            Err(e) => {
                if let Some(error) = walk_error(dir, &e, role) {
                    errors.push(error);
                }
            }
        }
    }
    files.sort();
    (files, errors)
}

/// The error for an entry the walk could not use, when it matters: a
/// link loop, a directory that cannot be read, or a YAML file (by name)
/// that cannot be reached, such as a dangling link.
fn walk_error(dir: &Path, e: &ignore::Error, role: Role) -> Option<RuleError> {
    let path = error_path(e).unwrap_or_else(|| dir.to_path_buf());
    let message = if is_loop(e) {
        crate::error::LINK_LOOP.to_string()
    } else {
        let io = e.io_error();
        let is_dir = path.is_dir() || std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if !is_dir && !is_yaml_file_name(&path) {
            // Some other file, which is none of ours whatever it is.
            return None;
        }
        io.map_or_else(|| e.to_string(), io_message)
    };
    Some(role.unreadable(&path, &message))
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn names(files: &[PathBuf], root: &Path) -> Vec<String> {
        files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn links_are_followed_and_what_cannot_be_used_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let rules = root.join("rules");
        std::fs::create_dir_all(rules.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("elsewhere")).unwrap();
        std::fs::write(rules.join("a.yaml"), "x").unwrap();
        std::fs::write(rules.join("sub/b.yml"), "x").unwrap();
        std::fs::write(rules.join("notes.txt"), "x").unwrap();
        std::fs::write(root.join("elsewhere/c.yaml"), "x").unwrap();
        std::fs::write(root.join("target.yaml"), "x").unwrap();
        symlink("../target.yaml", rules.join("linked.yaml")).unwrap();
        symlink("../elsewhere", rules.join("linked-dir")).unwrap();
        symlink("../gone.yaml", rules.join("dangling.yaml")).unwrap();
        symlink("../gone.txt", rules.join("dangling.txt")).unwrap();
        symlink("..", rules.join("sub/loop")).unwrap();
        let (files, errors) = list(&rules, Role::Rule);
        assert_eq!(
            names(&files, &rules),
            ["a.yaml", "linked-dir/c.yaml", "linked.yaml", "sub/b.yml"]
        );
        let said: Vec<(String, String)> = errors
            .iter()
            .map(|e| (e.file.clone(), e.message.clone()))
            .collect();
        assert!(
            said.iter()
                .any(|(f, m)| f.ends_with("dangling.yaml") && m.contains("no such file")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|(f, m)| f.ends_with("loop") && m.contains("loop")),
            "{said:?}"
        );
        assert!(
            !said.iter().any(|(f, _)| f.ends_with("dangling.txt")),
            "{said:?}"
        );
    }

    #[test]
    fn a_fifo_is_refused_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("rules.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        let (files, errors) = list(&fifo, Role::Rule);
        assert!(files.is_empty());
        assert!(
            errors[0].message.contains("not a regular file"),
            "{errors:?}"
        );
        let (files, errors) = list(dir.path(), Role::Rule);
        assert!(files.is_empty());
        assert!(
            errors[0].message.contains("not a regular file"),
            "{errors:?}"
        );
    }
}
