//! The architecture, checked: the layers of `docs/architecture.md` and no
//! import circle between modules, read from the source itself.
//!
//! Every path a file names (`use crate::…`, `use super::…`,
//! `streamscale_core::…`, and the same paths inside code) is an edge from
//! the file's module to the module it names. An edge counts between the
//! first two modules where the paths part (`engine::apply` →
//! `engine::stacks`; `cli::plan` → `engine::planner` counts as `cli` →
//! `engine`); a module naming its own container or its own child is
//! containment, not an edge. The allowed graph is [`LAYERS`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top down: each module and the modules it may use. The core
/// crate (`core`) is one layer under everything and uses nothing of the
/// root crate (cargo enforces that: it does not depend on it).
const LAYERS: &[(&str, &[&str])] = &[
    ("cli", &["engine", "project", "aws", "cloudflare", "core"]),
    ("engine", &["aws", "cloudflare", "core"]),
    ("project", &["core"]),
    ("aws", &["core"]),
    ("cloudflare", &["core"]),
];

/// The longest a source file may be.
const MAX_LINES: usize = 800;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A file's module path: `src/engine/apply.rs` → `["engine", "apply"]`,
/// `crates/core/src/drift/mod.rs` → `["core", "drift"]`.
fn module_of(crate_prefix: Option<&str>, src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = crate_prefix.map(str::to_string).into_iter().collect();
    for c in rel.components() {
        let s = c.as_os_str().to_string_lossy();
        let s = s.trim_end_matches(".rs");
        if s != "mod" && s != "lib" && s != "main" {
            parts.push(s.to_string());
        }
    }
    parts
}

/// The text with comments, string and char literals blanked (so that a
/// path in a doc comment or a message is not an edge); lines kept.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                if b[i] == '\n' {
                    out.push('\n');
                }
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && is_raw_start(&b, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\'' && b.get(i + 2) == Some(&'\'') {
            out.push_str("' '");
            i += 3;
        } else if c == '\'' && next == Some('\\') {
            while i < b.len() && !(b[i] == '\'' && i > 0 && b[i - 1] != '\\' && b[i - 1] != '\'') {
                i += 1;
            }
            out.push_str("' '");
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_raw_start(b: &[char], i: usize) -> bool {
    let prev_ident = i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_');
    if prev_ident {
        return false;
    }
    let mut j = i + 1;
    while j < b.len() && b[j] == '#' {
        j += 1;
    }
    b.get(j) == Some(&'"')
}

/// Tokens: identifiers, `::`, and single punctuation, with their line.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let b: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let s = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push((b[s..i].iter().collect(), line));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push(("::".into(), line));
            i += 2;
        } else if !c.is_whitespace() {
            out.push((c.to_string(), line));
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The paths of a use tree starting at `toks[i]` (after `use`), expanded.
fn use_tree(
    toks: &[(String, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix;
    loop {
        let Some((t, _)) = toks.get(*i) else { return };
        match t.as_str() {
            "{" => {
                *i += 1;
                loop {
                    use_tree(toks, i, path.clone(), out);
                    match toks.get(*i).map(|t| t.0.as_str()) {
                        Some(",") => *i += 1,
                        Some("}") => {
                            *i += 1;
                            return;
                        }
                        _ => return,
                    }
                    if toks.get(*i).map(|t| t.0.as_str()) == Some("}") {
                        *i += 1;
                        return;
                    }
                }
            }
            "::" => *i += 1,
            "as" => {
                *i += 2;
                out.push(path);
                return;
            }
            "," | "}" | ";" => {
                out.push(path);
                return;
            }
            "*" => {
                *i += 1;
                out.push(path);
                return;
            }
            ident => {
                path.push(ident.to_string());
                *i += 1;
            }
        }
    }
}

/// Every module path a file names, with the line.
fn named_paths(code: &str) -> Vec<(Vec<String>, usize)> {
    let toks = tokens(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let (t, line) = &toks[i];
        if t == "use" {
            i += 1;
            let mut paths = Vec::new();
            use_tree(&toks, &mut i, Vec::new(), &mut paths);
            out.extend(paths.into_iter().map(|p| (p, *line)));
            continue;
        }
        let starts = matches!(t.as_str(), "crate" | "super" | "self" | "streamscale_core")
            && toks.get(i + 1).map(|t| t.0.as_str()) == Some("::")
            && (i == 0 || toks[i - 1].0 != "::");
        if starts {
            let mut path = vec![t.clone()];
            let mut j = i + 1;
            while toks.get(j).map(|t| t.0.as_str()) == Some("::")
                && toks
                    .get(j + 1)
                    .is_some_and(|t| t.0.chars().all(|c| c.is_alphanumeric() || c == '_'))
            {
                path.push(toks[j + 1].0.clone());
                j += 2;
            }
            out.push((path, *line));
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// The modules that exist, as paths (`["engine", "apply"]`, `["core", "drift"]`).
type Modules = BTreeSet<Vec<String>>;

/// Resolve a named path from module `from` (a file's module, `is_dir`:
/// it is a `mod.rs` or the crate root) to the deepest module it names.
fn resolve(
    path: &[String],
    from: &[String],
    from_is_dir: bool,
    modules: &Modules,
) -> Option<Vec<String>> {
    let crate_root: Vec<String> = if from.first().map(String::as_str) == Some("core") {
        vec!["core".into()]
    } else {
        Vec::new()
    };
    let (mut base, rest): (Vec<String>, &[String]) = match path.first()?.as_str() {
        "crate" => (crate_root, &path[1..]),
        "streamscale_core" => (vec!["core".into()], &path[1..]),
        "self" => {
            let mut b = from.to_vec();
            if !from_is_dir {
                b.pop();
            }
            (b, &path[1..])
        }
        "super" => {
            let mut b = from.to_vec();
            if !from_is_dir {
                b.pop();
            }
            let mut k = 0;
            while path.get(k).map(String::as_str) == Some("super") {
                b.pop();
                k += 1;
            }
            (b, &path[k..])
        }
        _ => return None,
    };
    for seg in rest {
        let mut next = base.clone();
        next.push(seg.clone());
        if modules.contains(&next) {
            base = next;
        } else {
            break;
        }
    }
    Some(base)
}

/// One edge: where it is written, and the two modules it joins.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: Vec<String>,
    to: Vec<String>,
    file: String,
    line: usize,
}

/// Every edge of the project, at the level where the modules part.
fn edges() -> (Vec<Edge>, Modules) {
    let root = root();
    let crates: [(Option<&str>, PathBuf); 2] = [
        (None, root.join("src")),
        (Some("core"), root.join("crates/core/src")),
    ];
    let mut files = Vec::new();
    let mut modules = Modules::new();
    for (prefix, src) in &crates {
        assert!(src.is_dir(), "{} is missing", src.display());
        for f in rust_files(src) {
            let m = module_of(*prefix, src, &f);
            modules.insert(m.clone());
            files.push((f, m));
        }
    }
    let mut out = Vec::new();
    for (f, m) in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        let is_dir = matches!(name.as_ref(), "mod.rs" | "lib.rs" | "main.rs");
        if m.is_empty() {
            continue; // the root crate's lib.rs and main.rs: re-exports only
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (path, line) in named_paths(&code_only(&text)) {
            let Some(to) = resolve(&path, m, is_dir, &modules) else {
                continue;
            };
            let k = m.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if k == m.len() || k == to.len() {
                continue; // itself, its container or its child
            }
            out.push(Edge {
                from: m[..=k].to_vec(),
                to: to[..=k].to_vec(),
                file: f.strip_prefix(&root).unwrap().display().to_string(),
                line,
            });
        }
    }
    out.sort();
    (out, modules)
}

fn name(m: &[String]) -> String {
    m.join("::")
}

#[test]
fn layers_only_point_down() {
    let (edges, _) = edges();
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut bad = Vec::new();
    for e in &edges {
        if e.from.len() != 1 {
            continue;
        }
        let (from, to) = (e.from[0].as_str(), e.to[0].as_str());
        let ok = match allowed.get(from) {
            Some(list) => list.contains(&to),
            None => from == "core",
        };
        if !ok {
            bad.push(format!("{}:{}: {from} → {to}", e.file, e.line));
        }
    }
    assert!(
        bad.is_empty(),
        "edges the layering forbids (docs/architecture.md):\n{}",
        bad.join("\n")
    );
    // Every module of the root crate has a place in the layers.
    for (_, m) in edges.iter().map(|e| (0, &e.from)) {
        if m.len() == 1 && m[0] != "core" {
            assert!(
                allowed.contains_key(m[0].as_str()),
                "{} is in no layer",
                m[0]
            );
        }
    }
}

#[test]
fn no_import_circle() {
    let (edges, _) = edges();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut where_: BTreeMap<(Vec<String>, Vec<String>), String> = BTreeMap::new();
    for e in &edges {
        graph
            .entry(e.from.clone())
            .or_default()
            .insert(e.to.clone());
        where_
            .entry((e.from.clone(), e.to.clone()))
            .or_insert_with(|| format!("{}:{}", e.file, e.line));
    }
    // Depth-first search with colours; report the first circle found.
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: BTreeMap<Vec<String>, Colour> =
        graph.keys().map(|k| (k.clone(), Colour::White)).collect();
    fn visit(
        n: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        colour: &mut BTreeMap<Vec<String>, Colour>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        colour.insert(n.clone(), Colour::Grey);
        stack.push(n.clone());
        for m in graph.get(n).into_iter().flatten() {
            match colour.get(m).copied().unwrap_or(Colour::White) {
                Colour::Grey => {
                    let start = stack.iter().position(|x| x == m).unwrap();
                    let mut circle = stack[start..].to_vec();
                    circle.push(m.clone());
                    return Some(circle);
                }
                Colour::White => {
                    if let Some(c) = visit(m, graph, colour, stack) {
                        return Some(c);
                    }
                }
                Colour::Black => {}
            }
        }
        stack.pop();
        colour.insert(n.clone(), Colour::Black);
        None
    }
    let nodes: Vec<Vec<String>> = graph.keys().cloned().collect();
    for n in nodes {
        if colour.get(&n).copied() == Some(Colour::White)
            && let Some(circle) = visit(&n, &graph, &mut colour, &mut Vec::new())
        {
            let steps: Vec<String> = circle
                .windows(2)
                .map(|w| {
                    format!(
                        "{} → {} ({})",
                        name(&w[0]),
                        name(&w[1]),
                        where_[&(w[0].clone(), w[1].clone())]
                    )
                })
                .collect();
            panic!("an import circle:\n{}", steps.join("\n"));
        }
    }
}

#[test]
fn no_source_file_is_over_the_limit() {
    let root = root();
    let mut long = Vec::new();
    for dir in ["src", "crates/core/src"] {
        for f in rust_files(&root.join(dir)) {
            let n = std::fs::read_to_string(&f).unwrap().lines().count();
            if n > MAX_LINES {
                long.push(format!(
                    "{}: {n} lines",
                    f.strip_prefix(&root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checker_sees_edges_and_circles() {
    // The parser itself: a use tree with groups and renames, a path in
    // code, and nothing from comments or strings.
    let code = code_only(
        "use crate::{engine::{apply, planner as p}, aws};\n\
         // use crate::cli;\n\
         let x = \"crate::cli::Error\";\n\
         super::drift::plan_check(a);\n",
    );
    let paths: Vec<String> = named_paths(&code)
        .into_iter()
        .map(|(p, _)| p.join("::"))
        .collect();
    assert_eq!(
        paths,
        [
            "crate::engine::apply",
            "crate::engine::planner",
            "crate::aws",
            "super::drift::plan_check"
        ]
    );
    let (edges, modules) = edges();
    assert!(modules.contains(&vec!["engine".to_string(), "apply".to_string()]));
    assert!(
        edges
            .iter()
            .any(|e| name(&e.from) == "cli" && name(&e.to) == "engine"),
        "the CLI's use of the engine is seen"
    );
    assert!(
        edges
            .iter()
            .any(|e| name(&e.from) == "core::drift" && name(&e.to) == "core::resources"),
        "the core's internal edges are seen"
    );
}
