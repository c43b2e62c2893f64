//! Embeds every rule file under `rules/` and every API profile under
//! `apis/` in the binary, so adding a rule or an API needs only its YAML
//! file.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    embed(
        &root.join("rules"),
        "RULES",
        &Path::new(&out_dir).join("builtin_rules.rs"),
    );
    embed(
        &root.join("apis"),
        "APIS",
        &Path::new(&out_dir).join("builtin_apis.rs"),
    );
}

/// Writes to `target` a static `name` listing `(file name, contents)` of
/// the `*.yaml` files in `dir`, sorted by name.
fn embed(dir: &Path, name: &str, target: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = format!("pub static {name}: &[(&str, &str)] = &[\n");
    for file in &names {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({file:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    if let Err(e) = std::fs::write(target, out) {
        panic!("cannot write {}: {e}", target.display());
    }
}
