//! The story around an action: which names its references can resolve to
//! (the slugs of the actions of its story, and its pages), and which
//! actions are upstream of it (from the story's `links`, indices into its
//! `agents`). Each story and each embedded sub-story resolves names
//! against its own actions.
//!
//! A slug is an action's name "sluggified" as Tines does: lower case, each
//! run of other characters one `_`, none at either end ("Get Tenant ID
//! (v2)" is `get_tenant_id_v2`). Where the docs leave the rule open (an
//! apostrophe, a letter outside ASCII) every plausible slug is accepted.

use super::{Action, Shape};
use crate::parse::{Document, Kind};
use std::cell::RefCell;

/// The [`Stories`] of a file, worked out the first time a rule asks: most
/// files never need them.
pub(crate) struct LazyStories<'a, 't> {
    doc: &'a Document<'t>,
    actions: &'a [Action],
    shape: Shape,
    stories: std::cell::OnceCell<Stories>,
}

impl<'a, 't> LazyStories<'a, 't> {
    pub(crate) fn new(doc: &'a Document<'t>, actions: &'a [Action], shape: Shape) -> Self {
        LazyStories {
            doc,
            actions,
            shape,
            stories: std::cell::OnceCell::new(),
        }
    }

    pub(crate) fn get(&self) -> &Stories {
        self.stories
            .get_or_init(|| Stories::new(self.doc, self.actions, self.shape))
    }

    /// See [`Stories::receives_events`].
    pub(crate) fn receives_events(&self, action: usize) -> Option<bool> {
        self.get().receives_events(self.doc, self.actions, action)
    }
}

/// The stories of one file and their actions.
#[derive(Debug, Default)]
pub(crate) struct Stories {
    /// Per action (by index in the file's action list), its story.
    story_of: Vec<Option<usize>>,
    stories: Vec<Story>,
    /// Per action, the actions that link to it (in its story).
    parents: Vec<Vec<usize>>,
    /// The ancestors of the action asked about last: questions come
    /// action by action.
    ancestors: RefCell<Ancestors>,
    /// Per action, whether events reach it from outside its story,
    /// worked out on first use.
    entries: std::cell::OnceCell<Vec<bool>>,
    /// "Did you mean" answers so far, by story and name.
    nearest: RefCell<Suggestions>,
    /// Names "did you mean" may still compare in this file: a file of many
    /// actions and many unresolved names stays linear.
    suggest_budget: std::cell::Cell<usize>,
}

/// "Did you mean" answers, by story index and name.
type Suggestions = std::collections::HashMap<(usize, Box<str>), Option<String>>;

/// Names compared for "did you mean" in one file, at most.
const SUGGEST_BUDGET: usize = 200_000;

#[derive(Debug, Default)]
struct Story {
    /// The story object, if the actions have one.
    node: Option<u32>,
    /// Its actions are all there are: a story export or an embedded
    /// sub-story, not actions copied from one.
    complete: bool,
    /// It holds groups, whose insides and links storylint cannot follow.
    opaque: bool,
    /// Names a reference may start with, each with the action that has it
    /// (`None` for a page), sorted by length, then text: most comparisons
    /// in a search are of lengths.
    roots: Vec<(Box<str>, Option<usize>)>,
    /// Its `links` could be read.
    linked: bool,
    /// Its actions.
    members: Vec<usize>,
}

impl Story {
    /// The actions (and pages) named `root`.
    fn named(&self, root: &str) -> &[(Box<str>, Option<usize>)] {
        let want = (root.len(), root);
        let from = self.roots.partition_point(|(n, _)| (n.len(), &**n) < want);
        let to = from + self.roots[from..].partition_point(|(n, _)| &**n == root);
        &self.roots[from..to]
    }
}

/// Action types that start a story with an event of their own.
const ENTRY_TYPES: [&str; 2] = ["Agents::WebhookAgent", "Agents::IMAPAgent"];

impl Stories {
    /// The stories of `doc`, whose actions (in document order) are
    /// `actions`, recognised as `shape`.
    pub(crate) fn new(doc: &Document, actions: &[Action], shape: Shape) -> Self {
        let mut stories = Stories {
            suggest_budget: std::cell::Cell::new(SUGGEST_BUDGET),
            story_of: vec![None; actions.len()],
            parents: vec![Vec::new(); actions.len()],
            ancestors: RefCell::new(Ancestors::new(actions.len())),
            ..Stories::default()
        };
        let complete = shape == Shape::Story;
        let mut by_story: Vec<(Option<u32>, Vec<usize>)> = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            match by_story.iter_mut().find(|(s, _)| *s == a.story) {
                Some((_, members)) => members.push(i),
                None => by_story.push((a.story, vec![i])),
            }
        }
        for (node, members) in by_story {
            let index = stories.stories.len();
            for &m in &members {
                stories.story_of[m] = Some(index);
            }
            let mut story = Story::loose(actions, members);
            if let Some(node) = node {
                story.node = Some(node);
                story.complete = complete;
                story.add_pages(doc, node);
                story.linked = links(doc, node, actions, &story.members, &mut stories.parents);
            }
            story
                .roots
                .sort_by(|(a, x), (b, y)| (a.len(), a, x).cmp(&(b.len(), b, y)));
            stories.stories.push(story);
        }
        stories
    }

    fn story(&self, action: usize) -> Option<&Story> {
        self.story_of
            .get(action)
            .copied()
            .flatten()
            .map(|s| &self.stories[s])
    }

    /// Whether a reference from `action` starting with `root` resolves to
    /// an action or page of its story; `None` when storylint cannot tell
    /// (copied actions, a story with groups).
    pub(crate) fn resolves(&self, action: usize, root: &str) -> Option<bool> {
        // Slugs are lower case; storylint does not guess what Tines makes
        // of other casing.
        if root.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let story = self.story(action).filter(|s| s.complete && !s.opaque)?;
        Some(!story.named(root).is_empty())
    }

    /// The name of the story's actions nearest to `root`, for "did you
    /// mean".
    /// Once the file's budget is spent, there is no suggestion.
    pub(crate) fn nearest(&self, action: usize, root: &str) -> Option<String> {
        let index = self.story_of.get(action).copied().flatten()?;
        let key = (index, Box::from(root));
        if let Some(known) = self.nearest.borrow().get(&key) {
            return known.clone();
        }
        let story = &self.stories[index];
        let left = self.suggest_budget.get();
        let found = if story.roots.len() <= left {
            self.suggest_budget.set(left - story.roots.len());
            let names: Vec<&str> = story
                .roots
                .iter()
                .filter(|(_, a)| a.is_some())
                .map(|(n, _)| &**n)
                .collect();
            crate::suggest::closest(root, &names).map(str::to_string)
        } else {
            None
        };
        self.nearest.borrow_mut().insert(key, found.clone());
        found
    }

    /// Whether the action `root` names is upstream of `action` (a path of
    /// links leads from it to `action`), or is `action` itself; `None` when
    /// storylint cannot tell (no links, no such action, groups).
    pub(crate) fn upstream(&self, action: usize, root: &str) -> Option<bool> {
        let story = self.story(action).filter(|s| !s.opaque && s.linked)?;
        let named = story.named(root);
        let targets = || named.iter().filter_map(|(_, a)| *a);
        targets().next()?;
        // Most references are to the action itself or one linked to it.
        if targets().any(|t| t == action || self.parents[action].contains(&t)) {
            return Some(true);
        }
        let mut ancestors = self.ancestors.borrow_mut();
        ancestors.trace(action, &self.parents);
        if targets().any(|t| ancestors.seen[t]) {
            Some(true)
        } else {
            ancestors.complete.then_some(false)
        }
    }

    /// Whether `action` can receive an event: an action links to it, or
    /// events reach it from outside the story; `None` when storylint
    /// cannot tell.
    pub(crate) fn receives_events(
        &self,
        doc: &Document,
        actions: &[Action],
        action: usize,
    ) -> Option<bool> {
        let story = self
            .story(action)
            .filter(|s| s.complete && !s.opaque && s.linked)?;
        let entries = self.entries.get_or_init(|| {
            let mut entries = vec![false; actions.len()];
            for s in &self.stories {
                if let Some(node) = s.node {
                    for e in story_entries(doc, node, actions, &s.members) {
                        entries[e] = true;
                    }
                }
            }
            entries
        });
        let _ = story;
        Some(entries[action] || !self.parents[action].is_empty())
    }
}

impl Story {
    /// Actions with no story around them yet: their names.
    fn loose(actions: &[Action], members: Vec<usize>) -> Self {
        let mut story = Story::default();
        for &m in &members {
            let a = &actions[m];
            if a.action_type
                .as_deref()
                .is_some_and(|t| t.contains("Group"))
            {
                story.opaque = true;
            }
            if let Some(name) = &a.name {
                for_each_slug(name, |slug| story.roots.push((slug.into(), Some(m))));
            }
        }
        story.members = members;
        story
    }

    /// The pages (and older forms) of the story object at `node`.
    fn add_pages(&mut self, doc: &Document, node: u32) {
        for key in ["pages", "forms"] {
            if let Some(list) = doc.get(node, key) {
                for page in doc.children(list) {
                    self.add_page(doc, page);
                }
            }
        }
        if let Some(form) = doc.get(node, "form") {
            self.add_page(doc, form);
        }
    }

    fn add_page(&mut self, doc: &Document, page: u32) {
        let name = doc.get(page, "name").and_then(|n| doc.str_value(n));
        if let Some(name) = name {
            for_each_slug(&name, |slug| self.roots.push((slug.into(), None)));
        }
    }
}

/// Records, in `parents`, the actions each action of the story at `story`
/// (with actions `members`) is linked from, when its `links` can be read:
/// objects with `source` and `receiver` indices into `agents`. Entries
/// that cannot be read are passed over. False when there are no links.
fn links(
    doc: &Document,
    story: u32,
    actions: &[Action],
    members: &[usize],
    parents: &mut [Vec<usize>],
) -> bool {
    let Some(links) = doc
        .get(story, "links")
        .filter(|l| doc.kind(*l) == Kind::Array)
    else {
        return false;
    };
    // `agents` indices to actions: entries that are no action object keep
    // their index.
    let agents: Vec<Option<usize>> = doc
        .get(story, "agents")
        .map(|a| {
            doc.children(a)
                .map(|n| {
                    members
                        .binary_search_by_key(&n, |&m| actions[m].node)
                        .ok()
                        .map(|i| members[i])
                })
                .collect()
        })
        .unwrap_or_default();
    let index = |link: u32, key: &str| -> Option<usize> {
        let n = doc
            .get(link, key)
            .filter(|n| doc.kind(*n) == Kind::Number)?;
        let i: usize = doc.raw(n).trim().parse().ok()?;
        agents.get(i).copied().flatten()
    };
    for link in doc.children(links) {
        if let (Some(from), Some(to)) = (index(link, "source"), index(link, "receiver")) {
            parents[to].push(from);
        }
    }
    for &m in members {
        parents[m].sort_unstable();
        parents[m].dedup();
    }
    true
}

/// The actions of a story that receive events from outside it.
fn story_entries(doc: &Document, story: u32, actions: &[Action], members: &[usize]) -> Vec<usize> {
    let text = |node: Option<u32>| node.and_then(|n| doc.str_value(n)).map(|s| s.into_owned());
    let mut guids: Vec<String> = text(doc.get(story, "entry_agent_guid"))
        .into_iter()
        .collect();
    if let Some(list) = doc.get(story, "api_entry_action_guids") {
        guids.extend(doc.children(list).filter_map(|g| text(Some(g))));
    }
    members
        .iter()
        .copied()
        .filter(|&m| {
            let a = &actions[m];
            let scheduled = doc.get(a.node, "schedule").is_some_and(|s| {
                !matches!(doc.kind(s), Kind::Null) && doc.children(s).next().is_some()
            });
            a.action_type
                .as_deref()
                .is_some_and(|t| ENTRY_TYPES.contains(&t))
                || scheduled
                || a.guid.as_ref().is_some_and(|g| guids.contains(g))
        })
        .collect()
}

/// Every action a path of links leads from to one action, traced within a
/// budget of steps for the whole file: in a story of many thousands of
/// linked actions, tracing each one's ancestors would take time (and, kept,
/// memory) quadratic in their number, so past the budget storylint says it
/// cannot tell.
#[derive(Debug, Default)]
struct Ancestors {
    of: Option<usize>,
    /// Per action, whether it is an ancestor.
    seen: Vec<bool>,
    /// The actions `seen` holds, to clear it.
    list: Vec<usize>,
    /// Actions whose parents are still to follow (kept for its buffer).
    todo: Vec<usize>,
    /// Every ancestor was traced.
    complete: bool,
    /// Steps left for the file.
    budget: usize,
}

/// Links followed to trace ancestors in one file, at most.
const TRACE_BUDGET: usize = 4_000_000;

impl Ancestors {
    fn new(actions: usize) -> Self {
        Ancestors {
            of: None,
            seen: vec![false; actions],
            list: Vec::new(),
            todo: Vec::new(),
            complete: false,
            budget: TRACE_BUDGET,
        }
    }

    /// Traces the ancestors of `action`, unless they are those traced last.
    fn trace(&mut self, action: usize, parents: &[Vec<usize>]) {
        if self.of == Some(action) {
            return;
        }
        for a in self.list.drain(..) {
            self.seen[a] = false;
        }
        self.of = Some(action);
        self.complete = true;
        self.todo.clear();
        self.todo.push(action);
        while let Some(a) = self.todo.pop() {
            for &p in &parents[a] {
                if self.budget == 0 {
                    self.complete = false;
                    return;
                }
                self.budget -= 1;
                if !self.seen[p] {
                    self.seen[p] = true;
                    self.list.push(p);
                    self.todo.push(p);
                }
            }
        }
    }
}

/// Calls `f` with each of [`slugs`]: a name of plain ASCII (most are) is
/// slugged into a buffer of the thread's, with nothing allocated but what
/// `f` keeps.
fn for_each_slug(name: &str, mut f: impl FnMut(&str)) {
    thread_local! {
        static BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
    }
    if !name.is_ascii() || name.contains('\'') {
        return slugs(name).iter().for_each(|s| f(s));
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        ascii_slug_into(name, buffer);
        if !buffer.is_empty() {
            f(buffer);
        }
    });
}

/// The slugs a name may have: lower case, each run of characters that are
/// not letters or digits one `_`, trimmed of `_`. Where Tines' rule is not
/// documented, each plausible form: with non-ASCII letters kept or
/// dropped, and with apostrophes dropped or made separators.
pub(crate) fn slugs(name: &str) -> Vec<String> {
    let mut out = vec![slug(name, false)];
    if name.is_ascii() && !name.contains('\'') {
        out.retain(|s| !s.is_empty());
        return out;
    }
    if !name.is_ascii() {
        out.push(slug(name, true));
    }
    if name.contains(['\'', '’']) {
        let without: String = name.chars().filter(|c| !matches!(c, '\'' | '’')).collect();
        out.push(slug(&without, false));
        if !without.is_ascii() {
            out.push(slug(&without, true));
        }
    }
    out.retain(|s| !s.is_empty());
    out.dedup();
    out
}

fn slug(name: &str, keep_unicode: bool) -> String {
    if name.is_ascii() {
        return ascii_slug(name);
    }
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let keep = c.is_ascii_alphanumeric() || (keep_unicode && c.is_alphanumeric());
        if keep {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// [`slug`] of an ASCII name, byte by byte.
fn ascii_slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    ascii_slug_into(name, &mut out);
    out
}

/// Appends [`ascii_slug`] of `name` to `out`, which must be empty.
fn ascii_slug_into(name: &str, out: &mut String) {
    let mut gap = false;
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            gap = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_tines() {
        assert_eq!(slugs("Get Tenant ID (v2)"), ["get_tenant_id_v2"]);
        assert_eq!(slugs("Hello World!"), ["hello_world"]);
        assert_eq!(slugs("Testing-1 2 3"), ["testing_1_2_3"]);
        assert_eq!(
            slugs("Extract Pre-Approved Accounts"),
            ["extract_pre_approved_accounts"]
        );
        assert_eq!(slugs("fooBar"), ["foobar"]);
        assert_eq!(slugs("[Demo] my__action"), ["demo_my_action"]);
        assert_eq!(slugs("User's Email"), ["user_s_email", "users_email"]);
        assert_eq!(slugs("Café lookup"), ["caf_lookup", "café_lookup"]);
        assert!(slugs("!!!").is_empty());
        for name in [
            "Get Tenant ID (v2)",
            "User's Email",
            "Café lookup",
            "!!!",
            "",
            "a",
        ] {
            let mut each = Vec::new();
            for_each_slug(name, |s| each.push(s.to_string()));
            assert_eq!(each, slugs(name), "{name}");
        }
    }

    /// Runs `check` on the stories of `json`.
    fn with_stories(json: &str, check: impl FnOnce(&LazyStories, &[Action])) {
        let doc = Document::parse(json).unwrap();
        match super::super::recognise(&doc) {
            super::super::Recognised::Export { actions, shape, .. } => {
                let lazy = LazyStories::new(&doc, &actions, shape);
                check(&lazy, &actions)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tracing_past_its_budget_cannot_tell_and_suggestions_stop() {
        // Five actions in a chain: 0 -> 1 -> 2 -> 3 -> 4.
        let agents: Vec<String> = (0..5)
            .map(|i| format!(r#"{{"type": "Agents::HTTPRequestAgent", "name": "Step {i}"}}"#))
            .collect();
        let links: Vec<String> = (1..5)
            .map(|i| format!(r#"{{"source": {}, "receiver": {i}}}"#, i - 1))
            .collect();
        let json = format!(
            r#"{{"agents": [{}], "links": [{}]}}"#,
            agents.join(","),
            links.join(",")
        );
        with_stories(&json, |lazy, _| {
            let s = lazy.get();
            // Linked directly: no tracing needed.
            assert_eq!(s.upstream(4, "step_3"), Some(true));
            s.ancestors.borrow_mut().budget = 2;
            assert_eq!(s.upstream(4, "step_0"), None, "traced two links of four");
            assert_eq!(s.upstream(4, "step_3"), Some(true));
            s.ancestors.borrow_mut().budget = 10;
            s.ancestors.borrow_mut().of = None;
            assert_eq!(s.upstream(4, "step_0"), Some(true));
            assert_eq!(s.upstream(2, "step_4"), Some(false));
            assert_eq!(s.nearest(4, "stpe_1").as_deref(), Some("step_1"));
            s.suggest_budget.set(4);
            assert_eq!(s.nearest(4, "stpe_1").as_deref(), Some("step_1"), "kept");
            assert_eq!(s.nearest(4, "stpe_2"), None, "five names, four left");
        });
    }

    #[test]
    fn upstream_follows_links_through_cycles_and_duplicates() {
        let json = r#"{"agents": [
                {"type": "Agents::WebhookAgent", "name": "Receive Alert"},
                {"type": "Agents::HTTPRequestAgent", "name": "Get Token"},
                {"type": "Agents::HTTPRequestAgent", "name": "Call API"},
                {"type": "Agents::HTTPRequestAgent", "name": "Orphan"},
                {"type": "Agents::HTTPRequestAgent", "name": "Page", "schedule": [{"cron": "* * * * *"}]}
              ],
              "links": [{"source": 0, "receiver": 1}, {"source": 1, "receiver": 2},
                        {"source": 1, "receiver": 2}, {"source": 2, "receiver": 1},
                        {"source": 9, "receiver": 2}, {"source": "x", "receiver": 2}],
              "pages": [{"name": "Submit feedback"}]}"#;
        with_stories(json, |lazy, _| {
            let s = lazy.get();
            assert_eq!(s.resolves(2, "get_token"), Some(true));
            assert_eq!(s.resolves(2, "submit_feedback"), Some(true));
            assert_eq!(s.resolves(2, "get_tokne"), Some(false));
            assert_eq!(s.nearest(2, "get_tokne").as_deref(), Some("get_token"));
            assert_eq!(s.upstream(2, "receive_alert"), Some(true));
            assert_eq!(s.upstream(1, "call_api"), Some(true), "a cycle");
            assert_eq!(s.upstream(2, "call_api"), Some(true), "itself");
            assert_eq!(s.upstream(2, "orphan"), Some(false));
            assert_eq!(s.upstream(2, "submit_feedback"), None, "a page");
            assert_eq!(lazy.receives_events(3), Some(false));
            assert_eq!(lazy.receives_events(0), Some(true), "a webhook");
            assert_eq!(lazy.receives_events(4), Some(true), "scheduled");
            assert_eq!(lazy.receives_events(2), Some(true));
        });
    }

    #[test]
    fn sub_stories_resolve_their_own_names_and_copies_nothing() {
        let json = r#"{"agents": [{"type": "Agents::HTTPRequestAgent", "name": "Outer"}], "links": [],
                "send_to_stories": [{"entry_agent_guid": "e1", "agents": [
                  {"type": "Agents::WebhookAgent", "name": "Entry", "guid": "e1"},
                  {"type": "Agents::HTTPRequestAgent", "name": "Inner"}],
                  "links": [{"source": 0, "receiver": 1}]}]}"#;
        with_stories(json, |lazy, actions| {
            let s = lazy.get();
            let inner = actions
                .iter()
                .position(|a| a.name.as_deref() == Some("Inner"))
                .unwrap();
            assert_eq!(s.resolves(inner, "entry"), Some(true));
            assert_eq!(s.resolves(inner, "outer"), Some(false));
            assert_eq!(s.upstream(inner, "entry"), Some(true));
        });
        with_stories(
            r#"[{"type": "Agents::HTTPRequestAgent", "name": "A"}]"#,
            |lazy, _| {
                assert_eq!(lazy.get().resolves(0, "b"), None);
                assert_eq!(lazy.get().upstream(0, "a"), None);
            },
        );
        let groups = r#"{"agents": [{"type": "Agents::GroupAgent", "name": "G"},
                           {"type": "Agents::HTTPRequestAgent", "name": "A"}], "links": []}"#;
        with_stories(groups, |lazy, _| {
            assert_eq!(lazy.get().resolves(1, "b"), None, "groups")
        });
    }
}
