//! GitHub Actions, natively (when `GITHUB_ACTIONS=true`): workflow commands
//! (`::group::`, `::warning::`, `::error file=…,line=…,col=…::`) escaped as
//! GitHub's workflow-command rules require, the step summary
//! (`$GITHUB_STEP_SUMMARY`) and step outputs (`$GITHUB_OUTPUT`, a value
//! with a line break written with a delimiter no line of it equals).

use std::io::Write as _;
use std::path::PathBuf;

use super::redact;
use crate::cli::Error;

/// The GitHub Actions run this command is part of.
#[derive(Debug, Clone)]
pub struct Github {
    summary: Option<PathBuf>,
    output: Option<PathBuf>,
}

impl Github {
    /// `Some` when `GITHUB_ACTIONS=true`.
    pub fn detect() -> Option<Github> {
        if std::env::var("GITHUB_ACTIONS").ok().as_deref() != Some("true") {
            return None;
        }
        let path = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Some(Github {
            summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
        })
    }

    /// Append markdown to the step summary.
    pub fn append_summary(&self, markdown: &str) -> Result<(), Error> {
        match &self.summary {
            Some(p) => append(p, &redact(markdown)),
            None => Ok(()),
        }
    }

    /// Set step outputs.
    pub fn set_outputs(&self, pairs: &[(&str, String)]) -> Result<(), Error> {
        let Some(p) = &self.output else {
            return Ok(());
        };
        let text: String = pairs
            .iter()
            .map(|(k, v)| output_entry(k, &redact(v)))
            .collect();
        append(p, &text)
    }
}

fn append(path: &PathBuf, text: &str) -> Result<(), Error> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
}

/// One `$GITHUB_OUTPUT` entry: `key=value`, or for a value with a line
/// break `key<<DELIMITER`, the value, the delimiter (one no line equals).
pub fn output_entry(key: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{key}={value}\n");
    }
    let mut n = 0u32;
    let delimiter = loop {
        let d = format!("STREAMSCALE_EOF_{n}");
        if !value.lines().any(|l| l.trim_end_matches('\r') == d) {
            break d;
        }
        n += 1;
    };
    format!("{key}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// A workflow command's message: `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`escape_data`], and `:` →
/// `%3A`, `,` → `%2C`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A workflow command line: `::name k=v,…::message`.
pub fn command(name: &str, properties: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&redact(v))))
        .collect();
    let sep = if props.is_empty() { "" } else { " " };
    format!(
        "::{name}{sep}{}::{}",
        props.join(","),
        escape_data(&redact(message))
    )
}

/// An error annotation on a file position.
pub fn error_at(file: &str, line: usize, col: usize, title: &str, message: &str) -> String {
    command(
        "error",
        &[
            ("file", file.to_string()),
            ("line", line.to_string()),
            ("col", col.to_string()),
            ("title", title.to_string()),
        ],
        message,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_as_github_requires() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(
            command("error", &[("file", "a:b,c.toml".into())], "x%\ny"),
            "::error file=a%3Ab%2Cc.toml::x%25%0Ay"
        );
        assert_eq!(command("group", &[], "us-east-1"), "::group::us-east-1");
    }

    #[test]
    fn multiline_outputs_get_a_delimiter_no_line_equals() {
        assert_eq!(output_entry("k", "v"), "k=v\n");
        let v = "a\nSTREAMSCALE_EOF_0\nb";
        assert_eq!(
            output_entry("k", v),
            "k<<STREAMSCALE_EOF_1\na\nSTREAMSCALE_EOF_0\nb\nSTREAMSCALE_EOF_1\n"
        );
    }
}
