//! serde's errors on the plan file's shape (unknown and missing keys, wrong
//! types, unknown variants) as located diagnostics with help.

use crate::catalog;
use crate::plan::diagnostic::{Diagnostic, ErrorCode};
use crate::plan::source::{KeyPath, SourceMap};

/// The located diagnostic of a deserialisation error.
pub(super) fn diagnostic(
    sources: &SourceMap,
    e: serde_path_to_error::Error<toml::de::Error>,
) -> Diagnostic {
    let mut at: KeyPath = e
        .path()
        .iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect();
    let raw = e.inner().message().to_string();
    let where_ = |p: &[String]| match p {
        [] => "the top level".to_string(),
        // An element of an array of tables: `[[events]] #1`.
        [table @ .., i] if i.parse::<usize>().is_ok() => {
            format!(
                "[[{}]] #{}",
                table.join("."),
                i.parse::<usize>().unwrap_or(0) + 1
            )
        }
        _ => format!("[{}]", p.join(".")),
    };
    if let Some(field) = backticked_after(&raw, "unknown field ") {
        if at.last() != Some(&field) {
            at.push(field.clone());
        }
        let expected = backticked_list(&raw);
        let help = match catalog::suggest(&field, expected.iter().map(String::as_str)) {
            Some(s) => format!(
                "did you mean `{s}`? keys allowed here: {}",
                expected.join(", ")
            ),
            None => format!("keys allowed here: {}", expected.join(", ")),
        };
        let parent = where_(&at[..at.len() - 1]);
        return sources
            .diagnostic_at_key(
                &at,
                ErrorCode::UnknownKey,
                format!("unknown key `{field}` in {parent}"),
            )
            .with_label("not a key of the plan format")
            .with_help(help);
    }
    if let Some(field) = backticked_after(&raw, "missing field ") {
        let table = where_(&at);
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::MissingKey,
                format!("missing key `{field}` in {table}"),
            )
            .with_label("this table")
            .with_help(format!("add `{field} = …` here (see SPEC §3)"));
    }
    // An array where a table belongs: serde sees a sequence for a struct.
    if raw.starts_with("invalid length") && raw.contains("expected struct") {
        return not_a_table(sources, &at, "an array");
    }
    if raw.starts_with("invalid type") {
        let (found, expected) = split_invalid_type(&raw);
        let key = at.last().cloned().unwrap_or_default();
        if expected == "a table" {
            return not_a_table(sources, &at, &found);
        }
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::WrongType,
                format!("`{key}` must be {expected}, found {found}"),
            )
            .with_label(format!("expected {expected}"))
            .with_help(format!("write `{key}` as {expected}"));
    }
    if let Some(variant) = backticked_after(&raw, "unknown variant ") {
        let expected = backticked_list(&raw);
        let key = at.last().cloned().unwrap_or_default();
        return sources
            .diagnostic_at(
                &at,
                ErrorCode::InvalidValue,
                format!("`{variant}` is not a valid {key}"),
            )
            .with_help(format!("use one of: {}", expected.join(", ")));
    }
    let key = at.last().cloned().unwrap_or_default();
    sources
        .diagnostic_at(
            &at,
            ErrorCode::InvalidValue,
            format!("invalid `{key}`: {raw}"),
        )
        .with_help("see the plan format in SPEC §3")
}

/// `found` (an array, a string, …) where the table at `at` belongs.
fn not_a_table(sources: &SourceMap, at: &[String], found: &str) -> Diagnostic {
    let key = at.last().cloned().unwrap_or_default();
    sources
        .diagnostic_at(
            at,
            ErrorCode::WrongType,
            format!("`{key}` must be a table, found {found}"),
        )
        .with_label("expected a table")
        .with_help(format!(
            "write `{key}` as a [{}] table with its keys (see SPEC §3)",
            at.join(".")
        ))
}

fn backticked_after(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let rest = rest.strip_prefix('`')?;
    rest.split('`').next().map(str::to_string)
}

/// The backticked names after "expected" in a serde message.
fn backticked_list(msg: &str) -> Vec<String> {
    let Some(i) = msg.find("expected") else {
        return Vec::new();
    };
    msg[i..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn split_invalid_type(msg: &str) -> (String, String) {
    // "invalid type: string \"x\", expected i64"
    let body = msg.trim_start_matches("invalid type: ");
    let (found, expected) = body
        .rsplit_once(", expected ")
        .unwrap_or((body, "another type"));
    let expected = match expected {
        "i64" | "u64" | "i32" | "u32" => "an integer".to_string(),
        "a Decimal type representing a fixed-point number" | "f64" => "a number".to_string(),
        "a boolean" | "bool" => "true or false".to_string(),
        "a string" => "a string (in quotes)".to_string(),
        "a sequence" => "an array".to_string(),
        s if s.starts_with("struct ") || s == "a map" => "a table".to_string(),
        other => other.to_string(),
    };
    let found = match found {
        "map" => "a table",
        "sequence" => "an array",
        other => other,
    };
    (found.to_string(), expected)
}
