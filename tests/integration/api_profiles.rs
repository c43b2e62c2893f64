//! API profiles (`apis/`, `api-dirs`, `--apis`): the built-in ones pass
//! their own examples and cite their sources, the reference in
//! `docs/apis.md` is current, and a user's profiles load with located
//! errors and drive the same rules.

use crate::common::{builtin_rules, check_json, put, repo, run};
use serde_json::Value;
use storylint::apis::{ApiSet, Origin};
use storylint::selftest::{check_api_examples, test_all};

#[test]
fn builtin_profiles_pass_their_examples_and_cite_https_sources() {
    let rules = builtin_rules();
    let apis = &rules.apis.profiles;
    assert!(apis.len() >= 40, "only {} API profiles", apis.len());
    let failures: Vec<_> = (0..apis.len())
        .flat_map(|i| check_api_examples(&rules, i))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    for p in apis {
        assert!(!p.valid.is_empty(), "{} has no valid example", p.id);
        assert!(
            !p.takes_credential() || !p.invalid.is_empty(),
            "{} has no invalid example",
            p.id
        );
        let forms = p
            .accepts
            .iter()
            .chain(p.endpoints.iter().flat_map(|e| e.accepts.iter().flatten()));
        for f in forms {
            assert!(
                f.source.url.starts_with("https://"),
                "{}: {}",
                p.id,
                f.source.url
            );
        }
    }
    let tested = test_all(&rules);
    assert!(
        tested.iter().all(|t| t.passed()),
        "{:#?}",
        tested.iter().filter(|t| !t.passed()).collect::<Vec<_>>()
    );
}

const PROFILE: &str = r#"
id: acme-demo
name: ACME demo API
docs: https://docs.acme.example/auth
hosts: [api.acme.example]
credential: required
credential-source: {url: https://docs.acme.example/auth}
accepts:
  - header: X-Acme-Key
    source: {url: https://docs.acme.example/auth}
examples:
  valid:
    - input: '{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.acme.example/x", "headers": {"X-Acme-Key": "<<CREDENTIAL.acme>>"}}}'
  invalid:
    - rule: wrong-auth-form
      input: '{"type": "Agents::HTTPRequestAgent", "options": {"url": "https://api.acme.example/x", "headers": {"X-Acme-Key": "<<CREDENTIAL.acme>>"}}}'
"#;

#[test]
fn a_wrong_api_expectation_is_caught() {
    let mut rules = builtin_rules();
    let mut errors = Vec::new();
    rules
        .apis
        .add("acme.yaml", PROFILE, Origin::Builtin, &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
    let at = rules.apis.profiles.len() - 1;
    let failures = check_api_examples(&rules, at);
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].kind, "invalid");
    // An example that calls another API is a failure of its own.
    let other = PROFILE.replace(
        "https://api.acme.example/x\", \"headers\": {\"X-Acme-Key\": \"<<CREDENTIAL.acme>>\"}}}'\n  invalid",
        "https://www.virustotal.com/api/v3/files/x\", \"headers\": {\"x-apikey\": \"<<CREDENTIAL.vt>>\"}}}'\n  invalid",
    );
    assert_ne!(other, PROFILE);
    let mut rules = builtin_rules();
    rules
        .apis
        .add("acme.yaml", &other, Origin::Builtin, &mut errors);
    let failures = check_api_examples(&rules, rules.apis.profiles.len() - 1);
    assert!(
        failures
            .iter()
            .any(|f| f.kind == "valid" && !f.problems.is_empty()),
        "{failures:#?}"
    );
}

/// `docs/apis.md` carries the reference generated from `apis/`; after
/// changing a profile, regenerate it with
/// `STORYLINT_UPDATE_DOCS=1 cargo test --test integration api_profiles::docs`.
#[test]
fn docs_api_reference_is_up_to_date() {
    use storylint::report::apis::{DOCS_BEGIN, DOCS_END, markdown};
    let path = repo().join("docs/apis.md");
    let docs = std::fs::read_to_string(&path).expect("docs/apis.md");
    let (Some(begin), Some(end)) = (docs.find(DOCS_BEGIN), docs.find(DOCS_END)) else {
        panic!("docs/apis.md lacks the generated-section markers");
    };
    let wanted = format!("\n\n{}\n", markdown(&builtin_rules().apis));
    if docs[begin + DOCS_BEGIN.len()..end] != wanted {
        if std::env::var_os("STORYLINT_UPDATE_DOCS").is_some() {
            let updated = format!("{}{DOCS_BEGIN}{wanted}{}", &docs[..begin], &docs[end..]);
            std::fs::write(&path, updated).expect("write docs/apis.md");
        } else {
            panic!(
                "docs/apis.md is out of date with apis/; regenerate it with \
                 `STORYLINT_UPDATE_DOCS=1 cargo test --test integration api_profiles::docs`"
            );
        }
    }
}

fn found(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["pointer"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_users_profile_loads_from_the_config_and_from_the_flag() {
    let want = pairs(&[
        ("wrong-auth-form", "/agents/1/options/headers/Authorization"),
        ("missing-credential", "/agents/2/options/url"),
    ]);
    let dir = repo().join("fixtures/custom-api");
    let (code, doc) = check_json(&dir, &["story.json"]);
    assert_eq!((code, found(&doc)), (0, want.clone()));
    let (_, doc) = check_json(
        repo(),
        &[
            "--no-config",
            "--apis",
            "fixtures/custom-api/apis",
            "fixtures/custom-api/story.json",
        ],
    );
    assert_eq!(found(&doc), want);
    // Without the profile, the internal API is unknown: nothing to judge.
    let (_, doc) = check_json(repo(), &["--no-config", "fixtures/custom-api/story.json"]);
    assert_eq!(found(&doc), []);
    let out = run(&dir, &["test-rules"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("ok    API acme-cmdb (4 examples)"),
        "{}",
        out.stdout
    );
}

#[test]
fn profile_errors_are_located_and_the_rest_still_load() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = PROFILE
        .replace("credential: required", "credential: sometimes")
        .replace("name: ACME", "nmae: ACME");
    put(tmp.path(), "apis/bad.yaml", &bad);
    put(
        tmp.path(),
        "apis/dup.yaml",
        &PROFILE.replace("acme-demo", "virustotal"),
    );
    let mut set = ApiSet::default();
    let mut errors = Vec::new();
    set.add_path(&tmp.path().join("apis"), &mut errors);
    let shown: Vec<String> = errors.iter().map(|e| format!("{e:?}")).collect();
    assert!(shown.iter().any(|e| e.contains("nmae")), "{shown:#?}");
    let out = run(tmp.path(), &["check", "--no-config", "--apis", "apis", "."]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let shown = format!("{}{}", out.stdout, out.stderr);
    for needle in [
        "bad.yaml:3:1",
        "unknown field `nmae`",
        "dup.yaml",
        "`virustotal` is already used",
    ] {
        assert!(shown.contains(needle), "{needle} not in {shown}");
    }
    let out = run(tmp.path(), &["test-rules", "--no-config", "--apis", "apis"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("ok    API abuseipdb"),
        "the others still run: {}",
        out.stdout
    );
    assert!(
        out.stdout
            .trim_end()
            .ends_with("; 2 files could not be loaded (see above)"),
        "the closing line says why it fails: {}",
        out.stdout
    );
}

#[test]
fn apis_lists_and_explain_shows_a_profile() {
    let out = run(repo(), &["apis", "--no-config"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("virustotal  VirusTotal API v3"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("x-apikey"));
    let out = run(repo(), &["apis", "--no-config", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    let apis = doc["apis"].as_array().unwrap();
    assert!(apis.len() >= 40);
    let vt = apis.iter().find(|a| a["id"] == "virustotal").unwrap();
    assert_eq!(vt["accepts"][0]["name"], "x-apikey");
    assert!(
        vt["accepts"][0]["source"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.virustotal.com/")
    );
    let out = run(repo(), &["explain", "--no-config", "virustotal"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("https://docs.virustotal.com/"),
        "{}",
        out.stdout
    );
    let out = run(repo(), &["explain", "--no-config", "virustotl"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("virustotal"),
        "suggests the near name: {}",
        out.stderr
    );
}
