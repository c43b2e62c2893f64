//! Stage 1: find the files to check. Directories are walked recursively for
//! `*.json`, honouring `.gitignore` and friends as ripgrep does; a file named
//! on the command line is always checked, whatever its name; `-` is stdin.

use crate::error::{InputError, InputErrorKind};
use crate::paths::{FileKind, not_regular};
use std::path::{Path, PathBuf};

/// Where an input's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InputSource {
    Path(PathBuf),
    Stdin,
}

/// One file to check and the name it is reported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) source: InputSource,
}

/// How to walk directories.
#[derive(Clone, Debug, Default)]
pub(crate) struct WalkOptions {
    /// Also enter hidden files and directories.
    pub(crate) hidden: bool,
    /// Do not honour `.gitignore`, `.ignore` and git's exclude files.
    pub(crate) no_ignore: bool,
    /// Name to report stdin under.
    pub(crate) stdin_name: Option<String>,
}

/// The inputs found, sorted by name, and the paths that could not be used.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub(crate) inputs: Vec<Input>,
    pub(crate) errors: Vec<Unusable>,
}

/// A path that could not be used: where, what it is, and why.
#[derive(Debug)]
pub(crate) struct Unusable {
    pub(crate) path: PathBuf,
    pub(crate) kind: UnusableKind,
    pub(crate) error: InputError,
}

/// What an unusable path is, as far as can be told: what the
/// configuration's `include` and `exclude` judge it as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnusableKind {
    /// A file, a link (dangling, or in a loop), or anything else that is
    /// not a directory.
    File,
    /// A directory that could not be walked.
    Directory,
    /// Nothing that can be looked at (a path that does not exist): it may
    /// have been meant as a file or as a directory.
    Unknown,
}

impl UnusableKind {
    fn of(path: &Path) -> UnusableKind {
        if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            UnusableKind::Directory
        } else if std::fs::symlink_metadata(path).is_ok() {
            UnusableKind::File
        } else {
            UnusableKind::Unknown
        }
    }
}

impl Discovery {
    fn unusable(&mut self, path: &Path, kind: UnusableKind, message: String) {
        self.errors.push(Unusable {
            path: path.to_path_buf(),
            kind,
            error: InputError::new(InputErrorKind::Unreadable, &display(path), message),
        });
    }
}

/// Expands the command-line paths into the list of inputs.
pub(crate) fn discover(paths: &[PathBuf], options: &WalkOptions) -> Discovery {
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
        match std::fs::metadata(path).map(|m| FileKind::of(&m.file_type())) {
            Ok(FileKind::Directory) => walk(path, options, &mut found),
            // A pipe or a character device named on the command line, such
            // as `<(gunzip -c story.json.gz)` or `/dev/stdin`, is read as a
            // stream, as `cat` would.
            Ok(FileKind::Regular | FileKind::Stream) => found.inputs.push(Input {
                name,
                source: InputSource::Path(path.clone()),
            }),
            Ok(FileKind::Other(what)) => {
                found.unusable(path, UnusableKind::File, not_regular(what))
            }
            Err(e) => found.unusable(path, UnusableKind::of(path), crate::error::io_message(&e)),
        }
    }
    found.inputs.sort_by(|a, b| a.name.cmp(&b.name));
    found.inputs.dedup_by(|a, b| a.source == b.source);
    found
}

fn walk(root: &Path, options: &WalkOptions, found: &mut Discovery) {
    walk_with(root, options, found, &mut Listings::default());
}

/// [`walk`], with the listings it asks about failed entries kept in
/// `listings`.
fn walk_with(root: &Path, options: &WalkOptions, found: &mut Discovery, listings: &mut Listings) {
    let walker = builder(root, options).follow_links(true).build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                // Only regular files: a walk never opens a FIFO, a socket or
                // a device, whatever its name.
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && is_json(entry.path()) {
                    found.inputs.push(Input {
                        name: display(entry.path()),
                        source: InputSource::Path(entry.into_path()),
                    });
                }
            }
            Err(err) => {
                let path = err_path(&err);
                if let Some(path) = &path
                    && path != root
                    && !walk_would_check(path, &err, options, listings)
                {
                    continue;
                }
                let path = path.unwrap_or_else(|| root.to_path_buf());
                let message = if err_is_loop(&err) {
                    "symbolic link loop: it leads back to a directory being walked".into()
                } else {
                    match err.io_error() {
                        Some(io) => crate::error::io_message(io),
                        None => strip_path(&err.to_string()),
                    }
                };
                found.unusable(&path, UnusableKind::of(&path), message);
            }
        }
    }
}

/// Whether the walk would have checked (or entered) `path` had it not
/// failed on it. A problem with an entry the walk would have passed over
/// anyway (a dangling `notes.txt` link, a hidden or ignored file) is none
/// of the user's concern. A link back to a directory being walked is not
/// either: every file below it is checked once, under its own path.
fn walk_would_check(
    path: &Path,
    err: &ignore::Error,
    options: &WalkOptions,
    listings: &mut Listings,
) -> bool {
    if err_is_loop(err) {
        return false;
    }
    // A directory (one that cannot be read, say) would have been entered;
    // anything else, including a link that leads nowhere, only if it is
    // named like an export.
    let is_dir = std::fs::metadata(path).is_ok_and(|m| m.is_dir());
    if !is_dir && !is_json(path) {
        return false;
    }
    // Hidden and ignored entries: ask the walker itself, without following
    // links, whether it yields this entry of its directory.
    let Some(parent) = path.parent() else {
        return true;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Some(file_name) = path.file_name() else {
        return true;
    };
    listings
        .of(parent, options)
        .contains(&parent.join(file_name))
}

/// The entries the walker yields in a directory (hidden and ignored ones
/// left out, links not followed), per directory: made once per walk, so a
/// directory of many broken links is listed once, not once per link.
#[derive(Default)]
struct Listings {
    yielded: std::collections::HashMap<PathBuf, std::collections::HashSet<PathBuf>>,
}

impl Listings {
    fn of(&mut self, dir: &Path, options: &WalkOptions) -> &std::collections::HashSet<PathBuf> {
        self.yielded.entry(dir.to_path_buf()).or_insert_with(|| {
            builder(dir, options)
                .follow_links(false)
                .max_depth(Some(1))
                .build()
                .filter_map(Result::ok)
                .filter(|entry| entry.depth() == 1)
                .map(ignore::DirEntry::into_path)
                .collect()
        })
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn builder(root: &Path, options: &WalkOptions) -> ignore::WalkBuilder {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(!options.hidden)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .ignore(!options.no_ignore)
        .parents(!options.no_ignore)
        .require_git(false);
    builder
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
    match msg.find(" (os error") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A path as users wrote it, with `/` separators and no leading `./`.
fn display(path: &Path) -> String {
    let s = crate::paths::slashed(&path.to_string_lossy()).into_owned();
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
            found.errors[0].error.message.contains("no such file"),
            "{}",
            found.errors[0].error.message
        );
    }

    #[cfg(unix)]
    #[test]
    fn walk_errors_only_for_entries_the_walk_would_check() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("good.json"), "{}").unwrap();
        fs::write(root.join(".gitignore"), "ignored.json\n").unwrap();
        for (link, to) in [
            ("broken.txt", "nowhere"),
            ("gone.json", "nowhere"),
            (".hidden.json", "nowhere"),
            ("ignored.json", "nowhere"),
            ("loop-a.json", "loop-b.json"),
            ("loop-b.json", "loop-a.json"),
            ("loop-c.txt", "loop-c.txt"),
        ] {
            symlink(to, root.join(link)).unwrap();
        }
        fs::create_dir(root.join("sub")).unwrap();
        symlink("..", root.join("sub/up")).unwrap();
        let errors = |options: WalkOptions| -> Vec<(String, String)> {
            let found = discover(&[root.to_path_buf()], &options);
            let prefix = format!("{}/", display(root));
            let mut errors: Vec<(String, String)> = found
                .errors
                .iter()
                .map(|e| (e.error.file.replace(&prefix, ""), e.error.message.clone()))
                .collect();
            errors.sort();
            errors
        };
        let missing = "no such file or directory".to_string();
        let looped = crate::error::LINK_LOOP.to_string();
        let mut expected = vec![
            ("gone.json".to_string(), missing.clone()),
            ("loop-a.json".to_string(), looped.clone()),
            ("loop-b.json".to_string(), looped.clone()),
        ];
        assert_eq!(errors(WalkOptions::default()), expected);
        expected.insert(0, (".hidden.json".to_string(), missing.clone()));
        assert_eq!(
            errors(WalkOptions {
                hidden: true,
                ..Default::default()
            }),
            expected
        );
        expected.remove(0);
        expected.insert(1, ("ignored.json".to_string(), missing.clone()));
        assert_eq!(
            errors(WalkOptions {
                no_ignore: true,
                ..Default::default()
            }),
            expected
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_of_broken_links_is_listed_once() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        for i in 0..200 {
            symlink("nowhere", root.join(format!("a/gone-{i}.json"))).unwrap();
        }
        symlink("nowhere", root.join("a/b/gone.json")).unwrap();
        symlink("nowhere", root.join("a/.hidden.json")).unwrap();
        let mut found = Discovery::default();
        let mut listings = Listings::default();
        walk_with(root, &WalkOptions::default(), &mut found, &mut listings);
        assert_eq!(found.errors.len(), 201);
        let mut listed: Vec<&PathBuf> = listings.yielded.keys().collect();
        listed.sort();
        assert_eq!(listed, [&root.join("a"), &root.join("a/b")]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_reads_the_same_named_or_walked() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        symlink("b.json", root.join("a.json")).unwrap();
        symlink("a.json", root.join("b.json")).unwrap();
        let named = discover(&[root.join("a.json")], &WalkOptions::default());
        let walked = discover(&[root.to_path_buf()], &WalkOptions::default());
        assert_eq!(named.errors[0].error.message, crate::error::LINK_LOOP);
        assert_eq!(walked.errors[0].error.message, crate::error::LINK_LOOP);
    }
}
