//! `--json` output: each command prints one document on stdout, and a
//! command that fails prints `{"format_version":1,"error":{"code":…,
//! "message":…}}` instead (plan errors also list each error with its file,
//! line and column), unless it already printed its document (which then
//! carries the error itself, as `outputs` does, or is followed by nothing).

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use super::Error;
use crate::project::ProjectError;
use streamscale_core::plan::PlanErrors;
use streamscale_core::render::to_pretty;

/// The version of the documents (and of the error document).
pub const FORMAT_VERSION: u32 = 1;

static PRINTED: AtomicBool = AtomicBool::new(false);

/// Print a command's document on stdout (once per run).
pub fn print(doc: &Value) {
    print!("{}", super::ci::redact(&to_pretty(doc)));
    PRINTED.store(true, Ordering::SeqCst);
}

/// A command wrote its document on stdout itself (`report --format json`).
pub fn mark_printed() {
    PRINTED.store(true, Ordering::SeqCst);
}

/// The plan errors of `e`, if it is an invalid plan.
pub fn plan_errors(e: &Error) -> Option<&PlanErrors> {
    match e {
        Error::Project(ProjectError::Plan(errs)) => Some(errs),
        _ => None,
    }
}

/// The machine-readable code of `e` (`engine::stale_plan`,
/// `plan::unknown-key`, …); `plan::invalid` for a plan with several errors.
pub fn code(e: &Error) -> String {
    match miette::Diagnostic::code(e) {
        Some(c) => c.to_string(),
        None if plan_errors(e).is_some() => "plan::invalid".into(),
        None => "error".into(),
    }
}

/// Each plan error: file, line, column, message, hint, code.
pub fn errors_json(errs: &PlanErrors) -> Value {
    Value::Array(
        errs.errors
            .iter()
            .map(|d| {
                json!({
                    "file": d.file,
                    "line": d.line_col.map(|(l, _)| l),
                    "column": d.line_col.map(|(_, c)| c),
                    "message": d.message,
                    "hint": d.help,
                    "code": d.code.as_str(),
                })
            })
            .collect(),
    )
}

/// `{"code":…,"message":…,"help":…}` of an error (and `errors` for a plan
/// that is invalid).
pub fn error_value(e: &Error) -> Value {
    let help = miette::Diagnostic::help(e).map(|h| h.to_string());
    let mut v = json!({
        "code": code(e),
        "message": e.to_string(),
        "help": help,
    });
    if let (Some(errs), Some(m)) = (plan_errors(e), v.as_object_mut()) {
        m.insert("errors".into(), errors_json(errs));
    }
    v
}

/// `doc` with `"error"` set to `error`'s value (or null).
pub fn with_error(mut doc: Value, error: Option<&Error>) -> Value {
    if let Some(m) = doc.as_object_mut() {
        m.insert("error".into(), error.map_or(Value::Null, error_value));
    }
    doc
}

/// After a failure of a `--json` command: the error document, unless the
/// command already printed its own.
pub fn print_error(e: &Error) {
    if PRINTED.load(Ordering::SeqCst) {
        return;
    }
    print(&json!({"format_version": FORMAT_VERSION, "error": error_value(e)}));
}
