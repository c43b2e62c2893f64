//! Where a path leads, and writing to it safely. The key that identifies a
//! file whether or not it exists yet keeps reports and baselines off the
//! run's own files and matches baseline entries with files; every file
//! storylint writes is replaced atomically by [`replace_file`].

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// The key of `path` (relative to `base`, an absolute directory, unless
/// absolute itself): an absolute path with `.` and `..` applied and every
/// symbolic link resolved, as far as the path exists. A link at the end
/// that leads nowhere yet is followed to where it points, as a write
/// would follow it; the part that does not exist is appended as written.
/// So `stories/a.json`, `./stories/../stories/a.json`, `/repo/stories/a.json`
/// and a link to it get the same key, existing or not.
pub(crate) fn key(base: &Path, path: &Path) -> PathBuf {
    let joined = base.join(path);
    let target = follow_links(&joined).unwrap_or(joined);
    if let Ok(real) = target.canonicalize() {
        return real;
    }
    // The deepest beginning of the path that exists, resolved, and the
    // rest as written.
    let parts: Vec<Component> = target.components().collect();
    for exists in (0..parts.len()).rev() {
        let head: PathBuf = parts[..exists].iter().collect();
        if let Ok(real) = head.canonicalize() {
            let rest: PathBuf = parts[exists..].iter().collect();
            return normalise(&real.join(rest));
        }
    }
    normalise(&target)
}

/// `path` with symbolic links followed to the last one's target (which
/// need not exist yet), so that writing replaces the linked file instead
/// of the link.
pub(crate) fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    // As many links as Linux follows before ELOOP.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(parent) if to.is_relative() => parent.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// What a path is, as far as reading it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Regular,
    Directory,
    /// A FIFO (pipe) or a character device: read to its end, as a stream.
    Stream,
    /// Anything else (a socket, a block device), described with its article.
    Other(&'static str),
}

impl FileKind {
    pub(crate) fn of(t: &std::fs::FileType) -> FileKind {
        if t.is_file() {
            return FileKind::Regular;
        }
        if t.is_dir() {
            return FileKind::Directory;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() || t.is_char_device() {
                return FileKind::Stream;
            }
            if t.is_socket() {
                return FileKind::Other("a socket");
            }
            if t.is_block_device() {
                return FileKind::Other("a block device");
            }
        }
        FileKind::Other("neither a file nor a directory")
    }
}

/// The message for a path that cannot be read as a file.
pub(crate) fn not_regular(what: &str) -> String {
    format!("not a regular file: {what}")
}

/// A path as reports write it, with `/` separators. Only on Windows is a
/// backslash a separator; on Unix it is part of a name (`back\slash.json`)
/// and stays.
pub(crate) fn slashed(path: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(windows) && path.contains('\\') {
        std::borrow::Cow::Owned(path.replace('\\', "/"))
    } else {
        std::borrow::Cow::Borrowed(path)
    }
}

/// `path` with `.` and `..` applied lexically.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether `path` leads (through links) to something other than a regular
/// file or a directory: a FIFO, a device, a socket. [`replace_file`] writes
/// into such a file rather than replacing it.
pub(crate) fn is_special(path: &Path) -> bool {
    // The kernel follows the links itself: `/dev/stdout` leads through
    // `/proc/self/fd/1` to a pipe that has no path to follow by hand.
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes a file the way a user expects an editor to: the new contents go
/// to a temporary file in the same directory, which then replaces the file
/// in one rename, so a reader never sees half a file and a failed write
/// leaves the old one. A symbolic link is followed (the file it points to
/// is replaced, the link stays); an existing file keeps its permissions;
/// a new file gets the usual `0666` less the umask, as `>` in a shell would
/// give it.
///
/// A path that leads (through links) to something other than a regular
/// file or a directory, such as a FIFO, `/dev/null`, or `/dev/stdout` on a
/// pipe or terminal, is written as `>` in a shell would write it: opened
/// and written in place, never replaced.
pub(crate) fn replace_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if is_special(path) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)?;
        let mut w = io::BufWriter::new(file);
        write(&mut w)?;
        return w.flush();
    }
    // A report's directory is made if missing, as other linters do.
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let target = crate::paths::follow_links(path)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let existing = std::fs::metadata(&target)
        .ok()
        .filter(std::fs::Metadata::is_file);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".storylint-").suffix(".tmp");
    // Registered before the file exists: an interrupt from then on removes
    // it (registered after, one arriving in between would leave it).
    let mut pending = None;
    let mut tmp = builder.make_in(dir, |path| {
        pending = Some(interrupt::Pending::new(path));
        create_new(path)
    })?;
    if let Some(meta) = &existing {
        tmp.as_file().set_permissions(meta.permissions())?;
        // The file keeps its owner and group where this process may give
        // them (as root, writing over a user's file): best effort.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    interrupt::test_delay();
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// Creates the file at `path`, which must not exist yet, for writing: mode
/// `0666` less the umask, as any new file gets.
fn create_new(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o666);
    }
    options.open(path)
}

/// What happens to a file being written when the run is interrupted:
/// SIGINT or SIGTERM removes every temporary file still being written,
/// then ends the process as the signal would have. A report or baseline
/// is so either its old self or its new self, and no `.storylint-*.tmp`
/// is left behind.
mod interrupt {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, Once};

    /// Temporary files being written.
    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    /// A temporary file registered while it is written (and until it is
    /// renamed into place or dropped).
    pub(super) struct Pending(PathBuf);

    impl Pending {
        pub(super) fn new(path: &Path) -> Self {
            watch();
            if let Ok(mut pending) = PENDING.lock() {
                pending.push(path.to_path_buf());
            }
            Pending(path.to_path_buf())
        }
    }

    impl Drop for Pending {
        fn drop(&mut self) {
            if let Ok(mut pending) = PENDING.lock() {
                pending.retain(|p| p != &self.0);
            }
        }
    }

    /// Starts, once, the thread that cleans up on a signal. Until a file is
    /// written, SIGINT and SIGTERM keep their default behaviour.
    fn watch() {
        static WATCH: Once = Once::new();
        WATCH.call_once(|| {
            #[cfg(unix)]
            {
                use signal_hook::consts::{SIGINT, SIGTERM};
                let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
                    return;
                };
                let _ = std::thread::Builder::new()
                    .name("interrupt".into())
                    .spawn(move || {
                        if let Some(signal) = signals.forever().next() {
                            // Held to the end: no new file starts meanwhile.
                            let pending = PENDING.lock();
                            if let Ok(files) = &pending {
                                for file in files.iter() {
                                    let _ = std::fs::remove_file(file);
                                }
                            }
                            let _ = signal_hook::low_level::emulate_default_handler(signal);
                            std::process::exit(128 + signal);
                        }
                    });
            }
        });
    }

    /// For the test of this: `STORYLINT_TEST_WRITE_DELAY_MS` pauses each
    /// write just before the temporary file is renamed into place.
    pub(super) fn test_delay() {
        if let Some(ms) = std::env::var("STORYLINT_TEST_WRITE_DELAY_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_place_has_one_key_however_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir(d.join("s")).unwrap();
        std::fs::write(d.join("s/a.json"), "{}").unwrap();
        let k = key(&d, Path::new("s/a.json"));
        assert_eq!(k, d.join("s/a.json"));
        assert_eq!(key(&d, Path::new("./s/../s/a.json")), k);
        assert_eq!(key(&d.join("s"), Path::new("a.json")), k);
        assert_eq!(key(Path::new("/elsewhere"), &k), k);
        // What does not exist yet: its directory resolved, the rest as
        // written, normalised.
        assert_eq!(key(&d, Path::new("./s/gone.json")), d.join("s/gone.json"));
        assert_eq!(
            key(&d, Path::new("s/new/../deeper/x.json")),
            d.join("s/deeper/x.json")
        );
        assert_eq!(
            key(&d, Path::new("no/such/dir.json")),
            d.join("no/such/dir.json")
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_resolved_where_they_exist_and_followed_where_they_dangle() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().canonicalize().unwrap();
        std::fs::create_dir(d.join("real")).unwrap();
        std::fs::write(d.join("real/a.json"), "{}").unwrap();
        symlink("real", d.join("logical")).unwrap();
        symlink("real/new.json", d.join("dangling.json")).unwrap();
        assert_eq!(key(&d, Path::new("logical/a.json")), d.join("real/a.json"));
        assert_eq!(
            key(&d, Path::new("logical/gone.json")),
            d.join("real/gone.json")
        );
        assert_eq!(key(&d, Path::new("dangling.json")), d.join("real/new.json"));
        assert_eq!(
            key(&d, Path::new("logical/x/../b.json")),
            d.join("real/b.json")
        );
    }
}
