//! Template values: resolving what CloudFormation would resolve
//! (`Ref`, `Fn::Join`), property paths into `Properties` (`A.B`,
//! `Tags[key]`), and typed values for comparison (sizes as integers, times
//! as instants, rule lists as sets).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A value only known after apply (an attribute): never compared.
pub const UNKNOWN: &str = "\u{0}unknown";

/// What `Ref` resolves to in one stack: physical ids, parameters and the
/// pseudo parameters.
#[derive(Debug, Clone, Default)]
pub struct References {
    /// Physical ids by logical id.
    pub physical: BTreeMap<String, String>,
    /// Stack parameters.
    pub parameters: BTreeMap<String, String>,
    /// Region.
    pub region: String,
    /// Stack name.
    pub stack_name: String,
}

/// Resolve `Ref` (resources, parameters, pseudo parameters) and
/// `Fn::Join`; anything else intrinsic is [`UNKNOWN`].
pub fn resolve(v: &Value, refs: &References) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one member");
            match k.as_str() {
                "Ref" => {
                    let name = arg.as_str().unwrap_or_default();
                    let found = match name {
                        "AWS::Region" => Some(refs.region.clone()),
                        "AWS::StackName" => Some(refs.stack_name.clone()),
                        _ => refs
                            .physical
                            .get(name)
                            .or_else(|| refs.parameters.get(name))
                            .cloned(),
                    };
                    Value::String(found.unwrap_or_else(|| UNKNOWN.into()))
                }
                "Fn::Join" => {
                    let parts = arg.as_array().map(Vec::as_slice).unwrap_or_default();
                    let sep = parts.first().and_then(Value::as_str).unwrap_or_default();
                    let items = parts
                        .get(1)
                        .map(|l| resolve(l, refs))
                        .and_then(|l| l.as_array().cloned())
                        .unwrap_or_default();
                    let texts: Vec<String> = items.iter().map(text).collect();
                    if texts.iter().any(|t| t.contains(UNKNOWN)) {
                        Value::String(UNKNOWN.into())
                    } else {
                        Value::String(texts.join(sep))
                    }
                }
                k if k.starts_with("Fn::") => Value::String(UNKNOWN.into()),
                _ => Value::Object(
                    m.iter()
                        .map(|(k, v)| (k.clone(), resolve(v, refs)))
                        .collect(),
                ),
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), resolve(v, refs)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, refs)).collect()),
        other => other.clone(),
    }
}

pub fn is_unknown(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(UNKNOWN),
        Value::Array(a) => a.iter().any(is_unknown),
        Value::Object(m) => m.values().any(is_unknown),
        _ => false,
    }
}

/// A scalar as text (strings without quotes).
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One segment of a property path: `Name`, or `Name[selector]` (the list
/// element whose `Key` or `DeviceName` is the selector).
#[derive(Debug, Clone, PartialEq)]
enum Segment {
    /// `Name`.
    Key(String),
    /// `Name[selector]`.
    Select(String, String),
}

fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    let push = |cur: &mut String, out: &mut Vec<Segment>| {
        if cur.is_empty() {
            return;
        }
        let s = std::mem::take(cur);
        match s.find('[') {
            Some(i) if s.ends_with(']') => out.push(Segment::Select(
                s[..i].to_string(),
                s[i + 1..s.len() - 1].to_string(),
            )),
            _ => out.push(Segment::Key(s)),
        }
    };
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => push(&mut cur, &mut out),
            _ => cur.push(c),
        }
    }
    push(&mut cur, &mut out);
    out
}

/// The element of a `[{Key|DeviceName, …}]` list whose key is `sel`.
pub fn selected<'a>(list: &'a Value, sel: &str) -> Option<&'a Value> {
    list.as_array()?
        .iter()
        .find(|e| e["Key"].as_str() == Some(sel) || e["DeviceName"].as_str() == Some(sel))
}

/// The value at a property path (`A.B`, `Attrs[key]` gives the element's `Value`).
pub fn value_at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let segs = segments(path);
    let mut cur = v;
    for (i, s) in segs.iter().enumerate() {
        match s {
            Segment::Key(k) => cur = cur.get(k)?,
            Segment::Select(k, sel) => {
                cur = selected(cur.get(k)?, sel)?;
                if i == segs.len() - 1 {
                    cur = cur.get("Value")?;
                }
            }
        }
    }
    Some(cur)
}

/// Set the value at a property path, keeping a string where the template
/// had a string (`"MinSize": "4"`).
pub fn set_value_at(v: &mut Value, path: &str, value: Value) -> bool {
    let segs = segments(path);
    let mut cur = v;
    for (i, s) in segs.iter().enumerate() {
        let last = i == segs.len() - 1;
        match s {
            Segment::Key(k) => {
                if last {
                    let Some(m) = cur.as_object_mut() else {
                        return false;
                    };
                    let value = match (m.get(k), &value) {
                        (Some(Value::String(_)), Value::Number(n)) => Value::String(n.to_string()),
                        _ => value,
                    };
                    m.insert(k.clone(), value);
                    return true;
                }
                let Some(next) = cur.get_mut(k) else {
                    return false;
                };
                cur = next;
            }
            Segment::Select(k, sel) => {
                let Some(list) = cur.get_mut(k).and_then(Value::as_array_mut) else {
                    return false;
                };
                let matches = |e: &Value| {
                    e["Key"].as_str() == Some(sel) || e["DeviceName"].as_str() == Some(sel)
                };
                if last && value.is_null() {
                    // No live value: the element goes (an attribute that is
                    // not set), never an empty string.
                    let before = list.len();
                    list.retain(|e| !matches(e));
                    return list.len() != before;
                }
                let Some(e) = list.iter_mut().find(|e| matches(e)) else {
                    return false;
                };
                if last {
                    e["Value"] = Value::String(text(&value));
                    return true;
                }
                cur = e;
            }
        }
    }
    false
}

/// How a property compares: the type its values are read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// An integer (sizes, counts, ports); `"4"` and `4` are equal.
    Int,
    /// A number (target values); `"60"` and `60.0` are equal.
    Num,
    /// A string.
    Str,
    /// A boolean; `"true"` and `true` are equal.
    Bool,
    /// Order-insensitive list of strings (or of one-string objects).
    Set,
    /// An instant (RFC 3339).
    Instant,
}

/// The typed value of `v` as `kind`, or `None` when it is not one.
pub fn typed(kind: ValueType, v: &Value) -> Option<Value> {
    match kind {
        ValueType::Int => match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Value::from),
            Value::String(s) => s.trim().parse::<i64>().ok().map(Value::from),
            _ => None,
        },
        ValueType::Num => match v {
            Value::Number(n) => n.as_f64().map(Value::from),
            Value::String(s) => s.trim().parse::<f64>().ok().map(Value::from),
            _ => None,
        },
        ValueType::Str => match v {
            Value::Null => None,
            Value::String(s) => Some(Value::String(s.clone())),
            other => Some(Value::String(other.to_string())),
        },
        ValueType::Bool => match v {
            Value::Bool(b) => Some(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
            _ => None,
        },
        ValueType::Set => {
            let items = v.as_array()?;
            let mut set = BTreeSet::new();
            for i in items {
                let t = match i {
                    Value::Object(m) => {
                        let strings: Vec<&Value> = m.values().filter(|x| x.is_string()).collect();
                        match strings.as_slice() {
                            [one] => text(one),
                            _ => i.to_string(),
                        }
                    }
                    other => text(other),
                };
                set.insert(t);
            }
            Some(Value::Array(set.into_iter().map(Value::String).collect()))
        }
        ValueType::Instant => {
            let s = v.as_str()?;
            let t = DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
                .or_else(|| {
                    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                        .ok()
                        .map(|n| n.and_utc())
                })?;
            Some(Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
        }
    }
}

/// Equal as typed values (numbers compare as numbers).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The instant a value names (RFC 3339, or `YYYY-MM-DDTHH:MM:SS` in UTC).
pub fn instant(v: &Value) -> Option<DateTime<Utc>> {
    typed(ValueType::Instant, v).and_then(|t| t.as_str().and_then(|s| s.parse().ok()))
}
