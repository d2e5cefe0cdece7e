//! AWS managed policies, indexed from the embedded `data/managed-policies.json`.
//!
//! The generator writes that JSON object with one policy a line (`"arn":{document},`), so the
//! index is built by splitting lines, and a document is parsed only when first asked for.

use serde_json::Value;
use std::sync::OnceLock;

/// One managed policy: its ARN, its document's JSON text, and the document once parsed.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) arn: &'static str,
    raw: &'static str,
    doc: OnceLock<Option<Value>>,
}

impl Entry {
    /// The policy name: the last `/` segment of the ARN (`AWSLambdaBasicExecutionRole`).
    pub(crate) fn name(&self) -> &'static str {
        self.arn.rsplit('/').next().unwrap_or(self.arn)
    }

    /// The parsed document; `None` if the embedded text is not a JSON object.
    pub(crate) fn document(&self) -> Option<&Value> {
        self.doc
            .get_or_init(|| {
                serde_json::from_str::<Value>(self.raw)
                    .ok()
                    .filter(Value::is_object)
            })
            .as_ref()
    }
}

/// Index the file; the entries come out sorted by ARN.
pub(crate) fn parse(text: &'static str) -> Result<Vec<Entry>, String> {
    let mut lines = text.lines();
    if lines.next() != Some("{") {
        return Err("managed policies: the file does not start with `{`".to_string());
    }
    let mut entries = Vec::new();
    let mut closed = false;
    for (n, line) in lines.enumerate() {
        if closed {
            if line.trim().is_empty() {
                continue;
            }
            return Err(format!("managed policies: line {}: text after `}}`", n + 2));
        }
        if line == "}" {
            closed = true;
            continue;
        }
        let line = line.strip_suffix(',').unwrap_or(line);
        let (arn, raw) = line
            .strip_prefix('"')
            .and_then(|l| l.split_once("\":"))
            .ok_or_else(|| format!("managed policies: line {}: not `\"arn\":{{...}}`", n + 2))?;
        if !arn.starts_with("arn:") || !raw.starts_with('{') || !raw.ends_with('}') {
            return Err(format!(
                "managed policies: line {}: bad entry `{arn}`",
                n + 2
            ));
        }
        entries.push(Entry {
            arn,
            raw,
            doc: OnceLock::new(),
        });
    }
    if !closed {
        return Err("managed policies: the file does not end with `}`".to_string());
    }
    entries.sort_by(|a, b| a.arn.cmp(b.arn));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_lazy_parse() {
        let text = "{\n\"arn:aws:iam::aws:policy/b/B\":{\"Version\":\"2012-10-17\"},\n\"arn:aws:iam::aws:policy/A\":{\"x\":1}\n}\n";
        let e = parse(text).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].arn, "arn:aws:iam::aws:policy/A");
        assert_eq!(e[1].name(), "B");
        assert_eq!(e[1].document().unwrap()["Version"], "2012-10-17");
        assert!(parse("[\n]\n").is_err());
        assert!(parse("{\n\"arn:x\":{}\n").is_err());
        assert!(parse("{\nnope\n}\n").is_err());
        // A malformed document is absent, not a panic.
        let bad = parse("{\n\"arn:aws:iam::aws:policy/C\":{\"x\":}\n}\n").unwrap();
        assert!(bad[0].document().is_none());
    }
}
