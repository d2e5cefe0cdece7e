//! Native syntax (`.tf`, `.tfvars`) -> [`Body`].

use std::sync::Arc;

use hcl_edit::structure::{self, Structure};
use hcl_edit::Span;
use moat_model::ScanError;

use crate::ir::{Attr, Block, Body, Expr};
use crate::source::SrcFile;

/// How many repeated object keys one file may have (each costs a parse of the file).
const MAX_KEY_REWRITES: usize = 64;

/// Parse a native-syntax file. On a syntax error, the error carries hcl-edit's location.
///
/// Terraform accepts an object constructor that repeats a key (`{ port = 80, port = 81 }`:
/// the last value wins), hcl-edit rejects it. Each repeated key that hcl-edit reports is
/// rewritten to an equal key of another syntactic form (`port` -> `"port"` -> `("port")`),
/// which hcl-edit does not compare with the first; the evaluator then keeps the last value,
/// as Terraform does. Lines are unchanged (columns on that line move by two).
pub(crate) fn parse_hcl(file: &Arc<SrcFile>) -> Result<Body, ScanError> {
    let mut text: Option<String> = None;
    for _ in 0..=MAX_KEY_REWRITES {
        let current: &str = text.as_deref().unwrap_or(&file.text);
        match hcl_edit::parser::parse_body(current) {
            Ok(body) => {
                return Ok(match &text {
                    None => convert_body(body, file),
                    Some(t) => {
                        let rewritten =
                            Arc::new(SrcFile::new(file.rel.clone(), Arc::from(t.as_str())));
                        convert_body(body, &rewritten)
                    }
                });
            }
            Err(e) => {
                let rewritten = e
                    .message()
                    .contains("redefined object key")
                    .then(|| rewrite_key(current, e.location().offset()))
                    .flatten();
                match rewritten {
                    Some(t) => text = Some(t),
                    None => {
                        let loc = e.location();
                        return Err(ScanError {
                            file: file.rel.to_string(),
                            line: loc.line() as u32,
                            message: format!("syntax error: {}", e.message()),
                        });
                    }
                }
            }
        }
    }
    Err(ScanError {
        file: file.rel.to_string(),
        line: 0,
        message: format!("more than {MAX_KEY_REWRITES} repeated object keys"),
    })
}

/// Rewrite the object key that starts at byte `at` into an equal key of another form: an
/// identifier is quoted, anything quoted or parenthesised is put in parentheses.
fn rewrite_key(text: &str, at: usize) -> Option<String> {
    let rest = text.get(at..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let start = at + skipped;
    let rest = text.get(start..)?;
    let first = rest.chars().next()?;
    let len = if first.is_alphabetic() || first == '_' {
        let n = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let ident = rest.get(..n)?;
        let mut out = String::with_capacity(text.len() + 2);
        out.push_str(text.get(..start)?);
        out.push('"');
        out.push_str(ident);
        out.push('"');
        out.push_str(text.get(start + n..)?);
        return Some(out);
    } else if first == '"' {
        quoted_len(rest)?
    } else if first == '(' {
        paren_len(rest)?
    } else {
        return None;
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push_str(text.get(..start)?);
    out.push('(');
    out.push_str(rest.get(..len)?);
    out.push(')');
    out.push_str(rest.get(len..)?);
    Some(out)
}

/// Length of the quoted string at the start of `s` (quotes included), on one line.
fn quoted_len(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            '\n' => return None,
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i + 1),
            _ => escaped = false,
        }
    }
    None
}

/// Length of the parenthesised expression at the start of `s`, strings skipped.
fn paren_len(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut it = s.char_indices();
    while let Some((i, c)) = it.next() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            '"' => {
                let n = quoted_len(s.get(i..)?)?;
                // Skip the rest of the string.
                for _ in 0..s.get(i..i + n)?.chars().count().saturating_sub(1) {
                    it.next();
                }
            }
            _ => {}
        }
    }
    None
}

fn convert_body(body: structure::Body, file: &Arc<SrcFile>) -> Body {
    let mut out = Body::default();
    for s in body {
        match s {
            Structure::Attribute(a) => {
                let start = a.span().map(|r| r.start).unwrap_or(0);
                out.attrs.push(Attr {
                    name: a.key.value().to_string(),
                    loc: file.loc(start),
                    expr: Expr::Hcl(Arc::new(a.value), file.clone()),
                });
            }
            Structure::Block(b) => {
                let start = b.span().map(|r| r.start).unwrap_or(0);
                out.blocks.push(Block {
                    kind: b.ident.value().to_string(),
                    labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                    loc: file.loc(start),
                    body: convert_body(b.body, file),
                });
            }
        }
    }
    out
}
