//! Heredocs with strip markers (`%{~ if ... }`), the way Terraform reads them.
//!
//! hcl-edit removes a flush heredoc's (`<<-`) indentation at parse time and treats a strip
//! marker as trimming all whitespace of the neighbouring literal. Terraform splits heredoc
//! literals into one token per line: a strip marker trims only the neighbouring line token
//! (`"ENV\n"` before `    %{~ if }` keeps its newline), and the flush indentation is computed
//! after stripping (a stripped directive line starts at column 0, so nothing is removed).
//! This module rebuilds such a template from the source text with those rules and clears the
//! strip markers, so the ordinary renderer then produces Terraform's text.

use hcl_edit::expr::Expression;
use hcl_edit::template::{Directive, Element, Strip, Template};

/// True if the template (or a nested one) has a strip marker.
pub(crate) fn has_strip(t: &Template) -> bool {
    t.iter().any(|e| match e {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip != Strip::None,
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => {
                i.if_expr.strip != Strip::None
                    || i.endif_expr.strip != Strip::None
                    || has_strip(&i.if_expr.template)
                    || i.else_expr
                        .as_ref()
                        .is_some_and(|e| e.strip != Strip::None || has_strip(&e.template))
            }
            Directive::For(f) => {
                f.for_expr.strip != Strip::None
                    || f.endfor_expr.strip != Strip::None
                    || has_strip(&f.for_expr.template)
            }
        },
    })
}

/// Re-read a heredoc from its source text (`<<-EOT ... EOT`) with Terraform's rules.
pub(crate) fn rebuild(raw: &str) -> Option<Template> {
    let (flush, text) = match raw.strip_prefix("<<-") {
        Some(rest) => (true, format!("<<{rest}")),
        None => (false, raw.to_string()),
    };
    let Ok(Expression::HeredocTemplate(h)) = hcl_edit::parser::parse_expr(&text) else {
        return None;
    };
    let mut t = h.template.clone();
    apply_strips(&mut t, false, false);
    if flush {
        let mut at_line_start = true;
        let mut indent: Option<usize> = None;
        if min_indent(&t, &mut at_line_start, &mut indent) {
            if let Some(n) = indent.filter(|n| *n > 0) {
                let mut at_line_start = true;
                dedent(&mut t, n, &mut at_line_start);
            }
        }
    }
    Some(t)
}

/// The line token a strip marker before an element trims: the text after the last newline,
/// or, when the literal ends with a newline, its whole last line.
fn trim_last_token(s: &str) -> String {
    let body = s.strip_suffix('\n').unwrap_or(s);
    let cut = if s.ends_with('\n') {
        body.rfind('\n').map(|i| i + 1).unwrap_or(0)
    } else {
        s.rfind('\n').map(|i| i + 1).unwrap_or(0)
    };
    let (head, tail) = s.split_at(cut);
    format!("{head}{}", tail.trim_end())
}

/// The first line token (up to and including the first newline) trimmed at its start.
fn trim_first_token(s: &str) -> String {
    let cut = s.find('\n').map(|i| i + 1).unwrap_or(s.len());
    let (head, tail) = s.split_at(cut);
    format!("{}{tail}", head.trim_start())
}

fn strips_start(s: Strip) -> bool {
    matches!(s, Strip::Start | Strip::Both)
}

fn strips_end(s: Strip) -> bool {
    matches!(s, Strip::End | Strip::Both)
}

/// Apply every strip marker to its neighbouring line token, then clear the markers.
/// `first` / `last`: the enclosing directive strips the start / end of this template.
fn apply_strips(t: &mut Template, first: bool, last: bool) {
    // Which literals are trimmed, decided on the untouched markers.
    let marks: Vec<(bool, bool)> = {
        let els: Vec<&Element> = t.iter().collect();
        (0..els.len())
            .map(|i| {
                let before = if i == 0 {
                    first
                } else {
                    els.get(i - 1).is_some_and(|p| strip_after(p))
                };
                let after = if i + 1 == els.len() {
                    last
                } else {
                    els.get(i + 1).is_some_and(|n| strip_before(n))
                };
                (before, after)
            })
            .collect()
    };
    for (el, (before, after)) in t.iter_mut().zip(marks) {
        match el {
            Element::Literal(s) => {
                let mut v = s.value().clone();
                if before {
                    v = trim_first_token(&v);
                }
                if after {
                    v = trim_last_token(&v);
                }
                *s.as_mut() = v;
            }
            Element::Interpolation(i) => i.strip = Strip::None,
            Element::Directive(d) => match d.as_mut() {
                Directive::If(i) => {
                    let if_end = strips_end(i.if_expr.strip);
                    let endif_start = strips_start(i.endif_expr.strip);
                    match &mut i.else_expr {
                        Some(e) => {
                            let else_start = strips_start(e.strip);
                            let else_end = strips_end(e.strip);
                            apply_strips(&mut i.if_expr.template, if_end, else_start);
                            apply_strips(&mut e.template, else_end, endif_start);
                            e.strip = Strip::None;
                        }
                        None => apply_strips(&mut i.if_expr.template, if_end, endif_start),
                    }
                    i.if_expr.strip = Strip::None;
                    i.endif_expr.strip = Strip::None;
                }
                Directive::For(f) => {
                    let a = strips_end(f.for_expr.strip);
                    let b = strips_start(f.endfor_expr.strip);
                    apply_strips(&mut f.for_expr.template, a, b);
                    f.for_expr.strip = Strip::None;
                    f.endfor_expr.strip = Strip::None;
                }
            },
        }
    }
}

fn strip_after(e: &Element) -> bool {
    match e {
        Element::Interpolation(i) => strips_end(i.strip),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => strips_end(i.endif_expr.strip),
            Directive::For(f) => strips_end(f.endfor_expr.strip),
        },
        Element::Literal(_) => false,
    }
}

fn strip_before(e: &Element) -> bool {
    match e {
        Element::Interpolation(i) => strips_start(i.strip),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(i) => strips_start(i.if_expr.strip),
            Directive::For(f) => strips_start(f.for_expr.strip),
        },
        Element::Literal(_) => false,
    }
}

/// Smallest indentation of the lines, in source order through directive bodies. Returns
/// false when a line starts with an interpolation or directive (nothing can be removed).
fn min_indent(t: &Template, at_line_start: &mut bool, indent: &mut Option<usize>) -> bool {
    for el in t.iter() {
        match el {
            Element::Literal(s) => {
                let v = s.value();
                if v.is_empty() {
                    continue;
                }
                for (i, line) in v.split_inclusive('\n').enumerate() {
                    if i == 0 && !*at_line_start {
                        continue;
                    }
                    let content = line.trim_end_matches('\n');
                    if content.is_empty() {
                        continue;
                    }
                    let ws = content
                        .chars()
                        .take_while(|c| *c == ' ' || *c == '\t')
                        .count();
                    if ws == content.chars().count() && !line.ends_with('\n') {
                        // Indentation before an element on the same line: counts as that line's.
                        *indent = Some(indent.map_or(ws, |m| m.min(ws)));
                        continue;
                    }
                    *indent = Some(indent.map_or(ws, |m| m.min(ws)));
                }
                *at_line_start = v.ends_with('\n');
            }
            Element::Interpolation(_) => {
                if *at_line_start {
                    return false;
                }
            }
            Element::Directive(d) => {
                if *at_line_start {
                    return false;
                }
                let ok = match d.as_ref() {
                    Directive::If(i) => {
                        min_indent(&i.if_expr.template, at_line_start, indent)
                            && i.else_expr
                                .as_ref()
                                .is_none_or(|e| min_indent(&e.template, at_line_start, indent))
                    }
                    Directive::For(f) => min_indent(&f.for_expr.template, at_line_start, indent),
                };
                if !ok {
                    return false;
                }
                *at_line_start = false;
            }
        }
    }
    true
}

fn dedent(t: &mut Template, n: usize, at_line_start: &mut bool) {
    for el in t.iter_mut() {
        match el {
            Element::Literal(s) => {
                let v = s.value().clone();
                if v.is_empty() {
                    continue;
                }
                let mut out = String::with_capacity(v.len());
                for (i, line) in v.split_inclusive('\n').enumerate() {
                    if i == 0 && !*at_line_start {
                        out.push_str(line);
                    } else {
                        let skip = line
                            .chars()
                            .take(n)
                            .take_while(|c| *c == ' ' || *c == '\t')
                            .map(char::len_utf8)
                            .sum::<usize>();
                        out.push_str(line.get(skip..).unwrap_or(line));
                    }
                }
                *at_line_start = v.ends_with('\n');
                *s.as_mut() = out;
            }
            Element::Interpolation(_) => *at_line_start = false,
            Element::Directive(d) => {
                match d.as_mut() {
                    Directive::If(i) => {
                        dedent(&mut i.if_expr.template, n, at_line_start);
                        if let Some(e) = &mut i.else_expr {
                            dedent(&mut e.template, n, at_line_start);
                        }
                    }
                    Directive::For(f) => dedent(&mut f.for_expr.template, n, at_line_start),
                }
                *at_line_start = false;
            }
        }
    }
}
