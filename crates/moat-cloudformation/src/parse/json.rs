//! JSON templates (strict JSON: no comments, no trailing commas), with jsonc-parser's byte
//! ranges turned into lines and columns. Nesting depth is checked by a scan of the text before
//! the (recursive) parser runs.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};
use moat_model::{Limits, Loc, Node, ScanError, Value};

use super::{error, number, MAX_DEPTH};

/// Byte offsets to 1-based lines and columns (columns in characters). Lookups in increasing
/// offset order (the order of a depth-first walk) cost the distance from the previous one.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
    last: (usize, usize, usize),
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text,
            starts,
            last: (0, 0, 0),
        }
    }

    /// Line (1-based) of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Line and column (both 1-based) of a byte offset.
    pub(crate) fn position(&mut self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let (last_off, last_line, last_col) = self.last;
        let col = if last_line == line && last_off <= offset {
            last_col
                + self
                    .text
                    .get(last_off..offset)
                    .map_or(0, |s| s.chars().count())
        } else {
            self.text
                .get(start..offset)
                .map_or(0, |s| s.chars().count())
        };
        self.last = (offset, line, col);
        (line, col + 1)
    }
}

/// Parse a JSON template. See [`super`] for the shape.
pub fn parse_json(file: Arc<str>, text: &str, limits: &Limits) -> Result<Node, ScanError> {
    let mut index = LineIndex::new(text);
    check_depth(&file, text, &index)?;
    let opts = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &opts).map_err(|e| {
        let line = u32::try_from(index.line(e.range().start)).unwrap_or(u32::MAX);
        error(
            &file,
            line,
            format!("invalid json: {}", lower_first(&e.kind().to_string())),
        )
    })?;
    let Some(value) = parsed.value else {
        return Err(error(&file, 0, "empty json file"));
    };
    let mut c = Converter {
        file,
        limits,
        index: &mut index,
    };
    c.node(value, None)
}

struct Converter<'a, 't> {
    file: Arc<str>,
    limits: &'a Limits,
    index: &'a mut LineIndex<'t>,
}

impl Converter<'_, '_> {
    fn loc(&mut self, offset: usize) -> Option<Loc> {
        let (line, col) = self.index.position(offset);
        super::loc(&self.file, line, col)
    }

    fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.index.line(offset)).unwrap_or(u32::MAX)
    }

    fn string(&self, s: Cow<'_, str>, offset: usize) -> Result<String, ScanError> {
        if s.len() > self.limits.max_string_bytes {
            return Err(error(
                &self.file,
                self.line(offset),
                format!(
                    "string of {} bytes exceeds the limit `max_string_bytes` ({})",
                    s.len(),
                    self.limits.max_string_bytes
                ),
            ));
        }
        Ok(s.into_owned())
    }

    /// Convert one value; `at` is the location to give it (its key's, for an object member).
    fn node(&mut self, v: ast::Value<'_>, at: Option<Loc>) -> Result<Node, ScanError> {
        let start = value_start(&v);
        let at = match at {
            Some(l) => Some(l),
            None => self.loc(start),
        };
        let max = self.limits.max_collection_len;
        let value = match v {
            ast::Value::StringLit(s) => Value::String(self.string(s.value, start)?),
            ast::Value::NumberLit(n) => match number(n.value) {
                Some(x) => Value::Number(x),
                None => Value::String(n.value.to_string()),
            },
            ast::Value::BooleanLit(b) => Value::Bool(b.value),
            ast::Value::NullKeyword(_) => Value::Null,
            ast::Value::Array(a) => {
                if a.elements.len() > max {
                    return Err(error(
                        &self.file,
                        self.line(start),
                        format!("list has more than `max_collection_len` ({max}) items"),
                    ));
                }
                let mut items = Vec::with_capacity(a.elements.len());
                for e in a.elements {
                    items.push(self.node(e, None)?);
                }
                Value::List(items)
            }
            ast::Value::Object(o) => {
                if o.properties.len() > max {
                    return Err(error(
                        &self.file,
                        self.line(start),
                        format!("mapping has more than `max_collection_len` ({max}) entries"),
                    ));
                }
                let mut entries = BTreeMap::new();
                for p in o.properties {
                    let key_start = p.range.start;
                    let key_loc = self.loc(key_start);
                    let key = match p.name {
                        ast::ObjectPropName::String(s) => self.string(s.value, key_start)?,
                        ast::ObjectPropName::Word(w) => w.value.to_string(),
                    };
                    if entries.contains_key(&key) {
                        return Err(error(
                            &self.file,
                            self.line(key_start),
                            format!("duplicate key `{key}`"),
                        ));
                    }
                    let value = self.node(p.value, key_loc)?;
                    entries.insert(key, value);
                }
                Value::Map(entries)
            }
        };
        Ok(Node::new(value, at))
    }
}

fn value_start(v: &ast::Value<'_>) -> usize {
    match v {
        ast::Value::StringLit(s) => s.range.start,
        ast::Value::NumberLit(n) => n.range.start,
        ast::Value::BooleanLit(b) => b.range.start,
        ast::Value::NullKeyword(n) => n.range.start,
        ast::Value::Array(a) => a.range.start,
        ast::Value::Object(o) => o.range.start,
    }
}

/// Refuse nesting deeper than [`MAX_DEPTH`] before the recursive parser sees the text.
/// Brackets inside strings do not count.
fn check_depth(file: &str, text: &str, index: &LineIndex<'_>) -> Result<(), ScanError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let line = u32::try_from(index.line(i)).unwrap_or(u32::MAX);
                    return Err(error(
                        file,
                        line,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}
