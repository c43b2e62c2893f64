//! Deterministic synthetic corpus of Tines story exports for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- OUT_DIR N [--seed S]
//! ```
//!
//! Writes `N` exports to `OUT_DIR/story-NNNNN.json` (about two thirds
//! pretty-printed, one third minified) with 5 to 60 actions each, about
//! 35 KB on average. About 5% of the HTTP Request actions carry one planted
//! defect that a built-in rule reports (a bare credential in the
//! `Authorization` header, an unsupported method, or `Basic user:password`);
//! nothing else in the corpus should be reported. `OUT_DIR/MANIFEST` records
//! the counts, including the number of findings to expect.
//!
//! The same `N` and seed give byte-identical files: the only source of
//! randomness is a splitmix64 generator seeded from the seed and the file
//! index, and every object's key order is fixed here.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_SEED: u64 = 0x5EED_2024;
const USAGE: &str = "usage: gen_corpus OUT_DIR N [--seed S]";

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok((dir, n, seed)) => match generate(&dir, n, seed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gen_corpus: {}: {e}", dir.display());
                ExitCode::FAILURE
            }
        },
        Err(msg) => {
            eprintln!("gen_corpus: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<(PathBuf, usize, u64), String> {
    let mut positional = Vec::new();
    let mut seed = DEFAULT_SEED;
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--seed" {
            let value = args.next().ok_or("--seed needs a value")?;
            seed = parse_seed(&value)?;
        } else if let Some(value) = arg.strip_prefix("--seed=") {
            seed = parse_seed(value)?;
        } else if arg == "-h" || arg == "--help" {
            return Err("help requested".into());
        } else {
            positional.push(arg);
        }
    }
    let [dir, n] = <[String; 2]>::try_from(positional)
        .map_err(|_| "expected exactly two arguments: OUT_DIR and N".to_string())?;
    let n = n
        .parse::<usize>()
        .map_err(|_| format!("N must be a non-negative integer, not {n:?}"))?;
    Ok((PathBuf::from(dir), n, seed))
}

fn parse_seed(value: &str) -> Result<u64, String> {
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse::<u64>(),
    };
    parsed.map_err(|_| format!("--seed must be an unsigned integer, not {value:?}"))
}

#[derive(Default)]
struct Totals {
    files: usize,
    pretty: usize,
    minified: usize,
    bytes: u64,
    actions: usize,
    http_actions: usize,
    defects: usize,
}

fn generate(dir: &Path, n: usize, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut totals = Totals::default();
    let mut buf = String::with_capacity(256 * 1024);
    for i in 0..n {
        let mut rng = Rng::new(seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut story = StoryGen::new(&mut rng, i);
        let doc = story.export();
        let (actions, http, defects) = (story.actions, story.http_actions, story.defects);
        let pretty = rng.below(3) != 0;
        let style = Style {
            pretty,
            // Tines (Rails) escapes <, > and & in many exports.
            html_safe: rng.below(2) == 0,
        };
        buf.clear();
        write_json(&mut buf, &doc, &style, 0);
        if pretty {
            buf.push('\n');
        }
        let name = format!("story-{i:05}.json");
        std::fs::write(dir.join(name), buf.as_bytes())?;
        totals.files += 1;
        if pretty {
            totals.pretty += 1;
        } else {
            totals.minified += 1;
        }
        totals.bytes += buf.len() as u64;
        totals.actions += actions;
        totals.http_actions += http;
        totals.defects += defects;
    }
    let manifest = format!(
        "files {}\npretty {}\nminified {}\nbytes {}\nactions {}\nhttp_actions {}\n\
         expected_findings {}\nseed {}\n",
        totals.files,
        totals.pretty,
        totals.minified,
        totals.bytes,
        totals.actions,
        totals.http_actions,
        totals.defects,
        seed
    );
    std::fs::write(dir.join("MANIFEST"), &manifest)?;
    print!("{manifest}");
    Ok(())
}

// ---------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut rng = Rng(seed);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }
}

// ---------------------------------------------------------------------------
// A JSON value with a fixed key order, and its writer.

enum J {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

fn s(text: impl Into<String>) -> J {
    J::Str(text.into())
}

fn obj(pairs: Vec<(&str, J)>) -> J {
    J::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn strs(items: &[&str]) -> J {
    J::Arr(items.iter().map(|t| s(*t)).collect())
}

struct Style {
    pretty: bool,
    html_safe: bool,
}

fn write_json(out: &mut String, value: &J, style: &Style, depth: usize) {
    match value {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Int(i) => {
            let _ = write!(out, "{i}");
        }
        J::Str(text) => write_str(out, text, style.html_safe),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Obj(pairs) if pairs.is_empty() => out.push_str("{}"),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separator(out, style, depth + 1, i == 0);
                write_json(out, item, style, depth + 1);
            }
            close(out, style, depth, ']');
        }
        J::Obj(pairs) => {
            out.push('{');
            for (i, (key, item)) in pairs.iter().enumerate() {
                separator(out, style, depth + 1, i == 0);
                write_str(out, key, style.html_safe);
                out.push_str(if style.pretty { ": " } else { ":" });
                write_json(out, item, style, depth + 1);
            }
            close(out, style, depth, '}');
        }
    }
}

fn separator(out: &mut String, style: &Style, depth: usize, first: bool) {
    if !first {
        out.push(',');
    }
    if style.pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn close(out: &mut String, style: &Style, depth: usize, bracket: char) {
    if style.pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    out.push(bracket);
}

fn write_str(out: &mut String, text: &str, html_safe: bool) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html_safe => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Vocabulary

struct Vendor {
    name: &'static str,
    /// `None`: the host is a resource, `https://<<RESOURCE.{slug}_domain>>`.
    host: Option<&'static str>,
    slug: &'static str,
    /// Authorization scheme; `None` sends the key in `x-apikey` instead
    /// (the header VirusTotal reads).
    scheme: Option<&'static str>,
    paths: &'static [&'static str],
    objects: &'static [&'static str],
}

const VENDORS: &[Vendor] = &[
    Vendor {
        name: "Okta",
        host: None,
        slug: "okta",
        scheme: Some("SSWS"),
        paths: &[
            "/api/v1/users/<<URL_ENCODE(lookup.email)>>",
            "/api/v1/users/<<user.id>>/lifecycle/suspend",
            "/api/v1/users/<<user.id>>/sessions",
            "/api/v1/groups/<<RESOURCE.okta_admin_group>>/users",
        ],
        objects: &["User", "Sessions", "Group Membership", "Factors"],
    },
    Vendor {
        name: "CrowdStrike",
        host: None,
        slug: "crowdstrike",
        scheme: Some("Bearer"),
        paths: &[
            "/detects/entities/summaries/GET/v1",
            "/devices/entities/devices-actions/v2?action_name=contain",
            "/iocs/combined/indicator/v1?filter=value:'<<ioc.value>>'",
            "/alerts/queries/alerts/v2?limit=500",
        ],
        objects: &["Detection", "Host", "Indicator", "Alerts"],
    },
    Vendor {
        name: "Slack",
        host: Some("slack.com"),
        slug: "slack",
        scheme: Some("Bearer"),
        paths: &[
            "/api/chat.postMessage",
            "/api/users.lookupByEmail?email=<<lookup.email>>",
            "/api/conversations.create",
        ],
        objects: &["Message", "Channel", "User"],
    },
    Vendor {
        name: "Jira",
        host: None,
        slug: "jira",
        scheme: Some("Basic"),
        paths: &[
            "/rest/api/3/issue",
            "/rest/api/3/issue/<<create_issue.body.key>>/comment",
            "/rest/api/3/search?jql=<<URL_ENCODE(jql)>>",
        ],
        objects: &["Issue", "Comment", "Transition"],
    },
    Vendor {
        name: "ServiceNow",
        host: None,
        slug: "servicenow",
        scheme: Some("Bearer"),
        paths: &[
            "/api/now/table/incident",
            "/api/now/table/sys_user?sysparm_query=email=<<lookup.email>>",
            "/api/now/table/sn_si_incident/<<incident.sys_id>>",
        ],
        objects: &["Incident", "User Record", "Security Incident"],
    },
    Vendor {
        name: "VirusTotal",
        host: Some("www.virustotal.com"),
        slug: "virustotal",
        scheme: None,
        paths: &[
            "/api/v3/files/<<indicator.sha256>>",
            "/api/v3/urls/<<BASE64_ENCODE(indicator.url)>>",
            "/api/v3/ip_addresses/<<indicator.ip>>",
        ],
        objects: &["File Report", "URL Report", "IP Reputation"],
    },
    Vendor {
        name: "GitHub",
        host: Some("api.github.com"),
        slug: "github",
        scheme: Some("Bearer"),
        paths: &[
            "/repos/<<RESOURCE.github_org>>/<<repo.name>>/issues",
            "/orgs/<<RESOURCE.github_org>>/members/<<user.login>>",
            "/repos/<<RESOURCE.github_org>>/<<repo.name>>/pulls?state=open",
        ],
        objects: &["Issue", "Member", "Pull Requests"],
    },
    Vendor {
        name: "PagerDuty",
        host: Some("api.pagerduty.com"),
        slug: "pagerduty",
        scheme: Some("Token token="),
        paths: &[
            "/incidents",
            "/incidents/<<incident.id>>/notes",
            "/oncalls?escalation_policy_ids[]=<<RESOURCE.pd_policy>>",
        ],
        objects: &["Incident", "Note", "On-call"],
    },
    Vendor {
        name: "Google Workspace",
        host: Some("admin.googleapis.com"),
        slug: "google",
        scheme: Some("Bearer"),
        paths: &[
            "/admin/directory/v1/users/<<lookup.email>>",
            "/admin/directory/v1/users/<<lookup.email>>/signOut",
        ],
        objects: &["User", "Sessions"],
    },
    Vendor {
        name: "Microsoft Graph",
        host: Some("graph.microsoft.com"),
        slug: "msgraph",
        scheme: Some("Bearer"),
        paths: &[
            "/v1.0/users/<<lookup.email>>",
            "/v1.0/security/alerts_v2?$top=50",
            "/v1.0/users/<<user.id>>/revokeSignInSessions",
        ],
        objects: &["User", "Security Alert", "Sign-in Sessions"],
    },
];

const VERBS: &[(&str, &str)] = &[
    ("get", "Get"),
    ("get", "Search"),
    ("get", "List"),
    ("post", "Create"),
    ("post", "Submit"),
    ("put", "Update"),
    ("patch", "Modify"),
    ("delete", "Delete"),
];

const SUBJECTS: &[&str] = &[
    "Phishing Triage",
    "User Offboarding",
    "Endpoint Containment",
    "Alert Enrichment",
    "Vulnerability Intake",
    "Access Review",
    "Suspicious Login",
    "Malware Detonation",
    "Ticket Sync",
    "On-call Escalation",
    "IOC Sweep",
    "Cloud Posture Drift",
];

const SENTENCES: &[&str] = &[
    "Looks the record up before anything is changed.",
    "Runs only for high and critical severities; everything else is dropped upstream.",
    "The API pages its results, so the loop below follows `next` links.",
    "Returns 404 when the user is not found, which goes down the failure path.",
    "Rate limited to 100 requests per minute per tenant.",
    "Owner: Security Engineering (secops@example.com).",
    "Keep this in sync with the \"Escalation\" story.",
    "Do not edit without reading the runbook first: https://wiki.example.com/runbooks/soc",
    "Café opening hours aside, the SLA is 15 minutes → page the on-call.",
    "Formats the timestamp as ISO 8601 so downstream tools agree.",
];

const FIELDS: &[&str] = &[
    "email",
    "user_id",
    "hostname",
    "severity",
    "summary",
    "ticket_key",
    "ip_address",
    "sha256",
    "url",
    "status",
    "assignee",
    "created_at",
    "tactic",
    "technique",
    "count",
];

const FORMULAS: &[&str] = &[
    "<<{a}.body.{f}>>",
    "=LOWER({a}.body.data.{f})",
    "<<DATE({a}.body.{f}, \"%Y-%m-%dT%H:%M:%SZ\")>>",
    "=IF({a}.status = 200, {a}.body.{f}, \"unknown\")",
    "<<JSON_PARSE({a}.body).{f}>>",
    "=DEFAULT({a}.body.{f}, \"n/a\")",
    "<<SIZE({a}.body.results)>> results for <<{a}.body.{f}>>",
    "=MAP({a}.body.items, LAMBDA(item, item.{f}))",
    "Alert <<{a}.body.id>> on <<{a}.body.{f}>>:\n<<{a}.body.summary>>",
    "{% if {a}.body.{f} %}<b>{{ {a}.body.{f} }}</b>{% endif %}",
];

// ---------------------------------------------------------------------------
// Story generation

struct StoryGen<'r> {
    rng: &'r mut Rng,
    index: usize,
    tenant: String,
    story_guid: String,
    /// Slugs of the actions generated so far.
    slugs: Vec<String>,
    /// Slugs of the actions upstream of the one being generated: what its
    /// formulas refer to, so that every reference resolves.
    upstream: Vec<String>,
    actions: usize,
    http_actions: usize,
    defects: usize,
}

impl<'r> StoryGen<'r> {
    fn new(rng: &'r mut Rng, index: usize) -> Self {
        let tenant = rng.hex(32);
        let story_guid = rng.hex(32);
        StoryGen {
            rng,
            index,
            tenant,
            story_guid,
            slugs: Vec::new(),
            upstream: Vec::new(),
            actions: 0,
            http_actions: 0,
            defects: 0,
        }
    }

    fn export(&mut self) -> J {
        let subject = *self.rng.pick(SUBJECTS);
        let name = format!("{subject} #{}", self.index);
        let slug = slugify(&name);
        // 5 to 60 actions, skewed towards small stories: the smaller of two
        // uniform draws (mean about 23).
        let n = 5 + self.rng.below(56).min(self.rng.below(56));
        // Each action after the first is linked from one before it: the
        // previous one mostly, so the story is a tree rooted at the webhook.
        let parents: Vec<usize> = (1..n)
            .map(|receiver| {
                if self.rng.percent(80) {
                    receiver - 1
                } else {
                    self.rng.below(receiver)
                }
            })
            .collect();
        let mut agents = Vec::with_capacity(n);
        let mut guids = Vec::with_capacity(n);
        for i in 0..n {
            let mut up = Vec::new();
            let mut at = i;
            while at > 0 {
                at = parents[at - 1];
                up.push(self.slugs[at].clone());
            }
            self.upstream = up;
            let guid = self.rng.hex(32);
            agents.push(self.agent(i, &guid));
            guids.push(guid);
        }
        self.actions = n;
        let links = parents
            .iter()
            .enumerate()
            .map(|(i, &source)| {
                obj(vec![
                    ("source", J::Int(source as i64)),
                    ("receiver", J::Int(i as i64 + 1)),
                ])
            })
            .collect();
        let mut layout = String::from("{");
        for (i, guid) in guids.iter().enumerate() {
            if i > 0 {
                layout.push(',');
            }
            let x = 60 + 285 * (i % 3) + self.rng.below(40);
            let y = 45 + 90 * i;
            let _ = write!(layout, "\"{guid}\":[{x}.0,{y}.0]");
        }
        layout.push('}');
        let send_to_story = self.rng.percent(20);
        let description = format!(
            "{}\n\n{}",
            self.sentence(),
            if self.rng.percent(50) {
                self.sentence()
            } else {
                "Maintained by the SOC automation team.".into()
            }
        );
        let origin = self.origin();
        let exported_at = format!(
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.rng.range(1, 12),
            self.rng.range(1, 28),
            self.rng.below(24),
            self.rng.below(60),
            self.rng.below(60)
        );
        obj(vec![
            ("schema_version", J::Int(self.rng.range(18, 30) as i64)),
            (
                "standard_lib_version",
                J::Int(self.rng.range(40, 90) as i64),
            ),
            (
                "action_runtime_version",
                J::Int(self.rng.range(5, 25) as i64),
            ),
            ("name", s(name)),
            ("description", s(description)),
            ("guid", s(self.story_guid.clone())),
            ("slug", s(slug)),
            ("agents", J::Arr(agents)),
            ("diagram_notes", J::Arr(Vec::new())),
            ("links", J::Arr(links)),
            ("diagram_layout", s(layout)),
            ("story_library_metadata", obj(Vec::new())),
            ("parent_only_send_to_story", J::Bool(false)),
            ("keep_events_for", J::Int(604_800)),
            ("reporting_status", J::Bool(true)),
            ("send_to_story_enabled", J::Bool(send_to_story)),
            (
                "entry_agent_guid",
                if send_to_story {
                    s(guids[0].clone())
                } else {
                    J::Null
                },
            ),
            (
                "exit_agent_guids",
                if send_to_story {
                    strs(&[guids[n - 1].as_str()])
                } else {
                    J::Arr(Vec::new())
                },
            ),
            ("api_entry_action_guids", J::Arr(Vec::new())),
            (
                "send_to_story_access_source",
                s(if send_to_story { "STS" } else { "OFF" }),
            ),
            ("send_to_story_access", J::Null),
            (
                "send_to_story_skill_use_requires_confirmation",
                J::Bool(true),
            ),
            ("pages", J::Arr(Vec::new())),
            ("tags", J::Arr(Vec::new())),
            ("time_saved_unit", s("minutes")),
            ("time_saved_value", J::Int(self.rng.range(0, 30) as i64)),
            ("origin_story_identifier", s(origin)),
            ("integration_product", J::Null),
            ("integration_vendor", J::Null),
            ("llm_product_instructions", s("")),
            ("exported_at", s(exported_at)),
            (
                "icon",
                s(*self.rng.pick(&["shield", "bolt", "bug", "user"])),
            ),
            ("integrations", J::Arr(Vec::new())),
        ])
    }

    fn sentence(&mut self) -> String {
        (*self.rng.pick(SENTENCES)).to_string()
    }

    fn origin(&self) -> String {
        format!("cloud:{}:{}", self.tenant, self.story_guid)
    }

    /// A formula or template string referring to an upstream action.
    fn formula(&mut self) -> String {
        let Some(a) = self.upstream_slug() else {
            return "<<META.story.name>>".into();
        };
        let f = *self.rng.pick(FIELDS);
        self.rng.pick(FORMULAS).replace("{a}", &a).replace("{f}", f)
    }

    /// An action upstream of the one being generated, if any.
    fn upstream_slug(&mut self) -> Option<String> {
        (!self.upstream.is_empty()).then(|| self.rng.pick(&self.upstream).clone())
    }

    fn agent(&mut self, i: usize, guid: &str) -> J {
        let (kind, name, options) = if i == 0 {
            self.webhook()
        } else {
            match self.rng.below(100) {
                0..=59 => self.http(),
                60..=79 => self.transform(),
                80..=91 => self.trigger(),
                92..=95 => self.email(),
                _ => self.webhook(),
            }
        };
        let name = format!("{name} {}", i + 1);
        self.slugs.push(slugify(&name));
        let description = if self.rng.percent(40) {
            J::Null
        } else {
            s(self.sentence())
        };
        let schedule = if kind == "Agents::HTTPRequestAgent" && self.rng.percent(10) {
            J::Arr(vec![obj(vec![
                ("cron", s(format!("*/{} * * * *", self.rng.range(5, 30)))),
                ("timezone", s("Etc/UTC")),
            ])])
        } else {
            J::Null
        };
        obj(vec![
            ("type", s(kind)),
            ("name", s(name)),
            ("disabled", J::Bool(self.rng.percent(3))),
            ("description", description),
            ("guid", s(guid)),
            ("origin_story_identifier", s(self.origin())),
            ("options", options),
            (
                "reporting",
                obj(vec![
                    ("time_saved_value", J::Int(0)),
                    ("time_saved_unit", s("minutes")),
                ]),
            ),
            (
                "monitoring",
                obj(vec![
                    ("monitor_all_events", J::Bool(false)),
                    ("monitor_failures", J::Bool(self.rng.percent(30))),
                    ("monitor_no_events_emitted", J::Null),
                ]),
            ),
            (
                "template",
                obj(vec![
                    ("created_from_template_guid", J::Null),
                    ("created_from_template_version", J::Null),
                    ("template_tags", J::Arr(Vec::new())),
                ]),
            ),
            ("width", J::Null),
            ("schedule", schedule),
            (
                "keep_events_for",
                J::Int(*self.rng.pick(&[0, 3_600, 86_400, 604_800]) as i64),
            ),
        ])
    }

    fn http(&mut self) -> (&'static str, String, J) {
        self.http_actions += 1;
        let vendor = self.rng.pick(VENDORS);
        let (method, verb) = *self.rng.pick(VERBS);
        let object = *self.rng.pick(vendor.objects);
        let name = format!("{verb} {} {object}", vendor.name);
        let host = match vendor.host {
            Some(h) => h.to_string(),
            None => format!("<<RESOURCE.{}_domain>>", vendor.slug),
        };
        let url = format!("https://{host}{}", self.rng.pick(vendor.paths));
        // The paths read from made-up event keys; an upstream action's
        // result stands in for them.
        let a = self.upstream_slug().unwrap_or_else(|| "META".into());
        let mut url = url;
        for key in [
            "lookup",
            "user",
            "ioc",
            "indicator",
            "repo",
            "incident",
            "create_issue",
        ] {
            url = url
                .replace(&format!("<<{key}."), &format!("<<{a}.body."))
                .replace(&format!("({key}."), &format!("({a}.body."));
        }
        let url = url.replace("URL_ENCODE(jql)", &format!("URL_ENCODE({a}.body.jql)"));
        let credential = format!(
            "<<CREDENTIAL.{}_{}>>",
            vendor.slug,
            self.rng.pick(&["api_token", "bot", "svc", "prod"])
        );
        let mut headers = Vec::new();
        match vendor.scheme {
            Some("Basic") => headers.push((
                "Authorization",
                s(format!(
                    "Basic <<BASE64_ENCODE(RESOURCE.{}_user & \":\" & CREDENTIAL.{}_token)>>",
                    vendor.slug, vendor.slug
                )),
            )),
            Some(scheme) => {
                let sep = if scheme.ends_with('=') { "" } else { " " };
                headers.push(("Authorization", s(format!("{scheme}{sep}{credential}"))));
            }
            None => headers.push(("x-apikey", s(credential.clone()))),
        }
        headers.push(("Accept", s("application/json")));
        if self.rng.percent(30) {
            headers.push(("X-Request-Id", s("<<UUID()>>")));
        }
        if self.rng.percent(15) {
            headers.push(("User-Agent", s("Tines/1.0 (+https://www.tines.com)")));
        }

        let mut method = s(method);
        // Planted defects: each makes exactly one built-in rule fire.
        if self.rng.percent(5) {
            self.defects += 1;
            match self.rng.below(4) {
                0 => headers[0] = ("Authorization", s(credential)),
                1 => method = s("HEAD"),
                2 => method = s("fetch"),
                _ => {
                    headers[0] = (
                        "Authorization",
                        s(format!("Basic svc_{}:Winter2025!", vendor.slug)),
                    )
                }
            }
        }

        let mut options = vec![
            ("url", s(url)),
            (
                "content_type",
                s(*self.rng.pick(&["json", "application_json", "form"])),
            ),
            ("method", method),
            ("headers", obj(headers)),
        ];
        let sends_body = !matches!(&options[2].1, J::Str(m) if m == "get" || m == "delete");
        if sends_body || self.rng.percent(20) {
            let payload = self.payload(1);
            options.push(("payload", payload));
        }
        options.push(("retry_on_status", strs(&["429"])));
        options.push(("log_error_on_status", J::Arr(Vec::new())));
        if self.rng.percent(25) {
            options.push(("timeout", J::Int(self.rng.range(10, 120) as i64)));
        }
        ("Agents::HTTPRequestAgent", name, obj(options))
    }

    /// A payload object with formulas and nested data, `depth` levels deep.
    fn payload(&mut self, depth: usize) -> J {
        let n = self.rng.range(2, 6);
        // Distinct keys: a partial Fisher-Yates shuffle of the field names.
        let mut keys: Vec<&str> = FIELDS.to_vec();
        let mut pairs = Vec::with_capacity(n);
        for k in 0..n {
            let j = k + self.rng.below(keys.len() - k);
            keys.swap(k, j);
            let key = keys[k];
            let value = match self.rng.below(10) {
                0..=4 => s(self.formula()),
                5 if depth > 0 => self.payload(depth - 1),
                6 if depth > 0 => J::Arr(
                    (0..self.rng.range(1, 4))
                        .map(|_| s(self.formula()))
                        .collect(),
                ),
                7 => J::Int(self.rng.below(1000) as i64),
                8 => J::Bool(self.rng.percent(50)),
                _ => s(self.sentence()),
            };
            pairs.push((key, value));
        }
        obj(pairs)
    }

    fn transform(&mut self) -> (&'static str, String, J) {
        let mode = *self.rng.pick(&[
            "message_only",
            "message_only",
            "explode",
            "deduplicate",
            "implode",
        ]);
        let name = match mode {
            "explode" => "Explode Results",
            "deduplicate" => "Deduplicate Alerts",
            "implode" => "Implode Findings",
            _ => *self
                .rng
                .pick(&["Build Payload", "Extract Fields", "Format Summary"]),
        };
        let mut options = vec![("mode", s(mode))];
        match mode {
            "explode" => {
                let path = self.formula();
                options.push(("path", s(path)));
                options.push(("to", s("individual_item")));
            }
            "deduplicate" => {
                let path = self.formula();
                options.push(("path", s(path)));
                options.push(("lookback", J::Int(self.rng.range(100, 1000) as i64)));
            }
            "implode" => {
                let id = self.formula();
                options.push(("guid_path", s(id)));
                let size = match self.upstream_slug() {
                    Some(a) => format!("={a}.size"),
                    None => "=1".into(),
                };
                options.push(("size_path", s(size)));
            }
            _ => {
                options.push(("loop", J::Bool(false)));
                let payload = self.payload(2);
                options.push(("payload", payload));
            }
        }
        (
            "Agents::EventTransformationAgent",
            name.into(),
            obj(options),
        )
    }

    fn trigger(&mut self) -> (&'static str, String, J) {
        let n = self.rng.range(1, 3);
        let rules = (0..n)
            .map(|_| {
                let path = self.formula();
                obj(vec![
                    (
                        "type",
                        s(*self.rng.pick(&["field==value", "regex", "field>value"])),
                    ),
                    (
                        "value",
                        s(*self.rng.pick(&["200", "high|critical", "true", "0"])),
                    ),
                    ("path", s(path)),
                ])
            })
            .collect();
        let mut options = vec![("rules", J::Arr(rules))];
        if n > 1 {
            options.push(("must_match", J::Int(1)));
        }
        let name = *self.rng.pick(&[
            "Is High Severity",
            "User Found",
            "Request Succeeded",
            "Has Results",
        ]);
        ("Agents::TriggerAgent", name.into(), obj(options))
    }

    fn email(&mut self) -> (&'static str, String, J) {
        // The direct parent (the first of the upstream actions).
        let about = self
            .upstream
            .first()
            .cloned()
            .unwrap_or_else(|| "META".into());
        let subject = format!("[SOC] <<{about}.body.summary>> (<<{about}.body.severity>>)");
        let body = format!(
            "<p>Hello team,</p>\n<p>{}</p>\n<ul><li>{}</li><li>{}</li></ul>\n<p>&mdash; Tines</p>",
            self.sentence(),
            self.formula(),
            self.formula()
        );
        let options = obj(vec![
            (
                "recipients",
                strs(&["soc@example.com", "<<RESOURCE.oncall_email>>"]),
            ),
            ("reply_to", s("noreply@example.com")),
            ("sender_name", s("Tines SOC")),
            ("subject", s(subject)),
            ("body", s(body)),
        ]);
        ("Agents::EmailAgent", "Notify SOC".into(), options)
    }

    fn webhook(&mut self) -> (&'static str, String, J) {
        let options = obj(vec![
            ("path", s(self.rng.hex(32))),
            ("secret", s(self.rng.hex(32))),
            ("verbs", s("get,post")),
            ("include_headers", J::Bool(self.rng.percent(50))),
        ]);
        ("Agents::WebhookAgent", "Receive Alert".into(), options)
    }
}

fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('_') {
            slug.push('_');
        }
    }
    slug.trim_matches('_').to_string()
}
