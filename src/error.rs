//! Typed problems with inputs and rule files. Each one knows its file and,
//! where there is one, the exact bytes at fault, and renders as a miette
//! diagnostic with a snippet.

use crate::severity::Severity;
use crate::source::{LineIndex, Position, Shown, Snippet};
use miette::{Diagnostic, LabeledSpan, SourceCode};
use std::fmt;
use std::ops::Range;

/// Where in a text file a problem is, with the window of text to show.
#[derive(Clone, Debug)]
pub struct Located {
    pub span: Range<usize>,
    pub start: Position,
    pub snippet: Snippet,
}

impl Located {
    pub(crate) fn new(name: &str, text: &str, index: &LineIndex, span: Range<usize>) -> Self {
        Located {
            start: index.position(text, span.start),
            snippet: Snippet::new(name, text, index, span.clone()),
            span,
        }
    }

    /// Located in `text` (where lines and columns are counted), shown from
    /// `shown`, the same text with its secrets masked.
    pub(crate) fn shown(
        name: &str,
        text: &str,
        shown: &str,
        index: &LineIndex,
        span: Range<usize>,
    ) -> Self {
        let start = index.position(text, span.start);
        let snippet = Snippet::many(name, shown, index, &[(span.clone(), start)]).pop();
        Located {
            start,
            snippet: snippet.unwrap_or_else(|| Snippet::new(name, shown, index, 0..0)),
            span,
        }
    }
}

/// What a kind of problem says about itself.
pub trait ProblemKind: Copy + fmt::Debug {
    /// Stable code, also used in JSON output (`kebab-case`).
    fn code(&self) -> &'static str;
    fn severity(&self) -> Severity;
}

/// A problem of kind `K` in one file.
#[derive(Clone, Debug)]
pub struct Problem<K> {
    pub kind: K,
    pub file: String,
    pub message: String,
    pub help: Option<String>,
    pub location: Option<Box<Located>>,
}

impl<K: ProblemKind> Problem<K> {
    pub(crate) fn new(kind: K, file: &str, message: impl Into<String>) -> Self {
        Problem {
            kind,
            file: file.to_string(),
            message: message.into(),
            help: None,
            location: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn at(mut self, text: &str, index: &LineIndex, span: Range<usize>) -> Self {
        self.location = Some(Box::new(Located::new(&self.file, text, index, span)));
        self
    }

    /// Located at `span` of a file whose secrets `shown` masks.
    pub(crate) fn at_shown(mut self, file: &Shown, span: Range<usize>) -> Self {
        let source = file.source;
        self.location = Some(Box::new(Located::shown(
            &self.file,
            source.text,
            file.text,
            source.index(),
            span,
        )));
        self
    }
}

impl<K: ProblemKind> fmt::Display for Problem<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(_) => f.write_str(&self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl<K: ProblemKind> std::error::Error for Problem<K> {}

impl<K: ProblemKind> Diagnostic for Problem<K> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.kind.severity().to_miette())
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.location
            .as_ref()
            .map(|l| &l.snippet as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.location.as_ref()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, loc.snippet.span()),
        )))
    }
}

/// Why an input file could not be checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputErrorKind {
    /// Missing, unreadable, not a regular file.
    Unreadable,
    TooLarge,
    InvalidUtf8,
    Utf16,
    ByteOrderMark,
    InvalidJson,
    /// A fixed file that could not be written back.
    NotWritten,
}

impl ProblemKind for InputErrorKind {
    fn code(&self) -> &'static str {
        match self {
            InputErrorKind::Unreadable => "unreadable",
            InputErrorKind::TooLarge => "too-large",
            InputErrorKind::InvalidUtf8 => "invalid-utf8",
            InputErrorKind::Utf16 => "utf16",
            InputErrorKind::ByteOrderMark => "byte-order-mark",
            InputErrorKind::InvalidJson => "invalid-json",
            InputErrorKind::NotWritten => "fix-not-written",
        }
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
}

/// Something about an input worth reporting that does not make it fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputWarningKind {
    /// Valid JSON that is not a Tines export: skipped.
    NotAnExport,
    /// Part of an export has an unexpected shape and was not checked.
    UnexpectedShape,
    /// A `storylint: ignore[...]` directive that cannot be read.
    MalformedIgnore,
    /// A directive names a rule that does not exist.
    UnknownRuleInIgnore,
    /// A directive that suppressed no finding.
    UnusedIgnore,
    /// A baseline entry for this file that no finding matches any more.
    StaleBaseline,
    /// A fix that was not applied: its result would not parse, or would
    /// still have the finding.
    FixNotApplied,
}

impl ProblemKind for InputWarningKind {
    fn code(&self) -> &'static str {
        match self {
            InputWarningKind::NotAnExport => "not-an-export",
            InputWarningKind::UnexpectedShape => "unexpected-shape",
            InputWarningKind::MalformedIgnore => "malformed-ignore",
            InputWarningKind::UnknownRuleInIgnore => "unknown-rule-in-ignore",
            InputWarningKind::UnusedIgnore => "unused-ignore",
            InputWarningKind::StaleBaseline => "stale-baseline-entry",
            InputWarningKind::FixNotApplied => "fix-not-applied",
        }
    }
    fn severity(&self) -> Severity {
        match self {
            InputWarningKind::NotAnExport
            | InputWarningKind::UnexpectedShape
            | InputWarningKind::FixNotApplied => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

/// A problem with a configuration file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigErrorKind {
    Unreadable,
    InvalidYaml,
    Invalid,
    /// A rule id no rule has (a warning: the rest of the file still applies).
    UnknownRule,
    /// A baseline file that cannot be read or parsed.
    Baseline,
    /// An output file that cannot be written.
    Output,
    /// An output file storylint will not overwrite: an input of the run,
    /// or (for a baseline) a file that is not a baseline.
    OutputRefused,
    /// An `ignore` entry that set no finding aside (a note).
    UnusedIgnore,
}

impl ProblemKind for ConfigErrorKind {
    fn code(&self) -> &'static str {
        match self {
            ConfigErrorKind::Unreadable => "config-unreadable",
            ConfigErrorKind::InvalidYaml => "config-invalid-yaml",
            ConfigErrorKind::Invalid => "invalid-config",
            ConfigErrorKind::UnknownRule => "unknown-rule-in-config",
            ConfigErrorKind::Baseline => "invalid-baseline",
            ConfigErrorKind::Output => "output-unwritable",
            ConfigErrorKind::OutputRefused => "output-refused",
            ConfigErrorKind::UnusedIgnore => "unused-ignore-in-config",
        }
    }
    fn severity(&self) -> Severity {
        match self {
            ConfigErrorKind::UnknownRule => Severity::Warning,
            ConfigErrorKind::UnusedIgnore => Severity::Info,
            _ => Severity::Error,
        }
    }
}

/// Why a rule file or an API profile was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleErrorKind {
    Unreadable,
    InvalidYaml,
    InvalidRule,
    DuplicateId,
    ApiUnreadable,
    ApiInvalidYaml,
    InvalidApi,
    DuplicateApiId,
}

impl ProblemKind for RuleErrorKind {
    fn code(&self) -> &'static str {
        match self {
            RuleErrorKind::Unreadable => "rule-file-unreadable",
            RuleErrorKind::InvalidYaml => "rule-file-invalid-yaml",
            RuleErrorKind::InvalidRule => "invalid-rule",
            RuleErrorKind::DuplicateId => "duplicate-rule-id",
            RuleErrorKind::ApiUnreadable => "api-file-unreadable",
            RuleErrorKind::ApiInvalidYaml => "api-file-invalid-yaml",
            RuleErrorKind::InvalidApi => "invalid-api-profile",
            RuleErrorKind::DuplicateApiId => "duplicate-api-id",
        }
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
}

pub type InputError = Problem<InputErrorKind>;
pub type InputWarning = Problem<InputWarningKind>;
pub type RuleError = Problem<RuleErrorKind>;
pub type ConfigError = Problem<ConfigErrorKind>;

/// What storylint says about a symbolic link loop, wherever it meets one.
pub(crate) const LINK_LOOP: &str = "symbolic link loop: too many levels of symbolic links";

/// Whether `e` is ELOOP: too many levels of symbolic links.
fn is_link_loop(e: &std::io::Error) -> bool {
    // `ErrorKind::FilesystemLoop` cannot be named on stable Rust yet.
    cfg!(any(target_os = "linux", target_os = "android")) && e.raw_os_error() == Some(40)
        || format!("{:?}", e.kind()) == "FilesystemLoop"
}

/// A short, stable description of an I/O error.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    if is_link_loop(e) {
        return LINK_LOOP.into();
    }
    match e.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "is a directory".into(),
        K::InvalidData => "invalid data".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}
