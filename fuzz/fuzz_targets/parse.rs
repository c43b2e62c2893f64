//! Feeds arbitrary bytes to the span parser. Any panic (including an
//! out-of-bounds span or a stack overflow on deep nesting) is a bug; so is a
//! parsed tree whose spans do not fit the text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use storylint::parse::{Document, Kind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = Document::parse(text) else {
        return;
    };
    for (id, node) in doc.nodes().iter().enumerate() {
        let id = id as u32;
        assert!(node.start <= node.end && node.end as usize <= text.len());
        // Every accessor must work on every node.
        let _ = doc.raw(id);
        let _ = doc.raw_key(id);
        let _ = doc.key(id);
        let _ = doc.pointer(id);
        if node.kind == Kind::String {
            let decoded = doc.string(id).expect("a string node decodes");
            let len = decoded.text.len();
            let span = decoded.map.to_source(0..len);
            assert!(span.start <= span.end && span.end <= text.len());
        }
        if matches!(node.kind, Kind::Array | Kind::Object) {
            for child in doc.children(id) {
                assert_eq!(doc.node(child).parent, id);
            }
        }
    }
});
