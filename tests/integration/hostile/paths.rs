//! Paths: directories, links, permissions, missing files, FIFOs,
//! sockets and devices.

use super::*;

/// What storylint says about a symbolic link loop.
const LINK_LOOP: &str = "symbolic link loop: too many levels of symbolic links";

#[test]
fn directory_named_x_json_is_walked() {
    let dir = setup();
    put(dir.path(), "x.json/inner.json", SENTINEL);
    for args in [&["."][..], &["x.json", DEFECTIVE][..]] {
        let c = Check::run(dir.path(), args);
        c.exit(1).defective_reported();
        assert!(c.section("errors").is_empty(), "{:#}", c.doc);
        c.finding(
            "x.json/inner.json",
            "unsupported-http-method",
            "/options/method",
        );
        assert_eq!(c.summary("checked"), 2);
    }
}

#[test]
fn nonexistent_path_among_good_ones() {
    let dir = setup();
    put(dir.path(), "good.json", SENTINEL);
    let c = Check::run(dir.path(), &["good.json", "vanished.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("vanished.json", "unreadable", Loc::Anywhere);
    assert!(
        e["message"].as_str().unwrap().contains("no such file"),
        "{e:#}"
    );
    c.finding("good.json", "unsupported-http-method", "/options/method");
}

#[cfg(unix)]
#[test]
fn dangling_symlink_inside_a_directory() {
    // What a file deleted between discovery and reading looks like.
    let dir = setup();
    put(dir.path(), "exports/good.json", SENTINEL);
    std::os::unix::fs::symlink("deleted.json", dir.path().join("exports/gone.json")).unwrap();
    let c = Check::run(dir.path(), &["."]);
    c.finding(
        "exports/good.json",
        "unsupported-http-method",
        "/options/method",
    );
    c.defective_reported();
    let e = c.error("exports/gone.json", "unreadable", Loc::Anywhere);
    assert!(
        e["message"].as_str().unwrap().contains("no such file"),
        "{e:#}"
    );
    c.exit(2);
}

#[cfg(unix)]
#[test]
fn symlink_loop_named_on_the_command_line() {
    let dir = setup();
    let d = dir.path();
    std::os::unix::fs::symlink("loop-b.json", d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", d.join("loop-b.json")).unwrap();
    let c = Check::run(d, &["loop-a.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("loop-a.json", "unreadable", Loc::Anywhere);
    // The same words as when the walk meets it.
    assert_eq!(e["message"], LINK_LOOP, "{e:#}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_inside_a_walked_directory() {
    let dir = setup();
    let d = dir.path();
    std::os::unix::fs::symlink("loop-b.json", d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink("loop-a.json", d.join("loop-b.json")).unwrap();
    // A directory loop as well: the walk must end.
    fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
    put(d, "sub/good.json", SENTINEL);
    let c = Check::run(d, &["."]);
    c.defective_reported();
    c.finding(
        "sub/good.json",
        "unsupported-http-method",
        "/options/method",
    );
    // A `*.json` entry that cannot be read is reported, never silently dropped.
    for name in ["loop-a.json", "loop-b.json"] {
        let e = c.error(name, "unreadable", Loc::Anywhere);
        assert_eq!(e["message"], LINK_LOOP, "{e:#}");
    }
    // The directory link leads back into the walk: its files are checked
    // under their own paths, so nothing is lost and nothing is said.
    assert_eq!(c.section("errors").len(), 2, "{:#}", c.doc);
    c.exit(2);
}

#[cfg(unix)]
#[test]
fn dangling_links_the_walk_would_not_check_are_not_errors() {
    let dir = setup();
    let d = dir.path();
    put(d, "exports/good.json", SENTINEL);
    std::os::unix::fs::symlink("deleted.txt", d.join("exports/broken.txt")).unwrap();
    std::os::unix::fs::symlink("deleted.json", d.join("exports/.hidden.json")).unwrap();
    put(d, "exports/.gitignore", "ignored.json\n");
    std::os::unix::fs::symlink("deleted.json", d.join("exports/ignored.json")).unwrap();
    let c = Check::run(d, &["."]);
    c.exit(1).defective_reported();
    assert!(c.section("errors").is_empty(), "{:#}", c.doc);
    c.finding(
        "exports/good.json",
        "unsupported-http-method",
        "/options/method",
    );
    // Unless the walk is told to look at hidden files: then it is one.
    let c = Check::run(d, &["--hidden", "."]);
    c.exit(2).defective_reported();
    c.error("exports/.hidden.json", "unreadable", Loc::Anywhere);
    assert_eq!(c.section("errors").len(), 1, "{:#}", c.doc);
}

#[cfg(unix)]
#[test]
fn file_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let d = dir.path();
    put(d, "good.json", SENTINEL);
    put(d, "locked-dir/inside.json", SENTINEL);
    let Some(prefix) = unprivileged(d) else {
        return;
    };
    let path = put(d, "locked.json", SENTINEL);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(d.join("locked-dir"), fs::Permissions::from_mode(0o000)).unwrap();
    let c = Check::run_as(d, &prefix, &["."]);
    c.exit(2).defective_reported();
    // Named, with the reason; no line and column, as there is no text.
    for name in ["locked.json", "locked-dir"] {
        let e = c.error(name, "unreadable", Loc::Anywhere);
        assert_eq!(e["message"], "permission denied", "{e:#}");
        assert_eq!(e["line"], Value::Null, "{e:#}");
    }
    c.finding("good.json", "unsupported-http-method", "/options/method");
    assert_eq!(c.summary("checked"), 2);
    // Named on the command line, the same.
    let c = Check::run_as(d, &prefix, &["locked.json", "good.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("locked.json", "unreadable", Loc::Anywhere);
    assert_eq!(e["message"], "permission denied", "{e:#}");
    c.finding("good.json", "unsupported-http-method", "/options/method");
    fs::set_permissions(d.join("locked-dir"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
}

/// A directory that cannot be read is reported only when the
/// configuration would check a file in it: one in an excluded tree is
/// passed over, walked or named.
#[cfg(unix)]
#[test]
fn unreadable_directory_the_configuration_excludes_is_not_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let d = dir.path();
    put(d, "vendor/locked/inside.json", SENTINEL);
    put(d, "stories/locked/inside.json", SENTINEL);
    put(d, ".storylint.yaml", "exclude: [\"vendor/**\"]\n");
    let Some(prefix) = unprivileged(d) else {
        return;
    };
    let locked = [d.join("vendor/locked"), d.join("stories/locked")];
    for path in &locked {
        fs::set_permissions(path, fs::Permissions::from_mode(0o000)).unwrap();
    }
    let c = Check::run_as(d, &prefix, &["."]);
    c.exit(2).defective_reported();
    let e = c.error("stories/locked", "unreadable", Loc::Anywhere);
    assert_eq!(e["message"], "permission denied", "{e:#}");
    assert_eq!(c.section("errors").len(), 1, "{:#}", c.doc);
    let c = Check::run_as(d, &prefix, &["vendor/locked", "vendor", DEFECTIVE]);
    c.exit(1).defective_reported();
    assert!(c.section("errors").is_empty(), "{:#}", c.doc);
    for path in &locked {
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// Runs `storylint check --format json ARGS` and fails, rather than hangs,
/// if it has not ended within `limit`.
#[cfg(unix)]
fn json_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, Value) {
    let mut child = storylint_as(dir, &[])
        .args(["check", "--format", "json"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run storylint");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("storylint {args:?} was still running after {limit:?}: it blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = reader.join().unwrap().unwrap();
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}:\n{stdout}"));
    (status.code().expect("no signal"), doc)
}

fn errors_of<'a>(doc: &'a Value, file: &str) -> Vec<&'a Value> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"] == file)
        .collect()
}

fn has_finding(doc: &Value, file: &str, rule: &str) -> bool {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == file && f["rule"] == rule)
}

/// Makes a FIFO with the `mkfifo` command; `None` (with a note) if there
/// is no such command here.
#[cfg(unix)]
fn mkfifo(path: &Path) -> Option<()> {
    match Command::new("mkfifo").arg(path).status() {
        Ok(status) => {
            assert!(status.success(), "mkfifo {path:?} failed");
            Some(())
        }
        Err(e) => {
            eprintln!("skipped: no mkfifo command ({e})");
            None
        }
    }
}

#[cfg(unix)]
#[test]
fn socket_named_on_the_command_line_is_not_a_regular_file() {
    let dir = setup();
    let d = dir.path();
    let _listener = std::os::unix::net::UnixListener::bind(d.join("sock.json")).unwrap();
    let c = Check::run(d, &["sock.json", DEFECTIVE]);
    c.exit(2).defective_reported();
    let e = c.error("sock.json", "unreadable", Loc::Anywhere);
    assert_eq!(e["message"], "not a regular file: a socket", "{e:#}");
    // A walk passes over it without a word.
    let c = Check::run(d, &["."]);
    c.exit(1).defective_reported();
    assert!(c.section("errors").is_empty(), "{:#}", c.doc);
    assert_eq!(c.summary("files"), 1);
}

#[cfg(unix)]
#[test]
fn fifo_named_on_the_command_line_is_read_as_a_stream() {
    let dir = setup();
    let d = dir.path();
    let fifo = d.join("piped.json");
    if mkfifo(&fifo).is_none() {
        return;
    }
    // The writer blocks until storylint opens the FIFO, then writes and
    // closes it: storylint must read to the end, as `cat` would.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, SENTINEL))
    };
    let (code, doc) = json_within(d, &["piped.json", DEFECTIVE], Duration::from_secs(60));
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors_of(&doc, "piped.json").is_empty(), "{doc:#}");
    assert!(
        has_finding(&doc, "piped.json", "unsupported-http-method"),
        "{doc:#}"
    );
    assert!(has_finding(&doc, DEFECTIVE, "missing-bearer-prefix"));
    writer.join().unwrap().unwrap();
}

#[cfg(unix)]
#[test]
fn walks_never_open_a_fifo() {
    let dir = setup();
    let d = dir.path();
    // No writer: opening it would block for ever.
    if mkfifo(&d.join("waiting.json")).is_none() {
        return;
    }
    let (code, doc) = json_within(d, &["."], Duration::from_secs(60));
    assert_eq!(code, 1, "{doc:#}");
    assert!(doc["errors"].as_array().unwrap().is_empty(), "{doc:#}");
    assert_eq!(doc["summary"]["files"], 1, "{doc:#}");
    assert!(has_finding(&doc, DEFECTIVE, "missing-bearer-prefix"));
}

#[cfg(target_os = "linux")]
#[test]
fn dev_stdin_named_on_the_command_line_is_read_as_a_stream() {
    let dir = setup();
    let mut child = storylint_as(dir.path(), &[])
        .args(["check", "--format", "json", "/dev/stdin", DEFECTIVE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(SENTINEL.as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert!(
        has_finding(&doc, "/dev/stdin", "unsupported-http-method"),
        "{doc:#}"
    );
}
