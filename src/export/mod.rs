//! Stage 3: recognise what a parsed JSON document is (a story export, a
//! single action, a list of copied actions, or something else) and list the
//! actions in it, including those of sub-stories embedded in
//! `send_to_stories`.
//!
//! This is the thin Tines model the rule engine relies on: it knows where
//! actions live and what their `type`, `name` and `guid` are, nothing more.

pub(crate) mod references;
pub(crate) mod request;
pub(crate) mod story;
pub(crate) mod templates;

use crate::parse::{Document, Kind};

/// The prefix of every Tines action type.
pub(crate) const ACTION_TYPE_PREFIX: &str = "Agents::";

/// The overall shape of an input document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A story export: an object with an `agents` array and story keys.
    Story,
    /// An object holding only `agents` (actions copied from the editor).
    CopiedActions,
    /// One action object.
    Action,
    /// A JSON array of action objects.
    ActionList,
}

/// One action found in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Action {
    /// The action's object node.
    pub(crate) node: u32,
    pub(crate) action_type: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) guid: Option<String>,
    /// Its `options` and `description` members, if any.
    pub(crate) options: Option<u32>,
    pub(crate) description: Option<u32>,
    /// The story (or sub-story) object that holds the action, if any.
    pub(crate) story: Option<u32>,
}

/// Something about the document's shape worth telling the user, though it
/// does not stop the rest of the file from being checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShapeNote {
    pub(crate) node: u32,
    pub(crate) message: String,
}

/// The result of recognising a document.
#[derive(Debug)]
pub(crate) enum Recognised {
    Export {
        shape: Shape,
        actions: Vec<Action>,
        notes: Vec<ShapeNote>,
    },
    /// Valid JSON that is not a Tines export; the reason says why, about
    /// the value at `node` (the root, or an `agents` that is no array).
    NotAnExport { reason: String, node: u32 },
}

/// Recognises the shape of `doc` and lists its actions, with notes on
/// the parts of them that have a shape no rule can look into.
pub(crate) fn recognise(doc: &Document) -> Recognised {
    let mut recognised = recognise_shape(doc);
    if let Recognised::Export { actions, notes, .. } = &mut recognised {
        for action in actions.iter() {
            option_notes(doc, action, notes);
        }
        // Node ids are in document order.
        notes.sort_by_key(|n| n.node);
    }
    recognised
}

/// The type of an HTTP Request action.
pub(crate) const HTTP_REQUEST: &str = "Agents::HTTPRequestAgent";

/// Notes on an action's `options` that is not an object (null or missing
/// means no options), and on an HTTP Request's `headers` that is neither an
/// object nor a string Tines computes at run time (a formula such as
/// `=MERGE(...)` or a pill such as `<<prepare.headers>>`).
fn option_notes(doc: &Document, action: &Action, notes: &mut Vec<ShapeNote>) {
    let Some(options) = action.options else {
        return;
    };
    match doc.kind(options) {
        Kind::Object => {}
        Kind::Null => return,
        other => {
            notes.push(ShapeNote {
                node: options,
                message: format!(
                    "`options` of this action is {}, not an object; its options were not checked",
                    a_kind(other)
                ),
            });
            return;
        }
    }
    if action.action_type.as_deref() != Some(HTTP_REQUEST) {
        return;
    }
    let Some(headers) = doc.get(options, "headers") else {
        return;
    };
    let what = match doc.kind(headers) {
        Kind::Object | Kind::Null => return,
        Kind::String => {
            let value = doc.str_value(headers).unwrap_or_default();
            if value.trim().is_empty() || templates::is_templated(&value) {
                return;
            }
            "a string with no formula or pill in it".to_string()
        }
        other => a_kind(other),
    };
    notes.push(ShapeNote {
        node: headers,
        message: format!(
            "`headers` is {what}, not an object of header names and values; the headers were not checked"
        ),
    });
}

fn recognise_shape(doc: &Document) -> Recognised {
    let root = doc.root();
    let mut actions = Vec::new();
    let mut notes = Vec::new();
    match doc.kind(root) {
        Kind::Object => {
            if let Some(agents) = doc.get(root, "agents") {
                walk_stories(doc, root, &mut actions, &mut notes);
                if doc.kind(agents) != Kind::Array {
                    return Recognised::NotAnExport {
                        reason: format!(
                            "`agents` is {}, not an array of actions",
                            a_kind(doc.kind(agents))
                        ),
                        node: agents,
                    };
                }
                Recognised::Export {
                    shape: if doc.children(root).all(|c| doc.key_is(c, "agents")) {
                        Shape::CopiedActions
                    } else {
                        Shape::Story
                    },
                    actions,
                    notes,
                }
            } else if is_action(doc, root) {
                actions.push(action_at(doc, root, None));
                Recognised::Export {
                    shape: Shape::Action,
                    actions,
                    notes,
                }
            } else {
                Recognised::NotAnExport {
                    reason: "the top-level object has neither an `agents` array (a story export) \
                             nor a `type` starting with `Agents::` (an action)"
                        .into(),
                    node: root,
                }
            }
        }
        Kind::Array => {
            for item in doc.children(root) {
                if is_action(doc, item) {
                    actions.push(action_at(doc, item, None));
                }
            }
            if actions.is_empty() {
                Recognised::NotAnExport {
                    reason: "the top-level array holds no Tines actions (objects whose `type` \
                             starts with `Agents::`)"
                        .into(),
                    node: root,
                }
            } else {
                Recognised::Export {
                    shape: Shape::ActionList,
                    actions,
                    notes,
                }
            }
        }
        other => Recognised::NotAnExport {
            reason: format!(
                "the top-level value is {}, not an object or array",
                a_kind(other)
            ),
            node: root,
        },
    }
}

/// Collects the actions of the story at `story` and of every story
/// embedded below it in `send_to_stories`, without recursion.
fn walk_stories(doc: &Document, story: u32, actions: &mut Vec<Action>, notes: &mut Vec<ShapeNote>) {
    let mut stack = vec![story];
    let mut stories = Vec::new();
    while let Some(story) = stack.pop() {
        stories.push(story);
        if let Some(subs) = doc.get(story, "send_to_stories") {
            // Push in reverse so sub-stories are visited in source order.
            let subs: Vec<u32> = doc
                .children(subs)
                .filter(|s| doc.kind(*s) == Kind::Object && doc.get(*s, "agents").is_some())
                .collect();
            stack.extend(subs.into_iter().rev());
        }
    }
    for story in stories {
        let Some(agents) = doc.get(story, "agents") else {
            continue;
        };
        if doc.kind(agents) != Kind::Array {
            if story != doc.root() {
                notes.push(ShapeNote {
                    node: agents,
                    message: format!(
                        "`agents` of this sub-story is {}, not an array; its actions were not checked",
                        a_kind(doc.kind(agents))
                    ),
                });
            }
            continue;
        }
        for item in doc.children(agents) {
            if doc.kind(item) == Kind::Object {
                actions.push(action_at(doc, item, Some(story)));
            } else {
                notes.push(ShapeNote {
                    node: item,
                    message: format!(
                        "this entry of `agents` is {}, not an action object; it was not checked",
                        a_kind(doc.kind(item))
                    ),
                });
            }
        }
    }
    actions.sort_by_key(|a| a.node);
}

fn is_action(doc: &Document, node: u32) -> bool {
    doc.get(node, "type")
        .and_then(|t| doc.str_value(t))
        .is_some_and(|t| t.starts_with(ACTION_TYPE_PREFIX))
}

fn action_at(doc: &Document, node: u32, story: Option<u32>) -> Action {
    let field = |v: Option<u32>| v.and_then(|v| doc.str_value(v)).map(|s| s.into_owned());
    let [action_type, name, guid, options, description] =
        doc.get_many(node, ["type", "name", "guid", "options", "description"]);
    Action {
        node,
        action_type: field(action_type),
        name: field(name),
        guid: field(guid),
        options,
        description,
        story,
    }
}

/// "an object", "a string", "null": a kind with its article where it
/// takes one, for messages.
fn a_kind(kind: Kind) -> String {
    match kind {
        Kind::Null => "null".into(),
        Kind::Array | Kind::Object => format!("an {}", kind.name()),
        Kind::Bool | Kind::Number | Kind::String => format!("a {}", kind.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recognise_text(text: &str) -> (Option<Shape>, Vec<String>, Vec<String>) {
        let doc = Document::parse(text).unwrap();
        match recognise(&doc) {
            Recognised::Export {
                shape,
                actions,
                notes,
            } => (
                Some(shape),
                actions.iter().map(|a| doc.pointer(a.node)).collect(),
                notes.into_iter().map(|n| n.message).collect(),
            ),
            Recognised::NotAnExport { reason, .. } => (None, vec![], vec![reason]),
        }
    }

    #[test]
    fn story_with_nested_sub_stories() {
        let (shape, actions, notes) = recognise_text(
            r#"{"schema_version":3,"agents":[{"type":"Agents::WebhookAgent"},null],
               "send_to_stories":[{"agents":[{"type":"Agents::HTTPRequestAgent"}],
                 "send_to_stories":[{"agents":[{}]}]}]}"#,
        );
        assert_eq!(shape, Some(Shape::Story));
        assert_eq!(
            actions,
            [
                "/agents/0",
                "/send_to_stories/0/agents/0",
                "/send_to_stories/0/send_to_stories/0/agents/0"
            ]
        );
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains(" is null, "), "{notes:?}");
    }

    #[test]
    fn other_shapes() {
        let (shape, actions, _) =
            recognise_text(r#"{"type":"Agents::HTTPRequestAgent","options":{}}"#);
        assert_eq!((shape, actions.len()), (Some(Shape::Action), 1));
        let (shape, actions, _) = recognise_text(r#"[{"type":"Agents::HTTPRequestAgent"}, 3]"#);
        assert_eq!(
            (shape, actions),
            (Some(Shape::ActionList), vec!["/0".to_string()])
        );
        let (shape, _, _) = recognise_text(r#"{"agents":[]}"#);
        assert_eq!(shape, Some(Shape::CopiedActions));
        let (shape, _, why) = recognise_text(r#"{"name":"x"}"#);
        assert_eq!(shape, None);
        assert!(why[0].contains("neither"));
        let (shape, _, why) = recognise_text(r#"{"agents":{}}"#);
        assert_eq!(shape, None);
        assert!(why[0].contains("an object"));
        let (shape, _, why) = recognise_text("42");
        assert_eq!(shape, None);
        assert!(why[0].contains("a number"));
        for (agents, kind) in [
            ("null", "null"),
            ("true", "a boolean"),
            ("\"x\"", "a string"),
        ] {
            let (_, _, why) = recognise_text(&format!(r#"{{"agents": {agents}}}"#));
            assert_eq!(
                why[0],
                format!("`agents` is {kind}, not an array of actions")
            );
        }
    }

    #[test]
    fn options_and_headers_of_the_wrong_shape() {
        let action = |options: &str| {
            format!(r#"{{"type": "Agents::HTTPRequestAgent", "options": {options}}}"#)
        };
        let notes = |text: &str| {
            let doc = Document::parse(text).unwrap();
            let Recognised::Export { notes, .. } = recognise(&doc) else {
                panic!("not an export: {text}");
            };
            notes
                .iter()
                .map(|n| (doc.pointer(n.node), n.message.clone()))
                .collect::<Vec<_>>()
        };
        for options in [r#""=base""#, "[]", "3", "true"] {
            let got = notes(&action(options));
            assert_eq!(got.len(), 1, "{options}: {got:?}");
            assert_eq!(got[0].0, "/options");
        }
        for options in ["null", "{}", r#"{"headers": null}"#, r#"{"headers": {}}"#] {
            assert_eq!(notes(&action(options)), [], "{options}");
        }
        for headers in [r#""=MERGE(a, b)""#, r#""<<prepare.headers>>""#, r#""""#] {
            let text = action(&format!(r#"{{"headers": {headers}}}"#));
            assert_eq!(notes(&text), [], "{headers}");
        }
        for (headers, what) in [
            ("[]", "an array"),
            ("7", "a number"),
            (r#""Accept: */*""#, "a string with no formula or pill in it"),
        ] {
            let text = action(&format!(r#"{{"headers": {headers}}}"#));
            let got = notes(&text);
            assert_eq!(got.len(), 1, "{headers}");
            assert_eq!(got[0].0, "/options/headers");
            assert!(
                got[0].1.starts_with(&format!("`headers` is {what}, ")),
                "{got:?}"
            );
        }
        // Only HTTP Requests have headers; in a story, notes come in order.
        let text = r#"{"agents": [{"type": "Agents::EventTransformationAgent", "options": {"headers": []}},
            {"type": "Agents::WebhookAgent", "options": "x"}, 3]}"#;
        let got: Vec<String> = notes(text).into_iter().map(|n| n.0).collect();
        assert_eq!(got, ["/agents/1/options", "/agents/2"]);
    }

    #[test]
    fn agents_of_the_wrong_type_is_placed_at_its_value() {
        let doc = Document::parse("{\"name\": \"x\",\n \"agents\": null}").unwrap();
        let Recognised::NotAnExport { node, .. } = recognise(&doc) else {
            panic!("an export");
        };
        assert_eq!(doc.raw(node), "null");
        assert_eq!(doc.pointer(node), "/agents");
    }
}
