//! Stage 1: find the files to check. Directories are walked recursively for
//! `*.json`, honouring `.gitignore` and friends as ripgrep does; a file named
//! on the command line is always checked, whatever its name; `-` is stdin.

use crate::error::{InputError, InputErrorKind};
use std::path::{Path, PathBuf};

/// Where an input's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSource {
    Path(PathBuf),
    Stdin,
}

/// One file to check and the name it is reported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub name: String,
    pub source: InputSource,
}

/// How to walk directories.
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Also enter hidden files and directories.
    pub hidden: bool,
    /// Do not honour `.gitignore`, `.ignore` and git's exclude files.
    pub no_ignore: bool,
    /// Name to report stdin under.
    pub stdin_name: Option<String>,
}

/// The inputs found, sorted by name, and the paths that could not be used.
#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    pub errors: Vec<InputError>,
}

/// Expands the command-line paths into the list of inputs.
pub fn discover(paths: &[PathBuf], options: &WalkOptions) -> Discovery {
    let mut found = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            found.inputs.push(Input {
                name: options
                    .stdin_name
                    .clone()
                    .unwrap_or_else(|| "<stdin>".into()),
                source: InputSource::Stdin,
            });
            continue;
        }
        let name = display(path);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, options, &mut found),
            Ok(_) => found.inputs.push(Input {
                name,
                source: InputSource::Path(path.clone()),
            }),
            Err(e) => found.errors.push(InputError::new(
                InputErrorKind::Unreadable,
                &name,
                crate::lint::io_message(&e),
            )),
        }
    }
    found.inputs.sort_by(|a, b| a.name.cmp(&b.name));
    found.inputs.dedup_by(|a, b| a.source == b.source);
    found
}

fn walk(root: &Path, options: &WalkOptions, found: &mut Discovery) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(!options.hidden)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore)
        .require_git(false)
        .follow_links(true)
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                let is_json = entry
                    .path()
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                if is_file && is_json {
                    found.inputs.push(Input {
                        name: display(entry.path()),
                        source: InputSource::Path(entry.into_path()),
                    });
                }
            }
            Err(err) => {
                let name = err_path(&err).map_or_else(|| display(root), |p| display(&p));
                let message = if err_is_loop(&err) {
                    "symbolic link loop: it leads back to a directory being walked".into()
                } else {
                    match err.io_error().map(|io| io.kind()) {
                        Some(std::io::ErrorKind::NotFound) => "no such file or directory".into(),
                        Some(std::io::ErrorKind::PermissionDenied) => "permission denied".into(),
                        _ => strip_path(&err.to_string()),
                    }
                };
                found
                    .errors
                    .push(InputError::new(InputErrorKind::Unreadable, &name, message));
            }
        }
    }
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn err_is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => err_is_loop(err),
        _ => false,
    }
}

fn strip_path(msg: &str) -> String {
    // `ignore` and walkdir prefix messages with the path (sometimes twice),
    // which the report shows already.
    let mut msg = msg;
    while let Some((head, tail)) = msg.split_once(": ") {
        if head.contains('/') || head.contains('\\') {
            msg = tail;
        } else {
            break;
        }
    }
    let msg = msg.trim_end_matches(" (os error 40)");
    if msg == "Too many levels of symbolic links" {
        "symbolic link loop: too many levels of symbolic links".into()
    } else {
        msg.to_string()
    }
}

/// A path as users wrote it, with `/` separators and no leading `./`.
fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn walks_json_files_sorted_and_honours_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/nested")).unwrap();
        fs::create_dir_all(root.join(".hidden")).unwrap();
        fs::create_dir_all(root.join("dir.json")).unwrap();
        for f in [
            "b/nested/z.json",
            "a.json",
            "b/c.JSON",
            "notes.txt",
            ".hidden/h.json",
            "ignored.json",
        ] {
            fs::write(root.join(f), "{}").unwrap();
        }
        fs::write(root.join(".gitignore"), "ignored.json\n").unwrap();
        let found = discover(&[root.to_path_buf()], &WalkOptions::default());
        let names: Vec<String> = found
            .inputs
            .iter()
            .map(|i| i.name.strip_prefix(&display(root)).unwrap().to_string())
            .collect();
        assert_eq!(names, ["/a.json", "/b/c.JSON", "/b/nested/z.json"]);
        assert!(found.errors.is_empty());

        // Named explicitly, an ignored or oddly named file is still checked.
        let found = discover(
            &[root.join("notes.txt"), root.join("ignored.json")],
            &WalkOptions::default(),
        );
        assert_eq!(found.inputs.len(), 2);

        let all = discover(
            &[root.to_path_buf()],
            &WalkOptions {
                hidden: true,
                no_ignore: true,
                ..Default::default()
            },
        );
        assert_eq!(all.inputs.len(), 5);
    }

    #[test]
    fn missing_paths_are_errors() {
        let found = discover(
            &[PathBuf::from("/definitely/not/here.json")],
            &WalkOptions::default(),
        );
        assert!(found.inputs.is_empty());
        assert_eq!(found.errors.len(), 1);
        assert!(
            found.errors[0].message.contains("no such file"),
            "{}",
            found.errors[0].message
        );
    }
}
