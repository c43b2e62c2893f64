//! Embeds every rule file under `rules/` and every API profile under
//! `apis/` in the binary, so adding a rule or an API needs only its YAML
//! file.
//!
//! Each file is also embedded as JSON, without what checking files does
//! not read (examples, notes, quotes of sources): `storylint check` reads
//! that form, several times faster than YAML. A file that does not convert
//! gets none, and is read as YAML, which says what is wrong with it.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    let out_dir = Path::new(&out_dir);
    embed(&root.join("rules"), "RULES", out_dir, Lean::Rule);
    embed(&root.join("apis"), "APIS", out_dir, Lean::Api);
}

/// What the JSON form of a file leaves out.
#[derive(Clone, Copy)]
enum Lean {
    /// The top-level `examples` (left empty).
    Rule,
    /// The top-level `examples` and `notes`, and `note` and `quote` below.
    Api,
}

/// Writes `builtin_{name}.rs` (lower case) to `out_dir`, with a static
/// `name` listing `(file name, YAML, JSON)` of the `*.yaml` files in `dir`,
/// sorted by name; the JSON files go to `out_dir` too.
fn embed(dir: &Path, name: &str, out_dir: &Path, lean: Lean) {
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
    let lower = name.to_lowercase();
    let mut out = format!("pub static {name}: &[(&str, &str, Option<&str>)] = &[\n");
    for file in &names {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let json = std::fs::read_to_string(&path)
            .ok()
            .and_then(|yaml| as_json(&yaml, lean))
            .and_then(|json| {
                let target = out_dir.join(format!("{lower}-{file}.json"));
                std::fs::write(&target, json).ok().map(|()| target)
            });
        let json = match json {
            Some(target) => format!("Some(include_str!({:?}))", target.display().to_string()),
            None => "None".to_string(),
        };
        let _ = writeln!(
            out,
            "    ({file:?}, include_str!({:?}), {json}),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let target = out_dir.join(format!("builtin_{lower}.rs"));
    if let Err(e) = std::fs::write(&target, out) {
        panic!("cannot write {}: {e}", target.display());
    }
}

/// The JSON form of a YAML file; `None` if it is not a YAML mapping.
fn as_json(yaml: &str, lean: Lean) -> Option<String> {
    let Ok(Value::Object(mut top)) = serde_saphyr::from_str::<Value>(yaml) else {
        return None;
    };
    if top.contains_key("examples") {
        top.insert("examples".into(), Value::Object(Default::default()));
    }
    if let Lean::Api = lean {
        top.remove("notes");
        for value in top.values_mut() {
            drop_below(value, &["note", "quote"]);
        }
    }
    serde_json::to_string(&Value::Object(top)).ok()
}

/// Removes the `keys` from every mapping in `value`.
fn drop_below(value: &mut Value, keys: &[&str]) {
    match value {
        Value::Object(map) => {
            keys.iter().for_each(|k| drop(map.remove(*k)));
            map.values_mut().for_each(|v| drop_below(v, keys));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| drop_below(v, keys)),
        _ => {}
    }
}
