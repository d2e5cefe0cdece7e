//! A module's configuration: the declarations of one directory, not yet evaluated.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use moat_model::{Loc, Mode, ScanError};

use crate::ir::{Attr, Body, Expr};
use crate::source::SrcFile;

#[derive(Debug)]
pub(crate) struct VarDecl {
    pub default: Option<Attr>,
    pub ty: Option<Attr>,
    /// `nullable = false`: a null value given for it means its default.
    pub not_nullable: bool,
    /// `sensitive = true`: the value never appears in output.
    pub sensitive: bool,
    pub loc: Loc,
}

#[derive(Debug)]
pub(crate) struct ResDecl {
    pub mode: Mode,
    pub rtype: String,
    pub name: String,
    pub body: Body,
    pub loc: Loc,
}

#[derive(Debug)]
pub(crate) struct ModCall {
    pub name: String,
    pub source: Option<String>,
    pub body: Body,
    pub loc: Loc,
}

/// Everything declared in one directory.
#[derive(Debug, Default)]
pub(crate) struct ModuleConfig {
    /// Absolute (lexically normalised) directory.
    pub dir: PathBuf,
    /// Files that were read (also the broken ones whose text is valid UTF-8).
    pub files: Vec<Arc<SrcFile>>,
    pub variables: BTreeMap<String, VarDecl>,
    pub locals: HashMap<String, Attr>,
    pub resources: Vec<ResDecl>,
    pub res_index: HashMap<(Mode, String, String), usize>,
    pub modules: Vec<ModCall>,
    pub mod_index: HashMap<String, usize>,
    pub outputs: BTreeMap<String, Attr>,
    /// Outputs declared `sensitive = true`.
    pub sensitive_outputs: std::collections::BTreeSet<String>,
    /// `region` of the default `provider "aws"` block (what `data.aws_region` answers).
    pub aws_region: Option<Attr>,
    pub errors: Vec<ScanError>,
}

impl ModuleConfig {
    pub fn new(dir: PathBuf) -> Self {
        ModuleConfig {
            dir,
            ..Default::default()
        }
    }

    /// Add the top-level blocks of one file.
    pub fn add_body(&mut self, body: Body) {
        for block in body.blocks {
            let dup = |what: &str, loc: &Loc| ScanError {
                file: loc.file.to_string(),
                line: loc.line,
                message: format!("duplicate {what}"),
            };
            match (block.kind.as_str(), block.labels.as_slice()) {
                ("resource" | "data", [rtype, name]) => {
                    let mode = if block.kind == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    };
                    let key = (mode, rtype.clone(), name.clone());
                    if self.res_index.contains_key(&key) {
                        let prefix = if mode == Mode::Data { "data." } else { "" };
                        self.errors.push(dup(
                            &format!("resource `{prefix}{rtype}.{name}`"),
                            &block.loc,
                        ));
                        continue;
                    }
                    self.res_index.insert(key, self.resources.len());
                    self.resources.push(ResDecl {
                        mode,
                        rtype: rtype.clone(),
                        name: name.clone(),
                        body: block.body,
                        loc: block.loc,
                    });
                }
                ("variable", [name]) => {
                    if self.variables.contains_key(name) {
                        self.errors
                            .push(dup(&format!("variable `{name}`"), &block.loc));
                        continue;
                    }
                    let default = block.body.attr("default").cloned();
                    let ty = block.body.attr("type").cloned();
                    let not_nullable = block.body.attr("nullable").is_some_and(|a| match &a.expr {
                        Expr::Hcl(e, _) => matches!(e.as_ref(), Expression::Bool(b) if !*b.value()),
                        Expr::Json(v, _) => v.as_bool() == Some(false),
                    });
                    let sensitive = is_true(block.body.attr("sensitive"));
                    self.variables.insert(
                        name.clone(),
                        VarDecl {
                            default,
                            ty,
                            not_nullable,
                            sensitive,
                            loc: block.loc,
                        },
                    );
                }
                ("locals", []) => {
                    for a in block.body.attrs {
                        if self.locals.contains_key(&a.name) {
                            self.errors
                                .push(dup(&format!("local `{}`", a.name), &a.loc));
                            continue;
                        }
                        self.locals.insert(a.name.clone(), a);
                    }
                }
                ("module", [name]) => {
                    if self.mod_index.contains_key(name) {
                        self.errors
                            .push(dup(&format!("module `{name}`"), &block.loc));
                        continue;
                    }
                    let source = block
                        .body
                        .attr("source")
                        .and_then(|a| literal_string(&a.expr));
                    self.mod_index.insert(name.clone(), self.modules.len());
                    self.modules.push(ModCall {
                        name: name.clone(),
                        source,
                        body: block.body,
                        loc: block.loc,
                    });
                }
                ("output", [name]) => {
                    if let Some(v) = block.body.attr("value") {
                        self.outputs.insert(name.clone(), v.clone());
                    }
                    if is_true(block.body.attr("sensitive")) {
                        self.sensitive_outputs.insert(name.clone());
                    }
                }
                ("provider", [name]) if name == "aws" && block.body.attr("alias").is_none() => {
                    if let Some(r) = block.body.attr("region") {
                        self.aws_region = Some(r.clone());
                    }
                }
                _ => {}
            }
        }
    }
}

/// The value of an expression that must be a literal string (`source`).
pub(crate) fn literal_string(e: &Expr) -> Option<String> {
    match e {
        Expr::Hcl(expr, _) => match expr.as_ref() {
            Expression::String(s) => Some(s.value().clone()),
            Expression::StringTemplate(t) => {
                let mut out = String::new();
                for el in t.iter() {
                    out.push_str(el.as_literal()?.value());
                }
                Some(out)
            }
            _ => None,
        },
        Expr::Json(v, _) => v.as_str().map(str::to_string),
    }
}

/// A literal `true` (`sensitive = true`); anything else, including an expression, is false.
fn is_true(a: Option<&Attr>) -> bool {
    a.is_some_and(|a| match &a.expr {
        Expr::Hcl(e, _) => matches!(e.as_ref(), Expression::Bool(b) if *b.value()),
        Expr::Json(v, _) => v.as_bool() == Some(true),
    })
}
