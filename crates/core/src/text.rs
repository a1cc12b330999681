//! How values read in one line, for every view: digits grouped by
//! thousands, JSON values shortened, text cut at a character boundary.

use serde_json::Value;

use crate::template::text;

/// Digits with `,` every three: `1234567` → `1,234,567`; a fraction is kept.
pub fn thousands(s: &str) -> String {
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    let neg = int.starts_with('-');
    let digits = int.trim_start_matches('-');
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// `s` cut to at most `max` characters (not bytes: any Unicode is safe),
/// the last one an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A value in one line, short.
pub fn short(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key("IpProtocol") => {
            let proto = text(&m["IpProtocol"]);
            let ports = match (m.get("FromPort"), m.get("ToPort")) {
                (Some(a), Some(b)) if a == b => format!(" {}", text(a)),
                (Some(a), Some(b)) => format!(" {}-{}", text(a), text(b)),
                _ => String::new(),
            };
            let source = [
                "CidrIp",
                "CidrIpv6",
                "SourceSecurityGroupId",
                "SourcePrefixListId",
                "DestinationSecurityGroupId",
                "DestinationPrefixListId",
            ]
            .iter()
            .find_map(|k| m.get(*k).map(text))
            .unwrap_or_default();
            let proto = if proto == "-1" { "all".into() } else { proto };
            format!("{proto}{ports} {source}")
        }
        other => truncate(&other.to_string(), 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands("10000000"), "10,000,000");
        assert_eq!(thousands("-1234.5"), "-1,234.5");
        assert_eq!(thousands("999"), "999");
    }

    #[test]
    fn truncate_cuts_at_characters() {
        assert_eq!(truncate("ääääää", 4), "äää…");
        assert_eq!(truncate("short", 10), "short");
    }
}
