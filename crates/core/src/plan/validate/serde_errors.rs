//! serde's errors on the plan file's shape (unknown and missing keys, wrong
//! types, unknown variants) as located diagnostics with help, every one of
//! them in one run ([`deserialize_all`]).

use std::collections::HashSet;

use serde::de::DeserializeOwned;
use toml::Value;

use crate::catalog;
use crate::plan::diagnostic::{Diagnostic, ErrorCode, PlanErrors};
use crate::plan::source::{KeyPath, SourceMap};

type PathError = serde_path_to_error::Error<toml::de::Error>;

/// At most this many shape errors are collected from one file.
const MAX_SHAPE_ERRORS: usize = 100;

/// Deserialise the plan file, reporting every shape error rather than the
/// first only. serde stops at the first one, so after each the offending
/// value is set aside (an unknown key removed; a wrong type, an unknown
/// variant or a missing key replaced by a placeholder of the type expected)
/// and the file is deserialised again. A placeholder's own errors (the keys
/// a table put in for a wrong type lacks) are never reported, nor is a
/// required key missing because it was misspelt (the unknown key's "did you
/// mean" names it). One error alone reads as before. Errors come in file
/// order.
pub(super) fn deserialize_all<T: DeserializeOwned>(
    sources: &SourceMap,
    mut table: toml::Table,
) -> Result<T, PlanErrors> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut placeholders: Vec<KeyPath> = Vec::new();
    let mut typos: Vec<KeyPath> = Vec::new();
    let mut tried: HashSet<(KeyPath, String)> = HashSet::new();
    for _ in 0..MAX_SHAPE_ERRORS * 4 {
        let e = match serde_path_to_error::deserialize::<_, T>(Value::Table(table.clone())) {
            Ok(file) if errors.is_empty() => return Ok(file),
            Ok(_) => break,
            Err(e) => e,
        };
        let (target, repair) = repair_of(&e);
        // A typo of a required key (`sahre`) is one mistake: its "did you
        // mean `share`?" says what the missing-key error would.
        let typo_of = typo_of(&e, &target);
        let missing = e.inner().message().starts_with("missing field ");
        let in_placeholder = placeholders.iter().any(|p| target.starts_with(p));
        let misspelt = missing && typos.contains(&target);
        let own = !in_placeholder && !misspelt;
        // The same error twice: setting it aside did not help; stop here.
        let again = !tried.insert((target.clone(), e.inner().message().to_string()));
        if own && !again {
            errors.push(diagnostic(sources, e));
        }
        if again || errors.len() >= MAX_SHAPE_ERRORS || !apply(&mut table, &target, repair) {
            break;
        }
        placeholders.push(target);
        typos.extend(typo_of);
    }
    errors.sort_by_key(|d| (d.file.clone(), d.line_col));
    errors.dedup_by(|a, b| a.message == b.message && a.line_col == b.line_col);
    Err(PlanErrors { errors })
}

/// How an error's value is set aside before deserialising again.
#[derive(Debug, Clone)]
enum Repair {
    /// Remove the key (unknown, or of a value no placeholder fits).
    Remove,
    /// Put this value in its place.
    Put(Value),
}

/// The key path an error is about (for an unknown or missing key: that
/// key) and how to set it aside.
fn repair_of(e: &PathError) -> (KeyPath, Repair) {
    let mut at = path_of(e);
    let raw = e.inner().message();
    if let Some(field) = backticked_after(raw, "unknown field ") {
        if at.last() != Some(&field) {
            at.push(field);
        }
        return (at, Repair::Remove);
    }
    if let Some(field) = backticked_after(raw, "missing field ") {
        at.push(field);
        // Any value: a wrong type names the one expected next time.
        return (at, Repair::Put(Value::Integer(0)));
    }
    if raw.starts_with("invalid length") && raw.contains("expected struct") {
        return (at, Repair::Put(Value::Table(toml::Table::new())));
    }
    if raw.starts_with("invalid type") {
        let (_, expected) = split_invalid_type(raw);
        let put = match expected.as_str() {
            "an integer" => Value::Integer(1),
            "a number" => Value::Float(0.5),
            "true or false" => Value::Boolean(false),
            "a string (in quotes)" => Value::String(String::new()),
            "an array" => Value::Array(Vec::new()),
            "a table" => Value::Table(toml::Table::new()),
            _ => return (at, Repair::Remove),
        };
        return (at, Repair::Put(put));
    }
    if backticked_after(raw, "unknown variant ").is_some()
        && let Some(first) = backticked_list(raw).into_iter().next()
    {
        return (at, Repair::Put(Value::String(first)));
    }
    (at, Repair::Remove)
}

/// For an unknown key that is a typo of an allowed one, the path of the
/// allowed key.
fn typo_of(e: &PathError, target: &[String]) -> Option<KeyPath> {
    let raw = e.inner().message();
    let field = backticked_after(raw, "unknown field ")?;
    let expected = backticked_list(raw);
    let meant = catalog::suggest(&field, expected.iter().map(String::as_str))?;
    let (_, parent) = target.split_last()?;
    let mut path = parent.to_vec();
    path.push(meant.to_string());
    Some(path)
}

/// Set the value at `path` aside; false when the path leads nowhere.
fn apply(table: &mut toml::Table, path: &[String], repair: Repair) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut here: &mut Value = match parents.first() {
        Some(first) => match table.get_mut(first) {
            Some(v) => v,
            None => return false,
        },
        None => {
            return match repair {
                Repair::Remove => table.remove(last).is_some(),
                Repair::Put(value) => {
                    table.insert(last.clone(), value);
                    true
                }
            };
        }
    };
    for seg in parents.iter().skip(1) {
        let next = match here {
            Value::Table(t) => t.get_mut(seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        };
        match next {
            Some(v) => here = v,
            None => return false,
        }
    }
    match (here, repair) {
        (Value::Table(t), Repair::Remove) => t.remove(last).is_some(),
        (Value::Table(t), Repair::Put(value)) => {
            t.insert(last.clone(), value);
            true
        }
        // An element of an array (`[[events]]`'s own value, never a key).
        (Value::Array(a), Repair::Put(value)) => {
            match last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(slot) => {
                    *slot = value;
                    true
                }
                None => false,
            }
        }
        _ => false,
    }
}

/// The key path of a deserialisation error.
fn path_of(e: &PathError) -> KeyPath {
    e.path()
        .iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
            serde_path_to_error::Segment::Map { key } => Some(key.clone()),
            serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect()
}

/// The located diagnostic of a deserialisation error.
pub(super) fn diagnostic(sources: &SourceMap, e: PathError) -> Diagnostic {
    let mut at: KeyPath = path_of(&e);
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::plan::from_str;

    const REGIONS: &str = r#"
[regions.us-east-1]
share = 0.6
certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0123456789abcdef0"

[regions.eu-west-1]
share = 0.4
certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/5e55a6e5-0000-4000-8000-000000000001"
ami = "ami-0fedcba9876543210"
"#;

    fn errors(text: &str) -> Vec<(String, String)> {
        let errs = from_str(Path::new("p.toml"), text).expect_err("the plan is refused");
        errs.errors
            .iter()
            .map(|d| (d.code.as_str().to_string(), d.to_string()))
            .collect()
    }

    #[test]
    fn every_shape_error_is_reported_in_file_order_each_at_its_place() {
        let text = format!(
            "name = \"p\"\ncolour = 1\n\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = \"4000\"\ntarget_utilization = 0.65\navailability_zones = 3\n\n[traffic]\npeak_concurrent_users = 1_000_000\nbaseline_concurrent_users = 100_000\nheadroom = 0.2\nsurvive_region_loss = true\nsurge = 2\n{REGIONS}"
        );
        let got = errors(&text);
        let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            ["plan::unknown-key", "plan::wrong-type", "plan::unknown-key"],
            "{got:#?}"
        );
        assert!(
            got[0].1.starts_with("p.toml:2:1: unknown key `colour`"),
            "{got:#?}"
        );
        assert!(
            got[1]
                .1
                .starts_with("p.toml:6:22: `users_per_instance` must be an integer"),
            "{got:#?}"
        );
        assert!(
            got[2]
                .1
                .starts_with("p.toml:15:1: unknown key `surge` in [traffic]"),
            "{got:#?}"
        );
    }

    #[test]
    fn a_missing_table_is_one_error_not_one_per_key_it_lacks() {
        // No [traffic] at all: one missing key, none for what a stand-in lacks.
        let text = format!(
            "name = \"p\"\n\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 4000\ntarget_utilization = 0.65\navailability_zones = 3\nzones = 2\n{REGIONS}"
        );
        let got = errors(&text);
        let codes: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            codes,
            ["plan::missing-key", "plan::unknown-key"],
            "{got:#?}"
        );
        assert!(got[0].1.contains("missing key `traffic`"), "{got:#?}");
    }

    #[test]
    fn one_error_alone_is_reported_as_before() {
        let text = format!(
            "name = \"p\"\n\n[defaults]\ninstance_type = \"c7i.xlarge\"\nusers_per_instance = 4000\ntarget_utilization = 0.65\navailability_zones = \"three\"\n\n[traffic]\npeak_concurrent_users = 1_000_000\nbaseline_concurrent_users = 100_000\nheadroom = 0.2\nsurvive_region_loss = true\n{REGIONS}"
        );
        let got = errors(&text);
        assert_eq!(got.len(), 1, "{got:#?}");
        assert!(
            got[0]
                .1
                .starts_with("p.toml:7:22: `availability_zones` must be an integer"),
            "{got:#?}"
        );
    }
}
