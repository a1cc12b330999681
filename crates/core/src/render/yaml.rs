//! A small, deterministic YAML writer for the rendered Kubernetes manifests
//! and Prometheus rules: block maps and sequences, keys in the order given,
//! every string double-quoted with JSON escapes (a valid YAML scalar, so no
//! value is ever read back as a number, a boolean or a null by mistake).

use serde_json::Value;

/// `value` as a YAML document (no `---` marker), ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(_) | Value::Array(_) => block(value, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// Several documents in one file, each introduced by `---`.
pub fn documents(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| format!("---\n{}", to_yaml(v)))
        .collect()
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        _ => String::new(),
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => false,
    }
}

fn key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    if plain {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

/// Writes a non-empty map or sequence at `indent`.
fn block(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                if is_block(val) {
                    out.push_str(&format!("{pad}{}:\n", key(k)));
                    // Sequences sit at the key's indent, maps one level in.
                    let inner = if val.is_array() { indent } else { indent + 2 };
                    block(val, inner, out);
                } else {
                    out.push_str(&format!("{pad}{}: {}\n", key(k), scalar(val)));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_block(item) {
                    let mut nested = String::new();
                    let inner = indent + 2;
                    block(item, inner, &mut nested);
                    // The first line of the item goes after the dash.
                    let body = nested.get(inner..).unwrap_or("");
                    out.push_str(&format!("{pad}- {body}"));
                } else {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_sequences_and_quoted_strings() {
        let v = json!({
            "a": 1,
            "b": "yes",
            "c": [{"x": "1", "y": [1, 2]}, "s"],
            "d": {"e": true, "f": []},
            "app.kubernetes.io/name": "n"
        });
        assert_eq!(
            to_yaml(&v),
            "a: 1\nb: \"yes\"\nc:\n- x: \"1\"\n  y:\n  - 1\n  - 2\n- \"s\"\nd:\n  e: true\n  f: []\napp.kubernetes.io/name: \"n\"\n"
        );
    }
}
