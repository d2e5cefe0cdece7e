//! YAML templates, read from saphyr's event stream (its parser is a state machine with an
//! explicit stack; the tree is built here with our own stack, so nesting depth, alias
//! expansion and sizes are checked as the events arrive, before anything recursive runs).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use moat_model::{Limits, Loc, Node, ScanError, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

use super::{error, loc, long_form, plain_scalar, MAX_ALIAS_NODES, MAX_DEPTH};

/// How a tag changes the node it is written on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wrap {
    /// No tag, or a core tag that keeps the node as it is.
    None,
    /// A short-form intrinsic: wrap in `{long: node}`.
    Intrinsic(&'static str),
    /// `!GetAtt`: a scalar `A.B.C` becomes `["A", "B.C"]`, then wrapped.
    GetAtt,
    /// `!!str` (or the non-specific `!`): a scalar stays text.
    Str,
    /// `!!int`, `!!float`: a scalar must be a number.
    Number,
    /// `!!bool`.
    Bool,
    /// `!!null`.
    Null,
}

/// The contents of an open collection.
enum Items {
    Seq(Vec<Node>),
    /// Entries so far, and the key waiting for its value (with the key's location).
    Map(BTreeMap<String, Node>, Option<(String, Option<Loc>)>),
}

/// A collection being read.
struct Frame {
    items: Items,
    loc: Option<Loc>,
    anchor: usize,
    wrap: Wrap,
    /// Nodes in it so far (itself included).
    count: usize,
    /// Its depth (1 for an empty collection).
    depth: usize,
}

/// An anchored node, kept for its aliases, with its size and depth.
struct Anchored {
    node: Node,
    count: usize,
    depth: usize,
}

struct Builder<'a> {
    file: Arc<str>,
    limits: &'a Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    root: Option<Node>,
    /// Nodes added by aliases and anchor copies so far.
    alias_nodes: usize,
}

/// Parse a YAML template (the first and only document). See [`super`] for the shape.
pub fn parse_yaml(file: Arc<str>, text: &str, limits: &Limits) -> Result<Node, ScanError> {
    let mut b = Builder {
        file,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        alias_nodes: 0,
    };
    let mut documents = 0usize;
    for ev in Parser::new_from_str(text) {
        let (event, span) = ev.map_err(|e| {
            error(
                &b.file,
                u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
                format!("invalid yaml: {}", e.info()),
            )
        })?;
        let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(error(
                        &b.file,
                        line,
                        "a template is one yaml document; a second document starts here",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => b.scalar(text, style, anchor, tag, span)?,
            Event::Alias(id) => b.alias(id, span)?,
            Event::SequenceStart(anchor, tag) => {
                b.open(Items::Seq(Vec::new()), anchor, tag.as_deref(), span, line)?
            }
            Event::MappingStart(anchor, tag) => b.open(
                Items::Map(BTreeMap::new(), None),
                anchor,
                tag.as_deref(),
                span,
                line,
            )?,
            Event::SequenceEnd | Event::MappingEnd => b.close(line)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(b.root
        .unwrap_or_else(|| Node::new(Value::Null, loc(&b.file, 1, 1))))
}

impl Builder<'_> {
    fn err(&self, line: u32, message: impl Into<String>) -> ScanError {
        error(&self.file, line, message)
    }

    /// The location for a new value: its key's when it is a mapping value, else its own.
    /// Errors when a mapping expects a key and `is_key_scalar` is false (a complex key).
    fn value_loc(
        &self,
        span: Span,
        line: u32,
        is_key_scalar: bool,
    ) -> Result<Option<Loc>, ScanError> {
        if let Some(Frame {
            items: Items::Map(_, key),
            ..
        }) = self.stack.last()
        {
            match key {
                Some((_, key_loc)) => return Ok(key_loc.clone()),
                None if !is_key_scalar => {
                    return Err(self.err(
                        line,
                        "a mapping key must be a plain string (complex keys are not supported)",
                    ))
                }
                None => {}
            }
        }
        Ok(loc(&self.file, span.start.line(), span.start.col() + 1))
    }

    /// Whether the innermost open collection is a mapping waiting for a key.
    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                items: Items::Map(_, None),
                ..
            })
        )
    }

    fn wrap(&self, tag: Option<&Tag>, line: u32) -> Result<Wrap, ScanError> {
        let Some(tag) = tag else {
            return Ok(Wrap::None);
        };
        if tag.is_yaml_core_schema() {
            return match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => Ok(Wrap::Str),
                "int" | "float" => Ok(Wrap::Number),
                "bool" => Ok(Wrap::Bool),
                "null" => Ok(Wrap::Null),
                "map" | "seq" => Ok(Wrap::None),
                other => Err(self.err(line, format!("unknown yaml tag `!!{other}`"))),
            };
        }
        if tag.handle.is_empty() && tag.suffix == "!" {
            return Ok(Wrap::Str);
        }
        if tag.handle == "!" {
            if tag.suffix == "GetAtt" {
                return Ok(Wrap::GetAtt);
            }
            if let Some(long) = long_form(&tag.suffix) {
                return Ok(Wrap::Intrinsic(long));
            }
        }
        Err(self.err(
            line,
            format!(
                "unknown tag `{tag}` (CloudFormation knows !Ref, !GetAtt, !Sub, !Join, !If... )"
            ),
        ))
    }

    fn open(
        &mut self,
        items: Items,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
        line: u32,
    ) -> Result<(), ScanError> {
        let wrap = self.wrap(tag, line)?;
        let loc = self.value_loc(span, line, false)?;
        if self.stack.len() >= MAX_DEPTH {
            let line = loc.as_ref().map_or(line, |l| l.line);
            return Err(self.err(line, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.stack.push(Frame {
            items,
            loc,
            anchor,
            wrap,
            count: 1,
            depth: 1,
        });
        Ok(())
    }

    fn close(&mut self, line: u32) -> Result<(), ScanError> {
        let Some(frame) = self.stack.pop() else {
            return Err(self.err(line, "invalid yaml: unbalanced end of collection"));
        };
        let value = match frame.items {
            Items::Seq(items) => Value::List(items),
            Items::Map(_, Some((k, l))) => {
                return Err(self.err(
                    l.map_or(line, |l| l.line),
                    format!("invalid yaml: key `{k}` has no value"),
                ));
            }
            Items::Map(entries, None) => Value::Map(entries),
        };
        let node = Node::new(value, frame.loc);
        let node = match frame.wrap {
            Wrap::None | Wrap::Str | Wrap::Number | Wrap::Bool | Wrap::Null => node,
            Wrap::Intrinsic(long) => wrap_in(long, node),
            Wrap::GetAtt => wrap_in("Fn::GetAtt", node),
        };
        self.complete(node, frame.anchor, frame.count, frame.depth, line)
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
        span: Span,
    ) -> Result<(), ScanError> {
        let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
        if text.len() > self.limits.max_string_bytes {
            return Err(self.err(
                line,
                format!(
                    "string of {} bytes exceeds the limit `max_string_bytes` ({})",
                    text.len(),
                    self.limits.max_string_bytes
                ),
            ));
        }
        let wrap = self.wrap(tag.as_deref(), line)?;
        let own_loc = loc(&self.file, span.start.line(), span.start.col() + 1);
        if self.expects_key() {
            if wrap != Wrap::None && wrap != Wrap::Str {
                return Err(self.err(line, format!("a mapping key (`{text}`) cannot have a tag")));
            }
            let key = text.into_owned();
            if anchor != 0 {
                self.store_anchor(
                    anchor,
                    Node::new(Value::String(key.clone()), own_loc.clone()),
                    1,
                    0,
                    line,
                )?;
            }
            self.set_key(key, own_loc, line)?;
            return Ok(());
        }
        let at = self.value_loc(span, line, true)?;
        let node = match wrap {
            Wrap::None => {
                let value = if style == ScalarStyle::Plain {
                    plain_scalar(&text)
                } else {
                    Value::String(text.into_owned())
                };
                Node::new(value, at)
            }
            Wrap::Str => Node::new(Value::String(text.into_owned()), at),
            Wrap::Number => match super::number(&text) {
                Some(n) => Node::new(Value::Number(n), at),
                None => return Err(self.err(line, format!("`{text}` is not a number"))),
            },
            Wrap::Bool => match plain_scalar(&text) {
                v @ Value::Bool(_) => Node::new(v, at),
                _ => return Err(self.err(line, format!("`{text}` is not a boolean"))),
            },
            Wrap::Null => Node::new(Value::Null, at),
            Wrap::Intrinsic(long) => {
                let inner = Node::new(Value::String(text.into_owned()), own_loc);
                wrap_at(long, inner, at)
            }
            Wrap::GetAtt => {
                let inner = match text.split_once('.') {
                    Some((res, attr)) => Node::new(
                        Value::List(vec![
                            Node::new(Value::String(res.to_string()), own_loc.clone()),
                            Node::new(Value::String(attr.to_string()), own_loc.clone()),
                        ]),
                        own_loc,
                    ),
                    None => Node::new(Value::String(text.into_owned()), own_loc),
                };
                wrap_at("Fn::GetAtt", inner, at)
            }
        };
        let count = match &node.value {
            Value::Map(_) => 2,
            _ => 1,
        };
        self.complete(node, anchor, count, 1, line)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), ScanError> {
        let line = u32::try_from(span.start.line()).unwrap_or(u32::MAX);
        let Some(a) = self.anchors.get(&id) else {
            return Err(self.err(line, "invalid yaml: alias to an unknown anchor"));
        };
        if self.expects_key() {
            let Value::String(key) = &a.node.value else {
                return Err(self.err(line, "a mapping key must be a plain string"));
            };
            let key = key.clone();
            let own = loc(&self.file, span.start.line(), span.start.col() + 1);
            return self.set_key(key, own, line);
        }
        let (count, depth) = (a.count, a.depth);
        if self.stack.len() + depth > MAX_DEPTH {
            return Err(self.err(line, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.charge_alias(count, line)?;
        let Some(a) = self.anchors.get(&id) else {
            return Err(self.err(line, "invalid yaml: alias to an unknown anchor"));
        };
        let mut node = a.node.clone();
        node.loc = self.value_loc(span, line, true)?;
        self.complete(node, 0, count, depth, line)
    }

    fn charge_alias(&mut self, count: usize, line: u32) -> Result<(), ScanError> {
        self.alias_nodes = self.alias_nodes.saturating_add(count);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(self.err(
                line,
                format!("yaml alias expansion exceeds {MAX_ALIAS_NODES} nodes"),
            ));
        }
        Ok(())
    }

    fn store_anchor(
        &mut self,
        anchor: usize,
        node: Node,
        count: usize,
        depth: usize,
        line: u32,
    ) -> Result<(), ScanError> {
        self.charge_alias(count, line)?;
        self.anchors.insert(anchor, Anchored { node, count, depth });
        Ok(())
    }

    fn set_key(&mut self, key: String, key_loc: Option<Loc>, line: u32) -> Result<(), ScanError> {
        let max = self.limits.max_collection_len;
        let file = self.file.clone();
        if let Some(Frame {
            items: Items::Map(entries, slot),
            ..
        }) = self.stack.last_mut()
        {
            if entries.contains_key(&key) {
                return Err(error(&file, line, format!("duplicate key `{key}`")));
            }
            if entries.len() >= max {
                return Err(error(
                    &file,
                    line,
                    format!("mapping has more than `max_collection_len` ({max}) entries"),
                ));
            }
            *slot = Some((key, key_loc));
        }
        Ok(())
    }

    /// A finished node: remember it for its anchor, then put it in its parent (or make it
    /// the root).
    fn complete(
        &mut self,
        node: Node,
        anchor: usize,
        count: usize,
        depth: usize,
        line: u32,
    ) -> Result<(), ScanError> {
        if anchor != 0 {
            self.store_anchor(anchor, node.clone(), count, depth, line)?;
        }
        let max = self.limits.max_collection_len;
        let file = self.file.clone();
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut parent.items {
            Items::Seq(items) => {
                if items.len() >= max {
                    return Err(error(
                        &file,
                        line,
                        format!("list has more than `max_collection_len` ({max}) items"),
                    ));
                }
                items.push(node);
            }
            Items::Map(entries, key) => {
                let Some((k, _)) = key.take() else {
                    return Err(error(&file, line, "invalid yaml: value without a key"));
                };
                entries.insert(k, node);
            }
        }
        parent.count = parent.count.saturating_add(count);
        parent.depth = parent.depth.max(depth + 1);
        Ok(())
    }
}

/// `{long: inner}` at the inner node's location.
fn wrap_in(long: &str, inner: Node) -> Node {
    let at = inner.loc.clone();
    wrap_at(long, inner, at)
}

/// `{long: inner}` at `at`.
fn wrap_at(long: &str, inner: Node, at: Option<Loc>) -> Node {
    let mut m = BTreeMap::new();
    m.insert(long.to_string(), inner);
    Node::new(Value::Map(m), at)
}
