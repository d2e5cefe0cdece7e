//! A small intermediate form shared by `.tf` and `.tf.json`: bodies of attributes and blocks
//! whose expressions stay unevaluated until a module instance evaluates them.

use std::sync::Arc;

use hcl_edit::expr::Expression;
use moat_model::Loc;

use crate::source::SrcFile;

/// An unevaluated expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// Native syntax; spans are byte offsets into the file.
    Hcl(Arc<Expression>, Arc<SrcFile>),
    /// JSON syntax: strings are templates; every value gets the location of its key.
    Json(Arc<serde_json::Value>, Loc),
}

#[derive(Debug, Clone)]
pub(crate) struct Attr {
    pub name: String,
    pub expr: Expr,
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub loc: Loc,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Body {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
}

impl Body {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}
