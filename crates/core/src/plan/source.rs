//! Reading plan files: TOML parsing with positions, `extends` chains and the
//! key-by-key overlay of a file onto its parent.
//!
//! The merged plan is a [`toml::Table`]; beside it a [`SourceMap`] remembers,
//! for every key path, which file and byte range the value (and its key) came
//! from, so that any later error, typed or semantic, points at the right place.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::diagnostic::{Diagnostic, ErrorCode};

/// A path of keys into the plan, e.g. `["regions", "us-east-1", "share"]`.
/// Array elements are written as their decimal index.
pub type KeyPath = Vec<String>;

/// One file read while loading a plan.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user would recognise it (relative where possible).
    pub name: String,
    /// Its full text.
    pub text: String,
}

/// Where a piece of the merged plan came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Index into [`SourceMap::files`].
    pub file: usize,
    /// Byte range in that file.
    pub span: Range<usize>,
}

/// Every file of an `extends` chain and the origin of every key path.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// The files, the leaf (the one the user named) first.
    pub files: Vec<SourceFile>,
    values: HashMap<KeyPath, Location>,
    keys: HashMap<KeyPath, Location>,
}

impl SourceMap {
    /// The location of the value at `path`, or of the closest ancestor that
    /// has one, or the start of the leaf file.
    pub fn locate(&self, path: &[String]) -> Location {
        for len in (0..=path.len()).rev() {
            if let Some(loc) = self.values.get(&path[..len]) {
                return loc.clone();
            }
        }
        Location {
            file: 0,
            span: 0..0,
        }
    }

    /// The location of the key at `path` (falls back to its value).
    pub fn locate_key(&self, path: &[String]) -> Location {
        self.keys
            .get(path)
            .cloned()
            .unwrap_or_else(|| self.locate(path))
    }

    /// Whether `path` was written in some file (as opposed to defaulted).
    pub fn is_set(&self, path: &[String]) -> bool {
        self.values.contains_key(path)
    }

    /// A diagnostic pointing at the value at `path`.
    pub fn diagnostic_at(&self, path: &[String], code: ErrorCode, message: String) -> Diagnostic {
        let loc = self.locate(path);
        self.diagnostic_for(loc, code, message)
    }

    /// A diagnostic pointing at the key at `path`.
    pub fn diagnostic_at_key(
        &self,
        path: &[String],
        code: ErrorCode,
        message: String,
    ) -> Diagnostic {
        let loc = self.locate_key(path);
        self.diagnostic_for(loc, code, message)
    }

    fn diagnostic_for(&self, loc: Location, code: ErrorCode, message: String) -> Diagnostic {
        let file = &self.files[loc.file];
        Diagnostic::new(code, message, &file.name, &file.text, loc.span)
    }
}

/// The result of reading a plan file and everything it extends.
#[derive(Debug, Clone)]
pub struct MergedSource {
    /// The merged table, `extends` removed.
    pub table: Table,
    /// Origins of every key.
    pub sources: SourceMap,
    /// The stem of the leaf file (the default environment name).
    pub stem: String,
}

/// Where plan files come from: the project's disk in the CLI, memory in
/// tests. The core never touches the file system itself.
pub trait PlanFiles {
    /// The text of the file at `path`.
    fn read(&self, path: &Path) -> std::io::Result<String>;
    /// A canonical form of `path`, to find `extends` loops.
    fn canonical(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
    /// How `path` is named in messages (relative to the working folder).
    fn display(&self, path: &Path) -> String {
        path.display().to_string()
    }
}

/// Read `path` (or take its text when given) and its `extends` chain
/// through `files`, and overlay them.
pub fn load_with(
    path: &Path,
    text: Option<String>,
    files: &dyn PlanFiles,
) -> Result<MergedSource, Box<Diagnostic>> {
    let mut sources = SourceMap::default();
    let mut chain = Vec::new();
    let table = load_file(files, path, text, &mut chain, &mut sources, None)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(MergedSource {
        table,
        sources,
        stem,
    })
}

/// Where an `extends` was written, for errors about the file it names.
struct ExtendsRef {
    file: usize,
    span: Range<usize>,
}

fn load_file(
    files: &dyn PlanFiles,
    path: &Path,
    text: Option<String>,
    chain: &mut Vec<PathBuf>,
    sources: &mut SourceMap,
    from: Option<ExtendsRef>,
) -> Result<Table, Box<Diagnostic>> {
    let located_error = |sources: &SourceMap, code, message: String, help: String| {
        let diag = match &from {
            Some(r) => {
                let f = &sources.files[r.file];
                Diagnostic::new(code, message, &f.name, &f.text, r.span.clone())
            }
            None => Diagnostic::bare(code, message),
        };
        Box::new(diag.with_help(help))
    };
    let text = match text.map_or_else(|| files.read(path), Ok) {
        Ok(t) => t,
        Err(e) => {
            let what = if from.is_some() {
                "the file this plan extends"
            } else {
                "the plan file"
            };
            return Err(located_error(
                sources,
                ErrorCode::ExtendsBroken,
                format!("cannot read {what} `{}`: {e}", files.display(path)),
                if from.is_some() {
                    "`extends` is a path relative to the file that contains it".into()
                } else {
                    "`-e NAME` reads environments/NAME.toml under the project root (or -C DIR); \
                     list them with `ls environments/`"
                        .into()
                },
            ));
        }
    };
    let canonical = files.canonical(path);
    if chain.contains(&canonical) {
        let cycle: Vec<String> = chain
            .iter()
            .chain(std::iter::once(&canonical))
            .map(|p| files.display(p))
            .collect();
        return Err(located_error(
            sources,
            ErrorCode::ExtendsCycle,
            format!("`extends` loops: {}", cycle.join(" → ")),
            "remove one `extends` so that the chain ends in a file that extends nothing".into(),
        ));
    }
    chain.push(canonical);

    let file_index = sources.files.len();
    sources.files.push(SourceFile {
        name: files.display(path),
        text: text.clone(),
    });

    let doc = match toml_edit::ImDocument::parse(text.as_str()) {
        Ok(d) => d,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            let f = &sources.files[file_index];
            return Err(Box::new(
                Diagnostic::new(
                    ErrorCode::Syntax,
                    format!("invalid TOML: {message}"),
                    &f.name,
                    &f.text,
                    span,
                )
                .with_help("see the plan format in SPEC §3 or `streamscale init` for an example"),
            ));
        }
    };

    let mut own = HashMap::new();
    let mut own_keys = HashMap::new();
    let mut table = convert_table(
        doc.as_table(),
        &mut Vec::new(),
        file_index,
        &mut own,
        &mut own_keys,
    );

    let extends = table.remove("extends");
    let mut merged = match extends {
        None => Table::new(),
        Some(Value::String(parent)) => {
            let key = vec!["extends".to_string()];
            let span = own
                .get(&key)
                .map(|l: &Location| l.span.clone())
                .unwrap_or(0..0);
            let parent_path = path.parent().unwrap_or(Path::new(".")).join(&parent);
            load_file(
                files,
                &parent_path,
                None,
                chain,
                sources,
                Some(ExtendsRef {
                    file: file_index,
                    span,
                }),
            )?
        }
        Some(other) => {
            let f = &sources.files[file_index];
            let span = own
                .get(&vec!["extends".to_string()])
                .map(|l| l.span.clone())
                .unwrap_or(0..0);
            return Err(Box::new(
                Diagnostic::new(
                    ErrorCode::WrongType,
                    format!("`extends` must be a string, found {}", other.type_str()),
                    &f.name,
                    &f.text,
                    span,
                )
                .with_help("write the path of the parent plan: extends = \"base.toml\""),
            ));
        }
    };
    chain.pop();

    // This file wins over its parent: its origins replace the parent's for
    // every path it sets, and under an array or scalar that it replaces
    // wholesale the parent's origins are dropped.
    let mut replaced = Vec::new();
    non_table_paths(&table, &mut Vec::new(), &mut replaced);
    overlay(&mut merged, table);
    for p in &replaced {
        let below = |q: &KeyPath, _: &mut Location| !(q.len() > p.len() && q.starts_with(p));
        sources.values.retain(below);
        sources.keys.retain(below);
    }
    sources.values.extend(own);
    sources.keys.extend(own_keys);
    Ok(merged)
}

/// Paths of every value in `table` that is not itself a table.
fn non_table_paths(table: &Table, path: &mut KeyPath, out: &mut Vec<KeyPath>) {
    for (k, v) in table {
        path.push(k.clone());
        match v {
            Value::Table(t) => non_table_paths(t, path, out),
            _ => out.push(path.clone()),
        }
        path.pop();
    }
}

/// Overlay `top` onto `base`: tables merge key by key, `top` wins, arrays
/// and scalars replace.
pub fn overlay(base: &mut Table, top: Table) {
    for (k, v) in top {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(t)) => overlay(b, t),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn record(
    map: &mut HashMap<KeyPath, Location>,
    path: &KeyPath,
    file: usize,
    span: Option<Range<usize>>,
) {
    if let Some(span) = span {
        map.insert(path.clone(), Location { file, span });
    }
}

fn convert_table(
    table: &toml_edit::Table,
    path: &mut KeyPath,
    file: usize,
    values: &mut HashMap<KeyPath, Location>,
    keys: &mut HashMap<KeyPath, Location>,
) -> Table {
    let mut out = Table::new();
    if !path.is_empty() {
        record(values, path, file, table.span());
    }
    for (key, item) in table.iter() {
        path.push(key.to_string());
        if let Some((k, _)) = table.get_key_value(key) {
            record(keys, path, file, k.span());
        }
        if let Some(v) = convert_item(item, path, file, values, keys) {
            out.insert(key.to_string(), v);
        }
        path.pop();
    }
    out
}

fn convert_item(
    item: &toml_edit::Item,
    path: &mut KeyPath,
    file: usize,
    values: &mut HashMap<KeyPath, Location>,
    keys: &mut HashMap<KeyPath, Location>,
) -> Option<Value> {
    match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(v) => Some(convert_value(v, path, file, values, keys)),
        toml_edit::Item::Table(t) => Some(Value::Table(convert_table(t, path, file, values, keys))),
        toml_edit::Item::ArrayOfTables(a) => {
            record(values, path, file, a.span());
            let mut arr = Vec::new();
            for (i, t) in a.iter().enumerate() {
                path.push(i.to_string());
                arr.push(Value::Table(convert_table(t, path, file, values, keys)));
                path.pop();
            }
            Some(Value::Array(arr))
        }
    }
}

fn convert_value(
    value: &toml_edit::Value,
    path: &mut KeyPath,
    file: usize,
    values: &mut HashMap<KeyPath, Location>,
    keys: &mut HashMap<KeyPath, Location>,
) -> Value {
    record(values, path, file, value.span());
    match value {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => Value::Integer(*i.value()),
        toml_edit::Value::Float(f) => Value::Float(*f.value()),
        toml_edit::Value::Boolean(b) => Value::Boolean(*b.value()),
        // Event times may be written as TOML datetimes or strings: both
        // reach the model as RFC 3339 text and are checked there.
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(a) => {
            let mut out = Vec::new();
            for (i, v) in a.iter().enumerate() {
                path.push(i.to_string());
                out.push(convert_value(v, path, file, values, keys));
                path.pop();
            }
            Value::Array(out)
        }
        toml_edit::Value::InlineTable(t) => {
            let mut out = Table::new();
            for (key, v) in t.iter() {
                path.push(key.to_string());
                if let Some((k, _)) = t.get_key_value(key) {
                    record(keys, path, file, k.span());
                }
                out.insert(key.to_string(), convert_value(v, path, file, values, keys));
                path.pop();
            }
            Value::Table(out)
        }
    }
}
