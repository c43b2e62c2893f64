//! Feeds arbitrary bytes through the whole per-file pipeline with the
//! built-in rules: UTF-8 and BOM checks, parsing, shape recognition, rule
//! evaluation (including the credential-reference scanner) and the position
//! and snippet extraction the reports use.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use storylint::lint::lint_bytes;
use storylint::rules::RuleSet;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| {
        let (rules, errors) = RuleSet::builtin();
        assert!(errors.is_empty(), "built-in rules do not load: {errors:?}");
        rules
    })
}

fuzz_target!(|data: &[u8]| {
    let report = lint_bytes("fuzz.json", data.to_vec(), rules());
    for finding in &report.findings {
        assert!(finding.span.start <= finding.span.end);
        assert!(finding.span.end <= data.len());
        assert!(finding.start.line >= 1 && finding.start.column >= 1);
    }
});
