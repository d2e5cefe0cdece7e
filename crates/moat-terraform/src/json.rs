//! Terraform JSON syntax (`.tf.json`, `.tfvars.json`) -> [`Body`].
//!
//! serde_json has no positions, so a small scanner records the byte offset of every object
//! key by its path; each value gets the location of its key.

use std::collections::HashMap;
use std::sync::Arc;

use moat_model::{Loc, ScanError};
use serde_json::Value as J;

use crate::ir::{Attr, Block, Body, Expr};
use crate::source::SrcFile;

const SEP: char = '\u{1f}';

/// Byte offsets of object keys, by path (`resource\x1faws_instance\x1fweb`).
pub(crate) struct KeyPositions {
    map: HashMap<String, usize>,
}

impl KeyPositions {
    pub fn scan(text: &str) -> Self {
        let mut s = Scanner {
            b: text.as_bytes(),
            i: 0,
            map: HashMap::new(),
        };
        let mut path = String::new();
        s.value(&mut path, 0);
        KeyPositions { map: s.map }
    }

    pub fn get(&self, path: &[&str]) -> Option<usize> {
        let key = path.join(&SEP.to_string());
        self.map.get(&key).copied()
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    map: HashMap<String, usize>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// Reads a string starting at `"`, returns its decoded content.
    fn string(&mut self) -> String {
        let start = self.i;
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.i += 1,
                b'"' => break,
                _ => {}
            }
        }
        let raw = self.b.get(start..self.i.min(self.b.len())).unwrap_or(&[]);
        serde_json::from_slice::<String>(raw).unwrap_or_default()
    }

    fn value(&mut self, path: &mut String, depth: usize) {
        self.ws();
        if depth > 200 {
            self.i = self.b.len();
            return;
        }
        match self.peek() {
            Some(b'{') => {
                self.i += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b'"') => {
                            let at = self.i;
                            let key = self.string();
                            let len = path.len();
                            if !path.is_empty() {
                                path.push(SEP);
                            }
                            path.push_str(&key);
                            self.map.entry(path.clone()).or_insert(at);
                            self.ws();
                            if self.peek() == Some(b':') {
                                self.i += 1;
                            }
                            self.value(path, depth + 1);
                            path.truncate(len);
                        }
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return;
                        }
                        _ => {
                            self.i = self.b.len();
                            return;
                        }
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut n = 0usize;
                loop {
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return;
                        }
                        None => return,
                        _ => {
                            let len = path.len();
                            if !path.is_empty() {
                                path.push(SEP);
                            }
                            path.push_str(&n.to_string());
                            self.value(path, depth + 1);
                            path.truncate(len);
                            n += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.i += 1;
                }
            }
            None => {}
        }
    }
}

/// Parse a `.tf.json` file into blocks like the native syntax gives.
pub(crate) fn parse_json(file: &Arc<SrcFile>) -> Result<Body, ScanError> {
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let root: J = serde_json::from_str(text).map_err(|e| ScanError {
        file: file.rel.to_string(),
        line: e.line() as u32,
        message: format!("invalid JSON: {e}"),
    })?;
    let pos = KeyPositions::scan(&file.text);
    let mut out = Body::default();
    let J::Object(top) = root else {
        return Err(ScanError {
            file: file.rel.to_string(),
            line: 0,
            message: "a Terraform JSON file must hold an object".into(),
        });
    };
    let loc_of = |path: &[&str]| -> Loc {
        match pos.get(path) {
            Some(o) => file.loc(o),
            None => file.file_loc(),
        }
    };
    for (kind, v) in &top {
        if kind == "//" {
            continue;
        }
        let labels_n = match kind.as_str() {
            "resource" | "data" => 2,
            "variable" | "module" | "output" | "provider" => 1,
            "locals" | "terraform" => 0,
            _ => continue,
        };
        for item in as_items(v) {
            collect_blocks(
                kind,
                item,
                labels_n,
                &mut vec![kind.clone()],
                &loc_of,
                &mut out,
            );
        }
    }
    Ok(out)
}

/// Terraform JSON lets any object level also be an array of objects.
fn as_items(v: &J) -> Vec<&J> {
    match v {
        J::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

fn collect_blocks(
    kind: &str,
    v: &J,
    labels_left: usize,
    path: &mut Vec<String>,
    loc_of: &dyn Fn(&[&str]) -> Loc,
    out: &mut Body,
) {
    if labels_left == 0 {
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let loc = loc_of(&refs);
        let labels = path.iter().skip(1).cloned().collect();
        out.blocks.push(Block {
            kind: kind.to_string(),
            labels,
            body: json_body(v, path, loc_of, kind != "variable"),
            loc,
        });
        return;
    }
    let J::Object(m) = v else { return };
    for (k, inner) in m {
        if k == "//" {
            continue;
        }
        path.push(k.clone());
        for item in as_items(inner) {
            collect_blocks(kind, item, labels_left - 1, path, loc_of, out);
        }
        path.pop();
    }
}

/// An object as a body: every key an attribute, except `dynamic` (blocks) and `lifecycle`.
fn json_body(
    v: &J,
    path: &mut Vec<String>,
    loc_of: &dyn Fn(&[&str]) -> Loc,
    templates: bool,
) -> Body {
    let mut body = Body::default();
    let J::Object(m) = v else { return body };
    for (k, val) in m {
        if k == "//" {
            continue;
        }
        path.push(k.clone());
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let loc = loc_of(&refs);
        if k == "dynamic" {
            if let J::Object(dm) = val {
                for (label, dv) in dm {
                    path.push(label.clone());
                    for item in as_items(dv) {
                        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                        let dloc = loc_of(&refs);
                        let mut dbody = json_body(item, path, loc_of, templates);
                        // `content` is a block, not an attribute.
                        if let Some(pos) = dbody.attrs.iter().position(|a| a.name == "content") {
                            let c = dbody.attrs.remove(pos);
                            if let Expr::Json(cv, _) = &c.expr {
                                path.push("content".into());
                                let cb = json_body(cv, path, loc_of, templates);
                                path.pop();
                                dbody.blocks.push(Block {
                                    kind: "content".into(),
                                    labels: Vec::new(),
                                    body: cb,
                                    loc: c.loc,
                                });
                            }
                        }
                        body.blocks.push(Block {
                            kind: "dynamic".into(),
                            labels: vec![label.clone()],
                            body: dbody,
                            loc: dloc,
                        });
                    }
                    path.pop();
                }
            }
        } else {
            let val = if templates {
                val.clone()
            } else {
                escape_templates(val)
            };
            body.attrs.push(Attr {
                name: k.clone(),
                expr: Expr::Json(Arc::new(val), loc.clone()),
                loc,
            });
        }
        path.pop();
    }
    body
}

/// Variable defaults in JSON are literal values, never templates.
fn escape_templates(v: &J) -> J {
    match v {
        J::String(s) => J::String(s.replace("${", "$${").replace("%{", "%%{")),
        J::Array(a) => J::Array(a.iter().map(escape_templates).collect()),
        J::Object(m) => J::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), escape_templates(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
