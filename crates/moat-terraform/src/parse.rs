//! Native syntax (`.tf`, `.tfvars`) -> [`Body`].

use std::sync::Arc;

use hcl_edit::structure::{self, Structure};
use hcl_edit::Span;
use moat_model::ScanError;

use crate::ir::{Attr, Block, Body, Expr};
use crate::source::SrcFile;

/// Parse a native-syntax file. On a syntax error, the error carries hcl-edit's location.
pub(crate) fn parse_hcl(file: &Arc<SrcFile>) -> Result<Body, ScanError> {
    match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => Ok(convert_body(body, file)),
        Err(e) => {
            let loc = e.location();
            Err(ScanError {
                file: file.rel.to_string(),
                line: loc.line() as u32,
                message: format!("syntax error: {}", e.message()),
            })
        }
    }
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
