//! The process as a whole: a closed stdout ends it quietly, and its
//! inputs are never modified.

use super::*;

#[test]
fn closed_stdout_ends_quietly() {
    // `storylint check <many files> | head -1`
    let dir = setup();
    let text = defective_text();
    let names: Vec<String> = (0..300).map(|i| format!("story-{i:03}.json")).collect();
    for name in &names {
        put(dir.path(), name, &text);
    }
    for format in ["human", "json"] {
        let mut child = storylint_as(dir.path(), &[])
            .args(["check", "--color", "never", "--format", format])
            .args(&names)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(!line.trim().is_empty(), "{format}: no first line");
        // The reader is dropped here: the pipe is closed.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.trim().is_empty(),
            "{format}: a closed pipe is not worth a word, got:\n{stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {:?} (a signal, or the wrong code)",
            out.status
        );
    }
}

/// What a tree looks like on disk: per path, its type, permissions, size,
/// modification time and a hash of its bytes (or a link's target).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let kind = meta.file_type();
            let what = if kind.is_symlink() {
                format!("link -> {}", fs::read_link(&path).unwrap().display())
            } else if kind.is_dir() {
                stack.push(path.clone());
                "dir".to_string()
            } else {
                let content = match fs::read(&path) {
                    Ok(bytes) => {
                        let mut h = DefaultHasher::new();
                        bytes.hash(&mut h);
                        format!("{:016x}", h.finish())
                    }
                    Err(e) => format!("unreadable ({:?})", e.kind()),
                };
                format!("file {} bytes, hash {content}", meta.len())
            };
            let perms = format!("{:?}", meta.permissions());
            let modified = meta.modified().ok();
            out.insert(rel, format!("{what}, {perms}, modified {modified:?}"));
        }
    }
    out
}

#[test]
fn inputs_are_never_modified() {
    let dir = setup();
    let d = dir.path();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.json", Vec::new()),
        ("blank.json", WHITESPACE.into()),
        ("truncated.json", truncated().into()),
        ("latin1.json", LATIN1.into()),
        ("bom.json", with_bom()),
        ("utf16.json", utf16le()),
        ("deep-arrays.json", deep_arrays().into()),
        ("deep-objects.json", deep_objects().into()),
        ("image.json", binary()),
        ("two.json", TWO_DOCUMENTS.into()),
        ("huge-numbers.json", HUGE_NUMBERS.into()),
        ("surrogates.json", LONE_SURROGATES.into()),
        ("duplicates.json", DUPLICATE_KEYS.into()),
        ("odd-actions.json", odd_actions().into()),
        ("odd-options.json", odd_options().into()),
        ("odd-headers.json", odd_headers().into()),
        ("odd-methods.json", odd_methods().into()),
        ("unknown-types.json", unknown_types().into()),
        ("agents-null.json", story("null").into()),
        ("x.json/inner.json", SENTINEL.into()),
    ];
    for (name, bytes) in &files {
        put(d, name, bytes);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{PermissionsExt, symlink};
        symlink("loop-b.json", d.join("loop-a.json")).unwrap();
        symlink("loop-a.json", d.join("loop-b.json")).unwrap();
        symlink("deleted.json", d.join("gone.json")).unwrap();
        symlink(DEFECTIVE, d.join("link-to-defective.json")).unwrap();
        let locked = put(d, "locked.json", SENTINEL);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let before = snapshot(d);
    let mut named: Vec<String> = before
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    named.push("missing.json".into());
    let mut named: Vec<&str> = named.iter().map(String::as_str).collect();
    let c = Check::run(d, &["."]);
    c.exit(2).defective_reported();
    named.insert(0, "--max-file-size");
    named.insert(1, "100000");
    let c = Check::run(d, &named);
    c.exit(2).defective_reported();
    let after = snapshot(d);
    assert_eq!(before, after, "storylint changed its inputs");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(d.join("locked.json"), fs::Permissions::from_mode(0o644)).unwrap();
    }
}
