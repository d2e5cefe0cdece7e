//! Inline suppressions: `# moat:ignore S3002 reason text` (also `//` and `/* */`), and the
//! suppressions a frontend reads from the resource itself ([`Estate::ignores`]: CloudFormation
//! `Metadata: moat: ignore: [{id, reason}]`).
//!
//! A comment suppresses a finding when it names the finding's rule (or one of its Checkov
//! equivalents) and sits on the finding's line, on the resource's first line, or in the block
//! of comment lines right above either. Several IDs are separated by commas. A suppression
//! without a reason is not honoured and is reported as an error asking for one.

use std::collections::BTreeMap;

use moat_model::{Estate, Finding, ScanError};

/// One `moat:ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    pub ids: Vec<String>,
    /// Empty when none was written (then the directive is not honoured).
    pub reason: String,
    /// Nothing but the comment on this line.
    pub comment_only: bool,
}

const MARKER: &str = "moat:ignore";

/// Parse a `moat:ignore` directive in a source line, if there is one in a comment.
pub fn parse_line(line: &str) -> Option<Directive> {
    let idx = line.find(MARKER)?;
    let before = line.get(..idx)?;
    let opener = before.trim_end();
    let marker_len = if opener.ends_with("//") || opener.ends_with("/*") {
        2
    } else if opener.ends_with('#') {
        1
    } else {
        return None;
    };
    let code = opener.get(..opener.len() - marker_len)?;
    // A marker inside a string literal is not a comment.
    if code.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
        return None;
    }
    let comment_only = code.trim().is_empty();
    let mut rest = line.get(idx + MARKER.len()..)?;
    // `moat:ignore-file` and other words are not this directive.
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return None;
    }
    rest = rest.trim_end();
    if let Some(r) = rest.strip_suffix("*/") {
        rest = r;
    }
    let mut ids = Vec::new();
    let mut s = rest.trim_start();
    loop {
        let end = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(s.len());
        let (id, tail) = s.split_at(end);
        if id.is_empty() {
            break;
        }
        ids.push(id.to_string());
        let t = tail.trim_start();
        match t.strip_prefix(',') {
            Some(after) => s = after.trim_start(),
            None => {
                s = t;
                break;
            }
        }
    }
    let reason = s
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | '—' | '–'))
        .trim()
        .to_string();
    Some(Directive {
        ids,
        reason,
        comment_only,
    })
}

fn is_comment_only(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//") || t.starts_with("/*")
}

/// The directives of one estate's sources, and the errors for malformed ones.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// file -> line -> directive
    by_file: BTreeMap<String, BTreeMap<u32, Directive>>,
    /// file -> its lines (only for files that have directives)
    lines: BTreeMap<String, Vec<String>>,
    pub errors: Vec<ScanError>,
}

/// What decided a suppression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub reason: String,
    pub file: String,
    pub line: u32,
}

impl Suppressions {
    pub fn collect(estate: &Estate) -> Suppressions {
        let mut s = Suppressions::default();
        for (file, text) in &estate.sources {
            if !text.contains(MARKER) {
                continue;
            }
            let mut map = BTreeMap::new();
            for (i, line) in text.lines().enumerate() {
                let Some(d) = parse_line(line) else { continue };
                let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                if d.ids.is_empty() {
                    s.errors.push(ScanError {
                        file: file.to_string(),
                        line: n,
                        message:
                            "`moat:ignore` names no rule: write `# moat:ignore RULE_ID reason`"
                                .into(),
                    });
                    continue;
                }
                if d.reason.is_empty() {
                    let ids = d.ids.join(",");
                    s.errors.push(ScanError {
                        file: file.to_string(),
                        line: n,
                        message: format!(
                            "suppression `moat:ignore {ids}` has no reason and is not honoured: write why, `# moat:ignore {ids} <reason>`"
                        ),
                    });
                }
                map.insert(n, d);
            }
            if !map.is_empty() {
                s.lines
                    .insert(file.to_string(), text.lines().map(str::to_string).collect());
                s.by_file.insert(file.to_string(), map);
            }
        }
        s
    }

    /// Directives that apply at `line` of `file`: the line itself, then the comment-only
    /// lines right above it.
    fn around(&self, file: &str, line: u32) -> Vec<(u32, &Directive)> {
        let (Some(map), Some(lines)) = (self.by_file.get(file), self.lines.get(file)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(d) = map.get(&line) {
            out.push((line, d));
        }
        let mut l = line;
        while l > 1 {
            l -= 1;
            let Some(text) = lines.get(l as usize - 1) else {
                break;
            };
            if !is_comment_only(text) {
                break;
            }
            if let Some(d) = map.get(&l) {
                out.push((l, d));
            }
        }
        out
    }

    /// The suppression that applies to a finding, if any: one written on its resource
    /// ([`Estate::ignores`]; the frontend reported those without a reason), then comments.
    pub fn find(&self, f: &Finding, estate: &Estate) -> Option<Applied> {
        let names = |id: &str| {
            id.eq_ignore_ascii_case(&f.rule_id)
                || f.equivalent
                    .checkov
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(id))
        };
        if let Some(i) = estate
            .ignores
            .iter()
            .find(|i| i.address == f.resource && !i.reason.is_empty() && names(&i.id))
        {
            return Some(Applied {
                reason: i.reason.clone(),
                file: i.loc.file.to_string(),
                line: i.loc.line,
            });
        }
        if self.by_file.is_empty() {
            return None;
        }
        let mut places = vec![(f.file.clone(), f.line)];
        if let Some(r) = estate.by_address(&f.resource).and_then(|id| estate.get(id)) {
            places.push((r.loc.file.to_string(), r.loc.line));
        }
        for (file, line) in places {
            for (at, d) in self.around(&file, line) {
                if d.reason.is_empty() {
                    continue;
                }
                let named = d.ids.iter().any(|id| names(id));
                if named {
                    return Some(Applied {
                        reason: d.reason.clone(),
                        file: file.clone(),
                        line: at,
                    });
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_directives() {
        let d = parse_line("  # moat:ignore S3002 logs are replicated elsewhere").unwrap();
        assert_eq!(d.ids, ["S3002"]);
        assert_eq!(d.reason, "logs are replicated elsewhere");
        assert!(d.comment_only);

        let d =
            parse_line("  cidr = \"0.0.0.0/0\" // moat:ignore SG001, SG002 -- bastion").unwrap();
        assert_eq!(d.ids, ["SG001", "SG002"]);
        assert_eq!(d.reason, "bastion");
        assert!(!d.comment_only);

        let d = parse_line("/* moat:ignore S3002,S3003 test fixture */").unwrap();
        assert_eq!(d.ids, ["S3002", "S3003"]);
        assert_eq!(d.reason, "test fixture");

        let d = parse_line("# moat:ignore S3002").unwrap();
        assert_eq!(d.reason, "");
    }

    #[test]
    fn marker_in_a_string_is_not_a_comment() {
        assert!(parse_line("description = \"# moat:ignore S3002 x\"").is_none());
        assert!(parse_line("x = 1 moat:ignore S3002 x").is_none());
        assert!(parse_line("# moat:ignore-file S3002 x").is_none());
    }

    #[test]
    fn an_ignore_written_on_the_resource_suppresses_its_findings_only() {
        use moat_model::{Frontend, Loc, Resource, ResourceIgnore, Severity};
        let mut e = Estate::new();
        let loc = Loc::new("template.yaml", 4, 3);
        let r = Resource::new(
            "Logs",
            "AWS::S3::Bucket",
            "Logs",
            Frontend::CloudFormation,
            loc.clone(),
        );
        let other = Resource::new(
            "Data",
            "AWS::S3::Bucket",
            "Data",
            Frontend::CloudFormation,
            loc.clone(),
        );
        for (id, reason) in [("CKV_AWS_18", "the log bucket itself"), ("S3003", "")] {
            e.ignores.push(ResourceIgnore {
                address: "Logs".into(),
                id: id.into(),
                reason: reason.into(),
                loc: Loc::new("template.yaml", 9, 13),
            });
        }
        e.push(r.clone());
        e.push(other.clone());
        e.index();
        let s = Suppressions::collect(&e);
        let mut f = Finding::new("S3002", "t", Severity::Low, &r, &loc, "m");
        f.equivalent.checkov = vec!["CKV_AWS_18".into()];
        let applied = s.find(&f, &e).unwrap();
        assert_eq!((applied.file.as_str(), applied.line), ("template.yaml", 9));
        assert_eq!(applied.reason, "the log bucket itself");
        // Another resource, or an entry without a reason, suppresses nothing.
        let mut g = Finding::new("S3002", "t", Severity::Low, &other, &loc, "m");
        g.equivalent.checkov = vec!["CKV_AWS_18".into()];
        assert!(s.find(&g, &e).is_none());
        let h = Finding::new("S3003", "t", Severity::Low, &r, &loc, "m");
        assert!(s.find(&h, &e).is_none());
    }
}
