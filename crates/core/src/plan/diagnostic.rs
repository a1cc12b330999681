//! Plan diagnostics: what is wrong, where (file, line, column, with the
//! source under a caret) and what would be right.

use std::fmt;
use std::ops::Range;

use miette::{LabeledSpan, NamedSource, SourceSpan};

/// The kind of a plan error; its code is stable and shown to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The file is not valid TOML.
    Syntax,
    /// A key the plan format does not have.
    UnknownKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong type.
    WrongType,
    /// A value outside its allowed range or form.
    InvalidValue,
    /// Shares that do not sum to 1.
    SharesSum,
    /// A region AWS does not have (or streamscale does not know).
    UnknownRegion,
    /// An instance or cache node type streamscale does not know.
    UnknownInstanceType,
    /// An AMI id that is not `ami-` + 8 or 17 hex digits.
    BadAmi,
    /// Baseline above peak, or an event above peak.
    AbovePeak,
    /// Two events whose windows overlap.
    EventsOverlap,
    /// An event time that is not RFC 3339.
    BadTime,
    /// A pre-warm MinSize above MaxSize.
    PrewarmAboveMax,
    /// MinSize (the zone count or the baseline) above MaxSize.
    MinAboveMax,
    /// A plan with no region.
    NoRegion,
    /// One region cannot survive its own loss.
    SingleRegionLoss,
    /// An `extends` that names a file that cannot be read.
    ExtendsBroken,
    /// An `extends` chain that comes back to itself.
    ExtendsCycle,
    /// More availability zones than the region has.
    TooManyZones,
    /// More than an AWS service allows (instances per cluster, regions per
    /// global cluster, nodes per domain, writes on one primary).
    AboveLimit,
}

impl ErrorCode {
    /// The code as shown, e.g. `plan::unknown-key`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Syntax => "plan::syntax",
            ErrorCode::UnknownKey => "plan::unknown-key",
            ErrorCode::MissingKey => "plan::missing-key",
            ErrorCode::WrongType => "plan::wrong-type",
            ErrorCode::InvalidValue => "plan::invalid-value",
            ErrorCode::SharesSum => "plan::shares-sum",
            ErrorCode::UnknownRegion => "plan::unknown-region",
            ErrorCode::UnknownInstanceType => "plan::unknown-instance-type",
            ErrorCode::BadAmi => "plan::bad-ami",
            ErrorCode::AbovePeak => "plan::above-peak",
            ErrorCode::EventsOverlap => "plan::events-overlap",
            ErrorCode::BadTime => "plan::bad-time",
            ErrorCode::PrewarmAboveMax => "plan::prewarm-above-max",
            ErrorCode::MinAboveMax => "plan::min-above-max",
            ErrorCode::NoRegion => "plan::no-region",
            ErrorCode::SingleRegionLoss => "plan::single-region-loss",
            ErrorCode::ExtendsBroken => "plan::extends-broken",
            ErrorCode::ExtendsCycle => "plan::extends-cycle",
            ErrorCode::TooManyZones => "plan::too-many-zones",
            ErrorCode::AboveLimit => "plan::above-limit",
        }
    }
}

/// One error in a plan, with its place in the source.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The kind of error.
    pub code: ErrorCode,
    /// What is wrong.
    pub message: String,
    /// What would be right.
    pub help: Option<String>,
    /// The file, when the error has a place.
    pub file: Option<String>,
    /// 1-based line and column of the start of the span.
    pub line_col: Option<(usize, usize)>,
    source: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
    label: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of `text` (the file `name`).
    pub fn new(
        code: ErrorCode,
        message: String,
        name: &str,
        text: &str,
        span: Range<usize>,
    ) -> Self {
        let line_col = line_col(text, span.start);
        Diagnostic {
            code,
            message,
            help: None,
            file: Some(name.to_string()),
            line_col: Some(line_col),
            source: Some(NamedSource::new(name, text.to_string()).with_language("toml")),
            span: Some(SourceSpan::from(span)),
            label: None,
        }
    }

    /// An error that has no place in a file (the plan file cannot be read).
    pub fn bare(code: ErrorCode, message: String) -> Self {
        Diagnostic {
            code,
            message,
            help: None,
            file: None,
            line_col: None,
            source: None,
            span: None,
            label: None,
        }
    }

    /// Add a hint saying what would be right.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a short label shown under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// `file:line:column`, when the error has a place.
    pub fn position(&self) -> Option<String> {
        match (&self.file, self.line_col) {
            (Some(f), Some((l, c))) => Some(format!("{f}:{l}:{c}")),
            _ => None,
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position() {
            Some(pos) => write!(f, "{pos}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone().unwrap_or_else(|| "here".to_string())),
            span,
        ))))
    }
}

/// Every error found in a plan (parsing stops at the first; semantic checks
/// report them all).
#[derive(Debug, Clone)]
pub struct PlanErrors {
    /// The errors, in file order where they have one.
    pub errors: Vec<Diagnostic>,
}

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [one] => write!(f, "{one}"),
            many => write!(f, "the plan has {} errors", many.len()),
        }
    }
}

impl std::error::Error for PlanErrors {}

impl miette::Diagnostic for PlanErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [one] => miette::Diagnostic::code(one),
            _ => None,
        }
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match self.errors.as_slice() {
            [one] => miette::Diagnostic::help(one),
            _ => None,
        }
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        match self.errors.as_slice() {
            [one] => miette::Diagnostic::source_code(one),
            _ => None,
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        match self.errors.as_slice() {
            [one] => miette::Diagnostic::labels(one),
            _ => None,
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        match self.errors.as_slice() {
            [_] => None,
            many => Some(Box::new(many.iter().map(|d| d as &dyn miette::Diagnostic))),
        }
    }
}

impl From<Diagnostic> for PlanErrors {
    fn from(d: Diagnostic) -> Self {
        PlanErrors { errors: vec![d] }
    }
}

impl From<Box<Diagnostic>> for PlanErrors {
    fn from(d: Box<Diagnostic>) -> Self {
        PlanErrors { errors: vec![*d] }
    }
}

/// Render errors as plain text (no colour), as the CLI shows them on a
/// non-terminal, for tests and logs.
pub fn render_plain(err: &dyn miette::Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = handler.render_report(&mut out, err);
    out
}
