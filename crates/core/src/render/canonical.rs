//! The canonical text of a rendered template without building a
//! `serde_json::Value`: [`pretty`] rewrites JSON text exactly as
//! `to_pretty(&serde_json::from_str::<Value>(text)?)` would (two-space
//! indent, `": "`, a final newline), in one pass over the bytes.
//!
//! It covers what templates produce: strings are copied as written when
//! their escapes are the short ones serde_json writes back unchanged, and
//! plain integers are copied as written. Anything else (invalid JSON, a key
//! written twice in one object, `\u`/`\/` escapes, very deep nesting) gives
//! `None`, and the caller takes the general path, which also produces the
//! error message with its line and column. Other numbers go through
//! serde_json itself, so they print as it prints them.

/// Nesting deeper than this takes the general path (serde_json's own
/// recursion limit is 128).
const MAX_DEPTH: usize = 100;

/// `text` as `to_pretty(&serde_json::from_str::<Value>(text)?)` writes it,
/// or `None` when only the general path can tell (see the module docs).
pub fn pretty(text: &str) -> Option<String> {
    let mut p = Reformat {
        src: text.as_bytes(),
        at: 0,
        out: Vec::with_capacity(text.len()),
    };
    p.value(0)?;
    p.skip_ws();
    if p.at != p.src.len() {
        return None;
    }
    p.out.push(b'\n');
    // Only whole UTF-8 sequences of valid input and ASCII are copied.
    String::from_utf8(p.out).ok()
}

struct Reformat<'a> {
    src: &'a [u8],
    at: usize,
    out: Vec<u8>,
}

impl<'a> Reformat<'a> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.src.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.at).copied()
    }

    fn newline(&mut self, depth: usize) {
        // Depth is at most MAX_DEPTH + 1.
        const SPACES: &[u8] = &[b' '; 2 * (MAX_DEPTH + 1)];
        self.out.push(b'\n');
        self.out.extend_from_slice(&SPACES[..2 * depth]);
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let s = self.string()?;
                self.out.extend_from_slice(s);
                Some(())
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.src[self.at..].starts_with(word) {
            self.at += word.len();
            self.out.extend_from_slice(word);
            Some(())
        } else {
            None
        }
    }

    /// A string with its quotes, as written; `None` for escapes serde_json
    /// would write differently and for raw control characters.
    fn string(&mut self) -> Option<&'a [u8]> {
        let src = self.src;
        let start = self.at;
        let mut i = start + 1;
        loop {
            match *src.get(i)? {
                b'"' => break,
                b'\\' => match src.get(i + 1)? {
                    b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    _ => return None,
                },
                0x00..=0x1f => return None,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        Some(&src[start..=i])
    }

    fn number(&mut self) -> Option<()> {
        let src = self.src;
        let start = self.at;
        let mut i = start;
        let negative = src[i] == b'-';
        if negative {
            i += 1;
        }
        let digits = |mut i: usize| {
            while let Some(b'0'..=b'9') = src.get(i) {
                i += 1;
            }
            i
        };
        match src.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = digits(i),
            _ => return None,
        }
        let int_digits = i - start - usize::from(negative);
        let mut integer = true;
        if src.get(i) == Some(&b'.') {
            integer = false;
            let end = digits(i + 1);
            if end == i + 1 {
                return None;
            }
            i = end;
        }
        if let Some(b'e' | b'E') = src.get(i) {
            integer = false;
            i += 1;
            if let Some(b'+' | b'-') = src.get(i) {
                i += 1;
            }
            let end = digits(i);
            if end == i {
                return None;
            }
            i = end;
        }
        let token = &src[start..i];
        self.at = i;
        // u64 holds every 19-digit number and i64 every 18-digit negative
        // one: serde_json reads and writes those digit for digit ("-0"
        // aside, which it reads as a float).
        let verbatim = integer
            && if negative {
                int_digits <= 18 && token != b"-0"
            } else {
                int_digits <= 19
            };
        if verbatim {
            self.out.extend_from_slice(token);
        } else {
            let token = std::str::from_utf8(token).ok()?;
            let n: serde_json::Value = serde_json::from_str(token).ok()?;
            self.out
                .extend_from_slice(serde_json::to_string(&n).ok()?.as_bytes());
        }
        Some(())
    }

    /// After a member or element: a comma (copied; `true`, more follow)
    /// or the `close` bracket (consumed, not copied; `false`).
    fn separator(&mut self, close: u8) -> Option<bool> {
        self.skip_ws();
        let more = match self.peek()? {
            b',' => true,
            b if b == close => false,
            _ => return None,
        };
        self.at += 1;
        if more {
            self.out.push(b',');
        }
        Some(more)
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        self.skip_ws();
        if self.peek()? == b'}' {
            self.at += 1;
            self.out.extend_from_slice(b"{}");
            return Some(());
        }
        self.out.push(b'{');
        let mut keys: Vec<&[u8]> = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            // A repeated key: serde_json keeps the last value in the first
            // place; the general path does that.
            if keys.contains(&key) {
                return None;
            }
            keys.push(key);
            self.newline(depth + 1);
            self.out.extend_from_slice(key);
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            self.out.extend_from_slice(b": ");
            self.value(depth + 1)?;
            if !self.separator(b'}')? {
                break;
            }
        }
        self.newline(depth);
        self.out.push(b'}');
        Some(())
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.at += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.at += 1;
            self.out.extend_from_slice(b"[]");
            return Some(());
        }
        self.out.push(b'[');
        loop {
            self.newline(depth + 1);
            self.value(depth + 1)?;
            if !self.separator(b']')? {
                break;
            }
        }
        self.newline(depth);
        self.out.push(b']');
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::pretty;
    use proptest::prelude::*;
    use serde_json::Value;

    /// The general path: parse, then pretty-print.
    fn general(text: &str) -> Option<String> {
        let v: Value = serde_json::from_str(text).ok()?;
        Some(crate::render::to_pretty(&v))
    }

    /// Where the fast path answers, it answers as the general path does.
    fn agrees(text: &str) {
        if let Some(fast) = pretty(text) {
            assert_eq!(Some(fast), general(text), "input: {text:?}");
        }
    }

    #[test]
    fn same_text_as_serde_json() {
        for text in [
            "{}",
            " [ ] ",
            "{\"a\": [1, -2, 0, -0, 1.50, 1e3, 2E-2, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 12345678901234567890123],\n\"b\":{\"c\":null,\"d\":true,\"e\":false}}",
            "{\"s\": \"tab\\t quote\\\" back\\\\ nl\\n bs\\b ff\\f cr\\r \u{e9}\u{1F600} del\u{7f}\"}",
            "[[[]], {}, [{}], \"\"]",
            "\t\r\n 7 \n",
        ] {
            assert!(pretty(text).is_some(), "fast path refused {text:?}");
            agrees(text);
        }
    }

    #[test]
    fn declines_what_only_serde_json_can_tell() {
        for text in [
            "",
            "{",
            "{\"a\": 1,}",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\": 1, \"a\": 2}",
            "\"\\u0041\"",
            "\"\\/\"",
            "\"raw\u{1}control\"",
            "01",
            "1.",
            "-",
            "1e",
            "1.5e999",
            "tru",
            "{} {}",
            "\u{feff}{}",
        ] {
            assert_eq!(pretty(text), None, "input: {text:?}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(pretty(&deep), None);
    }

    /// Strings with no control characters but those with a short escape.
    fn text() -> impl Strategy<Value = String> {
        "[\\PC\t\n\r\u{8}\u{c}]{0,12}"
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            text().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn values_written_compact_or_pretty(v in json_value()) {
            // Compared with the general path, not with `v`: serde_json reads
            // some long floats back one ulp off, and the fast path must too.
            for text in [serde_json::to_string(&v).unwrap(), crate::render::to_pretty(&v)] {
                let fast = pretty(&text);
                prop_assert!(fast.is_some(), "declined {:?}", text);
                prop_assert_eq!(fast, general(&text));
            }
        }

        #[test]
        fn any_text_agrees_or_declines(text in "[ \\[\\]{}\",:0-9.eE+\\-a-z\\\\\n]{0,40}") {
            agrees(&text);
        }
    }
}
